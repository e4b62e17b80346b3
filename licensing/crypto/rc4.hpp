// RC4 as licensing uses it (MS-RDPELE 5.1.3): every encrypted field starts a fresh keystream from
// the licensing encryption key, so encrypt and decrypt are the same call.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace rdwarm::crypto {

// `key` must not be empty (the licensing key is always 16 bytes); an empty key aborts.
std::vector<std::uint8_t> rc4(std::span<const std::uint8_t> key,
                              std::span<const std::uint8_t> data);

}  // namespace rdwarm::crypto
