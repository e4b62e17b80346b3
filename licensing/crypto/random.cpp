#include "licensing/crypto/random.hpp"

#include <openssl/rand.h>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstdlib>

#include "licensing/crypto/openssl_handles.hpp"

namespace rdwarm::crypto {

void random_bytes(std::span<std::uint8_t> out) {
  // RAND_bytes takes an int length.
  constexpr std::size_t kChunk = INT_MAX;
  while (!out.empty()) {
    const std::size_t n = std::min(out.size(), kChunk);
    if (RAND_bytes(out.data(), static_cast<int>(n)) != 1) {
      std::fprintf(stderr, "rdwarm: OpenSSL RAND_bytes failed: %s\n",
                   detail::ErrorScope::last_error("unknown error").c_str());
      std::abort();
    }
    out = out.subspan(n);
  }
}

}  // namespace rdwarm::crypto
