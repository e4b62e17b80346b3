// rdwarm_lab_load: many concurrent probes against one session host (normally rdwarm-lab), on one
// io_context thread, for bench/lab_concurrency.sh. Prints one JSON object: outcomes, wall time,
// throughput and latency percentiles. Exit 0 when every probe ended Licensed with Demand Active.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cmath>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "licensing/probe/probe.hpp"

namespace {

using namespace rdwarm;
using Clock = std::chrono::steady_clock;

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto i = static_cast<std::size_t>(std::lround(p * static_cast<double>(v.size() - 1)));
  return v[std::min(i, v.size() - 1)];
}

int run(int argc, char** argv) {
  CLI::App app{"rdwarm_lab_load: concurrent probes against one session host"};
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  int probes = 500;
  int concurrency = 500;
  app.add_option("--host", host)->capture_default_str();
  app.add_option("--port", port)->required();
  app.add_option("--probes", probes, "probes in total")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  app.add_option("--concurrency", concurrency, "probes in flight at once")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  CLI11_PARSE(app, argc, argv);

  probe::ProbeOptions options;
  options.host = host;
  options.port = port;
  // Generous: under load the question is whether every probe completes, not how fast one does.
  options.connect_timeout = std::chrono::milliseconds(30000);
  options.phase_timeout = std::chrono::milliseconds(30000);
  options.overall_timeout = std::chrono::milliseconds(120000);
  options.identity = connector::ClientIdentity::for_machine("RDWARM-LOAD");

  boost::asio::io_context io(1);
  std::map<std::string, int> outcomes;
  std::vector<double> latency_ms;
  latency_ms.reserve(static_cast<std::size_t>(probes));
  int started = 0;
  int licensed = 0;
  std::string first_failure;
  const auto start = Clock::now();
  std::function<void()> launch = [&] {
    ++started;
    probe::async_probe(io, options, [&](const probe::ProbeResult& r) {
      const bool ok = r.outcome.kind == connector::OutcomeKind::Licensed && r.outcome.demand_active;
      licensed += ok ? 1 : 0;
      ++outcomes[std::string(connector::outcome_kind_name(r.outcome.kind))];
      if (!ok && first_failure.empty()) {
        first_failure = std::string(connector::outcome_kind_name(r.outcome.kind)) + " in " +
                        std::string(connector::phase_name(r.outcome.phase)) + ": " +
                        r.outcome.detail;
      }
      latency_ms.push_back(std::chrono::duration<double, std::milli>(r.total).count());
      if (started < probes) launch();
    });
  };
  for (int i = 0; i < std::min(concurrency, probes); ++i) launch();
  io.run();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();

  nlohmann::json j;
  j["schema"] = "rdwarm.bench.lab-load/1";
  j["target"] = host + ":" + std::to_string(port);
  j["probes"] = probes;
  j["concurrency"] = concurrency;
  j["licensed"] = licensed;
  j["outcomes"] = outcomes;
  j["seconds"] = seconds;
  j["probes_per_second"] = static_cast<double>(probes) / seconds;
  j["latency_ms"] = {{"p50", percentile(latency_ms, 0.50)},
                     {"p95", percentile(latency_ms, 0.95)},
                     {"max", percentile(latency_ms, 1.0)}};
  if (!first_failure.empty()) j["first_failure"] = first_failure;
  std::cout << j.dump() << std::endl;
  return licensed == probes ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "rdwarm_lab_load: " << e.what() << "\n";
    return 1;
  }
}
