// The specification's own annotated licensing examples: decode, check fields, re-encode exactly.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "licensing/wire/hex.hpp"
#include "licensing/wire/licensing_pdu.hpp"
#include "licensing_vectors.hpp"

namespace rdwarm::wire::lic {
namespace {

using testing::load_vector;
using testing::with_security_header;

LicensingPdu decode_ok(const std::vector<std::uint8_t>& bytes) {
  auto pdu = LicensingPdu::decode(bytes);
  EXPECT_TRUE(pdu.ok()) << (pdu.ok() ? "" : pdu.error().message());
  return pdu.ok() ? std::move(pdu).value() : LicensingPdu{};
}

// [MS-RDPELE] 4.1: Windows' license request with the two-certificate X.509 chain.
TEST(SpecExamples, ServerLicenseRequest41) {
  const auto spec = load_vector("ms-rdpele-4.1-server-license-request.hex");
  ASSERT_EQ(spec.size(), 2200u);
  const auto wire = with_security_header(spec);
  const LicensingPdu pdu = decode_ok(wire);

  EXPECT_EQ(pdu.security.flags, SEC_LICENSE_PKT);
  EXPECT_EQ(pdu.preamble.msg_type, LICENSE_REQUEST);
  EXPECT_EQ(pdu.preamble.version(), PREAMBLE_VERSION_3_0);
  EXPECT_FALSE(pdu.preamble.extended_error_msg_supported());
  EXPECT_EQ(pdu.preamble.msg_size, 2200);  // preamble + message, no security header

  ASSERT_TRUE(std::holds_alternative<LicenseRequest>(pdu.message));
  const auto& req = std::get<LicenseRequest>(pdu.message);
  EXPECT_EQ(to_hex(req.server_random),
            "84efae20b1d59e36491ae82e0a9989ac49a6474f339b5ab99503a6c6c23c3f61");
  EXPECT_EQ(req.product_info.version, 0x00060000u);
  EXPECT_EQ(req.product_info.company_name, "Microsoft Corporation");
  EXPECT_EQ(req.product_info.product_id, "A02");
  EXPECT_EQ(req.key_exchange_list.type, BB_KEY_EXCHG_ALG_BLOB);
  EXPECT_EQ(req.key_exchange_algorithms(), std::vector<std::uint32_t>{KEY_EXCHANGE_ALG_RSA});
  EXPECT_EQ(req.server_certificate.type, BB_CERTIFICATE_BLOB);
  ASSERT_EQ(req.server_certificate.data.size(), 0x0812u);
  // SERVER_CERTIFICATE.dwVersion = 0x80000002 (X.509 chain, t bit set), NumCertBlobs 2, cbCert 757.
  EXPECT_EQ(to_hex(std::span(req.server_certificate.data).first(12)), "0200008002000000f5020000");
  EXPECT_EQ(req.scopes, std::vector<std::string>{"microsoft.com"});

  EXPECT_EQ(encode_to_vector(pdu), wire);
  EXPECT_EQ(pdu.size(), wire.size());

  // The body alone, as the spec prints it after the preamble.
  auto body = LicenseRequest::decode(std::span(spec).subspan(Preamble::kSize));
  ASSERT_TRUE(body.ok()) << body.error().message();
  EXPECT_EQ(*body, req);
}

// [MS-RDPELE] 4.2: the client's new license request ("Administrator" on "RODENT").
TEST(SpecExamples, ClientNewLicenseRequest42) {
  const auto spec = load_vector("ms-rdpele-4.2-client-new-license-request.hex");
  ASSERT_EQ(spec.size(), 341u);
  const auto wire = with_security_header(spec);
  const LicensingPdu pdu = decode_ok(wire);

  EXPECT_EQ(pdu.preamble.msg_type, NEW_LICENSE_REQUEST);
  EXPECT_EQ(pdu.preamble.flags, PREAMBLE_VERSION_3_0 | EXTENDED_ERROR_MSG_SUPPORTED);
  EXPECT_EQ(pdu.preamble.msg_size, 341);
  ASSERT_TRUE(std::holds_alternative<NewLicenseRequest>(pdu.message));
  const auto& req = std::get<NewLicenseRequest>(pdu.message);
  EXPECT_EQ(req.preferred_key_exchange_alg, KEY_EXCHANGE_ALG_RSA);
  EXPECT_EQ(req.platform_id, CLIENT_OS_ID_WINNT_POST_52 | CLIENT_IMAGE_ID_MICROSOFT);
  EXPECT_EQ(to_hex(req.client_random),
            "dc73a0c869256b18af0b947aa9a520af8bbc0dcca395b7b9eb815dbe0a109cd8");
  EXPECT_EQ(req.encrypted_premaster_secret.type, BB_RANDOM_BLOB);
  ASSERT_EQ(req.encrypted_premaster_secret.data.size(), 264u);  // 2048-bit modulus + 8 zeros
  EXPECT_EQ(to_hex(std::span(req.encrypted_premaster_secret.data).first(4)), "da9c5da6");
  EXPECT_EQ(to_hex(std::span(req.encrypted_premaster_secret.data).last(8)), "0000000000000000");
  EXPECT_EQ(req.client_user_name, "Administrator");
  EXPECT_EQ(req.client_machine_name, "RODENT");

  EXPECT_EQ(encode_to_vector(pdu), wire);
}

// [MS-RDPELE] 4.3: the platform challenge. ConnectFlags 0xFFFFFFFF and wBlobType 0xF750 are the
// unspecified values Windows sends; they must survive decoding and re-encoding.
TEST(SpecExamples, ServerPlatformChallenge43) {
  const auto spec = load_vector("ms-rdpele-4.3-server-platform-challenge.hex");
  ASSERT_EQ(spec.size(), 38u);
  const auto wire = with_security_header(spec);
  const LicensingPdu pdu = decode_ok(wire);

  EXPECT_EQ(pdu.preamble.msg_type, PLATFORM_CHALLENGE);
  ASSERT_TRUE(std::holds_alternative<PlatformChallenge>(pdu.message));
  const auto& ch = std::get<PlatformChallenge>(pdu.message);
  EXPECT_EQ(ch.connect_flags, 0xFFFFFFFFu);
  EXPECT_EQ(ch.encrypted_platform_challenge.type, 0xF750);
  EXPECT_EQ(to_hex(ch.encrypted_platform_challenge.data), "463785548ec59134975d");
  EXPECT_EQ(to_hex(ch.mac_data), "7894ad3b81da8818560f3ad1f103ef35");

  EXPECT_EQ(encode_to_vector(pdu), wire);
}

// [MS-RDPELE] section 4 (4.4/4.5): the platform challenge response, and its two plaintexts.
TEST(SpecExamples, ClientPlatformChallengeResponse) {
  const auto spec = load_vector("ms-rdpele-4-client-platform-challenge-response.hex");
  ASSERT_EQ(spec.size(), 66u);
  const auto wire = with_security_header(spec);
  const LicensingPdu pdu = decode_ok(wire);

  EXPECT_EQ(pdu.preamble.msg_type, PLATFORM_CHALLENGE_RESPONSE);
  EXPECT_EQ(pdu.preamble.flags, 0x83);
  EXPECT_EQ(pdu.preamble.msg_size, 66);
  ASSERT_TRUE(std::holds_alternative<PlatformChallengeResponse>(pdu.message));
  const auto& resp = std::get<PlatformChallengeResponse>(pdu.message);
  EXPECT_EQ(resp.encrypted_challenge_response.type, BB_DATA_BLOB);  // not 0x0009: <13>
  EXPECT_EQ(to_hex(resp.encrypted_challenge_response.data), "fab4e824cf56b24e8002bdb661fcdfe96c44");
  EXPECT_EQ(to_hex(resp.encrypted_hwid.data), "f8b5e8253d0f3f701dda601916fe731a457e0271");
  EXPECT_EQ(to_hex(resp.mac_data), "3823625d108b93c3f1e4671f4ab6000a");

  EXPECT_EQ(encode_to_vector(pdu), wire);

  // The plaintexts are exactly as long as the ciphertexts (RC4 is a stream cipher).
  const auto data_bytes = load_vector("ms-rdpele-4-platform-challenge-response-data.hex");
  EXPECT_EQ(data_bytes.size(), resp.encrypted_challenge_response.data.size());
  auto data = PlatformChallengeResponseData::decode(data_bytes);
  ASSERT_TRUE(data.ok()) << data.error().message();
  EXPECT_EQ(data->version, PLATFORM_CHALLENGE_RESPONSE_VERSION);
  EXPECT_EQ(data->client_type, WIN32_PLATFORMCHALLENGE_TYPE);
  EXPECT_EQ(data->license_detail_level, LICENSE_DETAIL_DETAIL);
  EXPECT_EQ(to_hex(data->challenge), "54004500530054000000");  // "TEST\0" in UTF-16LE
  EXPECT_EQ(encode_to_vector(*data), data_bytes);

  const auto hwid_bytes = load_vector("ms-rdpele-4-client-hardware-id.hex");
  EXPECT_EQ(hwid_bytes.size(), resp.encrypted_hwid.data.size());
  auto hwid = ClientHardwareId::decode(hwid_bytes);
  ASSERT_TRUE(hwid.ok()) << hwid.error().message();
  EXPECT_EQ(hwid->platform_id, 2u);
  EXPECT_EQ(hwid->data1, 0x3e8759f1u);
  EXPECT_EQ(hwid->data2, 0xaf98d8c9u);
  EXPECT_EQ(hwid->data3, 0xf3f80224u);
  EXPECT_EQ(hwid->data4, 0x26f03a29u);
  EXPECT_EQ(encode_to_vector(*hwid), hwid_bytes);
}

// The new-license example and its decrypted NEW_LICENSE_INFO.
TEST(SpecExamples, ServerNewLicenseAndLicenseInfo) {
  const auto wire = load_vector("ms-rdpele-4-server-new-license.hex");
  ASSERT_EQ(wire.size(), 2059u);
  const LicensingPdu pdu = decode_ok(wire);

  EXPECT_EQ(pdu.preamble.msg_type, NEW_LICENSE);
  EXPECT_EQ(pdu.preamble.msg_size, 2055);
  ASSERT_TRUE(std::holds_alternative<NewLicense>(pdu.message));
  const auto& lic = std::get<NewLicense>(pdu.message);
  EXPECT_FALSE(lic.upgrade);
  EXPECT_EQ(lic.encrypted_license_info.type, BB_ENCRYPTED_DATA_BLOB);
  EXPECT_EQ(lic.encrypted_license_info.data.size(), 0x07EFu);
  EXPECT_EQ(to_hex(lic.mac_data), "ede8bfd613a0f5804ae5ff8516facb1f");
  EXPECT_EQ(encode_to_vector(pdu), wire);

  const auto info_bytes = load_vector("ms-rdpele-4-new-license-info.hex");
  EXPECT_EQ(info_bytes.size(), lic.encrypted_license_info.data.size());
  auto info = NewLicenseInfo::decode(info_bytes);
  ASSERT_TRUE(info.ok()) << info.error().message();
  EXPECT_EQ(info->version, 0x00060000u);
  EXPECT_EQ(info->scope, "microsoft.com");
  EXPECT_EQ(info->company_name, "Microsoft Corporation");
  EXPECT_EQ(info->product_id, "A02");
  ASSERT_EQ(info->license_info.size(), 0x0799u);
  EXPECT_EQ(to_hex(std::span(info->license_info).first(4)), "30820795");  // DER SEQUENCE
  EXPECT_EQ(encode_to_vector(*info), info_bytes);
}

// The same body with bMsgType UPGRADE_LICENSE (derived: one byte changed).
TEST(SpecExamples, UpgradeLicenseSharesTheLayout) {
  auto wire = load_vector("ms-rdpele-4-server-new-license.hex");
  ASSERT_GT(wire.size(), 4u);
  wire[4] = UPGRADE_LICENSE;
  const LicensingPdu pdu = decode_ok(wire);
  ASSERT_TRUE(std::holds_alternative<NewLicense>(pdu.message));
  EXPECT_TRUE(std::get<NewLicense>(pdu.message).upgrade);
  EXPECT_EQ(pdu.msg_type(), UPGRADE_LICENSE);
  EXPECT_EQ(encode_to_vector(pdu), wire);
}

// [MS-RDPBCGR] 4.1.12: Server License Error PDU - Valid Client.
TEST(SpecExamples, ValidClient4112) {
  const auto wire = load_vector("ms-rdpbcgr-4.1.12-valid-client.hex");
  ASSERT_EQ(to_hex(wire), "80000000ff031000070000000200000004000000");
  const LicensingPdu pdu = decode_ok(wire);

  EXPECT_EQ(pdu.preamble.msg_type, ERROR_ALERT);
  EXPECT_EQ(pdu.preamble.msg_size, 16);
  ASSERT_TRUE(std::holds_alternative<LicenseErrorMessage>(pdu.message));
  const auto& err = std::get<LicenseErrorMessage>(pdu.message);
  EXPECT_TRUE(err.is_valid_client());
  EXPECT_EQ(err.error_code, STATUS_VALID_CLIENT);
  EXPECT_EQ(err.state_transition, ST_NO_TRANSITION);
  EXPECT_EQ(err.error_info.type, BB_ERROR_BLOB);
  EXPECT_TRUE(err.error_info.data.empty());
  EXPECT_EQ(name_of_error_code(err.error_code), "STATUS_VALID_CLIENT");
  EXPECT_EQ(name_of_state_transition(err.state_transition), "ST_NO_TRANSITION");

  EXPECT_EQ(encode_to_vector(pdu), wire);
  // What the lab sends is the same PDU built from defaults.
  LicensingPdu built;
  built.message = LicenseErrorMessage::valid_client();
  EXPECT_EQ(encode_to_vector(built), wire);
}

}  // namespace
}  // namespace rdwarm::wire::lic
