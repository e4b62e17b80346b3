// install/uninstall outside Windows: there is no Task Scheduler or service control manager to
// register with, so both say what to use instead.
#ifndef _WIN32

#include "imagebuild/install/installer.hpp"

namespace rdwarm::imagebuild::install {

namespace {

InstallReport unsupported(std::string action, InstallMode mode) {
  InstallReport r;
  r.action = std::move(action);
  r.mode = mode;
  r.error = make_error("rdwarm image " + r.action, "",
                       "registers a Windows boot task or service and exists only in rdwarm.exe "
                       "on Windows; on Linux run `rdwarm boot` from the init system (e.g. a "
                       "systemd unit) instead");
  r.error_exit_code = 2;
  return r;
}

}  // namespace

InstallReport install(const InstallRequest& request) {
  return unsupported("install", request.mode);
}

InstallReport uninstall(const UninstallRequest& /*request*/) {
  return unsupported("uninstall", InstallMode::kTask);
}

std::filesystem::path running_executable() {
  return {};
}

}  // namespace rdwarm::imagebuild::install

#endif
