// `rdwarm cert show` on the registry value in both forms an admin can produce: the raw bytes and
// the text of `reg export` (UTF-16LE with BOM, hex with line continuations).
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "licensing/crypto/registry_chain.hpp"
#include "licensing/crypto/server_certificate.hpp"
#include "licensing/wire/hex.hpp"
#include "licensing/wire/licensing_pdu.hpp"
#include "licensing/wire/text.hpp"
#include "tests/support/run_cli.hpp"
#include "tests/support/vectors.hpp"
#include "warmup/cli/app.hpp"
#include "warmup/cli/cert_input.hpp"

namespace rdwarm::cli {
namespace {

// The two certificates of the [MS-RDPELE] 4.1 License Request, as a registry value.
std::vector<std::uint8_t> spec_registry_value() {
  auto pdu = wire::lic::LicensingPdu::decode(testing::with_license_security_header(
      testing::load_hex_vector("rdpele/ms-rdpele-4.1-server-license-request.hex")));
  EXPECT_TRUE(pdu.ok());
  if (!pdu) return {};
  auto cert = crypto::decode_server_certificate(
      std::get<wire::lic::LicenseRequest>(pdu->message).server_certificate.data);
  EXPECT_TRUE(cert.ok());
  if (!cert) return {};
  std::vector<std::vector<std::uint8_t>> ders;
  for (const auto& c : cert->chain) ders.push_back(c.der);
  return crypto::encode_registry_certificate_chain(ders);
}

std::string reg_export_text(const std::vector<std::uint8_t>& value) {
  std::string text =
      "Windows Registry Editor Version 5.00\r\n\r\n"
      "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server\\RCM]\r\n"
      "\"Certificate\"=hex:01,02\r\n"
      "\"X509 Certificate2\"=hex:";
  for (std::size_t i = 0; i < value.size(); ++i) {
    text += wire::to_hex(std::span(&value[i], 1));
    if (i + 1 < value.size()) text += ",";
    if (i % 25 == 24 && i + 1 < value.size()) text += "\\\r\n  ";  // reg export wraps like this
  }
  text += "\r\n\"X509 Certificate ID\"=hex:00\r\n";
  return text;
}

std::filesystem::path write_temp(const std::string& name, const std::vector<std::uint8_t>& bytes) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("rdwarm-cert-show-" + std::to_string(::getpid()) + name);
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
  return path;
}

using testing::run_cli;

TEST(CertInput, RawValueAndUtf16RegExportGiveTheSameBytes) {
  const auto value = spec_registry_value();
  auto raw = certificate_value_from_file_bytes(value);
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ(*raw, value);

  std::vector<std::uint8_t> utf16{0xFF, 0xFE};
  const auto units = wire::utf16le_from_utf8(reg_export_text(value));
  utf16.insert(utf16.end(), units.begin(), units.end());
  auto exported = certificate_value_from_file_bytes(utf16);
  ASSERT_TRUE(exported.ok()) << exported.error().message();
  EXPECT_EQ(*exported, value);

  const auto text = reg_export_text(value);
  auto utf8 =
      certificate_value_from_file_bytes(std::vector<std::uint8_t>(text.begin(), text.end()));
  ASSERT_TRUE(utf8.ok());
  EXPECT_EQ(*utf8, value);
}

TEST(CertShow, PrintsEachCertificateAndJson) {
  const auto path = write_temp("raw.bin", spec_registry_value());
  std::string out;
  ASSERT_EQ(run_cli({"cert", "show", path.string()}, out), 0) << out;
  EXPECT_NE(out.find("2 certificate(s)"), std::string::npos) << out;
  EXPECT_NE(out.find("RODENT"), std::string::npos);
  EXPECT_NE(out.find("2048-bit RSA"), std::string::npos);
  EXPECT_NE(out.find("2038-01-19"), std::string::npos);

  ASSERT_EQ(run_cli({"cert", "show", "--json", path.string()}, out), 0);
  const auto j = nlohmann::json::parse(out);
  EXPECT_EQ(j["schema"], "rdwarm.certificate-chain/1");
  ASSERT_EQ(j["certificates"].size(), 2u);
  EXPECT_EQ(j["certificates"][1]["key_bits"], 2048);
  EXPECT_TRUE(j["certificates"][1]["microsoft_licensing_extensions"].get<bool>());
  std::filesystem::remove(path);
}

TEST(CertShow, GarbageIsAClearErrorNotACrash) {
  const auto path = write_temp("junk.bin", {0x01, 0x02, 0x03});
  std::string out;
  ::testing::internal::CaptureStderr();
  const int rc = run_cli({"cert", "show", path.string()}, out);
  const auto err = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(rc, 11);
  EXPECT_NE(err.find("not a license-server certificate chain"), std::string::npos) << err;
  std::string missing_out;
  EXPECT_EQ(run_cli({"cert", "show", "/nonexistent/rdwarm-cert"}, missing_out), 2);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace rdwarm::cli
