#include "licensing/crypto/digest.hpp"

#include <openssl/evp.h>

#include <cstdio>
#include <cstdlib>

#include "licensing/crypto/openssl_handles.hpp"

namespace rdwarm::crypto {
namespace {

[[noreturn]] void digest_failed(const char* name) {
  std::fprintf(stderr, "rdwarm: OpenSSL cannot compute %s: %s\n", name,
               detail::ErrorScope::last_error("unknown error").c_str());
  std::abort();
}

template <std::size_t N>
std::array<std::uint8_t, N> digest(const EVP_MD* md, const char* name,
                                   std::initializer_list<ByteView> parts) {
  detail::MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || md == nullptr || EVP_DigestInit_ex(ctx.get(), md, nullptr) != 1) digest_failed(name);
  for (const auto& part : parts) {
    if (EVP_DigestUpdate(ctx.get(), part.data(), part.size()) != 1) digest_failed(name);
  }
  std::array<std::uint8_t, N> out{};
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx.get(), out.data(), &len) != 1 || len != N) digest_failed(name);
  return out;
}

}  // namespace

std::array<std::uint8_t, kMd5Size> md5(std::initializer_list<ByteView> parts) {
  return digest<kMd5Size>(EVP_md5(), "MD5", parts);
}

std::array<std::uint8_t, kSha1Size> sha1(std::initializer_list<ByteView> parts) {
  return digest<kSha1Size>(EVP_sha1(), "SHA-1", parts);
}

std::array<std::uint8_t, kSha256Size> sha256(std::initializer_list<ByteView> parts) {
  return digest<kSha256Size>(EVP_sha256(), "SHA-256", parts);
}

}  // namespace rdwarm::crypto
