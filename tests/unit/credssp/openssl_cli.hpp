// Independent checks with the openssl command line: `openssl asn1parse` reads what our encoders
// write, `-genconf` writes DER our decoders must read, `openssl dgst` / `openssl x509` compute what
// the binding code computes. Linux builds only: under wine there is no openssl command (callers
// skip with RDWARM_SKIP_WITHOUT_OPENSSL_CLI).
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/shell_command.hpp"

#ifdef _WIN32
#define RDWARM_SKIP_WITHOUT_OPENSSL_CLI() GTEST_SKIP() << "no openssl command line under wine"
#else
#define RDWARM_SKIP_WITHOUT_OPENSSL_CLI() \
  do {                                    \
  } while (false)
#endif

namespace rdwarm::testing {

inline void write_file(const std::filesystem::path& path, const std::vector<std::uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

inline void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

inline std::vector<std::uint8_t> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline std::string quoted(const std::filesystem::path& path) {
  return "'" + path.string() + "'";
}

// One line of `openssl asn1parse` output.
struct Asn1Line {
  std::size_t offset = 0;
  int depth = 0;
  std::size_t header_length = 0;
  std::size_t length = 0;
  bool constructed = false;
  std::string type;   // "SEQUENCE", "cont [ 1 ]", "appl [ 0 ]", "INTEGER", "OBJECT", ...
  std::string value;  // after the ':' (INTEGER in hex, OBJECT dotted, [HEX DUMP]:..., text)
};

// Parses `der` with `openssl asn1parse -inform DER`. Fails the test when openssl refuses it.
inline std::vector<Asn1Line> asn1parse(const std::vector<std::uint8_t>& der,
                                       const std::filesystem::path& dir) {
  const auto file = dir / "asn1parse-input.der";
  write_file(file, der);
  const auto r = run_shell("openssl asn1parse -inform DER -in " + quoted(file));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  std::vector<Asn1Line> lines;
  static const std::regex kLine(
      R"(^\s*(\d+):d=(\d+)\s+hl=(\d+)\s+l=\s*(\d+)\s+(prim|cons):\s+(.*?)\s*(?::(.*))?$)");
  std::istringstream in(r.output);
  std::string text;
  while (std::getline(in, text)) {
    std::smatch m;
    if (!std::regex_match(text, m, kLine)) {
      ADD_FAILURE() << "openssl asn1parse printed an unexpected line: " << text;
      continue;
    }
    Asn1Line line;
    line.offset = std::stoul(m[1]);
    line.depth = std::stoi(m[2]);
    line.header_length = std::stoul(m[3]);
    line.length = std::stoul(m[4]);
    line.constructed = m[5] == "cons";
    line.type = m[6];
    line.value = m[7];
    // "OCTET STRING      [HEX DUMP]:4E54...": the marker belongs to the value.
    if (const auto dump = line.type.find("[HEX DUMP]"); dump != std::string::npos) {
      line.type.erase(line.type.find_last_not_of(' ', dump - 1) + 1);
    }
    lines.push_back(line);
  }
  return lines;
}

// DER written by `openssl asn1parse -genconf` from an ASN1_generate_nconf(3) configuration.
inline std::vector<std::uint8_t> genconf(const std::string& config,
                                         const std::filesystem::path& dir) {
  const auto cnf = dir / "genconf.cnf";
  const auto out = dir / "genconf.der";
  write_text(cnf, config);
  const auto r =
      run_shell("openssl asn1parse -genconf " + quoted(cnf) + " -noout -out " + quoted(out));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  return read_file(out);
}

}  // namespace rdwarm::testing
