// The lab license server's timing and failure behaviour, on a real io_context and the steady clock.
#include "lab/license_server/license_server.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "licensing/crypto/certificate_summary.hpp"
#include "tests/unit/lab_ls/lab_ls_support.hpp"

namespace rdwarm::lab {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using Chain = std::vector<std::vector<std::uint8_t>>;

struct Answer {
  Result<Chain> result = Error{};
  Clock::duration after{};
};

// One request, run to completion (bounded by `limit`).
Answer request_once(LicenseServer& server, boost::asio::io_context& io, const std::string& host,
                    std::chrono::milliseconds limit = 10s) {
  std::optional<Answer> answer;
  const auto& key = testing::host_key_pair().public_key;
  const auto start = Clock::now();
  server.async_request_chain(host, key, [&](Result<Chain> r) {
    answer = Answer{std::move(r), {}};
  });
  io.restart();
  const auto deadline = Clock::now() + limit;
  while (!answer && Clock::now() < deadline) io.run_one_for(deadline - Clock::now());
  EXPECT_TRUE(answer.has_value()) << "no answer within " << limit.count() << " ms";
  if (!answer) return {};
  answer->after = Clock::now() - start;
  return std::move(*answer);
}

TEST(LicenseServer, AnswersAfterTheConfiguredLatency) {
  (void)testing::host_key_pair();  // generated before the clock that the test measures starts
  boost::asio::io_context io;
  LicenseServerConfig config;
  config.name = "LS-LATENCY";
  config.latency = 400ms;
  config.certificate_validity = 7 * 24h;
  LicenseServer server(io.get_executor(), config);

  const auto answer = request_once(server, io, "SH01");
  ASSERT_TRUE(answer.result.ok()) << answer.result.error().message();
  EXPECT_GE(answer.after, 400ms);
  EXPECT_LT(answer.after, 900ms);
  ASSERT_EQ(answer.result->size(), 2u);
  auto leaf = crypto::summarize_certificate(answer.result->back());
  ASSERT_TRUE(leaf.ok());
  EXPECT_NE(leaf->issuer.find("CN=LS-LATENCY"), std::string::npos) << leaf->issuer;
  EXPECT_EQ(leaf->not_after_unix - leaf->not_before_unix, 7 * 24 * 3600);
  EXPECT_EQ(server.issuer().name(), "LS-LATENCY");

  const auto stats = server.stats();
  EXPECT_EQ(stats.requests, 1u);
  EXPECT_EQ(stats.issued, 1u);
  EXPECT_EQ(stats.failed_outage + stats.failed_flaky, 0u);
}

TEST(LicenseServer, FailsInsideAnOutageWindowWithAClearError) {
  (void)testing::host_key_pair();  // generated before the clock that the test measures starts
  boost::asio::io_context io;
  LicenseServerConfig config;
  config.latency = 100ms;
  config.outages = {{0ms, 30s}};
  LicenseServer server(io.get_executor(), config);
  EXPECT_TRUE(server.in_outage(Clock::now()));
  EXPECT_FALSE(server.in_outage(Clock::now() + 31s));

  const auto answer = request_once(server, io, "SH01");
  ASSERT_FALSE(answer.result.ok());
  EXPECT_GE(answer.after, 100ms);
  const auto message = answer.result.error().message();
  EXPECT_NE(message.find("license server LAB-LS"), std::string::npos) << message;
  EXPECT_NE(message.find("unreachable (outage window 0s-30s)"), std::string::npos) << message;
  EXPECT_EQ(server.stats().failed_outage, 1u);
  EXPECT_EQ(server.stats().issued, 0u);
}

// A request that arrives before a window but is due inside it fails; one after the window works.
TEST(LicenseServer, OutageAppliesWhenTheAnswerIsDue) {
  (void)testing::host_key_pair();  // generated before the clock that the test measures starts
  boost::asio::io_context io;
  LicenseServerConfig config;
  config.latency = 250ms;
  config.outages = {{150ms, 400ms}};
  LicenseServer server(io.get_executor(), config);

  const auto due_inside = request_once(server, io, "SH01");
  ASSERT_FALSE(due_inside.result.ok());
  EXPECT_NE(due_inside.result.error().message().find("outage window 0.15s-0.4s"), std::string::npos)
      << due_inside.result.error().message();

  boost::asio::steady_timer wait(io, 450ms - due_inside.after);
  wait.wait();
  const auto after = request_once(server, io, "SH01");
  EXPECT_TRUE(after.result.ok()) << after.result.error().message();
  EXPECT_EQ(server.stats().failed_outage, 1u);
  EXPECT_EQ(server.stats().issued, 1u);
}

// Boot storm: 60 requests at once against 20 certificates per second take about 3 s, in order.
TEST(LicenseServer, CapacityQueuesRequestsInFifoOrder) {
  (void)testing::host_key_pair();  // generated before the clock that the test measures starts
  boost::asio::io_context io;
  LicenseServerConfig config;
  config.latency = 20ms;
  config.capacity_per_second = 20;
  config.certificate_validity = 3600s;
  LicenseServer server(io.get_executor(), config);

  constexpr int kRequests = 60;
  std::vector<int> order;
  std::vector<Clock::duration> done_at(kRequests);
  int failures = 0;
  const auto start = Clock::now();
  for (int i = 0; i < kRequests; ++i) {
    server.async_request_chain("SH" + std::to_string(i), testing::host_key_pair().public_key,
                               [&, i](Result<Chain> r) {
                                 if (!r) ++failures;
                                 order.push_back(i);
                                 done_at[static_cast<std::size_t>(i)] = Clock::now() - start;
                               });
  }
  EXPECT_GE(server.queued(), static_cast<std::size_t>(kRequests - 1));
  const auto deadline = Clock::now() + 15s;
  while (order.size() < kRequests && Clock::now() < deadline) io.run_one_for(1s);
  const auto total = Clock::now() - start;

  ASSERT_EQ(order.size(), static_cast<std::size_t>(kRequests));
  EXPECT_EQ(failures, 0);
  for (int i = 0; i < kRequests; ++i) EXPECT_EQ(order[static_cast<std::size_t>(i)], i);
  // The last request enters service at 59/20 = 2.95 s and answers 20 ms later.
  EXPECT_GE(total, 2950ms);
  EXPECT_LT(total, 3600ms);
  // Evenly spread, not in bursts: the 21st answer comes about a second after the first.
  EXPECT_GE(done_at[20] - done_at[0], 950ms);
  EXPECT_LT(done_at[20] - done_at[0], 1300ms);
  const auto stats = server.stats();
  EXPECT_EQ(stats.requests, static_cast<std::uint64_t>(kRequests));
  EXPECT_EQ(stats.issued, static_cast<std::uint64_t>(kRequests));
  EXPECT_GE(stats.queued_peak, static_cast<std::uint64_t>(kRequests - 1));
  EXPECT_LE(stats.queued_peak, static_cast<std::uint64_t>(kRequests));
  EXPECT_EQ(server.queued(), 0u);
  // The overload model is off by default: nothing refused, nobody gave up.
  EXPECT_EQ(stats.failed_busy, 0u);
  EXPECT_EQ(stats.timed_out, 0u);
  EXPECT_EQ(stats.wasted, 0u);
}

TEST(LicenseServer, OverloadModelIsOffByDefault) {
  const LicenseServerConfig config;
  EXPECT_EQ(config.queue_limit, 0u);
  EXPECT_EQ(config.request_timeout, 0ms);
  // A request that waits far longer than any timeout would be still gets its chain.
  boost::asio::io_context io;
  LicenseServerConfig slow;
  slow.latency = 1500ms;
  LicenseServer server(io.get_executor(), slow);
  const auto answer = request_once(server, io, "SH01");
  EXPECT_TRUE(answer.result.ok()) << answer.result.error().message();
  EXPECT_EQ(server.stats().timed_out + server.stats().wasted + server.stats().failed_busy, 0u);
}

// queue_limit 3 at 5 certificates/s: the first request goes straight into service, the next three
// wait, and every request arriving while three wait is refused at once, "busy", on the executor.
// Once the queue drains, requests are accepted again.
TEST(LicenseServer, QueueLimitRefusesAtOnceWhileTheQueueIsFull) {
  (void)testing::host_key_pair();  // generated before the clock that the test measures starts
  boost::asio::io_context io;
  LicenseServerConfig config;
  config.name = "LS-BUSY";
  config.latency = 100ms;
  config.capacity_per_second = 5;
  config.queue_limit = 3;
  LicenseServer server(io.get_executor(), config);

  constexpr int kRequests = 6;
  struct Outcome {
    std::optional<Result<Chain>> result;
    Clock::duration after{};
  };
  std::vector<Outcome> outcomes(kRequests);
  std::vector<int> order;
  const auto start = Clock::now();
  for (int i = 0; i < kRequests; ++i) {
    server.async_request_chain("SH" + std::to_string(i), testing::host_key_pair().public_key,
                               [&, i](Result<Chain> r) {
                                 auto& o = outcomes[static_cast<std::size_t>(i)];
                                 EXPECT_FALSE(o.result.has_value()) << "answered twice";
                                 o.result = std::move(r);
                                 o.after = Clock::now() - start;
                                 order.push_back(i);
                               });
  }
  // Never answered inside the call, not even a refusal.
  EXPECT_TRUE(order.empty());
  EXPECT_EQ(server.queued(), 3u);
  EXPECT_EQ(server.stats().failed_busy, 2u);

  const auto deadline = Clock::now() + 10s;
  while (order.size() < kRequests && Clock::now() < deadline) io.run_one_for(1s);
  ASSERT_EQ(order.size(), static_cast<std::size_t>(kRequests));
  // The refusals come first, before the first chain (100 ms latency).
  EXPECT_EQ(order[0], 4);
  EXPECT_EQ(order[1], 5);
  for (int i : {4, 5}) {
    const auto& o = outcomes[static_cast<std::size_t>(i)];
    ASSERT_FALSE(o.result->ok());
    const auto message = o.result->error().message();
    EXPECT_NE(message.find("license server LS-BUSY"), std::string::npos) << message;
    EXPECT_NE(message.find("busy (3 requests waiting, queue_limit 3)"), std::string::npos)
        << message;
    EXPECT_LT(o.after, 100ms);
  }
  for (int i = 0; i < 4; ++i) {
    const auto& o = outcomes[static_cast<std::size_t>(i)];
    EXPECT_TRUE(o.result->ok()) << o.result->error().message();
  }
  // The last accepted request entered service at 3/5 s and answered 100 ms later.
  EXPECT_GE(outcomes[3].after, 700ms);

  // Room again: the next request is accepted and served.
  const auto again = request_once(server, io, "SH-AGAIN");
  EXPECT_TRUE(again.result.ok()) << again.result.error().message();
  const auto stats = server.stats();
  EXPECT_EQ(stats.requests, 7u);
  EXPECT_EQ(stats.failed_busy, 2u);
  EXPECT_EQ(stats.issued, 5u);
  EXPECT_EQ(stats.queued_peak, 3u);
  EXPECT_EQ(stats.timed_out + stats.wasted, 0u);
}

// The requester gives up after request_timeout; the server still issues the certificate when the
// request's turn comes, for nobody: counted as issued and wasted, and the handler runs once.
TEST(LicenseServer, RequestTimeoutFailsTheRequesterAndTheLateCertificateIsWasted) {
  (void)testing::host_key_pair();  // generated before the clock that the test measures starts
  boost::asio::io_context io;
  LicenseServerConfig config;
  config.latency = 400ms;
  config.request_timeout = 150ms;
  LicenseServer server(io.get_executor(), config);

  const auto answer = request_once(server, io, "SH01");
  ASSERT_FALSE(answer.result.ok());
  const auto message = answer.result.error().message();
  EXPECT_NE(message.find("did not answer within 0.15s (request_timeout)"), std::string::npos)
      << message;
  EXPECT_GE(answer.after, 150ms);
  EXPECT_LT(answer.after, 400ms);
  EXPECT_EQ(server.stats().timed_out, 1u);
  EXPECT_EQ(server.stats().issued, 0u);
  EXPECT_EQ(server.stats().wasted, 0u);

  // The server is still working on it: it issues the chain at 400 ms, to nobody.
  io.restart();
  io.run_for(600ms);
  const auto stats = server.stats();
  EXPECT_EQ(stats.requests, 1u);
  EXPECT_EQ(stats.issued, 1u);
  EXPECT_EQ(stats.wasted, 1u);
  EXPECT_EQ(stats.timed_out, 1u);
}

// In capacity mode the timeout counts the time spent queueing: at 2 per second, the first two
// requests are answered in time (20 ms and 520 ms), the third would be at 1020 ms and times out at
// 700 ms, but still occupies its slot.
TEST(LicenseServer, RequestTimeoutCountsTheQueueAndWastedRequestsKeepTheirSlot) {
  (void)testing::host_key_pair();  // generated before the clock that the test measures starts
  boost::asio::io_context io;
  LicenseServerConfig config;
  config.latency = 20ms;
  config.capacity_per_second = 2;
  config.request_timeout = 700ms;
  LicenseServer server(io.get_executor(), config);

  std::vector<int> calls(3, 0);
  std::vector<bool> ok(3, false);
  for (int i = 0; i < 3; ++i) {
    server.async_request_chain("SH" + std::to_string(i), testing::host_key_pair().public_key,
                               [&, i](Result<Chain> r) {
                                 ++calls[static_cast<std::size_t>(i)];
                                 ok[static_cast<std::size_t>(i)] = r.ok();
                               });
  }
  const auto deadline = Clock::now() + 10s;
  while (server.stats().issued < 3 && Clock::now() < deadline) io.run_one_for(1s);
  io.restart();
  io.run_for(100ms);  // anything still due (nothing should be) would run here
  EXPECT_EQ(calls, (std::vector<int>{1, 1, 1}));
  EXPECT_EQ(ok, (std::vector<bool>{true, true, false}));
  const auto stats = server.stats();
  EXPECT_EQ(stats.issued, 3u);
  EXPECT_EQ(stats.timed_out, 1u);
  EXPECT_EQ(stats.wasted, 1u);
}

int count_flaky_failures(std::uint64_t seed, int requests) {
  boost::asio::io_context io;
  LicenseServerConfig config;
  config.latency = 0ms;
  config.failure_probability = 0.3;
  config.seed = seed;
  LicenseServer server(io.get_executor(), config);
  int answered = 0;
  int failed = 0;
  for (int i = 0; i < requests; ++i) {
    server.async_request_chain("SH", testing::host_key_pair().public_key, [&](Result<Chain> r) {
      ++answered;
      if (!r) {
        ++failed;
        EXPECT_NE(r.error().message().find("injected fault"), std::string::npos);
      }
    });
  }
  io.run_for(60s);
  EXPECT_EQ(answered, requests);
  EXPECT_EQ(server.stats().failed_flaky, static_cast<std::uint64_t>(failed));
  EXPECT_EQ(server.stats().issued, static_cast<std::uint64_t>(requests - failed));
  return failed;
}

TEST(LicenseServer, FlakyFailsRoughlyTheConfiguredShareReproducibly) {
  constexpr int kRequests = 200;
  const int first = count_flaky_failures(7, kRequests);
  // Binomial(200, 0.3): mean 60, standard deviation 6.5; 40..80 is three sigma.
  EXPECT_GE(first, 40);
  EXPECT_LE(first, 80);
  EXPECT_EQ(count_flaky_failures(7, kRequests), first);  // same seed, same faults
}

// Refusals and timeouts of a server that is gone are dropped like its other answers.
TEST(LicenseServer, DestroyedServerDropsRefusalsAndTimeouts) {
  boost::asio::io_context io;
  int called = 0;
  {
    LicenseServerConfig config;
    config.latency = 200ms;
    config.capacity_per_second = 1;
    config.queue_limit = 1;
    config.request_timeout = 50ms;
    LicenseServer server(io.get_executor(), config);
    for (int i = 0; i < 3; ++i) {  // in service, waiting, refused
      server.async_request_chain("SH", testing::host_key_pair().public_key,
                                 [&](Result<Chain>) { ++called; });
    }
    EXPECT_EQ(server.stats().failed_busy, 1u);
  }
  io.run_for(1s);
  EXPECT_EQ(called, 0);
}

TEST(LicenseServer, DestroyedServerDropsPendingAnswers) {
  boost::asio::io_context io;
  bool called = false;
  {
    LicenseServerConfig config;
    config.latency = 200ms;
    LicenseServer server(io.get_executor(), config);
    server.async_request_chain("SH", testing::host_key_pair().public_key,
                               [&](Result<Chain>) { called = true; });
  }
  io.run_for(1s);
  EXPECT_FALSE(called);
}

}  // namespace
}  // namespace rdwarm::lab
