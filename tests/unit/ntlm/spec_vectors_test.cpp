// [MS-NLMP] 4.2.4 "NTLMv2 Authentication": every intermediate value, the messages of 4.2.4.3
// decoded and re-encoded byte for byte, and the GSS_WrapEx example of 4.2.4.4, computed by the
// functions, by the Client given the example's inputs, and verified by the Acceptor.
// Common inputs (4.2.1): User "User", UserDom "Domain", Passwd "Password", server "Server",
// workstation "COMPUTER", RandomSessionKey 0x55 x 16, Time 0, ClientChallenge 0xaa x 8,
// ServerChallenge 0123456789abcdef.
#include <gtest/gtest.h>

#include "licensing/auth/ntlm/messages.hpp"
#include "licensing/auth/ntlm/ntlmv2.hpp"
#include "licensing/auth/ntlm/ntlmv2_response.hpp"
#include "licensing/auth/ntlm/session_security.hpp"
#include "licensing/auth/ntlm/unicode.hpp"
#include "tests/unit/ntlm/ntlm_test_support.hpp"

namespace rdwarm::auth::ntlm {
namespace {

using testing::ByteVector;
using testing::hex;
using testing::hex_key;
using testing::to_hex;
using testing::utf16;

constexpr const char* kChallengeFile = "nlmp/ms-nlmp-4.2.4.3-challenge.hex";
constexpr const char* kAuthenticateFile = "nlmp/ms-nlmp-4.2.4.3-authenticate.hex";

const Challenge kServerChallenge = {0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef};
const Challenge kClientChallenge = {0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa};
const Key kRandomSessionKey = {0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55,
                               0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55};
// The flags of the example's AUTHENTICATE_MESSAGE (KEY_EXCH, 56, 128, VERSION, ESS, ...).
constexpr std::uint32_t kAuthenticateFlags = 0xe2888235;

// 4.2.4.1.3: temp = 01 01 Z(6) Time ClientChallenge Z(4) ServerName Z(4), ServerName being the
// CHALLENGE's TargetInfo (NbDomainName "Domain", NbComputerName "Server", EOL).
const char* const kTemp =
    "0101000000000000 0000000000000000 aaaaaaaaaaaaaaaa 00000000"
    "02000c0044006f006d00610069006e00 01000c00530065007200760065007200 00000000"
    "00000000";

Key ntowfv2_of_spec() {
  return ntowfv2(nt_hash("Password"), utf16("User"), utf16("Domain"));
}

NtlmV2ClientChallenge spec_temp() {
  NtlmV2ClientChallenge temp;
  temp.timestamp = 0;
  temp.challenge_from_client = kClientChallenge;
  temp.av_pairs.set_text(MsvAvNbDomainName, "Domain");
  temp.av_pairs.set_text(MsvAvNbComputerName, "Server");
  return temp;
}

// 4.2.2.1.2 NTOWFv1 (the NT hash) and 4.2.4.1.1 NTOWFv2.
TEST(NlmpSpec, NtHashAndNtowfv2) {
  EXPECT_EQ(to_hex(nt_hash("Password")), "a4f49c406510bdcab6824ee7c30fd852");
  EXPECT_EQ(to_hex(ntowfv2_of_spec()), "0c868a403bfd7a93a3001ef22ef02e3f");
  // Uppercase(User): any casing of the user name gives the same key; the domain keeps its case.
  EXPECT_EQ(ntowfv2(nt_hash("Password"), utf16("uSeR"), utf16("Domain")), ntowfv2_of_spec());
  EXPECT_NE(ntowfv2(nt_hash("Password"), utf16("User"), utf16("DOMAIN")), ntowfv2_of_spec());
}

// 4.2.4.1.3 temp, 4.2.4.2.2 NTProofStr, 4.2.4.1.2 SessionBaseKey.
TEST(NlmpSpec, TempNtProofStrAndSessionBaseKey) {
  const ByteVector temp = wire::encode_to_vector(spec_temp());
  EXPECT_EQ(to_hex(temp), to_hex(hex(kTemp)));
  EXPECT_EQ(temp.size(), spec_temp().size());
  const Key proof = nt_proof_str(ntowfv2_of_spec(), kServerChallenge, temp);
  EXPECT_EQ(to_hex(proof), "68cd0ab851e51c96aabc927bebef6a1c");
  EXPECT_EQ(to_hex(session_base_key(ntowfv2_of_spec(), proof)), "8de40ccadbc14a82f15cb0ad0de95ca3");
}

// 4.2.4.2.1 LMv2 response.
TEST(NlmpSpec, Lmv2Response) {
  EXPECT_EQ(to_hex(lmv2_response(ntowfv2_of_spec(), kServerChallenge, kClientChallenge)),
            "86c35097ac9cec102554764a57cccc19aaaaaaaaaaaaaaaa");
}

// 4.2.4.1.3 KXKEY = SessionBaseKey for NTLMv2; 4.2.4.2.3 EncryptedRandomSessionKey.
TEST(NlmpSpec, EncryptedRandomSessionKey) {
  const Key base = hex_key("8de40ccadbc14a82f15cb0ad0de95ca3");
  EXPECT_EQ(key_exchange_key(base), base);
  EXPECT_EQ(to_hex(rc4k(base, kRandomSessionKey)), "c5dad2544fc9799094ce1ce90bc9d03e");
  EXPECT_EQ(rc4k(base, rc4k(base, kRandomSessionKey)), kRandomSessionKey);
}

// 4.2.4.4: SEALKEY and SIGNKEY of the client, the sealed "Plaintext" and its signature.
TEST(NlmpSpec, GssWrapEx) {
  EXPECT_EQ(to_hex(seal_key(kRandomSessionKey, kAuthenticateFlags, KeyDirection::ClientToServer)),
            "59f600973cc4960a25480a7c196e4c58");
  EXPECT_EQ(to_hex(sign_key(kRandomSessionKey, KeyDirection::ClientToServer)),
            "4788dc861b4782f35d43fd98fe1a2d39");
  SessionSecurity client(SessionSecurity::Role::Client, kRandomSessionKey, kAuthenticateFlags);
  const ByteVector wrapped = client.wrap(utf16("Plaintext"));
  EXPECT_EQ(to_hex(wrapped),
            "010000007fb38ec5c55d497600000000"
            "54e50165bf1936dc996020c1811b0f06fb5f");
  SessionSecurity server(SessionSecurity::Role::Server, kRandomSessionKey, kAuthenticateFlags);
  auto plain = server.unwrap(wrapped);
  ASSERT_TRUE(plain.ok()) << plain.error().message();
  EXPECT_EQ(*plain, utf16("Plaintext"));
}

TEST(NlmpSpec, ChallengeMessageDecodesAndReencodes) {
  const ByteVector bytes = rdwarm::testing::load_hex_vector(kChallengeFile);
  auto m = ChallengeMessage::decode(bytes);
  ASSERT_TRUE(m.ok()) << m.error().message();
  EXPECT_EQ(m->flags, 0xe28a8233u);
  EXPECT_EQ(to_utf8(m->target_name), "Server");
  EXPECT_EQ(m->server_challenge, kServerChallenge);
  EXPECT_EQ(m->target_info.text(MsvAvNbDomainName), "Domain");
  EXPECT_EQ(m->target_info.text(MsvAvNbComputerName), "Server");
  EXPECT_EQ(m->target_info.pairs.size(), 2u);
  EXPECT_FALSE(m->target_info.timestamp().has_value());
  EXPECT_EQ(m->version, (Version{6, 0, 6000, NTLMSSP_REVISION_W2K3}));
  EXPECT_EQ(to_hex(wire::encode_to_vector(*m)), to_hex(bytes));
  EXPECT_EQ(m->size(), bytes.size());
}

TEST(NlmpSpec, AuthenticateMessageDecodesAndReencodes) {
  const ByteVector bytes = rdwarm::testing::load_hex_vector(kAuthenticateFile);
  auto m = AuthenticateMessage::decode(bytes);
  ASSERT_TRUE(m.ok()) << m.error().message();
  EXPECT_EQ(m->flags, kAuthenticateFlags);
  EXPECT_EQ(to_utf8(m->domain_name), "Domain");
  EXPECT_EQ(to_utf8(m->user_name), "User");
  EXPECT_EQ(to_utf8(m->workstation), "COMPUTER");
  EXPECT_EQ(to_hex(m->lm_challenge_response), "86c35097ac9cec102554764a57cccc19aaaaaaaaaaaaaaaa");
  EXPECT_EQ(to_hex(m->encrypted_random_session_key), "c5dad2544fc9799094ce1ce90bc9d03e");
  EXPECT_FALSE(m->mic.has_value());  // no MsvAvFlags in the example's AV pairs
  EXPECT_EQ(m->version, (Version{5, 1, 2600, NTLMSSP_REVISION_W2K3}));
  auto response = NtlmV2Response::decode(m->nt_challenge_response);
  ASSERT_TRUE(response.ok()) << response.error().message();
  EXPECT_EQ(to_hex(response->nt_proof_str), "68cd0ab851e51c96aabc927bebef6a1c");
  EXPECT_EQ(response->client_challenge, spec_temp());
  EXPECT_EQ(to_hex(wire::encode_to_vector(*response)), to_hex(m->nt_challenge_response));
  EXPECT_EQ(to_hex(wire::encode_to_vector(*m)), to_hex(bytes));
  EXPECT_EQ(m->size(), bytes.size());
}

// The Client, given the example's CHALLENGE, Time 0, ClientChallenge 0xaa.. and RandomSessionKey
// 0x55.., computes the example's LMv2 response, and its first wrap is the 4.2.4.4 output. Its
// NTLMv2 response differs from the example's (it adds MsvAvChannelBindings and MsvAvTargetName to
// the AV pairs, as Windows clients do), and with it NTProofStr, the session base key and so the
// encrypted session key: those are checked by recomputing them from the example's NTOWFv2.
TEST(NlmpSpec, ClientReproducesTheExample) {
  ClientConfig config;
  config.credentials.user = "User";
  config.credentials.domain = "Domain";
  config.credentials.password = Secret("Password");
  config.workstation = "COMPUTER";
  config.target_spn = "TERMSRV/Server";
  ByteVector draws(8, 0xaa);
  draws.insert(draws.end(), 16, 0x55);
  config.random = testing::scripted_random(draws);
  config.now = testing::fixed_clock(0);
  Client client(config);
  ASSERT_TRUE(client.step({}).ok());
  auto step = client.step(rdwarm::testing::load_hex_vector(kChallengeFile));
  ASSERT_TRUE(step.ok()) << step.error().message();
  EXPECT_TRUE(step->complete);

  auto m = AuthenticateMessage::decode(step->token);
  ASSERT_TRUE(m.ok()) << m.error().message();
  EXPECT_EQ(to_utf8(m->user_name), "User");
  EXPECT_EQ(to_utf8(m->domain_name), "Domain");
  EXPECT_EQ(to_utf8(m->workstation), "COMPUTER");
  EXPECT_EQ(to_hex(m->lm_challenge_response), "86c35097ac9cec102554764a57cccc19aaaaaaaaaaaaaaaa");
  EXPECT_FALSE(m->mic.has_value());  // no server timestamp, so no MIC [3.1.5.1.2]
  // What both offered: the example's flags without OEM, REQUEST_TARGET and TARGET_INFO.
  EXPECT_EQ(m->flags, Client::kNegotiateFlags & 0xe28a8233 & ~NTLM_NEGOTIATE_OEM);
  EXPECT_EQ(m->flags,
            kAuthenticateFlags & ~(NTLMSSP_REQUEST_TARGET | NTLMSSP_NEGOTIATE_TARGET_INFO));

  auto response = NtlmV2Response::decode(m->nt_challenge_response);
  ASSERT_TRUE(response.ok()) << response.error().message();
  const NtlmV2ClientChallenge& temp = response->client_challenge;
  EXPECT_EQ(temp.timestamp, 0u);
  EXPECT_EQ(temp.challenge_from_client, kClientChallenge);
  EXPECT_EQ(temp.av_pairs.text(MsvAvNbDomainName), "Domain");
  EXPECT_EQ(temp.av_pairs.text(MsvAvNbComputerName), "Server");
  EXPECT_EQ(temp.av_pairs.text(MsvAvTargetName), "TERMSRV/Server");
  ASSERT_NE(temp.av_pairs.find(MsvAvChannelBindings), nullptr);
  EXPECT_EQ(temp.av_pairs.find(MsvAvChannelBindings)->value, ByteVector(16, 0));
  EXPECT_FALSE(temp.av_pairs.flags().has_value());
  const ByteVector temp_bytes(m->nt_challenge_response.begin() + 16,
                              m->nt_challenge_response.end());
  const Key proof = nt_proof_str(ntowfv2_of_spec(), kServerChallenge, temp_bytes);
  EXPECT_EQ(response->nt_proof_str, proof);
  const Key base = session_base_key(ntowfv2_of_spec(), proof);
  ASSERT_EQ(m->encrypted_random_session_key.size(), 16u);
  Key encrypted{};
  std::copy_n(m->encrypted_random_session_key.begin(), 16, encrypted.begin());
  EXPECT_EQ(rc4k(key_exchange_key(base), encrypted), kRandomSessionKey);

  auto wrapped = client.wrap(utf16("Plaintext"));
  ASSERT_TRUE(wrapped.ok()) << wrapped.error().message();
  EXPECT_EQ(to_hex(*wrapped),
            "010000007fb38ec5c55d497600000000"
            "54e50165bf1936dc996020c1811b0f06fb5f");
}

// The Acceptor, with the example's server challenge and account, accepts the example's
// AUTHENTICATE_MESSAGE (no MIC: its CHALLENGE had no timestamp) and unwraps the 4.2.4.4 output.
TEST(NlmpSpec, AcceptorVerifiesTheExample) {
  AcceptorConfig config;
  config.account = Account::with_password("User", "Domain", Secret("Password"));
  config.nb_computer_name = "Server";
  config.random =
      testing::scripted_random(ByteVector(kServerChallenge.begin(), kServerChallenge.end()));
  config.now = testing::fixed_clock(0);  // the example's Time
  Acceptor acceptor(config);
  NegotiateMessage negotiate;
  negotiate.flags = Client::kNegotiateFlags;
  auto challenge = acceptor.step(wire::encode_to_vector(negotiate));
  ASSERT_TRUE(challenge.ok()) << challenge.error().message();
  auto done = acceptor.step(rdwarm::testing::load_hex_vector(kAuthenticateFile));
  ASSERT_TRUE(done.ok()) << done.error().message();
  EXPECT_TRUE(done->complete);
  EXPECT_TRUE(done->token.empty());
  EXPECT_EQ(acceptor.status(), STATUS_SUCCESS);
  EXPECT_EQ(acceptor.user(), "User");
  EXPECT_EQ(acceptor.domain(), "Domain");
  auto plain =
      acceptor.unwrap(hex("010000007fb38ec5c55d497600000000"
                          "54e50165bf1936dc996020c1811b0f06fb5f"));
  ASSERT_TRUE(plain.ok()) << plain.error().message();
  EXPECT_EQ(*plain, utf16("Plaintext"));
}

}  // namespace
}  // namespace rdwarm::auth::ntlm
