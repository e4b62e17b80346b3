// A strict reader of the Prometheus text exposition format 0.0.4, written from the format's
// description, for checking what rdwarm serves at /metrics: every sample line is
// `name{label="value",...} value` with its family's # HELP and # TYPE before it, families are not
// interleaved, names and label values follow the grammar, and no series appears twice.
#pragma once

#include <cctype>
#include <charconv>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace rdwarm::agent::testing {

struct PromSample {
  std::string name;
  std::map<std::string, std::string> labels;  // unescaped values
  double value = 0;
};

struct PromFamily {
  std::string name;
  std::string type;
  std::string help;
  std::vector<PromSample> samples;
};

struct PromParse {
  std::vector<PromFamily> families;
  std::string error;  // empty when the text follows the format

  [[nodiscard]] const PromFamily* family(std::string_view name) const {
    for (const auto& f : families) {
      if (f.name == name) return &f;
    }
    return nullptr;
  }
  // The value of the sample with exactly these labels.
  [[nodiscard]] std::optional<double> value(
      std::string_view name, const std::map<std::string, std::string>& labels = {}) const {
    if (const auto* f = family(name)) {
      for (const auto& s : f->samples) {
        if (s.labels == labels) return s.value;
      }
    }
    return std::nullopt;
  }
};

namespace detail {

inline bool metric_name_ok(std::string_view n) {
  if (n.empty()) return false;
  for (std::size_t i = 0; i < n.size(); ++i) {
    const auto c = static_cast<unsigned char>(n[i]);
    const bool ok = std::isalpha(c) || c == '_' || c == ':' || (i > 0 && std::isdigit(c));
    if (!ok) return false;
  }
  return true;
}

inline bool label_name_ok(std::string_view n) {
  if (n.empty()) return false;
  for (std::size_t i = 0; i < n.size(); ++i) {
    const auto c = static_cast<unsigned char>(n[i]);
    const bool ok = std::isalpha(c) || c == '_' || (i > 0 && std::isdigit(c));
    if (!ok) return false;
  }
  return true;
}

inline std::optional<double> parse_value(std::string_view v) {
  if (v == "NaN") return std::nan("");
  if (v == "+Inf") return HUGE_VAL;
  if (v == "-Inf") return -HUGE_VAL;
  double d = 0;
  const auto r = std::from_chars(v.data(), v.data() + v.size(), d);
  if (r.ec != std::errc() || r.ptr != v.data() + v.size()) return std::nullopt;
  return d;
}

// The family a sample belongs to: itself, or for histogram/summary parts the base name.
inline std::string family_of(const std::string& name, const std::map<std::string, std::size_t>& f) {
  if (f.count(name)) return name;
  for (const char* suffix : {"_bucket", "_sum", "_count"}) {
    const std::string_view s(suffix);
    if (name.size() > s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0) {
      const auto base = name.substr(0, name.size() - s.size());
      if (f.count(base)) return base;
    }
  }
  return name;
}

}  // namespace detail

inline PromParse parse_prometheus_text(std::string_view text) {
  PromParse out;
  auto fail = [&](std::size_t line_no, const std::string& what) {
    out.error = "line " + std::to_string(line_no) + ": " + what;
    return out;
  };
  if (!text.empty() && text.back() != '\n') return fail(0, "text does not end with a line feed");

  std::map<std::string, std::size_t> by_name;  // index into out.families
  std::set<std::string> closed;                // families whose samples ended (no interleaving)
  std::set<std::string> series;
  std::string current;  // family of the last sample

  std::size_t line_no = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const auto end = text.find('\n', pos);
    const std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (line.empty()) continue;
    if (line.front() == '#') {
      const bool help = line.rfind("# HELP ", 0) == 0;
      const bool type = line.rfind("# TYPE ", 0) == 0;
      if (!help && !type) continue;  // a plain comment
      const auto rest = line.substr(7);
      const auto space = rest.find(' ');
      if (space == std::string_view::npos) return fail(line_no, "HELP/TYPE without text");
      const std::string name(rest.substr(0, space));
      const std::string_view arg = rest.substr(space + 1);
      if (!detail::metric_name_ok(name)) return fail(line_no, "bad metric name " + name);
      if (closed.count(name) || current == name) {
        return fail(line_no, "HELP/TYPE for " + name + " after its samples");
      }
      if (!by_name.count(name)) {
        out.families.push_back(PromFamily{name, "", "", {}});
        by_name[name] = out.families.size() - 1;
      }
      PromFamily& f = out.families[by_name[name]];
      if (help) {
        if (!f.help.empty()) return fail(line_no, "second HELP for " + name);
        for (std::size_t i = 0; i < arg.size(); ++i) {
          if (arg[i] == '\\' &&
              (i + 1 >= arg.size() || (arg[i + 1] != '\\' && arg[i + 1] != 'n'))) {
            return fail(line_no, "bad escape in HELP of " + name);
          }
          if (arg[i] == '\\') ++i;
        }
        f.help = std::string(arg);
        if (f.help.empty()) return fail(line_no, "empty HELP for " + name);
      } else {
        if (!f.type.empty()) return fail(line_no, "second TYPE for " + name);
        if (arg != "counter" && arg != "gauge" && arg != "histogram" && arg != "summary" &&
            arg != "untyped") {
          return fail(line_no, "unknown type " + std::string(arg));
        }
        f.type = std::string(arg);
      }
      continue;
    }

    // A sample: name [{labels}] value [timestamp]
    std::size_t i = 0;
    while (i < line.size() && line[i] != '{' && line[i] != ' ') ++i;
    PromSample sample;
    sample.name = std::string(line.substr(0, i));
    if (!detail::metric_name_ok(sample.name)) return fail(line_no, "bad metric name");
    if (i < line.size() && line[i] == '{') {
      ++i;
      for (;;) {
        if (i < line.size() && line[i] == '}') {
          ++i;
          break;
        }
        const auto eq = line.find('=', i);
        if (eq == std::string_view::npos) return fail(line_no, "label without =");
        const std::string lname(line.substr(i, eq - i));
        if (!detail::label_name_ok(lname)) return fail(line_no, "bad label name " + lname);
        i = eq + 1;
        if (i >= line.size() || line[i] != '"') return fail(line_no, "label value not quoted");
        ++i;
        std::string value;
        for (;;) {
          if (i >= line.size()) return fail(line_no, "unterminated label value");
          const char c = line[i++];
          if (c == '"') break;
          if (c == '\\') {
            if (i >= line.size()) return fail(line_no, "dangling backslash");
            const char e = line[i++];
            if (e == '\\') {
              value += '\\';
            } else if (e == '"') {
              value += '"';
            } else if (e == 'n') {
              value += '\n';
            } else {
              return fail(line_no, "bad escape in label value");
            }
          } else {
            value += c;
          }
        }
        if (!sample.labels.emplace(lname, value).second) {
          return fail(line_no, "label " + lname + " twice");
        }
        if (i < line.size() && line[i] == ',') ++i;
      }
    }
    if (i >= line.size() || line[i] != ' ') return fail(line_no, "no space before the value");
    ++i;
    const auto rest = line.substr(i);
    const auto space = rest.find(' ');
    const auto number = detail::parse_value(rest.substr(0, space));
    if (!number) return fail(line_no, "bad value " + std::string(rest));
    if (space != std::string_view::npos) {
      std::int64_t ts = 0;
      const auto t = rest.substr(space + 1);
      const auto r = std::from_chars(t.data(), t.data() + t.size(), ts);
      if (r.ec != std::errc() || r.ptr != t.data() + t.size())
        return fail(line_no, "bad timestamp");
    }
    sample.value = *number;

    const std::string fam = detail::family_of(sample.name, by_name);
    const auto it = by_name.find(fam);
    if (it == by_name.end() || out.families[it->second].type.empty() ||
        out.families[it->second].help.empty()) {
      return fail(line_no, "sample of " + sample.name + " without HELP and TYPE before it");
    }
    if (closed.count(fam)) return fail(line_no, "samples of " + fam + " are interleaved");
    if (!current.empty() && current != fam) closed.insert(current);
    current = fam;
    std::string key = sample.name;
    for (const auto& [k, v] : sample.labels) key += "\x1f" + k + "=" + v;
    if (!series.insert(key).second) return fail(line_no, "series repeated: " + sample.name);
    PromFamily& family = out.families[it->second];
    if (family.type == "counter" && (sample.value < 0 || std::isnan(sample.value))) {
      return fail(line_no, "counter " + sample.name + " is negative");
    }
    family.samples.push_back(std::move(sample));
  }
  for (const auto& f : out.families) {
    if (f.samples.empty()) return fail(0, "family " + f.name + " has no samples");
    if (f.type.empty() || f.help.empty()) return fail(0, "family " + f.name + " lacks HELP/TYPE");
  }
  return out;
}

}  // namespace rdwarm::agent::testing
