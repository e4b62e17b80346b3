#include "warmup/agent/health_server.hpp"

#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "warmup/agent/metrics.hpp"

namespace rdwarm::agent {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr const char* kTextType = "text/plain; charset=utf-8";
constexpr const char* kJsonType = "application/json";

// What the endpoints answer, rendered once per board generation: a probe polling /readyz many
// times a second costs a string copy, not a JSON or metrics rendering.
struct Rendered {
  std::uint64_t generation = 0;
  bool ready = false;
  std::string readyz;
  std::string status;
  std::string metrics;
};

std::string one_line(std::string text) {
  for (char& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return text;
}

std::shared_ptr<const Rendered> render(const StatusBoard::Versioned& v) {
  auto r = std::make_shared<Rendered>();
  r->generation = v.generation;
  r->ready = v.status.ready;
  r->readyz = broker_status_name(v.status.broker_status);
  if (!v.status.reasons.empty()) r->readyz += ": " + one_line(v.status.reasons.front());
  r->readyz += '\n';
  r->status = agent_status_text(v.status, true) + '\n';
  r->metrics = prometheus_text(v.status);
  return r;
}

}  // namespace

class HealthServer::Impl : public std::enable_shared_from_this<HealthServer::Impl> {
 public:
  Impl(asio::io_context& io, const StatusBoard& board, tcp::endpoint endpoint,
       HealthServerOptions options)
      : io_(io),
        board_(board),
        endpoint_(std::move(endpoint)),
        options_(options),
        acceptor_(asio::make_strand(io)),
        retry_timer_(acceptor_.get_executor()) {}

  Status start();
  void stop();
  [[nodiscard]] std::uint16_t port() const { return port_.load(); }
  [[nodiscard]] std::size_t connections() const { return active_.load(); }

  [[nodiscard]] const HealthServerOptions& options() const { return options_; }
  std::shared_ptr<const Rendered> current();

  // Sessions register so stop() can close them; they unregister when destroyed.
  class Session;
  std::uint64_t add_session(const std::shared_ptr<Session>& session);
  void remove_session(std::uint64_t id);
  [[nodiscard]] bool stopped() const { return stopped_.load(); }

 private:
  void accept();
  void on_accept(const boost::system::error_code& ec, tcp::socket socket);

  asio::io_context& io_;
  const StatusBoard& board_;
  tcp::endpoint endpoint_;
  HealthServerOptions options_;
  tcp::acceptor acceptor_;
  asio::steady_timer retry_timer_;
  std::atomic<std::uint16_t> port_{0};
  std::atomic<std::size_t> active_{0};
  std::atomic<bool> stopped_{false};

  std::mutex sessions_mutex_;
  std::uint64_t next_session_ = 0;
  std::unordered_map<std::uint64_t, std::weak_ptr<Session>> sessions_;

  std::mutex cache_mutex_;
  std::shared_ptr<const Rendered> cache_;
};

// One connection: read a request header, answer, repeat while keep-alive. Every step runs on the
// connection's strand, with a deadline.
class HealthServer::Impl::Session : public std::enable_shared_from_this<Session> {
 public:
  Session(std::shared_ptr<Impl> server, tcp::socket socket)
      : server_(std::move(server)),
        stream_(std::move(socket)),
        // Room for a full header plus a pipelined request behind it; the parser's header limit
        // is what ends an oversize request.
        buffer_(2 * static_cast<std::size_t>(server_->options().header_limit) + 1024) {
    server_->active_.fetch_add(1);
  }
  ~Session() {
    server_->remove_session(id_);
    server_->active_.fetch_sub(1);
  }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  Session(Session&&) = delete;
  Session& operator=(Session&&) = delete;

  void run() {
    id_ = server_->add_session(shared_from_this());
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      if (self->server_->stopped()) {
        self->close();
        return;
      }
      self->read();
    });
  }

  // From any thread.
  void close_soon() {
    asio::post(stream_.get_executor(), [self = shared_from_this()] { self->close(); });
  }

 private:
  void read() {
    parser_.emplace();
    parser_->header_limit(server_->options().header_limit);
    // No body is ever read: one announced is answered and the connection closed (handle()).
    stream_.expires_after(server_->options().read_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&Session::on_read, shared_from_this()));
  }

  void on_read(const boost::system::error_code& ec, std::size_t /*bytes*/) {
    if (ec == http::error::header_limit) {
      respond(11, http::status::request_header_fields_too_large, kTextType,
              "request header too large\n", false, false);
      return;
    }
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::operation_aborted) {
      close();
      return;
    }
    if (ec) {
      // A malformed request gets a 400 before the connection closes; a transport error (reset,
      // buffer overflow) just closes.
      if (ec.category() == http::make_error_code(http::error::bad_target).category()) {
        respond(11, http::status::bad_request, kTextType, "bad request\n", false, false);
      } else {
        close();
      }
      return;
    }
    handle(parser_->get());
  }

  void handle(const http::request<http::empty_body>& req) {
    // A request body is never expected; rather than read and discard it, answer and close.
    const bool keep_alive = req.keep_alive() && parser_->is_done();
    const bool head = req.method() == http::verb::head;
    if (req.method() != http::verb::get && !head) {
      respond(req.version(), http::status::method_not_allowed, kTextType,
              "method not allowed: this endpoint is read-only (GET, HEAD)\n", keep_alive, false);
      return;
    }
    std::string_view path(req.target().data(), req.target().size());
    if (const auto q = path.find('?'); q != std::string_view::npos) path = path.substr(0, q);

    if (path == "/healthz") {
      respond(req.version(), http::status::ok, kTextType, "ok\n", keep_alive, head);
      return;
    }
    if (path == "/readyz" || path == "/status" || path == "/metrics") {
      const auto r = server_->current();
      if (path == "/readyz") {
        respond(req.version(), r->ready ? http::status::ok : http::status::service_unavailable,
                kTextType, r->readyz, keep_alive, head);
      } else if (path == "/status") {
        respond(req.version(), http::status::ok, kJsonType, r->status, keep_alive, head);
      } else {
        respond(req.version(), http::status::ok, kPrometheusContentType, r->metrics, keep_alive,
                head);
      }
      return;
    }
    respond(req.version(), http::status::not_found, kTextType,
            "not found; endpoints: /healthz /readyz /status /metrics\n", keep_alive, head);
  }

  void respond(unsigned version, http::status status, const char* content_type, std::string body,
               bool keep_alive, bool head) {
    res_ = {};
    res_.result(status);
    res_.version(version);
    res_.set(http::field::server, "rdwarm");
    res_.set(http::field::content_type, content_type);
    res_.set(http::field::cache_control, "no-store");
    if (status == http::status::method_not_allowed) res_.set(http::field::allow, "GET, HEAD");
    if (head) {
      res_.content_length(body.size());  // what GET would send, without the body
    } else {
      res_.body() = std::move(body);
      res_.prepare_payload();
    }
    res_.keep_alive(keep_alive);
    stream_.expires_after(server_->options().write_timeout);
    http::async_write(stream_, res_,
                      [self = shared_from_this(), keep_alive](const boost::system::error_code& ec,
                                                              std::size_t /*bytes*/) {
                        self->on_write(ec, keep_alive);
                      });
  }

  void on_write(const boost::system::error_code& ec, bool keep_alive) {
    if (ec || !keep_alive || server_->stopped()) {
      close();
      return;
    }
    read();
  }

  void close() {
    boost::system::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
  }

  std::shared_ptr<Impl> server_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::empty_body>> parser_;
  http::response<http::string_body> res_;
  std::uint64_t id_ = 0;
};

Status HealthServer::Impl::start() {
  constexpr const char* kWhere = "health server";
  boost::system::error_code ec;
  const std::string where =
      endpoint_.address().to_string() + ":" + std::to_string(endpoint_.port());
  acceptor_.open(endpoint_.protocol(), ec);
  if (ec) return make_error(kWhere, "", "cannot open a socket for " + where + ": " + ec.message());
#ifdef _WIN32
  // SO_REUSEADDR on Windows would let another process take over the port: ask for exclusive use.
  using exclusive_address_use =
      asio::detail::socket_option::boolean<SOL_SOCKET, SO_EXCLUSIVEADDRUSE>;
  acceptor_.set_option(exclusive_address_use(true), ec);
#else
  // A restarted agent must not wait for the previous one's connections to leave TIME_WAIT.
  acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
#endif
  acceptor_.bind(endpoint_, ec);
  if (ec) {
    return make_error(kWhere, "",
                      "cannot listen on " + where + ": " + ec.message() +
                          "; another program may use the port: change [health] listen in "
                          "rdwarm.toml");
  }
  acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return make_error(kWhere, "", "cannot listen on " + where + ": " + ec.message());
  port_ = acceptor_.local_endpoint(ec).port();
  asio::post(acceptor_.get_executor(), [self = shared_from_this()] { self->accept(); });
  return Ok{};
}

void HealthServer::Impl::accept() {
  if (stopped_) return;
  acceptor_.async_accept(asio::make_strand(io_),
                         beast::bind_front_handler(&Impl::on_accept, shared_from_this()));
}

void HealthServer::Impl::on_accept(const boost::system::error_code& ec, tcp::socket socket) {
  if (ec == asio::error::operation_aborted || stopped_) return;
  if (ec) {
    // Out of descriptors or memory: pause briefly instead of spinning on the error.
    retry_timer_.expires_after(std::chrono::milliseconds(50));
    retry_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& wait_ec) {
      if (!wait_ec) self->accept();
    });
    return;
  }
  if (active_.load() >= options_.max_connections) {
    boost::system::error_code ignored;
    socket.close(ignored);
  } else {
    // Each response leaves in one write; without Nagle a pipelined second response does not
    // wait for the client's delayed ACK.
    boost::system::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    std::make_shared<Session>(shared_from_this(), std::move(socket))->run();
  }
  accept();
}

void HealthServer::Impl::stop() {
  if (stopped_.exchange(true)) return;
  asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
    boost::system::error_code ignored;
    self->acceptor_.close(ignored);
    self->retry_timer_.cancel();
  });
  // Collected first and closed after the lock is released: the last reference to a session may
  // be one of these, and its destructor takes the same lock to unregister.
  std::vector<std::shared_ptr<Session>> open;
  {
    const std::lock_guard lock(sessions_mutex_);
    for (auto& [id, weak] : sessions_) {
      if (auto session = weak.lock()) open.push_back(std::move(session));
    }
  }
  for (const auto& session : open) session->close_soon();
}

std::uint64_t HealthServer::Impl::add_session(const std::shared_ptr<Session>& session) {
  const std::lock_guard lock(sessions_mutex_);
  const auto id = ++next_session_;
  sessions_.emplace(id, session);
  return id;
}

void HealthServer::Impl::remove_session(std::uint64_t id) {
  const std::lock_guard lock(sessions_mutex_);
  sessions_.erase(id);
}

std::shared_ptr<const Rendered> HealthServer::Impl::current() {
  const std::lock_guard lock(cache_mutex_);
  if (!cache_ || cache_->generation != board_.generation()) {
    cache_ = render(board_.versioned_snapshot());
  }
  return cache_;
}

HealthServer::HealthServer(asio::io_context& io, const StatusBoard& board, tcp::endpoint endpoint,
                           HealthServerOptions options)
    : impl_(std::make_shared<Impl>(io, board, std::move(endpoint), options)) {}

HealthServer::~HealthServer() {
  stop();
}

Status HealthServer::start() {
  return impl_->start();
}
void HealthServer::stop() {
  impl_->stop();
}
std::uint16_t HealthServer::port() const {
  return impl_->port();
}
std::size_t HealthServer::connections() const {
  return impl_->connections();
}

HealthServerThread::HealthServerThread(const StatusBoard& board, tcp::endpoint endpoint,
                                       HealthServerOptions options)
    : server_(io_, board, std::move(endpoint), options) {}

HealthServerThread::~HealthServerThread() {
  stop();
}

Status HealthServerThread::start() {
  auto started = server_.start();
  if (!started.ok()) return started;
  thread_ = std::thread([this] {
    // A handler that throws (out of memory) must not take the agent down; serving resumes.
    for (;;) {
      try {
        io_.run();
        return;
      } catch (...) {
        continue;
      }
    }
  });
  return Ok{};
}

void HealthServerThread::stop() {
  server_.stop();
  if (thread_.joinable()) thread_.join();
}

Result<tcp::endpoint> health_endpoint(std::string_view host, std::uint16_t port) {
  std::string name(host);
  if (name.size() >= 2 && name.front() == '[' && name.back() == ']') {
    name = name.substr(1, name.size() - 2);
  }
  std::string lower = name;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "localhost") {
    return tcp::endpoint(asio::ip::address_v4::loopback(), port);
  }
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(name, ec);
  if (!ec) return tcp::endpoint(address, port);
  asio::io_context io;
  tcp::resolver resolver(io);
  const auto results = resolver.resolve(name, std::to_string(port), ec);
  if (ec || results.empty()) {
    return make_error("health server", "listen",
                      "cannot resolve " + name + (ec ? ": " + ec.message() : "") +
                          "; use an IP address in [health] listen");
  }
  return results.begin()->endpoint();
}

}  // namespace rdwarm::agent
