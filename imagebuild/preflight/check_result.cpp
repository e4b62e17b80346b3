#include "imagebuild/preflight/check_result.hpp"

namespace rdwarm::imagebuild {

std::string_view status_name(CheckStatus status) {
  switch (status) {
    case CheckStatus::kPass:
      return "pass";
    case CheckStatus::kWarn:
      return "warn";
    case CheckStatus::kFail:
      return "fail";
    case CheckStatus::kSkip:
      break;
  }
  return "skip";
}

std::string_view severity_name(Severity severity) {
  switch (severity) {
    case Severity::kWarning:
      return "warning";
    case Severity::kFatal:
      return "fatal";
    case Severity::kInfo:
      break;
  }
  return "info";
}

Severity severity_of(CheckStatus status) {
  switch (status) {
    case CheckStatus::kWarn:
      return Severity::kWarning;
    case CheckStatus::kFail:
      return Severity::kFatal;
    case CheckStatus::kPass:
    case CheckStatus::kSkip:
      break;
  }
  return Severity::kInfo;
}

}  // namespace rdwarm::imagebuild
