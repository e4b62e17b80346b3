// The lab's emulated license server: answers a session host's certificate requests after a
// configured latency, with outage windows, a bounded service rate (boot storms) and injected
// failures. Single-threaded: every call and every completion runs on the given executor (one
// io_context thread, or a strand).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <list>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "lab/license_server/certificate_issuer.hpp"
#include "licensing/crypto/rsa.hpp"
#include "licensing/wire/result.hpp"

namespace rdwarm::lab {

// Relative to LicenseServer construction.
struct OutageWindow {
  std::chrono::milliseconds from{0};
  std::chrono::milliseconds to{0};
};

struct LicenseServerConfig {
  std::string name = "LAB-LS";
  std::chrono::milliseconds latency{3000};  // time to answer one certificate request
  std::vector<OutageWindow> outages;        // requests arriving (or due) inside a window fail
  double capacity_per_second = 0;  // 0 = unlimited; otherwise a FIFO queue served at this rate
  // Per-device mode: the server hands out per-device CALs. The certificate a session host gets does
  // not depend on the CAL type, so the chain is the same; the session host reads this flag to
  // decide its licensing outcome (docs/lab-certificates.md).
  bool per_device = false;
  // false: reachable and issues the certificate, but has no per-user CALs (the host then answers
  // ERR_INVALID_CLIENT, MS-RDPELE 3.2.5.5 case 3).
  bool has_licenses = true;
  double failure_probability = 0;  // each request fails with this probability (seeded RNG)
  std::uint64_t seed = 1;
  // Validity of issued session host certificates.
  std::chrono::seconds certificate_validity{std::chrono::hours(24) * 365};
};

struct LicenseServerStats {
  std::uint64_t requests = 0, issued = 0, failed_outage = 0, failed_flaky = 0, queued_peak = 0;
};

class LicenseServer {
 public:
  LicenseServer(boost::asio::any_io_executor executor, LicenseServerConfig config);
  ~LicenseServer();
  LicenseServer(const LicenseServer&) = delete;
  LicenseServer& operator=(const LicenseServer&) = delete;

  using ChainHandler = std::function<void(Result<std::vector<std::vector<std::uint8_t>>>)>;

  // Completes on the executor after latency (+ queueing). Errors name why, e.g.
  // "license server LAB-LS unreachable (outage window 0s-30s)".
  void async_request_chain(std::string host_name, crypto::RsaPublicKey host_key,
                           ChainHandler handler);

  LicenseServerStats stats() const;
  const LicenseServerConfig& config() const;
  bool in_outage(std::chrono::steady_clock::time_point t) const;

  const CertificateIssuer& issuer() const { return issuer_; }
  // Requests waiting for a service slot (capacity mode), not counting those in service.
  std::size_t queued() const { return queue_.size(); }

 private:
  struct Request {
    std::string host_name;
    crypto::RsaPublicKey host_key;
    ChainHandler handler;
    std::chrono::steady_clock::time_point arrived;
    std::chrono::steady_clock::time_point due{};  // when the answer is scheduled
  };

  void serve(Request request);
  void schedule_next_slot();
  void complete(Request request);
  // The window `t` falls in, or nullptr.
  const OutageWindow* outage_at(std::chrono::steady_clock::time_point t) const;

  boost::asio::any_io_executor executor_;
  LicenseServerConfig config_;
  CertificateIssuer issuer_;
  std::chrono::steady_clock::time_point start_;
  std::mt19937_64 rng_;
  LicenseServerStats stats_{};
  std::deque<Request> queue_;
  std::chrono::steady_clock::time_point next_slot_{};
  bool slot_timer_armed_ = false;
  boost::asio::steady_timer slot_timer_;
  // Latency timers of requests in service, cancelled when the server goes away.
  std::list<std::shared_ptr<boost::asio::steady_timer>> pending_;
  // Alive flag shared with pending completions so a destroyed server drops them instead of
  // touching freed memory.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace rdwarm::lab
