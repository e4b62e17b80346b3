// Real RDP peers on 127.0.0.1 for interop tests: Xvfb, xrdp, freerdp-shadow-cli and xfreerdp.
// Each server gets a free port and a temp dir for its config and logs; every wait is bounded.
// Why each option is set: see reference/toolchain-and-peers.md section 3.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "tests/support/ports.hpp"
#include "tests/support/process.hpp"

namespace rdwarm::testing {

// A peer did not come up; the message carries its log.
class PeerStartError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class Peer { xvfb, xrdp, shadow, shadow_nla, xfreerdp };

// What is missing on this machine to run `peer` (programs, /etc/xrdp files), naming
// scripts/setup; nullopt when everything is there.
std::optional<std::string> missing_prerequisite(Peer peer);
// RDWARM_SKIP_MISSING_PEERS=1 turns a missing peer from a failure into a skip.
bool skip_missing_peers();

// Fails (or skips, see above) the current test when `peer` cannot run here.
#define RDWARM_REQUIRE_PEER(peer)                                                    \
  do {                                                                               \
    if (const auto rdwarm_missing = ::rdwarm::testing::missing_prerequisite(peer)) { \
      if (::rdwarm::testing::skip_missing_peers()) GTEST_SKIP() << *rdwarm_missing;  \
      FAIL() << *rdwarm_missing;                                                     \
    }                                                                                \
  } while (false)

// `Xvfb :N -screen 0 1280x800x24 -nolisten tcp -noreset` on the first free display from :100.
class XvfbDisplay {
 public:
  XvfbDisplay();

  int number() const { return number_; }
  std::string name() const { return ":" + std::to_string(number_); }  // for DISPLAY
  std::chrono::milliseconds startup_time() const { return startup_time_; }
  bool running() { return process_ && process_->running(); }
  std::string log() const { return process_ ? process_->log() : std::string(); }

 private:
  ScopedTempDir dir_{"rdwarm-xvfb"};
  std::optional<ChildProcess> process_;
  int number_ = -1;
  std::chrono::milliseconds startup_time_{};
};

// One Xvfb for the whole test process, started on first use and stopped at exit.
// Throws PeerStartError (every time) if it could not be started.
XvfbDisplay& shared_xvfb_display();

enum class XrdpSecurityLayer { negotiate, tls, rdp };
enum class XrdpCryptLevel { none, low, medium, high, fips };

struct XrdpOptions {
  XrdpSecurityLayer security_layer = XrdpSecurityLayer::negotiate;
  // Standard RDP security between FreeRDP 2.11 and xrdp 0.9.21 works only with fips.
  XrdpCryptLevel crypt_level = XrdpCryptLevel::high;
  std::string log_level = "DEBUG";
};

// `xrdp --nodaemon -c <dir>/xrdp.ini`, the ini derived from /etc/xrdp/xrdp.ini with
// port=tcp://127.0.0.1:PORT, fork=false and logging into <dir>. No sesman needed.
class XrdpServer {
 public:
  explicit XrdpServer(XrdpOptions options = {});

  std::uint16_t port() const { return port_; }
  const std::filesystem::path& directory() const { return dir_.path(); }
  std::chrono::milliseconds startup_time() const { return startup_time_; }
  bool running() { return process_ && process_->running(); }
  void stop() { process_.reset(); }
  // Its stdout/stderr followed by its own log file.
  std::string log() const;

 private:
  ScopedTempDir dir_{"rdwarm-xrdp"};
  std::optional<ChildProcess> process_;
  std::uint16_t port_ = 0;
  std::chrono::milliseconds startup_time_{};
};

enum class ShadowSecurity { server_default, rdp, tls, nla };

struct ShadowOptions {
  ShadowSecurity security = ShadowSecurity::server_default;
  // The X11 build authenticates through PAM after activation unless told `-auth`.
  bool pam_authentication = false;
  // With ShadowSecurity::nla: the only account in the SAM file (made by winpr-hash).
  std::string nla_user = "rdwarm";
  std::string nla_password = "rdwarm-test";
  std::string wlog_level = "INFO";  // WLOG_LEVEL; DEBUG or TRACE for more
};

// `freerdp-shadow-cli /port:P /bind-address:127.0.0.1 ...` mirroring an X display. HOME is a
// temp dir (shared by the process, so the generated shadow.crt/key are made once).
class ShadowServer {
 public:
  explicit ShadowServer(const XvfbDisplay& display, ShadowOptions options = {});

  std::uint16_t port() const { return port_; }
  const std::filesystem::path& directory() const { return dir_.path(); }
  std::chrono::milliseconds startup_time() const { return startup_time_; }
  bool running() { return process_ && process_->running(); }
  void stop() { process_.reset(); }
  std::string log() const { return process_ ? process_->log() : std::string(); }

 private:
  ScopedTempDir dir_{"rdwarm-shadow"};
  std::optional<ChildProcess> process_;
  std::uint16_t port_ = 0;
  std::chrono::milliseconds startup_time_{};
};

struct XfreerdpResult {
  int exit_code = -1;  // 128 + signal if killed
  std::string output;  // stdout and stderr
  std::chrono::milliseconds elapsed{};
  bool timed_out = false;
};

// `xfreerdp /v:127.0.0.1:PORT /cert:ignore <extra_args>` on `display`, killed after `timeout`.
XfreerdpResult run_xfreerdp(const XvfbDisplay& display, std::uint16_t port,
                            const std::vector<std::string>& extra_args,
                            std::chrono::milliseconds timeout);

// FreeRDP 2 logs every connection state transition at DEBUG; this one is the active session.
inline constexpr const char* kXfreerdpActiveState =
    "CONNECTION_STATE_FINALIZATION --> CONNECTION_STATE_ACTIVE";

// `+auth-only` runs the whole sequence up to the active state and exits 0 there
// (reference/toolchain-and-peers.md section 3), logging at DEBUG so kXfreerdpActiveState shows.
// Credentials are required by the switch; the lab ignores them.
inline std::vector<std::string> xfreerdp_auth_only_args() {
  return {"/u:rdwarm", "/p:x", "+auth-only", "/log-level:DEBUG"};
}

}  // namespace rdwarm::testing
