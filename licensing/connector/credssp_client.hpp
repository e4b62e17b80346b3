// The client side of CredSSP [MS-CSSP 3.1.5] as RDP's NLA runs it inside TLS, without I/O:
// TSRequest in, TSRequest out.
//   1. negoTokens: the security context's tokens until it is established (SPNEGO/NTLM: two
//      round trips);
//   2. pubKeyAuth: binds the authentication to the server's TLS key (the key itself up to
//      version 4, SHA-256 binding hashes with clientNonce from version 5), and checks the
//      server's answer, which only the holder of the session key and the same TLS key produces;
//   3. authInfo: the wrapped TSCredentials (domain, user, password).
// The server ends a failed logon with TSRequest.errorCode (version 3 and later) or by closing.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "licensing/auth/credentials.hpp"
#include "licensing/auth/security_context.hpp"
#include "licensing/wire/credssp.hpp"
#include "licensing/wire/result.hpp"

namespace rdwarm::connector {

class CredsspClient {
 public:
  CredsspClient(std::unique_ptr<auth::SecurityContext> context, auth::Credentials credentials,
                std::vector<std::uint8_t> server_public_key, wire::credssp::ClientNonce nonce);

  // The first TSRequest (the context's first token).
  Result<std::vector<std::uint8_t>> start();
  // One complete TSRequest of the server; returns what to send (possibly nothing). An error ends
  // the exchange: server_error() tells whether the server refused the logon.
  Result<std::vector<std::uint8_t>> receive(wire::Bytes ts_request);

  [[nodiscard]] bool finished() const { return state_ == State::Finished; }
  // Our credentials went out (the AUTHENTICATE token): a server that hangs up from here on has
  // refused them.
  [[nodiscard]] bool credentials_presented() const { return presented_; }
  // TSRequest.errorCode of the server, if it sent one.
  [[nodiscard]] std::optional<std::uint32_t> server_error() const { return server_error_; }
  [[nodiscard]] std::uint32_t version() const { return negotiated_; }
  [[nodiscard]] std::string_view mechanism() const { return context_->mechanism(); }

 private:
  enum class State { Idle, Negotiating, WaitPubKeyAuth, Finished, Failed };
  Result<std::vector<std::uint8_t>> negotiate(const wire::credssp::TsRequest& request);
  Result<std::vector<std::uint8_t>> confirm(const wire::credssp::TsRequest& request);
  Result<std::vector<std::uint8_t>> fail(std::string field, std::string what);
  Result<std::vector<std::uint8_t>> fail(Error error);

  std::unique_ptr<auth::SecurityContext> context_;
  auth::Credentials credentials_;
  std::vector<std::uint8_t> server_public_key_;
  wire::credssp::ClientNonce nonce_;
  State state_ = State::Idle;
  std::uint32_t negotiated_ = wire::credssp::kHighestVersion;
  bool presented_ = false;
  std::optional<std::uint32_t> server_error_;
};

// What an NTSTATUS in TSRequest.errorCode means for the operator, e.g. "STATUS_LOGON_FAILURE
// (0xC000006D): the user name or password is wrong".
std::string describe_credssp_error(std::uint32_t code);

}  // namespace rdwarm::connector
