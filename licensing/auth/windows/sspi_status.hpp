// SECURITY_STATUS values as a user reads them: the SSPI call that failed, the value in hex, its
// name, what it means and what to do next. The table holds the values the Negotiate client can
// meet (and the NTSTATUS wine's Kerberos package passes through); anything else is shown in hex
// with the text Windows has for it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "licensing/wire/result.hpp"

namespace rdwarm::auth::windows {

struct StatusInfo {
  std::string_view name;     // "SEC_E_LOGON_DENIED"; empty when the status is not in the table
  std::string_view meaning;  // what happened
  std::string_view advice;   // what to do next
};

[[nodiscard]] StatusInfo describe_security_status(std::int32_t status);

// "0x8009030C"
[[nodiscard]] std::string status_hex(std::int32_t status);

// Error{"SSPI", call, "0x8009030C SEC_E_LOGON_DENIED: <meaning>. <advice>"}.
[[nodiscard]] Error sspi_error(std::string_view call, std::int32_t status);

}  // namespace rdwarm::auth::windows
