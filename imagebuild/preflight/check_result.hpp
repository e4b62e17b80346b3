// One pre-flight check's verdict (DESIGN.md, Image pipelines): what was checked, what was found,
// how bad it is, and what to do, with the Microsoft document that describes the fix.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace rdwarm::imagebuild {

enum class CheckStatus {
  kPass,  // nothing to do
  kWarn,  // worth fixing; does not change the exit code
  kFail,  // the image will fail users: exit 15 (14 for grace-period)
  kSkip,  // does not apply to this host, or skipped with --skip
};

// How serious a result is. Fixed by the status: pass and skip are info, warn is a warning, fail is
// fatal. Reported separately because pipelines filter on it.
enum class Severity { kInfo, kWarning, kFatal };

std::string_view status_name(CheckStatus status);   // "pass", "warn", "fail", "skip"
std::string_view severity_name(Severity severity);  // "info", "warning", "fatal"
Severity severity_of(CheckStatus status);

// A published document that explains the finding or its fix.
struct Reference {
  std::string_view title;
  std::string_view url;
};

struct CheckResult {
  std::string id;     // stable, e.g. "license-servers" (docs/image-check.md)
  std::string title;  // what is checked, e.g. "License servers specified"
  CheckStatus status = CheckStatus::kSkip;
  std::string found;   // what was found, one or two sentences
  std::string remedy;  // what to do; empty when the check passed or was skipped
  std::optional<Reference> reference;
  std::string source;  // where the deciding fact was read (registry path or lab:key); may be empty

  [[nodiscard]] Severity severity() const { return severity_of(status); }
};

}  // namespace rdwarm::imagebuild
