#include "warmup/agent/status_file.hpp"

#include "licensing/host/atomic_file.hpp"

namespace rdwarm::agent {

Status write_status_file(const std::filesystem::path& file, const AgentStatus& status) {
  if (file.empty()) return make_error("status file", "", "no path given for the status file");
  return host::write_file_atomically(file, agent_status_text(status, true) + "\n", "status file",
                                     "; check that the agent's account may write there, or set "
                                     "[status] file in rdwarm.toml");
}

}  // namespace rdwarm::agent
