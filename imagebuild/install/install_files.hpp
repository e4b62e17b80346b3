// The installer's file operations, platform-free: copy or write only when the content differs
// (so a second install reports "unchanged"), and the SHA-256 that tells uninstall whether the
// configuration is still the one install wrote.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "imagebuild/install/installer.hpp"
#include "licensing/wire/result.hpp"

namespace rdwarm::imagebuild::install {

// Lower-case hex SHA-256 of the bytes / of the file.
std::string sha256_hex(std::string_view bytes);
Result<std::string> file_sha256_hex(const std::filesystem::path& file);

// The whole file, refused past max_bytes.
Result<std::string> read_whole_file(const std::filesystem::path& file, std::size_t max_bytes);

// Creates the parent directories; kCreated, kUpdated or kUnchanged (same bytes). Written to a
// temporary file next to the target and renamed over it, so a reader never sees half a file.
Result<Change> write_file_if_different(const std::filesystem::path& file, std::string_view bytes);

// As above, with the bytes of `source`; kUnchanged also when source and target are one file.
Result<Change> copy_file_if_different(const std::filesystem::path& source,
                                      const std::filesystem::path& target);

}  // namespace rdwarm::imagebuild::install
