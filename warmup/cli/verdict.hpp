// The command line reports probe results with the agent's verdicts.
#pragma once

#include "warmup/agent/verdict.hpp"

namespace rdwarm::cli {

using agent::Verdict;
using agent::verdict_for;

}  // namespace rdwarm::cli
