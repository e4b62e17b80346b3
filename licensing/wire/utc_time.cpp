#include "licensing/wire/utc_time.hpp"

#include <cstdio>

namespace rdwarm {

namespace {

struct Civil {
  std::int64_t year;
  unsigned month;
  unsigned day;
};

// Inverse of days_from_civil (the same era/day-of-era decomposition).
Civil civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return Civil{static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0), m, d};
}

bool digits(std::string_view s, std::size_t pos, std::size_t count, unsigned& out) {
  out = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (s[i] < '0' || s[i] > '9') {
      return false;
    }
    out = out * 10 + static_cast<unsigned>(s[i] - '0');
  }
  return true;
}

}  // namespace

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

std::string format_utc(std::int64_t unix_seconds) {
  constexpr std::int64_t kDay = 86400;
  std::int64_t days = unix_seconds / kDay;
  std::int64_t secs = unix_seconds % kDay;
  if (secs < 0) {
    secs += kDay;
    --days;
  }
  const Civil c = civil_from_days(days);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lldZ",
                static_cast<long long>(c.year), c.month, c.day, static_cast<long long>(secs / 3600),
                static_cast<long long>(secs / 60 % 60), static_cast<long long>(secs % 60));
  return buf;
}

std::string format_utc(std::chrono::system_clock::time_point t) {
  return format_utc(std::chrono::floor<std::chrono::seconds>(t.time_since_epoch()).count());
}

Result<std::chrono::system_clock::time_point> parse_utc(std::string_view s,
                                                        std::string_view where) {
  auto bad = [&] {
    return make_error(
        std::string(where), "",
        "expected a UTC time like 2026-11-21T08:30:00Z, got '" + std::string(s) + "'");
  };
  if (s.size() != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
      s[16] != ':' || s[19] != 'Z') {
    return bad();
  }
  unsigned year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!digits(s, 0, 4, year) || !digits(s, 5, 2, month) || !digits(s, 8, 2, day) ||
      !digits(s, 11, 2, hour) || !digits(s, 14, 2, minute) || !digits(s, 17, 2, second)) {
    return bad();
  }
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 60) {
    return bad();
  }
  const std::int64_t days = days_from_civil(year, month, day);
  if (civil_from_days(days).day != day) {  // 31 April, 30 February
    return bad();
  }
  const std::int64_t unix_seconds =
      days * 86400 + std::int64_t{hour} * 3600 + std::int64_t{minute} * 60 + second;
  return std::chrono::system_clock::time_point{std::chrono::seconds{unix_seconds}};
}

std::string format_utc_date(std::chrono::system_clock::time_point t) {
  return format_utc(t).substr(0, 10);  // "YYYY-MM-DD" of "YYYY-MM-DDTHH:MM:SSZ"
}

}  // namespace rdwarm
