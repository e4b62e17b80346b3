// The emulated session host's licensing state, shared by all its connections: its key pairs and
// the certificate it presents, its grace period and licensing mode, its license server, and the
// host state file it keeps the way Windows keeps the registry (docs/lab-state-file.md).
//
// Like Windows [MS-RDPELE 3.2.5.5], a host without a license-server certificate presents a
// proprietary certificate (512-bit key) and, when a connection starts licensing, asks its license
// server for an X.509 chain in the background: one request at a time, retried by the next
// connection if it fails. When the chain arrives the host presents it (2048-bit key) and stores it
// as "X509 Certificate2" in the state file.
//
// Single-threaded: every call, and the license server's completion, runs on the lab's one
// io_context thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lab/license_server/certificate_issuer.hpp"
#include "lab/license_server/license_server.hpp"
#include "lab/scenario/scenario.hpp"
#include "lab/session_host/host_rsa_key.hpp"
#include "lab/session_host/host_services.hpp"
#include "licensing/host/lab/lab_state_file.hpp"
#include "licensing/wire/result.hpp"

namespace rdwarm::lab {

struct SessionHostStats {
  std::uint64_t certificate_requests = 0;  // requests this host sent to its license server
  std::uint64_t certificate_failures = 0;
  std::uint64_t competing_requests = 0;  // boot-storm requests from the emulated other hosts
  std::uint64_t competing_issued = 0;
  std::uint64_t cals_issued = 0;                               // per-device licenses
  std::optional<std::chrono::milliseconds> certificate_after;  // lab start -> chain installed
};

class SessionHost final : public HostServices {
 public:
  SessionHost(Scenario scenario, std::filesystem::path state_file, LicenseServer& license_server);
  ~SessionHost() override { *alive_ = false; }
  SessionHost(const SessionHost&) = delete;
  SessionHost& operator=(const SessionHost&) = delete;

  // Generates the keys, installs the scenario's certificate (if it starts with one), writes the
  // state file and lets the competing hosts of a boot storm ask the license server.
  Status start();

  [[nodiscard]] bool licensing_required() const override { return scenario_.host.rdsh_role; }
  std::shared_ptr<const LicensingCredentials> begin_licensing() override;
  LicensingVerdict decide(const ClientLicensingFacts& client) override;
  Admission admission() override;

  [[nodiscard]] bool has_certificate() const { return !chain_.empty(); }
  [[nodiscard]] const std::vector<std::vector<std::uint8_t>>& chain() const { return chain_; }
  [[nodiscard]] bool certificate_request_outstanding() const { return request_outstanding_; }
  [[nodiscard]] const SessionHostStats& stats() const { return stats_; }
  [[nodiscard]] const std::filesystem::path& state_file() const { return state_file_; }
  [[nodiscard]] const Scenario& scenario() const { return scenario_; }
  [[nodiscard]] bool grace_active(std::chrono::system_clock::time_point now) const;

 private:
  void request_certificate();
  Status install_chain(std::vector<std::vector<std::uint8_t>> chain, bool write_state);
  Status write_state();
  std::vector<std::uint8_t> client_license(const ClientLicensingFacts& client);
  host::lab::LabHostState scenario_state() const;

  Scenario scenario_;
  std::filesystem::path state_file_;
  LicenseServer& license_server_;
  std::chrono::steady_clock::time_point started_{};
  std::optional<std::chrono::system_clock::time_point> grace_end_;

  std::shared_ptr<const HostRsaKey> proprietary_key_;  // 512-bit, for the proprietary certificate
  std::shared_ptr<const HostRsaKey> x509_key_;         // 2048-bit, certified by the license server
  std::shared_ptr<const LicensingCredentials> proprietary_;
  std::shared_ptr<const LicensingCredentials> current_;
  std::vector<std::vector<std::uint8_t>> chain_;
  bool request_outstanding_ = false;
  std::map<std::string, std::vector<std::uint8_t>> cals_;  // per-device CALs by client
  SessionHostStats stats_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace rdwarm::lab
