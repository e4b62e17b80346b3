// What real servers send, quirks included: xrdp 0.9 (preamble version 2, junk flagsHi,
// proprietary certificate, junk wBlobType on an empty blob).
#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <vector>

#include "licensing/wire/hex.hpp"
#include "licensing/wire/licensing_pdu.hpp"
#include "licensing_vectors.hpp"

namespace rdwarm::wire::lic {
namespace {

using testing::load_vector;

TEST(RealPeers, Xrdp09LicenseRequest) {
  const auto wire = load_vector("xrdp-0.9-license-request.hex");
  ASSERT_EQ(wire.size(), 322u);
  auto pdu = LicensingPdu::decode(wire);
  ASSERT_TRUE(pdu.ok()) << pdu.error().message();

  EXPECT_EQ(pdu->security.flags, SEC_LICENSE_PKT);
  EXPECT_EQ(pdu->security.flags_hi, 0x013E);  // "unused (arbitrary data)"
  EXPECT_EQ(pdu->preamble.version(), PREAMBLE_VERSION_2_0);
  EXPECT_EQ(pdu->preamble.msg_size, 318);
  ASSERT_TRUE(std::holds_alternative<LicenseRequest>(pdu->message));
  const auto& req = std::get<LicenseRequest>(pdu->message);
  EXPECT_EQ(req.product_info.version, 0x00040000u);
  EXPECT_EQ(req.product_info.company_name, "Microsoft Corporation");
  EXPECT_EQ(req.product_info.product_id, "236");
  EXPECT_EQ(req.key_exchange_algorithms(), std::vector<std::uint32_t>{KEY_EXCHANGE_ALG_RSA});
  EXPECT_EQ(req.server_certificate.type, BB_CERTIFICATE_BLOB);
  ASSERT_EQ(req.server_certificate.data.size(), 184u);
  // dwVersion 1 = CERT_CHAIN_VERSION_1 (proprietary), then dwSigAlgId 1, dwKeyAlgId 1.
  EXPECT_EQ(to_hex(std::span(req.server_certificate.data).first(12)), "010000000100000001000000");
  EXPECT_EQ(req.scopes, std::vector<std::string>{"microsoft.com"});

  // Security header and preamble flags are kept, wMsgSize is right: the PDU re-encodes exactly.
  EXPECT_EQ(encode_to_vector(*pdu), wire);
}

TEST(RealPeers, Xrdp09ValidClientWithJunkBlobType) {
  const auto wire = load_vector("xrdp-0.9-valid-client.hex");
  ASSERT_EQ(to_hex(wire), "80001000ff021000070000000200000028140000");
  auto pdu = LicensingPdu::decode(wire);
  ASSERT_TRUE(pdu.ok()) << pdu.error().message();

  EXPECT_EQ(pdu->security.flags_hi, 0x0010);
  EXPECT_EQ(pdu->preamble.version(), PREAMBLE_VERSION_2_0);
  ASSERT_TRUE(std::holds_alternative<LicenseErrorMessage>(pdu->message));
  const auto& err = std::get<LicenseErrorMessage>(pdu->message);
  EXPECT_TRUE(err.is_valid_client());
  EXPECT_EQ(err.state_transition, ST_NO_TRANSITION);
  EXPECT_EQ(err.error_info.type, 0x1428);  // should be BB_ERROR_BLOB; ignored as length is 0
  EXPECT_TRUE(err.error_info.data.empty());
  EXPECT_EQ(encode_to_vector(*pdu), wire);
}

// Media Center variant (and xrdp 0.10's only licensing message): SEC_LICENSE_ENCRYPT_CS is set too.
TEST(RealPeers, Xrdp09ValidClientWithLicenseEncryptFlag) {
  const auto wire = load_vector("xrdp-0.9-valid-client-v3.hex");
  ASSERT_EQ(wire.size(), 20u);
  auto pdu = LicensingPdu::decode(wire);
  ASSERT_TRUE(pdu.ok()) << pdu.error().message();
  EXPECT_EQ(pdu->security.flags, SEC_LICENSE_PKT | SEC_LICENSE_ENCRYPT);
  ASSERT_TRUE(std::holds_alternative<LicenseErrorMessage>(pdu->message));
  EXPECT_TRUE(std::get<LicenseErrorMessage>(pdu->message).is_valid_client());
}

// xrdp 0.10 / master: flags SEC_LICENSE_PKT|0x0200, preamble ff 03 10 00, empty BB_ERROR_BLOB
// (bytes from the reference notes, section 5).
TEST(RealPeers, Xrdp010ValidClient) {
  auto wire = from_hex("80 02 00 00 ff 03 10 00 07 00 00 00 02 00 00 00 04 00 00 00");
  ASSERT_TRUE(wire.ok());
  auto pdu = LicensingPdu::decode(*wire);
  ASSERT_TRUE(pdu.ok()) << pdu.error().message();
  EXPECT_TRUE(std::get<LicenseErrorMessage>(pdu->message).is_valid_client());
}

// Windows with no certificate in the license request (wBlobLen 0, type junk): derived from 4.1.
TEST(RealPeers, LicenseRequestWithoutCertificate) {
  auto pdu = LicensingPdu::decode(
      testing::with_security_header(load_vector("ms-rdpele-4.1-server-license-request.hex")));
  ASSERT_TRUE(pdu.ok()) << pdu.error().message();
  auto& req = std::get<LicenseRequest>(pdu->message);
  req.server_certificate = LicenseBinaryBlob{0xBEEF, {}};
  const auto wire = encode_to_vector(*pdu);
  EXPECT_EQ(wire.size(), 4u + 2200u - 0x0812u);
  EXPECT_EQ(wire[6] | (wire[7] << 8), 2200 - 0x0812);  // wMsgSize follows the content

  auto again = LicensingPdu::decode(wire);
  ASSERT_TRUE(again.ok()) << again.error().message();
  const auto& req2 = std::get<LicenseRequest>(again->message);
  EXPECT_TRUE(req2.server_certificate.data.empty());
  EXPECT_EQ(req2.server_certificate.type, 0xBEEF);
  EXPECT_EQ(req2.scopes, std::vector<std::string>{"microsoft.com"});
}

// Servers disagree about wMsgSize (IronRDP's vectors add the security header): never checked.
TEST(RealPeers, WrongMsgSizeIsTolerated) {
  auto wire = load_vector("ms-rdpbcgr-4.1.12-valid-client.hex");
  ASSERT_EQ(wire.size(), 20u);
  for (const std::uint8_t size : std::initializer_list<std::uint8_t>{0x00, 0x14, 0xFF}) {
    wire[6] = size;
    auto pdu = LicensingPdu::decode(wire);
    ASSERT_TRUE(pdu.ok()) << pdu.error().message();
    EXPECT_EQ(pdu->preamble.msg_size, size);
    // Encoding writes the right size again.
    EXPECT_EQ(encode_to_vector(*pdu)[6], 0x10);
  }
}

}  // namespace
}  // namespace rdwarm::wire::lic
