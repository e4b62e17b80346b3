// Windows: standard input is a console or a pipe; in a console, echo is switched off with
// SetConsoleMode while the password is typed, and the line is read as UTF-16 (ReadConsoleW) so a
// password outside the console's code page arrives intact.
#include "warmup/credentials/terminal.hpp"

#include <array>
#include <cstdio>
#include <string>

#include "licensing/host/windows/win32.hpp"
#include "licensing/host/windows/win32_text.hpp"
#include "warmup/credentials/password_file.hpp"

namespace rdwarm::credentials {

namespace {

using host::windows::win32_error_text;

HANDLE stdin_handle() {
  return GetStdHandle(STD_INPUT_HANDLE);
}

}  // namespace

bool stdin_is_terminal() {
  DWORD mode = 0;
  return GetConsoleMode(stdin_handle(), &mode) != 0;
}

Result<auth::Secret> read_stdin(std::size_t limit) {
  std::string text;
  std::array<char, 512> chunk{};
  while (text.size() <= limit) {
    DWORD got = 0;
    if (!ReadFile(stdin_handle(), chunk.data(), static_cast<DWORD>(chunk.size()), &got, nullptr)) {
      const DWORD e = GetLastError();
      if (e == ERROR_BROKEN_PIPE) break;  // the writer closed the pipe: the end
      SecureZeroMemory(chunk.data(), chunk.size());
      take_secret(text);
      return make_error("standard input", "", "cannot read the password: " + win32_error_text(e));
    }
    if (got == 0) break;
    text.append(chunk.data(), got);
  }
  SecureZeroMemory(chunk.data(), chunk.size());
  return take_secret(text);
}

Result<auth::Secret> read_password_from_terminal(std::string_view prompt, std::size_t limit) {
  const HANDLE in = stdin_handle();
  DWORD saved = 0;
  if (!GetConsoleMode(in, &saved)) {
    return make_error("terminal", "",
                      "standard input is not a console; pass the password on standard input "
                      "with --password-stdin");
  }
  std::fputs(std::string(prompt).c_str(), stderr);
  std::fflush(stderr);
  const DWORD quiet =
      (saved & ~static_cast<DWORD>(ENABLE_ECHO_INPUT)) | ENABLE_LINE_INPUT | ENABLE_PROCESSED_INPUT;
  if (!SetConsoleMode(in, quiet)) {
    return make_error("terminal", "",
                      "cannot switch the console's echo off: " + win32_error_text(GetLastError()));
  }
  std::wstring line;
  std::array<wchar_t, 256> chunk{};
  bool done = false;
  while (!done && line.size() <= limit) {
    DWORD got = 0;
    if (!ReadConsoleW(in, chunk.data(), static_cast<DWORD>(chunk.size()), &got, nullptr) ||
        got == 0) {
      break;
    }
    for (DWORD i = 0; i < got; ++i) {
      if (chunk[i] == L'\n') {
        done = true;
        break;
      }
      if (chunk[i] != L'\r') line += chunk[i];
    }
  }
  SetConsoleMode(in, saved);
  std::fputs("\n", stderr);  // the Enter the user typed was not echoed
  std::string text = host::windows::narrow(line);
  SecureZeroMemory(line.data(), line.size() * sizeof(wchar_t));
  SecureZeroMemory(chunk.data(), chunk.size() * sizeof(wchar_t));
  return take_secret(text);
}

}  // namespace rdwarm::credentials
