// License-server reachability against listeners the tests open on loopback: an open port, a
// closed one and a silent one (loopback_ports.hpp). Name lookups use the system resolver for
// "localhost" and test resolvers for a failure and a hang. Every case checks the time bound.
#include "imagebuild/preflight/reachability.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>

#include "tests/unit/imagebuild/loopback_ports.hpp"

namespace rdwarm::imagebuild {
namespace {

using testing::ClosedPort;
using testing::OpenPort;
using testing::SilentPort;

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

double elapsed_ms(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

ReachabilityOptions options(std::vector<std::uint16_t> ports, milliseconds connect_timeout,
                            milliseconds dns_timeout = milliseconds(1000)) {
  ReachabilityOptions o;
  o.ports = std::move(ports);
  o.connect_timeout = connect_timeout;
  o.dns_timeout = dns_timeout;
  return o;
}

#ifndef _WIN32  // the silent port needs Linux's accept-queue behaviour
TEST(Reachability, OpenClosedAndSilentPortsOnOneServer) {
  const OpenPort open;
  const ClosedPort closed;
  const SilentPort silent;
  const auto start = Clock::now();
  const auto r = probe_license_servers(
      {"127.0.0.1"}, options({open.port(), closed.port(), silent.port()}, milliseconds(300)));
  const double took = elapsed_ms(start);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].dns.state, DnsState::kLiteral);
  ASSERT_EQ(r[0].ports.size(), 3u);
  EXPECT_EQ(r[0].ports[0].port, open.port());
  EXPECT_EQ(r[0].ports[0].state, PortState::kOpen);
  EXPECT_EQ(r[0].ports[0].address, "127.0.0.1");
  EXPECT_LT(r[0].ports[0].milliseconds, 300.0);
  EXPECT_EQ(r[0].ports[1].state, PortState::kRefused);
  EXPECT_FALSE(r[0].ports[1].error.empty());
  EXPECT_EQ(r[0].ports[2].state, PortState::kTimeout);
  EXPECT_GE(r[0].ports[2].milliseconds, 290.0);
  EXPECT_FALSE(r[0].all_open());
  EXPECT_TRUE(r[0].any_open());
  // The three connects run at once: one timeout, not three, plus scheduling slack.
  EXPECT_GE(took, 290.0);
  EXPECT_LT(took, 1000.0);
}
#endif

TEST(Reachability, AllOpenIsReachable) {
  const OpenPort a;
  const OpenPort b;
  const auto r =
      probe_license_servers({"127.0.0.1"}, options({a.port(), b.port()}, milliseconds(500)));
  ASSERT_EQ(r.size(), 1u);
  EXPECT_TRUE(r[0].all_open());
}

#ifndef _WIN32  // the silent port needs Linux's accept-queue behaviour
TEST(Reachability, ServersAreProbedAtOnceSoTheBoundIsOneTimeout) {
  const SilentPort silent;
  const auto start = Clock::now();
  const auto r = probe_license_servers({"127.0.0.1", "127.0.0.1", "127.0.0.1"},
                                       options({silent.port()}, milliseconds(250)));
  const double took = elapsed_ms(start);
  ASSERT_EQ(r.size(), 3u);
  for (const auto& s : r) EXPECT_EQ(s.ports[0].state, PortState::kTimeout);
  EXPECT_LT(took, 900.0);
}
#endif

TEST(Reachability, LocalhostResolvesThroughTheSystemResolver) {
  const OpenPort open;
  const auto r = probe_license_servers({"localhost"}, options({open.port()}, milliseconds(500)));
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].dns.state, DnsState::kResolved);
  EXPECT_FALSE(r[0].dns.addresses.empty());
  // localhost may resolve to ::1 first; the connect then moves on to 127.0.0.1.
  EXPECT_EQ(r[0].ports[0].state, PortState::kOpen);
  EXPECT_EQ(r[0].ports[0].address, "127.0.0.1");
}

TEST(Reachability, FailedLookupTriesNoPort) {
  auto o = options({135, 445}, milliseconds(300));
  o.resolver = [](const std::string& name) -> Result<std::vector<std::string>> {
    return make_error("DNS", name, "Host not found (authoritative)");
  };
  const auto r = probe_license_servers({"ls1.corp"}, o);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].dns.state, DnsState::kFailed);
  EXPECT_EQ(r[0].dns.error, "Host not found (authoritative)");
  ASSERT_EQ(r[0].ports.size(), 2u);
  EXPECT_EQ(r[0].ports[0].state, PortState::kNotTried);
  EXPECT_FALSE(r[0].any_open());
}

TEST(Reachability, EmptyLookupAndUnusableAddressAreReported) {
  auto o = options({135}, milliseconds(300));
  o.resolver = [](const std::string& name) -> Result<std::vector<std::string>> {
    if (name == "empty.corp") return std::vector<std::string>{};
    return std::vector<std::string>{"not-an-address"};
  };
  const auto r = probe_license_servers({"empty.corp", "odd.corp"}, o);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].dns.state, DnsState::kFailed);
  EXPECT_EQ(r[0].dns.error, "no addresses");
  EXPECT_EQ(r[1].dns.state, DnsState::kResolved);
  EXPECT_EQ(r[1].ports[0].state, PortState::kError);
}

// A resolver that hangs until the test lets it go (after the probe gave up on it).
struct Gate {
  std::mutex mutex;
  std::condition_variable cv;
  bool open = false;
  void release() {
    const std::lock_guard lock(mutex);
    open = true;
    cv.notify_all();
  }
};

TEST(Reachability, HangingLookupTimesOutWithinTheDnsBound) {
  const OpenPort open;
  auto gate = std::make_shared<Gate>();
  auto o = options({open.port()}, milliseconds(300), milliseconds(200));
  o.resolver = [gate](const std::string& name) -> Result<std::vector<std::string>> {
    if (name == "fast.corp") return std::vector<std::string>{"127.0.0.1"};
    std::unique_lock lock(gate->mutex);
    gate->cv.wait_for(lock, std::chrono::seconds(10), [&] { return gate->open; });
    return std::vector<std::string>{"127.0.0.1"};
  };
  const auto start = Clock::now();
  const auto r = probe_license_servers({"slow.corp", "fast.corp"}, o);
  const double took = elapsed_ms(start);
  gate->release();
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].dns.state, DnsState::kTimeout);
  EXPECT_GE(r[0].dns.milliseconds, 190.0);
  EXPECT_EQ(r[0].ports[0].state, PortState::kNotTried);
  EXPECT_EQ(r[1].dns.state, DnsState::kResolved);
  EXPECT_EQ(r[1].ports[0].state, PortState::kOpen);
  EXPECT_GE(took, 190.0);
  EXPECT_LT(took, 800.0);
}

TEST(Reachability, AtMostSixteenServersAreProbed) {
  const OpenPort open;
  const std::vector<std::string> many(20, "127.0.0.1");
  const auto r = probe_license_servers(many, options({open.port()}, milliseconds(500)));
  EXPECT_EQ(r.size(), kMaxProbedLicenseServers);
  for (const auto& s : r) EXPECT_EQ(s.ports[0].state, PortState::kOpen);
}

TEST(Reachability, PortListParsing) {
  auto p = parse_port_list("135,445");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(*p, (std::vector<std::uint16_t>{135, 445}));
  p = parse_port_list("65535");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->front(), 65535);
  for (const char* bad :
       {"", "0", "65536", "135,", ",445", "135,,445", "13a", "-1", " 135", "135,135"}) {
    EXPECT_FALSE(parse_port_list(bad).ok()) << bad;
  }
  EXPECT_NE(parse_port_list("135,135").error().what.find("twice"), std::string::npos);
}

TEST(Reachability, StateNames) {
  EXPECT_EQ(port_state_name(PortState::kOpen), "open");
  EXPECT_EQ(port_state_name(PortState::kNotTried), "not-tried");
  EXPECT_EQ(dns_state_name(DnsState::kLiteral), "literal");
  EXPECT_EQ(dns_state_name(DnsState::kTimeout), "timeout");
}

}  // namespace
}  // namespace rdwarm::imagebuild
