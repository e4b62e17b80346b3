// `rdwarm status`: the host's licensing state for an admin (a table read in five seconds) and for
// tools (JSON, schema "rdwarm.status/1", docs/status-json.md).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "licensing/host/readiness.hpp"
#include "licensing/host/snapshot.hpp"
#include "warmup/cli/host_choice.hpp"

namespace rdwarm::cli {

inline constexpr const char* kStatusSchema = "rdwarm.status/1";

nlohmann::json snapshot_json(const host::LicensingSnapshot& snapshot);
nlohmann::json readiness_json(const host::Readiness& readiness);
// `image`: the seal manifest's facts (imagebuild::image_facts), shown as "image" (null without
// a manifest) and as an "Image" row.
nlohmann::json status_json(const host::LicensingSnapshot& snapshot,
                           const host::Readiness& readiness,
                           const std::optional<nlohmann::json>& image = std::nullopt);
std::string status_text(const host::LicensingSnapshot& snapshot, const host::Readiness& readiness,
                        const std::optional<nlohmann::json>& image = std::nullopt);

// The seal manifest's facts for this host: [image] manifest of `config_file` (or the default
// configuration), in the lab's state dir on the lab platform. A configuration that cannot be read
// falls back to the default path: status must show the host even then.
std::optional<nlohmann::json> image_facts_for_status(const HostChoice& choice,
                                                     const std::string& config_file,
                                                     const std::string& platform);

// 0 ready, 3 not applicable, 11 no usable certificate (exit_codes.hpp).
int status_exit_code(const host::Readiness& readiness);

}  // namespace rdwarm::cli
