// Windows command lines: one string that the started program splits back into arguments with the
// C runtime's rules (CommandLineToArgvW). The service's ImagePath and the task's Arguments are
// such strings; paths under Program Files have spaces.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

namespace rdwarm::imagebuild::install {

// The argument as one token: unchanged when it has no space, tab or quote; otherwise in quotes,
// with backslashes doubled where they precede a quote (or the closing quote) and quotes escaped.
std::string quote_windows_argument(std::string_view argument);

// Arguments quoted and joined with single spaces.
std::string join_windows_arguments(std::initializer_list<std::string_view> arguments);

}  // namespace rdwarm::imagebuild::install
