#include "lab/license_server/license_server.hpp"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <cstdio>
#include <utility>

namespace rdwarm::lab {
namespace {

using Clock = std::chrono::steady_clock;

// "30s", "1.5s", "0.25s": the windows are configured in milliseconds.
std::string seconds_text(std::chrono::milliseconds ms) {
  char buf[32];
  if (ms.count() % 1000 == 0) {
    std::snprintf(buf, sizeof buf, "%llds", static_cast<long long>(ms.count() / 1000));
  } else {
    std::snprintf(buf, sizeof buf, "%.3gs", static_cast<double>(ms.count()) / 1000.0);
  }
  return buf;
}

// Uniform in [0, 1) from the top 53 bits, the same on every standard library (unlike
// std::uniform_real_distribution), so a seed means the same faults everywhere.
double unit_interval(std::mt19937_64& rng) {
  return static_cast<double>(rng() >> 11) * (1.0 / 9007199254740992.0);
}

}  // namespace

LicenseServer::LicenseServer(boost::asio::any_io_executor executor, LicenseServerConfig config)
    : executor_(std::move(executor)),
      config_(std::move(config)),
      issuer_(config_.name),
      start_(Clock::now()),
      rng_(config_.seed),
      slot_timer_(executor_) {}

LicenseServer::~LicenseServer() {
  *alive_ = false;
  slot_timer_.cancel();
  for (auto& timer : pending_) timer->cancel();
}

void LicenseServer::async_request_chain(std::string host_name, crypto::RsaPublicKey host_key,
                                        ChainHandler handler) {
  ++stats_.requests;
  auto call = std::make_shared<Call>();
  call->handler = std::move(handler);
  const bool capacity_mode = config_.capacity_per_second > 0;
  // Timed-out requests still wait in the queue and count against the limit: the server cannot
  // tell that their requester has gone.
  if (capacity_mode && config_.queue_limit > 0 && queue_.size() >= config_.queue_limit) {
    refuse_busy(std::move(call));
    return;
  }
  arm_timeout(call);
  Request request{std::move(host_name), std::move(host_key), std::move(call), Clock::now()};
  if (!capacity_mode) {
    serve(std::move(request));
    return;
  }
  queue_.push_back(std::move(request));
  stats_.queued_peak = std::max<std::uint64_t>(stats_.queued_peak, queue_.size());
  schedule_next_slot();
}

// Overload: answered at once, on the executor (never inside async_request_chain, so a requester
// that marks its request outstanding after the call still sees the answer afterwards).
void LicenseServer::refuse_busy(std::shared_ptr<Call> call) {
  ++stats_.failed_busy;
  auto error =
      make_error("license server " + config_.name, "",
                 "busy (" + std::to_string(queue_.size()) + " requests waiting, queue_limit " +
                     std::to_string(config_.queue_limit) +
                     "); the session host keeps its proprietary certificate and asks "
                     "again on its next connection");
  boost::asio::post(executor_, [alive = std::weak_ptr<bool>(alive_), call = std::move(call),
                                error = std::move(error)]() mutable {
    const auto a = alive.lock();
    if (!a || !*a) return;
    auto handler = std::move(call->handler);
    handler(std::move(error));
  });
}

// The requester's RPC timeout runs from arrival: queueing and latency both count.
void LicenseServer::arm_timeout(const std::shared_ptr<Call>& call) {
  if (config_.request_timeout.count() <= 0) return;
  auto timer = std::make_shared<boost::asio::steady_timer>(executor_, config_.request_timeout);
  pending_.push_back(timer);
  call->timeout = std::prev(pending_.end());
  timer->async_wait(
      [this, call, alive = std::weak_ptr<bool>(alive_)](const boost::system::error_code& ec) {
        const auto a = alive.lock();
        // Answered first: answer() has already dropped the timer (its expiry may have been queued
        // before the cancel, hence the check on the handler too).
        if (!a || !*a || ec || !call->handler) return;
        pending_.erase(*call->timeout);
        call->timeout.reset();
        call->abandoned = true;
        ++stats_.timed_out;
        auto handler = std::move(call->handler);
        handler(make_error("license server " + config_.name, "",
                           "did not answer within " + seconds_text(config_.request_timeout) +
                               " (request_timeout); the session host gives up on this request and "
                               "asks again on its next connection, while the license server still "
                               "serves it in its turn"));
      });
}

// Capacity mode: one request enters service every 1/capacity seconds, first come first served.
// The slot clock advances from the previous slot, not from when the timer fired, so timer lateness
// does not lower the rate; after an idle spell it restarts from now.
void LicenseServer::schedule_next_slot() {
  if (slot_timer_armed_) return;
  const auto interval = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(1.0 / config_.capacity_per_second));
  while (!queue_.empty()) {
    const auto now = Clock::now();
    if (now < next_slot_) {
      slot_timer_armed_ = true;
      slot_timer_.expires_at(next_slot_);
      slot_timer_.async_wait(
          [this, alive = std::weak_ptr<bool>(alive_)](const boost::system::error_code& ec) {
            const auto a = alive.lock();
            if (!a || !*a || ec) return;
            slot_timer_armed_ = false;
            schedule_next_slot();
          });
      return;
    }
    const auto base = (now - next_slot_ > interval) ? now : next_slot_;
    next_slot_ = base + interval;
    Request request = std::move(queue_.front());
    queue_.pop_front();
    serve(std::move(request));
  }
}

void LicenseServer::serve(Request request) {
  auto timer = std::make_shared<boost::asio::steady_timer>(executor_);
  pending_.push_back(timer);
  const auto it = std::prev(pending_.end());
  request.due = Clock::now() + config_.latency;
  timer->expires_at(request.due);
  timer->async_wait([this, it, alive = std::weak_ptr<bool>(alive_),
                     request = std::move(request)](const boost::system::error_code& ec) mutable {
    const auto a = alive.lock();
    if (!a || !*a || ec) return;  // the server is gone: nobody is left to answer
    pending_.erase(it);
    complete(std::move(request));
  });
}

void LicenseServer::complete(Request request) {
  const std::string where = "license server " + config_.name;
  const OutageWindow* outage = outage_at(request.arrived);
  // The scheduled time, not the time the timer fired: a late timer must not move the answer out of
  // (or into) a window.
  if (outage == nullptr) outage = outage_at(request.due);
  if (outage != nullptr) {
    ++stats_.failed_outage;
    answer(*request.call,
           make_error(
               where, "",
               "unreachable (outage window " + seconds_text(outage->from) + "-" +
                   seconds_text(outage->to) +
                   "); the session host keeps its proprietary certificate and asks again later"));
    return;
  }
  if (config_.failure_probability > 0 && unit_interval(rng_) < config_.failure_probability) {
    ++stats_.failed_flaky;
    char p[32];
    std::snprintf(p, sizeof p, "%.2f", config_.failure_probability);
    answer(*request.call,
           make_error(where, "",
                      std::string("certificate request failed (injected fault, failure "
                                  "probability ") +
                          p + "); a retry may succeed"));
    return;
  }
  auto chain =
      issuer_.issue_chain(request.host_name, request.host_key, config_.certificate_validity);
  if (chain) ++stats_.issued;
  answer(*request.call, std::move(chain));
}

void LicenseServer::answer(Call& call, Result<std::vector<std::vector<std::uint8_t>>> result) {
  if (call.timeout) {
    (**call.timeout)->cancel();
    pending_.erase(*call.timeout);
    call.timeout.reset();
  }
  if (call.abandoned || !call.handler) {
    ++stats_.wasted;
    return;
  }
  auto handler = std::move(call.handler);
  handler(std::move(result));
}

const OutageWindow* LicenseServer::outage_at(Clock::time_point t) const {
  const auto since = t - start_;
  for (const auto& w : config_.outages) {
    if (since >= w.from && since < w.to) return &w;
  }
  return nullptr;
}

bool LicenseServer::in_outage(Clock::time_point t) const {
  return outage_at(t) != nullptr;
}

LicenseServerStats LicenseServer::stats() const {
  return stats_;
}

const LicenseServerConfig& LicenseServer::config() const {
  return config_;
}

}  // namespace rdwarm::lab
