// The end of the RDS grace period: RCM\GracePeriod\L$RTMTIMEBOMB_..., a local-machine DPAPI blob
// whose plaintext is the FILETIME at which the grace period ends. Only ever read: writing or
// deleting it would extend an unlicensed grace period.
#pragma once

#include <cstdint>
#include <span>

#include "licensing/host/fact.hpp"
#include "licensing/host/raw_host_values.hpp"
#include "licensing/wire/result.hpp"

namespace rdwarm::host::windows {

// FILETIME: 100-nanosecond intervals since 1601-01-01 UTC.
SystemTime system_time_from_filetime(std::uint64_t filetime);
std::uint64_t filetime_from_system_time(SystemTime time);

// CryptUnprotectData (no UI) of the timebomb value; the plaintext must be one 8-byte FILETIME.
// Errors name the failure and what it means for an admin.
Result<SystemTime> unprotect_grace_end(std::span<const std::uint8_t> blob);

// Reads and decrypts the value. Missing value (deleted by an image-sealing tool, or never created):
// absent, no problem.
Fact<SystemTime> read_grace_period_end();

}  // namespace rdwarm::host::windows
