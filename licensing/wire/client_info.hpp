// Client Info PDU [MS-RDPBCGR 2.2.1.11]: basic security header (SEC_INFO_PKT) + TS_INFO_PACKET
// [2.2.1.11.1.1] with TS_EXTENDED_INFO_PACKET [2.2.1.11.1.1.1]. Licensing starts when the server
// receives it [MS-RDPELE 1.3.3]. rdwarm always sends Unicode strings and empty credentials.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "licensing/wire/reader.hpp"
#include "licensing/wire/result.hpp"
#include "licensing/wire/writer.hpp"

namespace rdwarm::wire {

// TS_INFO_PACKET flags [MS-RDPBCGR 2.2.1.11.1.1].
inline constexpr std::uint32_t INFO_MOUSE = 0x00000001;
inline constexpr std::uint32_t INFO_DISABLECTRLALTDEL = 0x00000002;
inline constexpr std::uint32_t INFO_AUTOLOGON = 0x00000008;
inline constexpr std::uint32_t INFO_UNICODE = 0x00000010;
inline constexpr std::uint32_t INFO_MAXIMIZESHELL = 0x00000020;
inline constexpr std::uint32_t INFO_LOGONNOTIFY = 0x00000040;
inline constexpr std::uint32_t INFO_COMPRESSION = 0x00000080;
inline constexpr std::uint32_t INFO_ENABLEWINDOWSKEY = 0x00000100;
inline constexpr std::uint32_t INFO_LOGONERRORS = 0x00010000;
inline constexpr std::uint32_t INFO_MOUSE_HAS_WHEEL = 0x00020000;

inline constexpr std::uint16_t CLIENT_AF_INET = 0x0002;
inline constexpr std::uint16_t CLIENT_AF_INET6 = 0x0017;
inline constexpr std::size_t TS_TIME_ZONE_INFORMATION_SIZE = 172;

struct ClientInfo {
  std::uint32_t code_page = 0;
  std::uint32_t flags = INFO_MOUSE | INFO_DISABLECTRLALTDEL | INFO_UNICODE | INFO_MAXIMIZESHELL |
                        INFO_ENABLEWINDOWSKEY;
  std::string domain, user_name, password, alternate_shell, working_dir;
  std::uint16_t client_address_family = CLIENT_AF_INET;
  std::string client_address = "127.0.0.1";
  std::string client_dir = "C:\\Windows\\System32\\mstscax.dll";
  std::uint32_t client_session_id = 0;
  std::uint32_t performance_flags = 0;

  // Size of the Send Data user data: security header + TS_INFO_PACKET.
  [[nodiscard]] std::size_t size() const;
  void encode(Writer& w) const;
  // Decodes the user data (security header included); requires INFO_UNICODE.
  static Result<ClientInfo> decode(Bytes user_data);
};

}  // namespace rdwarm::wire
