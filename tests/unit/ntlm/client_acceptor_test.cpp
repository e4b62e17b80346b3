// The Client against the Acceptor: the exchange, message protection in both directions, and
// every way the acceptor refuses.
#include <gtest/gtest.h>

#include "licensing/auth/ntlm/messages.hpp"
#include "licensing/auth/ntlm/ntlmv2.hpp"
#include "licensing/auth/ntlm/ntlmv2_response.hpp"
#include "licensing/auth/ntlm/session_security.hpp"
#include "licensing/auth/ntlm/unicode.hpp"
#include "licensing/crypto/hmac.hpp"
#include "tests/unit/ntlm/ntlm_test_support.hpp"

namespace rdwarm::auth::ntlm {
namespace {

using testing::ByteVector;
using testing::Exchange;
using testing::first_two;
using testing::Names;

using Dir = SecurityContext::Direction;

ByteVector text(std::string_view s) {
  return ByteVector(s.begin(), s.end());
}

std::uint32_t read_u32(const ByteVector& b, std::size_t at) {
  return static_cast<std::uint32_t>(b[at]) | (static_cast<std::uint32_t>(b[at + 1]) << 8) |
         (static_cast<std::uint32_t>(b[at + 2]) << 16) |
         (static_cast<std::uint32_t>(b[at + 3]) << 24);
}

// Runs the exchange with `names` on the client side and `account` on the acceptor side; returns
// the acceptor's verdict on the AUTHENTICATE_MESSAGE.
struct Outcome {
  Result<Step> result = Step{};
  std::uint32_t status = 0;
};
Outcome authenticate(const Names& names, Account account) {
  Client client(testing::client_config(names));
  Acceptor acceptor(testing::acceptor_config(std::move(account)));
  const Exchange e = first_two(client, acceptor);
  Outcome out;
  out.result = acceptor.step(e.authenticate);
  out.status = acceptor.status();
  return out;
}

void expect_refused(const Outcome& o, std::uint32_t status, std::string_view says) {
  ASSERT_FALSE(o.result.ok());
  EXPECT_EQ(o.status, status) << o.result.error().message();
  EXPECT_EQ(o.result.error().where, "NTLM acceptor");
  EXPECT_NE(o.result.error().message().find(says), std::string::npos) << o.result.error().message();
}

// Messages both ways over several sequence numbers; each side unwraps what the other wrapped.
// `a` sends with sequence numbers from `first`.
void exchange_messages(SecurityContext& a, SecurityContext& b, int count, std::uint32_t first = 0) {
  for (int i = 0; i < count; ++i) {
    const ByteVector plain = text("message " + std::to_string(i) + " from a");
    auto wrapped = a.wrap(plain);
    ASSERT_TRUE(wrapped.ok()) << wrapped.error().message();
    ASSERT_EQ(wrapped->size(), 16 + plain.size());
    EXPECT_EQ(read_u32(*wrapped, 12), first + static_cast<std::uint32_t>(i));  // SeqNum
    EXPECT_NE(ByteVector(wrapped->begin() + 16, wrapped->end()), plain);       // sealed
    auto unwrapped = b.unwrap(*wrapped);
    ASSERT_TRUE(unwrapped.ok()) << unwrapped.error().message();
    EXPECT_EQ(*unwrapped, plain);

    const ByteVector reply = text("reply " + std::to_string(i) + " from b");
    auto back = b.wrap(reply);
    ASSERT_TRUE(back.ok());
    auto reply_plain = a.unwrap(*back);
    ASSERT_TRUE(reply_plain.ok()) << reply_plain.error().message();
    EXPECT_EQ(*reply_plain, reply);
  }
}

TEST(NtlmExchange, CompletesWithAMicAndTheServersTimestamp) {
  Client client(testing::client_config());
  Acceptor acceptor(testing::acceptor_config(testing::lab_account()));
  const Exchange e = first_two(client, acceptor);
  auto done = acceptor.step(e.authenticate);
  ASSERT_TRUE(done.ok()) << done.error().message();
  EXPECT_TRUE(done->complete);
  EXPECT_TRUE(done->token.empty());
  EXPECT_EQ(acceptor.status(), STATUS_SUCCESS);
  EXPECT_EQ(acceptor.user(), "probe");
  EXPECT_EQ(acceptor.domain(), "LAB");
  EXPECT_EQ(client.mechanism(), "NTLM");
  EXPECT_EQ(acceptor.mechanism(), "NTLM");

  // What the client sent, as 3.1.5.1.2 and the client's header say.
  auto challenge = ChallengeMessage::decode(e.challenge);
  ASSERT_TRUE(challenge.ok());
  EXPECT_EQ(challenge->target_info.timestamp(), testing::kLabTime);
  EXPECT_EQ(to_utf8(challenge->target_name), "HOST");
  auto m = AuthenticateMessage::decode(e.authenticate);
  ASSERT_TRUE(m.ok()) << m.error().message();
  ASSERT_TRUE(m->mic.has_value());
  EXPECT_NE(*m->mic, (std::array<std::uint8_t, 16>{}));
  EXPECT_EQ(m->lm_challenge_response, ByteVector(24, 0));
  EXPECT_EQ(m->encrypted_random_session_key.size(), 16u);
  EXPECT_EQ(m->flags, client.negotiated_flags());
  EXPECT_NE(m->flags & NTLMSSP_NEGOTIATE_KEY_EXCH, 0u);
  EXPECT_EQ(to_utf8(m->workstation), "RDWARM");
  auto response = NtlmV2Response::decode(m->nt_challenge_response);
  ASSERT_TRUE(response.ok());
  const AvPairs& pairs = response->client_challenge.av_pairs;
  EXPECT_EQ(response->client_challenge.timestamp, testing::kLabTime);
  EXPECT_EQ(pairs.flags(), MSV_AV_FLAG_MIC_PRESENT);
  EXPECT_EQ(pairs.timestamp(), testing::kLabTime);
  EXPECT_EQ(pairs.text(MsvAvTargetName), "TERMSRV/host.lab.test");
  EXPECT_EQ(pairs.text(MsvAvDnsComputerName), "host.lab.test");
  ASSERT_NE(pairs.find(MsvAvChannelBindings), nullptr);
  EXPECT_EQ(pairs.find(MsvAvChannelBindings)->value, ByteVector(16, 0));

  // A fourth token does not exist; an empty one is fine.
  EXPECT_TRUE(acceptor.step({}).ok());
  EXPECT_FALSE(acceptor.step(text("more")).ok());
  EXPECT_TRUE(client.step({}).ok());
  EXPECT_FALSE(client.step(text("more")).ok());
}

TEST(NtlmExchange, WrapUnwrapBothWaysAcrossResets) {
  Client client(testing::client_config());
  Acceptor acceptor(testing::acceptor_config(testing::lab_account()));
  ASSERT_TRUE(acceptor.step(first_two(client, acceptor).authenticate).ok());

  const auto first_wrap = client.wrap(text("same plaintext"));
  ASSERT_TRUE(first_wrap.ok());
  ASSERT_TRUE(acceptor.unwrap(*first_wrap).ok());
  // The stream continues: the same plaintext seals differently the second time.
  const auto second_wrap = client.wrap(text("same plaintext"));
  ASSERT_TRUE(second_wrap.ok());
  EXPECT_NE(*first_wrap, *second_wrap);
  ASSERT_TRUE(acceptor.unwrap(*second_wrap).ok());
  exchange_messages(client, acceptor, 3, 2);

  for (Dir d : {Dir::kOutgoing, Dir::kIncoming}) {
    client.reset_cipher_state(d);
    acceptor.reset_cipher_state(d);
  }
  // After the reset the first wrap is the very first wrap again: stream and SeqNum restarted.
  const auto after_reset = client.wrap(text("same plaintext"));
  ASSERT_TRUE(after_reset.ok());
  EXPECT_EQ(*after_reset, *first_wrap);
  ASSERT_TRUE(acceptor.unwrap(*after_reset).ok());
  for (Dir d : {Dir::kOutgoing, Dir::kIncoming}) {
    client.reset_cipher_state(d);
    acceptor.reset_cipher_state(d);
  }
  exchange_messages(client, acceptor, 5);
  exchange_messages(acceptor, client, 5, 5);
}

// The mechListMIC dance of SPNEGO over NTLM: each side signs, resets its outgoing direction,
// verifies the peer's, resets its incoming direction; CredSSP's first wrap then uses SeqNum 0.
TEST(NtlmExchange, MechListMicThenPerDirectionReset) {
  Client client(testing::client_config());
  Acceptor acceptor(testing::acceptor_config(testing::lab_account()));
  ASSERT_TRUE(acceptor.step(first_two(client, acceptor).authenticate).ok());
  const ByteVector mech_list = {0x30, 0x0c, 0x06, 0x0a, 0x2b, 0x06, 0x01,
                                0x04, 0x01, 0x82, 0x37, 0x02, 0x02, 0x0a};

  auto client_mic = client.get_mic(mech_list);
  ASSERT_TRUE(client_mic.ok());
  ASSERT_EQ(client_mic->size(), 16u);
  EXPECT_EQ(read_u32(*client_mic, 0), 1u);  // Version
  client.reset_cipher_state(Dir::kOutgoing);
  ASSERT_TRUE(acceptor.verify_mic(mech_list, *client_mic).ok());
  acceptor.reset_cipher_state(Dir::kIncoming);

  auto server_mic = acceptor.get_mic(mech_list);
  ASSERT_TRUE(server_mic.ok());
  acceptor.reset_cipher_state(Dir::kOutgoing);
  // A MIC over other bytes, or a replay of the client's own, does not verify.
  EXPECT_FALSE(client.verify_mic(text("other"), *server_mic).ok());
  EXPECT_FALSE(client.verify_mic(mech_list, *client_mic).ok());
  ASSERT_TRUE(client.verify_mic(mech_list, *server_mic).ok());
  client.reset_cipher_state(Dir::kIncoming);

  auto wrapped = client.wrap(text("pubKeyAuth"));
  ASSERT_TRUE(wrapped.ok());
  EXPECT_EQ(read_u32(*wrapped, 12), 0u);
  ASSERT_TRUE(acceptor.unwrap(*wrapped).ok());
  exchange_messages(client, acceptor, 3, 1);
}

TEST(NtlmExchange, TamperedSignatureCiphertextAndReplayAreRefused) {
  Client client(testing::client_config());
  Acceptor acceptor(testing::acceptor_config(testing::lab_account()));
  ASSERT_TRUE(acceptor.step(first_two(client, acceptor).authenticate).ok());

  const auto m0 = client.wrap(text("first"));
  const auto m1 = client.wrap(text("second"));
  ASSERT_TRUE(m0.ok() && m1.ok());

  ByteVector bad = *m0;
  bad[5] ^= 0x01;  // checksum
  auto r = acceptor.unwrap(bad);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "Checksum");
  bad = *m0;
  bad.back() ^= 0x80;  // ciphertext
  EXPECT_EQ(acceptor.unwrap(bad).error().field, "Checksum");
  bad = *m0;
  bad[0] = 2;  // Version
  EXPECT_EQ(acceptor.unwrap(bad).error().field, "Version");
  EXPECT_FALSE(acceptor.unwrap(ByteVector(15, 0)).ok());
  // Out of order: message 1 before message 0.
  r = acceptor.unwrap(*m1);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "SeqNum");
  EXPECT_NE(r.error().what.find("is 1, expected 0"), std::string::npos) << r.error().message();

  // None of the refused messages moved the receiving state.
  ASSERT_TRUE(acceptor.unwrap(*m0).ok());
  // Replay of message 0.
  r = acceptor.unwrap(*m0);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "SeqNum");
  auto second = acceptor.unwrap(*m1);
  ASSERT_TRUE(second.ok()) << second.error().message();
  EXPECT_EQ(*second, text("second"));
  // A forged signature with the right SeqNum fails the checksum.
  const auto m2 = client.wrap(text("third"));
  ASSERT_TRUE(m2.ok());
  bad = *m2;
  std::fill(bad.begin() + 4, bad.begin() + 12, 0);
  EXPECT_EQ(acceptor.unwrap(bad).error().field, "Checksum");
  EXPECT_TRUE(acceptor.unwrap(*m2).ok());
}

TEST(NtlmExchange, WrongPasswordIsLogonFailure) {
  Names names;
  names.password = "wrong";
  expect_refused(authenticate(names, testing::lab_account()), STATUS_LOGON_FAILURE,
                 "does not match the account's password");
}

TEST(NtlmExchange, UnknownUserIsLogonFailure) {
  Names names;
  names.user = "mallory";
  expect_refused(authenticate(names, testing::lab_account()), STATUS_LOGON_FAILURE,
                 "no account \"mallory\"");
}

TEST(NtlmExchange, UserNameIsCaseInsensitive) {
  Names names;
  names.user = "PROBE";
  const Outcome o = authenticate(names, testing::lab_account());
  EXPECT_TRUE(o.result.ok()) << o.result.error().message();
}

TEST(NtlmExchange, DomainRules) {
  for (const char* domain : {"LAB", "lab", "", ".", "HOST", "host.lab.test", "LAB.TEST"}) {
    Names names;
    names.domain = domain;
    const Outcome o = authenticate(names, testing::lab_account());
    EXPECT_TRUE(o.result.ok()) << "domain \"" << domain << "\": " << o.result.error().message();
  }
  Names other;
  other.domain = "OTHER";
  expect_refused(authenticate(other, testing::lab_account()), STATUS_LOGON_FAILURE,
                 "in domain \"OTHER\"");
}

TEST(NtlmExchange, UpnGoesWithAnEmptyDomain) {
  Names names;
  names.user = "probe@lab.test";
  names.domain = "IGNORED";
  Client client(testing::client_config(names));
  Acceptor acceptor(testing::acceptor_config(testing::lab_account()));
  const Exchange e = first_two(client, acceptor);
  auto m = AuthenticateMessage::decode(e.authenticate);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(to_utf8(m->user_name), "probe@lab.test");
  EXPECT_TRUE(m->domain_name.empty());
  auto done = acceptor.step(e.authenticate);
  ASSERT_TRUE(done.ok()) << done.error().message();
  EXPECT_EQ(acceptor.user(), "probe@lab.test");

  names.user = "probe@elsewhere.test";
  expect_refused(authenticate(names, testing::lab_account()), STATUS_LOGON_FAILURE,
                 "no account \"probe@elsewhere.test\"");
}

TEST(NtlmExchange, DownLevelLogonNameSplitsAtTheBackslash) {
  Names names;
  names.user = "LAB\\probe";
  names.domain = "";
  Client client(testing::client_config(names));
  Acceptor acceptor(testing::acceptor_config(testing::lab_account()));
  ASSERT_TRUE(acceptor.step(first_two(client, acceptor).authenticate).ok());
  EXPECT_EQ(acceptor.user(), "probe");
  EXPECT_EQ(acceptor.domain(), "LAB");
}

TEST(NtlmExchange, AccountStatesAfterTheRightPasswordOnly) {
  const std::pair<AccountState, std::uint32_t> states[] = {
      {AccountState::Disabled, STATUS_ACCOUNT_DISABLED},
      {AccountState::PasswordExpired, STATUS_PASSWORD_EXPIRED},
      {AccountState::PasswordMustChange, STATUS_PASSWORD_MUST_CHANGE},
      {AccountState::LockedOut, STATUS_ACCOUNT_LOCKED_OUT},
  };
  for (const auto& [state, status] : states) {
    expect_refused(authenticate(Names{}, testing::lab_account(state)), status,
                   "is right, but the account is " + std::string(name_of(state)));
    EXPECT_EQ(ntstatus_of(state), status);
    Names wrong;
    wrong.password = "wrong";
    expect_refused(authenticate(wrong, testing::lab_account(state)), STATUS_LOGON_FAILURE,
                   "password");
  }
  EXPECT_EQ(STATUS_LOGON_FAILURE, 0xC000006Du);
  EXPECT_EQ(STATUS_ACCOUNT_DISABLED, 0xC0000072u);
  EXPECT_EQ(STATUS_PASSWORD_EXPIRED, 0xC0000071u);
  EXPECT_EQ(STATUS_PASSWORD_MUST_CHANGE, 0xC0000224u);
  EXPECT_EQ(STATUS_ACCOUNT_LOCKED_OUT, 0xC0000234u);
}

// Damage to the AUTHENTICATE_MESSAGE in transit.
class TamperedAuthenticate : public ::testing::Test {
 protected:
  Outcome after(const std::function<void(Exchange&)>& tamper) {
    Client client(testing::client_config());
    Acceptor acceptor(testing::acceptor_config(testing::lab_account()));
    Exchange e = first_two(client, acceptor);
    tamper(e);
    Outcome o;
    o.result = acceptor.step(e.authenticate);
    o.status = acceptor.status();
    EXPECT_FALSE(acceptor.wrap(text("x")).ok());  // no keys after a failure
    return o;
  }
  static std::size_t mic_at(const Exchange& e) {
    return AuthenticateMessage::decode(e.authenticate)->mic_offset();
  }
  static std::size_t nt_response_at(const Exchange& e) { return read_u32(e.authenticate, 24); }
};

TEST_F(TamperedAuthenticate, Mic) {
  expect_refused(after([](Exchange& e) { e.authenticate[mic_at(e) + 3] ^= 0x01; }),
                 kSecEMessageAltered, "MIC");
}

TEST_F(TamperedAuthenticate, NtProofStr) {
  expect_refused(after([](Exchange& e) { e.authenticate[nt_response_at(e)] ^= 0x01; }),
                 STATUS_LOGON_FAILURE, "does not match the account's password");
}

TEST_F(TamperedAuthenticate, WorkstationIsCoveredByTheMic) {
  expect_refused(after([](Exchange& e) {
                   auto m = AuthenticateMessage::decode(e.authenticate);
                   m->workstation = testing::utf16("EVIL");
                   e.authenticate = wire::encode_to_vector(*m);
                 }),
                 kSecEMessageAltered, "MIC");
}

TEST_F(TamperedAuthenticate, NotAnNtlmMessage) {
  expect_refused(after([](Exchange& e) { e.authenticate.resize(40); }), kSecEInvalidToken,
                 "AUTHENTICATE_MESSAGE");
}

TEST_F(TamperedAuthenticate, Ntlmv1ResponseIsRefused) {
  expect_refused(after([](Exchange& e) {
                   auto m = AuthenticateMessage::decode(e.authenticate);
                   m->nt_challenge_response.assign(24, 0x11);
                   m->mic.reset();
                   e.authenticate = wire::encode_to_vector(*m);
                 }),
                 STATUS_LOGON_FAILURE, "NTLMv2 only");
}

TEST_F(TamperedAuthenticate, AnonymousIsRefused) {
  expect_refused(after([](Exchange& e) {
                   AuthenticateMessage m;
                   m.flags = AuthenticateMessage::decode(e.authenticate)->flags;
                   e.authenticate = wire::encode_to_vector(m);
                 }),
                 STATUS_LOGON_FAILURE, "anonymous");
}

// The CHALLENGE altered on the way to the client: the client answers it, but the MIC covers the
// CHALLENGE the acceptor sent.
TEST_F(TamperedAuthenticate, ChallengeAlteredInTransit) {
  Client client(testing::client_config());
  Acceptor acceptor(testing::acceptor_config(testing::lab_account()));
  auto n = client.step({});
  auto c = acceptor.step(n->token);
  ASSERT_TRUE(c.ok());
  auto challenge = ChallengeMessage::decode(c->token);
  challenge->target_name = testing::utf16("EVIL");
  auto a = client.step(wire::encode_to_vector(*challenge));
  ASSERT_TRUE(a.ok()) << a.error().message();
  auto r = acceptor.step(a->token);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(acceptor.status(), kSecEMessageAltered);
}

TEST(NtlmExchange, StaleTimestampIsRefused) {
  Client client(testing::client_config());
  auto config = testing::acceptor_config(testing::lab_account());
  // The acceptor's clock reads 37 hours later when the AUTHENTICATE arrives.
  auto calls = std::make_shared<int>(0);
  config.now = [calls] {
    return testing::kLabTime + (++*calls > 1 ? 37ull * 3600 * 10'000'000 : 0);
  };
  Acceptor acceptor(config);
  auto r = acceptor.step(first_two(client, acceptor).authenticate);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(acceptor.status(), STATUS_LOGON_FAILURE);
  EXPECT_EQ(r.error().field, "NtChallengeResponse.TimeStamp");
}

TEST(NtlmExchange, NtHashAsHexWorksLikeThePassword) {
  const std::string hex = testing::to_hex(nt_hash("S3cret-Pa55"));
  auto account = Account::with_nt_hash("probe", "LAB", hex);
  ASSERT_TRUE(account.ok()) << account.error().message();
  EXPECT_EQ(account->nt_hash, testing::lab_account().nt_hash);
  EXPECT_TRUE(authenticate(Names{}, *account).result.ok());
  // Upper-case hex too.
  std::string upper = hex;
  for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  EXPECT_TRUE(authenticate(Names{}, *Account::with_nt_hash("probe", "LAB", upper)).result.ok());

  auto short_hash = Account::with_nt_hash("probe", "LAB", hex.substr(1));
  ASSERT_FALSE(short_hash.ok());
  EXPECT_NE(short_hash.error().message().find("32 hexadecimal digits"), std::string::npos);
  auto not_hex = Account::with_nt_hash("probe", "LAB", std::string(31, '0') + "g");
  ASSERT_FALSE(not_hex.ok());
  // The message never repeats the value.
  EXPECT_EQ(not_hex.error().message().find("0000"), std::string::npos);
}

// A fresh client's answer to the acceptor's CHALLENGE altered by `edit`.
struct ClientAnswer {
  std::unique_ptr<Client> client;
  Result<Step> result = Step{};
};
ClientAnswer client_answer(const std::function<void(ChallengeMessage&)>& edit) {
  ClientAnswer out;
  out.client = std::make_unique<Client>(testing::client_config());
  Acceptor acceptor(testing::acceptor_config(testing::lab_account()));
  auto challenge = ChallengeMessage::decode(acceptor.step(out.client->step({})->token)->token);
  edit(*challenge);
  out.result = out.client->step(wire::encode_to_vector(*challenge));
  return out;
}

TEST(NtlmClient, RefusesAChallengeWithoutNtlmv2Essentials) {
  const std::pair<std::function<void(ChallengeMessage&)>, std::string_view> cases[] = {
      {[](ChallengeMessage& c) { c.flags &= ~NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY; },
       "does not offer NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY"},
      {[](ChallengeMessage& c) {
         c.flags &= ~NTLMSSP_NEGOTIATE_TARGET_INFO;
         c.target_info.pairs.clear();
       },
       "carries no target information"},
      {[](ChallengeMessage& c) { c.target_info.pairs.clear(); }, "carries no target information"},
      {[](ChallengeMessage& c) { c.flags &= ~NTLMSSP_NEGOTIATE_UNICODE; }, "Unicode"},
      {[](ChallengeMessage& c) { c.flags &= ~NTLMSSP_NEGOTIATE_128; }, "128-bit"},
      {[](ChallengeMessage& c) { c.flags &= ~NTLMSSP_NEGOTIATE_SEAL; }, "signing and sealing"},
  };
  for (const auto& [edit, says] : cases) {
    ClientAnswer a = client_answer(edit);
    ASSERT_FALSE(a.result.ok()) << says;
    EXPECT_EQ(a.result.error().where, "NTLM CHALLENGE_MESSAGE");
    EXPECT_EQ(a.result.error().field, "NegotiateFlags");
    EXPECT_NE(a.result.error().what.find(says), std::string::npos) << a.result.error().message();
    // The context is dead: no second try, no keys.
    EXPECT_FALSE(a.client->step({}).ok());
    EXPECT_FALSE(a.client->wrap(text("x")).ok());
  }
  // The unaltered CHALLENGE is answered.
  EXPECT_TRUE(client_answer([](ChallengeMessage&) {}).result.ok());
}

TEST(NtlmClient, GarbageAndOutOfOrderTokens) {
  Client client(testing::client_config());
  EXPECT_FALSE(client.wrap(text("early")).ok());
  EXPECT_FALSE(client.get_mic(text("early")).ok());
  ASSERT_TRUE(client.step({}).ok());
  auto r = client.step(text("not a challenge at all"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().where, "NTLM CHALLENGE_MESSAGE");
  EXPECT_EQ(r.error().field, "Signature");

  Client eager(testing::client_config());
  EXPECT_FALSE(eager.step(text("token before NEGOTIATE")).ok());
}

TEST(NtlmAcceptor, RefusesWeakOrMalformedNegotiate) {
  NegotiateMessage weak;
  weak.flags = Client::kNegotiateFlags & ~NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY;
  Acceptor acceptor(testing::acceptor_config(testing::lab_account()));
  auto r = acceptor.step(wire::encode_to_vector(weak));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(acceptor.status(), kSecEUnsupportedFunction);
  EXPECT_FALSE(acceptor.step({}).ok());  // failed for good

  Acceptor other(testing::acceptor_config(testing::lab_account()));
  r = other.step(text("GET / HTTP/1.1\r\n\r\n"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(other.status(), kSecEInvalidToken);
  EXPECT_NE(r.error().message().find("Signature"), std::string::npos) << r.error().message();
}

// An AUTHENTICATE assembled by hand from the 3.3.2 functions, the way a client that computes
// ResponseKeyNT with a NIL UserDom (but sends its domain) does, and without key exchange: the
// acceptor accepts it [3.2.5.1.2] and both sides then use the session base key.
TEST(NtlmAcceptor, AcceptsAResponseComputedWithAnEmptyUserDomAndNoKeyExchange) {
  Acceptor acceptor(testing::acceptor_config(testing::lab_account()));
  NegotiateMessage negotiate;
  negotiate.flags = Client::kNegotiateFlags & ~NTLMSSP_NEGOTIATE_KEY_EXCH;
  auto c = acceptor.step(wire::encode_to_vector(negotiate));
  ASSERT_TRUE(c.ok()) << c.error().message();
  auto challenge = ChallengeMessage::decode(c->token);
  ASSERT_TRUE(challenge.ok());
  EXPECT_EQ(challenge->flags & NTLMSSP_NEGOTIATE_KEY_EXCH, 0u);

  NtlmV2ClientChallenge temp;
  temp.timestamp = *challenge->target_info.timestamp();
  temp.challenge_from_client = {1, 2, 3, 4, 5, 6, 7, 8};
  temp.av_pairs = challenge->target_info;
  const ByteVector temp_bytes = wire::encode_to_vector(temp);
  const Key key = ntowfv2(nt_hash("S3cret-Pa55"), testing::utf16("probe"), {});
  const Key proof = nt_proof_str(key, challenge->server_challenge, temp_bytes);

  AuthenticateMessage m;
  m.flags = challenge->flags & ~NTLMSSP_NEGOTIATE_TARGET_INFO;
  m.user_name = testing::utf16("probe");
  m.domain_name = testing::utf16("LAB");
  m.nt_challenge_response.assign(proof.begin(), proof.end());
  m.nt_challenge_response.insert(m.nt_challenge_response.end(), temp_bytes.begin(),
                                 temp_bytes.end());
  auto done = acceptor.step(wire::encode_to_vector(m));
  ASSERT_TRUE(done.ok()) << done.error().message();

  SessionSecurity client(SessionSecurity::Role::Client, session_base_key(key, proof), m.flags);
  auto plain = acceptor.unwrap(client.wrap(text("no key exchange")));
  ASSERT_TRUE(plain.ok()) << plain.error().message();
  EXPECT_EQ(*plain, text("no key exchange"));
  // Without key exchange the checksum travels unencrypted: it is the HMAC's first 8 bytes.
  auto from_acceptor = acceptor.get_mic(text("m"));
  ASSERT_TRUE(from_acceptor.ok());
  const Key server_sign = sign_key(session_base_key(key, proof), KeyDirection::ServerToClient);
  const ByteVector seq0 = {0, 0, 0, 0};
  const Key mac = crypto::hmac_md5(server_sign, {seq0, text("m")});
  EXPECT_EQ(ByteVector(from_acceptor->begin() + 4, from_acceptor->begin() + 12),
            ByteVector(mac.begin(), mac.begin() + 8));
  EXPECT_TRUE(client.verify_mic(text("m"), *from_acceptor).ok());
}

}  // namespace
}  // namespace rdwarm::auth::ntlm
