// The files of lab/scenarios, compiled into the lab (lab/scenario/embed_scenarios.cmake writes
// the definition at build time) so rdwarm-lab --scenario NAME works from any directory.
#pragma once

#include <span>
#include <string_view>

namespace rdwarm::lab {

struct EmbeddedScenario {
  std::string_view name;  // file name without ".toml"
  std::string_view text;
};

std::span<const EmbeddedScenario> embedded_scenarios();

}  // namespace rdwarm::lab
