// toml++, as rdwarm_config includes it (header-only, exceptions off: see cmake/Dependencies.cmake).
#pragma once

// Debian 12's toml++ 3.3.0 asserts in debug builds on a table header whose '[' is followed by a
// line end or '#', which its release build reports as a parse error. A configuration file must
// never abort the agent, so toml++'s internal asserts are off in every build, as in release.
#define TOML_ASSERT(expr) static_assert(true)
#include <toml++/toml.h>
