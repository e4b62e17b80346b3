// What install registers, as text: the service's ImagePath, the task's arguments, and the Windows
// command-line quoting both rely on.
#include "imagebuild/install/install_layout.hpp"

#include <gtest/gtest.h>

#include "config/default_paths.hpp"
#include "config/loader.hpp"
#include "imagebuild/install/command_line.hpp"

namespace rdwarm::imagebuild::install {
namespace {

TEST(QuoteWindowsArgument, LeavesPlainTokensAlone) {
  EXPECT_EQ(quote_windows_argument("boot"), "boot");
  EXPECT_EQ(quote_windows_argument("C:\\ProgramData\\rdwarm\\rdwarm.toml"),
            "C:\\ProgramData\\rdwarm\\rdwarm.toml");
}

TEST(QuoteWindowsArgument, QuotesSpacesTabsQuotesAndEmpty) {
  EXPECT_EQ(quote_windows_argument(""), "\"\"");
  EXPECT_EQ(quote_windows_argument("C:\\Program Files\\rdwarm\\rdwarm.exe"),
            "\"C:\\Program Files\\rdwarm\\rdwarm.exe\"");
  EXPECT_EQ(quote_windows_argument("a\tb"), "\"a\tb\"");
  // A quote inside: escaped; backslashes before it doubled, plus one for the quote.
  EXPECT_EQ(quote_windows_argument("say \"hi\""), "\"say \\\"hi\\\"\"");
  EXPECT_EQ(quote_windows_argument("a\\\"b c"), "\"a\\\\\\\"b c\"");
  // Trailing backslashes are doubled so the closing quote stays a quote.
  EXPECT_EQ(quote_windows_argument("C:\\My Dir\\"), "\"C:\\My Dir\\\\\"");
  // Backslashes elsewhere stay single.
  EXPECT_EQ(quote_windows_argument("C:\\a b\\c"), "\"C:\\a b\\c\"");
}

TEST(JoinWindowsArguments, QuotesEachAndJoinsWithSpaces) {
  EXPECT_EQ(join_windows_arguments({"boot", "--config", "C:\\x y\\r.toml"}),
            "boot --config \"C:\\x y\\r.toml\"");
}

InstallLayout windows_layout() {
  InstallLayout layout;
  layout.install_dir = config::path_from_utf8("C:\\Program Files\\rdwarm");
  layout.data_dir = config::path_from_utf8("C:\\ProgramData\\rdwarm");
  layout.config_file = layout.data_dir / "rdwarm.toml";
  return layout;
}

TEST(InstallLayout, ServiceCommandLineRunsTheServiceWithTheInstalledConfig) {
  const auto layout = windows_layout();
  const auto exe = config::path_to_utf8(layout.executable());
  const auto cfg = config::path_to_utf8(layout.config_file);
  EXPECT_EQ(service_command_line(layout),
            "\"" + exe + "\" service --config " + quote_windows_argument(cfg));
  EXPECT_EQ(boot_task_arguments(layout),
            "boot --config " + quote_windows_argument(cfg) + " --no-progress");
}

TEST(InstallLayout, TaskSpecNamesTheInstalledFiles) {
  const auto layout = windows_layout();
  const auto spec = boot_task_spec(layout, config::default_config(), "1.2.3");
  EXPECT_EQ(spec.uri, "\\rdwarm\\boot-warmup");
  EXPECT_EQ(spec.command, config::path_to_utf8(layout.executable()));
  EXPECT_EQ(spec.working_directory, "C:\\ProgramData\\rdwarm");
  EXPECT_EQ(spec.version, "1.2.3");
  EXPECT_EQ(spec.restart_count, 3U);
  EXPECT_EQ(spec.restart_interval, std::chrono::minutes(1));
  EXPECT_EQ(spec.priority, 4);
}

TEST(InstallLayout, ServiceStopTimeoutCoversAnAttemptAndOneGateOperation) {
  auto cfg = config::default_config();
  EXPECT_EQ(service_stop_timeout(cfg), std::chrono::seconds(50));  // 20 s + 0 + 30 s
  cfg.gate.kind = config::GateKind::Service;
  cfg.gate.services = {"BrokerAgent"};
  EXPECT_EQ(service_stop_timeout(cfg), std::chrono::seconds(110));  // + one 60 s operation
}

TEST(InstallLayout, DefaultConfigTextLoadsAsTheDefaults) {
  // What install writes when it is given no configuration means "the documented defaults".
  auto loaded = config::load_config_text(kDefaultConfigText, "rdwarm.toml");
  ASSERT_TRUE(loaded.ok()) << loaded.error().message();
  EXPECT_EQ(*loaded, config::default_config());
}

}  // namespace
}  // namespace rdwarm::imagebuild::install
