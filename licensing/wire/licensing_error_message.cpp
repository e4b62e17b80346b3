#include "licensing/wire/licensing_error_message.hpp"

namespace rdwarm::wire::lic {

std::string_view name_of_error_code(std::uint32_t code) {
  switch (code) {
    case ERR_INVALID_SERVER_CERTIFICATE:
      return "ERR_INVALID_SERVER_CERTIFICATE";
    case ERR_NO_LICENSE:
      return "ERR_NO_LICENSE";
    case ERR_INVALID_MAC:
      return "ERR_INVALID_MAC";
    case ERR_INVALID_SCOPE:
      return "ERR_INVALID_SCOPE";
    case ERR_NO_LICENSE_SERVER:
      return "ERR_NO_LICENSE_SERVER";
    case STATUS_VALID_CLIENT:
      return "STATUS_VALID_CLIENT";
    case ERR_INVALID_CLIENT:
      return "ERR_INVALID_CLIENT";
    case ERR_INVALID_PRODUCTID:
      return "ERR_INVALID_PRODUCTID";
    case ERR_INVALID_MESSAGE_LEN:
      return "ERR_INVALID_MESSAGE_LEN";
    default:
      return "unknown";
  }
}

std::string_view name_of_state_transition(std::uint32_t transition) {
  switch (transition) {
    case ST_TOTAL_ABORT:
      return "ST_TOTAL_ABORT";
    case ST_NO_TRANSITION:
      return "ST_NO_TRANSITION";
    case ST_RESET_PHASE_TO_START:
      return "ST_RESET_PHASE_TO_START";
    case ST_RESEND_LAST_MESSAGE:
      return "ST_RESEND_LAST_MESSAGE";
    default:
      return "unknown";
  }
}

void LicenseErrorMessage::encode(Writer& w) const {
  w.u32le(error_code);
  w.u32le(state_transition);
  error_info.encode(w);
}

LicenseErrorMessage LicenseErrorMessage::read(Reader& r) {
  LicenseErrorMessage m;
  m.error_code = r.u32le("dwErrorCode");
  m.state_transition = r.u32le("dwStateTransition");
  m.error_info = LicenseBinaryBlob::read(r, "bbErrorInfo");
  return m;
}

}  // namespace rdwarm::wire::lic
