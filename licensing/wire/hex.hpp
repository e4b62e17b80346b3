// Hex helpers for test vectors, logs and the `reg export` text format.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "licensing/wire/result.hpp"

namespace rdwarm::wire {

// Parses hex digits, ignoring whitespace, commas, and "0x" prefixes. Any other character is an
// error.
Result<std::vector<std::uint8_t>> from_hex(std::string_view text);
std::string to_hex(std::span<const std::uint8_t> bytes, std::string_view separator = "");

}  // namespace rdwarm::wire

namespace rdwarm::wire {
// "0x0101"-style text for codes in messages: width = number of hex digits.
std::string hex_code(std::uint32_t value, int width = 8);
}  // namespace rdwarm::wire
