// NLA in the connector: the client's CredSSP against the server side of the same protocol
// (credssp_server.hpp) with rdwarm's NTLM acceptor inside SPNEGO, over a real certificate's key.
// No sockets: the bytes go straight from one state machine to the other.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "licensing/auth/ntlm/acceptor.hpp"
#include "licensing/auth/ntlm/client.hpp"
#include "licensing/auth/spnego/acceptor.hpp"
#include "licensing/auth/spnego/client.hpp"
#include "licensing/connector/connector.hpp"
#include "licensing/connector/credssp_server.hpp"
#include "licensing/crypto/credssp_binding.hpp"
#include "licensing/wire/credssp.hpp"
#include "licensing/wire/spnego.hpp"
#include "licensing/wire/x224.hpp"
#include "tests/support/test_chain.hpp"
#include "tests/unit/connector/scripted_server.hpp"

namespace rdwarm::connector {
namespace {

using testing::ScriptedServer;
namespace cs = wire::credssp;

constexpr const char* kPassword = "Correct-Horse-9";

auth::Credentials credentials(std::string password = kPassword, std::string user = "probe") {
  auth::Credentials c;
  c.user = std::move(user);
  c.domain = "LAB";
  c.password = auth::Secret(std::move(password));
  c.source = "test";
  return c;
}

struct ServerSide {
  auth::ntlm::Account account =
      auth::ntlm::Account::with_password("probe", "LAB", auth::Secret(kPassword));
  std::uint32_t version = cs::kHighestVersion;
  std::uint32_t selected = wire::PROTOCOL_HYBRID_EX;
  std::uint32_t authorization = cs::AUTHZ_SUCCESS;
};

class NlaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    certificate_ = test::make_chain("LAB-LS", "LAB-SH01", 30).back();
    auto key = crypto::credssp::subject_public_key(certificate_);
    ASSERT_TRUE(key.ok()) << key.error().message();
    public_key_ = std::move(key).value();
  }

  ConnectorConfig config(auth::Credentials creds, auth::TokenFormat format) {
    ConnectorConfig c;
    c.identity = ClientIdentity::for_machine("VDI-HOST-042");
    c.random = [n = std::uint8_t{7}](std::span<std::uint8_t> out) mutable {
      for (auto& b : out) b = n++;
    };
    // rdwarm's own NTLM on every platform (on Windows the default would be SSPI, which wine
    // cannot complete): these tests are about the connector's CredSSP.
    c.make_security_context = [creds, format]() -> std::unique_ptr<auth::SecurityContext> {
      auth::ntlm::ClientConfig nc;
      nc.credentials = creds;
      nc.workstation = "VDI-HOST-042";
      nc.target_spn = "TERMSRV/lab-sh01";
      auto ntlm = std::make_unique<auth::ntlm::Client>(std::move(nc));
      if (format == auth::TokenFormat::kRawNtlm) return ntlm;
      return std::make_unique<auth::spnego::Client>(std::move(ntlm), wire::spnego::OID_NTLMSSP);
    };
    c.credentials = std::move(creds);
    return c;
  }

  // Runs the exchange until the server finishes or refuses; returns the server.
  std::unique_ptr<CredsspServer> run(ClientConnector& c, const ServerSide& side,
                                     wire::Bytes server_key = {}) {
    c.start();
    auto cr = wire::ConnectionRequest::decode(c.take_output());
    EXPECT_TRUE(cr.ok());
    EXPECT_EQ(cr->negotiation->requested_protocols,
              wire::PROTOCOL_SSL | wire::PROTOCOL_HYBRID | wire::PROTOCOL_HYBRID_EX);
    c.receive(ScriptedServer::confirm({wire::EXTENDED_CLIENT_DATA_SUPPORTED, side.selected}));
    EXPECT_TRUE(c.wants_tls());
    c.tls_established(certificate_);
    EXPECT_EQ(c.phase(), Phase::Authentication);

    auto ntlm = std::make_unique<auth::ntlm::Acceptor>(
        auth::ntlm::AcceptorConfig{side.account, "LAB-SH01", "LAB", "", "", {}, {}});
    auto* ntlm_ptr = ntlm.get();
    CredsspServerConfig sc;
    sc.acceptor = std::make_unique<auth::spnego::Acceptor>(
        std::move(ntlm), wire::spnego::OID_NTLMSSP,
        std::vector<std::uint8_t>{'N', 'T', 'L', 'M', 'S', 'S', 'P', 0});
    sc.refusal_status = [ntlm_ptr] { return ntlm_ptr->status(); };
    sc.server_public_key = server_key.empty()
                               ? public_key_
                               : std::vector<std::uint8_t>(server_key.begin(), server_key.end());
    sc.version = side.version;
    auto server = std::make_unique<CredsspServer>(std::move(sc));
    for (int round = 0; round < 6 && !c.done() && !server->finished(); ++round) {
      // The server reads one TSRequest; with HYBRID the Connect-Initial follows in the same
      // write and stays for expect_connect_initial().
      auto out = c.take_output();
      auto n = cs::ts_request_frame_length(out);
      EXPECT_TRUE(n.ok() && n->has_value());
      if (!n.ok() || !n->has_value()) break;
      pending_.assign(out.begin() + static_cast<std::ptrdiff_t>(**n), out.end());
      out.resize(**n);
      auto reply = server->receive(out);
      if (!reply) {
        server_error_ = reply.error().message();
        if (!server->refusal().empty()) c.receive(server->refusal());
        if (!c.done()) c.connection_closed();
        return server;
      }
      c.receive(*reply);
    }
    if (server->finished() && side.selected == wire::PROTOCOL_HYBRID_EX) {
      EXPECT_FALSE(c.has_output()) << "nothing before the Early User Authorization Result";
      c.receive(wire::encode_to_vector(cs::EarlyUserAuthorizationResult{side.authorization}));
    }
    return server;
  }

  void expect_connect_initial(ClientConnector& c) {
    ASSERT_FALSE(c.done()) << c.outcome().detail;
    EXPECT_EQ(c.phase(), Phase::BasicSettings);
    auto out = std::exchange(pending_, {});
    const auto more = c.take_output();
    out.insert(out.end(), more.begin(), more.end());
    auto x = wire::decode_x224_frame(out);
    ASSERT_TRUE(x.ok()) << x.error().message();
    auto ci = wire::ConnectInitial::decode(x->payload);
    ASSERT_TRUE(ci.ok()) << ci.error().message();
  }

  std::vector<std::uint8_t> certificate_;
  std::vector<std::uint8_t> public_key_;
  std::vector<std::uint8_t> pending_;  // client bytes after the last TSRequest
  std::string server_error_;           // why the server refused, for failure messages
};

TEST_F(NlaTest, RightPasswordInSpnegoReachesMcsAfterEarlyAuthorization) {
  ClientConnector c(config(credentials(), auth::TokenFormat::kSpnego));
  auto server = run(c, {});
  ASSERT_TRUE(server->finished());
  EXPECT_EQ(server->delegated_user(), "probe");
  EXPECT_EQ(server->delegated_domain(), "LAB");
  expect_connect_initial(c);
  EXPECT_EQ(c.outcome().credssp_version, 6u);
  EXPECT_EQ(c.outcome().auth_mechanism, "NTLM");
  EXPECT_EQ(c.outcome().authorization_result, cs::AUTHZ_SUCCESS);
}

TEST_F(NlaTest, BareNtlmTokensWorkLikeFreeRdp2) {
  ClientConnector c(config(credentials(), auth::TokenFormat::kRawNtlm));
  auto server = run(c, {});
  ASSERT_TRUE(server->finished());
  expect_connect_initial(c);
}

TEST_F(NlaTest, HybridWithoutExGoesStraightToMcs) {
  ClientConnector c(config(credentials(), auth::TokenFormat::kSpnego));
  ServerSide side;
  side.selected = wire::PROTOCOL_HYBRID;
  auto server = run(c, side);
  ASSERT_TRUE(server->finished());
  expect_connect_initial(c);
  EXPECT_FALSE(c.outcome().authorization_result.has_value());
}

TEST_F(NlaTest, EveryCredsspVersionBindsToTheTlsKey) {
  // 2..4 echo the key (first byte + 1), 5 and 6 use the SHA-256 binding hashes with the nonce.
  for (std::uint32_t v = 2; v <= 6; ++v) {
    ClientConnector c(config(credentials(), auth::TokenFormat::kSpnego));
    ServerSide side;
    side.version = v;
    auto server = run(c, side);
    ASSERT_TRUE(server->finished()) << "version " << v << ": " << c.outcome().detail;
    expect_connect_initial(c);
    EXPECT_EQ(c.outcome().credssp_version, v);
  }
}

TEST_F(NlaTest, WrongPasswordIsAuthenticationFailedWithTheServersErrorCode) {
  ClientConnector c(config(credentials("wrong-password"), auth::TokenFormat::kSpnego));
  auto server = run(c, {});
  ASSERT_TRUE(c.done());
  EXPECT_EQ(c.outcome().kind, OutcomeKind::AuthenticationFailed);
  EXPECT_EQ(c.outcome().phase, Phase::Authentication);
  EXPECT_EQ(c.outcome().nla_error_code, cs::STATUS_LOGON_FAILURE);
  EXPECT_NE(c.outcome().detail.find("STATUS_LOGON_FAILURE"), std::string::npos)
      << c.outcome().detail;
  EXPECT_EQ(c.outcome().detail.find("wrong-password"), std::string::npos);
}

TEST_F(NlaTest, VersionTwoServersJustCloseOnAWrongPassword) {
  ClientConnector c(config(credentials("wrong-password"), auth::TokenFormat::kSpnego));
  ServerSide side;
  side.version = 2;
  auto server = run(c, side);
  EXPECT_TRUE(server->refusal().empty()) << "no errorCode before version 3";
  ASSERT_TRUE(c.done());
  EXPECT_EQ(c.outcome().kind, OutcomeKind::AuthenticationFailed);
  EXPECT_FALSE(c.outcome().nla_error_code.has_value());
}

TEST_F(NlaTest, AccountStatesAreReportedByName) {
  struct Case {
    auth::ntlm::AccountState state;
    std::uint32_t status;
    const char* name;
  };
  for (const Case k : {Case{auth::ntlm::AccountState::Disabled, cs::STATUS_ACCOUNT_DISABLED,
                            "STATUS_ACCOUNT_DISABLED"},
                       Case{auth::ntlm::AccountState::PasswordExpired, cs::STATUS_PASSWORD_EXPIRED,
                            "STATUS_PASSWORD_EXPIRED"},
                       Case{auth::ntlm::AccountState::LockedOut, cs::STATUS_ACCOUNT_LOCKED_OUT,
                            "STATUS_ACCOUNT_LOCKED_OUT"}}) {
    ClientConnector c(config(credentials(), auth::TokenFormat::kSpnego));
    ServerSide side;
    side.account.state = k.state;
    run(c, side);
    ASSERT_TRUE(c.done()) << k.name;
    EXPECT_EQ(c.outcome().kind, OutcomeKind::AuthenticationFailed) << k.name;
    EXPECT_EQ(c.outcome().nla_error_code, k.status) << k.name << ": " << server_error_;
    EXPECT_NE(c.outcome().detail.find(k.name), std::string::npos) << c.outcome().detail;
  }
}

TEST_F(NlaTest, AccessDeniedInTheEarlyAuthorizationResult) {
  ClientConnector c(config(credentials(), auth::TokenFormat::kSpnego));
  ServerSide side;
  side.authorization = cs::AUTHZ_ACCESS_DENIED;
  auto server = run(c, side);
  ASSERT_TRUE(server->finished());
  ASSERT_TRUE(c.done());
  EXPECT_EQ(c.outcome().kind, OutcomeKind::AuthenticationFailed);
  EXPECT_EQ(c.outcome().authorization_result, cs::AUTHZ_ACCESS_DENIED);
  EXPECT_NE(c.outcome().detail.find("AUTHZ_ACCESS_DENIED"), std::string::npos)
      << c.outcome().detail;
}

TEST_F(NlaTest, AServerWithAnotherTlsKeyIsRefused) {
  // What a TLS-intercepting middlebox looks like: the key we saw is not the server's.
  const auto other = test::make_chain("LAB-LS", "MITM", 30).back();
  auto other_key = crypto::credssp::subject_public_key(other);
  ASSERT_TRUE(other_key.ok());
  ClientConnector c(config(credentials(), auth::TokenFormat::kSpnego));
  auto server = run(c, {}, *other_key);
  EXPECT_FALSE(server->finished());
  ASSERT_TRUE(c.done());
  EXPECT_NE(c.outcome().kind, OutcomeKind::Licensed);
  // The server checks our binding against its own key and refuses; we never reach MCS.
  EXPECT_EQ(c.outcome().kind, OutcomeKind::AuthenticationFailed) << c.outcome().detail;
  EXPECT_EQ(c.outcome().phase, Phase::Authentication);
  EXPECT_EQ(c.outcome().nla_error_code, cs::kSecEInvalidToken) << server_error_;
}

TEST_F(NlaTest, WithoutCredentialsOnlyTlsIsOffered) {
  ConnectorConfig cfg = config(credentials(), auth::TokenFormat::kSpnego);
  cfg.credentials.reset();
  ClientConnector c(std::move(cfg));
  c.start();
  auto cr = wire::ConnectionRequest::decode(c.take_output());
  ASSERT_TRUE(cr.ok());
  EXPECT_EQ(cr->negotiation->requested_protocols, wire::PROTOCOL_SSL);
  // A server that picks HYBRID anyway gets no CredSSP from us.
  c.receive(ScriptedServer::confirm({0, wire::PROTOCOL_HYBRID}));
  ASSERT_TRUE(c.done());
  EXPECT_EQ(c.outcome().kind, OutcomeKind::NegotiationFailure);
}

TEST_F(NlaTest, ServerClosingBeforeOurCredentialsIsAProtocolError) {
  ClientConnector c(config(credentials(), auth::TokenFormat::kSpnego));
  c.start();
  c.take_output();
  c.receive(ScriptedServer::confirm({0, wire::PROTOCOL_HYBRID}));
  c.tls_established(certificate_);
  ASSERT_TRUE(c.has_output());
  c.connection_closed();
  ASSERT_TRUE(c.done());
  EXPECT_EQ(c.outcome().kind, OutcomeKind::ProtocolError);
  EXPECT_EQ(c.outcome().phase, Phase::Authentication);
}

TEST_F(NlaTest, GarbageInsteadOfATsRequestIsAProtocolError) {
  ClientConnector c(config(credentials(), auth::TokenFormat::kSpnego));
  c.start();
  c.take_output();
  c.receive(ScriptedServer::confirm({0, wire::PROTOCOL_HYBRID}));
  c.tls_established(certificate_);
  const std::vector<std::uint8_t> tpkt{0x03, 0x00, 0x00, 0x08, 0x02, 0xf0, 0x80, 0x00};
  c.receive(tpkt);
  ASSERT_TRUE(c.done());
  EXPECT_EQ(c.outcome().kind, OutcomeKind::ProtocolError);
}

}  // namespace
}  // namespace rdwarm::connector
