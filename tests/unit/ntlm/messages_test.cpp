// The message decoders on damaged input: every error names the message and the field.
#include "licensing/auth/ntlm/messages.hpp"

#include <gtest/gtest.h>

#include "licensing/auth/ntlm/av_pairs.hpp"
#include "licensing/auth/ntlm/ntlmv2_response.hpp"
#include "tests/unit/ntlm/ntlm_test_support.hpp"

namespace rdwarm::auth::ntlm {
namespace {

using testing::ByteVector;
using testing::hex;

ByteVector spec_challenge() {
  return rdwarm::testing::load_hex_vector("nlmp/ms-nlmp-4.2.4.3-challenge.hex");
}
ByteVector spec_authenticate() {
  return rdwarm::testing::load_hex_vector("nlmp/ms-nlmp-4.2.4.3-authenticate.hex");
}

void put_u16(ByteVector& b, std::size_t at, std::uint16_t v) {
  b[at] = static_cast<std::uint8_t>(v);
  b[at + 1] = static_cast<std::uint8_t>(v >> 8);
}
void put_u32(ByteVector& b, std::size_t at, std::uint32_t v) {
  for (std::size_t i = 0; i < 4; ++i) b[at + i] = static_cast<std::uint8_t>(v >> (8 * i));
}

template <class T>
Error error_of(const Result<T>& r) {
  EXPECT_FALSE(r.ok());
  return r.ok() ? Error{} : r.error();
}

// Every prefix of a valid message is rejected with an error naming the message; none crashes.
TEST(NtlmMessages, EveryTruncationIsAnError) {
  const ByteVector challenge = spec_challenge();
  for (std::size_t n = 0; n < challenge.size(); ++n) {
    auto r = ChallengeMessage::decode(std::span(challenge).first(n));
    ASSERT_FALSE(r.ok()) << "prefix of " << n << " bytes";
    EXPECT_EQ(r.error().where, "NTLM CHALLENGE_MESSAGE") << n;
    EXPECT_FALSE(r.error().field.empty()) << n;
  }
  const ByteVector authenticate = spec_authenticate();
  for (std::size_t n = 0; n < authenticate.size(); ++n) {
    auto r = AuthenticateMessage::decode(std::span(authenticate).first(n));
    ASSERT_FALSE(r.ok()) << "prefix of " << n << " bytes";
    EXPECT_EQ(r.error().where, "NTLM AUTHENTICATE_MESSAGE") << n;
  }
  NegotiateMessage negotiate;
  negotiate.flags = Client::kNegotiateFlags;
  const ByteVector n_bytes = wire::encode_to_vector(negotiate);
  for (std::size_t n = 0; n < n_bytes.size(); ++n) {
    EXPECT_FALSE(NegotiateMessage::decode(std::span(n_bytes).first(n)).ok()) << n;
  }
}

TEST(NtlmMessages, SignatureAndMessageType) {
  ByteVector b = spec_challenge();
  b[0] = 'X';
  Error e = error_of(ChallengeMessage::decode(b));
  EXPECT_EQ(e.field, "Signature");
  EXPECT_NE(e.what.find("not an NTLM message"), std::string::npos) << e.message();

  e = error_of(AuthenticateMessage::decode(spec_challenge()));
  EXPECT_EQ(e.field, "MessageType");
  EXPECT_NE(e.what.find("is 2, expected 3"), std::string::npos) << e.message();
}

TEST(NtlmMessages, PayloadPastTheEndNamesTheField) {
  ByteVector b = spec_authenticate();
  put_u32(b, 24, 0xd0);  // NtChallengeResponseFields.BufferOffset: 0xd0 + 84 > 232
  Error e = error_of(AuthenticateMessage::decode(b));
  EXPECT_EQ(e.where, "NTLM AUTHENTICATE_MESSAGE");
  EXPECT_EQ(e.field, "NtChallengeResponseFields");
  EXPECT_NE(e.what.find("runs past the end of the 232-byte message"), std::string::npos)
      << e.message();

  b = spec_authenticate();
  put_u32(b, 56, 0xFFFFFFFF);  // EncryptedRandomSessionKeyFields.BufferOffset
  EXPECT_EQ(error_of(AuthenticateMessage::decode(b)).field, "EncryptedRandomSessionKeyFields");

  b = spec_authenticate();
  put_u16(b, 36, 0x0100);  // UserNameFields.Len = 256
  EXPECT_EQ(error_of(AuthenticateMessage::decode(b)).field, "UserNameFields");

  b = spec_challenge();
  put_u16(b, 40, 0x0025);  // TargetInfoFields.Len one byte too long
  EXPECT_EQ(error_of(ChallengeMessage::decode(b)).field, "TargetInfoFields");
}

TEST(NtlmMessages, PayloadInsideTheFixedPartIsRefused) {
  ByteVector b = spec_authenticate();
  put_u32(b, 32, 0);  // DomainNameFields.BufferOffset 0: would read "NTLMSSP\0..." as a name
  Error e = error_of(AuthenticateMessage::decode(b));
  EXPECT_EQ(e.field, "DomainNameFields");
  EXPECT_NE(e.what.find("points into the 72-byte fixed part"), std::string::npos) << e.message();

  b = spec_challenge();
  put_u32(b, 16, 8);  // TargetNameFields.BufferOffset
  EXPECT_EQ(error_of(ChallengeMessage::decode(b)).field, "TargetNameFields");
}

TEST(NtlmMessages, EmptyFieldsIgnoreTheirOffset) {
  ByteVector b = spec_authenticate();
  put_u16(b, 44, 0);  // WorkstationFields.Len = 0, offset left pointing somewhere
  put_u32(b, 48, 0xFFFFFFF0);
  auto m = AuthenticateMessage::decode(b);
  ASSERT_TRUE(m.ok()) << m.error().message();
  EXPECT_TRUE(m->workstation.empty());
}

TEST(NtlmMessages, TargetInfoErrorsNameTheAvPair) {
  // No MsvAvEOL: the list runs out.
  auto r = AvPairs::decode(hex("02000200 4100"), "TEST", "TargetInfo");
  Error e = error_of(r);
  EXPECT_EQ(e.where, "TEST");
  EXPECT_EQ(e.field, "TargetInfo");
  EXPECT_NE(e.what.find("without the MsvAvEOL"), std::string::npos) << e.message();
  // MsvAvFlags must be 4 bytes, MsvAvTimestamp 8, MsvAvChannelBindings 16.
  EXPECT_EQ(error_of(AvPairs::decode(hex("0600 0200 0000 00000000"), "TEST", "TargetInfo")).field,
            "TargetInfo.MsvAvFlags");
  EXPECT_EQ(
      error_of(AvPairs::decode(hex("0700 0400 00000000 00000000"), "TEST", "TargetInfo")).field,
      "TargetInfo.MsvAvTimestamp");
  // A name of an odd number of bytes is not UTF-16.
  EXPECT_EQ(error_of(AvPairs::decode(hex("0100 0300 410042 00000000"), "TEST", "TargetInfo")).field,
            "TargetInfo.MsvAvNbComputerName");
  // A value longer than what is left.
  EXPECT_EQ(error_of(AvPairs::decode(hex("0200 1000 4100"), "TEST", "TargetInfo")).field,
            "TargetInfo.MsvAvNbDomainName");
  // MsvAvEOL with a length.
  EXPECT_EQ(error_of(AvPairs::decode(hex("0000 0200 0000"), "TEST", "TargetInfo")).field,
            "TargetInfo.MsvAvEOL");

  // Inside a CHALLENGE: the spec message with its EOL turned into an unknown id.
  ByteVector b = spec_challenge();
  b[100] = 0x0b;
  e = error_of(ChallengeMessage::decode(b));
  EXPECT_EQ(e.where, "NTLM CHALLENGE_MESSAGE");
  EXPECT_EQ(e.field, "TargetInfo");
}

TEST(NtlmMessages, Ntlmv2ResponseErrors) {
  const ByteVector auth = spec_authenticate();
  const ByteVector response(auth.begin() + 0x84, auth.begin() + 0x84 + 84);
  ASSERT_TRUE(NtlmV2Response::decode(response).ok());
  for (std::size_t n = 0; n < 16 + 28 + 4; ++n) {
    auto r = NtlmV2Response::decode(std::span(response).first(n));
    ASSERT_FALSE(r.ok()) << n;
    EXPECT_EQ(r.error().where, "NTLMv2_RESPONSE");
  }
  ByteVector bad = response;
  bad[16] = 2;  // RespType
  EXPECT_EQ(error_of(NtlmV2Response::decode(bad)).field, "RespType");
  // The final Z(4) of temp is optional on receipt: a response without it still decodes.
  EXPECT_TRUE(NtlmV2Response::decode(std::span(response).first(80)).ok());
}

// A MIC is read when the NTLMv2 response announces it; re-encoding keeps it.
TEST(NtlmMessages, MicFollowsMsvAvFlags) {
  NtlmV2Response response;
  response.client_challenge.av_pairs.set_text(MsvAvNbComputerName, "HOST");
  response.client_challenge.av_pairs.set_flags(MSV_AV_FLAG_MIC_PRESENT);
  AuthenticateMessage m;
  m.flags = NTLMSSP_NEGOTIATE_UNICODE | NTLMSSP_NEGOTIATE_VERSION;
  m.nt_challenge_response = wire::encode_to_vector(response);
  m.user_name = testing::utf16("probe");
  m.mic.emplace();
  m.mic->fill(0x4d);
  const ByteVector bytes = wire::encode_to_vector(m);
  EXPECT_EQ(bytes.size(), m.size());
  EXPECT_EQ(m.mic_offset(), 72u);
  EXPECT_EQ(bytes[72], 0x4d);
  EXPECT_EQ(bytes[87], 0x4d);
  auto back = AuthenticateMessage::decode(bytes);
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(*back, m);
  EXPECT_TRUE(announces_mic(m.nt_challenge_response));
  EXPECT_FALSE(announces_mic(ByteVector(24, 0)));
}

TEST(NtlmMessages, NegotiateRoundTrip) {
  NegotiateMessage m;
  m.flags = Client::kNegotiateFlags | NTLMSSP_NEGOTIATE_OEM_DOMAIN_SUPPLIED |
            NTLMSSP_NEGOTIATE_OEM_WORKSTATION_SUPPLIED;
  m.domain_name = {'L', 'A', 'B'};
  m.workstation = {'W', 'S'};
  m.version = Version{10, 0, 20348, NTLMSSP_REVISION_W2K3};
  const ByteVector bytes = wire::encode_to_vector(m);
  EXPECT_EQ(bytes.size(), m.size());
  auto back = NegotiateMessage::decode(bytes);
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(*back, m);
  // Without NTLMSSP_NEGOTIATE_VERSION there is no version field and the payload starts at 32.
  m.flags &= ~NTLMSSP_NEGOTIATE_VERSION;
  m.version = {};
  const ByteVector short_bytes = wire::encode_to_vector(m);
  EXPECT_EQ(short_bytes.size(), 32u + 5u);
  EXPECT_EQ(*NegotiateMessage::decode(short_bytes), m);
}

}  // namespace
}  // namespace rdwarm::auth::ntlm
