#include "licensing/auth/ntlm/inputs.hpp"

#include <chrono>

#include "licensing/crypto/random.hpp"

namespace rdwarm::auth::ntlm {

std::uint64_t filetime_now() {
  // 1601-01-01 to 1970-01-01: 11644473600 s.
  constexpr std::uint64_t kUnixEpochAsFiletime = 116444736000000000ull;
  const auto since_unix = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::system_clock::now().time_since_epoch());
  return kUnixEpochAsFiletime + static_cast<std::uint64_t>(since_unix.count()) * 10;
}

RandomSource random_or_default(RandomSource random) {
  if (random) return random;
  return [](std::span<std::uint8_t> out) { crypto::random_bytes(out); };
}

FiletimeClock clock_or_default(FiletimeClock now) {
  if (now) return now;
  return filetime_now;
}

}  // namespace rdwarm::auth::ntlm
