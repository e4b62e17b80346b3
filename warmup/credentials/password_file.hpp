// The password file (password_source = "file"): one line, readable and writable by its owner only.
// The checks and the write are the platform's (posix/private_file.cpp: mode and owner;
// windows/private_file.cpp: the file's DACL); the text rules and the store are shared.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "warmup/credentials/credential_store.hpp"

namespace rdwarm::credentials {

// Longer passwords are refused (Windows accepts at most 256 characters).
inline constexpr std::size_t kMaxPasswordBytes = 1024;

// A copy of `buffer` as a Secret; `buffer` is wiped.
auth::Secret take_secret(std::string& buffer);

// The password as a file or standard input holds it: one trailing newline ("\n" or "\r\n") is not
// part of it. Empty, too long or with a NUL byte is an error under `where`, naming `what` ("the
// file /etc/rdwarm/nla-password", "standard input"). `text` is wiped.
Result<auth::Secret> password_from_text(std::string& text, std::string_view where,
                                        std::string_view what);

// Platform. Opens the file and reads it (at most kMaxPasswordBytes + 2 bytes) only when nobody but
// its owner can read or change it; otherwise the error says what to run. nullopt: no such file.
// Errors are under "nla.password_file".
Result<std::optional<auth::Secret>> read_private_file(const std::filesystem::path& file);
// Platform. Replaces the file atomically with `contents`, readable and writable by the running
// account only (mode 0600 from the moment it exists), creating the directory when missing.
Status write_private_file(const std::filesystem::path& file, const auth::Secret& contents);
// true: removed; false: there was no such file. (Removing does not overwrite the old blocks: a
// file system may keep them; docs/credentials.md.)
Result<bool> remove_private_file(const std::filesystem::path& file);

// The file as a CredentialStore: it holds the password only, so load() returns no user.
class PasswordFileStore final : public CredentialStore {
 public:
  explicit PasswordFileStore(std::filesystem::path file) : file_(std::move(file)) {}
  [[nodiscard]] config::PasswordSource kind() const override {
    return config::PasswordSource::File;
  }
  [[nodiscard]] std::string location() const override;
  Result<std::optional<auth::Credentials>> load() override;
  Status save(const auth::Credentials& credentials) override;
  Result<bool> clear() override;

 private:
  std::filesystem::path file_;
};

}  // namespace rdwarm::credentials
