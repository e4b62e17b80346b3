#include "lab/session_host/session_host.hpp"

#include <sstream>

#include "lab/license_server/proprietary_signing.hpp"
#include "lab/session_host/lab_log.hpp"
#include "lab/session_host/licensing_policy.hpp"
#include "licensing/crypto/registry_chain.hpp"
#include "licensing/crypto/server_certificate.hpp"
#include "licensing/wire/errinfo.hpp"

namespace rdwarm::lab {

namespace {
constexpr int kProprietaryKeyBits = 512;  // what Windows generates for its proprietary certificate
constexpr int kX509KeyBits = 2048;
constexpr std::size_t kMaxCachedCals = 10000;

std::string hex32(std::uint32_t v) {
  std::ostringstream s;
  s << std::hex << v;
  return s.str();
}
}  // namespace

SessionHost::SessionHost(Scenario scenario, std::filesystem::path state_file,
                         LicenseServer& license_server)
    : scenario_(std::move(scenario)),
      state_file_(std::move(state_file)),
      license_server_(license_server) {}

Status SessionHost::start() {
  started_ = std::chrono::steady_clock::now();
  if (scenario_.host.grace_left) {
    grace_end_ =
        std::chrono::system_clock::now() +
        std::chrono::duration_cast<std::chrono::system_clock::duration>(*scenario_.host.grace_left);
  }
  proprietary_key_ = HostRsaKey::generate(kProprietaryKeyBits);
  x509_key_ = HostRsaKey::generate(kX509KeyBits);
  auto proprietary = std::make_shared<LicensingCredentials>();
  proprietary->kind = crypto::CertificateKind::Proprietary;
  proprietary->server_certificate = signed_proprietary_certificate(proprietary_key_->public_key());
  proprietary->key = proprietary_key_;
  proprietary_ = proprietary;
  current_ = proprietary_;

  if (scenario_.host.certificate) {
    // A warm host: the chain was fetched before the lab started, so no license server latency.
    auto chain =
        license_server_.issuer().issue_chain(scenario_.host.name, x509_key_->public_key(),
                                             license_server_.config().certificate_validity);
    if (!chain) return chain.error();
    auto st = install_chain(std::move(chain).value(), false);
    if (!st) return st;
    stats_.certificate_after = std::chrono::milliseconds(0);
  }
  auto st = write_state();
  if (!st) return st;

  for (std::uint32_t i = 1; i <= scenario_.competing_hosts; ++i) {
    char name[16];
    std::snprintf(name, sizeof name, "LAB-STORM%05u", i);
    ++stats_.competing_requests;
    // The other hosts' keys do not matter to anyone: they reuse this host's public key.
    license_server_.async_request_chain(
        name, x509_key_->public_key(),
        [this, alive = alive_](const Result<std::vector<std::vector<std::uint8_t>>>& r) {
          if (*alive && r) ++stats_.competing_issued;
        });
  }
  return Ok{};
}

bool SessionHost::grace_active(std::chrono::system_clock::time_point now) const {
  // No timebomb value at all behaves like a fresh grace period: the reason image-sealing tools
  // that delete it hide the problem for 120 days.
  return !grace_end_ || now < *grace_end_;
}

std::shared_ptr<const LicensingCredentials> SessionHost::begin_licensing() {
  const bool mode_configured = scenario_.host.licensing_mode != LicensingMode::NotConfigured;
  if (chain_.empty() && mode_configured && !scenario_.host.license_servers.empty() &&
      !request_outstanding_) {
    request_certificate();
  }
  return current_;
}

void SessionHost::request_certificate() {
  request_outstanding_ = true;
  ++stats_.certificate_requests;
  log_line(LogLevel::Info, "host " + scenario_.host.name +
                               ": no license server certificate; asking license server " +
                               license_server_.config().name + " for one");
  license_server_.async_request_chain(
      scenario_.host.name, x509_key_->public_key(),
      [this, alive = alive_](Result<std::vector<std::vector<std::uint8_t>>> r) {
        if (!*alive) return;
        request_outstanding_ = false;
        if (!r) {
          ++stats_.certificate_failures;
          log_line(LogLevel::Info, "host " + scenario_.host.name +
                                       ": certificate request failed: " + r.error().message());
          return;
        }
        stats_.certificate_after = std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::steady_clock::now() - started_);
        auto st = install_chain(std::move(r).value(), true);
        if (!st) {
          log_line(LogLevel::Info, "host " + scenario_.host.name +
                                       ": cannot store the certificate: " + st.error().message());
          return;
        }
        log_line(LogLevel::Info, "host " + scenario_.host.name + ": received an X.509 chain of " +
                                     std::to_string(chain_.size()) + " certificates from " +
                                     license_server_.config().name +
                                     "; stored as X509 Certificate2 in " + state_file_.string());
      });
}

Status SessionHost::install_chain(std::vector<std::vector<std::uint8_t>> chain, bool write) {
  auto x509 = std::make_shared<LicensingCredentials>();
  x509->kind = crypto::CertificateKind::X509Chain;
  // dwVersion with t set, as in the license-server-issued chain of MS-RDPELE 4.1.
  x509->server_certificate = crypto::encode_x509_chain_certificate(chain, true);
  x509->key = x509_key_;
  chain_ = std::move(chain);
  current_ = x509;
  if (!write) return Ok{};
  return write_state();
}

host::lab::LabHostState SessionHost::scenario_state() const {
  const HostScenario& h = scenario_.host;
  host::lab::LabHostState s;
  s.host_name = h.name;
  s.rdsh_role = h.rdsh_role;
  s.edition_id = h.edition_id;
  const auto mode = static_cast<std::uint32_t>(h.licensing_mode);
  std::string servers;
  for (const auto& name : h.license_servers) servers += (servers.empty() ? "" : ",") + name;
  if (h.mode_source == ModeSource::Policy) {
    s.policy_licensing_mode = mode;
    if (!servers.empty()) s.policy_license_servers = servers;
  } else {
    s.local_licensing_mode = mode;
    s.local_license_servers = h.license_servers;
  }
  s.grace_period_end = grace_end_;
  if (!chain_.empty()) s.x509_certificate2 = crypto::encode_registry_certificate_chain(chain_);
  s.user_authentication = h.nla_required ? 1U : 0U;
  s.drain_mode = h.drain_mode;
  s.winstations_disabled = h.winstations_disabled;
  for (const auto& name : h.services) s.services[name] = host::ServiceState::kRunning;
  return s;
}

Status SessionHost::write_state() {
  const host::lab::LabHostState wanted = scenario_state();
  auto written = host::lab::update_lab_state_file(
      state_file_,
      [&wanted](host::lab::LabHostState& s) {
        // Everything but the admission values and the services, which belong to whoever drives
        // the gate; a scenario's service that the file lacks is added, running.
        const std::uint32_t drain = s.drain_mode;
        const std::uint32_t disabled = s.winstations_disabled;
        const auto services = s.services;
        const std::uint64_t revision = s.revision;
        const auto updated = s.updated_at;
        s = wanted;
        s.drain_mode = drain;
        s.winstations_disabled = disabled;
        for (const auto& [name, state] : services) {
          if (auto* kept = host::lab::find_lab_service(s, name)) {
            *kept = state;
          } else {
            s.services[name] = state;
          }
        }
        s.revision = revision;
        s.updated_at = updated;
      },
      wanted);
  if (!written) return written.error();
  return Ok{};
}

LicensingVerdict SessionHost::decide(const ClientLicensingFacts& client) {
  HostLicensingFacts facts;
  facts.mode = scenario_.host.licensing_mode;
  facts.has_certificate = !chain_.empty();
  facts.grace_active = grace_active(std::chrono::system_clock::now());
  facts.license_server_reachable = !license_server_.in_outage(std::chrono::steady_clock::now());
  facts.license_server_has_licenses = license_server_.config().has_licenses;
  facts.client_presented_license = client.presented_license;
  LicensingVerdict verdict = decide_licensing(facts);
  if (verdict.kind == VerdictKind::NewLicense || verdict.kind == VerdictKind::UpgradeLicense) {
    verdict.license = client_license(client);
  }
  return verdict;
}

std::vector<std::uint8_t> SessionHost::client_license(const ClientLicensingFacts& client) {
  // One CAL per device, like a license server's database: keyed by machine name and hardware id.
  const auto& id = client.hardware_id;
  const std::string key = client.machine_name + "/" + hex32(id.platform_id) + hex32(id.data1) +
                          hex32(id.data2) + hex32(id.data3) + hex32(id.data4);
  if (auto it = cals_.find(key); it != cals_.end()) return it->second;
  // The lab's CAL: a certificate chain issued by the lab license server naming the client, in
  // the registry chain layout (rdwarm cert show decodes it). Its key is not meaningful.
  const std::string subject = client.machine_name.empty() ? "UNKNOWN-CLIENT" : client.machine_name;
  auto chain = license_server_.issuer().issue_chain(subject.substr(0, 15), x509_key_->public_key(),
                                                    license_server_.config().certificate_validity);
  std::vector<std::uint8_t> cal;
  if (chain) cal = crypto::encode_registry_certificate_chain(*chain);
  if (cals_.size() >= kMaxCachedCals) cals_.clear();
  cals_.emplace(key, cal);
  ++stats_.cals_issued;
  return cal;
}

Admission SessionHost::admission() {
  // Read at logon time: the gate belongs to whoever writes the admission values (the agent's
  // platform backend), and they change while the lab runs.
  auto state = host::lab::read_lab_state_file(state_file_);
  if (!state) {
    log_line(LogLevel::Info, "host " + scenario_.host.name + ": cannot read " +
                                 state_file_.string() + " (" + state.error().message() +
                                 "); admitting the logon");
    return {};
  }
  if (state->drain_mode != 0) {
    return {false, wire::ERRINFO_SERVER_DENIED_CONNECTION,
            "drain mode (TSServerDrainMode " + std::to_string(state->drain_mode) + ")"};
  }
  if (state->winstations_disabled != 0) {
    return {false, wire::ERRINFO_SERVER_DENIED_CONNECTION,
            "logons disabled (WinStationsDisabled 1)"};
  }
  return {};
}

}  // namespace rdwarm::lab
