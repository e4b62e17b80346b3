// The probe against real peers on loopback: xrdp 0.9 and FreeRDP's shadow server, started by the
// tests, and hostile or silent loopback listeners. Also the rdwarm binary's exit codes and JSON.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <thread>

#include "licensing/probe/probe.hpp"
#include "licensing/wire/licensing_common.hpp"
#include "licensing/wire/x224.hpp"
#include "tests/support/peers.hpp"
#include "tests/support/ports.hpp"
#include "tests/support/shell_command.hpp"

namespace rdwarm::testing {
namespace {

using connector::CertificateKind;
using connector::LicensedKind;
using connector::OutcomeKind;
using connector::Phase;
using namespace std::chrono_literals;
namespace lic = wire::lic;

probe::ProbeOptions options_for(std::uint16_t port) {
  probe::ProbeOptions o;
  o.port = port;
  o.connect_timeout = 1000ms;
  o.phase_timeout = 3000ms;
  o.overall_timeout = 8000ms;
  o.identity = connector::ClientIdentity::for_machine("RDWARM-TEST");
  return o;
}

testing::ShellResult run_rdwarm(const std::string& args) {
  return testing::run_shell(std::string(RDWARM_BINARY) + " " + args);
}

// A loopback listener that accepts one connection, optionally writes bytes, then holds it open.
class LoopbackPeer {
 public:
  explicit LoopbackPeer(std::vector<std::uint8_t> reply = {}) : reply_(std::move(reply)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(fd_, 4);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] {
      const int client = ::accept(fd_, nullptr, nullptr);
      if (client < 0) return;
      std::uint8_t sink[512];
      (void)::recv(client, sink, sizeof sink, 0);  // the X.224 Connection Request
      if (!reply_.empty()) (void)::send(client, reply_.data(), reply_.size(), MSG_NOSIGNAL);
      while (!stop_) std::this_thread::sleep_for(10ms);
      ::close(client);
    });
  }
  ~LoopbackPeer() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  LoopbackPeer(const LoopbackPeer&) = delete;
  LoopbackPeer& operator=(const LoopbackPeer&) = delete;
  std::uint16_t port() const { return port_; }

 private:
  std::vector<std::uint8_t> reply_;
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

TEST(ProbeInterop, XrdpRunsTheWholeClientLicensingAndReachesDemandActive) {
  RDWARM_REQUIRE_PEER(Peer::xrdp);
  XrdpServer xrdp;
  const auto r = probe::run_probe(options_for(xrdp.port()));
  const auto& o = r.outcome;
  ASSERT_EQ(o.kind, OutcomeKind::Licensed) << o.detail << "\n" << xrdp.log();
  EXPECT_EQ(o.licensed, LicensedKind::ValidClient);
  EXPECT_TRUE(o.demand_active);
  // xrdp 0.9 sends a License Request with a proprietary certificate, takes our New License
  // Request and answers STATUS_VALID_CLIENT.
  EXPECT_EQ(o.licensing_messages,
            (std::vector<std::uint8_t>{lic::LICENSE_REQUEST, lic::NEW_LICENSE_REQUEST,
                                       lic::ERROR_ALERT}));
  EXPECT_EQ(o.server_certificate.kind, CertificateKind::Proprietary);
  EXPECT_FALSE(r.tls_version.empty());
  std::vector<Phase> phases;
  for (const auto& t : r.timings) phases.push_back(t.phase);
  EXPECT_EQ(phases, (std::vector<Phase>{Phase::TcpConnect, Phase::Negotiation, Phase::Tls,
                                        Phase::BasicSettings, Phase::ChannelConnection,
                                        Phase::Licensing, Phase::Capabilities}));
}

TEST(ProbeInterop, BinaryAgainstXrdpPrintsJsonAndExitsZero) {
  RDWARM_REQUIRE_PEER(Peer::xrdp);
  XrdpServer xrdp;
  const auto r = run_rdwarm("probe --json 127.0.0.1:" + std::to_string(xrdp.port()));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto j = nlohmann::json::parse(r.output);
  EXPECT_EQ(j["schema"], "rdwarm.probe/1");
  EXPECT_EQ(j["outcome"], "Licensed");
  EXPECT_EQ(j["licensing"]["licensed"], "valid-client");
  EXPECT_EQ(j["server_certificate"]["kind"], "proprietary");
  EXPECT_GE(j["phases"].size(), 7u);
  const auto text = run_rdwarm("probe 127.0.0.1:" + std::to_string(xrdp.port()));
  EXPECT_NE(text.output.find("Licensed"), std::string::npos) << text.output;
  EXPECT_NE(text.output.find("proprietary"), std::string::npos);
}

TEST(ProbeInterop, XrdpWithStandardSecurityOnlyIsANegotiationVerdict) {
  RDWARM_REQUIRE_PEER(Peer::xrdp);
  XrdpServer xrdp(XrdpOptions{XrdpSecurityLayer::rdp});
  const auto r = probe::run_probe(options_for(xrdp.port()));
  EXPECT_EQ(r.outcome.kind, OutcomeKind::NegotiationFailure) << r.outcome.detail;
  EXPECT_FALSE(r.outcome.nla_required());
}

TEST(ProbeInterop, FreeRdpShadowAnswersValidClientRightAway) {
  RDWARM_REQUIRE_PEER(Peer::shadow);
  ShadowServer shadow(shared_xvfb_display());
  const auto r = probe::run_probe(options_for(shadow.port()));
  ASSERT_EQ(r.outcome.kind, OutcomeKind::Licensed) << r.outcome.detail << "\n" << shadow.log();
  EXPECT_EQ(r.outcome.licensed, LicensedKind::ValidClient);
  EXPECT_EQ(r.outcome.licensing_messages, (std::vector<std::uint8_t>{lic::ERROR_ALERT}));
  EXPECT_TRUE(r.outcome.demand_active);
}

TEST(ProbeInterop, FreeRdpShadowWithNlaIsNlaRequiredExit12AtOnce) {
  RDWARM_REQUIRE_PEER(Peer::shadow_nla);
  ShadowOptions opts;
  opts.security = ShadowSecurity::nla;
  ShadowServer shadow(shared_xvfb_display(), opts);
  const auto r = probe::run_probe(options_for(shadow.port()));
  EXPECT_EQ(r.outcome.kind, OutcomeKind::NegotiationFailure);
  EXPECT_TRUE(r.outcome.nla_required());
  const auto start = std::chrono::steady_clock::now();
  const auto cli = run_rdwarm("probe 127.0.0.1:" + std::to_string(shadow.port()));
  EXPECT_EQ(cli.exit_code, 12) << cli.output;
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s)
      << "NLA required must be a final verdict, not a retry";
  EXPECT_NE(cli.output.find("Network Level Authentication"), std::string::npos);
}

probe::ProbeOptions nla_options(const ShadowOptions& shadow_options, std::uint16_t port,
                                std::string password, auth::TokenFormat format) {
  auto o = options_for(port);
  auth::Credentials c;
  c.user = shadow_options.nla_user;
  c.password = auth::Secret(std::move(password));
  c.source = "test";
  o.credentials = std::move(c);
  o.nla_tokens = format;
  return o;
}

TEST(ProbeInterop, FreeRdpShadowWithNlaAndTheRightPasswordReachesLicensing) {
  // FreeRDP 2's Negotiate takes bare NTLM messages only (no SPNEGO), the SAM file holds the NT
  // hash winpr-hash made: the NTLMv2 exchange, the TLS binding and the delegated credentials are
  // all checked by FreeRDP's own server code.
  RDWARM_REQUIRE_PEER(Peer::shadow_nla);
  ShadowOptions opts;
  opts.security = ShadowSecurity::nla;
  ShadowServer shadow(shared_xvfb_display(), opts);
  const auto r = probe::run_probe(
      nla_options(opts, shadow.port(), opts.nla_password, auth::TokenFormat::kRawNtlm));
  ASSERT_EQ(r.outcome.kind, OutcomeKind::Licensed) << r.outcome.detail << "\n" << shadow.log();
  EXPECT_EQ(r.outcome.selected_protocol, wire::PROTOCOL_HYBRID);
  EXPECT_EQ(r.outcome.auth_mechanism, "NTLM");
  ASSERT_TRUE(r.outcome.credssp_version.has_value());
  EXPECT_GE(*r.outcome.credssp_version, 2u);
  EXPECT_EQ(r.outcome.licensed, LicensedKind::ValidClient);
  EXPECT_TRUE(r.outcome.demand_active);
  bool authenticated = false;
  for (const auto& t : r.timings) authenticated = authenticated || t.phase == Phase::Authentication;
  EXPECT_TRUE(authenticated) << "the NLA phase is timed";
}

TEST(ProbeInterop, FreeRdpShadowWithNlaAndAWrongPasswordIsAnAuthenticationVerdict) {
  RDWARM_REQUIRE_PEER(Peer::shadow_nla);
  ShadowOptions opts;
  opts.security = ShadowSecurity::nla;
  ShadowServer shadow(shared_xvfb_display(), opts);
  const auto r = probe::run_probe(
      nla_options(opts, shadow.port(), "not-the-password", auth::TokenFormat::kRawNtlm));
  EXPECT_EQ(r.outcome.kind, OutcomeKind::AuthenticationFailed)
      << connector::outcome_kind_name(r.outcome.kind) << ": " << r.outcome.detail << "\n"
      << shadow.log();
  EXPECT_EQ(r.outcome.phase, Phase::Authentication);
  EXPECT_EQ(r.outcome.detail.find("not-the-password"), std::string::npos);
}

TEST(ProbeInterop, FreeRdp2RefusesSpnegoAndTheVerdictSaysWhatToSet) {
  // What Windows sends (SPNEGO) FreeRDP 2.11's Negotiate cannot read: its log says
  // SEC_E_INVALID_TOKEN, its TSRequest says errorCode 0xC00700EA, and the detail points at the
  // bare-NTLM setting.
  RDWARM_REQUIRE_PEER(Peer::shadow_nla);
  ShadowOptions opts;
  opts.security = ShadowSecurity::nla;
  ShadowServer shadow(shared_xvfb_display(), opts);
  const auto r = probe::run_probe(
      nla_options(opts, shadow.port(), opts.nla_password, auth::TokenFormat::kSpnego));
  EXPECT_EQ(r.outcome.kind, OutcomeKind::AuthenticationFailed) << r.outcome.detail;
  EXPECT_EQ(r.outcome.nla_error_code, 0xC00700EAu) << r.outcome.detail;
  EXPECT_NE(r.outcome.detail.find("tokens = \"ntlm\""), std::string::npos) << r.outcome.detail;
}

TEST(ProbeEdges, NothingListeningIsRefusedQuicklyExit13) {
  const auto port = free_loopback_port();
  const auto r = probe::run_probe(options_for(port));
  EXPECT_EQ(r.outcome.kind, OutcomeKind::Refused);
  EXPECT_LT(r.total, 500ms);
  EXPECT_EQ(run_rdwarm("probe 127.0.0.1:" + std::to_string(port)).exit_code, 13);
}

TEST(ProbeEdges, SilentServerTimesOutInNegotiationWithinTheDeadline) {
  LoopbackPeer silent;
  auto o = options_for(silent.port());
  o.phase_timeout = 300ms;
  const auto r = probe::run_probe(o);
  EXPECT_EQ(r.outcome.kind, OutcomeKind::Timeout);
  EXPECT_EQ(r.outcome.phase, Phase::Negotiation);
  EXPECT_GE(r.total, 290ms);
  EXPECT_LT(r.total, 1000ms);
}

TEST(ProbeEdges, ServerStallingAfterConfirmTimesOutInTls) {
  LoopbackPeer stall({0x03, 0x00, 0x00, 0x13, 0x0e, 0xd0, 0x00, 0x00, 0x12, 0x34, 0x00, 0x02, 0x01,
                      0x08, 0x00, 0x01, 0x00, 0x00, 0x00});
  auto o = options_for(stall.port());
  o.phase_timeout = 300ms;
  const auto r = probe::run_probe(o);
  EXPECT_EQ(r.outcome.kind, OutcomeKind::Timeout);
  EXPECT_EQ(r.outcome.phase, Phase::Tls);
}

TEST(ProbeEdges, OverallDeadlineWins) {
  LoopbackPeer silent;
  auto o = options_for(silent.port());
  o.phase_timeout = 5000ms;
  o.overall_timeout = 400ms;
  const auto r = probe::run_probe(o);
  EXPECT_EQ(r.outcome.kind, OutcomeKind::Timeout);
  EXPECT_LT(r.total, 1000ms);
}

TEST(ProbeEdges, HttpAndRandomBytesAreProtocolErrors) {
  const std::string http = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
  LoopbackPeer web(std::vector<std::uint8_t>(http.begin(), http.end()));
  auto r = probe::run_probe(options_for(web.port()));
  EXPECT_EQ(r.outcome.kind, OutcomeKind::ProtocolError);
  EXPECT_NE(r.outcome.detail.find("does not speak slow-path RDP"), std::string::npos)
      << r.outcome.detail;

  std::vector<std::uint8_t> noise(200);
  for (std::size_t i = 0; i < noise.size(); ++i)
    noise[i] = static_cast<std::uint8_t>((i * 73 + 11) % 251);
  noise[0] = 0x03;  // looks like TPKT, then garbage
  LoopbackPeer garbage(noise);
  r = probe::run_probe(options_for(garbage.port()));
  EXPECT_EQ(r.outcome.kind, OutcomeKind::ProtocolError) << r.outcome.detail;
}

}  // namespace
}  // namespace rdwarm::testing
