#include "lab/session_host/lab_server.hpp"

#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <cstdio>
#include <map>

#include "lab/session_host/lab_log.hpp"
#include "lab/session_host/licensing_policy.hpp"
#include "lab/session_host/session_host_connection.hpp"
#include "lab/session_host/tls_identity.hpp"
#include "licensing/crypto/credssp_binding.hpp"
#include "licensing/wire/credssp.hpp"
#include "licensing/wire/errinfo.hpp"

namespace rdwarm::lab {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {
// After the last PDU the lab sends FIN and lets the client read everything before closing: a
// close with unread input would turn into a reset that can drop the final PDUs.
constexpr std::chrono::milliseconds kLingerAfterClose{2000};
constexpr std::size_t kReadBufferSize = 8192;

std::string hex32(std::uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08X", v);
  return buf;
}

// " nla LAB\probe NTLM in SPNEGO, CredSSP 6, authenticated, AUTHZ_SUCCESS": who, how, the result.
std::string describe_nla(const ConnectionReport& r) {
  if (!r.credssp_version) return {};
  std::string s = " nla ";
  if (r.nla_user.empty()) {
    s += "(no AUTHENTICATE)";
  } else {
    s += (r.nla_domain.empty() ? "" : r.nla_domain + "\\") + r.nla_user;
  }
  s += r.nla_spnego.value_or(false) ? " NTLM in SPNEGO" : " NTLM (bare)";
  s += ", CredSSP " + std::to_string(*r.credssp_version);
  if (r.nla_authenticated) {
    s += ", authenticated";
  } else if (r.nla_refused) {
    const auto name = wire::credssp::status_code_name(*r.nla_refused);
    s += ", refused " + (name.empty() ? hex32(*r.nla_refused)
                                      : std::string(name) + " (" + hex32(*r.nla_refused) + ")");
  }
  if (r.authorization_result) {
    const auto name = wire::credssp::authorization_result_name(*r.authorization_result);
    s += ", " +
         (name.empty() ? "authorization " + hex32(*r.authorization_result) : std::string(name));
  }
  return s;
}

std::string describe(const ConnectionReport& r) {
  std::string s = describe_nla(r);
  if (!r.client_name.empty()) s += " client " + r.client_name;
  if (!r.machine_name.empty()) s += " machine " + r.machine_name;
  if (r.certificate_sent) {
    s += std::string(" cert ") + std::string(crypto::to_string(*r.certificate_sent));
  }
  if (r.invalid_mac) s += " verdict ERR_INVALID_MAC";
  if (r.verdict) {
    s += " verdict " + std::string(verdict_kind_name(*r.verdict)) + " (" + r.verdict_reason + ")";
  }
  if (r.error_info_sent) {
    s += " errinfo " + std::string(wire::error_info_text(*r.error_info_sent).name);
  }
  if (r.activated) s += " activated";
  return s;
}
}  // namespace

class LabServer::Impl : public std::enable_shared_from_this<LabServer::Impl> {
 public:
  Impl(asio::io_context& io, asio::ssl::context& tls, HostServices& host, LabServerConfig config)
      : io_(io), tls_(tls), host_(host), config_(std::move(config)), acceptor_(io) {}

  Result<std::uint16_t> listen() {
    if (config_.nla_required) {
      // CredSSP binds each logon to the public key of the certificate every connection presents.
      auto der = tls_certificate_der(tls_);
      if (!der) return der.error();
      auto key = crypto::credssp::subject_public_key(*der);
      if (!key) return key.error();
      tls_public_key_ = std::move(key).value();
    }
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(config_.address, ec);
    if (ec) return Error{"rdwarm-lab", "address", config_.address + " is not an IP address"};
    const tcp::endpoint endpoint(address, config_.port);
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(1024, ec);
    if (ec) {
      return Error{"rdwarm-lab", "listen",
                   "cannot listen on " + config_.address + ":" + std::to_string(config_.port) +
                       ": " + ec.message()};
    }
    accept();
    return acceptor_.local_endpoint().port();
  }

  void stop();
  const LabServerStats& stats() const { return stats_; }

  class Connection;
  void finished(std::uint64_t number, const ConnectionReport& report, bool fault,
                Clock::duration elapsed, const std::string& peer);

  asio::io_context& io_;
  asio::ssl::context& tls_;
  HostServices& host_;
  LabServerConfig config_;
  tcp::acceptor acceptor_;
  LabServerStats stats_;
  std::uint64_t next_number_ = 0;
  std::map<std::uint64_t, std::shared_ptr<Connection>> connections_;
  std::vector<std::uint8_t> tls_public_key_;
  bool stopped_ = false;

 private:
  void accept();
};

class LabServer::Impl::Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(std::shared_ptr<Impl> server, tcp::socket socket, std::uint64_t number,
             ConnectionConfig config)
      : server_(std::move(server)),
        number_(number),
        fault_(config.fault.has_value()),
        stream_(std::move(socket), server_->tls_),
        timer_(server_->io_),
        machine_(std::move(config), server_->host_) {}

  void start() {
    started_ = Clock::now();
    boost::system::error_code ec;
    stream_.next_layer().set_option(tcp::no_delay(true), ec);
    const auto ep = stream_.next_layer().remote_endpoint(ec);
    if (!ec) peer_ = ep.address().to_string() + ":" + std::to_string(ep.port());
    arm_timer();
    read();
  }

  // Called by the server on stop: closes the socket; pending handlers then finish.
  void abort() {
    boost::system::error_code ec;
    timer_.cancel();
    stream_.next_layer().close(ec);
  }

 private:
  void read() {
    if (reading_ || done_) return;
    reading_ = true;
    auto handler = [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
      self->reading_ = false;
      if (self->done_) return;
      if (self->closing_) {  // draining after our FIN: discard until EOF
        if (ec) {
          self->finish();
        } else {
          self->read();
        }
        return;
      }
      if (ec) {
        self->machine_.connection_closed();
        self->finish();
        return;
      }
      self->machine_.receive(std::span<const std::uint8_t>(self->buffer_.data(), n));
      self->pump();
    };
    if (tls_active_ && !closing_) {
      stream_.async_read_some(asio::buffer(buffer_), handler);
    } else {
      stream_.next_layer().async_read_some(asio::buffer(buffer_), handler);
    }
  }

  void pump() {
    if (done_ || closing_) return;
    auto out = machine_.take_output();
    pending_.insert(pending_.end(), out.begin(), out.end());
    if (writing_) return;  // the write completion comes back here
    if (!pending_.empty()) {
      write();
      return;
    }
    after_output();
  }

  void write() {
    writing_ = true;
    writing_buffer_.clear();
    writing_buffer_.swap(pending_);
    auto handler = [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
      self->writing_ = false;
      if (self->done_) return;
      if (ec) {
        self->machine_.connection_closed();
        self->finish();
        return;
      }
      self->pump();
    };
    if (tls_active_) {
      asio::async_write(stream_, asio::buffer(writing_buffer_), handler);
    } else {
      asio::async_write(stream_.next_layer(), asio::buffer(writing_buffer_), handler);
    }
  }

  // Everything the machine produced is written: act on what it asks next.
  void after_output() {
    if (machine_.phase() != last_phase_) arm_timer();
    switch (machine_.wants_close()) {
      case SessionHostConnection::CloseMode::Reset: {
        boost::system::error_code ec;
        stream_.next_layer().set_option(asio::socket_base::linger(true, 0), ec);
        finish();
        return;
      }
      case SessionHostConnection::CloseMode::Graceful:
        close_gracefully();
        return;
      case SessionHostConnection::CloseMode::None:
        break;
    }
    if (machine_.phase() == HostPhase::Closed) {  // the client went away
      finish();
      return;
    }
    if (machine_.wants_tls() && !tls_active_) {
      handshake();
      return;
    }
    read();
  }

  void handshake() {
    stream_.async_handshake(asio::ssl::stream_base::server,
                            [self = shared_from_this()](const boost::system::error_code& ec) {
                              if (self->done_) return;
                              if (ec) {
                                self->machine_.tls_failed(ec.message());
                              } else {
                                self->tls_active_ = true;
                                self->machine_.tls_established();
                              }
                              self->pump();
                            });
  }

  void close_gracefully() {
    closing_ = true;
    boost::system::error_code ec;
    stream_.next_layer().shutdown(tcp::socket::shutdown_send, ec);
    timer_.expires_after(kLingerAfterClose);
    timer_.async_wait([self = shared_from_this()](const boost::system::error_code& wec) {
      if (!wec) self->finish();
    });
    if (!reading_) read();
  }

  void arm_timer() {
    last_phase_ = machine_.phase();
    if (last_phase_ == HostPhase::Closed) return;
    const auto timeout = last_phase_ == HostPhase::Active ? server_->config_.session.hold
                                                          : server_->config_.session.phase_timeout;
    timer_.expires_after(timeout);
    timer_.async_wait([self = shared_from_this(),
                       gen = ++timer_generation_](const boost::system::error_code& ec) {
      if (ec || gen != self->timer_generation_ || self->done_ || self->closing_) return;
      self->machine_.deadline_expired();
      self->pump();
    });
  }

  void finish() {
    if (done_) return;
    done_ = true;
    ++timer_generation_;
    timer_.cancel();
    boost::system::error_code ec;
    stream_.next_layer().close(ec);
    server_->finished(number_, machine_.report(), fault_, Clock::now() - started_, peer_);
  }

  std::shared_ptr<Impl> server_;
  std::uint64_t number_;
  bool fault_;
  asio::ssl::stream<tcp::socket> stream_;
  asio::steady_timer timer_;
  SessionHostConnection machine_;
  std::array<std::uint8_t, kReadBufferSize> buffer_{};
  std::vector<std::uint8_t> pending_, writing_buffer_;
  Clock::time_point started_{};
  std::string peer_;
  HostPhase last_phase_ = HostPhase::Negotiation;
  std::uint64_t timer_generation_ = 0;
  bool tls_active_ = false;
  bool reading_ = false;
  bool writing_ = false;
  bool closing_ = false;
  bool done_ = false;
};

void LabServer::Impl::accept() {
  acceptor_.async_accept([self = shared_from_this()](const boost::system::error_code& ec,
                                                     tcp::socket socket) {
    if (self->stopped_) return;
    if (!ec) {
      ++self->stats_.accepted;
      if (self->connections_.size() >= self->config_.session.max_connections) {
        ++self->stats_.over_capacity;
        boost::system::error_code ignored;
        socket.close(ignored);
      } else {
        const std::uint64_t number = ++self->next_number_;
        ConnectionConfig cc;
        cc.nla_required = self->config_.nla_required;
        if (cc.nla_required) {
          cc.nla = self->config_.nla;
          cc.tls_public_key = self->tls_public_key_;
        }
        cc.error_info_before_alert = self->config_.error_info_before_alert;
        if (self->config_.fault.hits(number)) {
          cc.fault = self->config_.fault;
          ++self->stats_.faults;
        }
        auto conn = std::make_shared<Connection>(self, std::move(socket), number, std::move(cc));
        self->connections_.emplace(number, conn);
        self->stats_.active = self->connections_.size();
        self->stats_.peak_active = std::max(self->stats_.peak_active, self->stats_.active);
        conn->start();
      }
    } else if (ec == asio::error::operation_aborted) {
      return;
    } else {
      log_line(LogLevel::Info, "accept failed: " + ec.message());
    }
    self->accept();
  });
}

void LabServer::Impl::finished(std::uint64_t number, const ConnectionReport& report, bool fault,
                               Clock::duration elapsed, const std::string& peer) {
  if (report.verdict) {
    const bool ok = *report.verdict == VerdictKind::ValidClient ||
                    *report.verdict == VerdictKind::NewLicense ||
                    *report.verdict == VerdictKind::UpgradeLicense;
    ++(ok ? stats_.licensed : stats_.licensing_failed);
  } else if (report.invalid_mac) {
    ++stats_.licensing_failed;
  }
  if (report.refused_logon) ++stats_.refused_logons;
  if (report.activated) ++stats_.activated;
  if (report.nla_authenticated) ++stats_.nla_logons;
  if (report.nla_refused) ++stats_.nla_refused;
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count();
  log_line(LogLevel::Info, "connection " + std::to_string(number) + " from " + peer +
                               describe(report) + (fault ? " [fault]" : "") + ": " + report.end +
                               " (" + std::to_string(ms) + " ms)");
  connections_.erase(number);
  stats_.active = connections_.size();
}

void LabServer::Impl::stop() {
  stopped_ = true;
  boost::system::error_code ec;
  acceptor_.close(ec);
  // Copy: abort() does not erase, but the handlers it triggers will.
  auto open = connections_;
  for (auto& [number, conn] : open) conn->abort();
}

LabServer::LabServer(asio::io_context& io, asio::ssl::context& tls, HostServices& host,
                     LabServerConfig config)
    : impl_(std::make_shared<Impl>(io, tls, host, std::move(config))) {}

LabServer::~LabServer() {
  try {
    impl_->stop();
  } catch (...) {  // out of memory while closing: the io_context's end closes the sockets anyway
  }
}

Result<std::uint16_t> LabServer::listen() {
  return impl_->listen();
}

void LabServer::stop() {
  impl_->stop();
}

const LabServerStats& LabServer::stats() const {
  return impl_->stats();
}

}  // namespace rdwarm::lab
