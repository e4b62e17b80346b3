#include "tests/support/ports.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>

namespace rdwarm::testing {
namespace {

using Clock = std::chrono::steady_clock;

class Socket {
 public:
  Socket() : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "socket");
  }
  ~Socket() { ::close(fd_); }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

sockaddr_in loopback(std::uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

bool connect_loopback(const Socket& socket, std::uint16_t port) {
  const sockaddr_in addr = loopback(port);
  // Loopback connects complete (or are refused) at once, so a blocking connect cannot hang.
  return ::connect(socket.fd(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0;
}

int remaining_ms(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

void wait_ready(const Socket& socket, short events, Clock::time_point deadline, const char* what) {
  pollfd pfd{socket.fd(), events, 0};
  int ready = 0;
  do {
    ready = ::poll(&pfd, 1, remaining_ms(deadline));
  } while (ready < 0 && errno == EINTR);
  if (ready == 0) throw std::runtime_error(std::string("timed out while ") + what);
  if (ready < 0) throw std::system_error(errno, std::generic_category(), "poll");
}

void send_all(const Socket& socket, std::span<const std::uint8_t> data,
              Clock::time_point deadline) {
  while (!data.empty()) {
    wait_ready(socket, POLLOUT, deadline, "sending");
    const ssize_t sent = ::send(socket.fd(), data.data(), data.size(), MSG_NOSIGNAL);
    if (sent < 0 && errno == EINTR) continue;
    if (sent < 0) throw std::system_error(errno, std::generic_category(), "send");
    data = data.subspan(static_cast<std::size_t>(sent));
  }
}

void receive_exactly(const Socket& socket, std::span<std::uint8_t> out,
                     Clock::time_point deadline) {
  while (!out.empty()) {
    wait_ready(socket, POLLIN, deadline, "receiving");
    const ssize_t got = ::recv(socket.fd(), out.data(), out.size(), 0);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) throw std::system_error(errno, std::generic_category(), "recv");
    if (got == 0) throw std::runtime_error("peer closed the connection");
    out = out.subspan(static_cast<std::size_t>(got));
  }
}

}  // namespace

std::uint16_t free_loopback_port() {
  const Socket socket;
  sockaddr_in addr = loopback(0);
  if (::bind(socket.fd(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    throw std::system_error(errno, std::generic_category(), "bind 127.0.0.1:0");
  }
  socklen_t len = sizeof addr;
  if (::getsockname(socket.fd(), reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    throw std::system_error(errno, std::generic_category(), "getsockname");
  }
  return ntohs(addr.sin_port);
}

bool wait_for_listen(std::uint16_t port, std::chrono::milliseconds timeout) {
  constexpr std::chrono::milliseconds kInterval{10};
  const auto deadline = Clock::now() + timeout;
  const auto max_attempts = timeout / kInterval + 1;  // bounded in count as well as time
  for (std::chrono::milliseconds::rep attempt = 0; attempt < max_attempts; ++attempt) {
    if (connect_loopback(Socket(), port)) return true;
    if (Clock::now() >= deadline) break;
    std::this_thread::sleep_for(kInterval);
  }
  return false;
}

std::vector<std::uint8_t> exchange_tpkt(std::uint16_t port, std::span<const std::uint8_t> request,
                                        std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  const Socket socket;
  if (!connect_loopback(socket, port)) {
    const int err = errno;
    throw std::system_error(err, std::generic_category(),
                            "connect 127.0.0.1:" + std::to_string(port));
  }
  send_all(socket, request, deadline);

  std::vector<std::uint8_t> tpkt(4);
  receive_exactly(socket, tpkt, deadline);
  const std::size_t length = std::size_t{tpkt[2]} << 8 | tpkt[3];
  if (tpkt[0] != 3 || length < 4) {
    throw std::runtime_error("not a TPKT header (version " + std::to_string(tpkt[0]) + ", length " +
                             std::to_string(length) + ")");
  }
  tpkt.resize(length);
  receive_exactly(socket, std::span(tpkt).subspan(4), deadline);
  return tpkt;
}

}  // namespace rdwarm::testing
