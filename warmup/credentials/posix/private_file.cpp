// POSIX: the password file must be a regular file owned by the account rdwarm runs as (or root)
// and neither readable nor writable by its group or others, as ssh demands of private keys. The
// checks are made on the opened descriptor, so the file read is the file checked.
#include <fcntl.h>
#include <openssl/crypto.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <random>
#include <string>
#include <system_error>
#include <utility>

#include "config/default_paths.hpp"
#include "warmup/credentials/password_file.hpp"

namespace rdwarm::credentials {

namespace {

constexpr const char* kWhere = "nla.password_file";

std::string errno_text(int code) {
  return std::generic_category().message(code);
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  Fd(Fd&&) = delete;
  Fd& operator=(Fd&&) = delete;
  [[nodiscard]] int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

std::string user_name(uid_t uid) {
  std::array<char, 4096> buffer{};
  passwd entry{};
  passwd* found = nullptr;
  if (::getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &found) == 0 && found != nullptr) {
    return found->pw_name;
  }
  return std::to_string(uid);
}

// "nobody (uid 65534)", or "uid 1234" when the account has no name.
std::string describe_uid(uid_t uid) {
  const std::string name = user_name(uid);
  if (name == std::to_string(uid)) return "uid " + name;
  return name + " (uid " + std::to_string(uid) + ")";
}

std::string octal_mode(mode_t mode) {
  std::string out = "0";
  for (int shift = 6; shift >= 0; shift -= 3) {
    out += static_cast<char>('0' + ((mode >> static_cast<unsigned>(shift)) & 7U));
  }
  return out;
}

// "readable by its group and readable and writable by others"
std::string who_else(mode_t mode) {
  const auto rights = [](bool read, bool write) -> std::string {
    if (read && write) return "readable and writable";
    return read ? "readable" : "writable";
  };
  std::string out;
  const bool gr = (mode & S_IRGRP) != 0;
  const bool gw = (mode & S_IWGRP) != 0;
  const bool orr = (mode & S_IROTH) != 0;
  const bool ow = (mode & S_IWOTH) != 0;
  if (gr || gw) out = rights(gr, gw) + " by its group";
  if (orr || ow) {
    if (!out.empty()) out += " and ";
    out += rights(orr, ow) + " by every other account";
  }
  return out;
}

std::string quoted_for_shell(const std::string& path) {
  if (path.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+"
                             ",:@%") == std::string::npos) {
    return path;
  }
  std::string out = "'";
  for (char c : path) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

}  // namespace

Result<std::optional<auth::Secret>> read_private_file(const std::filesystem::path& file) {
  const std::string name = config::path_to_utf8(file);
  // O_NONBLOCK: a FIFO put in the file's place must not hang the boot agent.
  const Fd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  if (fd.get() < 0) {
    const int e = errno;
    if (e == ENOENT) return std::optional<auth::Secret>();
    if (e == EACCES) {
      return make_error(kWhere, "",
                        name + " cannot be read by the account rdwarm runs as, " +
                            describe_uid(::geteuid()) + ": " + errno_text(e) +
                            "; the file must belong to that account (or root) with mode 0600");
    }
    return make_error(kWhere, "", "cannot open " + name + ": " + errno_text(e));
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    return make_error(kWhere, "", "cannot inspect " + name + ": " + errno_text(errno));
  }
  if (!S_ISREG(st.st_mode)) {
    return make_error(kWhere, "",
                      name +
                          " is not a regular file; it must be a file holding the password "
                          "alone, written by `rdwarm credentials set`");
  }
  const uid_t me = ::geteuid();
  if (st.st_uid != me && st.st_uid != 0) {
    const std::string allowed = me == 0
                                    ? "root, the account rdwarm runs as"
                                    : describe_uid(me) + ", the account rdwarm runs as, or root";
    return make_error(kWhere, "",
                      name + " is owned by " + describe_uid(st.st_uid) + ", not by " + allowed +
                          ": its owner could replace the password. Run: chown " + user_name(me) +
                          " " + quoted_for_shell(name));
  }
  const auto mode = static_cast<mode_t>(st.st_mode & 07777);
  if ((mode & (S_IRGRP | S_IWGRP | S_IROTH | S_IWOTH)) != 0) {
    return make_error(kWhere, "",
                      name + " is " + who_else(mode) + " (mode " + octal_mode(mode) +
                          "), so other accounts on this machine could read or change the NLA "
                          "password; rdwarm refuses to use it. Run: chmod 600 " +
                          quoted_for_shell(name));
  }
  // The file is ours and private: no need for O_NONBLOCK any more (a regular file never blocks).
  std::string text;
  std::array<char, 512> chunk{};
  while (text.size() <= kMaxPasswordBytes + 2) {
    const ssize_t n = ::read(fd.get(), chunk.data(), chunk.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int e = errno;
      OPENSSL_cleanse(chunk.data(), chunk.size());
      take_secret(text);
      return make_error(kWhere, "", "cannot read " + name + ": " + errno_text(e));
    }
    if (n == 0) break;
    text.append(chunk.data(), static_cast<std::size_t>(n));
  }
  OPENSSL_cleanse(chunk.data(), chunk.size());
  return std::optional<auth::Secret>(take_secret(text));
}

Status write_private_file(const std::filesystem::path& file, const auth::Secret& contents) {
  const std::string name = config::path_to_utf8(file);
  std::error_code ec;
  const auto dir = file.parent_path().empty() ? std::filesystem::path(".") : file.parent_path();
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return make_error(
        kWhere, "",
        "cannot create the directory " + config::path_to_utf8(dir) + ": " + ec.message());
  }
  std::random_device random;
  const std::filesystem::path temp =
      file.string() + ".tmp." + std::to_string(random()) + std::to_string(::getpid());
  // Mode 0600 from creation (whatever the umask), O_EXCL so no one can plant the file first.
  Fd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
               S_IRUSR | S_IWUSR));
  if (fd.get() < 0) {
    return make_error(kWhere, "", "cannot create " + temp.string() + ": " + errno_text(errno));
  }
  const auto fail = [&](const std::string& what) -> Status {
    const int e = errno;
    ::close(fd.release());
    ::unlink(temp.c_str());
    return make_error(kWhere, "", what + ": " + errno_text(e));
  };
  if (::fchmod(fd.get(), S_IRUSR | S_IWUSR) != 0) return fail("cannot set the mode of " + name);
  const std::string_view data = contents.reveal();
  std::size_t written = 0;
  while (written < data.size()) {
    const ssize_t n = ::write(fd.get(), data.data() + written, data.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return fail("cannot write " + temp.string());
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd.get()) != 0) return fail("cannot flush " + temp.string());
  if (::close(fd.release()) != 0) {
    const int e = errno;
    ::unlink(temp.c_str());
    return make_error(kWhere, "", "cannot write " + temp.string() + ": " + errno_text(e));
  }
  if (::rename(temp.c_str(), file.c_str()) != 0) {
    const int e = errno;
    ::unlink(temp.c_str());
    return make_error(kWhere, "", "cannot replace " + name + ": " + errno_text(e));
  }
  // The rename itself must survive a power cut too.
  const Fd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir_fd.get() >= 0) (void)::fsync(dir_fd.get());
  return Ok{};
}

}  // namespace rdwarm::credentials
