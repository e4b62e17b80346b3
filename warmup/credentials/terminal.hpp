// Reading a password for `rdwarm credentials set`: from standard input when it is a pipe
// (--password-stdin), or typed at the terminal with echo off (termios on POSIX, SetConsoleMode on
// Windows). Never from the command line, where it would show in process lists.
#pragma once

#include <cstddef>
#include <string_view>

#include "licensing/auth/credentials.hpp"
#include "licensing/wire/result.hpp"

namespace rdwarm::credentials {

// Whether standard input is a terminal (a console on Windows).
bool stdin_is_terminal();

// Everything on standard input up to its end, or up to `limit` + 1 bytes (more is the caller's
// "too long").
Result<auth::Secret> read_stdin(std::size_t limit);

// Writes `prompt` to standard error, reads one line from the terminal without echoing it, and puts
// the terminal back as it was. The line ending is not part of the result.
Result<auth::Secret> read_password_from_terminal(std::string_view prompt, std::size_t limit);

}  // namespace rdwarm::credentials
