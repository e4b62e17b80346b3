#include "licensing/wire/errinfo.hpp"

namespace rdwarm::wire {

ErrorInfoText error_info_text(std::uint32_t code) {
  switch (code) {
    case ERRINFO_NONE:
      return {"ERRINFO_NONE", "no error"};
    case ERRINFO_RPC_INITIATED_DISCONNECT:
      return {"ERRINFO_RPC_INITIATED_DISCONNECT",
              "an administrative tool disconnected the session"};
    case ERRINFO_RPC_INITIATED_LOGOFF:
      return {"ERRINFO_RPC_INITIATED_LOGOFF", "an administrative tool logged the session off"};
    case ERRINFO_IDLE_TIMEOUT:
      return {"ERRINFO_IDLE_TIMEOUT", "the idle session limit was reached"};
    case ERRINFO_LOGON_TIMEOUT:
      return {"ERRINFO_LOGON_TIMEOUT", "the logon time limit was reached"};
    case ERRINFO_DISCONNECTED_BY_OTHERCONNECTION:
      return {"ERRINFO_DISCONNECTED_BY_OTHERCONNECTION",
              "another connection replaced this session"};
    case ERRINFO_OUT_OF_MEMORY:
      return {"ERRINFO_OUT_OF_MEMORY", "the session host ran out of memory"};
    case ERRINFO_SERVER_DENIED_CONNECTION:
      return {
          "ERRINFO_SERVER_DENIED_CONNECTION",
          "the session host denied the connection (connections disabled, drain mode, or policy)"};
    case ERRINFO_SERVER_INSUFFICIENT_PRIVILEGES:
      return {"ERRINFO_SERVER_INSUFFICIENT_PRIVILEGES",
              "the user may not log on through Remote Desktop"};
    case ERRINFO_SERVER_FRESH_CREDENTIALS_REQUIRED:
      return {"ERRINFO_SERVER_FRESH_CREDENTIALS_REQUIRED", "the server requires fresh credentials"};
    case ERRINFO_RPC_INITIATED_DISCONNECT_BYUSER:
      return {"ERRINFO_RPC_INITIATED_DISCONNECT_BYUSER",
              "a user disconnected the session from another tool"};
    case ERRINFO_LOGOFF_BY_USER:
      return {"ERRINFO_LOGOFF_BY_USER", "the user logged off"};
    case ERRINFO_LICENSE_INTERNAL:
      return {"ERRINFO_LICENSE_INTERNAL",
              "an internal error in the session host's licensing component"};
    case ERRINFO_LICENSE_NO_LICENSE_SERVER:
      return {"ERRINFO_LICENSE_NO_LICENSE_SERVER",
              "no Remote Desktop License Server could be found to provide a license"};
    case ERRINFO_LICENSE_NO_LICENSE:
      return {"ERRINFO_LICENSE_NO_LICENSE",
              "the license server has no client access licenses available"};
    case ERRINFO_LICENSE_BAD_CLIENT_MSG:
      return {"ERRINFO_LICENSE_BAD_CLIENT_MSG",
              "the session host received an invalid licensing message"};
    case ERRINFO_LICENSE_HWID_DOESNT_MATCH_LICENSE:
      return {"ERRINFO_LICENSE_HWID_DOESNT_MATCH_LICENSE",
              "the stored client license belongs to another device"};
    case ERRINFO_LICENSE_BAD_CLIENT_LICENSE:
      return {"ERRINFO_LICENSE_BAD_CLIENT_LICENSE", "the client license is invalid"};
    case ERRINFO_LICENSE_CANT_FINISH_PROTOCOL:
      return {"ERRINFO_LICENSE_CANT_FINISH_PROTOCOL",
              "network problems interrupted the licensing protocol"};
    case ERRINFO_LICENSE_CLIENT_ENDED_PROTOCOL:
      return {"ERRINFO_LICENSE_CLIENT_ENDED_PROTOCOL",
              "the client ended the licensing protocol prematurely"};
    case ERRINFO_LICENSE_BAD_CLIENT_ENCRYPTION:
      return {"ERRINFO_LICENSE_BAD_CLIENT_ENCRYPTION",
              "a licensing message was encrypted incorrectly"};
    case ERRINFO_LICENSE_CANT_UPGRADE_LICENSE:
      return {"ERRINFO_LICENSE_CANT_UPGRADE_LICENSE",
              "the client license could not be upgraded or renewed"};
    case ERRINFO_LICENSE_NO_REMOTE_CONNECTIONS:
      return {"ERRINFO_LICENSE_NO_REMOTE_CONNECTIONS",
              "the session host is not licensed to accept remote connections"};
    default:
      break;
  }
  if (code >= 0x400 && code <= 0x4FF) return {"ERRINFO_CB_*", "a Connection Broker error"};
  if (code >= 0x10C9 && code <= 0x11FF)
    return {"ERRINFO_*_PROTOCOL", "the server rejected a protocol message"};
  return {"ERRINFO_UNKNOWN", "an error code rdwarm does not know"};
}

}  // namespace rdwarm::wire
