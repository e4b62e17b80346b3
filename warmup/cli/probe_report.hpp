// The two renderings of a probe result: text for an admin, and the versioned JSON object
// (schema "rdwarm.probe/1", documented in docs/probe-json.md).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "licensing/probe/probe.hpp"
#include "warmup/cli/verdict.hpp"

namespace rdwarm::cli {

inline constexpr const char* kProbeSchema = "rdwarm.probe/1";

nlohmann::json probe_json(const probe::ProbeResult& result, const Verdict& verdict);
std::string probe_text(const probe::ProbeResult& result, const Verdict& verdict);
nlohmann::json certificate_json(const crypto::CertificateSummary& cert);

}  // namespace rdwarm::cli
