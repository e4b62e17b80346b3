// Turns a probe result into what a VDI admin reads: a headline, what it means for their users,
// what to check next, and the exit code.
#pragma once

#include <string>

#include "licensing/probe/probe.hpp"

namespace rdwarm::agent {

struct Verdict {
  int exit_code = 0;
  std::string headline;  // one line, e.g. "Licensing failed: no license server"
  std::string meaning;   // what it means for users connecting now
  std::string next;      // what to check or do
};

Verdict verdict_for(const probe::ProbeResult& result);

}  // namespace rdwarm::agent
