#include "licensing/host/windows/certificate_watch.hpp"

#include <algorithm>
#include <string>

#include "licensing/host/windows/registry_paths.hpp"
#include "licensing/host/windows/win32_text.hpp"

namespace rdwarm::host::windows {

namespace {

// Windows 8+: the registration survives the calling thread, so arm() and wait() may run on
// different threads (older systems drop it when the thread exits; register_notification falls
// back to a thread-bound registration there).
#ifndef REG_NOTIFY_THREAD_AGNOSTIC
#define REG_NOTIFY_THREAD_AGNOSTIC 0x10000000L
#endif

const std::string& rcm_source() {
  static const std::string s = "HKLM\\" + std::string(reg::kRcmKey);
  return s;
}

}  // namespace

CertificateWatch::~CertificateWatch() {
  if (event_ != nullptr) CloseHandle(event_);
}

Status CertificateWatch::arm() {
  if (event_ == nullptr) {
    auto opened = open_hklm(reg::kRcmKey, KEY_NOTIFY | KEY_QUERY_VALUE);
    if (opened.status == ERROR_FILE_NOT_FOUND) {
      return make_error(rcm_source(), "",
                        "cannot watch for the certificate: the key does not exist, so Remote "
                        "Desktop Services is not set up on this machine");
    }
    if (opened.status != ERROR_SUCCESS) {
      return make_error(rcm_source(), "",
                        "cannot watch for the certificate: " + read_problem(opened.status));
    }
    rcm_ = std::move(opened.key);
    event_ = CreateEventW(nullptr, FALSE, FALSE, nullptr);  // auto-reset
    if (event_ == nullptr) {
      return make_error(rcm_source(), "",
                        "CreateEvent failed: " + win32_error_text(GetLastError()));
    }
    auto registered = register_notification();
    if (!registered.ok()) return registered;
  }
  // Registered before reading: a write between the two wakes the wait instead of being lost.
  auto now = read_certificates();
  if (!now.ok()) return now.error();
  reference_ = std::move(*now);
  return Ok{};
}

Status CertificateWatch::register_notification() {
  constexpr DWORD kFilter = REG_NOTIFY_CHANGE_LAST_SET;  // value writes and deletions
  auto status = RegNotifyChangeKeyValue(rcm_.get(), FALSE, kFilter | REG_NOTIFY_THREAD_AGNOSTIC,
                                        event_, TRUE);
  if (status == ERROR_INVALID_PARAMETER) {
    status = RegNotifyChangeKeyValue(rcm_.get(), FALSE, kFilter, event_, TRUE);
  }
  if (status != ERROR_SUCCESS) {
    return make_error(
        rcm_source(), "",
        "RegNotifyChangeKeyValue failed: " + win32_error_text(static_cast<DWORD>(status)));
  }
  return Ok{};
}

Result<CertificateWatch::Certificates> CertificateWatch::read_certificates() const {
  Certificates c;
  for (auto [name, slot] : {std::pair{reg::kX509Certificate2, &c.x509_certificate2},
                            std::pair{reg::kX509Certificate, &c.x509_certificate}}) {
    RegistryValue value;
    const auto status = query_value(rcm_.get(), name, value);
    if (status == ERROR_SUCCESS) {
      *slot = std::move(value.data);
    } else if (status != ERROR_FILE_NOT_FOUND) {
      return make_error(hklm_source(reg::kRcmKey, name), "", read_problem(status));
    }
  }
  return c;
}

Result<WaitResult> CertificateWatch::wait(std::chrono::milliseconds timeout) {
  if (!armed()) {
    auto armed_now = arm();
    if (!armed_now.ok()) return armed_now.error();
  }
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + std::max(timeout, std::chrono::milliseconds(0));
  while (true) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    const auto ms = static_cast<DWORD>(
        std::clamp<std::chrono::milliseconds::rep>(left.count(), 0, INFINITE - 1));
    const DWORD woke = WaitForSingleObject(event_, ms);
    if (woke == WAIT_TIMEOUT) return WaitResult::kTimedOut;
    if (woke != WAIT_OBJECT_0) {
      return make_error(rcm_source(), "",
                        "waiting for a change failed: " + win32_error_text(GetLastError()));
    }
    // A notification fires once: register again before comparing, so no later write is missed.
    auto registered = register_notification();
    if (!registered.ok()) return registered.error();
    auto now = read_certificates();
    if (!now.ok()) return now.error();
    if (!(*now == reference_)) {
      reference_ = std::move(*now);
      return WaitResult::kChanged;
    }
    // Another RCM value was written: keep waiting for the rest of the time.
  }
}

}  // namespace rdwarm::host::windows
