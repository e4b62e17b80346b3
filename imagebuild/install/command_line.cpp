#include "imagebuild/install/command_line.hpp"

namespace rdwarm::imagebuild::install {

std::string quote_windows_argument(std::string_view argument) {
  if (!argument.empty() && argument.find_first_of(" \t\"") == std::string_view::npos) {
    return std::string(argument);
  }
  std::string out = "\"";
  std::size_t backslashes = 0;
  for (const char c : argument) {
    if (c == '\\') {
      ++backslashes;
      continue;
    }
    if (c == '"') {
      // 2n backslashes + \" : n literal backslashes and a literal quote.
      out.append(backslashes * 2 + 1, '\\');
    } else {
      out.append(backslashes, '\\');
    }
    backslashes = 0;
    out += c;
  }
  // Backslashes before the closing quote are doubled so they stay literal.
  out.append(backslashes * 2, '\\');
  out += '"';
  return out;
}

std::string join_windows_arguments(std::initializer_list<std::string_view> arguments) {
  std::string out;
  for (const auto a : arguments) {
    if (!out.empty()) out += ' ';
    out += quote_windows_argument(a);
  }
  return out;
}

}  // namespace rdwarm::imagebuild::install
