// Basic Security Header, TS_SECURITY_HEADER [MS-RDPBCGR 2.2.8.1.1.2.1]. With TLS it carries no
// encryption, but the Client Info and licensing PDUs still start with it.
#pragma once

#include <cstddef>
#include <cstdint>

#include "licensing/wire/reader.hpp"
#include "licensing/wire/writer.hpp"

namespace rdwarm::wire {

// Security header flags [MS-RDPBCGR 2.2.8.1.1.2.1].
inline constexpr std::uint16_t SEC_EXCHANGE_PKT = 0x0001;
inline constexpr std::uint16_t SEC_TRANSPORT_REQ = 0x0002;
inline constexpr std::uint16_t SEC_ENCRYPT = 0x0008;
inline constexpr std::uint16_t SEC_RESET_SEQNO = 0x0010;
inline constexpr std::uint16_t SEC_IGNORE_SEQNO = 0x0020;
inline constexpr std::uint16_t SEC_INFO_PKT = 0x0040;
inline constexpr std::uint16_t SEC_LICENSE_PKT = 0x0080;
inline constexpr std::uint16_t SEC_LICENSE_ENCRYPT = 0x0200;  // _CS and _SC share the value
inline constexpr std::uint16_t SEC_REDIRECTION_PKT = 0x0400;
inline constexpr std::uint16_t SEC_SECURE_CHECKSUM = 0x0800;
inline constexpr std::uint16_t SEC_AUTODETECT_REQ = 0x1000;
inline constexpr std::uint16_t SEC_AUTODETECT_RSP = 0x2000;
inline constexpr std::uint16_t SEC_HEARTBEAT = 0x4000;
inline constexpr std::uint16_t SEC_FLAGSHI_VALID = 0x8000;

struct BasicSecurityHeader {
  std::uint16_t flags = 0;
  std::uint16_t flags_hi = 0;  // servers put junk here (xrdp 0.9): never validated

  static constexpr std::size_t kSize = 4;
  [[nodiscard]] std::size_t size() const { return kSize; }
  void encode(Writer& w) const {
    w.u16le(flags);
    w.u16le(flags_hi);
  }
  static BasicSecurityHeader read(Reader& r) {
    BasicSecurityHeader h;
    h.flags = r.u16le("flags");
    h.flags_hi = r.u16le("flagsHi");
    return h;
  }
};

}  // namespace rdwarm::wire
