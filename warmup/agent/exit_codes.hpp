// Process exit codes shared by `rdwarm boot`, `probe` and `image` (DESIGN.md, Exit codes).
#pragma once

namespace rdwarm::agent {

inline constexpr int kExitReady = 0;
inline constexpr int kExitInternal = 1;  // also: the host answered without a licensing verdict
inline constexpr int kExitUsage = 2;
inline constexpr int kExitNotApplicable = 3;
inline constexpr int kExitNoLicenseServer = 10;
inline constexpr int kExitNoCertificate = 11;
inline constexpr int kExitNlaRequired = 12;
inline constexpr int kExitNotListening = 13;
inline constexpr int kExitGraceEndsInLifetime = 14;
inline constexpr int kExitPreflightFailed = 15;
// NLA credentials were refused (wrong password, disabled or locked account, no right to log on
// through RDS). Not in DESIGN.md's list: added with NLA (docs/nla.md); final, like 12.
inline constexpr int kExitNlaAuthenticationFailed = 16;

}  // namespace rdwarm::agent
