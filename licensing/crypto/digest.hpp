// MD5, SHA-1 and SHA-256 over a sequence of byte ranges (OpenSSL EVP). Licensing (MS-RDPELE 5.1)
// and CredSSP's binding hash (MS-CSSP 3.1.5) hash concatenations; taking the parts avoids building
// the concatenation.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <span>

namespace rdwarm::crypto {

using ByteView = std::span<const std::uint8_t>;

inline constexpr std::size_t kMd5Size = 16;
inline constexpr std::size_t kSha1Size = 20;
inline constexpr std::size_t kSha256Size = 32;

// All abort if OpenSSL cannot provide the digest (e.g. a FIPS-only configuration without MD5):
// licensing cannot work at all then, and no caller could do anything sensible with the failure.
std::array<std::uint8_t, kMd5Size> md5(std::initializer_list<ByteView> parts);
std::array<std::uint8_t, kSha1Size> sha1(std::initializer_list<ByteView> parts);
std::array<std::uint8_t, kSha256Size> sha256(std::initializer_list<ByteView> parts);

}  // namespace rdwarm::crypto
