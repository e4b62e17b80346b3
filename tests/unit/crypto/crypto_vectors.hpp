// Test vectors for the crypto unit tests: loading the spec samples from tests/data/crypto and
// pulling the fields the tests need out of them.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "licensing/wire/hex.hpp"
#include "licensing/wire/reader.hpp"

namespace rdwarm::crypto::testing {

using ByteVector = std::vector<std::uint8_t>;

inline ByteVector hex(std::string_view text) {
  auto r = wire::from_hex(text);
  EXPECT_TRUE(r.ok()) << r.error().message();
  return r.ok() ? std::move(r).value() : ByteVector{};
}

inline ByteVector load_hex(const std::string& name) {
  std::ifstream in(std::string(RDWARM_TEST_DATA_DIR) + "/crypto/" + name);
  EXPECT_TRUE(in.good()) << "cannot open " << name;
  std::stringstream ss;
  ss << in.rdbuf();
  return hex(ss.str());
}

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
  const ByteVector pdu = load_hex("server_license_request.hex");
  wire::Reader r(pdu, "SERVER_LICENSE_REQUEST");
  r.skip(4, "preamble");
  LicenseRequestParts parts;
  const auto random = r.bytes(32, "ServerRandom");
  parts.server_random.assign(random.begin(), random.end());
  r.skip(4, "ProductInfo.dwVersion");
  r.skip(r.u32le("cbCompanyName"), "pbCompanyName");
  r.skip(r.u32le("cbProductId"), "pbProductId");
  r.skip(2, "KeyExchangeList.wBlobType");
  r.skip(r.u16le("KeyExchangeList.wBlobLen"), "KeyExchangeList");
  EXPECT_EQ(r.u16le("ServerCertificate.wBlobType"), 0x0003);  // BB_CERTIFICATE_BLOB
  const auto cert = r.bytes(r.u16le("ServerCertificate.wBlobLen"), "ServerCertificate");
  parts.server_certificate.assign(cert.begin(), cert.end());
  EXPECT_TRUE(r.ok()) << r.error().message();
  return parts;
}

// "TEST\0" in UTF-16LE: the platform challenge of the [MS-RDPELE] samples.
inline const ByteVector kTestChallengeUtf16 = {0x54, 0x00, 0x45, 0x00, 0x53,
                                               0x00, 0x54, 0x00, 0x00, 0x00};

}  // namespace rdwarm::crypto::testing
