#include "warmup/cli/image_command.hpp"

#include <iostream>

#include "config/default_paths.hpp"
#include "config/duration.hpp"
#include "config/loader.hpp"
#include "imagebuild/preflight/checks.hpp"
#include "imagebuild/preflight/reachability.hpp"
#include "imagebuild/report/image_check_report.hpp"
#include "imagebuild/seal/seal_manifest.hpp"
#include "licensing/host/atomic_file.hpp"
#include "warmup/cli/arguments.hpp"
#include "warmup/cli/exit_codes.hpp"
#include "warmup/cli/host_choice.hpp"
#include "warmup/credentials/credential_store.hpp"
#include "warmup/credentials/resolver.hpp"

namespace rdwarm::cli {

namespace {

// Reachability waits are bounded by these; a pipeline step must not hang on a dead network.
constexpr std::chrono::seconds kMaxNetworkTimeout{60};

int exit_code_for(imagebuild::PreflightVerdict verdict) {
  switch (verdict) {
    case imagebuild::PreflightVerdict::kNotApplicable:
      return kExitNotApplicable;
    case imagebuild::PreflightVerdict::kGraceEndsInLifetime:
      return kExitGraceEndsInLifetime;
    case imagebuild::PreflightVerdict::kFatal:
      return kExitPreflightFailed;
    case imagebuild::PreflightVerdict::kPass:
      break;
  }
  return kExitReady;
}

Result<std::chrono::milliseconds> network_timeout(const std::string& option,
                                                  const std::string& text) {
  auto d = parse_duration(text);
  if (!d) return d.error();
  if (d->count() <= 0 || *d > kMaxNetworkTimeout) {
    return make_error(option, text, "must be more than 0 and at most 60s");
  }
  return *d;
}

Status apply_skip_list(const std::vector<std::string>& items, imagebuild::PreflightOptions& o) {
  for (const auto& id : items) {
    if (!imagebuild::is_known_check_id(id)) {
      std::string known;
      for (const auto k : imagebuild::kAllCheckIds) {
        known += (known.empty() ? "" : ", ") + std::string(k);
      }
      return make_error("--skip", id, "is not a check id; the checks are " + known);
    }
    o.skip.insert(id);
  }
  return Ok{};
}

// What `check` and `seal` share: the configuration, the snapshot and the report. `failed` is the
// exit code when they could not be made (usage 2, host unreadable 1).
struct CheckRun {
  std::optional<int> failed;
  config::AgentConfig config;
  host::LicensingSnapshot snapshot;
  imagebuild::ImageCheckReport report;
};

CheckRun run_checks(const ImageCheckArgs& a, const char* command) {
  CheckRun run;
  const auto usage = [&](const std::string& message) {
    std::cerr << command << ": " << message << "\n";
    run.failed = kExitUsage;
    return std::move(run);
  };
  auto loaded = config::load_effective_config(a.config_file);
  if (!loaded) return usage(loaded.error().message());
  run.config = loaded->config;
  auto& cfg = run.config;
  if (!a.lab_state_dir.empty()) cfg.platform.lab_state_dir = a.lab_state_dir;

  imagebuild::PreflightOptions options;
  options.planned_lifetime = cfg.image.planned_lifetime;
  if (!a.planned_lifetime.empty()) {
    auto d = config::parse_duration(a.planned_lifetime);
    if (!d) return usage("--planned-lifetime: " + d.error().what);
    options.planned_lifetime = *d;
  }
  if (options.planned_lifetime.count() <= 0) {
    return usage("the planned lifetime must be longer than 0 (e.g. 30d)");
  }
  if (auto s = apply_skip_list(a.skip, options); !s) return usage(s.error().message());
  // The NLA account the warm-up will use, checked the way the boot agent resolves it.
  auto store = credentials::make_platform_store(cfg.nla);
  if (auto nla = credentials::resolve_credentials(cfg.nla, *store); !nla) {
    options.nla_problem = nla.error().message();
  } else if (*nla) {
    options.nla_account = credentials::describe(**nla);
  }

  imagebuild::ReachabilityOptions reach_options;
  auto ports = imagebuild::parse_port_list(a.ls_ports);
  if (!ports) return usage("--ls-ports: " + ports.error().what);
  reach_options.ports = *ports;
  auto dns_timeout = network_timeout("--dns-timeout", a.dns_timeout);
  if (!dns_timeout) return usage(dns_timeout.error().message());
  reach_options.dns_timeout = *dns_timeout;
  auto connect_timeout = network_timeout("--connect-timeout", a.connect_timeout);
  if (!connect_timeout) return usage(connect_timeout.error().message());
  reach_options.connect_timeout = *connect_timeout;

  HostChoice choice;
  choice.platform =
      a.platform.empty()
          ? std::string(config::to_string(config::effective_platform(cfg.platform.kind)))
          : a.platform;
  choice.lab_state_dir = cfg.platform.lab_state_dir;
  auto platform = open_host_platform(choice);
  if (!platform) return usage(platform.error().message());
  auto snapshot = (*platform)->read_snapshot();
  if (!snapshot) {
    std::cerr << command
              << ": cannot read the host's licensing state: " << snapshot.error().message() << "\n";
    run.failed = kExitInternal;
    return run;
  }
  run.snapshot = *snapshot;

  std::optional<std::vector<imagebuild::ServerReachability>> reachability;
  const auto servers = imagebuild::servers_to_reach(*snapshot, options);
  if (!servers.empty()) reachability = imagebuild::probe_license_servers(servers, reach_options);

  auto& report = run.report;
  report.rdwarm_version = RDWARM_VERSION;
  report.platform = snapshot->platform;
  report.checked_at = snapshot->taken_at;
  report.planned_lifetime = options.planned_lifetime;
  report.preflight = imagebuild::run_preflight_checks(*snapshot, options, reachability);
  report.grace = snapshot->grace;
  if (reachability) report.license_servers = *reachability;
  report.exit_code = exit_code_for(report.preflight.verdict);
  return run;
}

}  // namespace

int run_image_check(const ImageCheckArgs& a) {
  const auto run = run_checks(a, "rdwarm image check");
  if (run.failed) return *run.failed;
  if (a.json) {
    std::cout << imagebuild::image_check_json(run.report).dump(2) << "\n";
  } else {
    std::cout << imagebuild::image_check_text(run.report);
  }
  return run.report.exit_code;
}

int run_image_seal(const ImageSealArgs& a) {
  constexpr const char* kCommand = "rdwarm image seal";
  const auto run = run_checks(a.check, kCommand);
  if (run.failed) return *run.failed;
  std::cout << imagebuild::image_check_text(run.report) << "\n";
  const int code = run.report.exit_code;
  if (code != kExitReady && code != kExitNotApplicable) {
    std::cout << kCommand << ": not sealed, no manifest written: a check failed (above). Fix it "
              << "and run the seal step again, or skip a check you accept with --skip ID "
              << "(the manifest then records it as skipped). (exit " << code << ")\n";
    return code;
  }
  const auto file = imagebuild::seal_manifest_path(
      a.manifest.empty() ? run.config.image.manifest : config::path_from_utf8(a.manifest),
      run.snapshot.platform == "lab", run.config.platform.lab_state_dir);
  const auto manifest = imagebuild::make_seal_manifest(
      run.snapshot, run.report.preflight, run.report.planned_lifetime, RDWARM_VERSION, code);
  const auto text = imagebuild::seal_manifest_json(manifest).dump(2) + "\n";
  if (auto w = host::write_file_atomically(file, text, "seal manifest",
                                           "set [image] manifest or --manifest to a writable path");
      !w) {
    std::cerr << kCommand << ": the manifest could not be written: " << w.error().message()
              << "; the image is not sealed.\n";
    return kExitInternal;
  }
  std::cout << kCommand << ": sealed; manifest written to " << config::path_to_utf8(file)
            << (code == kExitNotApplicable ? " (rdwarm has nothing to warm up on this host)" : "")
            << " (exit " << code << ")\n";
  return code;
}

int run_image_prewarm(BootArgs args) {
  args.prewarm = true;
  return run_boot(args);
}

namespace {

// The options of `check`, which `seal` shares (docs/image-check.md).
void add_check_options(CLI::App* cmd, ImageCheckArgs& a) {
  cmd->add_option("--planned-lifetime", a.planned_lifetime,
                  "How long VMs made from the image live, e.g. 30d (overrides [image] "
                  "planned_lifetime; default 30d)");
  cmd->add_option("--config", a.config_file,
                  "rdwarm.toml (default: $RDWARM_CONFIG, then the platform's default path)");
  cmd->add_option("--platform", a.platform, "Override [platform] kind: windows or lab");
  cmd->add_option("--lab-state-dir", a.lab_state_dir, "Override [platform] lab_state_dir");
  cmd->add_option("--skip", a.skip, "Check ids to skip, e.g. ls-reachable")->delimiter(',');
  cmd->add_option("--ls-ports", a.ls_ports,
                  "TCP ports tried on each license server (RPC endpoint mapper, SMB)")
      ->capture_default_str();
  cmd->add_option("--dns-timeout", a.dns_timeout, "Name lookup timeout per license server")
      ->capture_default_str();
  cmd->add_option("--connect-timeout", a.connect_timeout, "TCP connect timeout per port")
      ->capture_default_str();
  // A pipeline may append an override to a fixed command line: the last value wins.
  for (const auto* name :
       {"--planned-lifetime", "--ls-ports", "--dns-timeout", "--connect-timeout"}) {
    cmd->get_option(name)->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  }
}

}  // namespace

ImageCommand::ImageCommand(CLI::App& app) {
  image_ = app.add_subcommand("image",
                              "Image pipelines: check, prewarm and seal an image before it ships");
  image_->require_subcommand(1);

  check_ = image_->add_subcommand(
      "check",
      "Pre-flight checks: will VMs made from this image refuse their first user? "
      "(docs/image-check.md)");
  check_->add_flag("--json", check_args_.json, "Print JSON (schema rdwarm.image-check/1)");
  add_check_options(check_, check_args_);

  auto& p = prewarm_args_;
  prewarm_ = image_->add_subcommand(
      "prewarm",
      "Run the boot warm-up once in the image, gate `none`, no health endpoint; exit codes as "
      "`rdwarm boot` (docs/image-seal.md)");
  prewarm_->add_option("--config", p.config_file,
                       "rdwarm.toml (default: $RDWARM_CONFIG, then the platform's default path)");
  prewarm_->add_option("--platform", p.platform, "Override [platform] kind: windows or lab");
  prewarm_->add_option("--lab-state-dir", p.lab_state_dir, "Override [platform] lab_state_dir");
  prewarm_->add_option("--target", p.target, "Override [target] as HOST:PORT");
  prewarm_->add_option("--deadline", p.deadline, "Override [warmup] deadline, e.g. 5m");
  prewarm_->add_option("--status-file", p.status_file, "Override [status] file");
  prewarm_->add_option("--journal", p.journal_file, "Override [gate] journal");
  prewarm_->add_flag("--no-progress", p.no_progress, "No progress line on standard output");

  seal_ = image_->add_subcommand(
      "seal",
      "Run the image checks, then write the seal manifest the boot agent shows on every boot; "
      "refuses (exit 14/15, no manifest) when a check fails (docs/image-seal.md)");
  add_check_options(seal_, seal_args_.check);
  seal_->add_option("--manifest", seal_args_.manifest,
                    "Where to write the manifest (overrides [image] manifest)");
}

bool ImageCommand::selected() const {
  return check_->parsed() || prewarm_->parsed() || seal_->parsed();
}

int ImageCommand::run() const {
  if (prewarm_->parsed()) return run_image_prewarm(prewarm_args_);
  if (seal_->parsed()) return run_image_seal(seal_args_);
  return run_image_check(check_args_);
}

}  // namespace rdwarm::cli
