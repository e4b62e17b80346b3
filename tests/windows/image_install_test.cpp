// `rdwarm image install [--as-service]` and `uninstall` against the real service control manager,
// registry and Task Scheduler of the machine (wine's, in the build's throw-away prefix): what
// install creates, read back through other doors than the installer's (QueryServiceConfigW, the
// registry, the task store, sc.exe, schtasks.exe); install twice; switching between task and
// service; the real rdwarm.exe service main started and stopped by the service control manager,
// running the boot warm-up against a lab host state; uninstall leaving nothing behind.
//
// What wine does not do is not claimed here (docs/image-install.md, What was verified): its Task
// Scheduler keeps a task's settings but drops triggers, principal and actions, and never runs a
// task; its service control manager accepts recovery actions without keeping them.
#include <gtest/gtest.h>
#include <winsock2.h>
#include <ws2tcpip.h>

#include <fstream>
#include <optional>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "config/default_paths.hpp"
#include "imagebuild/install/install_files.hpp"
#include "imagebuild/install/install_report.hpp"
#include "imagebuild/install/installer.hpp"
#include "imagebuild/install/task_xml.hpp"
#include "imagebuild/install/windows/boot_task.hpp"
#include "licensing/host/lab/lab_state_file.hpp"
#include "licensing/host/windows/win32_text.hpp"
#include "tests/support/ports.hpp"
#include "tests/windows/windows_fixture.hpp"
#include "warmup/agent/gate_journal.hpp"

namespace rdwarm::test::windows {
namespace {

namespace inst = imagebuild::install;
using namespace std::chrono_literals;
using config::path_to_utf8;
using host::windows::narrow;
using host::windows::widen;
using host::windows::win32_error_text;

const std::string kEventSource =
    "SYSTEM\\CurrentControlSet\\Services\\EventLog\\Application\\rdwarm";
const std::string kServiceKey = "SYSTEM\\CurrentControlSet\\Services\\rdwarm";
const std::string kStateKey = "SOFTWARE\\rdwarm";

// rdwarm.exe as the build made it, as a Windows path (wine maps the Unix root to drive Z:).
std::filesystem::path rdwarm_exe() {
#ifdef RDWARM_BINARY
  std::string path = RDWARM_BINARY;
  for (auto& c : path) {
    if (c == '/') c = '\\';
  }
  if (path.starts_with("\\")) path = "Z:" + path;
  return config::path_from_utf8(path);
#else
  return {};
#endif
}

// A REG_SZ / REG_EXPAND_SZ / REG_MULTI_SZ value as text (entries of a multi-string joined by '|'),
// read with the plain registry API.
std::optional<std::string> query_text(const std::string& key, const std::string& value,
                                      DWORD* type_out = nullptr) {
  HKEY k = nullptr;
  if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, widen(key).c_str(), 0, KEY_QUERY_VALUE | KEY_WOW64_64KEY,
                    &k) != ERROR_SUCCESS) {
    return std::nullopt;
  }
  DWORD type = 0;
  DWORD size = 0;
  const std::wstring name = widen(value);
  LSTATUS s = RegQueryValueExW(k, name.c_str(), nullptr, &type, nullptr, &size);
  std::wstring data(size / sizeof(wchar_t) + 1, L'\0');
  if (s == ERROR_SUCCESS) {
    s = RegQueryValueExW(k, name.c_str(), nullptr, &type,
                         reinterpret_cast<BYTE*>(data.data()),  // NOLINT: registry buffer
                         &size);
  }
  RegCloseKey(k);
  if (s != ERROR_SUCCESS) return std::nullopt;
  if (type_out != nullptr) *type_out = type;
  data.resize(size / sizeof(wchar_t));
  while (!data.empty() && data.back() == L'\0') data.pop_back();
  for (auto& c : data) {
    if (c == L'\0') c = L'|';
  }
  return narrow(data);
}

struct ServiceConfig {
  DWORD start_type = 0;
  DWORD service_type = 0;
  std::string binary;
  std::string account;
  std::string display_name;
};

std::optional<ServiceConfig> service_config(const std::string& name) {
  SC_HANDLE scm = OpenSCManagerW(nullptr, nullptr, SC_MANAGER_CONNECT);
  if (scm == nullptr) return std::nullopt;
  SC_HANDLE s = OpenServiceW(scm, widen(name).c_str(), SERVICE_QUERY_CONFIG);
  std::optional<ServiceConfig> out;
  if (s != nullptr) {
    DWORD needed = 0;
    QueryServiceConfigW(s, nullptr, 0, &needed);
    std::vector<BYTE> buffer(needed);
    auto* q = reinterpret_cast<QUERY_SERVICE_CONFIGW*>(buffer.data());  // NOLINT: API buffer
    if (needed > 0 && QueryServiceConfigW(s, q, needed, &needed)) {
      out = ServiceConfig{q->dwStartType, q->dwServiceType, narrow(q->lpBinaryPathName),
                          q->lpServiceStartName ? narrow(q->lpServiceStartName) : "",
                          narrow(q->lpDisplayName)};
    }
    CloseServiceHandle(s);
  }
  CloseServiceHandle(scm);
  return out;
}

// Leftovers of an interrupted run go for good (a RegistrySandbox would put them back).
void delete_key_tree(const std::string& key) {
  const std::wstring w = widen(key);
  RegDeleteTreeW(HKEY_LOCAL_MACHINE, w.c_str());
  RegDeleteKeyExW(HKEY_LOCAL_MACHINE, w.c_str(), KEY_WOW64_64KEY, 0);
}

// Drops the entries (source and target, in pairs) of PendingFileRenameOperations whose source
// is under `prefix`; the others stay.
void remove_pending_renames(const std::string& key, const std::string& prefix) {
  HKEY k = nullptr;
  if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, widen(key).c_str(), 0,
                    KEY_QUERY_VALUE | KEY_SET_VALUE | KEY_WOW64_64KEY, &k) != ERROR_SUCCESS) {
    return;
  }
  DWORD size = 0;
  DWORD type = 0;
  const wchar_t* name = L"PendingFileRenameOperations";
  if (RegQueryValueExW(k, name, nullptr, &type, nullptr, &size) == ERROR_SUCCESS &&
      type == REG_MULTI_SZ) {
    std::wstring data(size / sizeof(wchar_t), L'\0');
    RegQueryValueExW(k, name, nullptr, &type,
                     reinterpret_cast<BYTE*>(data.data()),  // NOLINT: registry buffer
                     &size);
    std::vector<std::wstring> entries;
    for (std::size_t at = 0; at < data.size();) {
      const auto end = data.find(L'\0', at);
      if (end == std::wstring::npos) break;
      entries.emplace_back(data, at, end - at);
      at = end + 1;
    }
    // Each operation is two strings; an empty target means "delete". A trailing empty string
    // ends the list.
    std::wstring kept;
    const std::wstring wprefix = widen(prefix);
    for (std::size_t i = 0; i + 1 < entries.size(); i += 2) {
      if (entries[i].find(wprefix) != std::wstring::npos) continue;
      kept += entries[i] + L'\0' + entries[i + 1] + L'\0';
    }
    if (kept.empty()) {
      RegDeleteValueW(k, name);
    } else {
      kept += L'\0';
      RegSetValueExW(k, name, 0, REG_MULTI_SZ,
                     reinterpret_cast<const BYTE*>(kept.data()),  // NOLINT: registry buffer
                     static_cast<DWORD>(kept.size() * sizeof(wchar_t)));
    }
  }
  RegCloseKey(k);
}

std::optional<SERVICE_STATUS_PROCESS> service_status(const std::string& name) {
  SC_HANDLE scm = OpenSCManagerW(nullptr, nullptr, SC_MANAGER_CONNECT);
  if (scm == nullptr) return std::nullopt;
  SC_HANDLE s = OpenServiceW(scm, widen(name).c_str(), SERVICE_QUERY_STATUS);
  std::optional<SERVICE_STATUS_PROCESS> out;
  if (s != nullptr) {
    SERVICE_STATUS_PROCESS st{};
    DWORD needed = 0;
    if (QueryServiceStatusEx(s, SC_STATUS_PROCESS_INFO,
                             reinterpret_cast<BYTE*>(&st),  // NOLINT: API buffer
                             sizeof st, &needed)) {
      out = st;
    }
    CloseServiceHandle(s);
  }
  CloseServiceHandle(scm);
  return out;
}

// Polls until the service reaches `state`, at most `limit`.
bool wait_for_state(const std::string& name, DWORD state, std::chrono::milliseconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    const auto s = service_status(name);
    if (s && s->dwCurrentState == state) return true;
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

// The Task Scheduler's store: a file per task under %SystemRoot%\System32\Tasks, on Windows and
// in wine.
std::filesystem::path task_store() {
  wchar_t dir[MAX_PATH];
  const UINT n = GetSystemDirectoryW(dir, MAX_PATH);
  return std::filesystem::path(std::wstring(dir, n)) / "Tasks";
}

std::uint16_t free_loopback_port() {
  WSADATA wsa;
  WSAStartup(MAKEWORD(2, 2), &wsa);
  const SOCKET s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);  // NOLINT: sockets API
  int len = sizeof a;
  getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);  // NOLINT: sockets API
  closesocket(s);
  return ntohs(a.sin_port);
}

// The message Event Viewer would show for event `id` of a source whose EventMessageFile is
// `module`, with `text` as the one insertion string; nullopt when the file has no such message.
std::optional<std::string> formatted_event(const std::filesystem::path& module, DWORD id,
                                           const std::string& text) {
  const HMODULE m = LoadLibraryExW(module.wstring().c_str(), nullptr,
                                   LOAD_LIBRARY_AS_DATAFILE | LOAD_LIBRARY_AS_IMAGE_RESOURCE);
  if (m == nullptr) return std::nullopt;
  const std::wstring insert = widen(text);
  const DWORD_PTR args[] = {reinterpret_cast<DWORD_PTR>(insert.c_str())};  // NOLINT: API array
  wchar_t* buffer = nullptr;
  const DWORD n = FormatMessageW(
      FORMAT_MESSAGE_FROM_HMODULE | FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_ARGUMENT_ARRAY,
      m, id, 0, reinterpret_cast<wchar_t*>(&buffer),  // NOLINT: allocate-buffer convention
      0, reinterpret_cast<va_list*>(const_cast<DWORD_PTR*>(args)));  // NOLINT: argument array
  FreeLibrary(m);
  if (n == 0 || buffer == nullptr) return std::nullopt;
  std::wstring message(buffer, n);
  LocalFree(buffer);
  while (!message.empty() && (message.back() == L'\n' || message.back() == L'\r')) {
    message.pop_back();
  }
  return narrow(message);
}

std::string file_text(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

const inst::InstallItem* item(const inst::InstallReport& r, const std::string& what) {
  for (const auto& i : r.items) {
    if (i.what == what) return &i;
  }
  return nullptr;
}

// Everything install can leave on the machine, read independently of the installer, so two
// states can be compared and "nothing left" can be checked.
struct MachineState {
  bool service = false;
  std::optional<std::string> image_path;
  std::optional<std::string> depends_on;
  std::optional<std::string> description;
  bool task_file = false;
  bool task_folder = false;
  std::optional<std::string> task_xml;
  std::optional<std::string> message_file;
  std::optional<std::uint32_t> types_supported;
  std::optional<std::string> state_mode;
  std::optional<std::string> state_config_sha;
  bool executable = false;
  bool install_dir = false;
  std::optional<std::string> config;
  bool operator==(const MachineState&) const = default;
};

// The tests install into a directory of their own, with a space in its path as under Program
// Files; the task, the service and the registry keys have their fixed names.
class ImageInstall : public ::testing::Test {
 protected:
  void SetUp() override {
    RDWARM_SKIP_UNLESS_REGISTRY_IS_DISPOSABLE();
    ASSERT_FALSE(rdwarm_exe().empty())
        << "RDWARM_BINARY is not defined: tests/windows/CMakeLists.txt must pass rdwarm.exe's path";
    layout_.install_dir = dir_.path() / "Program Files" / "rdwarm";
    layout_.data_dir = dir_.path() / "ProgramData" / "rdwarm";
    layout_.config_file = layout_.data_dir / "rdwarm.toml";
    clean_up();
  }
  void TearDown() override {
    if (!registry_is_disposable()) return;
    clean_up();
    for (const auto& p : remove_at_end_) {
      std::error_code ec;
      std::filesystem::remove(p, ec);
    }
  }

  // Whatever an earlier, interrupted run left: removed with the plain APIs.
  void clean_up() {
    (void)inst::windows::delete_boot_task(inst::kTaskFolder, inst::kTaskName);
    (void)inst::windows::delete_boot_task("\\rdwarm-schtasks-test", "boot-warmup");
    if (SC_HANDLE scm = OpenSCManagerW(nullptr, nullptr, SC_MANAGER_CONNECT)) {
      if (SC_HANDLE s =
              OpenServiceW(scm, L"rdwarm", SERVICE_STOP | DELETE | SERVICE_QUERY_STATUS)) {
        SERVICE_STATUS st{};
        ControlService(s, SERVICE_CONTROL_STOP, &st);
        wait_for_state("rdwarm", SERVICE_STOPPED, 30s);
        DeleteService(s);
        CloseServiceHandle(s);
      }
      CloseServiceHandle(scm);
    }
    delete_key_tree(kEventSource);
    delete_key_tree(kStateKey);
  }

  inst::InstallReport install(inst::InstallMode mode, const std::filesystem::path& config = {}) {
    inst::InstallRequest r;
    r.mode = mode;
    r.source_executable = rdwarm_exe();
    r.source_config = config;
    r.layout = layout_;
    r.version = "0.1.0";
    return inst::install(r);
  }

  inst::InstallReport uninstall() {
    inst::UninstallRequest r;
    r.layout = layout_;
    r.gate_left_closed = gate_check_;
    return inst::uninstall(r);
  }

  MachineState machine() const {
    MachineState m;
    m.service = service_config("rdwarm").has_value();
    m.image_path = query_text(kServiceKey, "ImagePath");
    m.depends_on = query_text(kServiceKey, "DependOnService");
    m.description = query_text(kServiceKey, "Description");
    std::error_code ec;
    m.task_file = std::filesystem::exists(task_store() / "rdwarm" / "boot-warmup", ec);
    m.task_folder = std::filesystem::exists(task_store() / "rdwarm", ec);
    auto xml = inst::windows::registered_task_xml(inst::kTaskFolder, inst::kTaskName);
    EXPECT_TRUE(xml.ok()) << xml.error().message();
    if (xml.ok()) m.task_xml = *xml;
    m.message_file = query_text(kEventSource, "EventMessageFile");
    m.types_supported = query_dword(kEventSource, "TypesSupported");
    m.state_mode = query_text(kStateKey, "Mode");
    m.state_config_sha = query_text(kStateKey, "ConfigSha256");
    m.executable = std::filesystem::exists(layout_.executable(), ec);
    m.install_dir = std::filesystem::exists(layout_.install_dir, ec);
    if (std::filesystem::exists(layout_.config_file, ec)) m.config = file_text(layout_.config_file);
    return m;
  }

  void expect_nothing_left() {
    const auto m = machine();
    EXPECT_FALSE(m.service) << "service still registered";
    EXPECT_FALSE(key_exists(kServiceKey)) << "HKLM\\" << kServiceKey;
    EXPECT_FALSE(m.task_xml.has_value()) << "task still registered";
    EXPECT_FALSE(m.task_file) << "task file still in " << task_store().string();
    EXPECT_FALSE(m.task_folder) << "task folder \\rdwarm still there";
    EXPECT_FALSE(key_exists(kEventSource)) << "event source still registered";
    EXPECT_FALSE(key_exists(kStateKey)) << "install record still there";
    EXPECT_FALSE(m.executable);
    EXPECT_FALSE(m.install_dir) << "install directory still there";
    EXPECT_FALSE(m.config.has_value()) << "config still there";
    std::error_code ec;
    EXPECT_FALSE(std::filesystem::exists(layout_.data_dir, ec)) << "data directory still there";
  }

  std::filesystem::path write_config(const std::string& text) {
    const auto file = dir_.path() / "pipeline.toml";
    std::ofstream(file, std::ios::binary) << text;
    return file;
  }

  testing::ScopedTempDir dir_{"rdwarm-install"};
  inst::InstallLayout layout_;
  std::vector<std::filesystem::path> remove_at_end_;  // files and empty directories
  std::function<std::optional<std::string>(const config::AgentConfig&)> gate_check_;
};

TEST_F(ImageInstall, TaskInstallRegistersEverythingAndUninstallRemovesIt) {
  const auto r = install(inst::InstallMode::kTask);
  ASSERT_EQ(r.exit_code(), 0) << inst::install_report_text(r);
  EXPECT_FALSE(r.was_installed);
  for (const auto* what : {"executable", "config", "event source", "boot task", "install record"}) {
    const auto* i = item(r, what);
    ASSERT_NE(i, nullptr) << what;
    EXPECT_EQ(i->change, inst::Change::kCreated) << what;
  }

  const auto m = machine();
  EXPECT_EQ(file_text(layout_.executable()), file_text(rdwarm_exe())) << "not a copy of rdwarm.exe";
  EXPECT_EQ(m.config, std::string(inst::kDefaultConfigText));
  EXPECT_FALSE(m.service);
  // The task is registered, as Task Scheduler's API and its store on disk both show; wine keeps
  // the settings it models (the rest of the XML is checked against the subset schema on Linux).
  ASSERT_TRUE(m.task_xml.has_value());
  EXPECT_TRUE(m.task_file);
  EXPECT_NE(m.task_xml->find("<MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>"),
            std::string::npos)
      << *m.task_xml;
  EXPECT_NE(m.task_xml->find("<ExecutionTimeLimit>PT16M</ExecutionTimeLimit>"), std::string::npos)
      << *m.task_xml;
  EXPECT_NE(m.task_xml->find("<Priority>4</Priority>"), std::string::npos) << *m.task_xml;
  EXPECT_NE(m.task_xml->find("<URI>\\rdwarm\\boot-warmup</URI>"), std::string::npos);
  // The event source points at the installed program, which carries the message table.
  DWORD type = 0;
  EXPECT_EQ(query_text(kEventSource, "EventMessageFile", &type),
            path_to_utf8(layout_.executable()));
  EXPECT_EQ(type, static_cast<DWORD>(REG_EXPAND_SZ));
  EXPECT_EQ(m.types_supported, 7U);
  // What Event Viewer does with an event of this source: the message for the id, from the
  // message file, with rdwarm's text as insertion string 1.
  for (const DWORD id : {1000UL, 1004UL, 1020UL, 1099UL}) {
    EXPECT_EQ(formatted_event(layout_.executable(), id, "gate opened"), "gate opened")
        << "event id " << id;
  }
  EXPECT_EQ(formatted_event(layout_.executable(), 999, "x"), std::nullopt) << "outside the table";
  EXPECT_EQ(m.state_mode, "task");
  EXPECT_EQ(m.state_config_sha, inst::sha256_hex(inst::kDefaultConfigText));

  const auto u = uninstall();
  ASSERT_EQ(u.exit_code(), 0) << inst::install_report_text(u);
  EXPECT_TRUE(u.was_installed);
  EXPECT_TRUE(u.warnings.empty()) << u.warnings.front();
  expect_nothing_left();

  const auto again = uninstall();
  EXPECT_EQ(again.exit_code(), 0) << inst::install_report_text(again);
  EXPECT_FALSE(again.was_installed) << "nothing was left to remove";
}

TEST_F(ImageInstall, InstallTwiceLeavesTheSameStateAndSaysSo) {
  for (const auto mode : {inst::InstallMode::kTask, inst::InstallMode::kService}) {
    const auto first = install(mode);
    ASSERT_EQ(first.exit_code(), 0) << inst::install_report_text(first);
    const auto before = machine();
    const auto second = install(mode);
    ASSERT_EQ(second.exit_code(), 0) << inst::install_report_text(second);
    EXPECT_TRUE(second.was_installed);
    EXPECT_NE(inst::install_report_text(second).find("already installed, updated"),
              std::string::npos);
    for (const auto* what : {"executable", "event source", "install record"}) {
      const auto* i = item(second, what);
      ASSERT_NE(i, nullptr) << what;
      EXPECT_EQ(i->change, inst::Change::kUnchanged) << what;
    }
    // Without --config the installed file stays as it is (and still counts as install's).
    ASSERT_NE(item(second, "config"), nullptr);
    EXPECT_EQ(item(second, "config")->change, inst::Change::kKept);
    EXPECT_EQ(machine(), before) << "a second install changed the machine";
    ASSERT_EQ(uninstall().exit_code(), 0);
    expect_nothing_left();
  }
}

TEST_F(ImageInstall, ServiceIsAutomaticAfterTermServiceAsLocalSystem) {
  const auto r = install(inst::InstallMode::kService);
  ASSERT_EQ(r.exit_code(), 0) << inst::install_report_text(r);
  const auto svc = service_config("rdwarm");
  ASSERT_TRUE(svc.has_value());
  EXPECT_EQ(svc->start_type, static_cast<DWORD>(SERVICE_AUTO_START));
  EXPECT_EQ(svc->service_type, static_cast<DWORD>(SERVICE_WIN32_OWN_PROCESS));
  EXPECT_EQ(svc->account, "LocalSystem");
  EXPECT_EQ(svc->display_name, std::string(inst::kServiceDisplayName));
  EXPECT_EQ(svc->binary, inst::service_command_line(layout_));
  // The program path has a space, so it is quoted: an unquoted one is the classic
  // "C:\Program.exe" hijack of a service that runs as SYSTEM.
  EXPECT_TRUE(svc->binary.starts_with("\"")) << svc->binary;
  EXPECT_NE(svc->binary.find(" "), std::string::npos);
  EXPECT_EQ(query_text(kServiceKey, "DependOnService"), "TermService");
  EXPECT_EQ(query_text(kServiceKey, "Description"), std::string(inst::kServiceDescription));
  EXPECT_EQ(query_dword(kServiceKey, "Start"), static_cast<std::uint32_t>(SERVICE_AUTO_START));
  EXPECT_FALSE(machine().task_xml.has_value()) << "no boot task next to the service";
  // Not started by install: it starts with the next boot.
  EXPECT_EQ(service_status("rdwarm")->dwCurrentState, static_cast<DWORD>(SERVICE_STOPPED));

  // The ImagePath splits back into what the service command expects.
  using Split = LPWSTR*(WINAPI*)(LPCWSTR, int*);
  const HMODULE shell32 = LoadLibraryW(L"shell32.dll");
  ASSERT_NE(shell32, nullptr);
  const auto split = reinterpret_cast<Split>(  // NOLINT: GetProcAddress's untyped result
      reinterpret_cast<void*>(GetProcAddress(shell32, "CommandLineToArgvW")));
  ASSERT_NE(split, nullptr);
  int argc = 0;
  LPWSTR* argv = split(widen(svc->binary).c_str(), &argc);
  ASSERT_EQ(argc, 4);
  EXPECT_EQ(narrow(argv[0]), path_to_utf8(layout_.executable()));
  EXPECT_EQ(narrow(argv[1]), "service");
  EXPECT_EQ(narrow(argv[2]), "--config");
  EXPECT_EQ(narrow(argv[3]), path_to_utf8(layout_.config_file));
  LocalFree(argv);

  ASSERT_EQ(uninstall().exit_code(), 0);
  expect_nothing_left();
}

TEST_F(ImageInstall, SwitchingModesReplacesTheOtherRegistration) {
  ASSERT_EQ(install(inst::InstallMode::kTask).exit_code(), 0);
  auto r = install(inst::InstallMode::kService);
  ASSERT_EQ(r.exit_code(), 0) << inst::install_report_text(r);
  ASSERT_NE(item(r, "boot task"), nullptr);
  EXPECT_EQ(item(r, "boot task")->change, inst::Change::kRemoved);
  auto m = machine();
  EXPECT_TRUE(m.service);
  EXPECT_FALSE(m.task_xml.has_value());
  EXPECT_EQ(m.state_mode, "service");

  r = install(inst::InstallMode::kTask);
  ASSERT_EQ(r.exit_code(), 0) << inst::install_report_text(r);
  ASSERT_NE(item(r, "service"), nullptr);
  EXPECT_EQ(item(r, "service")->change, inst::Change::kRemoved);
  m = machine();
  EXPECT_FALSE(m.service);
  EXPECT_TRUE(m.task_xml.has_value());
  EXPECT_EQ(m.state_mode, "task");
  ASSERT_EQ(uninstall().exit_code(), 0);
  expect_nothing_left();
}

TEST_F(ImageInstall, UninstallKeepsAConfigTheAdminChanged) {
  ASSERT_EQ(
      install(inst::InstallMode::kTask, write_config("[warmup]\ndeadline = \"5m\"\n")).exit_code(),
      0);
  EXPECT_NE(machine().task_xml->find("<ExecutionTimeLimit>PT11M</ExecutionTimeLimit>"),
            std::string::npos)
      << "the time limit follows the installed deadline";
  std::ofstream(layout_.config_file, std::ios::app) << "# edited by the admin\n";
  const auto u = uninstall();
  ASSERT_EQ(u.exit_code(), 0) << inst::install_report_text(u);
  ASSERT_NE(item(u, "config"), nullptr);
  EXPECT_EQ(item(u, "config")->change, inst::Change::kKept);
  ASSERT_EQ(u.warnings.size(), 1U);
  EXPECT_NE(u.warnings[0].find("changed since install"), std::string::npos) << u.warnings[0];
  EXPECT_TRUE(std::filesystem::exists(layout_.config_file));
  std::filesystem::remove(layout_.config_file);
  std::filesystem::remove(layout_.data_dir);
  expect_nothing_left();
}

TEST_F(ImageInstall, AnInvalidConfigIsRefusedBeforeAnythingChanges) {
  const auto r = install(inst::InstallMode::kService, write_config("[gate]\nkind = \"drian\"\n"));
  EXPECT_EQ(r.exit_code(), 2);
  ASSERT_TRUE(r.error.has_value());
  EXPECT_NE(r.error->message().find("gate.kind"), std::string::npos) << r.error->message();
  EXPECT_TRUE(r.items.empty());
  expect_nothing_left();
}

TEST_F(ImageInstall, UninstallKeepsTheJournalWhileTheGateIsClosed) {
  const auto journal = layout_.data_dir / "gate-journal.json";
  const auto cfg = write_config("[gate]\njournal = '" + path_to_utf8(journal) + "'\n");
  ASSERT_EQ(install(inst::InstallMode::kTask, cfg).exit_code(), 0);
  std::ofstream(journal) << "{}";
  gate_check_ = [&](const config::AgentConfig& c) -> std::optional<std::string> {
    EXPECT_EQ(c.gate.journal, journal);
    return "gate left closed";
  };
  const auto u = uninstall();
  ASSERT_EQ(u.exit_code(), 0) << inst::install_report_text(u);
  ASSERT_NE(item(u, "gate journal"), nullptr);
  EXPECT_EQ(item(u, "gate journal")->change, inst::Change::kKept);
  EXPECT_TRUE(std::filesystem::exists(journal));
  EXPECT_NE(std::find(u.warnings.begin(), u.warnings.end(), "gate left closed"), u.warnings.end());

  // Once the gate is open, uninstall deletes the journal like every other file of rdwarm.
  gate_check_ = nullptr;
  ASSERT_EQ(uninstall().exit_code(), 0);
  std::filesystem::remove(journal);
  std::filesystem::remove(layout_.data_dir);
  expect_nothing_left();
}

// The command line end to end, as a pipeline runs it: the built rdwarm.exe installs itself as the
// service (--json, the default configuration path), and the installed copy uninstalls everything,
// itself included: it cannot delete its own running image, so it moves it aside and leaves it to
// Windows to delete at the next restart.
TEST_F(ImageInstall, TheCommandLineInstallsAndTheInstalledProgramUninstalls) {
  const auto program_data_config = config::default_config_path();
  ASSERT_FALSE(std::filesystem::exists(program_data_config))
      << path_to_utf8(program_data_config) << " exists: a configuration this test would replace";
  remove_at_end_ = {program_data_config, program_data_config.parent_path()};
  auto r = run_command("\"" + path_to_utf8(rdwarm_exe()) +
                       "\" image install --as-service --json --install-dir \"" +
                       path_to_utf8(layout_.install_dir) + "\"");
  ASSERT_EQ(r.exit_code, 0U) << r.output;
  const auto j = nlohmann::json::parse(r.output, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.output;
  EXPECT_EQ(j["schema"], "rdwarm.image-install/1");
  EXPECT_EQ(j["mode"], "service");
  EXPECT_EQ(j["was_installed"], false);
  EXPECT_EQ(j["result"], "installed (service)");
  const auto svc = service_config("rdwarm");
  ASSERT_TRUE(svc.has_value());
  EXPECT_NE(svc->binary.find(path_to_utf8(layout_.executable())), std::string::npos);
  EXPECT_EQ(file_text(program_data_config), std::string(inst::kDefaultConfigText));

  r = run_command("\"" + path_to_utf8(layout_.executable()) + "\" image uninstall");
  ASSERT_EQ(r.exit_code, 0U) << r.output;
  EXPECT_NE(r.output.find("rdwarm image uninstall: uninstalled (exit 0)"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("it runs this uninstall"), std::string::npos) << r.output;
  EXPECT_FALSE(service_config("rdwarm").has_value());
  EXPECT_FALSE(std::filesystem::exists(layout_.executable()));
  EXPECT_FALSE(std::filesystem::exists(program_data_config));
  const auto aside = layout_.install_dir / "rdwarm.exe.uninstalled";
  EXPECT_TRUE(std::filesystem::exists(aside));
  const std::string session_manager = "SYSTEM\\CurrentControlSet\\Control\\Session Manager";
  const auto pending = query_text(session_manager, "PendingFileRenameOperations");
  ASSERT_TRUE(pending.has_value());
  EXPECT_NE(pending->find(path_to_utf8(aside)), std::string::npos) << *pending;

  // What Windows would do at the restart, and this test's pending entries gone again.
  std::filesystem::remove(aside);
  std::filesystem::remove(layout_.install_dir);
  remove_pending_renames(session_manager, path_to_utf8(layout_.install_dir));
  expect_nothing_left();
}

// The \rdwarm folder is removed only when it is empty: a task an admin put there stays.
TEST_F(ImageInstall, UninstallLeavesOtherTasksInTheRdwarmFolder) {
  ASSERT_EQ(install(inst::InstallMode::kTask).exit_code(), 0);
  const auto file = dir_.path() / "admin.xml";
  const auto bytes = inst::task_file_bytes(
      inst::boot_task_xml(inst::boot_task_spec(layout_, config::default_config(), "0.1.0")));
  std::ofstream(file, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),  // NOLINT: bytes to stream
             static_cast<std::streamsize>(bytes.size()));
  auto r = run_command("schtasks.exe /create /tn \\rdwarm\\admin-task /xml \"" +
                       path_to_utf8(file) + "\"");
  ASSERT_EQ(r.exit_code, 0U) << r.output;

  const auto u = uninstall();
  ASSERT_EQ(u.exit_code(), 0) << inst::install_report_text(u);
  EXPECT_FALSE(std::filesystem::exists(task_store() / "rdwarm" / "boot-warmup"));
  EXPECT_TRUE(std::filesystem::exists(task_store() / "rdwarm" / "admin-task"));

  ASSERT_TRUE(inst::windows::delete_boot_task(inst::kTaskFolder, "admin-task").ok());
  std::filesystem::remove(file);
  expect_nothing_left();
}

// The task XML is what `schtasks /create /xml` accepts, and a broken one is refused: the same
// parser (wine's Task Scheduler) that the COM registration goes through.
TEST_F(ImageInstall, SchtasksAcceptsTheTaskXml) {
  const auto spec = inst::boot_task_spec(layout_, config::default_config(), "0.1.0");
  const auto xml = inst::boot_task_xml(spec);
  const auto write = [&](const std::string& name, const std::string& text) {
    const auto file = dir_.path() / name;
    const auto bytes = inst::task_file_bytes(text);
    std::ofstream(file, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()),  // NOLINT: bytes to stream
               static_cast<std::streamsize>(bytes.size()));
    return path_to_utf8(file);
  };
  const auto good = write("task.xml", xml);
  auto r = run_command("schtasks.exe /create /tn \\rdwarm-schtasks-test\\boot-warmup /xml \"" +
                       good + "\"");
  EXPECT_EQ(r.exit_code, 0U) << r.output;
  EXPECT_TRUE(std::filesystem::exists(task_store() / "rdwarm-schtasks-test" / "boot-warmup"));
  auto stored = inst::windows::registered_task_xml("\\rdwarm-schtasks-test", "boot-warmup");
  ASSERT_TRUE(stored.ok()) << stored.error().message();
  ASSERT_TRUE(stored->has_value());
  EXPECT_NE((*stored)->find("PT16M"), std::string::npos);

  std::string wrong_namespace = xml;
  wrong_namespace.replace(wrong_namespace.find("mit/task"), 8, "mit/tusk");
  r = run_command("schtasks.exe /create /tn \\rdwarm-schtasks-test\\broken /xml \"" +
                  write("broken.xml", wrong_namespace) + "\"");
  EXPECT_NE(r.exit_code, 0U) << "a task in the wrong namespace was accepted";
  r = run_command("schtasks.exe /create /tn \\rdwarm-schtasks-test\\cut /xml \"" +
                  write("cut.xml", xml.substr(0, xml.size() / 2)) + "\"");
  EXPECT_NE(r.exit_code, 0U) << "half a task was accepted";

  r = run_command("schtasks.exe /delete /tn \\rdwarm-schtasks-test\\boot-warmup /f");
  EXPECT_EQ(r.exit_code, 0U) << r.output;
  EXPECT_FALSE(std::filesystem::exists(task_store() / "rdwarm-schtasks-test" / "boot-warmup"));
}

// A configuration that ends the warm-up within seconds: the lab platform (a host state file the
// test writes: per-user licensing, no certificate), a target nothing listens on, a 3 s deadline
// that opens the gate, and the files in the test's directory.
class ServiceRun : public ImageInstall {
 protected:
  std::filesystem::path quick_config(bool health) {
    const auto lab = dir_.path() / "lab";
    std::filesystem::create_directories(lab);
    host::lab::LabHostState s;
    s.local_licensing_mode = 4;
    s.local_license_servers = {"ls.example.test"};
    EXPECT_TRUE(host::lab::write_lab_state_file(lab / host::lab::kLabStateFileName, s).ok());
    lab_state_ = lab / host::lab::kLabStateFileName;
    status_ = dir_.path() / "status.json";
    journal_ = dir_.path() / "journal.json";
    health_port_ = free_loopback_port();
    return write_config("[platform]\nkind = \"lab\"\nlab_state_dir = '" + path_to_utf8(lab) +
                        "'\n[target]\nhost = \"127.0.0.1\"\nport = 1\n"
                        "[probe]\nconnect_timeout = \"1s\"\nphase_timeout = \"1s\"\n"
                        "attempt_timeout = \"2s\"\n"
                        "[warmup]\ndeadline = \"3s\"\non_deadline = \"open\"\n"
                        "[retry]\ninitial_delay = \"200ms\"\nmax_delay = \"500ms\"\n"
                        "[gate]\nkind = \"drain\"\njournal = '" +
                        path_to_utf8(journal_) + "'\n[status]\nfile = '" + path_to_utf8(status_) +
                        "'\n[health]\nenabled = " + (health ? "true" : "false") +
                        "\nlisten = \"127.0.0.1:" + std::to_string(health_port_) + "\"\n");
  }

  // The status file's phase, or "" while there is none.
  std::string phase() const {
    const auto text = file_text(status_);
    std::smatch m;
    static const std::regex kPhase(R"re("phase"\s*:\s*"([A-Za-z]+)")re");
    return std::regex_search(text, m, kPhase) ? m[1].str() : "";
  }

  std::filesystem::path lab_state_;
  std::filesystem::path status_;
  std::filesystem::path journal_;
  std::uint16_t health_port_ = 0;
};

TEST_F(ServiceRun, ScStartsAndStopsTheRealServiceMain) {
  const auto installed = install(inst::InstallMode::kService, quick_config(true));
  ASSERT_EQ(installed.exit_code(), 0) << inst::install_report_text(installed);

  auto r = run_command("sc.exe start rdwarm");
  ASSERT_EQ(r.exit_code, 0U) << r.output;
  ASSERT_TRUE(wait_for_state("rdwarm", SERVICE_RUNNING, 20s)) << "the service did not start";

  // The warm-up runs inside the service: it closes the drain gate in the lab host, finds nothing
  // listening, reaches its 3 s deadline and opens the gate (on_deadline = "open").
  const auto until = std::chrono::steady_clock::now() + 30s;
  while (phase() != "DeadlineReached" && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_EQ(phase(), "DeadlineReached") << file_text(status_);
  auto lab = host::lab::read_lab_state_file(lab_state_);
  ASSERT_TRUE(lab.ok()) << lab.error().message();
  EXPECT_EQ(lab->drain_mode, 0U) << "the gate was opened at the deadline";
  const auto entry = agent::read_gate_journal(journal_);
  ASSERT_TRUE(entry.ok() && entry->has_value()) << file_text(journal_);
  EXPECT_EQ((*entry)->gate_kind, "drain");
  EXPECT_EQ((*entry)->gate_state, "open");

  // It keeps serving health after the warm-up (--serve semantics): still running.
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(service_status("rdwarm")->dwCurrentState, static_cast<DWORD>(SERVICE_RUNNING));
  const auto health = run_command("sc.exe query rdwarm");
  EXPECT_NE(health.output.find("RUNNING"), std::string::npos) << health.output;

  r = run_command("sc.exe stop rdwarm");
  EXPECT_EQ(r.exit_code, 0U) << r.output;
  ASSERT_TRUE(wait_for_state("rdwarm", SERVICE_STOPPED, 30s)) << "the service did not stop";
  EXPECT_EQ(service_status("rdwarm")->dwWin32ExitCode, static_cast<DWORD>(NO_ERROR))
      << "a requested stop is a clean stop";

  const auto u = uninstall();
  ASSERT_EQ(u.exit_code(), 0) << inst::install_report_text(u);
  std::filesystem::remove(dir_.path() / "pipeline.toml");
  expect_nothing_left();
  EXPECT_FALSE(std::filesystem::exists(journal_)) << "the gate was open: the journal goes";
  EXPECT_FALSE(std::filesystem::exists(status_));
}

TEST_F(ServiceRun, WithoutHealthTheServiceStopsWithTheWarmupExitCode) {
  const auto installed = install(inst::InstallMode::kService, quick_config(false));
  ASSERT_EQ(installed.exit_code(), 0) << inst::install_report_text(installed);
  auto r = run_command("sc.exe start rdwarm");
  ASSERT_EQ(r.exit_code, 0U) << r.output;
  ASSERT_TRUE(wait_for_state("rdwarm", SERVICE_STOPPED, 30s)) << "the service did not end";
  const auto s = service_status("rdwarm");
  EXPECT_EQ(s->dwWin32ExitCode, static_cast<DWORD>(ERROR_SERVICE_SPECIFIC_ERROR));
  EXPECT_EQ(s->dwServiceSpecificExitCode, 13U) << "exit 13: the session host was not listening";
  ASSERT_EQ(uninstall().exit_code(), 0);
  std::filesystem::remove(dir_.path() / "pipeline.toml");
  expect_nothing_left();
}

}  // namespace
}  // namespace rdwarm::test::windows
