// The grace-period timebomb: FILETIME conversion and DPAPI, including blobs that do not decrypt.
#include "licensing/host/windows/grace_period.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <string>
#include <vector>

#include "licensing/host/windows/host_values.hpp"
#include "licensing/host/windows/windows_platform.hpp"
#include "licensing/wire/utc_time.hpp"
#include "tests/windows/windows_fixture.hpp"

namespace rdwarm::test::windows {
namespace {

using host::windows::filetime_from_system_time;
using host::windows::read_grace_period_end;
using host::windows::system_time_from_filetime;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::uint64_t le64(std::initializer_list<std::uint8_t> bytes) {
  std::uint64_t v = 0;
  std::memcpy(&v, std::data(bytes), 8);
  return v;
}

// Public lsadump outputs of the L$RTMTIMEBOMB secret (reference/windows-rds-licensing.md 1.3).
TEST(FileTime, DecodesKnownTimebombValues) {
  EXPECT_EQ(
      format_utc(system_time_from_filetime(le64({0x00, 0xf2, 0xd1, 0x31, 0xe2, 0x11, 0xd3, 0x01}))),
      "2017-08-10T14:08:52Z");
  EXPECT_EQ(
      format_utc(system_time_from_filetime(le64({0x00, 0x92, 0x50, 0x34, 0x0A, 0x93, 0xC7, 0x01}))),
      "2007-05-10T13:50:44Z");
  EXPECT_EQ(format_utc(system_time_from_filetime(116'444'736'000'000'000)), "1970-01-01T00:00:00Z");
}

TEST(FileTime, RoundTripsAndClampsInsteadOfOverflowing) {
  const auto t = std::chrono::sys_days{std::chrono::year{2027} / 3 / 14} + std::chrono::hours{9};
  EXPECT_EQ(system_time_from_filetime(filetime_from_system_time(t)), t);
  // FILETIME 0 (1601) and the largest value are outside system_clock's range: no UB, just ends.
  EXPECT_LT(system_time_from_filetime(0), std::chrono::sys_days{std::chrono::year{1700} / 1 / 1});
  EXPECT_GT(system_time_from_filetime(~std::uint64_t{0}),
            std::chrono::sys_days{std::chrono::year{2200} / 1 / 1});
}

using GracePeriod = WindowsRegistryTest;

TEST_F(GracePeriod, DecryptsTheMachineScopeBlob) {
  const auto end = std::chrono::sys_days{std::chrono::year{2026} / 12 / 24};
  const std::uint64_t ft = filetime_from_system_time(end);
  std::vector<std::uint8_t> plain(8);
  std::memcpy(plain.data(), &ft, 8);
  const auto blob = protect_machine(plain);
  ASSERT_NE(blob, plain);  // really encrypted
  reg.set_binary(kGracePeriod, kTimebomb, blob);

  const auto fact = read_grace_period_end();
  ASSERT_TRUE(fact.has_value()) << fact.problem;
  EXPECT_EQ(format_utc(*fact.value), "2026-12-24T00:00:00Z");
}

TEST_F(GracePeriod, ABlobThatIsNotDpapiIsAProblemNotACrash) {
  reg.set_binary(kGracePeriod, kTimebomb, {0x00, 0xf2, 0xd1, 0x31, 0xe2, 0x11, 0xd3, 0x01});
  const auto fact = read_grace_period_end();
  EXPECT_FALSE(fact.has_value());
  EXPECT_TRUE(contains(fact.problem, "cannot decrypt the DPAPI blob")) << fact.problem;
  EXPECT_TRUE(contains(fact.problem, "Win32 error")) << fact.problem;
  EXPECT_TRUE(contains(fact.problem, "GetGracePeriodDays")) << fact.problem;
  EXPECT_TRUE(contains(fact.source, "GracePeriod\\L$RTMTIMEBOMB_")) << fact.source;

  // The snapshot reports it as unreadable grace, not as "timebomb deleted".
  auto snap = host::windows::make_windows_platform()->read_snapshot();
  ASSERT_TRUE(snap.ok());
  EXPECT_TRUE(snap->grace.unreadable());
}

TEST_F(GracePeriod, APlaintextThatIsNotAFileTimeIsAProblem) {
  reg.set_binary(kGracePeriod, kTimebomb, protect_machine({1, 2, 3, 4}));
  const auto fact = read_grace_period_end();
  EXPECT_FALSE(fact.has_value());
  EXPECT_TRUE(contains(fact.problem, "decrypts to 4 bytes, not the 8-byte FILETIME"))
      << fact.problem;
}

TEST_F(GracePeriod, AWrongTypeIsAProblem) {
  reg.set_dword(kGracePeriod, kTimebomb, 120);
  const auto fact = read_grace_period_end();
  EXPECT_TRUE(contains(fact.problem, "is REG_DWORD, expected REG_BINARY")) << fact.problem;
}

TEST_F(GracePeriod, TheBackendNeverWritesTheTimebomb) {
  const auto blob = protect_machine(std::vector<std::uint8_t>(8, 0x42));
  reg.set_binary(kGracePeriod, kTimebomb, blob);
  auto platform = host::windows::make_windows_platform();
  ASSERT_TRUE(platform->read_snapshot().ok());
  ASSERT_TRUE(platform->set_gate(host::Gate::kClosed).ok());
  ASSERT_TRUE(platform->set_gate(host::Gate::kOpen).ok());
  const auto raw = host::windows::read_windows_host_values();
  ASSERT_TRUE(raw.grace_period_end.has_value());
  // Same blob, byte for byte, after a full cycle.
  HKEY h = nullptr;
  ASSERT_EQ(RegOpenKeyExW(HKEY_LOCAL_MACHINE,
                          L"SYSTEM\\CurrentControlSet\\Control\\Terminal Server\\RCM\\GracePeriod",
                          0, KEY_QUERY_VALUE | KEY_WOW64_64KEY, &h),
            ERROR_SUCCESS);
  std::vector<std::uint8_t> now(blob.size() + 16);
  DWORD size = static_cast<DWORD>(now.size());
  ASSERT_EQ(RegQueryValueExW(h, L"L$RTMTIMEBOMB_1320153D-8DA3-4e8e-B27B-0D888223A588", nullptr,
                             nullptr, now.data(), &size),
            ERROR_SUCCESS);
  RegCloseKey(h);
  now.resize(size);
  EXPECT_EQ(now, blob);
}

}  // namespace
}  // namespace rdwarm::test::windows
