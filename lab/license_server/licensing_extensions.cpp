#include "lab/license_server/licensing_extensions.hpp"

#include <array>

#include "licensing/wire/reader.hpp"
#include "licensing/wire/writer.hpp"

namespace rdwarm::lab {
namespace {

std::vector<std::uint8_t> utf16z(std::string_view ascii) {
  std::vector<std::uint8_t> out;
  out.reserve(ascii.size() * 2 + 2);
  for (const char c : ascii) {
    out.push_back(static_cast<std::uint8_t>(c));
    out.push_back(0);
  }
  out.push_back(0);
  out.push_back(0);
  return out;
}

// Reads a NUL-terminated UTF-16LE string starting at `at`; non-ASCII units become '?'.
Result<std::string> read_utf16z(std::span<const std::uint8_t> data, std::size_t at,
                                const char* field) {
  std::string out;
  for (std::size_t i = at; i + 1 < data.size(); i += 2) {
    const auto unit = static_cast<std::uint16_t>(data[i] | (data[i + 1] << 8));
    if (unit == 0) return out;
    out.push_back(unit < 0x80 ? static_cast<char>(unit) : '?');
  }
  return make_error("MS_LICENSE_SERVER_INFO", field, "not NUL-terminated");
}

}  // namespace

std::vector<std::uint8_t> encode_hydra_cert_version() {
  std::vector<std::uint8_t> out;
  wire::Writer w(out);
  w.u32le(kHydraCertVersion);
  return out;
}

std::vector<std::uint8_t> encode_manufacturer() {
  return utf16z(kManufacturer);
}

// Layout of the 4.1 sample's 18.5 value: dwVersion | dwQuantity 1 | dwPlatformId 2 |
// dwLanguageId 0x0409 | five u16 (offset and length of the original product id, offset and
// length of the adjusted product id, offset of the licensed version list) | u16 version count 1 |
// the two product ids (UTF-16LE, NUL) | one 12-byte licensed version record. Offsets count from
// the start of the value.
std::vector<std::uint8_t> encode_licensed_product_info() {
  static constexpr std::array<std::uint8_t, 12> kLicensedVersion = {
      0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x64, 0x00, 0x00, 0x00, 0x00, 0x00};
  constexpr std::size_t kHeaderSize = 4 * 4 + 6 * 2;
  const auto product = utf16z(kTerminalServicesProductId);
  const auto product_len = static_cast<std::uint16_t>(product.size());
  std::vector<std::uint8_t> out;
  wire::Writer w(out);
  w.u32le(kLicensingInfoVersion);
  w.u32le(1);       // dwQuantity
  w.u32le(2);       // platform, as in the sample
  w.u32le(0x0409);  // language: en-US
  w.u16le(static_cast<std::uint16_t>(kHeaderSize));
  w.u16le(product_len);
  w.u16le(static_cast<std::uint16_t>(kHeaderSize + product.size()));
  w.u16le(product_len);
  w.u16le(static_cast<std::uint16_t>(kHeaderSize + 2 * product.size()));
  w.u16le(1);
  w.bytes(product);
  w.bytes(product);
  w.bytes(kLicensedVersion);
  return out;
}

std::vector<std::uint8_t> encode_license_server_info(const LicenseServerInfo& info) {
  const auto name = utf16z(info.issuer_name);
  const auto id = utf16z(info.issuer_id);
  const auto scope = utf16z(info.scope);
  std::vector<std::uint8_t> out;
  wire::Writer w(out);
  w.u32le(kLicensingInfoVersion);
  w.u16le(0);
  w.u16le(static_cast<std::uint16_t>(name.size()));
  w.u16le(static_cast<std::uint16_t>(name.size() + id.size()));
  w.bytes(name);
  w.bytes(id);
  w.bytes(scope);
  w.u16le(0);
  return out;
}

Result<LicenseServerInfo> decode_license_server_info(std::span<const std::uint8_t> data) {
  wire::Reader r(data, "MS_LICENSE_SERVER_INFO");
  (void)r.u32le("Version");
  const std::size_t name_off = r.u16le("IssuerNameOffset");
  const std::size_t id_off = r.u16le("IssuerIdOffset");
  const std::size_t scope_off = r.u16le("LsScopeOffset");
  if (!r.ok()) return r.error();
  const auto strings = data.subspan(10);
  LicenseServerInfo info;
  auto name = read_utf16z(strings, name_off, "IssuerName");
  auto id = read_utf16z(strings, id_off, "IssuerId");
  auto scope = read_utf16z(strings, scope_off, "LsScope");
  if (!name) return name.error();
  if (!id) return id.error();
  if (!scope) return scope.error();
  info.issuer_name = std::move(name).value();
  info.issuer_id = std::move(id).value();
  info.scope = std::move(scope).value();
  return info;
}

}  // namespace rdwarm::lab
