#include "imagebuild/preflight/reachability.hpp"

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <charconv>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>

namespace rdwarm::imagebuild {

namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// One lookup's result, shared with the thread that runs it: when the caller gives up at the
// timeout, the thread still has somewhere to write.
struct PendingLookup {
  std::mutex mutex;
  std::condition_variable done_cv;
  bool done = false;
  std::optional<Result<std::vector<std::string>>> result;
  double milliseconds = 0;
};

DnsLookup lookup_result(const PendingLookup& p) {
  DnsLookup dns;
  dns.milliseconds = p.milliseconds;
  const auto& r = *p.result;
  if (!r.ok()) {
    dns.state = DnsState::kFailed;
    dns.error = r.error().what;
  } else if (r->empty()) {
    dns.state = DnsState::kFailed;
    dns.error = "no addresses";
  } else {
    dns.state = DnsState::kResolved;
    dns.addresses = *r;
  }
  return dns;
}

std::vector<DnsLookup> resolve_all(const std::vector<std::string>& names,
                                   const ReachabilityOptions& options) {
  const Resolver resolver = options.resolver ? options.resolver : system_resolver();
  const auto start = Clock::now();
  const auto deadline = start + options.dns_timeout;
  std::vector<DnsLookup> out(names.size());
  std::vector<std::shared_ptr<PendingLookup>> pending(names.size());
  for (std::size_t i = 0; i < names.size(); ++i) {
    boost::system::error_code ec;
    const auto literal = asio::ip::make_address(names[i], ec);
    if (!ec) {
      out[i].state = DnsState::kLiteral;
      out[i].addresses = {literal.to_string()};
      continue;
    }
    auto p = std::make_shared<PendingLookup>();
    try {
      std::thread([p, resolver, name = names[i], start] {
        auto r = resolver(name);
        const std::lock_guard lock(p->mutex);
        p->result.emplace(std::move(r));
        p->milliseconds = ms_since(start);
        p->done = true;
        p->done_cv.notify_all();
      }).detach();
      pending[i] = std::move(p);
    } catch (const std::system_error& e) {
      out[i].state = DnsState::kFailed;
      out[i].error = std::string("cannot start the lookup: ") + e.what();
    }
  }
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (!pending[i]) continue;
    auto& p = *pending[i];
    std::unique_lock lock(p.mutex);
    if (p.done_cv.wait_until(lock, deadline, [&] { return p.done; })) {
      out[i] = lookup_result(p);
    } else {
      out[i].state = DnsState::kTimeout;
      out[i].milliseconds = ms_since(start);
      out[i].error = "no answer within " + std::to_string(options.dns_timeout.count()) + " ms";
    }
  }
  return out;
}

// One TCP connect with its timer, on the shared io_context.
struct Attempt {
  Attempt(asio::io_context& io, PortProbe& result_slot)
      : socket(io), timer(io), result(result_slot) {}
  tcp::socket socket;
  asio::steady_timer timer;
  PortProbe& result;
  Clock::time_point start;
  bool timed_out = false;
};

void start_connect(const std::shared_ptr<Attempt>& a, const std::vector<tcp::endpoint>& endpoints,
                   std::chrono::milliseconds timeout) {
  a->start = Clock::now();
  a->result.address = endpoints.front().address().to_string();
  a->timer.expires_after(timeout);
  a->timer.async_wait([a](const boost::system::error_code& ec) {
    if (ec) return;  // cancelled: the connect ended first
    a->timed_out = true;
    boost::system::error_code ignored;
    a->socket.close(ignored);
  });
  asio::async_connect(a->socket, endpoints,
                      [a](const boost::system::error_code& ec, const tcp::endpoint& endpoint) {
                        a->timer.cancel();
                        a->result.milliseconds = ms_since(a->start);
                        if (!ec) {
                          a->result.state = PortState::kOpen;
                          a->result.address = endpoint.address().to_string();
                          boost::system::error_code ignored;
                          a->socket.shutdown(tcp::socket::shutdown_both, ignored);
                          a->socket.close(ignored);
                        } else if (a->timed_out) {
                          a->result.state = PortState::kTimeout;
                        } else if (ec == asio::error::connection_refused) {
                          a->result.state = PortState::kRefused;
                          a->result.error = ec.message();
                        } else {
                          a->result.state = PortState::kError;
                          a->result.error = ec.message();
                        }
                      });
}

}  // namespace

std::string_view port_state_name(PortState state) {
  switch (state) {
    case PortState::kOpen:
      return "open";
    case PortState::kRefused:
      return "refused";
    case PortState::kTimeout:
      return "timeout";
    case PortState::kError:
      return "error";
    case PortState::kNotTried:
      break;
  }
  return "not-tried";
}

std::string_view dns_state_name(DnsState state) {
  switch (state) {
    case DnsState::kLiteral:
      return "literal";
    case DnsState::kResolved:
      return "resolved";
    case DnsState::kTimeout:
      return "timeout";
    case DnsState::kFailed:
      break;
  }
  return "failed";
}

bool ServerReachability::all_open() const {
  return dns.ok() && !ports.empty() &&
         std::all_of(ports.begin(), ports.end(),
                     [](const PortProbe& p) { return p.state == PortState::kOpen; });
}

bool ServerReachability::any_open() const {
  return std::any_of(ports.begin(), ports.end(),
                     [](const PortProbe& p) { return p.state == PortState::kOpen; });
}

Resolver system_resolver() {
  return [](const std::string& name) -> Result<std::vector<std::string>> {
    asio::io_context io;
    tcp::resolver resolver(io);
    boost::system::error_code ec;
    const auto results = resolver.resolve(name, "", ec);
    if (ec) return make_error("DNS", name, ec.message());
    std::vector<std::string> addresses;
    for (const auto& entry : results) {
      auto text = entry.endpoint().address().to_string();
      if (std::find(addresses.begin(), addresses.end(), text) == addresses.end()) {
        addresses.push_back(std::move(text));
      }
    }
    return addresses;
  };
}

std::vector<ServerReachability> probe_license_servers(const std::vector<std::string>& servers,
                                                      const ReachabilityOptions& options) {
  std::vector<std::string> names(
      servers.begin(), servers.begin() + static_cast<std::ptrdiff_t>(
                                             std::min(servers.size(), kMaxProbedLicenseServers)));
  const auto lookups = resolve_all(names, options);

  std::vector<ServerReachability> out(names.size());
  asio::io_context io;
  std::vector<std::shared_ptr<Attempt>> attempts;
  for (std::size_t i = 0; i < names.size(); ++i) {
    out[i].name = names[i];
    out[i].dns = lookups[i];
    out[i].ports.reserve(options.ports.size());  // Attempt keeps a reference into this vector
    for (const auto port : options.ports) {
      out[i].ports.push_back(PortProbe{port, PortState::kNotTried, {}, 0, {}});
    }
    if (!out[i].dns.ok()) continue;
    for (auto& probe : out[i].ports) {
      std::vector<tcp::endpoint> endpoints;
      for (const auto& text : out[i].dns.addresses) {
        boost::system::error_code ec;
        const auto address = asio::ip::make_address(text, ec);
        if (!ec) endpoints.emplace_back(address, probe.port);
      }
      if (endpoints.empty()) {
        probe.state = PortState::kError;
        probe.error = "the lookup returned no usable address";
        continue;
      }
      auto attempt = std::make_shared<Attempt>(io, probe);
      start_connect(attempt, endpoints, options.connect_timeout);
      attempts.push_back(std::move(attempt));
    }
  }
  // Every connect has a timer, so run() ends by itself; run_for is a second bound in case a
  // platform does not deliver the cancellation.
  io.run_for(options.connect_timeout + std::chrono::seconds(1));
  for (const auto& a : attempts) {
    if (a->result.state == PortState::kNotTried) {
      a->result.state = PortState::kTimeout;
      a->result.milliseconds = ms_since(a->start);
    }
  }
  return out;
}

Result<std::vector<std::uint16_t>> parse_port_list(std::string_view text) {
  std::vector<std::uint16_t> ports;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto comma = text.find(',', start);
    const auto item =
        text.substr(start, comma == std::string_view::npos ? text.size() - start : comma - start);
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), value);
    if (item.empty() || ec != std::errc() || end != item.data() + item.size() || value == 0 ||
        value > 65535) {
      return make_error("ports", std::string(text),
                        "expected a comma-separated list of TCP ports 1-65535, e.g. 135,445");
    }
    const auto port = static_cast<std::uint16_t>(value);
    if (std::find(ports.begin(), ports.end(), port) != ports.end()) {
      return make_error("ports", std::string(text), "port " + std::to_string(port) + " twice");
    }
    ports.push_back(port);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return ports;
}

}  // namespace rdwarm::imagebuild
