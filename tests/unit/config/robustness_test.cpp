// A configuration file is input the agent does not control: damaged copies of the shipped files
// must give an error or a valid configuration, never a crash, and whatever loads must survive a
// round trip through to_toml. Deterministic (fixed seed) and bounded, so it runs with the unit
// tests; under the asan preset it also checks memory safety.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "config/loader.hpp"
#include "config/schema.hpp"

namespace rdwarm::config {
namespace {

std::vector<std::string> seed_texts() {
  const std::filesystem::path dir = std::filesystem::path(RDWARM_SOURCE_DIR) / "config";
  std::vector<std::filesystem::path> files{dir / "rdwarm.toml"};
  for (const auto& entry : std::filesystem::directory_iterator(dir / "examples")) {
    if (entry.path().extension() == ".toml") files.push_back(entry.path());
  }
  std::vector<std::string> texts;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    texts.push_back(text.str());
  }
  return texts;
}

TEST(ConfigRobustness, DamagedFilesGiveAnErrorOrAConfigThatRoundTrips) {
  const auto seeds = seed_texts();
  ASSERT_EQ(seeds.size(), 6U);
  // Characters that matter to TOML and to the loader, plus bytes that are not UTF-8.
  const std::string alphabet =
      "[]{}=\"'.,#\n\r\t\\ 0123456789abcdefghijklmnopqrstuvwxyz_-:+\x01\xff";
  std::mt19937 rng(20240611);
  auto pick = [&rng](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
  int loaded = 0;
  int refused = 0;
  for (int i = 0; i < 2000; ++i) {
    std::string text = seeds[pick(seeds.size())];
    const std::size_t edits = 1 + pick(6);
    for (std::size_t e = 0; e < edits && !text.empty(); ++e) {
      const std::size_t at = pick(text.size());
      switch (pick(3)) {
        case 0:
          text[at] = alphabet[pick(alphabet.size())];
          break;
        case 1:
          text.erase(at, 1 + pick(8));
          break;
        default:
          text.insert(at, 1, alphabet[pick(alphabet.size())]);
          break;
      }
    }
    const auto config = load_config_text(text, "damaged");
    if (!config.ok()) {
      ++refused;
      EXPECT_TRUE(config.error().where.starts_with("damaged")) << config.error().message();
      EXPECT_FALSE(config.error().what.empty());
      continue;
    }
    ++loaded;
    const auto back = load_config_text(to_toml(*config), "to_toml");
    ASSERT_TRUE(back.ok()) << back.error().message() << "\nfrom:\n" << text;
    EXPECT_EQ(*back, *config) << text;
  }
  RecordProperty("loaded", loaded);
  RecordProperty("refused", refused);
  // Both outcomes must occur, or the damage is too mild or too harsh to test anything.
  EXPECT_GT(loaded, 100);
  EXPECT_GT(refused, 100);
}

}  // namespace
}  // namespace rdwarm::config
