// SERVER_LICENSE_REQUEST [MS-RDPELE 2.2.2.1]: the server's first licensing message. The server
// certificate stays raw bytes (licensing/crypto parses it); it may be empty.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "licensing/wire/licensing_common.hpp"

namespace rdwarm::wire::lic {

// More scopes than this is hostile input, not a license server (Windows sends one).
inline constexpr std::uint32_t kMaxScopeCount = 256;

// PRODUCT_INFO [MS-RDPELE 2.2.2.1.1]; names are UTF-16LE on the wire.
struct ProductInfo {
  std::uint32_t version = 0x00060000;
  std::string company_name = "Microsoft Corporation";
  std::string product_id = "A02";

  [[nodiscard]] std::size_t size() const;
  void encode(Writer& w) const;
  static ProductInfo read(Reader& r);

  friend bool operator==(const ProductInfo&, const ProductInfo&) = default;
};

struct LicenseRequest {
  static constexpr std::string_view kName = "SERVER_LICENSE_REQUEST";

  Random server_random{};
  ProductInfo product_info;
  // BB_KEY_EXCHG_ALG_BLOB holding u32 algorithm ids (KEY_EXCHANGE_ALG_RSA).
  LicenseBinaryBlob key_exchange_list{BB_KEY_EXCHG_ALG_BLOB, {0x01, 0x00, 0x00, 0x00}};
  // BB_CERTIFICATE_BLOB holding a SERVER_CERTIFICATE [MS-RDPBCGR 2.2.1.4.3.1]; may be empty.
  LicenseBinaryBlob server_certificate{BB_CERTIFICATE_BLOB, {}};
  // SCOPE_LIST [MS-RDPELE 2.2.2.1.2]: ANSI scope names (BB_SCOPE_BLOB, NUL-terminated on the wire).
  std::vector<std::string> scopes{"microsoft.com"};

  // The algorithm ids in key_exchange_list (a trailing partial u32 is ignored).
  [[nodiscard]] std::vector<std::uint32_t> key_exchange_algorithms() const;

  [[nodiscard]] std::size_t size() const;
  void encode(Writer& w) const;
  static LicenseRequest read(Reader& r);
  static Result<LicenseRequest> decode(Bytes message) {
    return decode_with_reader<LicenseRequest>(message);
  }

  friend bool operator==(const LicenseRequest&, const LicenseRequest&) = default;
};

}  // namespace rdwarm::wire::lic
