#include "imagebuild/install/install_report.hpp"

#include <algorithm>

namespace rdwarm::imagebuild::install {

std::string_view to_string(Change change) {
  switch (change) {
    case Change::kCreated:
      return "created";
    case Change::kUpdated:
      return "updated";
    case Change::kUnchanged:
      return "unchanged";
    case Change::kRemoved:
      return "removed";
    case Change::kAbsent:
      return "absent";
    case Change::kKept:
      return "kept";
  }
  return "unchanged";
}

namespace {

std::string headline(const InstallReport& r) {
  if (r.error) return r.action + " failed";
  if (r.action == "install") {
    return r.was_installed ? "already installed, updated (" + std::string(to_string(r.mode)) + ")"
                           : "installed (" + std::string(to_string(r.mode)) + ")";
  }
  return r.was_installed ? "uninstalled" : "nothing was installed";
}

}  // namespace

std::string install_report_text(const InstallReport& r) {
  std::size_t what_width = 0;
  std::size_t where_width = 0;
  for (const auto& i : r.items) {
    what_width = std::max(what_width, i.what.size());
    where_width = std::max(where_width, i.where.size());
  }
  std::string out;
  for (const auto& i : r.items) {
    std::string line = "  " + i.what + std::string(what_width - i.what.size() + 2, ' ') + i.where +
                       std::string(where_width - i.where.size() + 2, ' ') +
                       std::string(to_string(i.change));
    if (!i.detail.empty()) line += " (" + i.detail + ")";
    out += line + "\n";
  }
  for (const auto& w : r.warnings) out += "warning: " + w + "\n";
  if (r.error) out += "error: " + r.error->message() + "\n";
  out += "rdwarm image " + r.action + ": " + headline(r) + " (exit " +
         std::to_string(r.exit_code()) + ")\n";
  return out;
}

nlohmann::json install_report_json(const InstallReport& r) {
  nlohmann::json j{{"schema", "rdwarm.image-install/1"},
                   {"action", r.action},
                   {"mode", std::string(to_string(r.mode))},
                   {"was_installed", r.was_installed},
                   {"result", headline(r)},
                   {"exit_code", r.exit_code()},
                   {"items", nlohmann::json::array()},
                   {"warnings", r.warnings}};
  for (const auto& i : r.items) {
    j["items"].push_back({{"what", i.what},
                          {"where", i.where},
                          {"change", std::string(to_string(i.change))},
                          {"detail", i.detail}});
  }
  if (r.error) j["error"] = r.error->message();
  return j;
}

}  // namespace rdwarm::imagebuild::install
