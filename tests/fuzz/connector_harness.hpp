// What fuzz_connector and the seed tool (fuzz_seeds) must agree on: the connector's fixed random
// source (so a seed can carry a Platform Challenge and a New License whose MACs verify) and the
// layout of a connector input.
//
// Input: control byte, split byte, then the server's bytes.
//   control bits 0-1: how the session ends when the input is used up: 0 connection_closed(),
//                     1 deadline_expired(), 2 deadline then closed, 3 closed then deadline
//   control bit 2:    answer wants_tls() with tls_failed() instead of tls_established()
//   control bit 3:    take the output only at the end instead of after every chunk
//   control bit 4:    call deadline_expired() as soon as verdict_known() (the driver's grace timer)
//   split byte:       0 delivers all server bytes in one receive(); otherwise chunk lengths come
//                     from a xorshift sequence seeded with it, each in 1..8*split
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace rdwarm::fuzz {

inline constexpr std::size_t kConnectorHeaderSize = 2;
inline constexpr std::uint8_t kEndMask = 0x03;
inline constexpr std::uint8_t kTlsFails = 0x04;
inline constexpr std::uint8_t kOutputAtEnd = 0x08;
inline constexpr std::uint8_t kGraceDeadline = 0x10;

// The connector asks for the client random (32 bytes) and then the premaster secret (48 bytes);
// both get this pattern, so runs are reproducible and seeds can derive the licensing keys.
inline void fixed_random(std::span<std::uint8_t> out) {
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<std::uint8_t>(0x5A + 13 * i);
}

}  // namespace rdwarm::fuzz
