// `rdwarm image ...`: the image-pipeline commands (DESIGN.md, Image pipelines). This file adds
// `image`, `image check`, `image prewarm` and `image seal`; install adds its own under
// image_app().
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "warmup/cli/boot_command.hpp"

namespace rdwarm::cli {

struct ImageCheckArgs {
  std::string config_file;       // --config; empty: $RDWARM_CONFIG or the default path
  std::string platform;          // overrides [platform] kind
  std::string lab_state_dir;     // overrides [platform] lab_state_dir
  std::string planned_lifetime;  // overrides [image] planned_lifetime
  std::string ls_ports = "135,445";
  std::string dns_timeout = "2s";
  std::string connect_timeout = "2s";
  std::vector<std::string> skip;  // check ids
  bool json = false;
};

int run_image_check(const ImageCheckArgs& args);

struct ImageSealArgs {
  ImageCheckArgs check;  // the same checks as `image check` (json is not used)
  std::string manifest;  // overrides [image] manifest
};

// The checks, then the manifest (docs/image-seal.md): 0 sealed, 3 sealed (nothing for rdwarm to
// do on this host), 14/15 refused as `image check`, 2 usage, 1 host unreadable or manifest not
// written. A refusal writes no manifest.
int run_image_seal(const ImageSealArgs& args);

// `rdwarm image prewarm`: run_boot() with BootArgs::prewarm set; the boot agent's exit codes.
int run_image_prewarm(BootArgs args);

// Adds `image` and its subcommands to the application; the arguments live in this object, so it
// must outlive the parse and stay where it is.
class ImageCommand {
 public:
  explicit ImageCommand(CLI::App& app);
  ImageCommand(const ImageCommand&) = delete;
  ImageCommand& operator=(const ImageCommand&) = delete;
  ImageCommand(ImageCommand&&) = delete;
  ImageCommand& operator=(ImageCommand&&) = delete;
  ~ImageCommand() = default;

  // True when `image check`, `prewarm` or `seal` was given; install answers for itself.
  [[nodiscard]] bool selected() const;
  [[nodiscard]] int run() const;

  // The `image` subcommand, for prewarm, seal and install to add theirs under.
  [[nodiscard]] CLI::App& image_app() { return *image_; }

 private:
  CLI::App* image_ = nullptr;
  CLI::App* check_ = nullptr;
  CLI::App* prewarm_ = nullptr;
  CLI::App* seal_ = nullptr;
  ImageCheckArgs check_args_;
  BootArgs prewarm_args_;
  ImageSealArgs seal_args_;
};

}  // namespace rdwarm::cli
