// sha256 of bytes, as lower-case hex (OpenSSL EVP).
#pragma once

#include <string>
#include <string_view>

namespace pgflux {

std::string sha256_hex(std::string_view data);

// sha256 of bytes given in pieces: hex() equals sha256_hex of them joined.
class Sha256 {
public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;
    void update(std::string_view data);
    std::string hex();

private:
    void* context_;  // EVP_MD_CTX
};

}  // namespace pgflux
