// rdwarm-lab: an emulated RDP session host and license server in one process, for tests, the
// demo, benchmarks and rehearsals without Windows (docs/lab.md).
#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>

#include "config/duration.hpp"
#include "lab/license_server/license_server.hpp"
#include "lab/scenario/scenario.hpp"
#include "lab/session_host/lab_log.hpp"
#include "lab/session_host/lab_server.hpp"
#include "lab/session_host/session_host.hpp"
#include "lab/session_host/tls_identity.hpp"
#include "licensing/host/lab/lab_state_file.hpp"

namespace {

using namespace rdwarm;
using namespace rdwarm::lab;

using Clock = std::chrono::steady_clock;

constexpr int kExitOk = 0;
constexpr int kExitInternal = 1;
constexpr int kExitUsage = 2;

std::string scenario_table(const std::optional<std::filesystem::path>& dir) {
  auto all = list_scenarios(dir);
  if (!all) return "  (cannot list scenarios: " + all.error().message() + ")\n";
  std::string out;
  for (const auto& s : *all) {
    std::string name = s.name;
    name.resize(std::max<std::size_t>(name.size() + 2, 30), ' ');
    out += "  " + name + s.description + "\n";
  }
  return out;
}

std::string help_footer() {
  return "\nScenarios (lab/scenarios/*.toml, built in; --scenario also takes a file path):\n" +
         scenario_table(std::nullopt) +
         "\nWhat the lab does: it answers the RDP connection sequence as a Windows session host\n"
         "does (X.224, TLS with a certificate made at start, with nla_required CredSSP (NTLM)\n"
         "against the scenario's [nla] account, MCS/GCC, Client Info) and runs the\n"
         "server side of licensing (MS-RDPELE 3.2.5): a License Request with a proprietary\n"
         "certificate until its license server has issued it an X.509 chain, a Platform\n"
         "Challenge, then a verdict from the host state: STATUS_VALID_CLIENT or a New License,\n"
         "or ERR_NO_LICENSE_SERVER + Set Error Info 0x101 (grace over, no certificate), or\n"
         "ERR_INVALID_CLIENT (license server without CALs). The first connection that finds no\n"
         "certificate makes the host ask its license server for one in the background.\n"
         "\nThe host state (licensing mode, license servers, grace end, X509 Certificate2, drain\n"
         "mode) is kept in STATE-DIR/host-state.json, written atomically on every change. Set\n"
         "drain_mode or winstations_disabled there to refuse logons after licensing (Set Error\n"
         "Info 0x7). Stop with SIGINT or SIGTERM. Details: docs/lab.md.\n";
}

std::string summary(const LabServerStats& s, const LicenseServer& ls, const SessionHost& host,
                    std::chrono::steady_clock::duration ran) {
  const double secs =
      static_cast<double>(std::chrono::duration_cast<std::chrono::milliseconds>(ran).count()) /
      1000.0;
  const auto l = ls.stats();
  char buf[1024];
  std::snprintf(
      buf, sizeof buf,
      "rdwarm-lab: stopped after %.1f s: connections %llu (peak %llu open, %llu over "
      "capacity), licensed %llu, licensing failed %llu, logons refused %llu, sessions "
      "activated %llu, faults injected %llu\n"
      "rdwarm-lab: license server %s: requests %llu, issued %llu, failed (outage) %llu, "
      "failed (flaky) %llu, failed (busy) %llu, timed out %llu (served anyway: %llu), queue peak "
      "%llu\n",
      secs, static_cast<unsigned long long>(s.accepted),
      static_cast<unsigned long long>(s.peak_active),
      static_cast<unsigned long long>(s.over_capacity), static_cast<unsigned long long>(s.licensed),
      static_cast<unsigned long long>(s.licensing_failed),
      static_cast<unsigned long long>(s.refused_logons),
      static_cast<unsigned long long>(s.activated), static_cast<unsigned long long>(s.faults),
      ls.config().name.c_str(), static_cast<unsigned long long>(l.requests),
      static_cast<unsigned long long>(l.issued), static_cast<unsigned long long>(l.failed_outage),
      static_cast<unsigned long long>(l.failed_flaky),
      static_cast<unsigned long long>(l.failed_busy), static_cast<unsigned long long>(l.timed_out),
      static_cast<unsigned long long>(l.wasted), static_cast<unsigned long long>(l.queued_peak));
  std::string out = buf;
  const auto& h = host.stats();
  out += "rdwarm-lab: host " + host.scenario().host.name + ": certificate requests " +
         std::to_string(h.certificate_requests) + ", failed " +
         std::to_string(h.certificate_failures) + ", ";
  out += h.certificate_after
             ? "X.509 chain installed after " + std::to_string(h.certificate_after->count()) + " ms"
             : std::string("no X.509 chain");
  if (h.competing_requests > 0) {
    out += ", boot storm: " + std::to_string(h.competing_issued) + "/" +
           std::to_string(h.competing_requests) + " other hosts served";
  }
  out += "\n";
  if (host.scenario().host.nla_required) {
    const auto& nla = host.scenario().nla;
    out += "rdwarm-lab: NLA account " +
           (nla.account.domain.empty() ? "" : nla.account.domain + "\\") + nla.account.user + " (" +
           std::string(auth::ntlm::name_of(nla.account.state)) + "): authenticated " +
           std::to_string(s.nla_logons) + ", refused " + std::to_string(s.nla_refused) + "\n";
  }
  return out;
}

}  // namespace

namespace {

int run(int argc, char** argv) {
  CLI::App app{
      "rdwarm-lab: an emulated RDP session host and license server for tests, demos and "
      "benchmarks"};
  app.footer(help_footer());
  app.get_formatter()->column_width(34);
  std::string scenario_name;
  std::string state_dir;
  std::string bind = "127.0.0.1";
  std::uint16_t port = 3389;
  std::string scenario_dir;
  std::string log_level = "info";
  bool list = false;
  std::string show;
  app.add_option("--scenario", scenario_name, "built-in scenario name, or a .toml file");
  app.add_option("--port", port, "TCP port; 0 picks a free one (printed at start)")
      ->capture_default_str();
  app.add_option("--state-dir", state_dir, "directory of the host state file host-state.json");
  app.add_option("--bind", bind, "address to listen on")->capture_default_str();
  app.add_option("--scenario-dir", scenario_dir, "look scenario names up in this directory");
  app.add_option("--log-level", log_level, "quiet, info or debug")
      ->check(CLI::IsMember({"quiet", "info", "debug"}))
      ->capture_default_str();
  app.add_flag("--list-scenarios", list, "list the scenarios and exit");
  app.add_option("--show-scenario", show, "print a scenario's TOML file and exit");
  CLI11_PARSE(app, argc, argv);

  set_log_level(log_level == "quiet"   ? LogLevel::Quiet
                : log_level == "debug" ? LogLevel::Debug
                                       : LogLevel::Info);
  std::optional<std::filesystem::path> dir;
  if (!scenario_dir.empty()) dir = scenario_dir;
  if (list) {
    std::cout << scenario_table(dir);
    return kExitOk;
  }
  if (!show.empty()) {
    auto s = find_scenario(show, dir);
    if (!s) {
      std::cerr << "rdwarm-lab: " << s.error().message() << "\n";
      return kExitUsage;
    }
    std::cout << s->text;
    return kExitOk;
  }
  if (scenario_name.empty() || state_dir.empty()) {
    std::cerr << "rdwarm-lab: --scenario and --state-dir are required (see --help)\n";
    return kExitUsage;
  }
  auto loaded = find_scenario(scenario_name, dir);
  if (!loaded) {
    std::cerr << "rdwarm-lab: " << loaded.error().message() << "\n";
    return kExitUsage;
  }
  Scenario scenario = std::move(loaded).value();
  std::error_code ec;
  std::filesystem::create_directories(state_dir, ec);
  if (ec) {
    std::cerr << "rdwarm-lab: cannot create the state directory " << state_dir << ": "
              << ec.message() << "\n";
    return kExitUsage;
  }
  const auto state_file = std::filesystem::path(state_dir) / host::lab::kLabStateFileName;

  try {
    boost::asio::io_context io(1);
    LicenseServer license_server(io.get_executor(), scenario.license_server);
    SessionHost host(scenario, state_file, license_server);
    if (auto st = host.start(); !st) {
      std::cerr << "rdwarm-lab: cannot start the session host: " << st.error().message() << "\n";
      return kExitInternal;
    }
    auto tls = make_tls_server_context(scenario.host.name);
    LabServerConfig config;
    config.address = bind;
    config.port = port;
    config.nla_required = scenario.host.nla_required;
    config.nla = scenario.nla;
    config.error_info_before_alert = scenario.host.error_info_before_alert;
    config.fault = scenario.fault;
    config.session = scenario.session;
    LabServer server(io, tls, host, config);
    auto bound = server.listen();
    if (!bound) {
      std::cerr << "rdwarm-lab: " << bound.error().message() << "\n";
      return kExitInternal;
    }
    const auto started = std::chrono::steady_clock::now();
    std::cout << "rdwarm-lab: scenario " << scenario.name << " (" << scenario.source
              << "): " << scenario.description << "\n";
    if (scenario.host.nla_required) {
      // Who may log on, never the password (a scenario's password is test data, but a log is a
      // log).
      const auto& nla = scenario.nla;
      std::cout << "rdwarm-lab: NLA required: account "
                << (nla.account.domain.empty() ? "" : nla.account.domain + "\\") << nla.account.user
                << " (" << auth::ntlm::name_of(nla.account.state) << ", from its " << nla.credential
                << ", Remote Desktop logon right " << (nla.remote_desktop_right ? "yes" : "no")
                << "), CredSSP up to version " << nla.credssp_version << "\n";
    }
    std::cout << "rdwarm-lab: listening on " << bind << ":" << *bound << ", state file "
              << state_file.string() << std::endl;

    // On SIGINT/SIGTERM: stop accepting, close every connection, let their handlers record how
    // they ended (at most 1 s), then stop the loop (license server timers may still be pending).
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    boost::asio::steady_timer drain(io);
    const auto stop_when_drained = [&](auto& self, Clock::time_point give_up) -> void {
      if (server.stats().active == 0 || Clock::now() >= give_up) {
        io.stop();
        return;
      }
      drain.expires_after(std::chrono::milliseconds(10));
      drain.async_wait([&, give_up](const boost::system::error_code&) { self(self, give_up); });
    };
    signals.async_wait([&](const boost::system::error_code& sec, int signal) {
      if (sec) return;
      log_line(LogLevel::Info,
               std::string("stopping on ") + (signal == SIGINT ? "SIGINT" : "SIGTERM"));
      server.stop();
      stop_when_drained(stop_when_drained, Clock::now() + std::chrono::seconds(1));
    });
    io.run();
    std::cout << summary(server.stats(), license_server, host,
                         std::chrono::steady_clock::now() - started)
              << std::flush;
  } catch (const std::exception& e) {
    std::cerr << "rdwarm-lab: " << e.what() << "\n";
    return kExitInternal;
  }
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "rdwarm-lab: " << e.what() << "\n";
  } catch (...) {
    std::cerr << "rdwarm-lab: unexpected error\n";
  }
  return 1;
}
