#include "lab/session_host/host_rsa_key.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace rdwarm::lab {

struct HostRsaKey::Native {
  EVP_PKEY* key = nullptr;
  ~Native() { EVP_PKEY_free(key); }
};

namespace {

std::vector<std::uint8_t> bn_param(EVP_PKEY* key, const char* name) {
  BIGNUM* bn = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &bn) != 1) {
    std::fprintf(stderr, "rdwarm-lab: cannot read RSA parameter %s\n", name);
    std::abort();
  }
  std::vector<std::uint8_t> out(static_cast<std::size_t>(BN_num_bytes(bn)));
  BN_bn2bin(bn, out.data());
  BN_free(bn);
  return out;
}

}  // namespace

HostRsaKey::~HostRsaKey() = default;

std::shared_ptr<const HostRsaKey> HostRsaKey::generate(int bits) {
  EVP_PKEY* key = EVP_RSA_gen(static_cast<unsigned int>(bits));
  if (key == nullptr) {
    std::fprintf(stderr, "rdwarm-lab: OpenSSL cannot generate an RSA-%d key\n", bits);
    std::abort();
  }
  std::shared_ptr<HostRsaKey> out(new HostRsaKey());
  out->native_ = std::make_unique<Native>();
  out->native_->key = key;
  const auto n = bn_param(key, OSSL_PKEY_PARAM_RSA_N);
  const auto e = bn_param(key, OSSL_PKEY_PARAM_RSA_E);
  std::uint32_t exponent = 0;
  for (std::uint8_t b : e) exponent = (exponent << 8) | b;
  out->public_key_ = crypto::make_rsa_public_key(n, exponent);
  out->d_ = bn_param(key, OSSL_PKEY_PARAM_RSA_D);
  return out;
}

Result<std::vector<std::uint8_t>> HostRsaKey::decrypt_le(
    std::span<const std::uint8_t> ciphertext) const {
  const std::size_t size = public_key_.modulus_size();
  if (ciphertext.size() > size &&
      std::any_of(ciphertext.begin() + static_cast<std::ptrdiff_t>(size), ciphertext.end(),
                  [](std::uint8_t b) { return b != 0; })) {
    return Error{"RSA decryption", "ciphertext", "is larger than the modulus"};
  }
  // Little-endian in, big-endian (modulusLen bytes) for OpenSSL.
  std::vector<std::uint8_t> be(size, 0);
  const std::size_t used = std::min(size, ciphertext.size());
  for (std::size_t i = 0; i < used; ++i) be[size - 1 - i] = ciphertext[i];

  ERR_set_mark();
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_pkey(nullptr, native_->key, nullptr);
  std::vector<std::uint8_t> plain(size);
  std::size_t plain_len = plain.size();
  const bool ok = ctx != nullptr && EVP_PKEY_decrypt_init(ctx) == 1 &&
                  EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_NO_PADDING) == 1 &&
                  EVP_PKEY_decrypt(ctx, plain.data(), &plain_len, be.data(), be.size()) == 1;
  EVP_PKEY_CTX_free(ctx);
  ERR_pop_to_mark();
  if (!ok || plain_len != size) {
    return Error{"RSA decryption", "ciphertext",
                 "does not decrypt with the host key (not smaller than the modulus?)"};
  }
  std::reverse(plain.begin(), plain.end());
  return plain;
}

}  // namespace rdwarm::lab
