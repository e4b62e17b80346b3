#include "warmup/credentials/password_file.hpp"

#include <openssl/crypto.h>

#include <system_error>

#include "config/default_paths.hpp"

namespace rdwarm::credentials {

auth::Secret take_secret(std::string& buffer) {
  auth::Secret secret(buffer);  // a copy: a moved-from small string keeps its characters
  if (!buffer.empty()) OPENSSL_cleanse(buffer.data(), buffer.size());
  buffer.clear();
  return secret;
}

Result<auth::Secret> password_from_text(std::string& text, std::string_view where,
                                        std::string_view what) {
  const auto wipe = [&text] {
    if (!text.empty()) OPENSSL_cleanse(text.data(), text.size());
    text.clear();
  };
  if (text.ends_with("\r\n")) {
    text.resize(text.size() - 2);
  } else if (text.ends_with('\n')) {
    text.resize(text.size() - 1);
  }
  const std::string subject(what);
  if (text.empty()) {
    wipe();
    return make_error(std::string(where), "",
                      subject + " holds no password (it is empty, or only a newline)");
  }
  if (text.size() > kMaxPasswordBytes) {
    wipe();
    return make_error(std::string(where), "",
                      subject + " holds more than " + std::to_string(kMaxPasswordBytes) +
                          " bytes, which is no password (Windows accepts at most 256 "
                          "characters); it must hold the password alone, on one line");
  }
  if (text.find('\0') != std::string::npos) {
    wipe();
    return make_error(std::string(where), "",
                      subject +
                          " holds a NUL byte, which no Windows password contains; it must "
                          "hold the password alone, as text");
  }
  return take_secret(text);
}

Result<bool> remove_private_file(const std::filesystem::path& file) {
  std::error_code ec;
  const bool removed = std::filesystem::remove(file, ec);
  if (ec) {
    return make_error("nla.password_file", "",
                      "cannot remove " + config::path_to_utf8(file) + ": " + ec.message());
  }
  return removed;
}

std::string PasswordFileStore::location() const {
  return config::path_to_utf8(file_);
}

Result<std::optional<auth::Credentials>> PasswordFileStore::load() {
  auto raw = read_private_file(file_);
  if (!raw) return raw.error();
  if (!*raw) return std::optional<auth::Credentials>();
  std::string text((*raw)->reveal());
  auto password = password_from_text(text, "nla.password_file", "the file " + location());
  if (!password) return password.error();
  auth::Credentials c;
  c.password = std::move(password).value();
  c.source = "file " + location();
  return std::optional<auth::Credentials>(std::move(c));
}

Status PasswordFileStore::save(const auth::Credentials& credentials) {
  // One line, so that `cat`, editors and the next read agree on where the password ends.
  std::string line(credentials.password.reveal());
  line += '\n';
  const auth::Secret contents = take_secret(line);
  return write_private_file(file_, contents);
}

Result<bool> PasswordFileStore::clear() {
  return remove_private_file(file_);
}

}  // namespace rdwarm::credentials
