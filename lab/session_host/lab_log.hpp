// The lab's log: one line per event on stderr, UTC timestamp first. Tests and operators read it,
// so lines are plain sentences with key facts, not debug dumps.
#pragma once

#include <string_view>

namespace rdwarm::lab {

enum class LogLevel { Quiet = 0, Info = 1, Debug = 2 };

void set_log_level(LogLevel level);
[[nodiscard]] bool log_enabled(LogLevel level);
void log_line(LogLevel level, std::string_view message);

}  // namespace rdwarm::lab
