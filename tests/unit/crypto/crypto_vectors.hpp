// Test vectors for the crypto unit tests: loading the spec samples from tests/data/crypto and
// pulling the fields the tests need out of them.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "licensing/wire/licensing_license_request.hpp"
#include "tests/support/vectors.hpp"

namespace rdwarm::crypto::testing {

using ByteVector = std::vector<std::uint8_t>;

inline ByteVector hex(std::string_view text) {
  return rdwarm::testing::hex(std::string(text));
}

// Vectors shared with the licensing codec tests live in tests/data/rdpele; the proprietary
// certificate of [MS-RDPBCGR] 4.1.4 in tests/data/crypto.
inline ByteVector load_hex(const std::string& relative_path) {
  return rdwarm::testing::load_hex_vector(relative_path);
}
inline constexpr const char* kServerLicenseRequest =
    "rdpele/ms-rdpele-4.1-server-license-request.hex";
inline constexpr const char* kClientNewLicenseRequest =
    "rdpele/ms-rdpele-4.2-client-new-license-request.hex";
inline constexpr const char* kProprietaryCertificate = "crypto/proprietary_certificate.hex";

inline ByteVector slice(const ByteVector& v, std::size_t offset, std::size_t n) {
  return ByteVector(v.begin() + static_cast<std::ptrdiff_t>(offset),
                    v.begin() + static_cast<std::ptrdiff_t>(offset + n));
}

// The parts of the [MS-RDPELE] 4.1 Server License Request (LICENSE_PREAMBLE +
// SERVER_LICENSE_REQUEST, 2.2.2.1) that the crypto layer consumes: ServerRandom and the
// ServerCertificate blob data.
struct LicenseRequestParts {
  ByteVector server_random;
  ByteVector server_certificate;
};

inline LicenseRequestParts server_license_request_parts() {
  const ByteVector pdu = load_hex(kServerLicenseRequest);  // preamble (4 bytes), then the message
  auto request = wire::lic::LicenseRequest::decode(wire::Bytes(pdu).subspan(4));
  EXPECT_TRUE(request.ok()) << request.error().message();
  if (!request) return {};
  EXPECT_EQ(request->server_certificate.type, wire::lic::BB_CERTIFICATE_BLOB);
  return {ByteVector(request->server_random.begin(), request->server_random.end()),
          request->server_certificate.data};
}

// "TEST\0" in UTF-16LE: the platform challenge of the [MS-RDPELE] samples.
inline const ByteVector kTestChallengeUtf16 = {0x54, 0x00, 0x45, 0x00, 0x53,
                                               0x00, 0x54, 0x00, 0x00, 0x00};

}  // namespace rdwarm::crypto::testing
