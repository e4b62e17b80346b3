// The retry policy: exponential growth to a cap, full jitter inside [0, cap], repeatable with a
// seed, and no overflow however many attempts a long deadline allows.
#include "warmup/agent/retry_policy.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <vector>

namespace rdwarm::agent {
namespace {

using std::chrono::milliseconds;
using namespace std::chrono_literals;

RetryPolicy policy(milliseconds initial, milliseconds max, double multiplier, bool jitter) {
  RetryPolicy p;
  p.initial_delay = initial;
  p.max_delay = max;
  p.multiplier = multiplier;
  p.full_jitter = jitter;
  return p;
}

std::vector<milliseconds> draws(Backoff& b, int n) {
  std::vector<milliseconds> out;
  for (int i = 0; i < n; ++i) out.push_back(b.next());
  return out;
}

TEST(Backoff, WithoutJitterGrowsByTheMultiplierUpToTheCap) {
  Backoff b(policy(100ms, 1000ms, 2.0, false), 1);
  const std::vector<milliseconds> want{100ms, 200ms, 400ms, 800ms, 1000ms, 1000ms, 1000ms};
  EXPECT_EQ(draws(b, 7), want);
}

TEST(Backoff, WithoutJitterANonIntegerMultiplierTruncatesToMilliseconds) {
  Backoff b(policy(1000ms, 5000ms, 1.5, false), 1);
  const std::vector<milliseconds> want{1000ms, 1500ms, 2250ms, 3375ms, 5000ms};
  EXPECT_EQ(draws(b, 5), want);
}

TEST(Backoff, CurrentCapIsWhatTheNextDrawIsBoundedBy) {
  Backoff b(policy(250ms, 4000ms, 2.0, true), 7);
  const std::vector<milliseconds> caps{250ms, 500ms, 1000ms, 2000ms, 4000ms, 4000ms};
  for (const auto cap : caps) {
    EXPECT_EQ(b.current_cap(), cap);
    const auto d = b.next();
    EXPECT_GE(d.count(), 0);
    EXPECT_LE(d, cap);
  }
}

TEST(Backoff, ResetStartsOverAtTheInitialDelay) {
  Backoff b(policy(100ms, 10000ms, 3.0, false), 1);
  draws(b, 3);
  EXPECT_EQ(b.current_cap(), 2700ms);
  b.reset();
  EXPECT_EQ(b.next(), 100ms);
  EXPECT_EQ(b.next(), 300ms);
}

TEST(Backoff, FullJitterStaysInsideTheCapAndSpreadsOverIt) {
  // The cap is reached at once (initial = max), so every draw is uniform in [0, 1000].
  Backoff b(policy(1000ms, 1000ms, 2.0, true), 42);
  const auto d = draws(b, 2000);
  const auto [lo, hi] = std::minmax_element(d.begin(), d.end());
  EXPECT_GE(lo->count(), 0);
  EXPECT_LE(hi->count(), 1000);
  // A fleet must be spread over the whole window, not bunched at the cap.
  EXPECT_LT(lo->count(), 50);
  EXPECT_GT(hi->count(), 950);
  double sum = 0;
  int low_half = 0;
  for (const auto x : d) {
    sum += static_cast<double>(x.count());
    if (x.count() < 500) ++low_half;
  }
  EXPECT_NEAR(sum / static_cast<double>(d.size()), 500.0, 40.0);
  EXPECT_NEAR(low_half, 1000, 120);
  std::set<std::int64_t> distinct;
  for (const auto x : d) distinct.insert(x.count());
  EXPECT_GT(distinct.size(), 700u);
}

TEST(Backoff, SameSeedSameDelaysOtherSeedOtherDelays) {
  const auto p = policy(500ms, 30000ms, 2.0, true);
  Backoff a(p, 12345);
  Backoff b(p, 12345);
  Backoff c(p, 54321);
  const auto da = draws(a, 20);
  EXPECT_EQ(da, draws(b, 20));
  EXPECT_NE(da, draws(c, 20));
}

TEST(Backoff, HostsWithDifferentSeedsDoNotRetryInStep) {
  // A boot storm: 200 hosts with their own seeds, first retry. Without jitter all would wait
  // exactly 2000 ms; with it they land all over [0, 2000].
  std::set<std::int64_t> first_delays;
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    Backoff b(policy(2000ms, 30000ms, 2.0, true), seed);
    first_delays.insert(b.next().count());
  }
  EXPECT_GT(first_delays.size(), 150u);
  EXPECT_LT(*first_delays.begin(), 200);
  EXPECT_GT(*first_delays.rbegin(), 1800);
}

TEST(Backoff, ManyAttemptsStayAtTheCapWithoutOverflow) {
  // A 24 h deadline with a 1 ms initial delay allows many thousands of attempts; 2^n overflows
  // any integer long before that.
  Backoff plain(policy(1ms, 30000ms, 2.0, false), 1);
  Backoff jittered(policy(1ms, 30000ms, 2.0, true), 1);
  for (int i = 0; i < 100000; ++i) {
    const auto p = plain.next();
    const auto j = jittered.next();
    ASSERT_GE(p.count(), 1) << "attempt " << i;
    ASSERT_LE(p, 30000ms) << "attempt " << i;
    ASSERT_GE(j.count(), 0) << "attempt " << i;
    ASSERT_LE(j, 30000ms) << "attempt " << i;
  }
  EXPECT_EQ(plain.next(), 30000ms);
  EXPECT_EQ(plain.current_cap(), 30000ms);
}

TEST(Backoff, AHugeMultiplierIsCappedNotOverflowed) {
  // pow() reaches infinity here; the cap must still win.
  Backoff b(policy(1000ms, 86400000ms, 1e300, false), 1);
  EXPECT_EQ(b.next(), 1000ms);
  for (int i = 0; i < 200; ++i) ASSERT_EQ(b.next(), 86400000ms) << "attempt " << i;
}

TEST(Backoff, ZeroInitialDelayRetriesAtOnce) {
  Backoff b(policy(0ms, 1000ms, 2.0, true), 3);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(b.next(), 0ms);
}

TEST(Backoff, MultiplierOneIsAConstantDelay) {
  Backoff b(policy(750ms, 30000ms, 1.0, false), 3);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(b.next(), 750ms);
}

}  // namespace
}  // namespace rdwarm::agent
