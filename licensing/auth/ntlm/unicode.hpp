// Text as NTLM carries it: UTF-16LE without terminator [MS-NLMP 2.2, NTLMSSP_NEGOTIATE_UNICODE],
// and the upper-casing of NTOWFv2's Uppercase(User) [3.3.2] and of case-insensitive name matching.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "licensing/wire/reader.hpp"

namespace rdwarm::auth::ntlm {

std::vector<std::uint8_t> to_utf16le(std::string_view utf8);

// UTF-16LE bytes to UTF-8 for messages and logs: never fails (an odd trailing byte and unpaired
// surrogates become U+FFFD).
std::string to_utf8(wire::Bytes utf16le);

// Upper-cases UTF-16LE text code unit by code unit, as Windows' RtlUpcaseUnicodeString does for
// the ranges user and domain names use: ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic.
// Other code units are kept.
std::vector<std::uint8_t> upper_utf16le(wire::Bytes utf16le);

// Case-insensitive equality of two UTF-8 names under the same mapping.
bool equal_ignore_case(std::string_view a, std::string_view b);

}  // namespace rdwarm::auth::ntlm
