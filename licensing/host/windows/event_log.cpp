#include "licensing/host/windows/event_log.hpp"

#include <string>

#include "licensing/host/windows/win32_text.hpp"

namespace rdwarm::host::windows {

namespace {

WORD event_type(EventSeverity severity) {
  switch (severity) {
    case EventSeverity::kWarning:
      return EVENTLOG_WARNING_TYPE;
    case EventSeverity::kError:
      return EVENTLOG_ERROR_TYPE;
    case EventSeverity::kInformation:
      break;
  }
  return EVENTLOG_INFORMATION_TYPE;
}

}  // namespace

EventLog::~EventLog() {
  if (source_ != nullptr) DeregisterEventSource(source_);
}

Status EventLog::write(const HostEvent& event) {
  if (source_ == nullptr) {
    source_ = RegisterEventSourceW(nullptr, kEventSourceName);
    if (source_ == nullptr) {
      return make_error(
          "event log", "",
          "cannot open the Application log for source rdwarm: " + win32_error_text(GetLastError()));
    }
  }
  const std::wstring text = widen(event.message);
  const wchar_t* strings[] = {text.c_str()};
  if (!ReportEventW(source_, event_type(event.severity), 0, event.id, nullptr, 1, 0, strings,
                    nullptr)) {
    return make_error(
        "event log", "",
        "cannot write event " + std::to_string(event.id) + ": " + win32_error_text(GetLastError()));
  }
  return Ok{};
}

}  // namespace rdwarm::host::windows
