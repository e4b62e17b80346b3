// The status file: the agent's last AgentStatus as JSON (schema rdwarm.agent-status/1,
// docs/health.md), for scripts and monitoring agents that read files instead of HTTP.
#pragma once

#include <filesystem>

#include "licensing/wire/result.hpp"
#include "warmup/agent/agent_status.hpp"

namespace rdwarm::agent {

// Creates the parent directories, writes a temp file next to `file` and renames it over `file`,
// so a reader sees the old or the new status, never half of one. On Windows the rename uses POSIX
// semantics where the system has them (a reader sharing delete access does not block it), else
// MoveFileExW; either retries for ~0.5 s while a reader without FILE_SHARE_DELETE holds the file.
Status write_status_file(const std::filesystem::path& file, const AgentStatus& status);

}  // namespace rdwarm::agent
