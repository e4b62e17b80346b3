// rdwarm-lab-pool: N emulated session hosts in one process sharing ONE emulated license server,
// for the boot-storm benchmark (bench/agent_boot_storm.sh, bench/README.md "Boot agent").
//
// rdwarm-lab emulates one session host: one certificate, one state file. A pool booting together
// is N such hosts, each asking the same license server (capacity in certificates per second) for
// its own chain when its first client starts licensing. This program builds exactly that from the
// lab's own parts (rdwarm_lab_core): host i is a SessionHost named POOL-SH<i> with its state file
// in STATE-DIR/host-<i>/ and its own RDP listener, and every host holds a reference to the one
// LicenseServer. It is the interface proposed for `rdwarm-lab --hosts N` (bench/README.md); the
// bench script can switch to the lab once it has it.
#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

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
using SystemClock = std::chrono::system_clock;

constexpr int kExitOk = 0;
constexpr int kExitInternal = 1;
constexpr int kExitUsage = 2;
constexpr std::uint32_t kMaxHosts = 5000;  // one listening socket and two RSA keys per host

std::int64_t unix_ms(SystemClock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

struct PoolHost {
  std::string name;
  std::filesystem::path state_dir;
  std::uint16_t port = 0;
  SystemClock::time_point started{};  // just before SessionHost::start(), which starts its clock
  std::unique_ptr<SessionHost> host;
  std::unique_ptr<LabServer> server;
};

nlohmann::json stats_json(const std::vector<PoolHost>& hosts, const LicenseServer& ls,
                          const Scenario& scenario, SystemClock::time_point listening,
                          SystemClock::time_point stopped) {
  const auto l = ls.stats();
  nlohmann::json j;
  j["schema"] = "rdwarm.bench.lab-pool/1";
  j["scenario"] = scenario.name;
  j["hosts"] = hosts.size();
  j["listening_at_unix_ms"] = unix_ms(listening);
  j["stopped_at_unix_ms"] = unix_ms(stopped);
  j["license_server"] = {{"name", ls.config().name},
                         {"capacity_per_second", ls.config().capacity_per_second},
                         {"latency_ms", ls.config().latency.count()},
                         {"queue_limit", ls.config().queue_limit},
                         {"request_timeout_ms", ls.config().request_timeout.count()},
                         {"requests", l.requests},
                         {"issued", l.issued},
                         {"failed_outage", l.failed_outage},
                         {"failed_flaky", l.failed_flaky},
                         {"failed_busy", l.failed_busy},
                         {"timed_out", l.timed_out},
                         {"wasted", l.wasted},
                         {"queued_peak", l.queued_peak}};
  nlohmann::json list = nlohmann::json::array();
  for (const auto& h : hosts) {
    const auto& s = h.host->stats();
    const auto& c = h.server->stats();
    nlohmann::json e = {{"name", h.name},
                        {"port", h.port},
                        {"state_dir", h.state_dir.string()},
                        {"certificate_requests", s.certificate_requests},
                        {"certificate_failures", s.certificate_failures},
                        {"connections", c.accepted},
                        {"licensed", c.licensed},
                        {"licensing_failed", c.licensing_failed},
                        {"refused_logons", c.refused_logons}};
    if (s.certificate_after) {
      e["certificate_at_unix_ms"] = unix_ms(h.started) + s.certificate_after->count();
    } else {
      e["certificate_at_unix_ms"] = nullptr;
    }
    list.push_back(std::move(e));
  }
  j["per_host"] = std::move(list);
  return j;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "rdwarm-lab-pool: N emulated session hosts sharing one emulated license server (boot-storm "
      "benchmark)"};
  std::string scenario_name;
  std::string state_dir;
  std::string bind = "127.0.0.1";
  std::string stats_file;
  std::string log_level = "quiet";
  std::uint32_t count = 0;
  app.add_option("--scenario", scenario_name, "built-in scenario name, or a .toml file")
      ->required();
  app.add_option("--hosts", count, "number of session hosts")
      ->required()
      ->check(CLI::Range(1U, kMaxHosts));
  app.add_option("--state-dir", state_dir, "host i keeps its state in STATE-DIR/host-NNNN/")
      ->required();
  app.add_option("--bind", bind, "address to listen on")->capture_default_str();
  app.add_option("--stats-file", stats_file, "JSON statistics written when stopped");
  app.add_option("--log-level", log_level, "quiet, info or debug (the lab's log on stderr)")
      ->check(CLI::IsMember({"quiet", "info", "debug"}))
      ->capture_default_str();
  app.footer(
      "\nEach host listens on its own free port. Once all listen, one line per host goes to\n"
      "standard output: `host NAME 127.0.0.1:PORT STATE-DIR`, then `ready N`. SIGINT or SIGTERM\n"
      "stops the pool; the summary (license server requests, issued, refused busy, timed out,\n"
      "wasted, queue peak; per host certificate requests and the time the chain arrived) goes\n"
      "to --stats-file as JSON.\n"
      "The scenario's competing_hosts (synthetic boot-storm requests) are sent once, by host 1.\n");
  CLI11_PARSE(app, argc, argv);

  set_log_level(log_level == "quiet"   ? LogLevel::Quiet
                : log_level == "debug" ? LogLevel::Debug
                                       : LogLevel::Info);
  auto loaded = find_scenario(scenario_name, std::nullopt);
  if (!loaded) {
    std::cerr << "rdwarm-lab-pool: " << loaded.error().message() << "\n";
    return kExitUsage;
  }
  const Scenario scenario = std::move(loaded).value();

  try {
    boost::asio::io_context io(1);
    LicenseServer license_server(io.get_executor(), scenario.license_server);
    // One TLS identity for the whole pool: the TLS certificate has nothing to do with licensing
    // and clients do not validate it; one key instead of N keeps start-up short.
    auto tls = make_tls_server_context("POOL-SH");
    std::vector<PoolHost> hosts(count);
    for (std::uint32_t i = 0; i < count; ++i) {
      PoolHost& h = hosts[i];
      char name[32];  // at most 11 characters: kMaxHosts has 4 digits
      std::snprintf(name, sizeof name, "POOL-SH%04u", i + 1);
      char dir[32];
      std::snprintf(dir, sizeof dir, "host-%04u", i + 1);
      h.name = name;
      h.state_dir = std::filesystem::path(state_dir) / dir;
      std::filesystem::create_directories(h.state_dir);
      Scenario mine = scenario;
      mine.host.name = h.name;
      if (i != 0) mine.competing_hosts = 0;
      h.started = SystemClock::now();
      h.host = std::make_unique<SessionHost>(
          std::move(mine), h.state_dir / host::lab::kLabStateFileName, license_server);
      if (auto st = h.host->start(); !st) {
        std::cerr << "rdwarm-lab-pool: cannot start " << h.name << ": " << st.error().message()
                  << "\n";
        return kExitInternal;
      }
      LabServerConfig config;
      config.address = bind;
      config.port = 0;
      config.nla_required = scenario.host.nla_required;
      config.nla = scenario.nla;
      config.error_info_before_alert = scenario.host.error_info_before_alert;
      config.fault = scenario.fault;
      config.session = scenario.session;
      h.server = std::make_unique<LabServer>(io, tls, *h.host, config);
      auto bound = h.server->listen();
      if (!bound) {
        std::cerr << "rdwarm-lab-pool: " << h.name << ": " << bound.error().message() << "\n";
        return kExitInternal;
      }
      h.port = *bound;
    }
    for (const auto& h : hosts) {
      std::cout << "host " << h.name << " " << bind << ":" << h.port << " " << h.state_dir.string()
                << "\n";
    }
    const auto listening = SystemClock::now();
    std::cout << "ready " << count << std::endl;

    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int) {
      if (ec) return;
      for (auto& h : hosts) h.server->stop();
      io.stop();
    });
    io.run();
    const auto stats = stats_json(hosts, license_server, scenario, listening, SystemClock::now());
    const auto& l = stats["license_server"];
    std::cerr << "rdwarm-lab-pool: " << count << " hosts; license server "
              << l["name"].get<std::string>() << ": requests " << l["requests"] << ", issued "
              << l["issued"] << ", refused busy " << l["failed_busy"] << ", timed out "
              << l["timed_out"] << " (served anyway " << l["wasted"] << "), queue peak "
              << l["queued_peak"] << "\n";
    if (!stats_file.empty()) {
      std::ofstream out(stats_file, std::ios::trunc);
      out << stats.dump(1) << "\n";
      if (!out) {
        std::cerr << "rdwarm-lab-pool: cannot write " << stats_file << "\n";
        return kExitInternal;
      }
    }
  } catch (const std::exception& e) {
    std::cerr << "rdwarm-lab-pool: " << e.what() << "\n";
    return kExitInternal;
  }
  return kExitOk;
}
