#include "licensing/wire/licensing_license_info.hpp"

namespace rdwarm::wire::lic {

std::size_t LicenseInfo::size() const {
  return 4 + 4 + RANDOM_SIZE + encrypted_premaster_secret.size() + license_info.size() +
         encrypted_hwid.size() + MAC_SIZE;
}

void LicenseInfo::encode(Writer& w) const {
  w.u32le(preferred_key_exchange_alg);
  w.u32le(platform_id);
  w.bytes(client_random);
  encrypted_premaster_secret.encode(w);
  license_info.encode(w);
  encrypted_hwid.encode(w);
  w.bytes(mac_data);
}

LicenseInfo LicenseInfo::read(Reader& r) {
  LicenseInfo m;
  m.preferred_key_exchange_alg = r.u32le("PreferredKeyExchangeAlg");
  m.platform_id = r.u32le("PlatformId");
  m.client_random = read_array<RANDOM_SIZE>(r, "ClientRandom");
  m.encrypted_premaster_secret = LicenseBinaryBlob::read(r, "EncryptedPreMasterSecret");
  m.license_info = LicenseBinaryBlob::read(r, "LicenseInfo");
  m.encrypted_hwid = LicenseBinaryBlob::read(r, "EncryptedHWID");
  m.mac_data = read_array<MAC_SIZE>(r, "MACData");
  return m;
}

}  // namespace rdwarm::wire::lic
