#include "warmup/credentials/windows/file_acl.hpp"

#include <array>

namespace rdwarm::credentials::windows {

namespace {

struct BroadGroup {
  WELL_KNOWN_SID_TYPE type;
  const char* name;
};

constexpr std::array kBroadGroups{
    BroadGroup{WinWorldSid, "Everyone"},
    BroadGroup{WinAuthenticatedUserSid, "Authenticated Users"},
    BroadGroup{WinBuiltinUsersSid, "Users"},
    BroadGroup{WinBuiltinGuestsSid, "Guests"},
    BroadGroup{WinInteractiveSid, "INTERACTIVE"},
    BroadGroup{WinAnonymousSid, "ANONYMOUS LOGON"},
};

// Rights that would let someone read the password or put another in its place.
constexpr ACCESS_MASK kRisky = FILE_READ_DATA | FILE_WRITE_DATA | FILE_APPEND_DATA | GENERIC_READ |
                               GENERIC_WRITE | GENERIC_ALL | WRITE_DAC | WRITE_OWNER;

const char* broad_group(PSID sid) {
  for (const auto& g : kBroadGroups) {
    std::array<BYTE, SECURITY_MAX_SID_SIZE> buffer{};
    DWORD size = static_cast<DWORD>(buffer.size());
    if (CreateWellKnownSid(g.type, nullptr, buffer.data(), &size) && EqualSid(sid, buffer.data())) {
      return g.name;
    }
  }
  return nullptr;
}

std::string icacls_advice(const std::string& name) {
  return "Run: icacls \"" + name + "\" /inheritance:r /grant:r SYSTEM:F /grant:r Administrators:F";
}

}  // namespace

std::optional<std::string> broad_access(const ACL* dacl, const std::string& name) {
  if (dacl == nullptr) {
    return name +
           " has no access control list (a NULL DACL), so every account can read and change it; "
           "rdwarm refuses to use it. " +
           icacls_advice(name);
  }
  for (DWORD i = 0; i < dacl->AceCount; ++i) {
    void* ace = nullptr;
    // GetAce takes a non-const ACL but only reads it.
    if (!GetAce(const_cast<ACL*>(dacl), i, &ace)) continue;
    const auto* header = static_cast<const ACE_HEADER*>(ace);
    if (header->AceType != ACCESS_ALLOWED_ACE_TYPE) continue;
    if ((header->AceFlags & INHERIT_ONLY_ACE) != 0) continue;  // for children, not this file
    auto* allowed = static_cast<ACCESS_ALLOWED_ACE*>(ace);
    if ((allowed->Mask & kRisky) == 0) continue;
    if (const char* group = broad_group(&allowed->SidStart)) {
      return name + " can be read or changed by " + group +
             " (its access control list allows it), so other accounts on this machine could read "
             "the NLA password; rdwarm refuses to use it. " +
             icacls_advice(name);
    }
  }
  return std::nullopt;
}

}  // namespace rdwarm::credentials::windows
