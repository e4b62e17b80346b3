#include "imagebuild/install/windows/boot_task.hpp"

#include <taskschd.h>

#include "imagebuild/install/windows/com.hpp"
#include "licensing/host/windows/win32_text.hpp"

namespace rdwarm::imagebuild::install::windows {

namespace {

using host::windows::narrow;
using host::windows::widen;

constexpr const char* kWhere = "Task Scheduler";

bool not_found(HRESULT hr) {
  return hr == HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND) ||
         hr == HRESULT_FROM_WIN32(ERROR_PATH_NOT_FOUND);
}

Error com_error(std::string what, HRESULT hr) {
  std::string text = std::move(what) + ": " + hresult_text(hr);
  if (hr == E_ACCESSDENIED) {
    text += "; run rdwarm image install from an elevated administrator prompt (or as SYSTEM)";
  }
  return make_error(kWhere, "", text);
}

// A connected Task Scheduler and its root folder, in a COM apartment of this thread.
struct Scheduler {
  ComApartment apartment;
  ComPtr<ITaskService> service;
  ComPtr<ITaskFolder> root;
};

Status connect(Scheduler& s) {
  if (auto a = s.apartment.status(); !a) return a.error();
  HRESULT hr = CoCreateInstance(CLSID_TaskScheduler, nullptr, CLSCTX_INPROC_SERVER,
                                IID_ITaskService, s.service.put_void());
  if (FAILED(hr)) return com_error("cannot create the Task Scheduler object", hr);
  const Variant none;
  hr = s.service->Connect(none.get(), none.get(), none.get(), none.get());
  if (FAILED(hr)) return com_error("cannot connect to the Task Scheduler service", hr);
  const Bstr root_path(L"\\");
  hr = s.service->GetFolder(root_path.get(), s.root.put());
  if (FAILED(hr)) return com_error("cannot open the root task folder", hr);
  return Ok{};
}

// The folder, or an empty pointer when it does not exist.
Result<ComPtr<ITaskFolder>> find_folder(Scheduler& s, std::string_view folder) {
  ComPtr<ITaskFolder> f;
  const Bstr path(widen(folder));
  const HRESULT hr = s.root->GetFolder(path.get(), f.put());
  if (not_found(hr)) return ComPtr<ITaskFolder>();
  if (FAILED(hr)) return com_error("cannot open task folder " + std::string(folder), hr);
  return f;
}

Result<bool> task_exists(ITaskFolder* folder, std::string_view name) {
  ComPtr<IRegisteredTask> task;
  const Bstr bname(widen(name));
  const HRESULT hr = folder->GetTask(bname.get(), task.put());
  if (not_found(hr)) return false;
  if (FAILED(hr)) return com_error("cannot look up task " + std::string(name), hr);
  return true;
}

}  // namespace

Result<Change> register_boot_task(std::string_view folder, std::string_view name,
                                  const std::string& xml_utf8) {
  Scheduler s;
  if (auto c = connect(s); !c) return c.error();
  auto f = find_folder(s, folder);
  if (!f) return f.error();
  if (!*f) {
    const Bstr path(widen(folder));
    const Variant no_security;
    const HRESULT hr = s.root->CreateFolder(path.get(), no_security.get(), f->put());
    if (FAILED(hr)) return com_error("cannot create task folder " + std::string(folder), hr);
  }
  auto existed = task_exists(f->get(), name);
  if (!existed) return existed.error();

  // The principal in the XML (S-1-5-18, highest privileges) is what runs the task; the account
  // given here is the same one, as the API wants for a service-account logon.
  const Bstr bname(widen(name));
  const Bstr xml(widen(xml_utf8));
  const Variant system_account(L"SYSTEM");
  const Variant no_password;
  const Variant no_security;
  ComPtr<IRegisteredTask> task;
  const HRESULT hr = (*f)->RegisterTask(bname.get(), xml.get(), TASK_CREATE_OR_UPDATE,
                                        system_account.get(), no_password.get(),
                                        TASK_LOGON_SERVICE_ACCOUNT, no_security.get(), task.put());
  if (FAILED(hr)) {
    return com_error("cannot register task " + std::string(folder) + "\\" + std::string(name) +
                         " (Task Scheduler refused its XML or the account)",
                     hr);
  }
  return *existed ? Change::kUpdated : Change::kCreated;
}

Result<Change> delete_boot_task(std::string_view folder, std::string_view name) {
  Scheduler s;
  if (auto c = connect(s); !c) return c.error();
  auto f = find_folder(s, folder);
  if (!f) return f.error();
  if (!*f) return Change::kAbsent;
  auto existed = task_exists(f->get(), name);
  if (!existed) return existed.error();
  if (*existed) {
    const Bstr bname(widen(name));
    const HRESULT hr = (*f)->DeleteTask(bname.get(), 0);
    if (FAILED(hr) && !not_found(hr)) {
      return com_error("cannot delete task " + std::string(folder) + "\\" + std::string(name), hr);
    }
  }
  // The folder goes when it is empty; Task Scheduler refuses to delete a folder that still holds
  // a task (one an admin put there), which keeps it.
  f->reset();
  const Bstr path(widen(folder));
  const HRESULT hr = s.root->DeleteFolder(path.get(), 0);
  if (FAILED(hr) && !not_found(hr) && hr != HRESULT_FROM_WIN32(ERROR_DIR_NOT_EMPTY)) {
    return com_error("cannot delete task folder " + std::string(folder), hr);
  }
  return *existed ? Change::kRemoved : Change::kAbsent;
}

Result<std::optional<std::string>> registered_task_xml(std::string_view folder,
                                                       std::string_view name) {
  Scheduler s;
  if (auto c = connect(s); !c) return c.error();
  auto f = find_folder(s, folder);
  if (!f) return f.error();
  if (!*f) return std::optional<std::string>();
  ComPtr<IRegisteredTask> task;
  const Bstr bname(widen(name));
  HRESULT hr = (*f)->GetTask(bname.get(), task.put());
  if (not_found(hr)) return std::optional<std::string>();
  if (FAILED(hr)) return com_error("cannot look up task " + std::string(name), hr);
  Bstr xml;
  hr = task->get_Xml(xml.put());
  if (FAILED(hr)) return com_error("cannot read the XML of task " + std::string(name), hr);
  return std::optional<std::string>(narrow(xml.text()));
}

}  // namespace rdwarm::imagebuild::install::windows
