// Exponential backoff with full jitter, capped: attempt n waits a uniform random time in
// [0, min(max_delay, initial_delay * multiplier^n)]. Full jitter spreads a fleet booting together
// over the whole window, so the license server sees a steady trickle instead of synchronized waves
// (bench/README.md, boot storm).
#pragma once

#include <chrono>
#include <cstdint>
#include <random>

namespace rdwarm::agent {

struct RetryPolicy {
  std::chrono::milliseconds initial_delay{1000};
  std::chrono::milliseconds max_delay{30000};
  double multiplier = 2.0;
  bool full_jitter = true;
  std::uint32_t max_attempts = 0;  // 0: until the deadline
};

class Backoff {
 public:
  Backoff(RetryPolicy policy, std::uint64_t seed);
  // The delay before the next attempt; each call moves one attempt further.
  std::chrono::milliseconds next();
  // The cap the next call draws under (for logs and tests).
  [[nodiscard]] std::chrono::milliseconds current_cap() const;
  void reset() { attempt_ = 0; }

 private:
  RetryPolicy policy_;
  std::uint32_t attempt_ = 0;
  std::mt19937_64 rng_;
};

}  // namespace rdwarm::agent
