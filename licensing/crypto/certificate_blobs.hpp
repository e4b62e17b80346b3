// The certificate list shared by the X.509 SERVER_CERTIFICATE (MS-RDPELE 2.2.1.4.2,
// X509_CERTIFICATE_CHAIN) and the registry value "X509 Certificate2":
//   count u32 | count x { cbCert u32 | abCert[cbCert] (DER) }
// Internal to licensing/crypto.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "licensing/crypto/certificate_summary.hpp"
#include "licensing/wire/reader.hpp"
#include "licensing/wire/writer.hpp"

namespace rdwarm::crypto::detail {

// Reads the count (named `count_field` in errors) and the blobs, as views into the reader's input.
// On failure the reader holds the error and the result is empty.
std::vector<wire::Bytes> read_certificate_blobs(wire::Reader& r, std::string_view count_field,
                                                std::uint32_t min_count, std::uint32_t max_count);

void write_certificate_blobs(wire::Writer& w, const std::vector<std::vector<std::uint8_t>>& ders);

// Summaries of every certificate, root first as given; errors name "X.509 certificate[i]".
Result<std::vector<CertificateSummary>> summarize_certificates(
    const std::vector<wire::Bytes>& ders);

}  // namespace rdwarm::crypto::detail
