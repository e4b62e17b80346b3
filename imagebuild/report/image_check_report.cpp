#include "imagebuild/report/image_check_report.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "config/duration.hpp"
#include "licensing/wire/utc_time.hpp"

namespace rdwarm::imagebuild {

namespace {

using nlohmann::json;

json optional_text(const std::string& text) {
  return text.empty() ? json(nullptr) : json(text);
}

// Milliseconds with 0.1 ms resolution: latencies on a LAN are below a millisecond.
double rounded_ms(double ms) {
  return std::round(ms * 10.0) / 10.0;
}

json summary_json(const std::vector<CheckResult>& checks) {
  json s{{"pass", 0}, {"warn", 0}, {"fail", 0}, {"skip", 0}};
  for (const auto& c : checks) {
    auto& n = s[std::string(status_name(c.status))];
    n = n.get<int>() + 1;
  }
  return s;
}

json grace_json(const ImageCheckReport& r) {
  json g;
  const auto& fact = r.grace;
  g["source"] = fact.source;
  g["problem"] = optional_text(fact.problem);
  g["timebomb_present"] = fact.value ? json(fact.value->timebomb_present) : json(nullptr);
  g["days_left"] =
      fact.value && fact.value->days_left ? json(*fact.value->days_left) : json(nullptr);
  g["end"] = r.preflight.grace_end ? json(format_utc(*r.preflight.grace_end)) : json(nullptr);
  g["end_estimated"] = r.preflight.grace_end_estimated;
  g["ends_within_planned_lifetime"] = r.preflight.grace_ends_within_lifetime;
  g["certificate_usable"] = r.preflight.certificate_usable;
  return g;
}

json check_json(const CheckResult& c) {
  json j{{"id", c.id},
         {"title", c.title},
         {"status", status_name(c.status)},
         {"severity", severity_name(c.severity())},
         {"found", c.found},
         {"remedy", optional_text(c.remedy)},
         {"source", c.source}};
  j["reference"] =
      c.reference ? json{{"title", c.reference->title}, {"url", c.reference->url}} : json(nullptr);
  return j;
}

json server_json(const ServerReachability& s) {
  json ports = json::array();
  for (const auto& p : s.ports) {
    ports.push_back({{"port", p.port},
                     {"state", port_state_name(p.state)},
                     {"address", optional_text(p.address)},
                     {"ms", rounded_ms(p.milliseconds)},
                     {"error", optional_text(p.error)}});
  }
  return {{"name", s.name},
          {"reachable", s.all_open()},
          {"dns",
           {{"state", dns_state_name(s.dns.state)},
            {"addresses", s.dns.addresses},
            {"ms", rounded_ms(s.dns.milliseconds)},
            {"error", optional_text(s.dns.error)}}},
          {"ports", ports}};
}

std::string upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::toupper(ch)); });
  return out;
}

std::string verdict_sentence(const ImageCheckReport& r) {
  std::size_t warnings = 0;
  for (const auto& c : r.preflight.checks) warnings += c.status == CheckStatus::kWarn ? 1 : 0;
  std::string text;
  switch (r.preflight.verdict) {
    case PreflightVerdict::kPass:
      text = "PASS: no check failed";
      if (warnings > 0) {
        text += ", " + std::to_string(warnings) + (warnings == 1 ? " warning" : " warnings");
      }
      break;
    case PreflightVerdict::kNotApplicable:
      text = r.preflight.applicability == host::Applicability::kNoSessionHostRole
                 ? "NOT APPLICABLE: not an RD Session Host"
                 : "NOT APPLICABLE: the licensing mode is not per-user";
      break;
    case PreflightVerdict::kGraceEndsInLifetime:
      text =
          "FAIL: the grace period ends within the planned lifetime and the host has no "
          "license-server certificate";
      break;
    case PreflightVerdict::kFatal:
      text = "FAIL: a fatal pre-flight check failed";
      break;
  }
  return text + " (exit " + std::to_string(r.exit_code) + ")";
}

void put_wrapped(std::ostream& out, std::string_view first_prefix, std::string_view next_prefix,
                 std::string_view text, std::size_t width) {
  const std::size_t room = width > first_prefix.size() ? width - first_prefix.size() : 1;
  const auto lines = wrap_text(text, room);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    out << (i == 0 ? first_prefix : next_prefix) << lines[i] << "\n";
  }
}

std::string server_line(const ServerReachability& s) {
  char ms[32];
  std::string line = s.name + ":";
  if (!s.dns.ok()) {
    line += " DNS " + std::string(dns_state_name(s.dns.state));
    if (!s.dns.error.empty()) line += " (" + s.dns.error + ")";
    return line;
  }
  if (s.dns.state == DnsState::kResolved) {
    std::snprintf(ms, sizeof ms, "%.1f", s.dns.milliseconds);
    line += " DNS " + std::string(ms) + " ms ->";
    for (const auto& a : s.dns.addresses) line += " " + a;
    line += ";";
  }
  for (const auto& p : s.ports) {
    std::snprintf(ms, sizeof ms, "%.1f", p.milliseconds);
    line += " " + std::to_string(p.port) + " " + std::string(port_state_name(p.state)) + " " + ms +
            " ms";
    if (p.state == PortState::kError && !p.error.empty()) line += " (" + p.error + ")";
    line += ",";
  }
  if (line.ends_with(',')) line.pop_back();
  return line;
}

}  // namespace

std::vector<std::string> wrap_text(std::string_view text, std::size_t width) {
  if (width == 0) width = 1;
  std::vector<std::string> lines;
  std::string line;
  std::size_t pos = 0;
  while (pos < text.size()) {
    while (pos < text.size() && text[pos] == ' ') ++pos;
    if (pos >= text.size()) break;
    auto end = text.find(' ', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view word = text.substr(pos, end - pos);
    pos = end;
    while (!word.empty()) {
      const std::size_t need = line.empty() ? word.size() : line.size() + 1 + word.size();
      if (need <= width) {
        if (!line.empty()) line += ' ';
        line += word;
        word = {};
      } else if (line.empty()) {  // longer than a line: cut it
        line = std::string(word.substr(0, width));
        word.remove_prefix(width);
        lines.push_back(std::move(line));
        line.clear();
      } else {
        lines.push_back(std::move(line));
        line.clear();
      }
    }
  }
  if (!line.empty() || lines.empty()) lines.push_back(std::move(line));
  return lines;
}

json image_check_json(const ImageCheckReport& r) {
  json checks = json::array();
  for (const auto& c : r.preflight.checks) checks.push_back(check_json(c));
  json servers = json::array();
  for (const auto& s : r.license_servers) servers.push_back(server_json(s));
  return {
      {"schema", kImageCheckSchema},
      {"rdwarm_version", r.rdwarm_version},
      {"checked_at", format_utc(r.checked_at)},
      {"platform", r.platform},
      {"planned_lifetime",
       {{"text", config::format_duration(r.planned_lifetime)},
        {"seconds", std::chrono::duration_cast<std::chrono::seconds>(r.planned_lifetime).count()}}},
      {"verdict", verdict_name(r.preflight.verdict)},
      {"exit_code", r.exit_code},
      {"applicability", host::applicability_name(r.preflight.applicability)},
      {"summary", summary_json(r.preflight.checks)},
      {"grace", grace_json(r)},
      {"checks", checks},
      {"license_servers", servers}};
}

std::string image_check_text(const ImageCheckReport& r, std::size_t width) {
  constexpr std::size_t kStatusColumn = 8;
  constexpr std::size_t kIdColumn = 21;
  const std::string indent(kStatusColumn + kIdColumn, ' ');
  std::vector<Reference> refs;
  auto ref_number = [&refs](const Reference& ref) {
    for (std::size_t i = 0; i < refs.size(); ++i) {
      if (refs[i].url == ref.url) return i + 1;
    }
    refs.push_back(ref);
    return refs.size();
  };

  std::ostringstream out;
  put_wrapped(out, "", "",
              "rdwarm image check: " + r.platform + " host, " + format_utc(r.checked_at) +
                  ", planned lifetime " + config::format_duration(r.planned_lifetime),
              width);
  out << "\n";
  std::string header = "STATUS";
  header.resize(kStatusColumn, ' ');
  header += "CHECK";
  header.resize(kStatusColumn + kIdColumn, ' ');
  out << header << "FOUND\n";
  for (const auto& c : r.preflight.checks) {
    std::string prefix = upper(status_name(c.status));
    prefix.resize(kStatusColumn, ' ');
    prefix += c.id;
    prefix.resize(kStatusColumn + kIdColumn, ' ');
    put_wrapped(out, prefix, indent, c.found, width);
    if (!c.remedy.empty()) {
      std::string fix = "Fix: " + c.remedy;
      if (c.reference) fix += " [" + std::to_string(ref_number(*c.reference)) + "]";
      put_wrapped(out, indent, indent, fix, width);
    }
  }
  if (!r.license_servers.empty()) {
    out << "\nLicense servers\n";
    for (const auto& s : r.license_servers) put_wrapped(out, "  ", "    ", server_line(s), width);
  }
  out << "\n";
  put_wrapped(out, "", "  ", verdict_sentence(r), width);
  if (!refs.empty()) {
    out << "\nReferences\n";
    for (std::size_t i = 0; i < refs.size(); ++i) {
      put_wrapped(out, "  [" + std::to_string(i + 1) + "] ", "      ", refs[i].title, width);
      out << "      " << refs[i].url << "\n";
    }
  }
  return out.str();
}

}  // namespace rdwarm::imagebuild
