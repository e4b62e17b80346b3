#include "licensing/crypto/certificate_blobs.hpp"

#include <string>

namespace rdwarm::crypto::detail {

std::vector<wire::Bytes> read_certificate_blobs(wire::Reader& r, std::string_view count_field,
                                                std::uint32_t min_count, std::uint32_t max_count) {
  const std::uint32_t count = r.u32le(count_field);
  if (!r.ok()) return {};
  if (count < min_count || count > max_count) {
    r.fail(count_field, std::to_string(count) + " is outside " + std::to_string(min_count) + ".." +
                            std::to_string(max_count));
    return {};
  }
  std::vector<wire::Bytes> ders;
  ders.reserve(count);
  for (std::uint32_t i = 0; i < count; ++i) {
    const std::string field = "cbCert[" + std::to_string(i) + "]";
    const std::uint32_t cb = r.u32le(field);
    if (!r.ok()) return {};
    if (cb == 0) {
      r.fail(field, "is zero");
      return {};
    }
    if (cb > r.remaining()) {
      r.fail(field, "length " + std::to_string(cb) + " exceeds the " +
                        std::to_string(r.remaining()) + " bytes left");
      return {};
    }
    ders.push_back(r.bytes(cb, "abCert[" + std::to_string(i) + "]"));
  }
  return ders;
}

void write_certificate_blobs(wire::Writer& w, const std::vector<std::vector<std::uint8_t>>& ders) {
  w.u32le(static_cast<std::uint32_t>(ders.size()));
  for (const auto& der : ders) {
    w.u32le(static_cast<std::uint32_t>(der.size()));
    w.bytes(der);
  }
}

Result<std::vector<CertificateSummary>> summarize_certificates(
    const std::vector<wire::Bytes>& ders) {
  std::vector<CertificateSummary> chain;
  chain.reserve(ders.size());
  for (std::size_t i = 0; i < ders.size(); ++i) {
    auto s = summarize_certificate(ders[i], "X.509 certificate[" + std::to_string(i) + "]");
    if (!s) return s.error();
    chain.push_back(std::move(s).value());
  }
  return chain;
}

}  // namespace rdwarm::crypto::detail
