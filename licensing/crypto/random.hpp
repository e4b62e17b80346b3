// Cryptographically secure random bytes (client random, premaster secret, RDPELE 5.1.1).
#pragma once

#include <cstdint>
#include <span>

namespace rdwarm::crypto {

// Fills `out` from OpenSSL's DRBG. Aborts if the generator fails: continuing with predictable
// keys is never acceptable, and OpenSSL's RNG failing means the process cannot do crypto at all.
void random_bytes(std::span<std::uint8_t> out);

}  // namespace rdwarm::crypto
