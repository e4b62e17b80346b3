// Proprietary certificate signing with the Terminal Services signing key (MS-RDPBCGR 5.3.3.1): the
// certificate a session host sends before a license server has issued it an X.509 chain.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "licensing/crypto/rsa.hpp"
#include "licensing/wire/result.hpp"

namespace rdwarm::lab {

// The public half of the Terminal Services signing key (MS-RDPBCGR 5.3.3.1.1): modulus (big-endian)
// and exponent 0x5b7b88c0. Clients verify proprietary certificates with it.
const crypto::RsaPublicKey& terminal_services_signing_public_key();

// The bytes the signature covers (MS-RDPBCGR 5.3.3.1.2): dwVersion .. PublicKeyBlob of the
// PROPRIETARYSERVERCERTIFICATE, i.e. everything before wSignatureBlobType.
std::vector<std::uint8_t> proprietary_signed_fields(const crypto::RsaPublicKey& key,
                                                    bool temporary = false);

// The 63 bytes the signing key encrypts (MS-RDPBCGR 5.3.3.1.2): MD5 of the fields, 0x00,
// 45 x 0xFF, 0x01, read as a little-endian integer.
inline constexpr std::size_t kProprietarySignatureBlockSize = 63;
std::array<std::uint8_t, kProprietarySignatureBlockSize> proprietary_signature_block(
    std::span<const std::uint8_t> fields);

// wSignatureBlob for the given fields: the 64 little-endian bytes of s = m^d mod n with the
// private signing key, followed by 8 zero bytes (72 bytes).
std::vector<std::uint8_t> sign_proprietary_fields(std::span<const std::uint8_t> fields);

// Verifies a wSignatureBlob (with or without the 8 padding bytes) over `fields` with the public
// signing key, as a client does.
bool verify_proprietary_signature(std::span<const std::uint8_t> fields,
                                  std::span<const std::uint8_t> signature);

// The full PROPRIETARYSERVERCERTIFICATE (SERVER_CERTIFICATE, dwVersion 1) for `key`, with a valid
// wSignatureBlob.
std::vector<std::uint8_t> signed_proprietary_certificate(const crypto::RsaPublicKey& key,
                                                         bool temporary = false);

}  // namespace rdwarm::lab
