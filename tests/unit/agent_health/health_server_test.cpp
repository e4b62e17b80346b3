// The health server on real loopback sockets: every endpoint's code, headers and body, readiness
// following the board, keep-alive and pipelining, the read-only rule, bounds on request size,
// time and connection count, garbage, many connections, and a clean stop.
#include "warmup/agent/health_server.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <memory>
#include <random>
#include <thread>
#include <vector>

#include "tests/unit/agent_health/http_client.hpp"
#include "tests/unit/agent_health/prometheus_format.hpp"

namespace rdwarm::agent {
namespace {

using namespace std::chrono_literals;
using testing::eventually;
using testing::HttpClient;
using tcp = boost::asio::ip::tcp;
namespace http = boost::beast::http;

const char* const kWaitingReason = "Waiting for the license server certificate (attempt 2).";

std::string header(const testing::Response& r, http::field f) {
  const auto it = r.find(f);
  return it == r.end() ? std::string() : std::string(it->value());
}

class HealthServerTest : public ::testing::Test {
 protected:
  HealthServerTest() {
    board_.update([](AgentStatus& s) {
      s.version = "0.1.0";
      s.platform = "lab";
      s.target = "127.0.0.1:3389";
      s.phase = AgentPhase::kWaiting;
      s.broker_status = BrokerStatus::kWarmingUp;
      s.gate_kind = "drain";
      s.gate_state = "closed";
      s.attempts = 2;
      s.attempts_by_outcome = {{"LicensingFailed", 2}};
      s.reasons = {kWaitingReason};
    });
  }

  void start(HealthServerOptions options = {}) {
    server_ = std::make_unique<HealthServerThread>(
        board_, tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0), options);
    const auto started = server_->start();
    ASSERT_TRUE(started.ok()) << started.error().message();
    port_ = server_->port();
    ASSERT_NE(port_, 0);
  }

  void make_ready() {
    board_.update([](AgentStatus& s) {
      s.phase = AgentPhase::kReady;
      s.broker_status = BrokerStatus::kAvailable;
      s.ready = true;
      s.gate_state = "open";
      s.reasons = {"The host holds a license-server certificate until 2030-01-01."};
    });
  }

  // The server still answers a fresh connection.
  void expect_alive() {
    HttpClient c(port_);
    ASSERT_TRUE(c.connected());
    const auto r = c.get("/healthz");
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->result(), http::status::ok);
  }

  StatusBoard board_;
  std::unique_ptr<HealthServerThread> server_;
  std::uint16_t port_ = 0;
};

TEST_F(HealthServerTest, Healthz) {
  start();
  HttpClient c(port_);
  const auto r = c.get("/healthz");
  ASSERT_TRUE(r.has_value()) << c.error().message();
  EXPECT_EQ(r->result(), http::status::ok);
  EXPECT_EQ(r->body(), "ok\n");
  EXPECT_EQ(header(*r, http::field::content_type), "text/plain; charset=utf-8");
  EXPECT_EQ(header(*r, http::field::cache_control), "no-store");
  EXPECT_EQ(header(*r, http::field::content_length), "3");
  EXPECT_TRUE(r->keep_alive());
}

TEST_F(HealthServerTest, ReadyzFollowsTheBoard) {
  start();
  HttpClient c(port_);
  auto r = c.get("/readyz");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->result(), http::status::service_unavailable);
  EXPECT_EQ(r->body(), std::string("WarmingUp: ") + kWaitingReason + "\n");
  EXPECT_EQ(header(*r, http::field::content_type), "text/plain; charset=utf-8");

  make_ready();
  r = c.get("/readyz");  // same keep-alive connection: no stale cache
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->result(), http::status::ok);
  EXPECT_EQ(r->body(),
            "Available: The host holds a license-server certificate until 2030-01-01.\n");

  // Opened on the deadline with on_deadline = open: admitted, but flagged.
  board_.update([](AgentStatus& s) {
    s.broker_status = BrokerStatus::kNeedsAssistance;
    s.reasons = {"Deadline reached\nwithout a certificate; the gate was opened."};
  });
  r = c.get("/readyz?verbose=1");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->result(), http::status::ok);
  EXPECT_EQ(r->body(),
            "NeedsAssistance: Deadline reached without a certificate; the gate was opened.\n");

  board_.update([](AgentStatus& s) {
    s.ready = false;
    s.broker_status = BrokerStatus::kUnavailable;
    s.reasons.clear();
  });
  r = c.get("/readyz");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->result(), http::status::service_unavailable);
  EXPECT_EQ(r->body(), "Unavailable\n");
}

TEST_F(HealthServerTest, StatusServesTheBoardAsJson) {
  start();
  HttpClient c(port_);
  auto r = c.get("/status");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->result(), http::status::ok);
  EXPECT_EQ(header(*r, http::field::content_type), "application/json");
  auto j = nlohmann::json::parse(r->body());
  EXPECT_EQ(j, agent_status_json(board_.snapshot()));
  EXPECT_EQ(j["status"], "WarmingUp");
  EXPECT_EQ(j["attempts"]["by_outcome"]["LicensingFailed"], 2);

  make_ready();
  r = c.get("/status");
  ASSERT_TRUE(r.has_value());
  j = nlohmann::json::parse(r->body());
  EXPECT_EQ(j["status"], "Available");
  EXPECT_EQ(j["ready"], true);
}

TEST_F(HealthServerTest, MetricsArePrometheusText) {
  start();
  HttpClient c(port_);
  const auto r = c.get("/metrics");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->result(), http::status::ok);
  EXPECT_NE(header(*r, http::field::content_type).find("text/plain; version=0.0.4"),
            std::string::npos);
  const auto p = testing::parse_prometheus_text(r->body());
  ASSERT_EQ(p.error, "") << r->body();
  EXPECT_EQ(p.value("rdwarm_ready"), 0.0);
  EXPECT_EQ(p.value("rdwarm_gate_closed", {{"gate", "drain"}}), 1.0);
  EXPECT_EQ(p.value("rdwarm_warmup_attempts_total", {{"outcome", "LicensingFailed"}}), 2.0);
}

TEST_F(HealthServerTest, HeadSendsHeadersOnly) {
  start();
  HttpClient c(port_);
  const auto get = c.get("/status");
  ASSERT_TRUE(get.has_value());
  const auto head = c.request(http::verb::head, "/status");
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->result(), http::status::ok);
  EXPECT_EQ(header(*head, http::field::content_length), std::to_string(get->body().size()));
  EXPECT_TRUE(head->body().empty());
  const auto ready = c.request(http::verb::head, "/readyz");
  ASSERT_TRUE(ready.has_value());
  EXPECT_EQ(ready->result(), http::status::service_unavailable);
  // The connection is still in step: a GET after the HEADs gets its own answer.
  const auto after = c.get("/healthz");
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(after->body(), "ok\n");
}

TEST_F(HealthServerTest, KeepAliveServesManyRequestsOnOneConnection) {
  start();
  HttpClient c(port_);
  const char* const targets[] = {"/healthz", "/readyz", "/status", "/metrics"};
  for (int i = 0; i < 40; ++i) {
    const auto r = c.get(targets[i % 4]);
    ASSERT_TRUE(r.has_value()) << "request " << i << ": " << c.error().message();
    EXPECT_TRUE(r->keep_alive());
  }
  EXPECT_EQ(server_->connections(), 1u);
}

TEST_F(HealthServerTest, PipelinedRequestsAreAnsweredInOrder) {
  start();
  HttpClient c(port_);
  ASSERT_TRUE(
      c.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
             "GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n"
             "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n"));
  const auto a = c.read_response();
  const auto b = c.read_response();
  const auto d = c.read_response();
  ASSERT_TRUE(a && b && d);
  EXPECT_EQ(a->result(), http::status::ok);
  EXPECT_EQ(b->result(), http::status::service_unavailable);
  EXPECT_EQ(d->result(), http::status::not_found);
}

TEST_F(HealthServerTest, Http10ClosesAfterTheAnswer) {
  start();
  HttpClient c(port_);
  const auto r = c.request(http::verb::get, "/healthz", false, 10);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->result(), http::status::ok);
  EXPECT_EQ(r->version(), 10u);
  EXPECT_TRUE(c.wait_closed(2s).has_value());
}

TEST_F(HealthServerTest, OnlyGetAndHeadAreAllowed) {
  start();
  HttpClient c(port_);
  for (const auto verb : {http::verb::post, http::verb::put, http::verb::delete_,
                          http::verb::options, http::verb::patch}) {
    const auto r = c.request(verb, "/readyz");
    ASSERT_TRUE(r.has_value()) << http::to_string(verb);
    EXPECT_EQ(r->result(), http::status::method_not_allowed);
    EXPECT_EQ(header(*r, http::field::allow), "GET, HEAD");
    EXPECT_TRUE(r->keep_alive());  // no body was sent: the connection stays usable
  }
  const auto r = c.get("/healthz");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->result(), http::status::ok);
}

TEST_F(HealthServerTest, ARequestWithABodyIsAnsweredAndTheConnectionClosed) {
  start();
  HttpClient c(port_);
  ASSERT_TRUE(c.send("POST /readyz HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"));
  const auto r = c.read_response();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->result(), http::status::method_not_allowed);
  EXPECT_FALSE(r->keep_alive());
  EXPECT_TRUE(c.wait_closed(2s).has_value());

  HttpClient g(port_);
  ASSERT_TRUE(g.send("GET /readyz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"));
  const auto r2 = g.read_response();
  ASSERT_TRUE(r2.has_value());
  EXPECT_EQ(r2->result(), http::status::service_unavailable);
  EXPECT_FALSE(r2->keep_alive());
  EXPECT_TRUE(g.wait_closed(2s).has_value());
}

TEST_F(HealthServerTest, UnknownPathsAre404) {
  start();
  HttpClient c(port_);
  for (const char* target : {"/", "/readyz/", "/healthz2", "/STATUS", "/metrics.txt", "*"}) {
    const auto r = c.get(target);
    ASSERT_TRUE(r.has_value()) << target;
    EXPECT_EQ(r->result(), http::status::not_found) << target;
    EXPECT_NE(r->body().find("/readyz"), std::string::npos);
  }
}

TEST_F(HealthServerTest, OversizeHeaderIsRefusedAndTheServerSurvives) {
  start();
  {
    HttpClient c(port_);
    ASSERT_TRUE(c.connected());
    const std::string big =
        "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(10 * 1024, 'a') + "\r\n\r\n";
    c.send(big);  // may fail part-way if the server already closed
    std::string received;
    EXPECT_TRUE(c.wait_closed(3s, &received).has_value());
    // Either the 431 arrived before the close, or the close came first (reset): never a 200.
    if (!received.empty()) {
      EXPECT_EQ(received.rfind("HTTP/1.1 431", 0), 0u) << received.substr(0, 40);
    }
  }
  expect_alive();
}

TEST_F(HealthServerTest, SilentClientIsClosedAfterTheReadDeadline) {
  HealthServerOptions options;
  options.read_timeout = 300ms;
  start(options);
  HttpClient silent(port_);
  ASSERT_TRUE(silent.connected());
  const auto closed_after = silent.wait_closed(5s);
  ASSERT_TRUE(closed_after.has_value());
  EXPECT_GE(*closed_after, 250ms);
  EXPECT_LT(*closed_after, 3s);

  // A client that starts a request and stalls gets the same deadline (slow header).
  HttpClient slow(port_);
  ASSERT_TRUE(slow.send("GET /healthz HTTP/1.1\r\nHo"));
  const auto slow_closed = slow.wait_closed(5s);
  ASSERT_TRUE(slow_closed.has_value());
  EXPECT_LT(*slow_closed, 3s);

  // An idle keep-alive connection too.
  HttpClient idle(port_);
  ASSERT_TRUE(idle.get("/healthz").has_value());
  EXPECT_TRUE(idle.wait_closed(5s).has_value());
  EXPECT_TRUE(eventually([&] { return server_->connections() == 0; }));
  expect_alive();
}

TEST_F(HealthServerTest, GarbageNeverCrashesTheServer) {
  HealthServerOptions options;
  options.read_timeout = 500ms;
  start(options);
  std::vector<std::string> inputs = {
      std::string("\0\0\0\0", 4),
      "\r\n\r\n",
      "GET / HTTP/9.9\r\n\r\n",
      "GET /readyz HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
      "GET /readyz HTTP/1.1\r\nno colon here\r\n\r\n",
      "GET /read\x01yz HTTP/1.1\r\n\r\n",
      "G\xff\xfe /readyz HTTP/1.1\r\n\r\n",
      "GET /readyz HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
      "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",  // a TLS ClientHello
      "\x03\x00\x00\x13\x0e\xe0\x00\x00\x00\x00\x00\x01\x00\x08\x00\x03\x00\x00\x00",  // RDP
  };
  std::mt19937 rng(20261121);
  for (int i = 0; i < 30; ++i) {
    std::string bytes(1 + rng() % 3000, '\0');
    for (auto& b : bytes) b = static_cast<char>(rng() & 0xff);
    inputs.push_back(bytes);
  }
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    HttpClient c(port_);
    ASSERT_TRUE(c.connected()) << "input " << i;
    c.send(inputs[i]);
    std::string received;
    ASSERT_TRUE(c.wait_closed(3s, &received).has_value()) << "input " << i;
    if (!received.empty()) {
      EXPECT_TRUE(received.rfind("HTTP/1.1 400", 0) == 0 || received.rfind("HTTP/1.1 431", 0) == 0)
          << "input " << i << ": " << received.substr(0, 40);
    }
  }
  expect_alive();
  EXPECT_TRUE(eventually([&] { return server_->connections() == 0; }));
}

TEST_F(HealthServerTest, ManySequentialConnections) {
  start();
  for (int i = 0; i < 300; ++i) {
    HttpClient c(port_);
    const auto r = c.get("/readyz");
    ASSERT_TRUE(r.has_value()) << "connection " << i << ": " << c.error().message();
    EXPECT_EQ(r->result(), http::status::service_unavailable);
  }
  EXPECT_TRUE(eventually([&] { return server_->connections() == 0; }));
}

TEST_F(HealthServerTest, ConcurrentConnections) {
  start();
  constexpr int kClients = 50;
  constexpr int kRequests = 10;
  std::latch connected(kClients);
  std::latch go(1);
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kClients; ++t) {
    threads.emplace_back([&] {
      HttpClient c(port_);
      connected.count_down();
      go.wait();  // every client holds its connection before any request
      for (int i = 0; i < kRequests; ++i) {
        const auto r = c.get(i % 2 == 0 ? "/readyz" : "/status");
        if (r &&
            (r->result() == http::status::service_unavailable || r->result() == http::status::ok)) {
          ++ok;
        }
      }
    });
  }
  connected.wait();
  // They really are open at the same time, each with its session on the server.
  EXPECT_TRUE(eventually([&] { return server_->connections() == kClients; }))
      << server_->connections();
  go.count_down();
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), kClients * kRequests);
  EXPECT_TRUE(eventually([&] { return server_->connections() == 0; }));
}

TEST_F(HealthServerTest, ReadyzIsConsistentWhileTheBoardChanges) {
  start();
  board_.update([](AgentStatus& s) { s.reasons = {"not ready"}; });
  std::atomic<bool> done{false};
  std::thread writer([&] {
    bool ready = false;
    while (!done) {
      ready = !ready;
      board_.update([ready](AgentStatus& s) {
        s.ready = ready;
        s.broker_status = ready ? BrokerStatus::kAvailable : BrokerStatus::kWarmingUp;
        s.reasons = {ready ? "ready" : "not ready"};
      });
      std::this_thread::sleep_for(100us);
    }
  });
  HttpClient c(port_);
  int seen_ok = 0;
  int seen_unavailable = 0;
  for (int i = 0; i < 500; ++i) {
    const auto r = c.get("/readyz");
    ASSERT_TRUE(r.has_value());
    // Status code and body come from one rendering of one board state.
    if (r->result() == http::status::ok) {
      ++seen_ok;
      EXPECT_EQ(r->body(), "Available: ready\n");
    } else {
      ++seen_unavailable;
      EXPECT_EQ(r->body(), "WarmingUp: not ready\n");
    }
  }
  done = true;
  writer.join();
  EXPECT_GT(seen_ok, 0);
  EXPECT_GT(seen_unavailable, 0);
}

TEST_F(HealthServerTest, ConnectionsBeyondTheLimitAreClosed) {
  HealthServerOptions options;
  options.max_connections = 4;
  start(options);
  std::vector<std::unique_ptr<HttpClient>> held;
  for (int i = 0; i < 4; ++i) {
    held.push_back(std::make_unique<HttpClient>(port_));
    ASSERT_TRUE(held.back()->connected());
  }
  ASSERT_TRUE(eventually([&] { return server_->connections() == 4; }));
  HttpClient extra(port_);
  ASSERT_TRUE(extra.connected());  // the kernel completes the handshake; the server closes it
  std::string received;
  const auto closed = extra.wait_closed(2s, &received);
  ASSERT_TRUE(closed.has_value());
  EXPECT_TRUE(received.empty());
  // The held connections still work, and a freed slot is reused.
  ASSERT_TRUE(held[0]->get("/healthz").has_value());
  held.pop_back();
  ASSERT_TRUE(eventually([&] { return server_->connections() == 3; }));
  expect_alive();
}

TEST_F(HealthServerTest, StopClosesEverythingPromptly) {
  start();
  std::vector<std::unique_ptr<HttpClient>> clients;
  for (int i = 0; i < 3; ++i) clients.push_back(std::make_unique<HttpClient>(port_));
  ASSERT_TRUE(clients[0]->get("/healthz").has_value());
  ASSERT_TRUE(eventually([&] { return server_->connections() == 3; }));

  const auto before = std::chrono::steady_clock::now();
  server_->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - before, 2s);
  EXPECT_EQ(server_->connections(), 0u);
  for (auto& c : clients) EXPECT_TRUE(c->wait_closed(2s).has_value());
  HttpClient late(port_, 1s);
  EXPECT_FALSE(late.connected());
  server_->stop();  // idempotent
}

TEST_F(HealthServerTest, APortInUseIsReported) {
  start();
  HealthServerThread second(board_,
                            tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port_));
  const auto started = second.start();
  ASSERT_FALSE(started.ok());
  EXPECT_NE(started.error().what.find("cannot listen on 127.0.0.1:" + std::to_string(port_)),
            std::string::npos)
      << started.error().message();
  expect_alive();
}

TEST_F(HealthServerTest, ServesOnTheCallersIoContext) {
  boost::asio::io_context io;
  HealthServer server(io, board_, tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  ASSERT_TRUE(server.start().ok());
  std::thread runner([&] { io.run(); });
  {
    HttpClient c(server.port());
    const auto r = c.get("/readyz");
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->result(), http::status::service_unavailable);
    server.stop();
  }
  runner.join();  // run() returns once the listener and the connection are closed
  EXPECT_EQ(server.connections(), 0u);
}

TEST(HealthEndpoint, LiteralsAndLocalhost) {
  auto e = health_endpoint("127.0.0.1", 9181);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->address().to_string(), "127.0.0.1");
  EXPECT_EQ(e->port(), 9181);
  e = health_endpoint("[::1]", 0);
  ASSERT_TRUE(e.ok());
  EXPECT_TRUE(e->address().is_v6());
  EXPECT_TRUE(e->address().is_loopback());
  e = health_endpoint("::1", 80);
  ASSERT_TRUE(e.ok());
  EXPECT_TRUE(e->address().is_v6());
  e = health_endpoint("LocalHost", 9181);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->address().to_string(), "127.0.0.1");
}

}  // namespace
}  // namespace rdwarm::agent
