// The HTTP health endpoint for VDI brokers and load balancers (docs/health.md):
//   GET /healthz  200 "ok": the agent process is alive
//   GET /readyz   200 when users may be admitted, 503 otherwise; body "<BrokerStatus>: <reason>"
//   GET /status   the AgentStatus as JSON (rdwarm.agent-status/1)
//   GET /metrics  Prometheus text format 0.0.4
// Read-only (GET and HEAD), HTTP/1.1 with keep-alive, bounded in request size, time and number
// of connections, so a misbehaving client cannot hold the agent or grow its memory.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <thread>

#include "licensing/wire/result.hpp"
#include "warmup/agent/agent_status.hpp"

namespace rdwarm::agent {

struct HealthServerOptions {
  // Time a client has to send a whole request header; also how long an idle keep-alive
  // connection stays open.
  std::chrono::milliseconds read_timeout{5000};
  std::chrono::milliseconds write_timeout{5000};
  // Connections beyond this are accepted and closed at once.
  std::size_t max_connections = 256;
  // A longer request header is answered with 431 and the connection closed.
  std::uint32_t header_limit = 8 * 1024;
};

// The endpoint for [health] listen = "host:port": an IPv4 or IPv6 literal (brackets allowed),
// "localhost" (127.0.0.1), or a name resolved once. Port 0 asks the system for a free port.
Result<boost::asio::ip::tcp::endpoint> health_endpoint(std::string_view host, std::uint16_t port);

// Serves on the caller's io_context: the caller runs io.run() on one thread (or several: each
// connection has its own strand). `board` and `io` must outlive the server and every handler it
// queued, i.e. until io.run() has returned after stop().
class HealthServer {
 public:
  HealthServer(boost::asio::io_context& io, const StatusBoard& board,
               boost::asio::ip::tcp::endpoint endpoint, HealthServerOptions options = {});
  ~HealthServer();  // stop()
  HealthServer(const HealthServer&) = delete;
  HealthServer& operator=(const HealthServer&) = delete;
  HealthServer(HealthServer&&) = delete;
  HealthServer& operator=(HealthServer&&) = delete;

  // Binds and listens now (so a port in use is reported here), then accepts on io.run().
  Status start();
  // Thread-safe and idempotent: closes the listener and every open connection. io.run() returns
  // once they have wound down.
  void stop();
  // The bound port (the ephemeral one when the endpoint asked for port 0); 0 before start().
  [[nodiscard]] std::uint16_t port() const;
  // Connections open right now.
  [[nodiscard]] std::size_t connections() const;

  class Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

// A HealthServer with its own io_context and thread, for the agent and the benchmark.
class HealthServerThread {
 public:
  HealthServerThread(const StatusBoard& board, boost::asio::ip::tcp::endpoint endpoint,
                     HealthServerOptions options = {});
  ~HealthServerThread();  // stop()
  HealthServerThread(const HealthServerThread&) = delete;
  HealthServerThread& operator=(const HealthServerThread&) = delete;
  HealthServerThread(HealthServerThread&&) = delete;
  HealthServerThread& operator=(HealthServerThread&&) = delete;

  Status start();
  // Stops the server and joins the thread.
  void stop();
  [[nodiscard]] std::uint16_t port() const { return server_.port(); }
  [[nodiscard]] std::size_t connections() const { return server_.connections(); }

 private:
  boost::asio::io_context io_{1};
  HealthServer server_;
  std::thread thread_;
};

}  // namespace rdwarm::agent
