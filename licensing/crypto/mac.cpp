#include "licensing/crypto/mac.hpp"

#include "licensing/crypto/digest.hpp"

namespace rdwarm::crypto {
namespace {

constexpr std::size_t kPad1Size = 40;  // RDPELE 5.1.5, pad1: 0x36 repeated 40 times
constexpr std::size_t kPad2Size = 48;  // pad2: 0x5C repeated 48 times

template <std::uint8_t Byte, std::size_t N>
constexpr std::array<std::uint8_t, N> filled() {
  std::array<std::uint8_t, N> a{};
  a.fill(Byte);
  return a;
}

constexpr auto kPad1 = filled<0x36, kPad1Size>();
constexpr auto kPad2 = filled<0x5C, kPad2Size>();

}  // namespace

std::array<std::uint8_t, kLicensingMacSize> licensing_mac(
    std::span<const std::uint8_t> mac_salt_key, std::span<const std::uint8_t> data) {
  // The length is a u32; licensing PDUs are bounded by wMsgSize (u16), so it always fits.
  const auto len = static_cast<std::uint32_t>(data.size());
  const std::uint8_t len_le[4] = {
      static_cast<std::uint8_t>(len), static_cast<std::uint8_t>(len >> 8),
      static_cast<std::uint8_t>(len >> 16), static_cast<std::uint8_t>(len >> 24)};
  const auto inner = sha1({mac_salt_key, kPad1, len_le, data});
  return md5({mac_salt_key, kPad2, inner});
}

}  // namespace rdwarm::crypto
