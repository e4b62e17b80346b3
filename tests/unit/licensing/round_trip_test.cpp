// Everything the lab (server side) and the probe (client side) build: encode, decode, compare.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "licensing/wire/hex.hpp"
#include "licensing/wire/licensing_pdu.hpp"

namespace rdwarm::wire::lic {
namespace {

std::vector<std::uint8_t> filled(std::size_t n, std::uint8_t seed) {
  std::vector<std::uint8_t> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint8_t>(seed + 7 * i);
  return v;
}

template <std::size_t N>
std::array<std::uint8_t, N> filled_array(std::uint8_t seed) {
  std::array<std::uint8_t, N> a{};
  for (std::size_t i = 0; i < N; ++i) a[i] = static_cast<std::uint8_t>(seed + 3 * i);
  return a;
}

// Encodes as a whole PDU, checks the framing, decodes, and returns the decoded message.
template <class T>
T round_trip(const T& message, std::uint8_t preamble_flags = PREAMBLE_VERSION_3_0) {
  LicensingPdu pdu;
  pdu.preamble.flags = preamble_flags;
  pdu.message = message;
  const auto wire = encode_to_vector(pdu);
  EXPECT_EQ(wire.size(), pdu.size());
  EXPECT_EQ(wire.size(), 8 + message.size());
  EXPECT_EQ(to_hex(std::span(wire).first(4)), "80000000");  // flags SEC_LICENSE_PKT, flagsHi 0
  EXPECT_EQ(wire[4], msg_type_of(pdu.message));
  EXPECT_EQ(wire[5], preamble_flags);
  EXPECT_EQ(static_cast<std::size_t>(wire[6] | (wire[7] << 8)), wire.size() - 4);

  auto decoded = LicensingPdu::decode(wire);
  EXPECT_TRUE(decoded.ok()) << decoded.error().message();
  if (!decoded.ok()) return T{};
  EXPECT_EQ(decoded->preamble.flags, preamble_flags);
  EXPECT_TRUE(std::holds_alternative<T>(decoded->message));
  if (!std::holds_alternative<T>(decoded->message)) return T{};
  // Re-encoding the decoded PDU gives the same bytes.
  EXPECT_EQ(encode_to_vector(*decoded), wire);
  return std::get<T>(decoded->message);
}

// --- sent by a server (the lab) ---

TEST(RoundTrip, LicenseRequestWithCertificateAndScopes) {
  LicenseRequest m;
  m.server_random = filled_array<RANDOM_SIZE>(1);
  m.product_info = {0x00060000, "Microsoft Corporation", "A02"};
  m.server_certificate = {BB_CERTIFICATE_BLOB, filled(1500, 9)};
  m.scopes = {"microsoft.com", "", "lab.example"};
  EXPECT_EQ(round_trip(m), m);
}

TEST(RoundTrip, LicenseRequestDefaultsAndEmptyCertificate) {
  LicenseRequest m;  // proprietary-less, empty certificate as a host without one may send
  const auto back = round_trip(m);
  EXPECT_EQ(back, m);
  EXPECT_TRUE(back.server_certificate.data.empty());
  EXPECT_EQ(back.key_exchange_algorithms(), std::vector<std::uint32_t>{KEY_EXCHANGE_ALG_RSA});
}

TEST(RoundTrip, LicenseRequestNonAsciiNames) {
  LicenseRequest m;
  m.product_info.company_name = "Société Générale \xF0\x9F\x98\x80";  // BMP and a surrogate pair
  m.scopes.clear();
  EXPECT_EQ(round_trip(m), m);
}

TEST(RoundTrip, PlatformChallenge) {
  PlatformChallenge m;
  m.connect_flags = 0xDEADBEEF;
  m.encrypted_platform_challenge = {BB_ENCRYPTED_DATA_BLOB, filled(10, 3)};
  m.mac_data = filled_array<MAC_SIZE>(5);
  EXPECT_EQ(round_trip(m), m);
}

TEST(RoundTrip, NewAndUpgradeLicense) {
  NewLicense m;
  m.encrypted_license_info = {BB_ENCRYPTED_DATA_BLOB, filled(2000, 4)};
  m.mac_data = filled_array<MAC_SIZE>(2);
  EXPECT_EQ(round_trip(m), m);
  m.upgrade = true;
  EXPECT_EQ(round_trip(m), m);
}

TEST(RoundTrip, ServerErrors) {
  EXPECT_EQ(round_trip(LicenseErrorMessage::valid_client()), LicenseErrorMessage::valid_client());
  const LicenseErrorMessage no_server{ERR_NO_LICENSE_SERVER, ST_TOTAL_ABORT, {BB_ERROR_BLOB, {}}};
  EXPECT_EQ(round_trip(no_server), no_server);
  const LicenseErrorMessage invalid_client{
      ERR_INVALID_CLIENT, ST_TOTAL_ABORT, {BB_ERROR_BLOB, filled(6, 1)}};
  EXPECT_EQ(round_trip(invalid_client), invalid_client);
}

TEST(RoundTrip, NewLicenseInfoPlaintext) {
  NewLicenseInfo m;
  m.license_info = filled(1945, 8);
  const auto bytes = encode_to_vector(m);
  EXPECT_EQ(bytes.size(), m.size());
  auto back = NewLicenseInfo::decode(bytes);
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(*back, m);
}

// --- sent by a client (the probe) ---

TEST(RoundTrip, NewLicenseRequest) {
  NewLicenseRequest m;
  m.client_random = filled_array<RANDOM_SIZE>(7);
  m.encrypted_premaster_secret = {BB_RANDOM_BLOB, filled(264, 1)};
  m.client_user_name = "rdwarm";
  m.client_machine_name = "RDWARM-PROBE";
  const auto back = round_trip(m, PREAMBLE_VERSION_3_0 | EXTENDED_ERROR_MSG_SUPPORTED);
  EXPECT_EQ(back, m);
}

TEST(RoundTrip, NewLicenseRequestEmptyNames) {
  NewLicenseRequest m;
  m.encrypted_premaster_secret = {BB_RANDOM_BLOB, filled(72, 1)};
  EXPECT_EQ(round_trip(m), m);
}

TEST(RoundTrip, PlatformChallengeResponse) {
  PlatformChallengeResponse m;
  m.encrypted_challenge_response = {BB_ENCRYPTED_DATA_BLOB, filled(18, 2)};
  m.encrypted_hwid = {BB_ENCRYPTED_DATA_BLOB, filled(20, 3)};
  m.mac_data = filled_array<MAC_SIZE>(4);
  EXPECT_EQ(round_trip(m, 0x83), m);
}

TEST(RoundTrip, LicenseInfo) {
  LicenseInfo m;
  m.client_random = filled_array<RANDOM_SIZE>(9);
  m.encrypted_premaster_secret = {BB_RANDOM_BLOB, filled(72, 1)};
  m.license_info = {BB_DATA_BLOB, filled(1200, 2)};
  m.encrypted_hwid = {BB_ENCRYPTED_DATA_BLOB, filled(20, 3)};
  m.mac_data = filled_array<MAC_SIZE>(6);
  EXPECT_EQ(round_trip(m, 0x83), m);
}

TEST(RoundTrip, ClientErrors) {
  const LicenseErrorMessage bad_cert{
      ERR_INVALID_SERVER_CERTIFICATE, ST_TOTAL_ABORT, {BB_ERROR_BLOB, {}}};
  EXPECT_EQ(round_trip(bad_cert), bad_cert);
  const LicenseErrorMessage no_license{ERR_NO_LICENSE, ST_NO_TRANSITION, {BB_ERROR_BLOB, {}}};
  EXPECT_EQ(round_trip(no_license), no_license);
}

TEST(RoundTrip, Plaintexts) {
  const PlatformChallengeResponseData data{PLATFORM_CHALLENGE_RESPONSE_VERSION,
                                           OTHER_PLATFORMCHALLENGE_TYPE, LICENSE_DETAIL_DETAIL,
                                           filled(10, 1)};
  auto d = PlatformChallengeResponseData::decode(encode_to_vector(data));
  ASSERT_TRUE(d.ok()) << d.error().message();
  EXPECT_EQ(*d, data);

  const ClientHardwareId hwid{CLIENT_OS_ID_WINNT_POST_52 | CLIENT_IMAGE_ID_MICROSOFT, 1, 2, 3, 4};
  const auto bytes = encode_to_vector(hwid);
  EXPECT_EQ(bytes.size(), ClientHardwareId::kSize);
  auto h = ClientHardwareId::decode(bytes);
  ASSERT_TRUE(h.ok()) << h.error().message();
  EXPECT_EQ(*h, hwid);
}

TEST(Strings, DecodingStopsAtTheFirstNulAndReplacesInvalidUnits) {
  const std::uint8_t utf16[] = {'A', 0, 0, 0, 'B', 0, 0x00, 0xD8, 'C', 0};
  EXPECT_EQ(utf16le_to_utf8(std::span(utf16).first(6)), "A");
  EXPECT_EQ(utf16le_to_utf8(std::span(utf16).subspan(4)),
            "B\xEF\xBF\xBD"
            "C");                                              // lone surrogate
  EXPECT_EQ(utf16le_to_utf8(std::span(utf16).first(3)), "A");  // odd trailing byte ignored
  const std::uint8_t ansi[] = {'x', 'y', 0, 'z'};
  EXPECT_EQ(ansi_from_z(ansi), "xy");
  EXPECT_EQ(to_hex(utf8_to_utf16le_z("\xC3\xA9")), "e9000000");
  EXPECT_EQ(to_hex(utf8_to_utf16le_z("\xFF")), "fdff0000");  // invalid UTF-8
}

TEST(Names, ErrorCodesAndTransitions) {
  EXPECT_EQ(name_of_error_code(ERR_INVALID_SERVER_CERTIFICATE), "ERR_INVALID_SERVER_CERTIFICATE");
  EXPECT_EQ(name_of_error_code(2), "ERR_NO_LICENSE");
  EXPECT_EQ(name_of_error_code(3), "ERR_INVALID_MAC");
  EXPECT_EQ(name_of_error_code(4), "ERR_INVALID_SCOPE");
  EXPECT_EQ(name_of_error_code(6), "ERR_NO_LICENSE_SERVER");
  EXPECT_EQ(name_of_error_code(7), "STATUS_VALID_CLIENT");
  EXPECT_EQ(name_of_error_code(8), "ERR_INVALID_CLIENT");
  EXPECT_EQ(name_of_error_code(0x0B), "ERR_INVALID_PRODUCTID");
  EXPECT_EQ(name_of_error_code(0x0C), "ERR_INVALID_MESSAGE_LEN");
  EXPECT_EQ(name_of_error_code(5), "unknown");
  EXPECT_EQ(name_of_state_transition(1), "ST_TOTAL_ABORT");
  EXPECT_EQ(name_of_state_transition(2), "ST_NO_TRANSITION");
  EXPECT_EQ(name_of_state_transition(3), "ST_RESET_PHASE_TO_START");
  EXPECT_EQ(name_of_state_transition(4), "ST_RESEND_LAST_MESSAGE");
  EXPECT_EQ(name_of_state_transition(0), "unknown");
  EXPECT_EQ(name_of_msg_type(PLATFORM_CHALLENGE_RESPONSE), "PLATFORM_CHALLENGE_RESPONSE");
  EXPECT_EQ(name_of_msg_type(0x42), "unknown");
}

}  // namespace
}  // namespace rdwarm::wire::lic
