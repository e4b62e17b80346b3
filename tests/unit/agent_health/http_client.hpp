// A small HTTP/1.1 client for the health server tests: one TCP connection to 127.0.0.1, every
// operation bounded by a deadline, raw bytes or Beast-parsed responses.
#pragma once

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

namespace rdwarm::agent::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using Response = http::response<http::string_body>;

class HttpClient {
 public:
  explicit HttpClient(std::uint16_t port,
                      std::chrono::milliseconds timeout = std::chrono::seconds(3)) {
    stream_.expires_after(timeout);
    stream_.async_connect(asio::ip::tcp::endpoint(asio::ip::make_address_v4("127.0.0.1"), port),
                          [this](const boost::system::error_code& ec) { error_ = ec; });
    run();
    connected_ = !error_;
  }

  [[nodiscard]] bool connected() const { return connected_; }
  [[nodiscard]] const boost::system::error_code& error() const { return error_; }

  bool send(std::string_view bytes, std::chrono::milliseconds timeout = std::chrono::seconds(3)) {
    stream_.expires_after(timeout);
    asio::async_write(stream_, asio::buffer(bytes.data(), bytes.size()),
                      [this](const boost::system::error_code& ec, std::size_t) { error_ = ec; });
    run();
    return !error_;
  }

  // One response; nullopt when the connection closed, failed or timed out first.
  std::optional<Response> read_response(
      bool head = false, std::chrono::milliseconds timeout = std::chrono::seconds(3)) {
    http::response_parser<http::string_body> parser;
    parser.body_limit(4 * 1024 * 1024);
    parser.skip(head);  // a response to HEAD has headers only
    stream_.expires_after(timeout);
    http::async_read(stream_, buffer_, parser,
                     [this](const boost::system::error_code& ec, std::size_t) { error_ = ec; });
    run();
    if (error_) return std::nullopt;
    return parser.release();
  }

  std::optional<Response> request(http::verb method, std::string_view target,
                                  bool keep_alive = true, unsigned version = 11) {
    http::request<http::empty_body> req{method, std::string(target), version};
    req.set(http::field::host, "127.0.0.1");
    req.keep_alive(keep_alive);
    stream_.expires_after(std::chrono::seconds(3));
    http::async_write(stream_, req,
                      [this](const boost::system::error_code& ec, std::size_t) { error_ = ec; });
    run();
    if (error_) return std::nullopt;
    return read_response(method == http::verb::head);
  }

  std::optional<Response> get(std::string_view target) { return request(http::verb::get, target); }

  // Waits for the server to close the connection. Returns how long that took, or nullopt when
  // it was still open after `timeout`. Bytes that arrive meanwhile go to `received`.
  std::optional<std::chrono::milliseconds> wait_closed(std::chrono::milliseconds timeout,
                                                       std::string* received = nullptr) {
    const auto start = std::chrono::steady_clock::now();
    stream_.expires_after(timeout);
    for (;;) {
      std::array<char, 4096> chunk{};
      std::size_t n = 0;
      stream_.async_read_some(asio::buffer(chunk),
                              [this, &n](const boost::system::error_code& ec, std::size_t bytes) {
                                error_ = ec;
                                n = bytes;
                              });
      run();
      if (received != nullptr) received->append(chunk.data(), n);
      if (error_ == beast::error::timeout) return std::nullopt;
      if (error_) {  // EOF or reset: closed by the server
        return std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::steady_clock::now() - start);
      }
    }
  }

 private:
  void run() {
    io_.restart();
    io_.run();
  }

  asio::io_context io_;
  beast::tcp_stream stream_{io_};
  beast::flat_buffer buffer_;
  boost::system::error_code error_;
  bool connected_ = false;
};

// Polls `condition` every 5 ms until it holds or `timeout` passes.
inline bool eventually(const std::function<bool()>& condition,
                       std::chrono::milliseconds timeout = std::chrono::seconds(3)) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return condition();
}

}  // namespace rdwarm::agent::testing
