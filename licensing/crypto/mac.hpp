// The licensing MAC, MS-RDPELE 5.1.5:
//   MD5(MACSaltKey + pad2 + SHA1(MACSaltKey + pad1 + u32le(len(data)) + data)),
// pad1 = 0x36 x 40, pad2 = 0x5C x 48. Computed over the plaintext (platform challenge, challenge
// response data + hardware id, new license info).
#pragma once

#include <array>
#include <cstdint>
#include <span>

namespace rdwarm::crypto {

inline constexpr std::size_t kLicensingMacSize = 16;

std::array<std::uint8_t, kLicensingMacSize> licensing_mac(
    std::span<const std::uint8_t> mac_salt_key, std::span<const std::uint8_t> data);

}  // namespace rdwarm::crypto
