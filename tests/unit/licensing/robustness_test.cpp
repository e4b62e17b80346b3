// Hostile and broken input: every failure is an Error naming the PDU and the field, never a crash
// and never a huge allocation.
#include <gtest/gtest.h>

#include <cstdio>
#include <initializer_list>
#include <string>
#include <vector>

#include "licensing/wire/hex.hpp"
#include "licensing/wire/licensing_pdu.hpp"
#include "licensing_vectors.hpp"

namespace rdwarm::wire::lic {
namespace {

using testing::load_vector;
using testing::with_security_header;

std::vector<std::vector<std::uint8_t>> all_pdus() {
  return {
      with_security_header(load_vector("ms-rdpele-4.1-server-license-request.hex")),
      with_security_header(load_vector("ms-rdpele-4.2-client-new-license-request.hex")),
      with_security_header(load_vector("ms-rdpele-4.3-server-platform-challenge.hex")),
      with_security_header(load_vector("ms-rdpele-4-client-platform-challenge-response.hex")),
      load_vector("ms-rdpele-4-server-new-license.hex"),
      load_vector("ms-rdpbcgr-4.1.12-valid-client.hex"),
      load_vector("xrdp-0.9-license-request.hex"),
      load_vector("xrdp-0.9-valid-client.hex"),
      load_vector("xrdp-0.9-valid-client-v3.hex"),
  };
}

TEST(Robustness, EveryPrefixOfEveryPduIsAnError) {
  for (const auto& pdu : all_pdus()) {
    ASSERT_FALSE(pdu.empty());
    ASSERT_TRUE(LicensingPdu::decode(pdu).ok());
    for (std::size_t n = 0; n < pdu.size(); ++n) {
      auto r = LicensingPdu::decode(std::span(pdu).first(n));
      ASSERT_FALSE(r.ok()) << "prefix " << n << " of " << pdu.size() << " decoded";
      EXPECT_FALSE(r.error().where.empty());
      EXPECT_FALSE(r.error().field.empty()) << r.error().message();
    }
  }
}

TEST(Robustness, EveryPrefixOfThePlaintextsIsAnError) {
  const auto data = load_vector("ms-rdpele-4-platform-challenge-response-data.hex");
  const auto hwid = load_vector("ms-rdpele-4-client-hardware-id.hex");
  const auto info = load_vector("ms-rdpele-4-new-license-info.hex");
  for (std::size_t n = 0; n < data.size(); ++n) {
    EXPECT_FALSE(PlatformChallengeResponseData::decode(std::span(data).first(n)).ok()) << n;
  }
  for (std::size_t n = 0; n < hwid.size(); ++n) {
    EXPECT_FALSE(ClientHardwareId::decode(std::span(hwid).first(n)).ok()) << n;
  }
  for (std::size_t n = 0; n < info.size(); ++n) {
    EXPECT_FALSE(NewLicenseInfo::decode(std::span(info).first(n)).ok()) << n;
  }
}

// Every single-byte change of every vector decodes to something or to an Error; nothing crashes
// (the sanitizer build checks the memory side).
TEST(Robustness, ByteMutationsNeverCrash) {
  for (const auto& pdu : all_pdus()) {
    auto copy = pdu;
    for (std::size_t i = 0; i < copy.size(); ++i) {
      for (const std::uint8_t v : std::initializer_list<std::uint8_t>{0x00, 0x7F, 0xFF}) {
        const std::uint8_t saved = copy[i];
        copy[i] = v;
        auto r = LicensingPdu::decode(copy);
        if (r.ok()) (void)encode_to_vector(*r);
        copy[i] = saved;
      }
    }
  }
}

TEST(Robustness, UnknownMsgTypeIsNamed) {
  auto wire = load_vector("ms-rdpbcgr-4.1.12-valid-client.hex");
  ASSERT_EQ(wire.size(), 20u);
  for (const std::uint8_t type :
       std::initializer_list<std::uint8_t>{0x00, 0x05, 0x11, 0x14, 0x42, 0xFE}) {
    wire[4] = type;
    auto r = LicensingPdu::decode(wire);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().where, "Licensing PDU");
    EXPECT_EQ(r.error().field, "bMsgType");
    char hex[8];
    std::snprintf(hex, sizeof hex, "0x%02X", type);
    EXPECT_NE(r.error().what.find(hex), std::string::npos) << r.error().message();
  }
}

// A message given the wrong bMsgType fails inside the message it claims to be.
TEST(Robustness, MessageUnderTheWrongTypeFailsNamingTheField) {
  auto wire = load_vector("ms-rdpbcgr-4.1.12-valid-client.hex");
  wire[4] = LICENSE_REQUEST;  // 12 bytes cannot hold a ServerRandom
  auto r = LicensingPdu::decode(wire);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().where, "SERVER_LICENSE_REQUEST");
  EXPECT_EQ(r.error().field, "ServerRandom");
}

TEST(Robustness, MissingLicensePacketFlag) {
  auto wire = load_vector("ms-rdpbcgr-4.1.12-valid-client.hex");
  wire[0] = 0x00;
  auto r = LicensingPdu::decode(wire);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "flags");
  EXPECT_NE(r.error().what.find("SEC_LICENSE_PKT"), std::string::npos);

  // A Set Error Info PDU (Share Control, no security header) is not a licensing PDU.
  auto set_error_info =
      from_hex("16 00 17 00 ea 03 ea 03 01 00 00 01 08 00 2f 00 00 00 01 01 00 00");
  ASSERT_TRUE(set_error_info.ok());
  EXPECT_FALSE(LicensingPdu::decode(*set_error_info).ok());
}

TEST(Robustness, OtherSecurityFlagsAndFlagsHiAreIgnored) {
  auto wire = load_vector("ms-rdpbcgr-4.1.12-valid-client.hex");
  wire[0] = 0x80 | 0x08 | 0x01;  // SEC_LICENSE_PKT | SEC_ENCRYPT | SEC_EXCHANGE_PKT
  wire[1] = 0xFE;
  wire[2] = 0xAB;
  wire[3] = 0xCD;
  EXPECT_TRUE(LicensingPdu::decode(wire).ok());
}

TEST(Robustness, BlobLengthBeyondTheData) {
  auto wire = with_security_header(load_vector("ms-rdpele-4.3-server-platform-challenge.hex"));
  // wBlobLen of EncryptedPlatformChallenge at offset 4 (sec) + 4 (preamble) + 4 (ConnectFlags) + 2.
  wire[14] = 0xFF;
  wire[15] = 0xFF;
  auto r = LicensingPdu::decode(wire);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().where, "SERVER_PLATFORM_CHALLENGE");
  EXPECT_EQ(r.error().field, "EncryptedPlatformChallenge.blobData");
  EXPECT_NE(r.error().what.find("needs 65535 bytes"), std::string::npos) << r.error().message();

  // The MAC missing after a blob that swallowed it.
  wire[14] = 0x1A;  // 10 + 16
  wire[15] = 0x00;
  r = LicensingPdu::decode(wire);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "MACData");
}

// Offsets in the 4.1 example (message body, after the preamble).
constexpr std::size_t kCbCompanyName = 32 + 4;
constexpr std::size_t kScopeCount = 2200 - 4 - 4 - 4 - 14;

void put_u32(std::vector<std::uint8_t>& v, std::size_t at, std::uint32_t x) {
  for (std::size_t i = 0; i < 4; ++i) v[at + i] = static_cast<std::uint8_t>(x >> (8 * i));
}

TEST(Robustness, AbsurdScopeCount) {
  auto body = load_vector("ms-rdpele-4.1-server-license-request.hex");
  body.erase(body.begin(), body.begin() + 4);
  ASSERT_EQ(body[kScopeCount], 1);
  for (const std::uint32_t count : {0xFFFFFFFFu, 0x10000000u, kMaxScopeCount + 1}) {
    put_u32(body, kScopeCount, count);
    auto r = LicenseRequest::decode(body);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().where, "SERVER_LICENSE_REQUEST");
    EXPECT_EQ(r.error().field, "ScopeList.ScopeCount");
  }
  // Within the limit but more than the data holds: the missing scope is named.
  put_u32(body, kScopeCount, 2);
  auto r = LicenseRequest::decode(body);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "ScopeList.Scope[1].wBlobType");
}

TEST(Robustness, AbsurdStringLengths) {
  auto body = load_vector("ms-rdpele-4.1-server-license-request.hex");
  body.erase(body.begin(), body.begin() + 4);
  ASSERT_EQ(body[kCbCompanyName], 0x2C);
  put_u32(body, kCbCompanyName, 0xFFFFFFF0u);
  auto r = LicenseRequest::decode(body);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "ProductInfo.pbCompanyName");
  EXPECT_NE(r.error().what.find("needs 4294967280 bytes"), std::string::npos);

  auto info = load_vector("ms-rdpele-4-new-license-info.hex");
  put_u32(info, info.size() - 0x0799 - 4, 0x7FFFFFFFu);  // cbLicenseInfo
  auto i = NewLicenseInfo::decode(info);
  ASSERT_FALSE(i.ok());
  EXPECT_EQ(i.error().where, "NEW_LICENSE_INFO");
  EXPECT_EQ(i.error().field, "pbLicenseInfo");
}

TEST(Robustness, CertificateBlobBeyondTheData) {
  auto body = load_vector("ms-rdpele-4.1-server-license-request.hex");
  body.erase(body.begin(), body.begin() + 4);
  // ServerCertificate wBlobLen follows ServerRandom, ProductInfo (64) and KeyExchangeList (8).
  const std::size_t at = 32 + 64 + 8 + 2;
  ASSERT_EQ(body[at] | (body[at + 1] << 8), 0x0812);
  body[at + 1] = 0x10;  // 0x1012
  auto r = LicenseRequest::decode(body);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "ServerCertificate.blobData");
}

TEST(Robustness, UpgradeLicenseErrorsNameTheUpgrade) {
  auto wire = load_vector("ms-rdpele-4-server-new-license.hex");
  wire[4] = UPGRADE_LICENSE;
  auto r = LicensingPdu::decode(std::span(wire).first(20));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().where, "SERVER_UPGRADE_LICENSE");
  EXPECT_EQ(r.error().field, "EncryptedLicenseInfo.blobData");
}

}  // namespace
}  // namespace rdwarm::wire::lic
