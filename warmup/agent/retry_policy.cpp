#include "warmup/agent/retry_policy.hpp"

#include <algorithm>
#include <cmath>

namespace rdwarm::agent {

Backoff::Backoff(RetryPolicy policy, std::uint64_t seed) : policy_(policy), rng_(seed) {}

std::chrono::milliseconds Backoff::current_cap() const {
  const double initial = static_cast<double>(policy_.initial_delay.count());
  const double max = static_cast<double>(policy_.max_delay.count());
  // pow overflows to inf for large attempts; min() then picks max.
  const double grown = initial * std::pow(policy_.multiplier, static_cast<double>(attempt_));
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::min(grown, max)));
}

std::chrono::milliseconds Backoff::next() {
  const auto cap = current_cap();
  if (attempt_ < 64) ++attempt_;
  if (!policy_.full_jitter || cap.count() <= 0) return cap;
  std::uniform_int_distribution<std::int64_t> pick(0, cap.count());
  return std::chrono::milliseconds(pick(rng_));
}

}  // namespace rdwarm::agent
