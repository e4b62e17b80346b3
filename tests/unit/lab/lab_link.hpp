// The lab's server state machine talking to the probe's client state machine, both sans-IO: bytes
// are moved between them in memory, TLS is "established" when both ask for it. A fake host
// answers the server's questions. Used by the session host connection tests.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <vector>

#include "lab/license_server/certificate_issuer.hpp"
#include "lab/license_server/proprietary_signing.hpp"
#include "lab/session_host/host_services.hpp"
#include "lab/session_host/licensing_policy.hpp"
#include "lab/session_host/session_host_connection.hpp"
#include "licensing/connector/connector.hpp"
#include "licensing/crypto/server_certificate.hpp"
#include "licensing/wire/mcs.hpp"
#include "licensing/wire/x224.hpp"

namespace rdwarm::lab::testing {

// Key pairs are slow to make: one of each for the whole test program.
inline const std::shared_ptr<const HostRsaKey>& proprietary_key() {
  static const auto key = HostRsaKey::generate(512);
  return key;
}
inline const std::shared_ptr<const HostRsaKey>& x509_key() {
  static const auto key = HostRsaKey::generate(2048);
  return key;
}
inline const std::vector<std::vector<std::uint8_t>>& issued_chain() {
  static const auto chain = [] {
    CertificateIssuer issuer("LAB-LS");
    return issuer.issue_chain("LAB-SH01", x509_key()->public_key(), std::chrono::hours(24)).value();
  }();
  return chain;
}

inline std::shared_ptr<const LicensingCredentials> proprietary_credentials() {
  auto c = std::make_shared<LicensingCredentials>();
  c->kind = crypto::CertificateKind::Proprietary;
  c->server_certificate = signed_proprietary_certificate(proprietary_key()->public_key());
  c->key = proprietary_key();
  return c;
}

inline std::shared_ptr<const LicensingCredentials> x509_credentials() {
  auto c = std::make_shared<LicensingCredentials>();
  c->kind = crypto::CertificateKind::X509Chain;
  c->server_certificate = crypto::encode_x509_chain_certificate(issued_chain(), true);
  c->key = x509_key();
  return c;
}

class FakeHost : public HostServices {
 public:
  bool rdsh = true;
  std::shared_ptr<const LicensingCredentials> credentials = proprietary_credentials();
  LicensingVerdict verdict{VerdictKind::ValidClient, {}, "test"};
  Admission admit;
  int licensing_started = 0;
  std::vector<ClientLicensingFacts> decided;

  [[nodiscard]] bool licensing_required() const override { return rdsh; }
  std::shared_ptr<const LicensingCredentials> begin_licensing() override {
    ++licensing_started;
    return credentials;
  }
  LicensingVerdict decide(const ClientLicensingFacts& client) override {
    decided.push_back(client);
    return verdict;
  }
  Admission admission() override { return admit; }
};

// Splits a byte stream into TPKT frames (the server sends nothing else before activation).
inline std::vector<std::vector<std::uint8_t>> tpkt_frames(const std::vector<std::uint8_t>& bytes) {
  std::vector<std::vector<std::uint8_t>> frames;
  std::size_t at = 0;
  while (at + 4 <= bytes.size()) {
    const std::size_t n = static_cast<std::size_t>((bytes[at + 2] << 8) | bytes[at + 3]);
    if (n < 4 || at + n > bytes.size()) break;
    frames.emplace_back(bytes.begin() + static_cast<std::ptrdiff_t>(at),
                        bytes.begin() + static_cast<std::ptrdiff_t>(at + n));
    at += n;
  }
  return frames;
}

// The user data of every Send Data Indication the server sent, in order.
inline std::vector<std::vector<std::uint8_t>> io_payloads(const std::vector<std::uint8_t>& bytes) {
  std::vector<std::vector<std::uint8_t>> out;
  for (const auto& f : tpkt_frames(bytes)) {
    auto x = wire::decode_x224_frame(f);
    if (!x || x->kind != wire::X224Frame::Kind::Data) continue;
    auto pdu = wire::decode_domain_pdu(x->payload);
    if (!pdu) continue;
    if (const auto* sdi = std::get_if<wire::SendDataIndication>(&*pdu))
      out.emplace_back(sdi->user_data.begin(), sdi->user_data.end());
  }
  return out;
}

struct Link {
  explicit Link(ConnectionConfig config = {}, FakeHost* host_override = nullptr)
      : Link(std::move(config), client_config(), host_override) {}
  // NLA: `certificate` is the TLS certificate the client sees (CredSSP binds to its key).
  Link(ConnectionConfig config, connector::ConnectorConfig client_cfg,
       FakeHost* host_override = nullptr, std::vector<std::uint8_t> certificate = {})
      : host(host_override != nullptr ? host_override : &own_host),
        client(std::move(client_cfg)),
        server(std::move(config), *host),
        server_certificate(std::move(certificate)) {}

  static connector::ConnectorConfig client_config() {
    connector::ConnectorConfig c;
    c.identity = connector::ClientIdentity::for_machine("LINK-CLIENT");
    c.random = [n = std::uint8_t{7}](std::span<std::uint8_t> out) mutable {
      for (auto& b : out) b = n++;
    };
    return c;
  }

  // Moves bytes until neither side has anything to say. Returns the server's bytes of this run.
  std::vector<std::uint8_t> run() {
    if (!started) {
      client.start();
      started = true;
    }
    std::vector<std::uint8_t> server_bytes;
    for (int round = 0; round < 1000; ++round) {
      bool moved = false;
      if (client.has_output() && !server_closed) {
        auto bytes = client.take_output();
        if (tamper) tamper(bytes);
        client_bytes.insert(client_bytes.end(), bytes.begin(), bytes.end());
        if (chunk == 0) {
          server.receive(bytes);
        } else {  // as a socket may hand them over: in pieces
          for (std::size_t at = 0; at < bytes.size(); at += chunk) {
            server.receive(wire::Bytes(bytes).subspan(at, std::min(chunk, bytes.size() - at)));
          }
        }
        moved = true;
      }
      if (server.has_output()) {
        auto bytes = server.take_output();
        server_bytes.insert(server_bytes.end(), bytes.begin(), bytes.end());
        all_server_bytes.insert(all_server_bytes.end(), bytes.begin(), bytes.end());
        if (!client.done()) client.receive(bytes);
        moved = true;
      }
      if (client.wants_tls() && server.wants_tls()) {
        server.tls_established();
        client.tls_established(server_certificate);
        moved = true;
      }
      if (server.wants_close() != SessionHostConnection::CloseMode::None && !server_closed &&
          !server.has_output()) {
        server_closed = true;
        if (!client.done()) client.connection_closed();
        moved = true;
      }
      if (!moved) break;
    }
    return server_bytes;
  }

  FakeHost own_host;
  FakeHost* host;
  connector::ClientConnector client;
  SessionHostConnection server;
  std::vector<std::uint8_t> server_certificate;
  std::function<void(std::vector<std::uint8_t>&)> tamper;
  std::size_t chunk = 0;  // deliver client bytes to the server in pieces of this size (0: whole)
  std::vector<std::uint8_t> client_bytes, all_server_bytes;
  bool started = false;
  bool server_closed = false;
};

}  // namespace rdwarm::lab::testing
