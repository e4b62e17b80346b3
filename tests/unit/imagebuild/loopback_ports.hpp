// TCP ports on 127.0.0.1 in the three states the reachability check tells apart, for tests:
// open (a listener; the kernel completes handshakes without accept), closed (bound, not
// listening: the kernel answers a SYN with a reset) and silent (a listener with backlog 0 whose
// one queue slot a filler connection holds: Linux then drops every further SYN, so a connect
// hangs until the caller's timeout - deterministic, and bounded by that timeout). The silent port
// relies on Linux's accept-queue behaviour; tests using it do not run on Windows.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstdint>

namespace rdwarm::testing {

// A TCP socket bound to 127.0.0.1 on a free port; listening with `backlog` unless negative.
class LoopbackPort {
 public:
  explicit LoopbackPort(int backlog) : acceptor_(io_) {
    const boost::asio::ip::tcp::endpoint any_port(boost::asio::ip::make_address_v4("127.0.0.1"), 0);
    acceptor_.open(any_port.protocol());
    acceptor_.bind(any_port);
    if (backlog >= 0) acceptor_.listen(backlog);
  }
  [[nodiscard]] std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

 protected:
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
};

// Open: room for 64 connections nobody accepts.
class OpenPort : public LoopbackPort {
 public:
  OpenPort() : LoopbackPort(64) {}
};

// Closed: bound (so nobody else takes the port) but not listening.
class ClosedPort : public LoopbackPort {
 public:
  ClosedPort() : LoopbackPort(-1) {}
};

// Silent: backlog 0 and one established connection filling the accept queue.
class SilentPort : public LoopbackPort {
 public:
  SilentPort() : LoopbackPort(0), filler_(io_) {
    filler_.connect({boost::asio::ip::make_address_v4("127.0.0.1"), port()});
  }

 private:
  boost::asio::ip::tcp::socket filler_;
};

}  // namespace rdwarm::testing
