// VERSION [MS-NLMP 2.2.2.10]: the sender's OS version, for debugging only; present in the three
// messages when NTLMSSP_NEGOTIATE_VERSION is set.
#pragma once

#include <cstdint>
#include <string_view>

#include "licensing/auth/ntlm/constants.hpp"
#include "licensing/wire/reader.hpp"
#include "licensing/wire/writer.hpp"

namespace rdwarm::auth::ntlm {

struct Version {
  std::uint8_t product_major = 0;
  std::uint8_t product_minor = 0;
  std::uint16_t product_build = 0;
  std::uint8_t ntlm_revision = NTLMSSP_REVISION_W2K3;  // NTLMRevisionCurrent

  void encode(wire::Writer& w) const {
    w.u8(product_major);
    w.u8(product_minor);
    w.u16le(product_build);
    w.zeros(3);  // Reserved
    w.u8(ntlm_revision);
  }
  [[nodiscard]] static constexpr std::size_t size() { return kVersionSize; }
  static Version read(wire::Reader& r) {
    Version v;
    v.product_major = r.u8("Version.ProductMajorVersion");
    v.product_minor = r.u8("Version.ProductMinorVersion");
    v.product_build = r.u16le("Version.ProductBuild");
    r.skip(3, "Version.Reserved");
    v.ntlm_revision = r.u8("Version.NTLMRevisionCurrent");
    return v;
  }

  bool operator==(const Version&) const = default;
};

}  // namespace rdwarm::auth::ntlm
