// Licensing key derivation, MS-RDPELE 5.1.2 (premaster secret -> master secret -> session key
// blob -> MAC salt key and licensing encryption key). Client and server derive the same keys.
#pragma once

#include <array>
#include <cstdint>
#include <span>

namespace rdwarm::crypto {

inline constexpr std::size_t kPreMasterSecretSize = 48;  // RDPELE 5.1.2.1
inline constexpr std::size_t kLicensingRandomSize =
    32;  // ClientRandom / ServerRandom, RDPELE 2.2.2.1
inline constexpr std::size_t kMasterSecretSize = 48;
inline constexpr std::size_t kSessionKeyBlobSize = 48;
inline constexpr std::size_t kMacSaltKeySize = 16;
inline constexpr std::size_t kLicensingKeySize = 16;

struct LicensingKeys {
  std::array<std::uint8_t, kMasterSecretSize> master_secret{};
  std::array<std::uint8_t, kSessionKeyBlobSize> session_key_blob{};
  std::array<std::uint8_t, kMacSaltKeySize> mac_salt_key{};     // SessionKeyBlob[0..16]
  std::array<std::uint8_t, kLicensingKeySize> licensing_key{};  // the RC4 key, RDPELE 5.1.3
};

// SaltedHash(S, I, A, B) = MD5(S + SHA1(I + S + A + B)), RDPELE 5.1.2.
std::array<std::uint8_t, 16> salted_hash(std::span<const std::uint8_t> s,
                                         std::span<const std::uint8_t> i,
                                         std::span<const std::uint8_t> a,
                                         std::span<const std::uint8_t> b);

LicensingKeys derive_licensing_keys(
    std::span<const std::uint8_t, kPreMasterSecretSize> premaster,
    std::span<const std::uint8_t, kLicensingRandomSize> client_random,
    std::span<const std::uint8_t, kLicensingRandomSize> server_random);

}  // namespace rdwarm::crypto
