// POSIX: standard input is file descriptor 0; the terminal's echo is switched off with termios
// while the password is typed (ECHONL keeps the line break visible).
#include "warmup/credentials/terminal.hpp"

#include <openssl/crypto.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <string>
#include <system_error>

#include "warmup/credentials/password_file.hpp"

namespace rdwarm::credentials {

namespace {

// Reads from fd 0 until `stop` (a newline) or the end, at most limit + 1 bytes, one byte at a
// time so that nothing after the line is consumed.
Result<auth::Secret> read_fd0(std::size_t limit, bool stop_at_newline, std::string_view what) {
  std::string text;
  char c = 0;
  while (text.size() <= limit) {
    const ssize_t n = ::read(0, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int e = errno;
      take_secret(text);
      return make_error(std::string(what), "",
                        "cannot read the password: " + std::generic_category().message(e));
    }
    if (n == 0) break;
    if (stop_at_newline && c == '\n') break;
    text += c;
  }
  OPENSSL_cleanse(&c, sizeof c);
  return take_secret(text);
}

}  // namespace

bool stdin_is_terminal() {
  return ::isatty(0) == 1;
}

Result<auth::Secret> read_stdin(std::size_t limit) {
  return read_fd0(limit, false, "standard input");
}

Result<auth::Secret> read_password_from_terminal(std::string_view prompt, std::size_t limit) {
  termios saved{};
  if (::tcgetattr(0, &saved) != 0) {
    return make_error("terminal", "",
                      "standard input is not a terminal whose echo can be switched off; pass "
                      "the password on standard input with --password-stdin");
  }
  termios quiet = saved;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  quiet.c_lflag |= static_cast<tcflag_t>(ECHONL | ICANON);
  std::fputs(std::string(prompt).c_str(), stderr);
  std::fflush(stderr);
  if (::tcsetattr(0, TCSAFLUSH, &quiet) != 0) {
    return make_error(
        "terminal", "",
        "cannot switch the terminal's echo off: " + std::generic_category().message(errno));
  }
  auto line = read_fd0(limit, true, "terminal");
  (void)::tcsetattr(0, TCSAFLUSH, &saved);
  return line;
}

}  // namespace rdwarm::credentials
