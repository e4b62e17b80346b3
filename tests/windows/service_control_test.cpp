// Service control through the service control manager, against a real service program
// (test_service/rdwarm_test_service.cpp) that each test registers with CreateServiceW (demand
// start, as the image sets BrokerAgent) and deletes again: the backend stops and starts it, the
// service gate holds it, and `sc query` agrees; the errors for a missing service, a disabled one,
// one that fails to start and one that is slow to stop say what happened and what to do.
#include "licensing/host/windows/service_control.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <regex>
#include <string>

#include "licensing/host/windows/win32_text.hpp"
#include "licensing/host/windows/windows_platform.hpp"
#include "tests/windows/windows_fixture.hpp"
#include "warmup/agent/service_gate.hpp"

#ifndef RDWARM_TEST_SERVICE_EXE
#error "RDWARM_TEST_SERVICE_EXE must name the test service program"
#endif

namespace rdwarm::test::windows {
namespace {

using namespace std::chrono_literals;
using host::ServiceState;
using host::windows::widen;

// The program's path as the service control manager needs it: a Windows path. The build gives a
// Unix path under wine (drive Z: is the Unix root there).
std::string service_program() {
  std::string path = RDWARM_TEST_SERVICE_EXE;
  for (auto& c : path) {
    if (c == '/') c = '\\';
  }
  if (path.starts_with("\\")) path = "Z:" + path;
  return "\"" + path + "\"";
}

// What `sc query NAME` says the state is ("RUNNING", "STOPPED", ...); nullopt when it fails.
std::optional<std::string> sc_query_state(const std::string& name) {
  const auto r = run_command("sc.exe query " + name);
  std::smatch m;
  static const std::regex kState(R"(STATE\s*:\s*[0-9]+\s+([A-Z_]+))");
  if (!std::regex_search(r.output, m, kState)) return std::nullopt;
  return m[1].str();
}

// A service registered for one test, deleted (after a stop, if it runs) when the test ends.
class ScopedService {
 public:
  ScopedService(std::string name, const std::string& arguments, DWORD start_type)
      : name_(std::move(name)) {
    SC_HANDLE scm = OpenSCManagerW(nullptr, nullptr, SC_MANAGER_CREATE_SERVICE);
    if (scm == nullptr) {
      ADD_FAILURE() << "OpenSCManagerW: " << host::windows::win32_error_text(GetLastError());
      return;
    }
    const std::wstring wide_name = widen(name_);
    const std::wstring display = widen("rdwarm test service " + name_);
    const std::wstring binary = widen(service_program() + arguments);
    service_ = CreateServiceW(scm, wide_name.c_str(), display.c_str(), SERVICE_ALL_ACCESS,
                              SERVICE_WIN32_OWN_PROCESS, start_type, SERVICE_ERROR_NORMAL,
                              binary.c_str(), nullptr, nullptr, nullptr, nullptr, nullptr);
    if (service_ == nullptr) {
      ADD_FAILURE() << "CreateServiceW " << name_ << ": "
                    << host::windows::win32_error_text(GetLastError());
    }
    CloseServiceHandle(scm);
  }
  ~ScopedService() {
    if (service_ == nullptr) return;
    SERVICE_STATUS status{};
    if (QueryServiceStatus(service_, &status) && status.dwCurrentState != SERVICE_STOPPED) {
      ControlService(service_, SERVICE_CONTROL_STOP, &status);
      for (int i = 0; i < 100 && QueryServiceStatus(service_, &status) &&
                      status.dwCurrentState != SERVICE_STOPPED;
           ++i) {
        Sleep(50);
      }
    }
    EXPECT_TRUE(DeleteService(service_)) << host::windows::win32_error_text(GetLastError());
    CloseServiceHandle(service_);
  }
  ScopedService(const ScopedService&) = delete;
  ScopedService& operator=(const ScopedService&) = delete;

  [[nodiscard]] const std::string& name() const { return name_; }
  [[nodiscard]] bool created() const { return service_ != nullptr; }

 private:
  std::string name_;
  SC_HANDLE service_ = nullptr;
};

// Unique per test process, so a run killed before its clean-up cannot block the next one.
std::string test_service_name(const std::string& what) {
  return "RdwarmTest" + what + std::to_string(GetCurrentProcessId());
}

// These tests register services in the machine's service database: under wine that is the
// throw-away prefix; on a real machine only on request, like the registry tests.
class ServiceControl : public ::testing::Test {
 protected:
  void SetUp() override { RDWARM_SKIP_UNLESS_REGISTRY_IS_DISPOSABLE(); }
};

TEST_F(ServiceControl, StopsAndStartsARealServiceAsScQuerySeesIt) {
  ScopedService svc(test_service_name("Svc"), "", SERVICE_DEMAND_START);
  ASSERT_TRUE(svc.created());
  auto state = host::windows::query_windows_service(svc.name());
  ASSERT_TRUE(state.ok()) << state.error().message();
  EXPECT_EQ(*state, ServiceState::kStopped) << "demand start: not running after CreateService";
  EXPECT_EQ(sc_query_state(svc.name()), "STOPPED");

  auto started = host::windows::start_windows_service(svc.name(), 20s);
  ASSERT_TRUE(started.ok()) << started.error().message();
  EXPECT_EQ(*host::windows::query_windows_service(svc.name()), ServiceState::kRunning);
  EXPECT_EQ(sc_query_state(svc.name()), "RUNNING");
  started = host::windows::start_windows_service(svc.name(), 20s);
  EXPECT_TRUE(started.ok()) << "a running service is fine: " << started.error().message();

  auto stopped = host::windows::stop_windows_service(svc.name(), 20s);
  ASSERT_TRUE(stopped.ok()) << stopped.error().message();
  EXPECT_EQ(*host::windows::query_windows_service(svc.name()), ServiceState::kStopped);
  EXPECT_EQ(sc_query_state(svc.name()), "STOPPED");
  stopped = host::windows::stop_windows_service(svc.name(), 20s);
  EXPECT_TRUE(stopped.ok()) << "a stopped service is fine: " << stopped.error().message();
}

TEST_F(ServiceControl, TheServiceGateHoldsItThroughTheWindowsPlatform) {
  ScopedService svc(test_service_name("Gate"), "", SERVICE_DEMAND_START);
  ASSERT_TRUE(svc.created());
  auto platform = host::windows::make_windows_platform();
  ASSERT_TRUE(platform->start_service(svc.name(), 20s).ok());
  ASSERT_EQ(sc_query_state(svc.name()), "RUNNING");

  agent::ServiceGate gate(*platform, {svc.name()}, 20s);
  auto closed = gate.close();
  ASSERT_TRUE(closed.ok()) << closed.error().message();
  EXPECT_EQ(sc_query_state(svc.name()), "STOPPED");
  EXPECT_EQ(gate.stopped_by_close(), std::vector<std::string>{svc.name()});

  auto opened = gate.open();
  ASSERT_TRUE(opened.ok()) << opened.error().message();
  EXPECT_EQ(sc_query_state(svc.name()), "RUNNING");

  // The next boot: the Manual service has not run, close finds nothing to stop, open starts it.
  ASSERT_TRUE(platform->stop_service(svc.name(), 20s).ok());
  ASSERT_TRUE(gate.close().ok());
  EXPECT_TRUE(gate.stopped_by_close().empty());
  ASSERT_TRUE(gate.open().ok());
  EXPECT_EQ(sc_query_state(svc.name()), "RUNNING");
}

TEST_F(ServiceControl, AMissingServiceIsAClearError) {
  const std::string name = "RdwarmNoSuchService";
  ASSERT_EQ(sc_query_state(name), std::nullopt);
  for (const auto& message : {host::windows::query_windows_service(name).error().message(),
                              host::windows::stop_windows_service(name, 5s).error().message(),
                              host::windows::start_windows_service(name, 5s).error().message()}) {
    EXPECT_NE(message.find("service RdwarmNoSuchService: does not exist on this host"),
              std::string::npos)
        << message;
    EXPECT_NE(message.find("(Win32 error 1060)"), std::string::npos) << message;
    EXPECT_NE(message.find("gate.services takes the service's short name"), std::string::npos)
        << message;
  }
}

TEST_F(ServiceControl, ADisabledServiceSaysSetItToManual) {
  ScopedService svc(test_service_name("Off"), "", SERVICE_DISABLED);
  ASSERT_TRUE(svc.created());
  const auto started = host::windows::start_windows_service(svc.name(), 5s);
  ASSERT_FALSE(started.ok());
  const auto message = started.error().message();
  EXPECT_NE(message.find("cannot start it"), std::string::npos) << message;
  EXPECT_NE(message.find("(Win32 error 1058)"), std::string::npos) << message;
  EXPECT_NE(message.find("sc config " + svc.name() + " start= demand"), std::string::npos)
      << message;
  EXPECT_EQ(sc_query_state(svc.name()), "STOPPED");
}

TEST_F(ServiceControl, AServiceThatStopsWhileStartingReportsItsExitCode) {
  ScopedService svc(test_service_name("Fail"), " --fail-start", SERVICE_DEMAND_START);
  ASSERT_TRUE(svc.created());
  const auto t0 = GetTickCount64();
  const auto started = host::windows::start_windows_service(svc.name(), 20s);
  ASSERT_FALSE(started.ok());
  EXPECT_LT(GetTickCount64() - t0, 10'000u) << "a failed start must not wait out the timeout";
  const auto message = started.error().message();
  EXPECT_NE(message.find("stopped again while starting (service-specific exit code 42)"),
            std::string::npos)
      << message;
}

TEST_F(ServiceControl, AServiceSlowToStopIsATimeoutThatNamesItsState) {
  ScopedService svc(test_service_name("Slow"), " --slow-stop", SERVICE_DEMAND_START);
  ASSERT_TRUE(svc.created());
  ASSERT_TRUE(host::windows::start_windows_service(svc.name(), 20s).ok());
  const auto t0 = GetTickCount64();
  const auto stopped = host::windows::stop_windows_service(svc.name(), 300ms);
  const auto took = GetTickCount64() - t0;
  ASSERT_FALSE(stopped.ok());
  EXPECT_GE(took, 250u);
  EXPECT_LT(took, 1200u) << "the timeout bounds the wait";
  const auto message = stopped.error().message();
  EXPECT_NE(message.find("did not reach STOPPED within 300 ms; it is stop-pending"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("gate.service_timeout"), std::string::npos) << message;
  // Given the time, the stop completes; asking again while it is pending waits for it.
  const auto again = host::windows::stop_windows_service(svc.name(), 20s);
  EXPECT_TRUE(again.ok()) << again.error().message();
  EXPECT_EQ(sc_query_state(svc.name()), "STOPPED");
}

}  // namespace
}  // namespace rdwarm::test::windows
