#include "licensing/wire/licensing_license_request.hpp"

#include <string>

namespace rdwarm::wire::lic {

std::size_t ProductInfo::size() const {
  return 4 + 4 + utf8_to_utf16le_z(company_name).size() + 4 + utf8_to_utf16le_z(product_id).size();
}

void ProductInfo::encode(Writer& w) const {
  const auto company = utf8_to_utf16le_z(company_name);
  const auto product = utf8_to_utf16le_z(product_id);
  w.u32le(version);
  w.u32le(static_cast<std::uint32_t>(company.size()));
  w.bytes(company);
  w.u32le(static_cast<std::uint32_t>(product.size()));
  w.bytes(product);
}

ProductInfo ProductInfo::read(Reader& r) {
  ProductInfo p;
  p.version = r.u32le("ProductInfo.dwVersion");
  const std::uint32_t cb_company = r.u32le("ProductInfo.cbCompanyName");
  p.company_name = utf16le_to_utf8(r.bytes(cb_company, "ProductInfo.pbCompanyName"));
  const std::uint32_t cb_product = r.u32le("ProductInfo.cbProductId");
  p.product_id = utf16le_to_utf8(r.bytes(cb_product, "ProductInfo.pbProductId"));
  return p;
}

std::vector<std::uint32_t> LicenseRequest::key_exchange_algorithms() const {
  std::vector<std::uint32_t> algs;
  const auto& d = key_exchange_list.data;
  for (std::size_t i = 0; i + 4 <= d.size(); i += 4) {
    algs.push_back(static_cast<std::uint32_t>(d[i]) | (static_cast<std::uint32_t>(d[i + 1]) << 8) |
                   (static_cast<std::uint32_t>(d[i + 2]) << 16) |
                   (static_cast<std::uint32_t>(d[i + 3]) << 24));
  }
  return algs;
}

std::size_t LicenseRequest::size() const {
  std::size_t n =
      RANDOM_SIZE + product_info.size() + key_exchange_list.size() + server_certificate.size() + 4;
  for (const auto& s : scopes) n += LicenseBinaryBlob::kHeaderSize + s.size() + 1;
  return n;
}

void LicenseRequest::encode(Writer& w) const {
  w.bytes(server_random);
  product_info.encode(w);
  key_exchange_list.encode(w);
  server_certificate.encode(w);
  w.u32le(static_cast<std::uint32_t>(scopes.size()));
  for (const auto& s : scopes) LicenseBinaryBlob{BB_SCOPE_BLOB, ansi_to_z(s)}.encode(w);
}

LicenseRequest LicenseRequest::read(Reader& r) {
  LicenseRequest m;
  m.server_random = read_array<RANDOM_SIZE>(r, "ServerRandom");
  m.product_info = ProductInfo::read(r);
  m.key_exchange_list = LicenseBinaryBlob::read(r, "KeyExchangeList");
  m.server_certificate = LicenseBinaryBlob::read(r, "ServerCertificate");
  const std::uint32_t count = r.u32le("ScopeList.ScopeCount");
  m.scopes.clear();
  if (!r.ok()) return m;
  if (count > kMaxScopeCount) {
    r.fail("ScopeList.ScopeCount", std::to_string(count) + " scopes, more than the limit of " +
                                       std::to_string(kMaxScopeCount));
    return m;
  }
  for (std::uint32_t i = 0; i < count && r.ok(); ++i) {
    const auto blob = LicenseBinaryBlob::read(r, "ScopeList.Scope[" + std::to_string(i) + "]");
    m.scopes.push_back(ansi_from_z(blob.data));
  }
  return m;
}

}  // namespace rdwarm::wire::lic
