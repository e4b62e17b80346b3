#include "licensing/wire/licensing_platform_challenge.hpp"

namespace rdwarm::wire::lic {

void PlatformChallenge::encode(Writer& w) const {
  w.u32le(connect_flags);
  encrypted_platform_challenge.encode(w);
  w.bytes(mac_data);
}

PlatformChallenge PlatformChallenge::read(Reader& r) {
  PlatformChallenge m;
  m.connect_flags = r.u32le("ConnectFlags");
  m.encrypted_platform_challenge = LicenseBinaryBlob::read(r, "EncryptedPlatformChallenge");
  m.mac_data = read_array<MAC_SIZE>(r, "MACData");
  return m;
}

}  // namespace rdwarm::wire::lic
