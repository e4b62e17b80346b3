// UTC calendar times as rdwarm writes them everywhere (JSON, state files, tables): ISO 8601 with a
// Z suffix, whole seconds. Calendar arithmetic without timegm/_mkgmtime, so it is the same on
// Windows and Linux.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "licensing/wire/result.hpp"

namespace rdwarm {

// Days since 1970-01-01 of a proleptic Gregorian date.
std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day);

// "2026-11-21T08:30:00Z".
std::string format_utc(std::int64_t unix_seconds);
std::string format_utc(std::chrono::system_clock::time_point t);
// "2026-11-21": the date alone, for tables.
std::string format_utc_date(std::chrono::system_clock::time_point t);

// Accepts exactly "YYYY-MM-DDTHH:MM:SSZ"; errors name `where` and say what is expected.
Result<std::chrono::system_clock::time_point> parse_utc(std::string_view text,
                                                        std::string_view where);

}  // namespace rdwarm
