#include "tests/support/peers.hpp"

#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <thread>
#include <utility>

namespace rdwarm::testing {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr milliseconds kStartTimeout{10'000};
constexpr milliseconds kPollInterval{10};
constexpr int kPortAttempts = 3;  // a free port can be taken before the server binds it
constexpr const char* kXrdpConfigDir = "/etc/xrdp";

milliseconds since(Clock::time_point start) {
  return std::chrono::duration_cast<milliseconds>(Clock::now() - start);
}

std::optional<std::string> missing_program(const std::string& name) {
  if (find_program(name)) return std::nullopt;
  return "'" + name + "' is not installed (not in PATH or /usr/sbin); run scripts/setup";
}

std::optional<std::string> missing_xrdp_file(const std::string& name) {
  const fs::path file = fs::path(kXrdpConfigDir) / name;
  // exists() follows the cert.pem/key.pem symlinks to the ssl-cert snakeoil pair.
  if (fs::exists(file) && ::access(file.c_str(), R_OK) == 0) return std::nullopt;
  return file.string() +
         " is missing or unreadable (the xrdp package creates it); run scripts/setup";
}

std::optional<std::string> first_missing(
    std::initializer_list<std::function<std::optional<std::string>()>> checks) {
  for (const auto& check : checks) {
    if (auto missing = check()) return missing;
  }
  return std::nullopt;
}

std::string read_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_file(const fs::path& file, const std::string& text) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out.flush()) throw PeerStartError("cannot write " + file.string());
}

// Starts the server that make_argv(port) describes on a fresh port and waits until it accepts
// connections. A server that exits early (typically: the port was taken meanwhile) is retried
// on another port; one that neither listens nor exits within kStartTimeout is an error.
ChildProcess start_listening(
    const std::string& what, const fs::path& log_file, const EnvVars& env,
    const std::function<std::vector<std::string>(std::uint16_t)>& make_argv, std::uint16_t& port) {
  std::string logs;
  for (int attempt = 0; attempt < kPortAttempts; ++attempt) {
    port = free_loopback_port();
    ChildProcess process(make_argv(port), log_file, env);
    const auto deadline = Clock::now() + kStartTimeout;
    while (process.running() && Clock::now() < deadline) {
      if (wait_for_listen(port, kPollInterval * 5) && process.running()) return process;
    }
    if (process.running()) {
      throw PeerStartError(what + " did not listen on 127.0.0.1:" + std::to_string(port) +
                           " within " + std::to_string(kStartTimeout.count()) + " ms\n" +
                           process.log());
    }
    logs += process.log();
    fs::remove(log_file);
  }
  throw PeerStartError(what + " exited before listening, " + std::to_string(kPortAttempts) +
                       " times\n" + logs);
}

// --- Xvfb -------------------------------------------------------------------------------------

constexpr int kFirstDisplay = 100;
constexpr int kLastDisplay = 199;
constexpr int kDisplayAttempts = 5;

fs::path x_lock_file(int display) {
  return "/tmp/.X" + std::to_string(display) + "-lock";
}
fs::path x_socket_file(int display) {
  return "/tmp/.X11-unix/X" + std::to_string(display);
}

long lock_owner(int display) {
  std::ifstream in(x_lock_file(display));
  long owner = 0;
  return (in >> owner) ? owner : 0;
}

// A lock left by a killed server (its pid is gone) counts as free: the X server replaces a stale
// lock and socket itself. Otherwise SIGKILLed test runs would use up the display range.
bool display_looks_free(int display) {
  if (!fs::exists(x_lock_file(display))) return !fs::exists(x_socket_file(display));
  const long owner = lock_owner(display);
  return owner > 0 && ::kill(static_cast<pid_t>(owner), 0) != 0 && errno == ESRCH;
}

// The X server writes its pid into the lock file before it creates its sockets.
bool lock_owned_by(int display, pid_t pid) {
  return lock_owner(display) == pid;
}

bool unix_connectable(const std::string& path, bool abstract) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  const std::size_t offset = abstract ? 1 : 0;  // abstract names start with a NUL byte
  std::memcpy(addr.sun_path + offset, path.data(),
              std::min(path.size(), sizeof addr.sun_path - 1 - offset));
  const auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + offset + path.size());
  const bool ok = ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), len) == 0;
  ::close(fd);
  return ok;
}

// Without root, Xvfb cannot create /tmp/.X11-unix and listens only on the abstract socket.
bool x_server_accepts(int display) {
  const std::string path = x_socket_file(display).string();
  return unix_connectable(path, false) || unix_connectable(path, true);
}

// --- xrdp -------------------------------------------------------------------------------------

using IniOverrides = std::map<std::string, std::vector<std::pair<std::string, std::string>>>;

std::string trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r");
  return std::string(text.substr(first, last - first + 1));
}

// Replaces key=value lines in the named sections (keys missing there are appended to the
// section), so `port` in [Globals] changes but `port` in [Xorg] does not.
std::string override_ini(const std::string& ini, const IniOverrides& overrides) {
  std::ostringstream out;
  std::string section;
  std::set<std::pair<std::string, std::string>> written;  // (section, key)
  const auto flush_missing = [&] {
    const auto it = overrides.find(section);
    if (it == overrides.end()) return;
    for (const auto& [key, value] : it->second) {
      if (!written.contains({section, key})) out << key << '=' << value << '\n';
    }
  };
  std::istringstream in(ini);
  for (std::string line; std::getline(in, line);) {
    const std::string stripped = trim(line);
    if (stripped.starts_with('[') && stripped.ends_with(']')) {
      flush_missing();
      section = stripped.substr(1, stripped.size() - 2);
    } else if (const auto eq = stripped.find('='); eq != std::string::npos &&
                                                   !stripped.starts_with(';') &&
                                                   !stripped.starts_with('#')) {
      const std::string key = trim(std::string_view(stripped).substr(0, eq));
      const auto it = overrides.find(section);
      if (it != overrides.end()) {
        const auto match = std::find_if(it->second.begin(), it->second.end(),
                                        [&](const auto& kv) { return kv.first == key; });
        if (match != it->second.end()) {
          out << key << '=' << match->second << '\n';
          written.emplace(section, key);
          continue;
        }
      }
    }
    out << line << '\n';
  }
  flush_missing();
  return out.str();
}

const char* to_ini(XrdpSecurityLayer layer) {
  switch (layer) {
    case XrdpSecurityLayer::negotiate:
      return "negotiate";
    case XrdpSecurityLayer::tls:
      return "tls";
    case XrdpSecurityLayer::rdp:
      return "rdp";
  }
  return "negotiate";
}

const char* to_ini(XrdpCryptLevel level) {
  switch (level) {
    case XrdpCryptLevel::none:
      return "none";
    case XrdpCryptLevel::low:
      return "low";
    case XrdpCryptLevel::medium:
      return "medium";
    case XrdpCryptLevel::high:
      return "high";
    case XrdpCryptLevel::fips:
      return "fips";
  }
  return "high";
}

// --- freerdp-shadow-cli -------------------------------------------------------------------------

// One HOME for every shadow server of the process. On first start the server generates
// shadow.crt/key there (a 2048-bit RSA key: 0.3-0.9 s); seeding them with the ssl-cert snakeoil
// pair (the one xrdp uses) skips that. Without the pair the server generates its own.
const fs::path& shadow_home() {
  static const ScopedTempDir home("rdwarm-shadow-home");
  static const bool seeded = [] {
    const fs::path cert = "/etc/ssl/certs/ssl-cert-snakeoil.pem";
    const fs::path key = "/etc/ssl/private/ssl-cert-snakeoil.key";
    if (::access(cert.c_str(), R_OK) != 0 || ::access(key.c_str(), R_OK) != 0) return false;
    const fs::path dir = home.path() / ".config" / "freerdp" / "shadow";
    std::error_code error;
    fs::create_directories(dir, error);
    fs::copy_file(cert, dir / "shadow.crt", error);
    fs::copy_file(key, dir / "shadow.key", error);
    return !error;
  }();
  (void)seeded;
  return home.path();
}

fs::path write_sam_file(const fs::path& dir, const std::string& user, const std::string& password) {
  fs::path sam = dir / "sam.txt";
  ChildProcess hash({"winpr-hash", "-u", user, "-p", password, "-f", "sam"}, sam);
  const auto status = hash.wait_for_exit(kStartTimeout);
  std::string entry = read_file(sam);
  if (status != 0 || !entry.starts_with(user + ":")) {
    throw PeerStartError("winpr-hash did not produce a SAM entry for '" + user + "'\n" +
                         hash.log());
  }
  if (!entry.ends_with('\n')) write_file(sam, entry + '\n');  // it prints no newline
  return sam;
}

}  // namespace

std::optional<std::string> missing_prerequisite(Peer peer) {
  const auto program = [](const char* name) { return [name] { return missing_program(name); }; };
  const auto xrdp_file = [](const char* name) {
    return [name] { return missing_xrdp_file(name); };
  };
  switch (peer) {
    case Peer::xvfb:
      return missing_program("Xvfb");
    case Peer::xrdp:
      return first_missing({program("xrdp"), xrdp_file("xrdp.ini"), xrdp_file("rsakeys.ini"),
                            xrdp_file("cert.pem"), xrdp_file("key.pem")});
    case Peer::shadow:
      return first_missing({program("Xvfb"), program("freerdp-shadow-cli")});
    case Peer::shadow_nla:
      return first_missing({program("Xvfb"), program("freerdp-shadow-cli"), program("winpr-hash")});
    case Peer::xfreerdp:
      return first_missing({program("Xvfb"), program("xfreerdp")});
  }
  return std::nullopt;
}

bool skip_missing_peers() {
  const char* value = std::getenv("RDWARM_SKIP_MISSING_PEERS");
  return value != nullptr && std::string_view(value) == "1";
}

XvfbDisplay::XvfbDisplay() {
  const auto start = Clock::now();
  std::string logs;
  int attempts = 0;
  for (int display = kFirstDisplay; display <= kLastDisplay && attempts < kDisplayAttempts;
       ++display) {
    if (!display_looks_free(display)) continue;
    ++attempts;
    process_.emplace(std::vector<std::string>{"Xvfb", ":" + std::to_string(display), "-screen", "0",
                                              "1280x800x24", "-nolisten", "tcp", "-noreset"},
                     dir_.path() / ("xvfb-" + std::to_string(display) + ".log"));
    const auto deadline = Clock::now() + kStartTimeout;
    while (process_->running() && Clock::now() < deadline) {
      if (lock_owned_by(display, process_->pid()) && x_server_accepts(display)) {
        number_ = display;
        startup_time_ = since(start);
        return;
      }
      std::this_thread::sleep_for(kPollInterval);
    }
    logs += process_->log();
    process_.reset();  // lost a race for this display, or hung: try the next one
  }
  throw PeerStartError("Xvfb did not start on any display :" + std::to_string(kFirstDisplay) +
                       "..:" + std::to_string(kLastDisplay) + " (" + std::to_string(attempts) +
                       " attempts)\n" + logs);
}

XvfbDisplay& shared_xvfb_display() {
  static std::optional<XvfbDisplay> display;
  static std::string failure;
  if (display && !display->running()) display.reset();  // it died: start a new one
  if (!display && failure.empty()) {
    try {
      display.emplace();
    } catch (const std::exception& e) {
      failure = e.what();
    }
  }
  if (!display) throw PeerStartError(failure);
  return *display;
}

XrdpServer::XrdpServer(XrdpOptions options) {
  const auto start = Clock::now();
  const std::string system_ini = read_file(fs::path(kXrdpConfigDir) / "xrdp.ini");
  if (system_ini.empty()) {
    throw PeerStartError("cannot read " + (fs::path(kXrdpConfigDir) / "xrdp.ini").string() +
                         "; run scripts/setup");
  }
  const fs::path ini = directory() / "xrdp.ini";
  const auto make_argv = [&](std::uint16_t port) {
    write_file(ini,
               override_ini(system_ini,
                            {{"Globals",
                              {{"port", "tcp://127.0.0.1:" + std::to_string(port)},
                               {"fork", "false"},
                               {"security_layer", to_ini(options.security_layer)},
                               {"crypt_level", to_ini(options.crypt_level)},
                               {"certificate", (fs::path(kXrdpConfigDir) / "cert.pem").string()},
                               {"key_file", (fs::path(kXrdpConfigDir) / "key.pem").string()}}},
                             {"Logging",
                              {{"LogFile", (directory() / "xrdp.log").string()},
                               {"LogLevel", options.log_level},
                               {"EnableSyslog", "false"}}}}));
    return std::vector<std::string>{"xrdp", "--nodaemon", "-c", ini.string()};
  };
  process_ = start_listening("xrdp", directory() / "xrdp.stdout.log", {}, make_argv, port_);
  startup_time_ = since(start);
}

std::string XrdpServer::log() const {
  const std::string output = process_ ? process_->log() : std::string();
  return output + "--- " + (directory() / "xrdp.log").string() + "\n" +
         read_file_tail(directory() / "xrdp.log");
}

ShadowServer::ShadowServer(const XvfbDisplay& display, ShadowOptions options) {
  const auto start = Clock::now();
  std::vector<std::string> args{options.pam_authentication ? "+auth" : "-auth"};
  switch (options.security) {
    case ShadowSecurity::server_default:
      break;
    case ShadowSecurity::rdp:
      args.emplace_back("/sec:rdp");
      break;
    case ShadowSecurity::tls:
      args.emplace_back("/sec:tls");
      break;
    case ShadowSecurity::nla:
      args.emplace_back("/sec:nla");
      args.push_back("/sam-file:" +
                     write_sam_file(directory(), options.nla_user, options.nla_password).string());
      break;
  }
  const EnvVars env{{"DISPLAY", display.name()},
                    {"HOME", shadow_home().string()},
                    {"XDG_CONFIG_HOME", (shadow_home() / ".config").string()},
                    {"WLOG_LEVEL", options.wlog_level}};
  const auto make_argv = [&](std::uint16_t port) {
    std::vector<std::string> argv{"freerdp-shadow-cli", "/port:" + std::to_string(port),
                                  "/bind-address:127.0.0.1"};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  };
  process_ =
      start_listening("freerdp-shadow-cli", directory() / "shadow.log", env, make_argv, port_);
  startup_time_ = since(start);
}

XfreerdpResult run_xfreerdp(const XvfbDisplay& display, std::uint16_t port,
                            const std::vector<std::string>& extra_args, milliseconds timeout) {
  const ScopedTempDir dir("rdwarm-xfreerdp");
  std::vector<std::string> argv{"xfreerdp", "/v:127.0.0.1:" + std::to_string(port), "/cert:ignore"};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  const EnvVars env{{"DISPLAY", display.name()},
                    {"HOME", dir.path().string()},
                    {"XDG_CONFIG_HOME", (dir.path() / ".config").string()}};

  XfreerdpResult result;
  const auto start = Clock::now();
  ChildProcess client(argv, dir.path() / "xfreerdp.log", env);
  auto status = client.wait_for_exit(timeout);
  if (!status) {
    result.timed_out = true;
    client.terminate(milliseconds{500});
    status = client.exit_status();
  }
  result.elapsed = since(start);
  result.exit_code = status.value_or(-1);
  result.output = client.log();
  return result;
}

}  // namespace rdwarm::testing
