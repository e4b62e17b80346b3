// The lab's network side: one acceptor and one driver per connection on a single io_context
// thread, no thread per connection. Each driver feeds a SessionHostConnection (the sans-IO state
// machine), writes what it produces, does the TLS handshake when asked, and enforces the
// deadlines: a phase timeout for clients, the hold time for active sessions. Memory per
// connection is bounded: one fixed read buffer, at most one frame (64 KiB) of pending input.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <cstdint>
#include <memory>
#include <string>

#include "lab/scenario/scenario.hpp"
#include "lab/session_host/host_services.hpp"
#include "licensing/wire/result.hpp"

namespace rdwarm::lab {

struct LabServerConfig {
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;  // 0: the system picks a free port
  bool nla_required = false;
  NlaScenario nla;  // the account and answers when nla_required
  bool error_info_before_alert = false;
  FaultScenario fault;
  SessionScenario session;
};

struct LabServerStats {
  std::uint64_t accepted = 0;
  std::uint64_t over_capacity = 0;  // accepted and closed at once
  std::uint64_t active = 0;         // open now
  std::uint64_t peak_active = 0;
  std::uint64_t licensed = 0;          // verdict success (valid client, new or upgraded license)
  std::uint64_t licensing_failed = 0;  // ERR_NO_LICENSE_SERVER, ERR_INVALID_CLIENT, bad MAC
  std::uint64_t refused_logons = 0;    // licensed, then refused by admission (drain)
  std::uint64_t activated = 0;         // reached the active session state
  std::uint64_t nla_logons = 0;        // NLA: authenticated (CredSSP finished)
  std::uint64_t nla_refused = 0;       // NLA: logon refused (wrong password, account state)
  std::uint64_t faults = 0;            // connections hit by the scenario's fault
};

class LabServer {
 public:
  LabServer(boost::asio::io_context& io, boost::asio::ssl::context& tls, HostServices& host,
            LabServerConfig config);
  ~LabServer();
  LabServer(const LabServer&) = delete;
  LabServer& operator=(const LabServer&) = delete;

  // Binds and starts accepting; returns the port (the chosen one when config.port is 0).
  Result<std::uint16_t> listen();
  // Stops accepting and closes every connection. Pending handlers finish on the io_context.
  void stop();
  [[nodiscard]] const LabServerStats& stats() const;

  class Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace rdwarm::lab
