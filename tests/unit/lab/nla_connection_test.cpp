// NLA in the lab's session host: the server state machine with CredSSP (rdwarm's NTLM acceptor in
// SPNEGO, or bare NTLM) against the probe's real client state machine with credentials, both
// sans-IO, over the key of the lab's real TLS certificate. Every way a Windows host with NLA ends
// a logon: the right password reaches licensing, a wrong one and each account state are refused
// with their NTSTATUS and the lab closes, the Early User Authorization Result denies an account
// without the Remote Desktop right, and a client that offers only TLS still gets code 5.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "lab/session_host/session_host_connection.hpp"
#include "lab/session_host/tls_identity.hpp"
#include "licensing/auth/client_context.hpp"
#include "licensing/crypto/credssp_binding.hpp"
#include "licensing/wire/credssp.hpp"
#include "licensing/wire/errinfo.hpp"
#include "licensing/wire/x224.hpp"
#include "tests/unit/lab/lab_link.hpp"

namespace rdwarm::lab {
namespace {

using connector::OutcomeKind;
using connector::Phase;
using testing::FakeHost;
using testing::Link;
namespace cs = wire::credssp;
using auth::ntlm::AccountState;

// The lab's own TLS certificate (the one rdwarm-lab makes at start), made once.
const std::vector<std::uint8_t>& lab_certificate() {
  static const std::vector<std::uint8_t> der = [] {
    auto context = make_tls_server_context("LAB-SH01");
    return tls_certificate_der(context).value();
  }();
  return der;
}

std::vector<std::uint8_t> lab_public_key() {
  return crypto::credssp::subject_public_key(lab_certificate()).value();
}

ConnectionConfig nla_config(NlaScenario nla = {}) {
  ConnectionConfig c;
  c.nla_required = true;
  c.nla = std::move(nla);
  c.tls_public_key = lab_public_key();
  return c;
}

auth::Credentials credentials(std::string password = std::string(kDefaultNlaPassword),
                              std::string user = "probe", std::string domain = "LAB") {
  auth::Credentials c;
  c.user = std::move(user);
  c.domain = std::move(domain);
  c.password = auth::Secret(std::move(password));
  c.source = "test";
  return c;
}

connector::ConnectorConfig client_with(auth::Credentials creds,
                                       auth::TokenFormat format = auth::TokenFormat::kSpnego) {
  auto c = Link::client_config();
  c.credentials = std::move(creds);
  c.nla.host = "127.0.0.1";
  c.nla.workstation = "LINK-CLIENT";
  c.nla.format = format;
  return c;
}

struct NlaLink {
  explicit NlaLink(ConnectionConfig config, connector::ConnectorConfig client,
                   FakeHost* host = nullptr)
      : link(std::move(config), std::move(client), host, lab_certificate()) {}
  Link link;
};

// The server's X.224 Connection Confirm: its selected protocol, or nullopt for a failure.
std::optional<std::uint32_t> selected_protocol(const std::vector<std::uint8_t>& server_bytes) {
  const auto frames = testing::tpkt_frames(server_bytes);
  if (frames.empty()) return std::nullopt;
  auto cc = wire::ConnectionConfirm::decode(frames[0]);
  if (!cc) return std::nullopt;
  if (const auto* rsp = std::get_if<wire::NegotiationResponse>(&cc->negotiation)) {
    return rsp->selected_protocol;
  }
  return std::nullopt;
}

TEST(LabNla, RightPasswordInSpnegoSelectsHybridExAndReachesLicensing) {
  FakeHost host;
  host.credentials = testing::x509_credentials();
  NlaLink n(nla_config(), client_with(credentials()), &host);
  n.link.run();
  const auto& o = n.link.client.outcome();
  ASSERT_EQ(o.kind, OutcomeKind::Licensed) << o.detail << " / lab: " << n.link.server.report().end;
  EXPECT_TRUE(o.demand_active);
  EXPECT_EQ(o.selected_protocol, wire::PROTOCOL_HYBRID_EX);
  EXPECT_EQ(o.credssp_version, 6u);
  EXPECT_EQ(o.auth_mechanism, "NTLM");
  EXPECT_EQ(o.authorization_result, cs::AUTHZ_SUCCESS);
  EXPECT_EQ(selected_protocol(n.link.all_server_bytes), wire::PROTOCOL_HYBRID_EX);
  EXPECT_EQ(host.licensing_started, 1);
  const auto& r = n.link.server.report();
  EXPECT_TRUE(r.nla_authenticated);
  EXPECT_EQ(r.nla_user, "probe");
  EXPECT_EQ(r.nla_domain, "LAB");
  EXPECT_EQ(r.nla_spnego, true);
  EXPECT_EQ(r.credssp_version, 6u);
  EXPECT_EQ(r.authorization_result, cs::AUTHZ_SUCCESS);
  EXPECT_FALSE(r.nla_refused.has_value());
  EXPECT_EQ(r.verdict, VerdictKind::ValidClient);
}

TEST(LabNla, BareNtlmTokensAsFreeRdp2SendsThemAreAcceptedToo) {
  NlaLink n(nla_config(), client_with(credentials(), auth::TokenFormat::kRawNtlm));
  n.link.run();
  const auto& o = n.link.client.outcome();
  ASSERT_EQ(o.kind, OutcomeKind::Licensed) << o.detail << " / lab: " << n.link.server.report().end;
  EXPECT_TRUE(n.link.server.report().nla_authenticated);
  EXPECT_EQ(n.link.server.report().nla_spnego, false);
  EXPECT_EQ(n.link.server.report().nla_user, "probe");
}

TEST(LabNla, TsRequestsArrivingInPiecesAreReassembled) {
  // TLS may hand the lab a TSRequest a few bytes at a time; it waits for the whole message.
  for (const std::size_t chunk : {std::size_t{1}, std::size_t{7}, std::size_t{100}}) {
    NlaLink n(nla_config(), client_with(credentials()));
    n.link.chunk = chunk;
    n.link.run();
    EXPECT_EQ(n.link.client.outcome().kind, OutcomeKind::Licensed)
        << "chunks of " << chunk << ": " << n.link.client.outcome().detail
        << " / lab: " << n.link.server.report().end;
  }
}

TEST(LabNla, UserAndDomainCompareWithoutCaseAndTheHostNameIsALocalDomain) {
  for (const auto& [user, domain] : std::vector<std::pair<std::string, std::string>>{
           {"PROBE", "lab"}, {"probe", "LAB-SH01"}, {"probe", "."}, {"probe", ""}}) {
    NlaLink n(nla_config(),
              client_with(credentials(std::string(kDefaultNlaPassword), user, domain)));
    n.link.run();
    EXPECT_EQ(n.link.client.outcome().kind, OutcomeKind::Licensed)
        << user << "@" << domain << ": " << n.link.client.outcome().detail;
  }
}

// What the lab sent last: a TSRequest carrying errorCode, then nothing.
std::optional<std::uint32_t> refusal_code(const std::vector<std::uint8_t>& server_bytes) {
  // Confirm (TPKT), then TSRequests: skip the Confirm and walk the DER messages.
  const auto frames = testing::tpkt_frames(server_bytes);
  if (frames.empty()) return std::nullopt;
  wire::Bytes rest(server_bytes.data() + frames[0].size(), server_bytes.size() - frames[0].size());
  std::optional<std::uint32_t> last;
  while (!rest.empty()) {
    auto n = cs::ts_request_frame_length(rest);
    if (!n || !n->has_value()) return std::nullopt;
    auto request = cs::TsRequest::decode(rest.first(**n));
    if (!request) return std::nullopt;
    last = request->error_code;
    rest = rest.subspan(**n);
  }
  return last;
}

TEST(LabNla, WrongPasswordIsRefusedWithLogonFailureAndTheLabCloses) {
  FakeHost host;
  NlaLink n(nla_config(), client_with(credentials("not-the-password")), &host);
  n.link.run();
  const auto& o = n.link.client.outcome();
  ASSERT_EQ(o.kind, OutcomeKind::AuthenticationFailed) << o.detail;
  EXPECT_EQ(o.phase, Phase::Authentication);
  EXPECT_EQ(o.nla_error_code, cs::STATUS_LOGON_FAILURE);
  EXPECT_EQ(refusal_code(n.link.all_server_bytes), cs::STATUS_LOGON_FAILURE);
  EXPECT_EQ(n.link.server.wants_close(), SessionHostConnection::CloseMode::Graceful);
  EXPECT_EQ(host.licensing_started, 0);
  const auto& r = n.link.server.report();
  EXPECT_FALSE(r.nla_authenticated);
  EXPECT_EQ(r.nla_refused, cs::STATUS_LOGON_FAILURE);
  // Who tried is logged even though the logon failed; the password is in no report field.
  EXPECT_EQ(r.nla_user, "probe");
  EXPECT_NE(r.end.find("NLA logon refused"), std::string::npos) << r.end;
  EXPECT_NE(r.end.find("STATUS_LOGON_FAILURE"), std::string::npos) << r.end;
  EXPECT_EQ(r.end.find("not-the-password"), std::string::npos) << r.end;
}

TEST(LabNla, UnknownUserIsALogonFailureToo) {
  NlaLink n(nla_config(), client_with(credentials(std::string(kDefaultNlaPassword), "someone")));
  n.link.run();
  EXPECT_EQ(n.link.client.outcome().kind, OutcomeKind::AuthenticationFailed);
  EXPECT_EQ(n.link.client.outcome().nla_error_code, cs::STATUS_LOGON_FAILURE);
  EXPECT_EQ(n.link.server.report().nla_user, "someone");
}

TEST(LabNla, EachAccountStateIsRefusedWithItsStatusOnlyWithTheRightPassword) {
  struct Case {
    AccountState state;
    std::uint32_t status;
  };
  for (const Case c : {Case{AccountState::Disabled, cs::STATUS_ACCOUNT_DISABLED},
                       Case{AccountState::PasswordExpired, cs::STATUS_PASSWORD_EXPIRED},
                       Case{AccountState::PasswordMustChange, cs::STATUS_PASSWORD_MUST_CHANGE},
                       Case{AccountState::LockedOut, cs::STATUS_ACCOUNT_LOCKED_OUT}}) {
    const auto name = auth::ntlm::name_of(c.state);
    NlaScenario nla;
    nla.account.state = c.state;
    FakeHost host;
    NlaLink n(nla_config(nla), client_with(credentials()), &host);
    n.link.run();
    const auto& o = n.link.client.outcome();
    EXPECT_EQ(o.kind, OutcomeKind::AuthenticationFailed) << name << ": " << o.detail;
    EXPECT_EQ(o.nla_error_code, c.status) << name;
    EXPECT_EQ(refusal_code(n.link.all_server_bytes), c.status) << name;
    EXPECT_EQ(n.link.server.report().nla_refused, c.status) << name;
    EXPECT_NE(n.link.server.report().end.find(cs::status_code_name(c.status)), std::string::npos)
        << n.link.server.report().end;
    EXPECT_EQ(host.licensing_started, 0) << name;
    // A caller without the password learns nothing about the account.
    NlaLink wrong(nla_config(nla), client_with(credentials("guess")));
    wrong.link.run();
    EXPECT_EQ(wrong.link.client.outcome().nla_error_code, cs::STATUS_LOGON_FAILURE) << name;
  }
}

TEST(LabNla, AccountFromAnNtHashAuthenticatesLikeItsPassword) {
  // `winpr-hash -u probe -p lab-only-Passw0rd` prints this (MD4 of the UTF-16LE password).
  const std::string hex = "9b0f9e7b1d5d5d33e0735d093170e077";
  auto scenario = parse_scenario(
      "description = \"h\"\n[host]\nnla_required = true\n"
      "certificate = true\n[nla]\nnt_hash = \"" +
          hex + "\"\n",
      "h.toml", "h");
  ASSERT_TRUE(scenario.ok()) << scenario.error().message();
  EXPECT_EQ(scenario->nla.credential, "nt_hash");
  NlaLink n(nla_config(scenario->nla), client_with(credentials()));
  n.link.run();
  EXPECT_EQ(n.link.client.outcome().kind, OutcomeKind::Licensed) << n.link.client.outcome().detail;
}

TEST(LabNla, AccountWithoutTheRemoteDesktopRightIsDeniedByTheEarlyAuthorizationResult) {
  NlaScenario nla;
  nla.remote_desktop_right = false;
  FakeHost host;
  NlaLink n(nla_config(nla), client_with(credentials()), &host);
  n.link.run();
  const auto& o = n.link.client.outcome();
  ASSERT_EQ(o.kind, OutcomeKind::AuthenticationFailed) << o.detail;
  EXPECT_EQ(o.authorization_result, cs::AUTHZ_ACCESS_DENIED);
  EXPECT_FALSE(o.nla_error_code.has_value());
  const auto& r = n.link.server.report();
  EXPECT_TRUE(r.nla_authenticated);  // the password was right
  EXPECT_EQ(r.authorization_result, cs::AUTHZ_ACCESS_DENIED);
  EXPECT_EQ(n.link.server.wants_close(), SessionHostConnection::CloseMode::Graceful);
  EXPECT_EQ(host.licensing_started, 0);
  // The last four bytes the lab sent are the Early User Authorization Result.
  const auto& bytes = n.link.all_server_bytes;
  ASSERT_GE(bytes.size(), 4u);
  EXPECT_EQ(std::vector<std::uint8_t>(bytes.end() - 4, bytes.end()),
            (std::vector<std::uint8_t>{0x05, 0x00, 0x00, 0x00}));
}

// Clears HYBRID_EX from the client's RDP_NEG_REQ (its last four bytes), leaving SSL | HYBRID.
void offer_hybrid_only(Link& link) {
  link.tamper = [first = true](std::vector<std::uint8_t>& bytes) mutable {
    if (!first) return;
    first = false;
    bytes[bytes.size() - 4] = static_cast<std::uint8_t>(wire::PROTOCOL_SSL | wire::PROTOCOL_HYBRID);
  };
}

TEST(LabNla, HybridWithoutExGoesFromCredsspStraightToMcs) {
  NlaLink n(nla_config(), client_with(credentials()));
  offer_hybrid_only(n.link);
  n.link.run();
  const auto& o = n.link.client.outcome();
  // The client sends its Connect-Initial right behind the last TSRequest: the lab takes both.
  ASSERT_EQ(o.kind, OutcomeKind::Licensed) << o.detail << " / lab: " << n.link.server.report().end;
  EXPECT_EQ(o.selected_protocol, wire::PROTOCOL_HYBRID);
  EXPECT_FALSE(o.authorization_result.has_value());
  EXPECT_FALSE(n.link.server.report().authorization_result.has_value());
  EXPECT_TRUE(n.link.server.report().nla_authenticated);
}

TEST(LabNla, HybridAccountWithoutTheRightIsLicensedThenRefusedTheLogon) {
  NlaScenario nla;
  nla.remote_desktop_right = false;
  FakeHost host;
  NlaLink n(nla_config(nla), client_with(credentials()), &host);
  offer_hybrid_only(n.link);
  n.link.run();
  const auto& o = n.link.client.outcome();
  ASSERT_EQ(o.kind, OutcomeKind::Licensed) << o.detail;
  EXPECT_FALSE(o.demand_active);
  EXPECT_EQ(o.error_info, wire::ERRINFO_SERVER_INSUFFICIENT_PRIVILEGES);
  EXPECT_EQ(host.licensing_started, 1);
  EXPECT_TRUE(n.link.server.report().refused_logon);
}

TEST(LabNla, ClientOfferingOnlyTlsOrStandardSecurityStillGetsHybridRequired) {
  for (const std::uint32_t offered : {wire::PROTOCOL_SSL, wire::PROTOCOL_RDP}) {
    FakeHost host;
    SessionHostConnection server(nla_config(), host);
    wire::ConnectionRequest cr;
    cr.negotiation = wire::NegotiationRequest{0, offered};
    server.receive(wire::encode_to_vector(cr));
    auto cc = wire::ConnectionConfirm::decode(server.take_output());
    ASSERT_TRUE(cc.ok());
    const auto* f = std::get_if<wire::NegotiationFailure>(&cc->negotiation);
    ASSERT_NE(f, nullptr) << offered;
    EXPECT_EQ(f->code, wire::HYBRID_REQUIRED_BY_SERVER);  // 5
    EXPECT_EQ(server.wants_close(), SessionHostConnection::CloseMode::Graceful);
  }
  // And the probe without credentials, end to end.
  NlaLink n(nla_config(), Link::client_config());
  n.link.run();
  EXPECT_EQ(n.link.client.outcome().kind, OutcomeKind::NegotiationFailure);
  EXPECT_EQ(n.link.client.outcome().negotiation_failure, wire::HYBRID_REQUIRED_BY_SERVER);
}

TEST(LabNla, WithoutNlaRequiredACredentialedClientStaysOnTls) {
  FakeHost host;
  Link link({}, client_with(credentials("any")), &host, lab_certificate());
  link.run();
  const auto& o = link.client.outcome();
  ASSERT_EQ(o.kind, OutcomeKind::Licensed) << o.detail;
  EXPECT_EQ(o.selected_protocol, wire::PROTOCOL_SSL);
  EXPECT_FALSE(o.credssp_version.has_value());
}

TEST(LabNla, EveryCredsspVersionTheHostMaySpeak) {
  for (std::uint32_t v = 2; v <= 6; ++v) {
    NlaScenario nla;
    nla.credssp_version = v;
    NlaLink n(nla_config(nla), client_with(credentials()));
    n.link.run();
    const auto& o = n.link.client.outcome();
    EXPECT_EQ(o.kind, OutcomeKind::Licensed) << "version " << v << ": " << o.detail;
    EXPECT_EQ(o.credssp_version, v);
    EXPECT_EQ(n.link.server.report().credssp_version, v);
  }
  // Below version 3 there is no errorCode: the lab just closes on a wrong password.
  NlaScenario old;
  old.credssp_version = 2;
  NlaLink n(nla_config(old), client_with(credentials("wrong")));
  n.link.run();
  EXPECT_EQ(n.link.client.outcome().kind, OutcomeKind::AuthenticationFailed);
  EXPECT_FALSE(n.link.client.outcome().nla_error_code.has_value());
  EXPECT_FALSE(refusal_code(n.link.all_server_bytes).has_value());
  EXPECT_EQ(n.link.server.report().nla_refused, cs::STATUS_LOGON_FAILURE);
}

TEST(LabNla, ClientBoundToAnotherTlsKeyIsRefused) {
  // What a TLS-intercepting middlebox looks like from the host: the client saw another key.
  auto other_context = make_tls_server_context("MITM");
  auto other = tls_certificate_der(other_context);
  ASSERT_TRUE(other.ok());
  FakeHost host;
  Link link(nla_config(), client_with(credentials()), &host, *other);
  link.run();
  EXPECT_NE(link.client.outcome().kind, OutcomeKind::Licensed);
  EXPECT_FALSE(link.server.report().nla_authenticated);
  EXPECT_EQ(link.server.report().nla_refused, cs::kSecEInvalidToken);
  EXPECT_EQ(host.licensing_started, 0);
}

TEST(LabNla, DelegatedPasswordMustBeTheOneThatAuthenticated) {
  // NTLM with the right password, then TSCredentials carrying another one.
  auto client = client_with(credentials("delegated-but-wrong"));
  client.make_security_context = [] {
    return auth::make_client_context(credentials(), {"127.0.0.1", "LINK-CLIENT", {}});
  };
  FakeHost host;
  NlaLink n(nla_config(), std::move(client), &host);
  n.link.run();
  EXPECT_EQ(n.link.client.outcome().kind, OutcomeKind::AuthenticationFailed)
      << n.link.client.outcome().detail;
  EXPECT_EQ(refusal_code(n.link.all_server_bytes), cs::STATUS_LOGON_FAILURE);
  EXPECT_FALSE(n.link.server.report().nla_authenticated);
  EXPECT_EQ(host.licensing_started, 0);
}

TEST(LabNla, StallAtNlaIsATimeoutInAuthenticationAndTheLabClosesAtItsDeadline) {
  auto config = nla_config();
  FaultScenario f;
  f.kind = FaultKind::Stall;
  f.stall = StallPoint::Nla;
  config.fault = f;
  NlaLink n(std::move(config), client_with(credentials()));
  n.link.run();
  ASSERT_FALSE(n.link.client.done()) << n.link.client.outcome().detail;
  EXPECT_EQ(n.link.client.phase(), Phase::Authentication);
  EXPECT_EQ(n.link.server.phase(), HostPhase::Stalled);
  n.link.client.deadline_expired();
  EXPECT_EQ(n.link.client.outcome().kind, OutcomeKind::Timeout);
  EXPECT_EQ(n.link.client.outcome().phase, Phase::Authentication);
  n.link.server.deadline_expired();
  EXPECT_EQ(n.link.server.phase(), HostPhase::Closed);
  EXPECT_NE(n.link.server.report().end.find("stall fault at nla"), std::string::npos)
      << n.link.server.report().end;
}

// The server up to the point where it waits for the first TSRequest.
SessionHostConnection& after_tls(SessionHostConnection& server) {
  wire::ConnectionRequest cr;
  cr.negotiation = wire::NegotiationRequest{
      0, wire::PROTOCOL_SSL | wire::PROTOCOL_HYBRID | wire::PROTOCOL_HYBRID_EX};
  server.receive(wire::encode_to_vector(cr));
  server.take_output();
  server.tls_established();
  return server;
}

TEST(LabNla, SilentClientIsDroppedAtTheDeadlineOfTheAuthenticationPhase) {
  FakeHost host;
  SessionHostConnection server(nla_config(), host);
  after_tls(server);
  EXPECT_EQ(server.phase(), HostPhase::Authentication);
  server.deadline_expired();
  EXPECT_EQ(server.phase(), HostPhase::Closed);
  EXPECT_FALSE(server.has_output());
  EXPECT_NE(server.report().end.find("silent in phase authentication"), std::string::npos)
      << server.report().end;
}

TEST(LabNla, ClientThatSkipsCredsspOrSendsHugeTsRequestsIsClosed) {
  {
    FakeHost host;
    SessionHostConnection server(nla_config(), host);
    // An MCS Connect-Initial where a TSRequest belongs.
    after_tls(server).receive(
        std::vector<std::uint8_t>{0x03, 0x00, 0x00, 0x09, 0x02, 0xf0, 0x80, 0x7f, 0x65});
    EXPECT_EQ(server.phase(), HostPhase::Closed);
    EXPECT_FALSE(server.has_output());
    EXPECT_NE(server.report().end.find("no CredSSP TSRequest"), std::string::npos)
        << server.report().end;
  }
  {
    FakeHost host;
    SessionHostConnection server(nla_config(), host);
    // A SEQUENCE announcing 100000 bytes, sent in pieces: the lab stops buffering at 64 KiB.
    after_tls(server).receive(std::vector<std::uint8_t>{0x30, 0x83, 0x01, 0x86, 0xA0});
    const std::vector<std::uint8_t> chunk(8192, 0xA5);
    for (int i = 0; i < 10 && server.phase() != HostPhase::Closed; ++i) server.receive(chunk);
    EXPECT_EQ(server.phase(), HostPhase::Closed);
    EXPECT_NE(server.report().end.find("larger than 64 KiB"), std::string::npos)
        << server.report().end;
  }
}

}  // namespace
}  // namespace rdwarm::lab
