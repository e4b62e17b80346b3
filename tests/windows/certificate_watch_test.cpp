// wait_for_certificate_change: RegNotifyChangeKeyValue on RCM, woken by a writer thread.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "licensing/crypto/registry_chain.hpp"
#include "licensing/host/windows/windows_platform.hpp"
#include "tests/support/test_chain.hpp"
#include "tests/windows/windows_fixture.hpp"

namespace rdwarm::test::windows {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;
using host::WaitResult;

class CertificateWait : public WindowsRegistryTest {
 protected:
  void SetUp() override {
    WindowsRegistryTest::SetUp();
    if (IsSkipped()) return;
    reg.set_dword(kRcm, "rdwarm test marker", 0);  // RCM exists, as on every session host
    platform = host::windows::make_windows_platform();
  }
  std::unique_ptr<host::HostPlatform> platform;
};

TEST_F(CertificateWait, WakesWithin100msOfACertificateWrite) {
  const auto chain = crypto::encode_registry_certificate_chain(make_chain("LS", "SH", 30));
  ASSERT_TRUE(platform->arm_certificate_wait().ok());
  Clock::time_point written{};
  std::thread writer([&] {
    std::this_thread::sleep_for(150ms);
    written = Clock::now();
    reg.set_binary(kRcm, "X509 Certificate2", chain);
  });
  auto result = platform->wait_for_certificate_change(5s);
  const auto woke = Clock::now();
  writer.join();
  ASSERT_TRUE(result.ok()) << result.error().message();
  EXPECT_EQ(*result, WaitResult::kChanged);
  EXPECT_GE(woke, written);
  EXPECT_LT(woke - written, 100ms)
      << std::chrono::duration_cast<std::chrono::milliseconds>(woke - written).count() << " ms";
}

TEST_F(CertificateWait, TimesOutCleanlyWithoutAWrite) {
  ASSERT_TRUE(platform->arm_certificate_wait().ok());
  const auto start = Clock::now();
  auto result = platform->wait_for_certificate_change(300ms);
  const auto took = Clock::now() - start;
  ASSERT_TRUE(result.ok()) << result.error().message();
  EXPECT_EQ(*result, WaitResult::kTimedOut);
  EXPECT_GE(took, 290ms);  // the Windows timer may round a little
  EXPECT_LT(took, 1500ms);
}

TEST_F(CertificateWait, OtherRcmWritesDoNotEndTheWait) {
  ASSERT_TRUE(platform->arm_certificate_wait().ok());
  std::thread writer([&] {
    for (std::uint32_t i = 1; i <= 3; ++i) {
      std::this_thread::sleep_for(60ms);
      reg.set_dword(kRcm, "rdwarm test marker", i);  // wakes the notification, not the caller
    }
  });
  const auto start = Clock::now();
  auto result = platform->wait_for_certificate_change(500ms);
  const auto took = Clock::now() - start;
  writer.join();
  ASSERT_TRUE(result.ok()) << result.error().message();
  EXPECT_EQ(*result, WaitResult::kTimedOut);
  EXPECT_GE(took, 490ms);
}

TEST_F(CertificateWait, ACertificateWriteAfterOtherRcmWritesIsStillSeen) {
  ASSERT_TRUE(platform->arm_certificate_wait().ok());
  std::thread writer([&] {
    std::this_thread::sleep_for(50ms);
    reg.set_dword(kRcm, "rdwarm test marker", 7);  // consumes the first notification
    std::this_thread::sleep_for(50ms);
    reg.set_binary(kRcm, "X509 Certificate2",
                   crypto::encode_registry_certificate_chain(make_chain("LS", "SH", 30)));
  });
  const auto start = Clock::now();
  auto result = platform->wait_for_certificate_change(5s);
  const auto took = Clock::now() - start;
  writer.join();
  ASSERT_TRUE(result.ok()) << result.error().message();
  EXPECT_EQ(*result, WaitResult::kChanged);
  EXPECT_LT(took, 2s);
}

TEST_F(CertificateWait, AWriteBetweenArmAndWaitIsNotLost) {
  ASSERT_TRUE(platform->arm_certificate_wait().ok());
  // The agent reads the snapshot here; the certificate arrives before it starts waiting.
  reg.set_binary(kRcm, "X509 Certificate",
                 crypto::encode_registry_certificate_chain(make_chain("LS", "SH", 30)));
  auto result = platform->wait_for_certificate_change(0ms);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(*result, WaitResult::kChanged);
  // The new value is the reference now: nothing more to report.
  result = platform->wait_for_certificate_change(100ms);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(*result, WaitResult::kTimedOut);
}

TEST_F(CertificateWait, DeletingTheCertificateIsAChange) {
  reg.set_binary(kRcm, "X509 Certificate2",
                 crypto::encode_registry_certificate_chain(make_chain("LS", "SH", 30)));
  ASSERT_TRUE(platform->arm_certificate_wait().ok());
  std::thread writer([&] {
    std::this_thread::sleep_for(50ms);
    reg.remove_value(kRcm, "X509 Certificate2");  // Microsoft's refresh procedure does this
  });
  auto result = platform->wait_for_certificate_change(5s);
  writer.join();
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(*result, WaitResult::kChanged);
}

TEST_F(CertificateWait, ArmingWithoutAccessSaysRunAsSystem) {
  reg.deny_access(kRcm);
  auto armed = platform->arm_certificate_wait();
  ASSERT_FALSE(armed.ok());
  EXPECT_NE(armed.error().message().find("run rdwarm as SYSTEM"), std::string::npos)
      << armed.error().message();
}

TEST(CertificateWaitWithoutRcm, ArmingExplainsTheMissingKey) {
  RDWARM_SKIP_UNLESS_REGISTRY_IS_DISPOSABLE();
  RegistrySandbox reg;
  reg.remove_key("SYSTEM\\CurrentControlSet\\Control\\Terminal Server\\RCM");
  auto platform = host::windows::make_windows_platform();
  auto armed = platform->arm_certificate_wait();
  ASSERT_FALSE(armed.ok());
  EXPECT_NE(armed.error().message().find("Terminal Server\\RCM"), std::string::npos);
  EXPECT_NE(armed.error().message().find("does not exist"), std::string::npos)
      << armed.error().message();
  // wait without a successful arm reports the same, instead of blocking.
  auto waited = platform->wait_for_certificate_change(50ms);
  EXPECT_FALSE(waited.ok());
}

}  // namespace
}  // namespace rdwarm::test::windows
