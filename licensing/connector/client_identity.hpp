// Who the probe says it is to the licensing server. The license server tracks client licenses by
// machine name and hardware id: both must stay the same across probes, boots and retries, or every
// probe would look like a new device [MS-RDPELE 3.3.5.2; FreeRDP issue #5229].
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace rdwarm::connector {

struct ClientIdentity {
  std::string machine_name = "RDWARM";     // CS_CORE clientName and ClientMachineName (<= 15 chars)
  std::string user_name = "rdwarm";        // ClientUserName in the New License Request
  std::uint32_t platform_id = 0x04010000;  // CLIENT_OS_ID_WINNT_POST_52 | CLIENT_IMAGE_ID_MICROSOFT
  std::array<std::uint32_t, 4> hardware_id{};  // CLIENT_HARDWARE_ID Data1..Data4

  // A hardware id derived from the machine name, so the same name always gives the same id
  // without storing anything on a non-persistent VM.
  static std::array<std::uint32_t, 4> derive_hardware_id(const std::string& machine_name);
  static ClientIdentity for_machine(const std::string& machine_name);
};

}  // namespace rdwarm::connector
