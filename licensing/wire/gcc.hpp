// GCC Conference Create Request/Response [T.124, ALIGNED PER] carrying the RDP settings data
// blocks [MS-RDPBCGR 2.2.1.3.x client, 2.2.1.4.x server]. Only the blocks the probe sends and the
// server blocks it must read are typed; other blocks are skipped by their length.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "licensing/wire/reader.hpp"
#include "licensing/wire/result.hpp"
#include "licensing/wire/writer.hpp"

namespace rdwarm::wire {

// User data header types [MS-RDPBCGR 2.2.1.3.1, 2.2.1.4.1].
inline constexpr std::uint16_t CS_CORE = 0xC001;
inline constexpr std::uint16_t CS_SECURITY = 0xC002;
inline constexpr std::uint16_t CS_NET = 0xC003;
inline constexpr std::uint16_t CS_CLUSTER = 0xC004;
inline constexpr std::uint16_t SC_CORE = 0x0C01;
inline constexpr std::uint16_t SC_SECURITY = 0x0C02;
inline constexpr std::uint16_t SC_NET = 0x0C03;

// RDP versions in TS_UD_CS_CORE / TS_UD_SC_CORE [MS-RDPBCGR 2.2.1.3.2].
inline constexpr std::uint32_t RDP_VERSION_5_PLUS = 0x00080004;
inline constexpr std::uint16_t RNS_UD_COLOR_8BPP = 0xCA01;
inline constexpr std::uint16_t RNS_UD_SAS_DEL = 0xAA03;
// earlyCapabilityFlags [MS-RDPBCGR 2.2.1.3.2].
inline constexpr std::uint16_t RNS_UD_CS_SUPPORT_ERRINFO_PDU = 0x0001;
inline constexpr std::uint16_t RNS_UD_CS_WANT_32BPP_SESSION = 0x0002;
inline constexpr std::uint16_t RNS_UD_CS_SUPPORT_SKIP_CHANNELJOIN = 0x0800;
// CS_CLUSTER flags [MS-RDPBCGR 2.2.1.3.5]; the probe never sets REDIRECTED_SESSIONID_FIELD_VALID
// (console/admin mode, which bypasses licensing).
inline constexpr std::uint32_t REDIRECTION_SUPPORTED = 0x00000001;
inline constexpr std::uint32_t REDIRECTED_SESSIONID_FIELD_VALID = 0x00000002;

// TS_UD_CS_CORE up to and including serverSelectedProtocol (212-byte body) [MS-RDPBCGR 2.2.1.3.2].
struct ClientCoreData {
  std::uint32_t version = RDP_VERSION_5_PLUS;
  std::uint16_t desktop_width = 1024, desktop_height = 768;
  std::uint16_t color_depth = RNS_UD_COLOR_8BPP, sas_sequence = RNS_UD_SAS_DEL;
  std::uint32_t keyboard_layout = 0x409, client_build = 2600;
  std::string client_name;  // at most 15 UTF-16 code units are sent
  std::uint32_t keyboard_type = 4, keyboard_sub_type = 0, keyboard_function_key = 12;
  std::uint16_t post_beta2_color_depth = RNS_UD_COLOR_8BPP, client_product_id = 1;
  std::uint32_t serial_number = 0;
  std::uint16_t high_color_depth = 24, supported_color_depths = 0x0007;
  std::uint16_t early_capability_flags = RNS_UD_CS_SUPPORT_ERRINFO_PDU;
  std::uint8_t connection_type = 0;
  std::uint32_t server_selected_protocol = 0;
};

struct ClientSecurityData {
  std::uint32_t encryption_methods = 0, ext_encryption_methods = 0;  // 0/0 with TLS
};
struct ChannelDef {
  std::string name;  // at most 7 ANSI characters
  std::uint32_t options = 0;
};
struct ClientNetworkData {
  std::vector<ChannelDef> channels;
};
struct ClientClusterData {
  std::uint32_t flags = 0, redirected_session_id = 0;
};

struct ClientGccBlocks {
  ClientCoreData core;
  ClientSecurityData security;
  std::optional<ClientNetworkData> network;
  std::optional<ClientClusterData> cluster;

  [[nodiscard]] std::size_t size() const;
  void encode(Writer& w) const;
  static Result<ClientGccBlocks> decode(Bytes blocks);
};

struct ServerCoreData {
  std::uint32_t version = RDP_VERSION_5_PLUS;
  std::optional<std::uint32_t> client_requested_protocols;
  std::optional<std::uint32_t> early_capability_flags;
};
struct ServerSecurityData {
  std::uint32_t encryption_method = 0, encryption_level = 0;
  // Present only with standard RDP security (level > 0): kept raw, the probe does not use them.
  std::vector<std::uint8_t> server_random, server_certificate;
};
struct ServerNetworkData {
  std::uint16_t io_channel = 1003;
  std::vector<std::uint16_t> channel_ids;
};

struct ServerGccBlocks {
  ServerCoreData core;
  ServerSecurityData security;
  ServerNetworkData network;

  [[nodiscard]] std::size_t size() const;
  void encode(Writer& w) const;
  // SC_CORE and SC_NET are required; SC_SECURITY defaults to none; unknown blocks are skipped.
  static Result<ServerGccBlocks> decode(Bytes blocks);
};

// GCC Conference Create Request wrapping the client blocks [MS-RDPBCGR 2.2.1.3, T.124 8.7].
struct ConferenceCreateRequest {
  ClientGccBlocks blocks;
  [[nodiscard]] std::size_t size() const;
  void encode(Writer& w) const;
  static Result<ConferenceCreateRequest> decode(Bytes gcc);
};

// GCC Conference Create Response wrapping the server blocks [MS-RDPBCGR 2.2.1.4].
struct ConferenceCreateResponse {
  std::uint16_t node_id = 1001 + 30218;  // 0x760A offset as Windows sends [MS-RDPBCGR 4.1.4]
  std::uint8_t result = 0;
  ServerGccBlocks blocks;
  [[nodiscard]] std::size_t size() const;
  void encode(Writer& w) const;
  static Result<ConferenceCreateResponse> decode(Bytes gcc);
};

}  // namespace rdwarm::wire
