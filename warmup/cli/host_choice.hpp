// Which HostPlatform the command line talks to: the Windows registry on Windows, the lab's state
// file elsewhere (or anywhere, with --platform lab).
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "licensing/host/host_platform.hpp"
#include "licensing/wire/result.hpp"

namespace rdwarm::cli {

struct HostChoice {
  std::string platform;                 // "windows" | "lab" | "" (the default for this build)
  std::filesystem::path lab_state_dir;  // empty: config::default_lab_state_dir()
};

std::string default_platform_name();

Result<std::unique_ptr<host::HostPlatform>> open_host_platform(const HostChoice& choice);

}  // namespace rdwarm::cli
