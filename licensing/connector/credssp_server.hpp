// The server side of CredSSP [MS-CSSP 3.2.5], without I/O: what a session host does with the
// TSRequests of credssp_client.hpp. rdwarm's lab runs it for its `nla-required` scenario, and the
// connector's tests run the client against it. The acceptor (NTLM in SPNEGO) decides who may log
// on; this class carries its tokens, checks the client's binding to the TLS key, answers with the
// server's, and reads the delegated credentials.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "licensing/auth/security_context.hpp"
#include "licensing/wire/credssp.hpp"
#include "licensing/wire/result.hpp"

namespace rdwarm::connector {

struct CredsspServerConfig {
  std::unique_ptr<auth::SecurityContext> acceptor;
  // The NTSTATUS to report when the acceptor refuses a token (e.g. STATUS_LOGON_FAILURE).
  std::function<std::uint32_t()> refusal_status;
  std::vector<std::uint8_t> server_public_key;  // SubjectPublicKey of the TLS certificate
  std::uint32_t version = wire::credssp::kHighestVersion;
  // Checks the delegated password (UTF-16LE) against the account, e.g. by its NT hash; unset: not
  // checked. A client that authenticates with one password and delegates another is refused.
  std::function<bool(wire::Bytes password_utf16le)> password_matches;
};

class CredsspServer {
 public:
  explicit CredsspServer(CredsspServerConfig config);

  // One complete TSRequest of the client; returns the reply (possibly empty). After an error the
  // connection ends: send refusal() first when it is not empty (a TSRequest with errorCode).
  Result<std::vector<std::uint8_t>> receive(wire::Bytes ts_request);

  // The client authenticated, proved the TLS binding and delegated its credentials.
  [[nodiscard]] bool finished() const { return state_ == State::Finished; }
  // The TSRequest with errorCode to send before closing (empty below version 3, where the server
  // just closes).
  [[nodiscard]] const std::vector<std::uint8_t>& refusal() const { return refusal_; }
  [[nodiscard]] std::optional<std::uint32_t> refused_with() const { return refused_with_; }
  // TSPasswordCreds, once finished (the password is checked, never kept).
  [[nodiscard]] const std::string& delegated_user() const { return user_; }
  [[nodiscard]] const std::string& delegated_domain() const { return domain_; }
  [[nodiscard]] std::uint32_t version() const { return negotiated_; }

 private:
  enum class State { Negotiating, WaitAuthInfo, Finished, Failed };
  Result<std::vector<std::uint8_t>> negotiate(const wire::credssp::TsRequest& request);
  Result<std::vector<std::uint8_t>> bind(const wire::credssp::TsRequest& request,
                                         std::vector<std::uint8_t> final_token);
  Result<std::vector<std::uint8_t>> credentials(const wire::credssp::TsRequest& request);
  Result<std::vector<std::uint8_t>> refuse(std::uint32_t status, Error error);

  CredsspServerConfig config_;
  State state_ = State::Negotiating;
  std::uint32_t negotiated_ = wire::credssp::kHighestVersion;
  std::vector<std::uint8_t> refusal_;
  std::optional<std::uint32_t> refused_with_;
  std::string user_;
  std::string domain_;
};

}  // namespace rdwarm::connector
