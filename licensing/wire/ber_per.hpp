// The two ASN.1 encodings RDP uses before activation: BER for the MCS Connect PDUs [T.125 7 part 2]
// and ALIGNED PER for GCC [T.124] and the MCS domain PDUs [T.125 7 parts 6, 10]. Only the subset
// RDP needs: lengths, small unsigned integers, and tags.
#pragma once

#include <cstddef>
#include <cstdint>

#include "licensing/wire/reader.hpp"
#include "licensing/wire/writer.hpp"

namespace rdwarm::wire {

// BER universal tags.
inline constexpr std::uint8_t BER_TAG_BOOLEAN = 0x01;
inline constexpr std::uint8_t BER_TAG_INTEGER = 0x02;
inline constexpr std::uint8_t BER_TAG_OCTET_STRING = 0x04;
inline constexpr std::uint8_t BER_TAG_ENUMERATED = 0x0A;
inline constexpr std::uint8_t BER_TAG_SEQUENCE = 0x30;

namespace ber {
std::size_t length_size(std::size_t length);
void write_length(Writer& w, std::size_t length);
std::size_t read_length(Reader& r, std::string_view field);
// Unsigned INTEGER in the fewest bytes, the way Windows writes domain parameters (65535 as 02 02
// ff ff, [MS-RDPBCGR 4.1.3]); decode accepts up to 4 value bytes, with or without a sign byte.
std::size_t integer_size(std::uint32_t value);
void write_integer(Writer& w, std::uint32_t value);
std::uint32_t read_integer(Reader& r, std::string_view field);
// Expects a tag byte; records an error naming the field when it differs.
void expect_tag(Reader& r, std::uint8_t tag, std::string_view field);
// APPLICATION tag in the high-tag form (0x7F, number) used by MCS Connect-Initial (101) and
// Connect-Response (102).
void expect_application_tag(Reader& r, std::uint8_t number, std::string_view field);
}  // namespace ber

namespace per {
std::size_t length_size(std::size_t length);
void write_length(Writer& w, std::size_t length);
std::size_t read_length(Reader& r, std::string_view field);
}  // namespace per

}  // namespace rdwarm::wire
