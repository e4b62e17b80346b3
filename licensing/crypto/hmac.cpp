#include "licensing/crypto/hmac.hpp"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <cstdio>
#include <cstdlib>
#include <memory>

#include "licensing/crypto/openssl_handles.hpp"

namespace rdwarm::crypto {
namespace {

[[noreturn]] void hmac_failed() {
  std::fprintf(stderr, "rdwarm: OpenSSL cannot compute HMAC-MD5: %s\n",
               detail::ErrorScope::last_error("unknown error").c_str());
  std::abort();
}

using MacPtr = std::unique_ptr<EVP_MAC, detail::Deleter<EVP_MAC, EVP_MAC_free>>;
using MacCtxPtr = std::unique_ptr<EVP_MAC_CTX, detail::Deleter<EVP_MAC_CTX, EVP_MAC_CTX_free>>;

// Fetched once: EVP_MAC_fetch looks the algorithm up in the provider store, which is not free.
EVP_MAC* hmac_algorithm() {
  static const MacPtr mac(EVP_MAC_fetch(nullptr, OSSL_MAC_NAME_HMAC, nullptr));
  if (!mac) hmac_failed();
  return mac.get();
}

}  // namespace

std::array<std::uint8_t, kHmacMd5Size> hmac_md5(
    std::span<const std::uint8_t> key, std::initializer_list<std::span<const std::uint8_t>> parts) {
  MacCtxPtr ctx(EVP_MAC_CTX_new(hmac_algorithm()));
  if (!ctx) hmac_failed();
  char digest[] = "MD5";
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                               OSSL_PARAM_construct_end()};
  // HMAC allows an empty key; OpenSSL wants a non-null pointer for it.
  static const std::uint8_t kNoKey = 0;
  const std::uint8_t* key_data = key.empty() ? &kNoKey : key.data();
  if (EVP_MAC_init(ctx.get(), key_data, key.size(), params) != 1) hmac_failed();
  for (const auto& part : parts) {
    if (!part.empty() && EVP_MAC_update(ctx.get(), part.data(), part.size()) != 1) hmac_failed();
  }
  std::array<std::uint8_t, kHmacMd5Size> out{};
  std::size_t len = 0;
  if (EVP_MAC_final(ctx.get(), out.data(), &len, out.size()) != 1 || len != out.size()) {
    hmac_failed();
  }
  return out;
}

}  // namespace rdwarm::crypto
