// Windows: who a password file's DACL lets in. The file must not be readable or writable through
// an access-allowed ACE for a group that every account, or every user, of the machine belongs to
// (Everyone, Authenticated Users, Users, Guests, INTERACTIVE, ANONYMOUS LOGON), nor have a NULL
// DACL: that is what matters on a session host full of users. ACEs for single accounts or other
// groups are the admin's choice and not judged; deny ACEs are not weighed (an allow to a broad
// group is refused even after a deny); the owner is not checked (Administrators own most files).
#pragma once

#include <optional>
#include <string>

#include "licensing/host/windows/win32.hpp"

namespace rdwarm::credentials::windows {

// nullopt when `dacl` keeps the broad groups out; else the problem, naming `name` and the icacls
// command that fixes it. `dacl` null is a NULL DACL (everyone has full access).
std::optional<std::string> broad_access(const ACL* dacl, const std::string& name);

}  // namespace rdwarm::credentials::windows
