// The pipeline examples in imagebuild/examples/: every JSON file parses; every step's list of
// success exit codes (Azure Image Builder validExitCodes, Packer valid_exit_codes, MDT
// successCodeList) holds only codes its rdwarm command ends with successfully and all of them; and
// the check and seal command lines the examples give are accepted by this rdwarm's parser (they
// reach the host, exit 1 on an empty lab, instead of exit 2 for a usage error).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "tests/support/ports.hpp"
#include "tests/support/run_cli.hpp"

namespace rdwarm::testing {
namespace {

using nlohmann::json;

const std::filesystem::path kExamples =
    std::filesystem::path(RDWARM_SOURCE_DIR) / "imagebuild" / "examples";

// The codes each `rdwarm image` step ends with when the pipeline should go on.
const std::map<std::string, std::set<int>> kSuccessCodes = {
    {"check", {0, 3}}, {"prewarm", {0, 3}}, {"seal", {0, 3}}, {"install", {0}}};

std::string read_all(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

// "... rdwarm.exe' image seal --planned-lifetime 30d" -> {"image", "seal", "--planned-lifetime",
// "30d"}.
std::vector<std::string> rdwarm_arguments(const std::string& line) {
  const auto at = line.find("image ");
  if (at == std::string::npos) return {};
  std::istringstream words(line.substr(at));
  std::vector<std::string> out;
  for (std::string w; words >> w;) out.push_back(w);
  return out;
}

std::set<int> code_list(const std::string& text) {
  std::set<int> out;
  const std::regex number("[0-9]+");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), number);
       it != std::sregex_iterator(); ++it) {
    out.insert(std::stoi(it->str()));
  }
  return out;
}

// Runs the example's command line against an empty lab state dir: options it does not know would
// be exit 2; known ones get as far as reading the host, which fails with exit 1.
void expect_accepted(std::vector<std::string> args) {
  const ScopedTempDir dir{"rdwarm-examples"};
  std::ofstream(dir.path() / "rdwarm.toml") << "";
  args.insert(args.end(), {"--config", (dir.path() / "rdwarm.toml").string(), "--platform", "lab",
                           "--lab-state-dir", dir.path().string()});
  std::string out;
  EXPECT_EQ(run_cli(args, out), 1) << ::testing::PrintToString(args) << "\n" << out;
}

TEST(Examples, EveryJsonFileParses) {
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(kExamples)) {
    if (entry.path().extension() != ".json") continue;
    ++files;
    const auto j = json::parse(read_all(entry.path()), nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << entry.path() << " is not valid JSON";
  }
  EXPECT_GE(files, 1u);
}

TEST(Examples, AzureImageBuilderCustomizersListTheSuccessCodes) {
  const auto customize =
      json::parse(read_all(kExamples / "azure-image-builder" / "customize.json"));
  ASSERT_TRUE(customize.is_array());
  std::set<std::string> steps;
  for (const auto& c : customize) {
    ASSERT_TRUE(c.contains("type") && c.contains("name")) << c.dump();
    if (c["type"] != "PowerShell") continue;
    ASSERT_TRUE(c["inline"].is_array() && c["inline"].size() == 2) << c.dump();
    EXPECT_EQ(c["inline"][1], "exit $LASTEXITCODE") << "rdwarm's exit code must reach the builder";
    EXPECT_EQ(c["runElevated"], true) << c.dump();
    const auto args = rdwarm_arguments(c["inline"][0].get<std::string>());
    ASSERT_GE(args.size(), 2u) << c.dump();
    steps.insert(args[1]);
    ASSERT_TRUE(kSuccessCodes.contains(args[1])) << args[1];
    const std::set<int> listed(c["validExitCodes"].begin(), c["validExitCodes"].end());
    EXPECT_EQ(listed, kSuccessCodes.at(args[1])) << c.dump();
    if (args[1] == "check" || args[1] == "seal") expect_accepted(args);
  }
  EXPECT_EQ(steps, (std::set<std::string>{"check", "prewarm", "install", "seal"}));
  EXPECT_EQ(customize.back()["name"], "rdwarm-image-seal") << "seal must be the last step";
}

TEST(Examples, PackerProvisionersListTheSuccessCodes) {
  const auto hcl = read_all(kExamples / "packer" / "rdwarm-session-host.pkr.hcl");
  // Each provisioner: its rdwarm command line, then its valid_exit_codes.
  const std::regex step(R"(image (\w+)([^"]*)\",[\s\S]*?valid_exit_codes = \[([0-9, ]*)\])");
  std::vector<std::string> order;
  for (auto it = std::sregex_iterator(hcl.begin(), hcl.end(), step); it != std::sregex_iterator();
       ++it) {
    const std::string command = (*it)[1];
    order.push_back(command);
    ASSERT_TRUE(kSuccessCodes.contains(command)) << command;
    EXPECT_EQ(code_list((*it)[3]), kSuccessCodes.at(command)) << it->str();
  }
  EXPECT_EQ(order, (std::vector<std::string>{"check", "prewarm", "install", "seal"}));
}

TEST(Examples, MdtStepsListTheSuccessCodes) {
  const auto xml = read_all(kExamples / "mdt" / "rdwarm-steps.xml");
  const std::regex step(
      R"re(successCodeList="([0-9 ]*)"[\s\S]*?<action>[^<]*rdwarm\.exe" (image [^<]*)</action>)re");
  std::vector<std::string> order;
  for (auto it = std::sregex_iterator(xml.begin(), xml.end(), step); it != std::sregex_iterator();
       ++it) {
    const auto args = rdwarm_arguments((*it)[2]);
    ASSERT_GE(args.size(), 2u) << it->str();
    order.push_back(args[1]);
    EXPECT_EQ(code_list((*it)[1]), kSuccessCodes.at(args[1])) << it->str();
    if (args[1] == "check" || args[1] == "seal") expect_accepted(args);
  }
  EXPECT_EQ(order, (std::vector<std::string>{"check", "prewarm", "install", "seal"}));
}

}  // namespace
}  // namespace rdwarm::testing
