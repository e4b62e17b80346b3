// The lab's emulated license server: answers a session host's certificate requests after a
// configured latency, with outage windows, a bounded service rate (boot storms), an overload model
// (a bounded queue that refuses, and requesters that give up) and injected failures.
// Single-threaded: every call and every completion runs on the given executor (one io_context
// thread, or a strand).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <list>
#include <memory>
#include <optional>
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
  // Overload, capacity mode only: a request arriving while this many wait is refused at once
  // ("busy", failed_busy). 0 = the queue is unbounded.
  std::size_t queue_limit = 0;
  // The requester's RPC timeout: a request not answered this long after it arrived fails for the
  // host ("timed out"); the server still serves it in its turn, for nobody (wasted). 0 = the host
  // waits as long as it takes.
  std::chrono::milliseconds request_timeout{0};
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
  std::uint64_t failed_busy = 0;  // refused on arrival: queue_limit requests were waiting
  std::uint64_t timed_out = 0;    // the requester gave up after request_timeout
  std::uint64_t wasted = 0;       // timed-out requests the server served afterwards anyway
};

class LicenseServer {
 public:
  LicenseServer(boost::asio::any_io_executor executor, LicenseServerConfig config);
  ~LicenseServer();
  LicenseServer(const LicenseServer&) = delete;
  LicenseServer& operator=(const LicenseServer&) = delete;

  using ChainHandler = std::function<void(Result<std::vector<std::vector<std::uint8_t>>>)>;

  // Completes on the executor after latency (+ queueing), never inside this call. Errors name why,
  // e.g. "license server LAB-LS unreachable (outage window 0s-30s)", "busy (...)", "did not
  // answer within 5s (...)". The handler runs exactly once (not at all if the server is destroyed
  // first).
  void async_request_chain(std::string host_name, crypto::RsaPublicKey host_key,
                           ChainHandler handler);

  LicenseServerStats stats() const;
  const LicenseServerConfig& config() const;
  bool in_outage(std::chrono::steady_clock::time_point t) const;

  const CertificateIssuer& issuer() const { return issuer_; }
  // Requests waiting for a service slot (capacity mode), not counting those in service.
  std::size_t queued() const { return queue_.size(); }

 private:
  using TimerList = std::list<std::shared_ptr<boost::asio::steady_timer>>;
  // The requester's side of one request: whom to answer, and whether it still waits.
  struct Call {
    ChainHandler handler;
    bool abandoned = false;  // request_timeout passed: the answer goes to nobody
    std::optional<TimerList::iterator> timeout;
  };
  struct Request {
    std::string host_name;
    crypto::RsaPublicKey host_key;
    std::shared_ptr<Call> call;
    std::chrono::steady_clock::time_point arrived;
    std::chrono::steady_clock::time_point due{};  // when the answer is scheduled
  };

  void refuse_busy(std::shared_ptr<Call> call);
  void arm_timeout(const std::shared_ptr<Call>& call);
  void serve(Request request);
  void schedule_next_slot();
  void complete(Request request);
  // Hands the result to the requester, or counts it as wasted when the requester gave up.
  void answer(Call& call, Result<std::vector<std::vector<std::uint8_t>>> result);
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
  // Latency and request-timeout timers, cancelled when the server goes away.
  TimerList pending_;
  // Alive flag shared with pending completions so a destroyed server drops them instead of
  // touching freed memory.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace rdwarm::lab
