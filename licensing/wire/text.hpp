// UTF-8 <-> UTF-16LE for the wire's string fields (client name, Client Info, product info).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "licensing/wire/reader.hpp"
#include "licensing/wire/result.hpp"

namespace rdwarm::wire {

// Encodes UTF-8 text as UTF-16LE code units (no terminator). Invalid UTF-8 becomes U+FFFD.
std::vector<std::uint8_t> utf16le_from_utf8(std::string_view text);
// Decodes UTF-16LE bytes to UTF-8, stopping at the first NUL. Unpaired surrogates become U+FFFD;
// an odd byte count is an error.
Result<std::string> utf8_from_utf16le(Bytes bytes, std::string_view where);

}  // namespace rdwarm::wire
