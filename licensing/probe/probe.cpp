#include "licensing/probe/probe.hpp"

#include <array>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <memory>
#include <optional>
#include <utility>

#include "licensing/connector/connector.hpp"

namespace rdwarm::probe {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using connector::OutcomeKind;
using connector::Phase;
using Clock = std::chrono::steady_clock;

namespace {

asio::ssl::context make_tls_context() {
  // The system openssl.cnf is not read: it costs milliseconds per probe and would let a
  // distribution's policy (Debian: SECLEVEL=2) change which session hosts the probe can reach.
  static const bool initialised = OPENSSL_init_ssl(OPENSSL_INIT_NO_LOAD_CONFIG, nullptr) == 1;
  (void)initialised;
  asio::ssl::context ctx(asio::ssl::context::tls_client);
  // The session host's TLS certificate is self-signed and unrelated to licensing: not verified.
  ctx.set_verify_mode(asio::ssl::verify_none);
  SSL_CTX* native = ctx.native_handle();
  SSL_CTX_set_options(native, SSL_OP_NO_COMPRESSION);
  // Older session hosts (2008 R2, 2012 without updates) speak only TLS 1.0 with SHA-1: accept
  // them. Nothing secret crosses this connection.
  SSL_CTX_set_security_level(native, 0);
  SSL_CTX_set_min_proto_version(native, TLS1_VERSION);
  return ctx;
}

connector::ConnectorConfig connector_config(const ProbeOptions& options) {
  connector::ConnectorConfig config{options.identity, {}, options.credentials, {}, {}};
  config.nla.host = options.host;
  config.nla.workstation = options.identity.machine_name;
  config.nla.format = options.nla_tokens;
  return config;
}

// The server's certificate, DER: NLA binds the authentication to its public key.
std::vector<std::uint8_t> peer_certificate(SSL* ssl) {
  std::vector<std::uint8_t> der;
  X509* cert = SSL_get1_peer_certificate(ssl);
  if (cert == nullptr) return der;
  const int n = i2d_X509(cert, nullptr);
  if (n > 0) {
    der.resize(static_cast<std::size_t>(n));
    unsigned char* out = der.data();
    i2d_X509(cert, &out);
  }
  X509_free(cert);
  return der;
}

class ProbeSession : public std::enable_shared_from_this<ProbeSession> {
 public:
  ProbeSession(asio::io_context& io, ProbeOptions options, std::function<void(ProbeResult)> done)
      : io_(io),
        options_(std::move(options)),
        done_(std::move(done)),
        tls_(make_tls_context()),
        resolver_(io),
        stream_(io, tls_),
        phase_timer_(io),
        overall_timer_(io),
        connector_(connector_config(options_)) {}

  void start() {
    start_time_ = Clock::now();
    phase_start_ = start_time_;
    result_.target = options_.host + ":" + std::to_string(options_.port);
    overall_timer_.expires_after(options_.overall_timeout);
    overall_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (!ec) self->on_deadline();
    });
    arm_phase_timer(options_.connect_timeout);
    // An address needs no resolver, whose first use starts a thread and costs milliseconds.
    boost::system::error_code literal_ec;
    const auto literal = asio::ip::make_address(options_.host, literal_ec);
    host_is_address_ = !literal_ec;
    if (host_is_address_) {
      const tcp::endpoint ep(literal, options_.port);
      stream_.next_layer().async_connect(
          ep, [self = shared_from_this(), ep](const boost::system::error_code& ec) {
            self->on_connected(ec, ep);
          });
      return;
    }
    resolver_.async_resolve(
        options_.host, std::to_string(options_.port),
        [self = shared_from_this()](const boost::system::error_code& ec,
                                    const tcp::resolver::results_type& results) {
          self->on_resolved(ec, results);
        });
  }

 private:
  void on_resolved(const boost::system::error_code& ec,
                   const tcp::resolver::results_type& results) {
    if (finished_) return;
    if (ec) {
      finish_without_connector(OutcomeKind::Refused,
                               "cannot resolve " + options_.host + ": " + ec.message());
      return;
    }
    asio::async_connect(
        stream_.next_layer(), results,
        [self = shared_from_this()](const boost::system::error_code& cec, const tcp::endpoint& ep) {
          self->on_connected(cec, ep);
        });
  }

  void on_connected(const boost::system::error_code& ec, const tcp::endpoint& ep) {
    if (finished_) return;
    if (ec) {
      finish_without_connector(OutcomeKind::Refused,
                               "nothing accepted the connection: " + ec.message());
      return;
    }
    boost::system::error_code ignored;
    stream_.next_layer().set_option(tcp::no_delay(true), ignored);
    result_.peer = ep.address().to_string() + ":" + std::to_string(ep.port());
    connector_.start();
    note_phase();
    pump();
  }

  // Sends what the connector produced, then starts TLS or reads, or finishes.
  void pump() {
    if (finished_) return;
    note_phase();
    auto out = connector_.take_output();
    if (!out.empty()) {
      auto buffer = std::make_shared<std::vector<std::uint8_t>>(std::move(out));
      auto on_written = [self = shared_from_this(), buffer](const boost::system::error_code& ec,
                                                            std::size_t) {
        if (self->finished_) return;
        if (ec) {
          self->connector_.connection_closed();
          self->finish();
          return;
        }
        self->after_write();
      };
      if (tls_active_) {
        asio::async_write(stream_, asio::buffer(*buffer), on_written);
      } else {
        asio::async_write(stream_.next_layer(), asio::buffer(*buffer), on_written);
      }
      return;
    }
    after_write();
  }

  void after_write() {
    if (connector_.done()) {
      finish();
      return;
    }
    if (connector_.wants_tls() && !tls_active_) {
      start_tls();
      return;
    }
    read();
  }

  void start_tls() {
    if (!host_is_address_) {  // SNI carries host names only
      // SSL_set_tlsext_host_name is a macro with a C cast; this is what it expands to.
      SSL_ctrl(stream_.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
               const_cast<char*>(options_.host.c_str()));
    }
    stream_.async_handshake(asio::ssl::stream_base::client,
                            [self = shared_from_this()](const boost::system::error_code& ec) {
                              if (self->finished_) return;
                              if (ec) {
                                self->connector_.tls_failed(ec.message());
                                self->finish();
                                return;
                              }
                              self->tls_active_ = true;
                              SSL* ssl = self->stream_.native_handle();
                              self->result_.tls_version = SSL_get_version(ssl);
                              self->result_.tls_cipher = SSL_get_cipher_name(ssl);
                              self->connector_.tls_established(peer_certificate(ssl));
                              self->pump();
                            });
  }

  void read() {
    if (reading_) return;
    reading_ = true;
    auto on_read = [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
      self->reading_ = false;
      if (self->finished_) return;
      if (ec) {
        self->connector_.connection_closed();
        self->finish();
        return;
      }
      self->connector_.receive(std::span(self->buffer_.data(), n));
      self->pump();
    };
    if (tls_active_) {
      stream_.async_read_some(asio::buffer(buffer_), on_read);
    } else {
      stream_.next_layer().async_read_some(asio::buffer(buffer_), on_read);
    }
  }

  // Records the end of the previous phase when the connector moved on, and re-arms the timer.
  void note_phase() {
    const Phase now = connector_.phase();
    if (now == current_phase_) {
      if (connector_.verdict_known() && !grace_armed_) {
        grace_armed_ = true;
        arm_phase_timer(options_.verdict_grace);
      }
      return;
    }
    close_phase(Clock::now());
    current_phase_ = now;
    if (now == Phase::Done) return;
    grace_armed_ = connector_.verdict_known();
    arm_phase_timer(grace_armed_ ? options_.verdict_grace : options_.phase_timeout);
  }

  void close_phase(Clock::time_point at) {
    result_.timings.push_back(
        {current_phase_, std::chrono::duration_cast<std::chrono::microseconds>(at - phase_start_)});
    phase_start_ = at;
  }

  void arm_phase_timer(Millis timeout) {
    phase_timer_.expires_after(timeout);
    phase_timer_.async_wait([self = shared_from_this(),
                             gen = ++timer_generation_](const boost::system::error_code& ec) {
      if (!ec && gen == self->timer_generation_) self->on_deadline();
    });
  }

  void on_deadline() {
    if (finished_) return;
    if (current_phase_ == Phase::TcpConnect) {
      finish_without_connector(OutcomeKind::Timeout, "the TCP connection did not complete in time");
      return;
    }
    connector_.deadline_expired();  // a stalled TLS handshake is Timeout(tls), like any phase
    finish();
  }

  void finish() {
    if (finished_) return;
    result_.outcome = connector_.outcome();
    // Say goodbye (DPUM) when the connector left one, best effort and without waiting on it.
    auto out = connector_.take_output();
    if (!out.empty() && tls_active_) {
      boost::system::error_code ignored;
      asio::write(stream_, asio::buffer(out), ignored);
    }
    complete();
  }

  void finish_without_connector(OutcomeKind kind, std::string detail) {
    result_.outcome.kind = kind;
    result_.outcome.phase = current_phase_;
    result_.outcome.detail = std::move(detail);
    complete();
  }

  void complete() {
    if (finished_) return;
    finished_ = true;
    const auto now = Clock::now();
    if (current_phase_ != Phase::Done) close_phase(now);
    result_.total = std::chrono::duration_cast<std::chrono::microseconds>(now - start_time_);
    phase_timer_.cancel();
    overall_timer_.cancel();
    resolver_.cancel();
    boost::system::error_code ignored;
    stream_.next_layer().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.next_layer().close(ignored);
    auto done = std::move(done_);
    asio::post(io_, [done = std::move(done), result = std::move(result_)]() mutable {
      done(std::move(result));
    });
  }

  asio::io_context& io_;
  ProbeOptions options_;
  std::function<void(ProbeResult)> done_;
  asio::ssl::context tls_;
  tcp::resolver resolver_;
  asio::ssl::stream<tcp::socket> stream_;
  asio::steady_timer phase_timer_;
  asio::steady_timer overall_timer_;
  connector::ClientConnector connector_;
  ProbeResult result_;
  std::array<std::uint8_t, 16384> buffer_{};
  Clock::time_point start_time_, phase_start_;
  Phase current_phase_ = Phase::TcpConnect;
  std::uint64_t timer_generation_ = 0;
  bool host_is_address_ = false;
  bool tls_active_ = false;
  bool reading_ = false;
  bool finished_ = false;
  bool grace_armed_ = false;
};

}  // namespace

void async_probe(asio::io_context& io, const ProbeOptions& options,
                 std::function<void(ProbeResult)> done) {
  std::make_shared<ProbeSession>(io, options, std::move(done))->start();
}

ProbeResult run_probe(const ProbeOptions& options) {
  asio::io_context io(1);
  ProbeResult out;
  async_probe(io, options, [&out](ProbeResult r) { out = std::move(r); });
  io.run();
  return out;
}

}  // namespace rdwarm::probe
