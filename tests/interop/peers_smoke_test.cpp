// Proves the test peers are really there: each one answers a raw X.224 Connection Request the
// way reference/toolchain-and-peers.md section 3 measured, and xfreerdp completes a connection.
#include <gtest/gtest.h>
#include <signal.h>

#include <array>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/peers.hpp"

namespace rdwarm::testing {
namespace {

using namespace std::chrono_literals;

// TPKT + X.224 Connection Request + RDP_NEG_REQ with requestedProtocols = PROTOCOL_SSL.
constexpr std::array<std::uint8_t, 19> kConnectionRequestSsl = {
    0x03, 0x00, 0x00, 0x13, 0x0e, 0xe0, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x01, 0x00, 0x08, 0x00, 0x01, 0x00, 0x00, 0x00};

constexpr std::uint8_t kX224ConnectionConfirm = 0xd0;
constexpr std::uint8_t kNegResponse = 0x02;
constexpr std::uint8_t kNegFailure = 0x03;
constexpr std::uint32_t kProtocolRdp = 0;
constexpr std::uint32_t kProtocolSsl = 1;
constexpr std::uint32_t kHybridRequiredByServer = 5;

// The RDP_NEG_RSP / RDP_NEG_FAILURE at the end of a 19-byte Connection Confirm.
struct Negotiation {
  std::uint8_t type = 0;
  std::uint32_t value = 0;  // selectedProtocol or failureCode
};

Negotiation negotiate_ssl(std::uint16_t port) {
  const std::vector<std::uint8_t> confirm = exchange_tpkt(port, kConnectionRequestSsl, 10s);
  EXPECT_EQ(confirm.size(), 19U);
  if (confirm.size() != 19U) return {};
  EXPECT_EQ(confirm[5], kX224ConnectionConfirm);
  EXPECT_EQ(confirm[13], 0x08);  // RDP_NEG_* length, little endian
  Negotiation result;
  result.type = confirm[11];
  for (std::size_t i = 0; i < 4; ++i) {
    result.value |= static_cast<std::uint32_t>(confirm[15 + i]) << (8 * i);
  }
  return result;
}

void report_startup(const std::string& peer, std::chrono::milliseconds elapsed) {
  std::cout << "[ startup  ] " << peer << ": " << elapsed.count() << " ms\n";
  ::testing::Test::RecordProperty(peer + "_startup_ms", std::to_string(elapsed.count()));
}

XvfbDisplay& display() {
  XvfbDisplay& shared = shared_xvfb_display();
  report_startup("xvfb", shared.startup_time());
  return shared;
}

TEST(PeersSmokeTest, XrdpNegotiateSelectsSsl) {
  RDWARM_REQUIRE_PEER(Peer::xrdp);
  XrdpServer xrdp;
  report_startup("xrdp", xrdp.startup_time());

  const Negotiation reply = negotiate_ssl(xrdp.port());
  EXPECT_EQ(reply.type, kNegResponse) << xrdp.log();
  EXPECT_EQ(reply.value, kProtocolSsl) << xrdp.log();
}

TEST(PeersSmokeTest, XrdpRdpSecurityLayerSelectsRdpEvenWhenSslIsRequested) {
  RDWARM_REQUIRE_PEER(Peer::xrdp);
  XrdpServer xrdp({.security_layer = XrdpSecurityLayer::rdp});

  const Negotiation reply = negotiate_ssl(xrdp.port());
  EXPECT_EQ(reply.type, kNegResponse) << xrdp.log();
  EXPECT_EQ(reply.value, kProtocolRdp) << xrdp.log();
}

TEST(PeersSmokeTest, ShadowWithoutAuthSelectsSsl) {
  RDWARM_REQUIRE_PEER(Peer::shadow);
  ShadowServer shadow(display());
  report_startup("shadow", shadow.startup_time());

  const Negotiation reply = negotiate_ssl(shadow.port());
  EXPECT_EQ(reply.type, kNegResponse) << shadow.log();
  EXPECT_EQ(reply.value, kProtocolSsl) << shadow.log();
}

TEST(PeersSmokeTest, ShadowWithNlaRefusesSslWithHybridRequired) {
  RDWARM_REQUIRE_PEER(Peer::shadow_nla);
  ShadowServer shadow(display(), {.security = ShadowSecurity::nla});
  report_startup("shadow_nla", shadow.startup_time());

  const Negotiation reply = negotiate_ssl(shadow.port());
  EXPECT_EQ(reply.type, kNegFailure) << shadow.log();
  EXPECT_EQ(reply.value, kHybridRequiredByServer) << shadow.log();
}

TEST(PeersSmokeTest, XfreerdpAuthOnlyAgainstXrdpExitsZero) {
  RDWARM_REQUIRE_PEER(Peer::xrdp);
  RDWARM_REQUIRE_PEER(Peer::xfreerdp);
  XrdpServer xrdp;

  const XfreerdpResult client =
      run_xfreerdp(display(), xrdp.port(), {"/u:x", "/p:y", "+auth-only"}, 30s);
  report_startup("xfreerdp_auth_only_run", client.elapsed);
  EXPECT_FALSE(client.timed_out);
  EXPECT_EQ(client.exit_code, 0) << client.output << "\n" << xrdp.log();
}

// Reads the state letter of /proc/<pid>/stat; 0 when the process is gone.
char process_state(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return 0;
  const auto paren = line.rfind(')');
  return paren + 2 < line.size() ? line[paren + 2] : 0;
}

// The harness promises no stray daemons: a grandchild that ignores SIGTERM dies as well.
TEST(ChildProcessTest, TerminateKillsTheWholeProcessGroup) {
  const ScopedTempDir dir("rdwarm-child");
  ChildProcess shell({"sh", "-c", "trap '' TERM; sleep 1000 & echo $!; wait"},
                     dir.path() / "sh.log");
  pid_t grandchild = 0;
  for (int i = 0; i < 200 && grandchild == 0; ++i) {
    std::ifstream(dir.path() / "sh.log") >> grandchild;
    if (grandchild == 0) std::this_thread::sleep_for(10ms);
  }
  ASSERT_GT(grandchild, 0) << shell.log();
  ASSERT_TRUE(shell.running());

  shell.terminate(200ms);
  EXPECT_FALSE(shell.running());
  EXPECT_EQ(shell.exit_status(), 128 + SIGKILL);  // the trap made SIGKILL necessary
  for (int i = 0; i < 100 && process_state(grandchild) != 0 && process_state(grandchild) != 'Z';
       ++i) {
    std::this_thread::sleep_for(10ms);
  }
  const char state = process_state(grandchild);
  EXPECT_TRUE(state == 0 || state == 'Z') << "grandchild state " << state;
}

}  // namespace
}  // namespace rdwarm::testing
