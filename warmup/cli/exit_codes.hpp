// The command line uses the agent's exit codes (DESIGN.md, Exit codes): one table for all commands.
#pragma once

#include "warmup/agent/exit_codes.hpp"

namespace rdwarm::cli {

using agent::kExitGraceEndsInLifetime;
using agent::kExitInternal;
using agent::kExitNlaAuthenticationFailed;
using agent::kExitNlaRequired;
using agent::kExitNoCertificate;
using agent::kExitNoLicenseServer;
using agent::kExitNotApplicable;
using agent::kExitNotListening;
using agent::kExitPreflightFailed;
using agent::kExitReady;
using agent::kExitUsage;

}  // namespace rdwarm::cli
