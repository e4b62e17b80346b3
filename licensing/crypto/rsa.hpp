// Raw (unpadded) little-endian RSA as RDP licensing uses it (MS-RDPBCGR 5.3.4.1, MS-RDPELE
// 5.1.1.1): the input is read as a little-endian integer m, c = m^e mod n, and c is written
// little-endian into modulusLen bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "licensing/wire/result.hpp"

namespace rdwarm::crypto {

// EncryptedPreMasterSecret = RSA output (modulusLen bytes) + 8 zero bytes (RDPELE 2.2.2.2,
// MS-RDPBCGR 5.3.4.1).
inline constexpr std::size_t kEncryptedSecretPaddingSize = 8;
// Larger moduli are refused: licensing keys are 512 (proprietary) or 2048 bits (X.509), and an
// untrusted certificate must not make us exponentiate with arbitrary sizes.
inline constexpr std::size_t kMaxRsaModulusBits = 8192;

struct RsaPublicKey {
  std::vector<std::uint8_t> modulus;  // big-endian, no leading zero byte
  std::uint32_t exponent = 0;

  [[nodiscard]] std::size_t bits() const;
  // modulusLen: the length RSA output is written into.
  [[nodiscard]] std::size_t modulus_size() const { return modulus.size(); }
  bool operator==(const RsaPublicKey&) const = default;
};

// Builds a key from a big-endian modulus that may carry leading zero bytes (DER INTEGER, BIGNUM).
RsaPublicKey make_rsa_public_key(std::span<const std::uint8_t> modulus_be, std::uint32_t exponent);

// c = m^e mod n with m = little-endian `input`; modulus_size() bytes, little-endian.
Result<std::vector<std::uint8_t>> rsa_public_le(const RsaPublicKey& key,
                                                std::span<const std::uint8_t> input);

// The EncryptedPreMasterSecret blob data: rsa_public_le(premaster) + 8 zero bytes.
Result<std::vector<std::uint8_t>> encrypt_premaster_secret(const RsaPublicKey& key,
                                                           std::span<const std::uint8_t> premaster);

// The server side: m = c^d mod n, with n and d big-endian (as BN_bn2bin gives them) and c
// little-endian. Trailing zero bytes of `ciphertext` (the 8-byte padding) do not change its value,
// so the blob data can be passed whole. Returns modulusLen bytes, little-endian; the premaster
// secret is the first 48 of them.
Result<std::vector<std::uint8_t>> raw_rsa_decrypt_le(
    std::span<const std::uint8_t> modulus_be, std::span<const std::uint8_t> private_exponent_be,
    std::span<const std::uint8_t> ciphertext);

}  // namespace rdwarm::crypto
