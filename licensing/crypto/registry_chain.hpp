// The session host's license-server-issued certificate chain as Windows stores it in the registry
// value "X509 Certificate2" (HKLM\SYSTEM\CurrentControlSet\Control\Terminal Server\RCM):
//   version u32 | count u32 | count x { cb u32 | DER }
// root first, last = the session host's certificate. The layout is that of the X.509
// SERVER_CERTIFICATE (MS-RDPELE 2.2.1.4.2); the list code is shared.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "licensing/crypto/certificate_summary.hpp"
#include "licensing/wire/result.hpp"

namespace rdwarm::crypto {

// Written by encode_registry_certificate_chain. That Windows writes the SERVER_CERTIFICATE
// dwVersion here (0x80000002, as in the MS-RDPELE 4.1 sample) is an assumption; the decoder accepts
// any version.
inline constexpr std::uint32_t kRegistryChainVersion = 0x80000002;
// The decoder accepts 1..200 certificates: a chain of one is not a licensing chain, but deciding
// that is the readiness check's job (it reports it), not the decoder's.
inline constexpr std::uint32_t kRegistryMinCertificates = 1;
inline constexpr std::uint32_t kRegistryMaxCertificates = 200;

// Trailing bytes after the last certificate (padding) are ignored.
Result<std::vector<CertificateSummary>> decode_registry_certificate_chain(
    std::span<const std::uint8_t> data);

std::vector<std::uint8_t> encode_registry_certificate_chain(
    const std::vector<std::vector<std::uint8_t>>& ders,
    std::uint32_t version = kRegistryChainVersion);

}  // namespace rdwarm::crypto
