// What rdwarm reports about one X.509 certificate of a licensing chain (the server's
// SERVER_CERTIFICATE or the registry's "X509 Certificate2"), and the RSA key it carries.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "licensing/crypto/rsa.hpp"
#include "licensing/wire/result.hpp"

namespace rdwarm::crypto {

// Prefix of the Microsoft licensing extension OIDs (szOID_PKIX_HYDRA_CERT_VERSION 18.4,
// MANUFACTURER 18.2, LICENSED_PRODUCT_INFO 18.5, MS_LICENSE_SERVER_INFO 18.6; MS-RDPELE 2.2.2.9).
inline constexpr std::string_view kMicrosoftLicensingOidPrefix = "1.3.6.1.4.1.311.18.";

struct CertificateSummary {
  std::string subject;     // RFC 2253, UTF-8 (the names are BMPStrings)
  std::string issuer;      // RFC 2253, UTF-8
  std::string serial_hex;  // serial number, big-endian hex, lower case
  std::string not_before;  // UTC, ISO 8601: 2007-05-26T12:45:53Z
  std::string not_after;
  std::int64_t not_before_unix = 0;  // seconds since 1970-01-01 UTC (negative before)
  std::int64_t not_after_unix = 0;
  std::size_t key_bits = 0;  // 0 when the key is neither readable RSA nor known to OpenSSL
  bool has_microsoft_licensing_extensions = false;
  bool is_ca = false;  // basicConstraints cA
  std::vector<std::uint8_t> der;
};

// Decodes one DER certificate. `where` names it in errors, e.g. "X.509 certificate[1]". The DER
// must fill `der` exactly.
Result<CertificateSummary> summarize_certificate(std::span<const std::uint8_t> der,
                                                 std::string_view where = "X.509 certificate");

// The certificate's RSA public key. Accepts the OIW algorithm 1.3.14.3.2.15 that licensing
// certificates use (OpenSSL's own key decoding refuses it) as well as rsaEncryption.
Result<RsaPublicKey> certificate_rsa_public_key(std::span<const std::uint8_t> der,
                                                std::string_view where = "X.509 certificate");

// Decodes a PKCS#1 RSAPublicKey (SEQUENCE { modulus INTEGER, publicExponent INTEGER }).
Result<RsaPublicKey> decode_pkcs1_rsa_public_key(std::span<const std::uint8_t> der,
                                                 std::string_view where = "RSAPublicKey");

}  // namespace rdwarm::crypto
