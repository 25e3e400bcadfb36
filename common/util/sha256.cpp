// sha256 through OpenSSL's EVP interface.
#include "util/sha256.h"

#include <openssl/evp.h>

#include <stdexcept>

namespace pgflux {

namespace {

std::string hex_of(const unsigned char* digest, unsigned int length) {
    static const char* k_hex = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < length; ++i) {
        out += k_hex[digest[i] >> 4];
        out += k_hex[digest[i] & 15];
    }
    return out;
}

}  // namespace

std::string sha256_hex(std::string_view data) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (!EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr))
        throw std::runtime_error("sha256 failed");
    return hex_of(digest, length);
}

Sha256::Sha256() : context_(EVP_MD_CTX_new()) {
    if (!context_ || !EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(context_), EVP_sha256(), nullptr)) {
        EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(context_));
        throw std::runtime_error("sha256 failed");
    }
}

Sha256::~Sha256() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(context_)); }

void Sha256::update(std::string_view data) {
    if (!EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(context_), data.data(), data.size()))
        throw std::runtime_error("sha256 failed");
}

std::string Sha256::hex() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (!EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(context_), digest, &length))
        throw std::runtime_error("sha256 failed");
    return hex_of(digest, length);
}

}  // namespace pgflux
