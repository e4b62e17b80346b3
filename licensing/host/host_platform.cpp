#include "licensing/host/host_platform.hpp"

namespace rdwarm::host {

std::string gate_name(Gate gate) {
  return gate == Gate::kOpen ? "open" : "closed";
}

}  // namespace rdwarm::host
