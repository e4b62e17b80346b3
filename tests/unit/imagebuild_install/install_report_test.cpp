// The install and uninstall reports that people and pipelines read, and the file operations that
// make a second install report "unchanged".
#include "imagebuild/install/install_report.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "imagebuild/install/install_files.hpp"
#include "tests/support/ports.hpp"

namespace rdwarm::imagebuild::install {
namespace {

InstallReport sample(bool was_installed) {
  InstallReport r;
  r.action = "install";
  r.mode = InstallMode::kService;
  r.was_installed = was_installed;
  r.items = {{"executable", "C:\\Program Files\\rdwarm\\rdwarm.exe", Change::kUnchanged, ""},
             {"service", "rdwarm", Change::kUpdated, "automatic start"}};
  return r;
}

TEST(InstallReport, TextSaysWhetherItWasInstalledBefore) {
  const auto first = install_report_text(sample(false));
  EXPECT_NE(first.find("rdwarm image install: installed (service) (exit 0)"), std::string::npos)
      << first;
  const auto again = install_report_text(sample(true));
  EXPECT_NE(again.find("rdwarm image install: already installed, updated (service) (exit 0)"),
            std::string::npos)
      << again;
  EXPECT_EQ(again,
            "  executable  C:\\Program Files\\rdwarm\\rdwarm.exe  unchanged\n"
            "  service     rdwarm                              updated (automatic start)\n"
            "rdwarm image install: already installed, updated (service) (exit 0)\n");
}

TEST(InstallReport, ErrorsGiveTheirExitCode) {
  auto r = sample(false);
  r.error = make_error("config", "", "bad");
  r.error_exit_code = 2;
  EXPECT_EQ(r.exit_code(), 2);
  const auto text = install_report_text(r);
  EXPECT_NE(text.find("error: config: bad\n"), std::string::npos) << text;
  EXPECT_NE(text.find("install failed (exit 2)"), std::string::npos) << text;
  const auto j = install_report_json(r);
  EXPECT_EQ(j["schema"], "rdwarm.image-install/1");
  EXPECT_EQ(j["exit_code"], 2);
  EXPECT_EQ(j["error"], "config: bad");
  EXPECT_EQ(j["items"][1]["change"], "updated");
  EXPECT_EQ(j["mode"], "service");
}

TEST(InstallFiles, Sha256MatchesTheStandardVector) {
  EXPECT_EQ(sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");  // FIPS 180-2
}

TEST(InstallFiles, WriteReportsCreatedUnchangedUpdated) {
  const testing::ScopedTempDir dir("rdwarm-install-files");
  const auto file = dir.path() / "sub" / "rdwarm.toml";
  auto w = write_file_if_different(file, "a = 1\n");
  ASSERT_TRUE(w.ok()) << w.error().message();
  EXPECT_EQ(*w, Change::kCreated);
  EXPECT_EQ(*write_file_if_different(file, "a = 1\n"), Change::kUnchanged);
  EXPECT_EQ(*write_file_if_different(file, "a = 2\n"), Change::kUpdated);
  EXPECT_EQ(*read_whole_file(file, 100), "a = 2\n");
  EXPECT_EQ(*file_sha256_hex(file), sha256_hex("a = 2\n"));
  EXPECT_FALSE(read_whole_file(file, 3).ok());  // over the limit
}

TEST(InstallFiles, CopyOfTheSameFileIsUnchanged) {
  const testing::ScopedTempDir dir("rdwarm-install-files");
  const auto src = dir.path() / "rdwarm.exe";
  std::ofstream(src, std::ios::binary) << "MZ program";
  EXPECT_EQ(*copy_file_if_different(src, src), Change::kUnchanged);
  const auto dst = dir.path() / "installed" / "rdwarm.exe";
  EXPECT_EQ(*copy_file_if_different(src, dst), Change::kCreated);
  EXPECT_EQ(*copy_file_if_different(src, dst), Change::kUnchanged);
  auto missing = copy_file_if_different(dir.path() / "none.exe", dst);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message().find("none.exe"), std::string::npos);
}

#ifndef _WIN32
TEST(Installer, SaysItIsWindowsOnlyElsewhere) {
  const auto r = install(InstallRequest{});
  EXPECT_EQ(r.exit_code(), 2);
  ASSERT_TRUE(r.error.has_value());
  EXPECT_NE(r.error->message().find("exists only in rdwarm.exe on Windows"), std::string::npos);
  EXPECT_EQ(uninstall(UninstallRequest{}).exit_code(), 2);
}
#endif

}  // namespace
}  // namespace rdwarm::imagebuild::install
