#include "imagebuild/install/install_files.hpp"

#include <openssl/evp.h>

#include <array>
#include <fstream>
#include <iterator>
#include <system_error>

#include "config/default_paths.hpp"
#include "licensing/host/atomic_file.hpp"

namespace rdwarm::imagebuild::install {

namespace {

// rdwarm.exe is about 13 MB; a configuration is at most 1 MiB.
constexpr std::size_t kMaxCopyBytes = std::size_t{256} * 1024 * 1024;

Error file_error(const std::filesystem::path& file, const std::string& what) {
  return make_error(config::path_to_utf8(file), "", what);
}

}  // namespace

std::string sha256_hex(std::string_view bytes) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest.data(), &length, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < length; ++i) {
    out += kHex[digest[i] >> 4U];
    out += kHex[digest[i] & 0x0FU];
  }
  return out;
}

Result<std::string> read_whole_file(const std::filesystem::path& file, std::size_t max_bytes) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(file, ec);
  if (ec) return file_error(file, "cannot read: " + ec.message());
  if (size > max_bytes) {
    return file_error(file, "is " + std::to_string(size) + " bytes, more than the " +
                                std::to_string(max_bytes) + " accepted");
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) return file_error(file, "cannot open for reading");
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return file_error(file, "read failed");
  return bytes;
}

Result<std::string> file_sha256_hex(const std::filesystem::path& file) {
  auto bytes = read_whole_file(file, kMaxCopyBytes);
  if (!bytes) return bytes.error();
  return sha256_hex(*bytes);
}

Result<Change> write_file_if_different(const std::filesystem::path& file, std::string_view bytes) {
  std::error_code ec;
  const bool existed = std::filesystem::exists(file, ec);
  if (existed) {
    auto current = read_whole_file(file, kMaxCopyBytes);
    if (current && *current == bytes) return Change::kUnchanged;
  }
  if (auto w = host::write_file_atomically(file, bytes, config::path_to_utf8(file)); !w) {
    return w.error();
  }
  return existed ? Change::kUpdated : Change::kCreated;
}

Result<Change> copy_file_if_different(const std::filesystem::path& source,
                                      const std::filesystem::path& target) {
  std::error_code ec;
  if (std::filesystem::equivalent(source, target, ec)) return Change::kUnchanged;
  auto bytes = read_whole_file(source, kMaxCopyBytes);
  if (!bytes) return bytes.error();
  return write_file_if_different(target, *bytes);
}

}  // namespace rdwarm::imagebuild::install
