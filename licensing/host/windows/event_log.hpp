// Writes rdwarm's events to the Windows Application log under the event source "rdwarm"
// (RegisterEventSource + ReportEvent). The ids are docs/events.md's. `rdwarm image install`
// registers the source; until then Event Viewer shows the message text with a note that the
// source's description is missing, which loses nothing.
#pragma once

#include "licensing/host/host_platform.hpp"
#include "licensing/host/windows/win32.hpp"

namespace rdwarm::host::windows {

inline constexpr const wchar_t* kEventSourceName = L"rdwarm";

class EventLog {
 public:
  EventLog() = default;
  ~EventLog();
  EventLog(const EventLog&) = delete;
  EventLog& operator=(const EventLog&) = delete;
  EventLog(EventLog&&) = delete;
  EventLog& operator=(EventLog&&) = delete;

  Status write(const HostEvent& event);

 private:
  HANDLE source_ = nullptr;  // opened on the first event
};

}  // namespace rdwarm::host::windows
