// MD4 (RFC 1320), for the NT hash of NTLM [MS-NLMP 3.3.1]: NTOWF = MD4(UTF-16LE(password)).
// OpenSSL 3 moved MD4 into the legacy provider, which the static mingw build does not ship, so the
// digest is computed here. Nothing else should use MD4.
#pragma once

#include <array>
#include <cstdint>
#include <span>

namespace rdwarm::crypto {

inline constexpr std::size_t kMd4Size = 16;

std::array<std::uint8_t, kMd4Size> md4(std::span<const std::uint8_t> data);

}  // namespace rdwarm::crypto
