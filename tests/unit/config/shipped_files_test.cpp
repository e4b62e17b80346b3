// config/rdwarm.toml is the key reference: it must load to exactly default_config() and document
// every key the loader knows; every broker example must load.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "config/agent_config.hpp"
#include "config/loader.hpp"
#include "config/schema.hpp"

namespace rdwarm::config {
namespace {

const std::filesystem::path kConfigDir = std::filesystem::path(RDWARM_SOURCE_DIR) / "config";

std::string read_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(ConfigShipped, LoadsToTheDefaults) {
  const auto config = load_config_file(kConfigDir / "rdwarm.toml");
  ASSERT_TRUE(config.ok()) << config.error().message();
  EXPECT_EQ(*config, default_config()) << to_toml(*config) << "\n---\n"
                                       << to_toml(default_config());
}

TEST(ConfigShipped, SetsEveryKnownKeyAndNoOther) {
  const auto written = written_keys(read_file(kConfigDir / "rdwarm.toml"), "rdwarm.toml");
  ASSERT_TRUE(written.ok()) << written.error().message();
  std::vector<std::string> in_file;
  for (const auto& k : *written) in_file.push_back(k.name);
  std::vector<std::string> known;
  for (const auto& k : known_keys())
    known.push_back(std::string(k.table) + "." + std::string(k.key));
  // Same keys, in the same order: rdwarm.toml is the reference and reads in schema order.
  EXPECT_EQ(in_file, known);
  EXPECT_EQ(known.size(), 41U);
}

TEST(ConfigShipped, DocumentsEveryKeyWithItsDefault) {
  const std::string text = read_file(kConfigDir / "rdwarm.toml");
  const auto lines = lines_of(text);
  const auto written = written_keys(text, "rdwarm.toml");
  ASSERT_TRUE(written.ok()) << written.error().message();
  for (const auto& k : *written) {
    ASSERT_GE(k.line, 2U) << k.name;
    // The comment block right above the key.
    std::string block;
    for (std::size_t i = k.line - 1; i > 0 && lines[i - 1].starts_with('#'); --i) {
      block = lines[i - 1] + "\n" + block;
    }
    EXPECT_FALSE(block.empty()) << k.name << " (line " << k.line << ") has no comment above it";
    EXPECT_NE(block.find("Default: "), std::string::npos)
        << k.name << " (line " << k.line << ") does not document its default:\n"
        << block;
  }
}

TEST(ConfigShipped, DefaultsInCommentsMatchTheValues) {
  // "Default: X." in the comment must be the value written below it, so the prose cannot drift.
  const std::string text = read_file(kConfigDir / "rdwarm.toml");
  const auto lines = lines_of(text);
  const auto written = written_keys(text, "rdwarm.toml");
  ASSERT_TRUE(written.ok());
  for (const auto& k : *written) {
    const std::string& line = lines[k.line - 1];
    const std::string value = line.substr(line.find(" = ") + 3);
    std::string block;
    for (std::size_t i = k.line - 1; i > 0 && lines[i - 1].starts_with('#'); --i) {
      block = lines[i - 1] + " " + block;
    }
    EXPECT_NE(block.find("Default: " + value), std::string::npos)
        << k.name << ": the comment does not say \"Default: " << value << "\"";
  }
}

struct Example {
  const char* file;
  GateKind gate;
};

TEST(ConfigExamples, EveryExampleLoads) {
  std::set<std::string> found;
  for (const auto& entry : std::filesystem::directory_iterator(kConfigDir / "examples")) {
    if (entry.path().extension() != ".toml") continue;
    found.insert(entry.path().filename().string());
    const auto config = load_config_file(entry.path());
    EXPECT_TRUE(config.ok()) << config.error().message();
  }
  const std::set<std::string> expected{"avd.toml", "citrix.toml", "horizon.toml", "lab.toml",
                                       "rds.toml"};
  EXPECT_EQ(found, expected);
}

TEST(ConfigExamples, EachBrokerUsesItsGate) {
  for (const Example& e :
       {Example{"citrix.toml", GateKind::Service}, Example{"horizon.toml", GateKind::Drain},
        Example{"avd.toml", GateKind::Drain}, Example{"rds.toml", GateKind::Drain},
        Example{"lab.toml", GateKind::Drain}}) {
    const auto config = load_config_file(kConfigDir / "examples" / e.file);
    ASSERT_TRUE(config.ok()) << config.error().message();
    EXPECT_EQ(config->gate.kind, e.gate) << e.file;
  }
  const auto citrix = load_config_file(kConfigDir / "examples" / "citrix.toml");
  ASSERT_TRUE(citrix.ok());
  EXPECT_EQ(citrix->gate.services, std::vector<std::string>{"BrokerAgent"});

  const auto lab = load_config_file(kConfigDir / "examples" / "lab.toml");
  ASSERT_TRUE(lab.ok());
  EXPECT_EQ(lab->platform.kind, PlatformKind::Lab);
  EXPECT_LT(lab->warmup.deadline, default_config().warmup.deadline);
  EXPECT_FALSE(lab->logging.event_log);
}

TEST(ConfigExamples, EachStartsWithAHeaderSayingWhenToUseIt) {
  for (const auto& entry : std::filesystem::directory_iterator(kConfigDir / "examples")) {
    if (entry.path().extension() != ".toml") continue;
    const auto lines = lines_of(read_file(entry.path()));
    ASSERT_FALSE(lines.empty());
    EXPECT_TRUE(lines.front().starts_with("# ")) << entry.path();
    std::string header;
    for (const auto& line : lines) {
      if (!line.starts_with('#')) break;
      header += line + "\n";
    }
    EXPECT_NE(header.find("Use "), std::string::npos) << entry.path() << ":\n" << header;
  }
}

}  // namespace
}  // namespace rdwarm::config
