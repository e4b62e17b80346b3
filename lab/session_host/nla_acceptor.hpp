// The server side of NLA as the lab runs it for one connection: rdwarm's CredSSP server
// (licensing/connector/credssp_server.hpp) around its NTLM acceptor for the scenario's account,
// inside SPNEGO, which also takes bare NTLM tokens (FreeRDP 2 sends those). The lab adds what it
// logs: the user and domain the client's AUTHENTICATE named, whether the logon succeeded or not.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "lab/scenario/scenario.hpp"
#include "licensing/auth/ntlm/acceptor.hpp"
#include "licensing/auth/spnego/acceptor.hpp"
#include "licensing/connector/credssp_server.hpp"

namespace rdwarm::lab {

// NTLM acceptor that remembers who the client said it was: the acceptor itself names the user
// only after a successful logon, and the lab's log wants it for a refused one too.
class ObservedNtlmAcceptor final : public auth::SecurityContext {
 public:
  explicit ObservedNtlmAcceptor(auth::ntlm::AcceptorConfig config);

  Result<auth::Step> step(wire::Bytes peer_token) override;
  Result<std::vector<std::uint8_t>> wrap(wire::Bytes plaintext) override;
  Result<std::vector<std::uint8_t>> unwrap(wire::Bytes message) override;
  Result<std::vector<std::uint8_t>> get_mic(wire::Bytes message) override;
  Status verify_mic(wire::Bytes message, wire::Bytes mic) override;
  void reset_cipher_state(Direction direction) override;
  [[nodiscard]] std::string_view mechanism() const override { return inner_.mechanism(); }

  // The NTSTATUS of a refused token (STATUS_SUCCESS until then).
  [[nodiscard]] std::uint32_t status() const { return inner_.status(); }
  // From the client's AUTHENTICATE_MESSAGE, once one arrived (else empty).
  [[nodiscard]] const std::string& user() const { return user_; }
  [[nodiscard]] const std::string& domain() const { return domain_; }

 private:
  auth::ntlm::Acceptor inner_;
  std::string user_;
  std::string domain_;
};

// One connection's CredSSP server and the contexts it owns, for the report.
struct LabCredssp {
  std::unique_ptr<connector::CredsspServer> server;
  const ObservedNtlmAcceptor* ntlm = nullptr;      // owned by `server`
  const auth::spnego::Acceptor* spnego = nullptr;  // owned by `server`
};

// `tls_public_key`: the SubjectPublicKey of the lab's TLS certificate; `random`: the NTLM server
// challenge's source (tests inject a fixed one; empty: OpenSSL's generator).
LabCredssp make_lab_credssp(const NlaScenario& nla, std::vector<std::uint8_t> tls_public_key,
                            auth::ntlm::RandomSource random);

}  // namespace rdwarm::lab
