// LICENSE_ERROR_MESSAGE [MS-RDPBCGR 2.2.1.12.1.3]: sent by either side. From the server it also
// carries success: STATUS_VALID_CLIENT + ST_NO_TRANSITION ends licensing without a license.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "licensing/wire/licensing_common.hpp"

namespace rdwarm::wire::lic {

// dwErrorCode [MS-RDPBCGR 2.2.1.12.1.3]. Sent by the client:
inline constexpr std::uint32_t ERR_INVALID_SERVER_CERTIFICATE = 0x00000001;
inline constexpr std::uint32_t ERR_NO_LICENSE = 0x00000002;
// Sent by the server:
inline constexpr std::uint32_t ERR_INVALID_SCOPE = 0x00000004;
inline constexpr std::uint32_t ERR_NO_LICENSE_SERVER = 0x00000006;
inline constexpr std::uint32_t STATUS_VALID_CLIENT = 0x00000007;
inline constexpr std::uint32_t ERR_INVALID_CLIENT = 0x00000008;
inline constexpr std::uint32_t ERR_INVALID_PRODUCTID = 0x0000000B;
inline constexpr std::uint32_t ERR_INVALID_MESSAGE_LEN = 0x0000000C;
// Either:
inline constexpr std::uint32_t ERR_INVALID_MAC = 0x00000003;

// dwStateTransition [MS-RDPBCGR 2.2.1.12.1.3]. Windows never sends 3 or 4 (MS-RDPELE <17>).
inline constexpr std::uint32_t ST_TOTAL_ABORT = 0x00000001;
inline constexpr std::uint32_t ST_NO_TRANSITION = 0x00000002;
inline constexpr std::uint32_t ST_RESET_PHASE_TO_START = 0x00000003;
inline constexpr std::uint32_t ST_RESEND_LAST_MESSAGE = 0x00000004;

// Spec names ("ERR_NO_LICENSE_SERVER", ...); "unknown" for other values.
std::string_view name_of_error_code(std::uint32_t code);
std::string_view name_of_state_transition(std::uint32_t transition);

struct LicenseErrorMessage {
  static constexpr std::string_view kName = "LICENSE_ERROR_MESSAGE";

  std::uint32_t error_code = STATUS_VALID_CLIENT;
  std::uint32_t state_transition = ST_NO_TRANSITION;
  // bbErrorInfo: BB_ERROR_BLOB, usually empty; its type is junk when empty (xrdp: 0x1428).
  LicenseBinaryBlob error_info{BB_ERROR_BLOB, {}};

  // The server's "no license needed / licensing done" message [MS-RDPBCGR 2.2.1.12].
  static LicenseErrorMessage valid_client() { return {}; }
  [[nodiscard]] bool is_valid_client() const { return error_code == STATUS_VALID_CLIENT; }

  [[nodiscard]] std::size_t size() const { return 8 + error_info.size(); }
  void encode(Writer& w) const;
  static LicenseErrorMessage read(Reader& r);
  static Result<LicenseErrorMessage> decode(Bytes message) {
    return decode_with_reader<LicenseErrorMessage>(message);
  }

  friend bool operator==(const LicenseErrorMessage&, const LicenseErrorMessage&) = default;
};

}  // namespace rdwarm::wire::lic
