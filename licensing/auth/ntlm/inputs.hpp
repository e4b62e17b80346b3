// What an NTLM context takes from its environment, injected so tests are deterministic: random
// bytes (client challenge, session key, server challenge) and the current time as a FILETIME
// (100 ns ticks since 1601-01-01 UTC) for MsvAvTimestamp.
#pragma once

#include <cstdint>
#include <functional>
#include <span>

namespace rdwarm::auth::ntlm {

using RandomSource = std::function<void(std::span<std::uint8_t>)>;
using FiletimeClock = std::function<std::uint64_t()>;

// The system clock as a FILETIME.
std::uint64_t filetime_now();

// `random` when set, else OpenSSL's generator; `now` when set, else filetime_now.
RandomSource random_or_default(RandomSource random);
FiletimeClock clock_or_default(FiletimeClock now);

}  // namespace rdwarm::auth::ntlm
