#include "warmup/cli/host_choice.hpp"

#include "config/default_paths.hpp"
#include "licensing/host/lab/lab_platform.hpp"
#include "licensing/host/lab/lab_state_file.hpp"
#ifdef _WIN32
#include "licensing/host/windows/windows_platform.hpp"
#endif

namespace rdwarm::cli {

std::string default_platform_name() {
#ifdef _WIN32
  return "windows";
#else
  return "lab";
#endif
}

Result<std::unique_ptr<host::HostPlatform>> open_host_platform(const HostChoice& choice) {
  const std::string name = choice.platform.empty() ? default_platform_name() : choice.platform;
  if (name == "lab") {
    const auto dir =
        choice.lab_state_dir.empty() ? config::default_lab_state_dir() : choice.lab_state_dir;
    return host::lab::make_lab_platform(dir / host::lab::kLabStateFileName);
  }
  if (name == "windows") {
#ifdef _WIN32
    return host::windows::make_windows_platform();
#else
    return make_error("--platform", "",
                      "the windows platform exists only in rdwarm.exe on Windows; "
                      "use --platform lab with rdwarm-lab");
#endif
  }
  return make_error("--platform", "", "unknown platform '" + name + "' (accepted: windows, lab)");
}

}  // namespace rdwarm::cli
