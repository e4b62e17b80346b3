// Set Error Info codes [MS-RDPBCGR 2.2.5.1.1]: names as in the specification and one sentence a
// VDI admin can act on. Only codes the probe can meet around licensing are described in detail.
#pragma once

#include <cstdint>
#include <string_view>

namespace rdwarm::wire {

inline constexpr std::uint32_t ERRINFO_NONE = 0x00000000;
inline constexpr std::uint32_t ERRINFO_RPC_INITIATED_DISCONNECT = 0x00000001;
inline constexpr std::uint32_t ERRINFO_RPC_INITIATED_LOGOFF = 0x00000002;
inline constexpr std::uint32_t ERRINFO_IDLE_TIMEOUT = 0x00000003;
inline constexpr std::uint32_t ERRINFO_LOGON_TIMEOUT = 0x00000004;
inline constexpr std::uint32_t ERRINFO_DISCONNECTED_BY_OTHERCONNECTION = 0x00000005;
inline constexpr std::uint32_t ERRINFO_OUT_OF_MEMORY = 0x00000006;
inline constexpr std::uint32_t ERRINFO_SERVER_DENIED_CONNECTION = 0x00000007;
inline constexpr std::uint32_t ERRINFO_SERVER_INSUFFICIENT_PRIVILEGES = 0x00000009;
inline constexpr std::uint32_t ERRINFO_SERVER_FRESH_CREDENTIALS_REQUIRED = 0x0000000A;
inline constexpr std::uint32_t ERRINFO_RPC_INITIATED_DISCONNECT_BYUSER = 0x0000000B;
inline constexpr std::uint32_t ERRINFO_LOGOFF_BY_USER = 0x0000000C;
inline constexpr std::uint32_t ERRINFO_LICENSE_INTERNAL = 0x00000100;
inline constexpr std::uint32_t ERRINFO_LICENSE_NO_LICENSE_SERVER = 0x00000101;
inline constexpr std::uint32_t ERRINFO_LICENSE_NO_LICENSE = 0x00000102;
inline constexpr std::uint32_t ERRINFO_LICENSE_BAD_CLIENT_MSG = 0x00000103;
inline constexpr std::uint32_t ERRINFO_LICENSE_HWID_DOESNT_MATCH_LICENSE = 0x00000104;
inline constexpr std::uint32_t ERRINFO_LICENSE_BAD_CLIENT_LICENSE = 0x00000105;
inline constexpr std::uint32_t ERRINFO_LICENSE_CANT_FINISH_PROTOCOL = 0x00000106;
inline constexpr std::uint32_t ERRINFO_LICENSE_CLIENT_ENDED_PROTOCOL = 0x00000107;
inline constexpr std::uint32_t ERRINFO_LICENSE_BAD_CLIENT_ENCRYPTION = 0x00000108;
inline constexpr std::uint32_t ERRINFO_LICENSE_CANT_UPGRADE_LICENSE = 0x00000109;
inline constexpr std::uint32_t ERRINFO_LICENSE_NO_REMOTE_CONNECTIONS = 0x0000010A;

struct ErrorInfoText {
  std::string_view name;         // e.g. "ERRINFO_LICENSE_NO_LICENSE_SERVER"
  std::string_view description;  // what it means, in an admin's words
};

ErrorInfoText error_info_text(std::uint32_t code);

}  // namespace rdwarm::wire
