#include "imagebuild/seal/seal_manifest.hpp"

#include <fstream>
#include <iterator>

#include "config/default_paths.hpp"
#include "licensing/wire/utc_time.hpp"

namespace rdwarm::imagebuild {

namespace {

using nlohmann::json;
constexpr const char* kWhere = "seal manifest";

json time_or_null(const std::optional<host::SystemTime>& t) {
  return t ? json(format_utc(*t)) : json(nullptr);
}

// A JSON value of the expected type, or an error naming the key.
Result<const json*> member(const json& j, const char* key, json::value_t type,
                           bool nullable = false) {
  if (!j.contains(key)) return make_error(kWhere, key, "is missing");
  const json& v = j[key];
  if (nullable && v.is_null()) return &v;
  const bool numeric = type == json::value_t::number_integer && v.is_number_integer();
  if (v.type() != type && !numeric) return make_error(kWhere, key, "has the wrong type");
  return &v;
}

Result<std::optional<host::SystemTime>> optional_time(const json& j, const char* key) {
  auto v = member(j, key, json::value_t::string, true);
  if (!v) return v.error();
  if ((*v)->is_null()) return std::optional<host::SystemTime>{};
  auto t = parse_utc((*v)->get<std::string>(), key);
  if (!t) return t.error();
  return std::optional<host::SystemTime>{*t};
}

Result<std::vector<std::string>> id_list(const json& checks, const char* key) {
  auto v = member(checks, key, json::value_t::array);
  if (!v) return v.error();
  std::vector<std::string> out;
  for (const auto& item : **v) {
    if (!item.is_string())
      return make_error(kWhere, std::string("checks.") + key, "holds a non-string");
    out.push_back(item.get<std::string>());
  }
  return out;
}

}  // namespace

std::string_view sealed_certificate_name(SealedCertificate state) {
  switch (state) {
    case SealedCertificate::kUsable:
      return "usable";
    case SealedCertificate::kUnusable:
      return "unusable";
    case SealedCertificate::kAbsent:
      break;
  }
  return "absent";
}

SealManifest make_seal_manifest(const host::LicensingSnapshot& snapshot, const Preflight& preflight,
                                std::chrono::milliseconds planned_lifetime,
                                std::string rdwarm_version, int exit_code) {
  SealManifest m;
  m.rdwarm_version = std::move(rdwarm_version);
  m.platform = snapshot.platform;
  m.sealed_at = snapshot.taken_at;
  m.planned_lifetime = planned_lifetime;
  m.verdict = std::string(verdict_name(preflight.verdict));
  m.exit_code = exit_code;
  m.timebomb_present = snapshot.grace.value && snapshot.grace.value->timebomb_present;
  m.grace_end = preflight.grace_end;
  m.grace_end_estimated = preflight.grace_end_estimated;
  const auto& c = snapshot.certificate;
  if (preflight.certificate_usable && c.leaf() != nullptr) {
    m.certificate = SealedCertificate::kUsable;
    m.certificate_issuer = c.license_server()->subject;
    m.certificate_not_after = c.leaf()->not_after_unix;
  } else if (c.present) {
    m.certificate = SealedCertificate::kUnusable;
  }
  for (const auto& check : preflight.checks) {
    switch (check.status) {
      case CheckStatus::kPass:
        m.checks_passed.push_back(check.id);
        break;
      case CheckStatus::kWarn:
        m.checks_warned.push_back(check.id);
        break;
      case CheckStatus::kSkip:
        m.checks_skipped.push_back(check.id);
        break;
      case CheckStatus::kFail:
        break;  // seal refuses before a manifest is made
    }
  }
  return m;
}

json seal_manifest_json(const SealManifest& m) {
  return json{
      {"schema", kSealManifestSchema},
      {"rdwarm_version", m.rdwarm_version},
      {"platform", m.platform},
      {"sealed_at", format_utc(m.sealed_at)},
      {"planned_lifetime_seconds",
       std::chrono::duration_cast<std::chrono::seconds>(m.planned_lifetime).count()},
      {"verdict", m.verdict},
      {"exit_code", m.exit_code},
      {"grace",
       {{"timebomb_present", m.timebomb_present},
        {"end", time_or_null(m.grace_end)},
        {"end_estimated", m.grace_end_estimated}}},
      {"certificate",
       {{"state", sealed_certificate_name(m.certificate)},
        {"issuer", m.certificate_issuer.empty() ? json(nullptr) : json(m.certificate_issuer)},
        {"not_after",
         m.certificate_not_after ? json(format_utc(*m.certificate_not_after)) : json(nullptr)}}},
      {"checks",
       {{"passed", m.checks_passed}, {"warned", m.checks_warned}, {"skipped", m.checks_skipped}}},
  };
}

Result<SealManifest> parse_seal_manifest(const json& j) {
  if (!j.is_object()) return make_error(kWhere, "", "is not a JSON object");
  auto schema = member(j, "schema", json::value_t::string);
  if (!schema) return schema.error();
  if ((*schema)->get<std::string>() != kSealManifestSchema) {
    return make_error(
        kWhere, "schema",
        "is '" + (*schema)->get<std::string>() + "', this rdwarm reads " + kSealManifestSchema);
  }
  SealManifest m;
  for (auto [key, out] : {std::pair{"rdwarm_version", &m.rdwarm_version},
                          std::pair{"platform", &m.platform}, std::pair{"verdict", &m.verdict}}) {
    auto v = member(j, key, json::value_t::string);
    if (!v) return v.error();
    *out = (*v)->get<std::string>();
  }
  auto sealed = member(j, "sealed_at", json::value_t::string);
  if (!sealed) return sealed.error();
  auto sealed_at = parse_utc((*sealed)->get<std::string>(), "sealed_at");
  if (!sealed_at) return sealed_at.error();
  m.sealed_at = *sealed_at;
  auto lifetime = member(j, "planned_lifetime_seconds", json::value_t::number_integer);
  if (!lifetime) return lifetime.error();
  m.planned_lifetime = std::chrono::seconds((*lifetime)->get<std::int64_t>());
  auto exit_code = member(j, "exit_code", json::value_t::number_integer);
  if (!exit_code) return exit_code.error();
  m.exit_code = (*exit_code)->get<int>();

  auto grace = member(j, "grace", json::value_t::object);
  if (!grace) return grace.error();
  auto bomb = member(**grace, "timebomb_present", json::value_t::boolean);
  if (!bomb) return bomb.error();
  m.timebomb_present = (*bomb)->get<bool>();
  auto end = optional_time(**grace, "end");
  if (!end) return end.error();
  m.grace_end = *end;
  auto estimated = member(**grace, "end_estimated", json::value_t::boolean);
  if (!estimated) return estimated.error();
  m.grace_end_estimated = (*estimated)->get<bool>();

  auto cert = member(j, "certificate", json::value_t::object);
  if (!cert) return cert.error();
  auto state = member(**cert, "state", json::value_t::string);
  if (!state) return state.error();
  const auto state_name = (*state)->get<std::string>();
  if (state_name == "usable") {
    m.certificate = SealedCertificate::kUsable;
  } else if (state_name == "unusable") {
    m.certificate = SealedCertificate::kUnusable;
  } else if (state_name != "absent") {
    return make_error(kWhere, "certificate.state", "is '" + state_name + "'");
  }
  auto issuer = member(**cert, "issuer", json::value_t::string, true);
  if (!issuer) return issuer.error();
  if ((*issuer)->is_string()) m.certificate_issuer = (*issuer)->get<std::string>();
  auto not_after = optional_time(**cert, "not_after");
  if (!not_after) return not_after.error();
  if (*not_after) {
    m.certificate_not_after =
        std::chrono::duration_cast<std::chrono::seconds>((*not_after)->time_since_epoch()).count();
  }

  auto checks = member(j, "checks", json::value_t::object);
  if (!checks) return checks.error();
  for (auto [key, out] :
       {std::pair{"passed", &m.checks_passed}, std::pair{"warned", &m.checks_warned},
        std::pair{"skipped", &m.checks_skipped}}) {
    auto ids = id_list(**checks, key);
    if (!ids) return ids.error();
    *out = std::move(*ids);
  }
  return m;
}

Result<SealManifest> read_seal_manifest(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return make_error(kWhere, config::path_to_utf8(file), "cannot be opened");
  const std::string text{std::istreambuf_iterator<char>(in), {}};
  const auto j = json::parse(text, nullptr, false);
  if (j.is_discarded()) {
    return make_error(kWhere, config::path_to_utf8(file), "is not valid JSON");
  }
  return parse_seal_manifest(j);
}

std::filesystem::path seal_manifest_path(const std::filesystem::path& configured, bool lab_platform,
                                         const std::filesystem::path& lab_state_dir) {
  const bool is_default = configured.empty() || configured == config::default_manifest_path();
  if (!is_default || !lab_platform) {
    return configured.empty() ? config::default_manifest_path() : configured;
  }
  const auto dir = lab_state_dir.empty() ? config::default_lab_state_dir() : lab_state_dir;
  return dir / kSealManifestFileName;
}

std::optional<json> image_facts(const std::filesystem::path& manifest_file, host::SystemTime now) {
  std::error_code ec;
  if (!std::filesystem::exists(manifest_file, ec)) return std::nullopt;
  const auto where = config::path_to_utf8(manifest_file);
  auto m = read_seal_manifest(manifest_file);
  if (!m) {
    return json{{"manifest", where},
                {"problem", m.error().message() +
                                "; the image's seal record cannot be shown. Run `rdwarm image "
                                "seal` again in the image pipeline."}};
  }
  // Whole days; a clock set before the seal time shows 0, not a negative age.
  const auto age = std::chrono::floor<std::chrono::days>(now - m->sealed_at).count();
  return json{
      {"manifest", where},
      {"sealed_at", format_utc(m->sealed_at)},
      {"age_days", age < 0 ? 0 : age},
      {"rdwarm_version", m->rdwarm_version},
      {"grace_end", time_or_null(m->grace_end)},
      {"grace_end_estimated", m->grace_end_estimated},
      {"certificate", sealed_certificate_name(m->certificate)},
      {"planned_lifetime_days", std::chrono::floor<std::chrono::days>(m->planned_lifetime).count()},
  };
}

}  // namespace rdwarm::imagebuild
