// `rdwarm image install [--as-service]` and `rdwarm image uninstall` (docs/image-install.md), as
// subcommands of `rdwarm image`. The work is imagebuild/install's; this file parses the options,
// supplies the gate-journal check and prints the report.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace rdwarm::cli {

struct ImageInstallArgs {
  bool as_service = false;
  std::string config_file;  // --config: the configuration to install
  std::string install_dir;  // --install-dir: default %ProgramFiles%\rdwarm
  bool print_task_xml = false;
  bool json = false;
};

struct ImageUninstallArgs {
  bool json = false;
};

int run_image_install(const ImageInstallArgs& args);
int run_image_uninstall(const ImageUninstallArgs& args);

// Adds `install` and `uninstall` under `image`; the arguments live in this object, so it must
// outlive the parse and stay where it is.
class ImageInstallCommands {
 public:
  explicit ImageInstallCommands(CLI::App& image);
  ImageInstallCommands(const ImageInstallCommands&) = delete;
  ImageInstallCommands& operator=(const ImageInstallCommands&) = delete;
  ImageInstallCommands(ImageInstallCommands&&) = delete;
  ImageInstallCommands& operator=(ImageInstallCommands&&) = delete;
  ~ImageInstallCommands() = default;

  [[nodiscard]] bool selected() const;
  [[nodiscard]] int run() const;

 private:
  CLI::App* install_ = nullptr;
  CLI::App* uninstall_ = nullptr;
  ImageInstallArgs install_args_;
  ImageUninstallArgs uninstall_args_;
};

}  // namespace rdwarm::cli
