// SERVER_CERTIFICATE (MS-RDPBCGR 2.2.1.4.3.1): the certificate a session host sends in the Server
// License Request (MS-RDPELE 2.2.2.1) and in SC_SECURITY. Either a proprietary certificate (the
// host has no license-server-issued certificate yet) or an X.509 chain issued by a license server
// (MS-RDPELE 2.2.1.4.2, 3.2.1.3). Decoding never trusts a length.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "licensing/crypto/certificate_summary.hpp"
#include "licensing/crypto/rsa.hpp"
#include "licensing/wire/result.hpp"

namespace rdwarm::crypto {

// dwVersion, MS-RDPBCGR 2.2.1.4.3.1.
inline constexpr std::uint32_t kCertChainVersion1 =
    0x00000001;  // CERT_CHAIN_VERSION_1, proprietary
inline constexpr std::uint32_t kCertChainVersion2 = 0x00000002;     // CERT_CHAIN_VERSION_2, X.509
inline constexpr std::uint32_t kCertChainVersionMask = 0x7FFFFFFF;  // certChainVersion, bits 0-30
inline constexpr std::uint32_t kCertTemporaryBit = 0x80000000;      // t, bit 31

// NumCertBlobs bounds, MS-RDPELE 2.2.1.4.2.
inline constexpr std::uint32_t kMinCertBlobs = 2;
inline constexpr std::uint32_t kMaxCertBlobs = 200;

// Proprietary certificate fields, MS-RDPBCGR 2.2.1.4.3.1.1 and 2.2.1.4.3.1.1.1.
inline constexpr std::uint32_t kSignatureAlgRsa = 0x00000001;    // SIGNATURE_ALG_RSA
inline constexpr std::uint32_t kKeyExchangeAlgRsa = 0x00000001;  // KEY_EXCHANGE_ALG_RSA
inline constexpr std::uint16_t kBbRsaKeyBlob = 0x0006;           // BB_RSA_KEY_BLOB
inline constexpr std::uint16_t kBbRsaSignatureBlob = 0x0008;     // BB_RSA_SIGNATURE_BLOB
inline constexpr std::uint32_t kRsaPublicKeyMagic = 0x31415352;  // "RSA1"
inline constexpr std::size_t kRsaPublicKeyHeaderSize = 20;       // magic..pubExp
inline constexpr std::size_t kRsaModulusPaddingSize = 8;         // keylen = modulus bytes + 8

enum class CertificateKind { Proprietary, X509Chain };

std::string_view to_string(CertificateKind kind);

struct ServerCertificate {
  CertificateKind kind = CertificateKind::Proprietary;
  // dwVersion bit 31. Reported, never interpreted: the spec calls it "temporary", Microsoft's own
  // license-server-issued sample sets it, and implementations read it in opposite ways.
  bool temporary_bit = false;
  // The key licensing encrypts the premaster secret with (MS-RDPELE 5.1.1.1): the proprietary key,
  // or the key of the last certificate of the chain (the session host's).
  RsaPublicKey key;
  std::vector<CertificateSummary> chain;            // X.509 only: root first, session host last
  std::vector<std::uint8_t> proprietary_signature;  // proprietary only: SignatureBlob
};

Result<ServerCertificate> decode_server_certificate(std::span<const std::uint8_t> data);

// dwVersion 2 (with t when `temporary`), NumCertBlobs, the blobs, and the 8 + 4 * NumCertBlobs
// zero bytes of padding that Windows sends.
std::vector<std::uint8_t> encode_x509_chain_certificate(
    const std::vector<std::vector<std::uint8_t>>& ders, bool temporary);

// A proprietary certificate for `key` (modulusLen bytes; keylen = modulusLen + 8) with the given
// signature (normally 64 bytes + 8 zero bytes, MS-RDPBCGR 5.3.3.1).
std::vector<std::uint8_t> encode_proprietary_certificate(const RsaPublicKey& key,
                                                         std::span<const std::uint8_t> signature,
                                                         bool temporary = false);

}  // namespace rdwarm::crypto
