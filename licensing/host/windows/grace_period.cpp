#include "licensing/host/windows/grace_period.hpp"

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstring>
#include <string>
#include <vector>

#include "licensing/host/windows/registry.hpp"
#include "licensing/host/windows/registry_paths.hpp"
#include "licensing/host/windows/win32.hpp"
#include "licensing/host/windows/win32_text.hpp"

// After windows.h: DPAPI.
#include <wincrypt.h>

namespace rdwarm::host::windows {

namespace {

using FileTimeTicks = std::chrono::duration<std::int64_t, std::ratio<1, 10'000'000>>;
// 1601-01-01 to 1970-01-01 in FILETIME ticks.
constexpr std::int64_t kUnixEpochAsFileTime = 116'444'736'000'000'000;

constexpr const char* kWindowsOwnCount =
    "Windows' own count of grace days: wmic /namespace:\\\\root\\CIMV2\\TerminalServices PATH "
    "Win32_TerminalServiceSetting WHERE (__CLASS !=\"\") CALL GetGracePeriodDays";

}  // namespace

SystemTime system_time_from_filetime(std::uint64_t filetime) {
  // system_clock counts nanoseconds in 64 bits (years 1678 to 2262): clamp instead of overflowing
  // on a FILETIME far outside that.
  constexpr auto kMin =
      std::chrono::duration_cast<FileTimeTicks>(SystemTime::duration::min()) + FileTimeTicks(1);
  constexpr auto kMax = std::chrono::duration_cast<FileTimeTicks>(SystemTime::duration::max());
  const auto ticks = static_cast<std::int64_t>(filetime & static_cast<std::uint64_t>(LLONG_MAX));
  const auto since_unix = std::clamp(FileTimeTicks(ticks - kUnixEpochAsFileTime), kMin, kMax);
  return SystemTime(std::chrono::duration_cast<SystemTime::duration>(since_unix));
}

std::uint64_t filetime_from_system_time(SystemTime time) {
  const auto ticks = std::chrono::duration_cast<FileTimeTicks>(time.time_since_epoch()).count();
  return static_cast<std::uint64_t>(ticks + kUnixEpochAsFileTime);
}

Result<SystemTime> unprotect_grace_end(std::span<const std::uint8_t> blob) {
  if (blob.empty() || blob.size() > 0xFFFF) {
    return make_error(
        "grace period", "",
        "the value holds " + std::to_string(blob.size()) + " bytes, which is no DPAPI blob");
  }
  std::vector<BYTE> copy(blob.begin(), blob.end());  // the API takes a non-const pointer
  DATA_BLOB in{static_cast<DWORD>(copy.size()), copy.data()};
  DATA_BLOB out{0, nullptr};
  if (!CryptUnprotectData(&in, nullptr, nullptr, nullptr, nullptr, CRYPTPROTECT_UI_FORBIDDEN,
                          &out)) {
    const DWORD code = GetLastError();
    return make_error("grace period", "",
                      "cannot decrypt the DPAPI blob: " + win32_error_text(code) +
                          ". It is not a local-machine DPAPI blob of this machine (copied from "
                          "another machine, or damaged), so the grace end is unknown. " +
                          kWindowsOwnCount);
  }
  const std::size_t size = out.cbData;
  std::uint64_t filetime = 0;
  if (size == sizeof filetime) std::memcpy(&filetime, out.pbData, sizeof filetime);
  LocalFree(out.pbData);
  if (size != sizeof filetime) {
    return make_error("grace period", "",
                      "the DPAPI blob decrypts to " + std::to_string(size) +
                          " bytes, not the 8-byte FILETIME Windows stores there; this Windows "
                          "build keeps the grace period differently. " +
                          kWindowsOwnCount);
  }
  return system_time_from_filetime(filetime);
}

Fact<SystemTime> read_grace_period_end() {
  auto blob = read_binary(reg::kGracePeriodKey, reg::kGraceTimebomb);
  if (!blob.has_value()) return Fact<SystemTime>{std::nullopt, blob.source, blob.problem};
  auto end = unprotect_grace_end(*blob.value);
  if (!end.ok()) return Fact<SystemTime>::failed(blob.source, end.error().what);
  return Fact<SystemTime>::found(*end, blob.source);
}

}  // namespace rdwarm::host::windows
