// HMAC-MD5 (RFC 2104) over a sequence of byte ranges, as NTLMv2 uses it [MS-NLMP 3.3.2, 3.4.4]:
// NTOWFv2, NTProofStr, the session base key, the MIC and message signatures. OpenSSL EVP_MAC with
// MD5 from the default provider.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <span>

namespace rdwarm::crypto {

inline constexpr std::size_t kHmacMd5Size = 16;

// Aborts if OpenSSL cannot provide HMAC-MD5 (as md5() does): NTLM cannot work at all then.
std::array<std::uint8_t, kHmacMd5Size> hmac_md5(
    std::span<const std::uint8_t> key, std::initializer_list<std::span<const std::uint8_t>> parts);

}  // namespace rdwarm::crypto
