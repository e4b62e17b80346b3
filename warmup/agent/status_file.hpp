// The status file: the agent's last AgentStatus as JSON (schema rdwarm.agent-status/1,
// docs/health.md), for scripts and monitoring agents that read files instead of HTTP.
#pragma once

#include <filesystem>

#include "licensing/wire/result.hpp"
#include "warmup/agent/agent_status.hpp"

namespace rdwarm::agent {

// Writes the status through host::write_file_atomically (licensing/host/atomic_file.hpp): a reader
// sees the old or the new status, never half of one.
Status write_status_file(const std::filesystem::path& file, const AgentStatus& status);

}  // namespace rdwarm::agent
