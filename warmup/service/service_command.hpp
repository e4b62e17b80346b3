// `rdwarm service --config FILE`: the entry point of the Windows service (service_main.hpp). Hidden
// from --help: the service control manager runs it, people run `rdwarm boot --serve`.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace rdwarm::service {

// Adds the subcommand; the arguments live in this object, so it must outlive the parse.
class ServiceCommand {
 public:
  explicit ServiceCommand(CLI::App& app);
  ServiceCommand(const ServiceCommand&) = delete;
  ServiceCommand& operator=(const ServiceCommand&) = delete;
  ServiceCommand(ServiceCommand&&) = delete;
  ServiceCommand& operator=(ServiceCommand&&) = delete;
  ~ServiceCommand() = default;

  [[nodiscard]] bool selected() const;
  [[nodiscard]] int run() const;

 private:
  CLI::App* command_ = nullptr;
  std::string config_file_;
};

}  // namespace rdwarm::service
