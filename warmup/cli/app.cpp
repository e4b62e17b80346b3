#include "warmup/cli/app.hpp"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>

#include "licensing/crypto/registry_chain.hpp"
#include "licensing/probe/probe.hpp"
#include "warmup/cli/arguments.hpp"
#include "warmup/cli/boot_command.hpp"
#include "warmup/cli/cert_input.hpp"
#include "warmup/cli/credentials_command.hpp"
#include "warmup/cli/exit_codes.hpp"
#include "warmup/cli/host_choice.hpp"
#include "warmup/cli/image_command.hpp"
#include "warmup/cli/image_install_command.hpp"
#include "warmup/cli/probe_report.hpp"
#include "warmup/cli/status_report.hpp"
#include "warmup/cli/verdict.hpp"
#include "warmup/service/service_command.hpp"

namespace rdwarm::cli {

namespace {

struct ProbeArgs {
  std::string target = "127.0.0.1:3389";
  bool json = false;
  std::string timeout = "20s";
  std::string connect_timeout = "2s";
  std::string phase_timeout = "5s";
  std::string client_name = "RDWARM";
  std::string user_name = "rdwarm";
  ProbeCredentialFlags nla;
};

int usage_error(const std::string& message) {
  std::cerr << "rdwarm: " << message << "\n";
  return kExitUsage;
}

int run_probe_command(ProbeArgs& a) {
  probe::ProbeOptions options;
  auto target = parse_target(a.target);
  if (!target) return usage_error(target.error().message());
  options.host = target->host;
  options.port = target->port;
  for (auto [text, out] : {std::pair{&a.timeout, &options.overall_timeout},
                           std::pair{&a.connect_timeout, &options.connect_timeout},
                           std::pair{&a.phase_timeout, &options.phase_timeout}}) {
    auto d = parse_duration(*text);
    if (!d) return usage_error(d.error().message());
    *out = *d;
  }
  if (a.client_name.empty() || a.client_name.size() > 15) {
    return usage_error("--client-name must be 1 to 15 characters (it is the RDP client name)");
  }
  options.identity = connector::ClientIdentity::for_machine(a.client_name);
  options.identity.user_name = a.user_name;
  auto credentials = probe_credentials(a.nla);
  if (!credentials) return usage_error(credentials.error().message());
  options.credentials = std::move(credentials).value();
  options.nla_tokens =
      a.nla.tokens == "ntlm" ? auth::TokenFormat::kRawNtlm : auth::TokenFormat::kSpnego;
  const auto result = probe::run_probe(options);
  const auto verdict = verdict_for(result);
  if (a.json) {
    std::cout << probe_json(result, verdict).dump(2) << "\n";
  } else {
    std::cout << probe_text(result, verdict);
  }
  return verdict.exit_code;
}

int run_cert_show(const std::string& path, bool json) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return usage_error("cannot open " + path);
  const std::vector<std::uint8_t> file((std::istreambuf_iterator<char>(in)),
                                       std::istreambuf_iterator<char>());
  auto value = certificate_value_from_file_bytes(file);
  if (!value) {
    std::cerr << "rdwarm: " << path << ": " << value.error().message() << "\n";
    return kExitUsage;
  }
  auto chain = crypto::decode_registry_certificate_chain(*value);
  if (!chain) {
    std::cerr << "rdwarm: " << path
              << ": not a license-server certificate chain: " << chain.error().message() << "\n";
    return kExitNoCertificate;
  }
  if (json) {
    nlohmann::json j{{"schema", "rdwarm.certificate-chain/1"},
                     {"file", path},
                     {"certificates", nlohmann::json::array()}};
    for (const auto& c : *chain) j["certificates"].push_back(certificate_json(c));
    std::cout << j.dump(2) << "\n";
    return kExitReady;
  }
  std::cout << "Certificate chain in " << path << ": " << chain->size()
            << " certificate(s), root first\n";
  for (std::size_t i = 0; i < chain->size(); ++i) {
    const auto& c = (*chain)[i];
    const bool leaf = i + 1 == chain->size();
    std::cout << "\n[" << i << "] "
              << (leaf     ? "session host certificate"
                  : i == 0 ? "license server (root)"
                           : "intermediate")
              << "\n    subject   " << c.subject << "\n    issuer    " << c.issuer
              << "\n    valid     " << c.not_before << " .. " << c.not_after << "\n    key       "
              << c.key_bits << "-bit RSA"
              << "\n    serial    " << c.serial_hex
              << (c.has_microsoft_licensing_extensions
                      ? "\n    carries the Microsoft licensing extensions (1.3.6.1.4.1.311.18)"
                      : "")
              << "\n";
  }
  return kExitReady;
}

int run_status(const HostChoice& choice, const std::string& config_file, bool json) {
  auto platform = open_host_platform(choice);
  if (!platform) return usage_error(platform.error().message());
  auto snapshot = (*platform)->read_snapshot();
  if (!snapshot) {
    std::cerr << "rdwarm: cannot read the host's licensing state: " << snapshot.error().message()
              << "\n";
    return kExitInternal;
  }
  const auto readiness = host::evaluate_readiness(*snapshot, std::nullopt);
  const auto image = image_facts_for_status(choice, config_file, snapshot->platform);
  if (json) {
    std::cout << status_json(*snapshot, readiness, image).dump(2) << "\n";
  } else {
    std::cout << status_text(*snapshot, readiness, image);
  }
  return status_exit_code(readiness);
}

void add_host_options(CLI::App* cmd, HostChoice& choice) {
  cmd->add_option(
      "--platform", choice.platform,
      "Where the host state is read: windows (registry) or lab (rdwarm-lab state file); "
      "default: " +
          default_platform_name());
  cmd->add_option("--lab-state-dir", choice.lab_state_dir,
                  "rdwarm-lab --state-dir (default $RDWARM_LAB_STATE_DIR or <tmp>/rdwarm-lab)");
}

}  // namespace

int run(int argc, char** argv) {
  CLI::App app{
      "rdwarm: keeps the first user of a session host from being refused by RDS licensing"};
  app.set_version_flag("--version", RDWARM_VERSION);
  app.require_subcommand(1);

  ProbeArgs pa;
  auto* probe_cmd = app.add_subcommand(
      "probe",
      "Connect to a session host through the whole licensing exchange and report the verdict");
  probe_cmd->add_option("target", pa.target, "HOST[:PORT] of the session host")
      ->capture_default_str();
  probe_cmd->add_flag("--json", pa.json, "Print the versioned JSON object (schema rdwarm.probe/1)");
  probe_cmd->add_option("--timeout", pa.timeout, "Overall deadline, e.g. 20s, 1500ms")
      ->capture_default_str();
  probe_cmd->add_option("--connect-timeout", pa.connect_timeout, "TCP connect timeout")
      ->capture_default_str();
  probe_cmd->add_option("--phase-timeout", pa.phase_timeout, "Timeout of each phase after connect")
      ->capture_default_str();
  probe_cmd
      ->add_option("--client-name", pa.client_name,
                   "Client machine name sent to the host (stable: the license server tracks it)")
      ->capture_default_str();
  probe_cmd
      ->add_option("--user-name", pa.user_name, "ClientUserName sent in the New License Request")
      ->capture_default_str();
  add_probe_credential_options(*probe_cmd, pa.nla);

  auto* cert_cmd = app.add_subcommand("cert", "Inspect license-server certificate chains");
  cert_cmd->require_subcommand(1);
  std::string cert_file;
  bool cert_json = false;
  auto* show = cert_cmd->add_subcommand(
      "show", "Decode an `X509 Certificate2` registry value (raw or reg export)");
  show->add_option("file", cert_file, "File with the raw value or `reg export` text")->required();
  show->add_flag("--json", cert_json, "Print JSON (schema rdwarm.certificate-chain/1)");

  HostChoice status_host;
  std::string status_config;
  bool status_json_flag = false;
  auto* status_cmd = app.add_subcommand(
      "status", "Show the host's licensing state and whether users may be admitted");
  status_cmd->add_flag("--json", status_json_flag, "Print JSON (schema rdwarm.status/1)");
  add_host_options(status_cmd, status_host);
  status_cmd->add_option("--config", status_config,
                         "rdwarm.toml, for [image] manifest (default: $RDWARM_CONFIG, then the "
                         "platform's default path)");

  BootArgs boot;
  auto* boot_cmd = app.add_subcommand(
      "boot",
      "Close the gate, warm up RD licensing until the certificate is present, open the gate");
  boot_cmd->add_option("--config", boot.config_file,
                       "rdwarm.toml (default: $RDWARM_CONFIG, then the platform's default path)");
  boot_cmd->add_flag("--serve", boot.serve, "Keep serving the health endpoint after the warm-up");
  boot_cmd->add_option("--platform", boot.platform, "Override [platform] kind: windows or lab");
  boot_cmd->add_option("--lab-state-dir", boot.lab_state_dir, "Override [platform] lab_state_dir");
  boot_cmd->add_option("--target", boot.target, "Override [target] as HOST:PORT");
  boot_cmd->add_option("--deadline", boot.deadline, "Override [warmup] deadline, e.g. 5m");
  boot_cmd->add_option("--health-listen", boot.health_listen,
                       "Override [health] listen, e.g. 127.0.0.1:0 for a free port");
  boot_cmd->add_option("--status-file", boot.status_file, "Override [status] file");
  boot_cmd->add_option("--journal", boot.journal_file, "Override [gate] journal");
  boot_cmd->add_flag("--no-progress", boot.no_progress, "No progress line on standard output");

  ImageCommand image(app);
  ImageInstallCommands image_install(image.image_app());
  service::ServiceCommand service_cmd(app);
  CredentialsCommand credentials_cmd(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : kExitUsage;
  }
  if (*probe_cmd) return run_probe_command(pa);
  if (*show) return run_cert_show(cert_file, cert_json);
  if (*boot_cmd) return run_boot(boot);
  if (*status_cmd) return run_status(status_host, status_config, status_json_flag);
  if (image.selected()) return image.run();
  if (image_install.selected()) return image_install.run();
  if (service_cmd.selected()) return service_cmd.run();
  if (credentials_cmd.selected()) return credentials_cmd.run();
  return kExitUsage;
}

}  // namespace rdwarm::cli
