#include "licensing/wire/licensing_new_license.hpp"

namespace rdwarm::wire::lic {

void NewLicense::encode(Writer& w) const {
  encrypted_license_info.encode(w);
  w.bytes(mac_data);
}

NewLicense NewLicense::read(Reader& r) {
  NewLicense m;
  m.encrypted_license_info = LicenseBinaryBlob::read(r, "EncryptedLicenseInfo");
  m.mac_data = read_array<MAC_SIZE>(r, "MACData");
  return m;
}

Result<NewLicense> NewLicense::decode(Bytes message, bool upgrade) {
  Reader r(message, upgrade ? std::string_view("SERVER_UPGRADE_LICENSE") : kName);
  NewLicense m = read(r);
  if (!r.ok()) return r.error();
  m.upgrade = upgrade;
  return m;
}

std::size_t NewLicenseInfo::size() const {
  return 4 + 4 + scope.size() + 1 + 4 + utf8_to_utf16le_z(company_name).size() + 4 +
         utf8_to_utf16le_z(product_id).size() + 4 + license_info.size();
}

void NewLicenseInfo::encode(Writer& w) const {
  const auto scope_z = ansi_to_z(scope);
  const auto company = utf8_to_utf16le_z(company_name);
  const auto product = utf8_to_utf16le_z(product_id);
  w.u32le(version);
  w.u32le(static_cast<std::uint32_t>(scope_z.size()));
  w.bytes(scope_z);
  w.u32le(static_cast<std::uint32_t>(company.size()));
  w.bytes(company);
  w.u32le(static_cast<std::uint32_t>(product.size()));
  w.bytes(product);
  w.u32le(static_cast<std::uint32_t>(license_info.size()));
  w.bytes(license_info);
}

NewLicenseInfo NewLicenseInfo::read(Reader& r) {
  NewLicenseInfo m;
  m.version = r.u32le("dwVersion");
  const std::uint32_t cb_scope = r.u32le("cbScope");
  m.scope = ansi_from_z(r.bytes(cb_scope, "pbScope"));
  const std::uint32_t cb_company = r.u32le("cbCompanyName");
  m.company_name = utf16le_to_utf8(r.bytes(cb_company, "pbCompanyName"));
  const std::uint32_t cb_product = r.u32le("cbProductId");
  m.product_id = utf16le_to_utf8(r.bytes(cb_product, "pbProductId"));
  const std::uint32_t cb_license = r.u32le("cbLicenseInfo");
  const Bytes license = r.bytes(cb_license, "pbLicenseInfo");
  m.license_info.assign(license.begin(), license.end());
  return m;
}

}  // namespace rdwarm::wire::lic
