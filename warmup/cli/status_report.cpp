#include "warmup/cli/status_report.hpp"

#include <sstream>

#include "config/default_paths.hpp"
#include "config/loader.hpp"
#include "imagebuild/seal/seal_manifest.hpp"
#include "licensing/wire/utc_time.hpp"
#include "warmup/cli/exit_codes.hpp"
#include "warmup/cli/probe_report.hpp"

namespace rdwarm::cli {

namespace {

using nlohmann::json;

template <class T, class F>
json fact_json(const host::Fact<T>& fact, F&& value_json) {
  json j{{"source", fact.source}};
  j["value"] = fact.value ? value_json(*fact.value) : json(nullptr);
  if (!fact.problem.empty()) j["problem"] = fact.problem;
  return j;
}

auto identity = [](const auto& v) { return json(v); };

std::string join(const std::vector<std::string>& items, const char* separator) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += separator;
    out += item;
  }
  return out;
}

struct Row {
  std::string label;
  std::string value;
  std::string source;
};

std::string grace_text(const host::LicensingSnapshot& s) {
  if (s.grace.unreadable()) return "unreadable: " + s.grace.problem;
  const auto& g = *s.grace.value;
  if (!g.timebomb_present) {
    return "no grace timebomb value (deleted by an image-sealing tool, or never started)";
  }
  if (g.over()) return "ended " + format_utc_date(*g.end);
  return "ends " + format_utc_date(*g.end) + " (" + std::to_string(*g.days_left) + " days left)";
}

// "sealed 2026-11-01, 21 days ago, rdwarm 0.1.0; grace end at seal 2027-02-28".
std::string image_text(const std::optional<json>& image) {
  if (!image) return "no seal manifest (not sealed with rdwarm image seal)";
  if (image->contains("problem")) return "seal manifest unreadable";
  const auto text = [&](const char* key) {
    const auto& v = (*image)[key];
    return v.is_string() ? v.get<std::string>() : std::string("unknown");
  };
  std::string grace = text("grace_end");
  grace = grace == "unknown" ? "unknown" : grace.substr(0, 10);
  return "sealed " + text("sealed_at").substr(0, 10) + ", " +
         std::to_string((*image)["age_days"].get<std::int64_t>()) + " days ago, rdwarm " +
         text("rdwarm_version") + "; grace end at seal " + grace;
}

std::string certificate_text(const host::LicensingSnapshot& s) {
  const auto& c = s.certificate;
  if (!c.present) return "none yet";
  if (!c.parse_error.empty()) return "present but unreadable: " + c.parse_error;
  if (c.chain.size() < 2) return "only " + std::to_string(c.chain.size()) + " certificate";
  return "issued by " + c.license_server()->subject + ", valid until " + c.leaf()->not_after;
}

std::string admission_text(const host::LicensingSnapshot& s) {
  if (s.admission.unreadable()) return "unreadable: " + s.admission.problem;
  const auto& a = *s.admission.value;
  return host::admission_name(a) + " (TSServerDrainMode=" + std::to_string(a.drain_mode) +
         ", WinStationsDisabled=" + std::to_string(a.winstations_disabled) + ")";
}

template <class T>
std::string fact_text(const host::Fact<T>& f, const std::string& yes, const std::string& no,
                      const std::string& absent) {
  if (f.unreadable()) return "unreadable: " + f.problem;
  if (!f.value) return absent;
  return *f.value ? yes : no;
}

}  // namespace

json snapshot_json(const host::LicensingSnapshot& s) {
  json j;
  j["taken_at"] = format_utc(s.taken_at);
  j["platform"] = s.platform;
  j["rdsh_role"] = fact_json(s.rdsh_role, identity);
  j["edition_id"] = fact_json(s.edition_id, identity);
  j["licensing_mode"] = {{"value", s.licensing_mode.value},
                         {"name", host::licensing_mode_name(s.licensing_mode.value)},
                         {"source", host::setting_source_name(s.licensing_mode.source)},
                         {"source_path", s.licensing_mode.source_path}};
  j["license_servers"] = {{"servers", s.license_servers.servers},
                          {"source", host::setting_source_name(s.license_servers.source)},
                          {"source_path", s.license_servers.source_path}};
  j["grace"] = fact_json(s.grace, [](const host::GracePeriod& g) {
    return json{{"timebomb_present", g.timebomb_present},
                {"end", g.end ? json(format_utc(*g.end)) : json(nullptr)},
                {"days_left", g.days_left ? json(*g.days_left) : json(nullptr)}};
  });
  json chain = json::array();
  for (const auto& c : s.certificate.chain) chain.push_back(certificate_json(c));
  j["certificate"] = {
      {"present", s.certificate.present},
      {"value_name", s.certificate.value_name},
      {"source", s.certificate_source},
      {"parse_error",
       s.certificate.parse_error.empty() ? json(nullptr) : json(s.certificate.parse_error)},
      {"chain", chain}};
  j["nla_required"] = fact_json(s.nla_required, identity);
  j["sxs_listener"] = fact_json(s.sxs_listener, identity);
  j["admission"] = fact_json(s.admission, [](const host::AdmissionState& a) {
    return json{{"state", host::admission_name(a)},
                {"drain_mode", a.drain_mode},
                {"winstations_disabled", a.winstations_disabled}};
  });
  j["problems"] = s.problems;
  return j;
}

json readiness_json(const host::Readiness& r) {
  return {{"ready", r.ready},
          {"applicability", host::applicability_name(r.applicability)},
          {"reasons", r.reasons}};
}

json status_json(const host::LicensingSnapshot& s, const host::Readiness& r,
                 const std::optional<json>& image) {
  return {{"schema", kStatusSchema},
          {"readiness", readiness_json(r)},
          {"host", snapshot_json(s)},
          {"image", image ? *image : json(nullptr)}};
}

std::optional<json> image_facts_for_status(const HostChoice& choice, const std::string& config_file,
                                           const std::string& platform) {
  std::filesystem::path configured = config::default_manifest_path();
  if (auto loaded = config::load_effective_config(config_file)) {
    configured = loaded->config.image.manifest;
  }
  return imagebuild::image_facts(
      imagebuild::seal_manifest_path(configured, platform == "lab", choice.lab_state_dir),
      std::chrono::system_clock::now());
}

std::string status_text(const host::LicensingSnapshot& s, const host::Readiness& r,
                        const std::optional<json>& image) {
  std::string verdict;
  if (r.applicability != host::Applicability::kApplicable) {
    verdict = "NOT APPLICABLE";
  } else {
    verdict = r.ready ? "READY" : "NOT READY";
  }
  const std::vector<Row> rows = {
      {"Readiness", verdict, ""},
      {"Session host",
       fact_text(s.rdsh_role, "RD Session Host role present", "no RDSH role", "role not found"),
       s.rdsh_role.source},
      {"Licensing mode",
       host::licensing_mode_name(s.licensing_mode.value) + " (" +
           host::setting_source_name(s.licensing_mode.source) + ")",
       s.licensing_mode.source_path},
      {"License servers",
       s.license_servers.servers.empty()
           ? std::string("none specified (discovery only)")
           : join(s.license_servers.servers, ", ") + " (" +
                 host::setting_source_name(s.license_servers.source) + ")",
       s.license_servers.source_path},
      {"Grace period", grace_text(s), s.grace.source},
      {"Certificate", certificate_text(s), s.certificate_source},
      {"NLA", fact_text(s.nla_required, "required", "not required", "not set"),
       s.nla_required.source},
      {"SxS listener",
       s.sxs_listener.unreadable() ? s.sxs_listener.problem : s.sxs_listener.value.value_or("none"),
       s.sxs_listener.source},
      {"Admission", admission_text(s), s.admission.source},
  };
  std::vector<Row> all_rows = rows;
  all_rows.push_back({"Image", image_text(image), ""});
  std::ostringstream out;
  out << "rdwarm status (" << s.platform << ", " << format_utc(s.taken_at) << ")\n\n";
  for (const auto& row : all_rows) {
    std::string line = "  " + row.label;
    line.resize(19, ' ');
    line += row.value;
    if (!row.source.empty()) {
      if (line.size() < 72) line.resize(72, ' ');
      line += "  " + row.source;
    }
    out << line << "\n";
  }
  out << "\n";
  for (const auto& reason : r.reasons) out << "  - " << reason << "\n";
  for (const auto& problem : s.problems) out << "  ! " << problem << "\n";
  if (image && image->contains("problem")) {
    out << "  ! " << (*image)["problem"].get<std::string>() << "\n";
  }
  return out.str();
}

int status_exit_code(const host::Readiness& r) {
  if (r.applicability != host::Applicability::kApplicable) return kExitNotApplicable;
  return r.ready ? kExitReady : kExitNoCertificate;
}

}  // namespace rdwarm::cli
