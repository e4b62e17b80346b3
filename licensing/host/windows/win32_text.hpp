// Text at the Win32 boundary: UTF-8 (rdwarm) <-> UTF-16 (the W APIs), and Win32 error codes as
// the sentence Windows itself uses for them.
#pragma once

#include <string>
#include <string_view>

#include "licensing/host/windows/win32.hpp"

namespace rdwarm::host::windows {

std::wstring widen(std::string_view utf8);
std::string narrow(std::wstring_view utf16);

// "Access is denied. (Win32 error 5)"; the text is FormatMessage's, without the trailing newline.
std::string win32_error_text(DWORD code);

}  // namespace rdwarm::host::windows
