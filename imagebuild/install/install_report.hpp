// The install and uninstall reports: lines for people, JSON (schema rdwarm.image-install/1) for
// pipelines.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "imagebuild/install/installer.hpp"

namespace rdwarm::imagebuild::install {

std::string install_report_text(const InstallReport& report);
nlohmann::json install_report_json(const InstallReport& report);

}  // namespace rdwarm::imagebuild::install
