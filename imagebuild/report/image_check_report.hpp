// The report of `rdwarm image check`: a table for a terminal (80 columns) and a versioned JSON
// object for pipelines, schema "rdwarm.image-check/1" (imagebuild/image-check.schema.json,
// docs/image-check.md).
#pragma once

#include <chrono>
#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "imagebuild/preflight/checks.hpp"
#include "imagebuild/preflight/reachability.hpp"
#include "licensing/host/snapshot.hpp"

namespace rdwarm::imagebuild {

inline constexpr const char* kImageCheckSchema = "rdwarm.image-check/1";

struct ImageCheckReport {
  std::string rdwarm_version;
  std::string platform;  // "windows", "lab"
  host::SystemTime checked_at;
  std::chrono::milliseconds planned_lifetime{0};
  int exit_code = 0;  // the process exit code the command line chose for the verdict
  Preflight preflight;
  host::Fact<host::GracePeriod> grace;              // as the snapshot read it
  std::vector<ServerReachability> license_servers;  // empty when none was probed
};

nlohmann::json image_check_json(const ImageCheckReport& report);

// Every line fits `width` columns except reference URLs, which are printed whole on lines of
// their own (a URL broken in two cannot be followed).
std::string image_check_text(const ImageCheckReport& report, std::size_t width = 80);

// Word-wraps `text` to `width` columns; a word longer than a line is cut.
std::vector<std::string> wrap_text(std::string_view text, std::size_t width);

}  // namespace rdwarm::imagebuild
