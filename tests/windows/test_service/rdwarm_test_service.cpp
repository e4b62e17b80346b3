// A minimal Windows service for tests/windows/service_control_test.cpp: a real service program,
// started by the service control manager (wine's services.exe under wine), that reports RUNNING
// and stops when asked. Its command line (the service's binary path) chooses a misbehaviour:
//   --fail-start  reports STOPPED with service-specific exit code 42 instead of running
//   --slow-stop   stays STOP_PENDING for 1.5 s after a stop request
#include <windows.h>

#include <cstring>

namespace {

SERVICE_STATUS_HANDLE g_handle = nullptr;
HANDLE g_stop = nullptr;
bool g_slow_stop = false;
bool g_fail_start = false;

void report(DWORD state, DWORD wait_hint, DWORD specific_exit = 0) {
  SERVICE_STATUS status{};
  status.dwServiceType = SERVICE_WIN32_OWN_PROCESS;
  status.dwCurrentState = state;
  status.dwControlsAccepted = state == SERVICE_RUNNING ? SERVICE_ACCEPT_STOP : 0;
  status.dwWin32ExitCode = specific_exit != 0 ? ERROR_SERVICE_SPECIFIC_ERROR : NO_ERROR;
  status.dwServiceSpecificExitCode = specific_exit;
  status.dwWaitHint = wait_hint;
  SetServiceStatus(g_handle, &status);
}

DWORD WINAPI control(DWORD code, DWORD, LPVOID, LPVOID) {
  switch (code) {
    case SERVICE_CONTROL_STOP:
      report(SERVICE_STOP_PENDING, 3000);
      SetEvent(g_stop);
      return NO_ERROR;
    case SERVICE_CONTROL_INTERROGATE:
      return NO_ERROR;
    default:
      return ERROR_CALL_NOT_IMPLEMENTED;
  }
}

void WINAPI service_main(DWORD argc, LPWSTR* argv) {
  g_handle = RegisterServiceCtrlHandlerExW(argc > 0 ? argv[0] : L"", control, nullptr);
  if (g_handle == nullptr) return;
  report(SERVICE_START_PENDING, 3000);
  if (g_fail_start) {
    report(SERVICE_STOPPED, 0, 42);
    return;
  }
  g_stop = CreateEventW(nullptr, TRUE, FALSE, nullptr);
  report(SERVICE_RUNNING, 0);
  WaitForSingleObject(g_stop, INFINITE);
  if (g_slow_stop) Sleep(1500);
  report(SERVICE_STOPPED, 0);
}

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--slow-stop") == 0) g_slow_stop = true;
    if (std::strcmp(argv[i], "--fail-start") == 0) g_fail_start = true;
  }
  // An own-process service: the name in the table is not used.
  wchar_t name[] = L"rdwarm-test-service";
  SERVICE_TABLE_ENTRYW table[] = {{name, service_main}, {nullptr, nullptr}};
  return StartServiceCtrlDispatcherW(table) ? 0 : 1;
}
