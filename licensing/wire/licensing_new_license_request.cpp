#include "licensing/wire/licensing_new_license_request.hpp"

namespace rdwarm::wire::lic {

std::size_t NewLicenseRequest::size() const {
  return 4 + 4 + RANDOM_SIZE + encrypted_premaster_secret.size() + LicenseBinaryBlob::kHeaderSize +
         client_user_name.size() + 1 + LicenseBinaryBlob::kHeaderSize + client_machine_name.size() +
         1;
}

void NewLicenseRequest::encode(Writer& w) const {
  w.u32le(preferred_key_exchange_alg);
  w.u32le(platform_id);
  w.bytes(client_random);
  encrypted_premaster_secret.encode(w);
  LicenseBinaryBlob{BB_CLIENT_USER_NAME_BLOB, ansi_to_z(client_user_name)}.encode(w);
  LicenseBinaryBlob{BB_CLIENT_MACHINE_NAME_BLOB, ansi_to_z(client_machine_name)}.encode(w);
}

NewLicenseRequest NewLicenseRequest::read(Reader& r) {
  NewLicenseRequest m;
  m.preferred_key_exchange_alg = r.u32le("PreferredKeyExchangeAlg");
  m.platform_id = r.u32le("PlatformId");
  m.client_random = read_array<RANDOM_SIZE>(r, "ClientRandom");
  m.encrypted_premaster_secret = LicenseBinaryBlob::read(r, "EncryptedPreMasterSecret");
  m.client_user_name = ansi_from_z(LicenseBinaryBlob::read(r, "ClientUserName").data);
  m.client_machine_name = ansi_from_z(LicenseBinaryBlob::read(r, "ClientMachineName").data);
  return m;
}

}  // namespace rdwarm::wire::lic
