#include "licensing/wire/licensing_platform_challenge_response.hpp"

#include <cassert>
#include <limits>

namespace rdwarm::wire::lic {

void PlatformChallengeResponse::encode(Writer& w) const {
  encrypted_challenge_response.encode(w);
  encrypted_hwid.encode(w);
  w.bytes(mac_data);
}

PlatformChallengeResponse PlatformChallengeResponse::read(Reader& r) {
  PlatformChallengeResponse m;
  m.encrypted_challenge_response = LicenseBinaryBlob::read(r, "EncryptedPlatformChallengeResponse");
  m.encrypted_hwid = LicenseBinaryBlob::read(r, "EncryptedHWID");
  m.mac_data = read_array<MAC_SIZE>(r, "MACData");
  return m;
}

void PlatformChallengeResponseData::encode(Writer& w) const {
  assert(challenge.size() <= std::numeric_limits<std::uint16_t>::max());
  w.u16le(version);
  w.u16le(client_type);
  w.u16le(license_detail_level);
  w.u16le(static_cast<std::uint16_t>(challenge.size()));
  w.bytes(challenge);
}

PlatformChallengeResponseData PlatformChallengeResponseData::read(Reader& r) {
  PlatformChallengeResponseData d;
  d.version = r.u16le("wVersion");
  d.client_type = r.u16le("wClientType");
  d.license_detail_level = r.u16le("wLicenseDetailLevel");
  const std::uint16_t cb = r.u16le("cbChallenge");
  const Bytes c = r.bytes(cb, "pbChallenge");
  d.challenge.assign(c.begin(), c.end());
  return d;
}

void ClientHardwareId::encode(Writer& w) const {
  w.u32le(platform_id);
  w.u32le(data1);
  w.u32le(data2);
  w.u32le(data3);
  w.u32le(data4);
}

ClientHardwareId ClientHardwareId::read(Reader& r) {
  ClientHardwareId h;
  h.platform_id = r.u32le("PlatformId");
  h.data1 = r.u32le("Data1");
  h.data2 = r.u32le("Data2");
  h.data3 = r.u32le("Data3");
  h.data4 = r.u32le("Data4");
  return h;
}

}  // namespace rdwarm::wire::lic
