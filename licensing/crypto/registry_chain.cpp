#include "licensing/crypto/registry_chain.hpp"

#include "licensing/crypto/certificate_blobs.hpp"
#include "licensing/wire/reader.hpp"
#include "licensing/wire/writer.hpp"

namespace rdwarm::crypto {

Result<std::vector<CertificateSummary>> decode_registry_certificate_chain(
    std::span<const std::uint8_t> data) {
  wire::Reader r(data, "X509 Certificate2");
  (void)r.u32le("version");
  const auto ders = detail::read_certificate_blobs(r, "count", kRegistryMinCertificates,
                                                   kRegistryMaxCertificates);
  if (!r.ok()) return r.error();
  return detail::summarize_certificates(ders);
}

std::vector<std::uint8_t> encode_registry_certificate_chain(
    const std::vector<std::vector<std::uint8_t>>& ders, std::uint32_t version) {
  std::size_t size = 8;
  for (const auto& der : ders) size += 4 + der.size();
  std::vector<std::uint8_t> out;
  out.reserve(size);
  wire::Writer w(out);
  w.u32le(version);
  detail::write_certificate_blobs(w, ders);
  return out;
}

}  // namespace rdwarm::crypto
