// OpenSSL 3 moved RC4 out of the default provider into the legacy provider, which a static mingw
// build may not ship; EVP_rc4() would then fail at run time. The low-level RC4_set_key/RC4 are
// deprecated but still part of libcrypto 3.x and need no provider, so this file (only) uses them.
#define OPENSSL_SUPPRESS_DEPRECATED

#include "licensing/crypto/rc4.hpp"

#include <openssl/crypto.h>
#include <openssl/rc4.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace rdwarm::crypto {

std::vector<std::uint8_t> rc4(std::span<const std::uint8_t> key,
                              std::span<const std::uint8_t> data) {
  if (key.empty()) {
    std::fputs("rdwarm: rc4 called with an empty key\n", stderr);
    std::abort();
  }
  // The RC4 key schedule uses at most 256 key bytes.
  const int key_len = static_cast<int>(std::min<std::size_t>(key.size(), 256));
  RC4_KEY state;
  RC4_set_key(&state, key_len, key.data());
  std::vector<std::uint8_t> out(data.size());
  if (!data.empty()) RC4(&state, data.size(), data.data(), out.data());
  OPENSSL_cleanse(&state, sizeof state);
  return out;
}

}  // namespace rdwarm::crypto
