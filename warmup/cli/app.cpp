#include "warmup/cli/app.hpp"

#include <CLI/CLI.hpp>

namespace rdwarm::cli {
int run(int argc, char** argv) {
  CLI::App app{"rdwarm: keeps the first user of a session host from being refused by RDS licensing"};
  app.set_version_flag("--version", RDWARM_VERSION);
  app.require_subcommand(1);
  CLI11_PARSE(app, argc, argv);
  return 0;
}
}  // namespace rdwarm::cli
