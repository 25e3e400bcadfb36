// sha256 through OpenSSL's EVP interface.
#include "util/sha256.h"

#include <openssl/evp.h>

#include <stdexcept>

namespace pgflux {

std::string sha256_hex(std::string_view data) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (!EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr))
        throw std::runtime_error("sha256 failed");
    static const char* k_hex = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < length; ++i) {
        out += k_hex[digest[i] >> 4];
        out += k_hex[digest[i] & 15];
    }
    return out;
}

}  // namespace pgflux
