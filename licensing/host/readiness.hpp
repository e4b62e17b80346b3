// The readiness predicate (DESIGN.md, Host state): users may be admitted when the license-server
// certificate chain is present, parses, has at least two certificates and an unexpired leaf, and
// the last probe (when one ran) ended in a licensing success. Grace days are reported, never used.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "licensing/host/snapshot.hpp"

namespace rdwarm::host {

enum class Applicability {
  kApplicable,         // RDSH role and per-user mode: rdwarm has work to do
  kNoSessionHostRole,  // not an RD Session Host
  kNotPerUser,         // per-device or not configured: the first-connection problem does not apply
};
std::string applicability_name(Applicability a);

struct Readiness {
  Applicability applicability = Applicability::kApplicable;
  bool ready = false;
  // Each reason is a sentence an admin can act on, in order of importance. When ready, the facts
  // that made it so ("certificate chain of 2 issued by ..., valid until ...").
  std::vector<std::string> reasons;
};

// `last_probe_licensed`: nullopt when no probe ran; otherwise whether it ended in Licensed.
Readiness evaluate_readiness(const LicensingSnapshot& snapshot,
                             std::optional<bool> last_probe_licensed);

}  // namespace rdwarm::host
