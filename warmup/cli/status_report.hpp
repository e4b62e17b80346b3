// `rdwarm status`: the host's licensing state for an admin (a table read in five seconds) and for
// tools (JSON, schema "rdwarm.status/1", docs/status-json.md).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "licensing/host/readiness.hpp"
#include "licensing/host/snapshot.hpp"

namespace rdwarm::cli {

inline constexpr const char* kStatusSchema = "rdwarm.status/1";

nlohmann::json snapshot_json(const host::LicensingSnapshot& snapshot);
nlohmann::json readiness_json(const host::Readiness& readiness);
nlohmann::json status_json(const host::LicensingSnapshot& snapshot,
                           const host::Readiness& readiness);
std::string status_text(const host::LicensingSnapshot& snapshot, const host::Readiness& readiness);

// 0 ready, 3 not applicable, 11 no usable certificate (exit_codes.hpp).
int status_exit_code(const host::Readiness& readiness);

}  // namespace rdwarm::cli
