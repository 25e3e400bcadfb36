// sha256 of bytes, as lower-case hex (OpenSSL EVP).
#pragma once

#include <string>
#include <string_view>

namespace pgflux {

std::string sha256_hex(std::string_view data);

}  // namespace pgflux
