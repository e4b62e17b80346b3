// UTF-8 (rdwarm) <-> UTF-16 (the W functions of SSPI). Kept here rather than shared with
// licensing/host/windows: the auth layer does not depend on the host backend.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace rdwarm::auth::windows {

// nullopt when the input is not valid UTF-8 (or too long for the Win32 API).
std::optional<std::wstring> widen(std::string_view utf8);
// The same, converting straight into `out` (one allocation, no temporary copy): for secrets,
// which the caller wipes afterwards. False when the input is not valid UTF-8.
bool widen_into(std::string_view utf8, std::wstring& out);
std::string narrow(std::wstring_view utf16);

}  // namespace rdwarm::auth::windows
