// Waits for the license-server certificate to change: RegNotifyChangeKeyValue on the RCM key
// (value writes only, asynchronous, signalling an event), then a comparison of the two certificate
// values with what they held when the wait was armed. Other RCM writes wake the wait but do not end
// it, so the caller sees kChanged only for a different certificate.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

#include "licensing/host/host_platform.hpp"
#include "licensing/host/windows/registry.hpp"
#include "licensing/host/windows/win32.hpp"

namespace rdwarm::host::windows {

class CertificateWatch {
 public:
  CertificateWatch() = default;
  ~CertificateWatch();
  CertificateWatch(const CertificateWatch&) = delete;
  CertificateWatch& operator=(const CertificateWatch&) = delete;
  CertificateWatch(CertificateWatch&&) = delete;
  CertificateWatch& operator=(CertificateWatch&&) = delete;

  // Registers for RCM changes and remembers the certificate values as they are now.
  Status arm();
  [[nodiscard]] bool armed() const { return event_ != nullptr; }
  // kChanged when either certificate value differs from the remembered one (which then becomes the
  // new reference, and the watch stays armed); kTimedOut after `timeout` otherwise.
  Result<WaitResult> wait(std::chrono::milliseconds timeout);

 private:
  struct Certificates {
    std::optional<std::vector<std::uint8_t>> x509_certificate2;
    std::optional<std::vector<std::uint8_t>> x509_certificate;
    bool operator==(const Certificates&) const = default;
  };
  Result<Certificates> read_certificates() const;
  Status register_notification();

  RegistryKey rcm_;
  HANDLE event_ = nullptr;
  Certificates reference_;
};

}  // namespace rdwarm::host::windows
