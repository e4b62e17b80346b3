#include "licensing/connector/credssp_client.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <cstdio>
#include <utility>

#include "licensing/crypto/credssp_binding.hpp"
#include "licensing/wire/text.hpp"

namespace rdwarm::connector {

namespace cs = wire::credssp;

namespace {

constexpr const char* kWhere = "CredSSP";

// Wipes a byte buffer that held a secret before it is freed.
struct Wiped {
  std::vector<std::uint8_t> bytes;
  Wiped() = default;
  explicit Wiped(std::vector<std::uint8_t> b) : bytes(std::move(b)) {}
  Wiped(const Wiped&) = delete;
  Wiped& operator=(const Wiped&) = delete;
  ~Wiped() {
    if (!bytes.empty()) OPENSSL_cleanse(bytes.data(), bytes.size());
  }
};

std::vector<std::uint8_t> encode_request(const cs::TsRequest& request) {
  return wire::encode_to_vector(request);
}

std::string hex32(std::uint32_t v) {
  char text[11];
  std::snprintf(text, sizeof text, "0x%08X", v);
  return text;
}

}  // namespace

std::string describe_credssp_error(std::uint32_t code) {
  std::string meaning;
  switch (code) {
    case cs::STATUS_LOGON_FAILURE:
    case cs::STATUS_WRONG_PASSWORD:
    case cs::STATUS_NO_SUCH_USER:
    case cs::kSecELogonDenied:
      meaning = "the user name or password is wrong";
      break;
    case cs::STATUS_ACCOUNT_DISABLED:
      meaning = "the account is disabled";
      break;
    case cs::STATUS_PASSWORD_EXPIRED:
      meaning = "the account's password has expired";
      break;
    case cs::STATUS_PASSWORD_MUST_CHANGE:
      meaning = "the account must change its password before it can log on";
      break;
    case cs::STATUS_ACCOUNT_LOCKED_OUT:
      meaning = "the account is locked out (too many wrong passwords)";
      break;
    case cs::STATUS_ACCOUNT_EXPIRED:
      meaning = "the account has expired";
      break;
    case cs::STATUS_ACCOUNT_RESTRICTION:
    case cs::STATUS_INVALID_LOGON_HOURS:
    case cs::STATUS_INVALID_WORKSTATION:
      meaning = "an account restriction forbids this logon (hours, workstations)";
      break;
    case cs::STATUS_LOGON_TYPE_NOT_GRANTED:
    case cs::STATUS_ACCESS_DENIED:
      meaning = "the account may not log on to this host";
      break;
    case cs::kSecEInvalidToken:
      meaning = "the server could not read our authentication token";
      break;
    default:
      meaning = "the server refused the authentication";
      break;
  }
  const auto name = cs::status_code_name(code);
  return (name.empty() ? std::string() : std::string(name) + " ") + "(" + hex32(code) +
         "): " + meaning;
}

CredsspClient::CredsspClient(std::unique_ptr<auth::SecurityContext> context,
                             auth::Credentials credentials,
                             std::vector<std::uint8_t> server_public_key, cs::ClientNonce nonce)
    : context_(std::move(context)),
      credentials_(std::move(credentials)),
      server_public_key_(std::move(server_public_key)),
      nonce_(nonce) {}

Result<std::vector<std::uint8_t>> CredsspClient::fail(std::string field, std::string what) {
  return fail(make_error(kWhere, std::move(field), std::move(what)));
}

Result<std::vector<std::uint8_t>> CredsspClient::fail(Error error) {
  state_ = State::Failed;
  return error;
}

Result<std::vector<std::uint8_t>> CredsspClient::start() {
  if (state_ != State::Idle) return fail("start", "called twice");
  auto first = context_->step({});
  if (!first) return fail(first.error());
  cs::TsRequest request;
  request.nego_tokens.push_back(std::move(first->token));
  state_ = State::Negotiating;
  return encode_request(request);
}

Result<std::vector<std::uint8_t>> CredsspClient::receive(wire::Bytes bytes) {
  auto request = cs::TsRequest::decode(bytes);
  if (!request) return fail(request.error());
  if (request->error_code && *request->error_code != 0) {
    server_error_ = request->error_code;
    if (!presented_) {
      // Refused before any password was checked: the server cannot read our tokens. FreeRDP 2
      // answers SPNEGO with 0xC00700EA, for instance.
      return fail("errorCode",
                  "the server refused our first authentication token, before any password was "
                  "checked (" +
                      describe_credssp_error(*request->error_code) +
                      "); servers built on FreeRDP 2 take bare NTLM only: set tokens = \"ntlm\" "
                      "in [nla]");
    }
    return fail("errorCode",
                "the server refused the logon: " + describe_credssp_error(*request->error_code));
  }
  negotiated_ = crypto::credssp::negotiated_version(cs::kHighestVersion, request->version);
  switch (state_) {
    case State::Negotiating:
      return negotiate(*request);
    case State::WaitPubKeyAuth:
      return confirm(*request);
    default:
      return fail("TSRequest", "unexpected: the exchange is over");
  }
}

Result<std::vector<std::uint8_t>> CredsspClient::negotiate(const cs::TsRequest& request) {
  if (request.nego_tokens.empty()) {
    return fail("negoTokens", "missing: the server sent no authentication token");
  }
  auto step = context_->step(request.nego_tokens.front());
  if (!step) return fail(step.error());
  cs::TsRequest out;
  if (!step->token.empty()) out.nego_tokens.push_back(std::move(step->token));
  if (!step->complete) return encode_request(out);

  // The context is established: prove we saw the server's TLS key.
  presented_ = true;
  const auto plain = crypto::credssp::client_pub_key_auth(negotiated_, nonce_, server_public_key_);
  auto wrapped = context_->wrap(plain);
  if (!wrapped) return fail(wrapped.error());
  out.pub_key_auth = std::move(wrapped).value();
  if (crypto::credssp::uses_client_nonce(negotiated_)) out.client_nonce = nonce_;
  state_ = State::WaitPubKeyAuth;
  return encode_request(out);
}

Result<std::vector<std::uint8_t>> CredsspClient::confirm(const cs::TsRequest& request) {
  if (!request.nego_tokens.empty()) {  // SPNEGO's accept-completed with the server's MIC
    auto step = context_->step(request.nego_tokens.front());
    if (!step) return fail(step.error());
  }
  if (request.pub_key_auth.empty()) {
    return fail("pubKeyAuth", "missing: the server did not prove it holds the TLS key");
  }
  auto unwrapped = context_->unwrap(request.pub_key_auth);
  if (!unwrapped) return fail(unwrapped.error());
  auto bound = crypto::credssp::verify_server_pub_key_auth(negotiated_, nonce_, server_public_key_,
                                                           *unwrapped);
  if (!bound) return fail(bound.error());

  // TSCredentials with TSPasswordCreds; "DOMAIN\user" names its domain itself.
  std::string user = credentials_.user;
  std::string domain = credentials_.domain;
  if (const auto slash = user.find('\\'); slash != std::string::npos && domain.empty()) {
    domain = user.substr(0, slash);
    user = user.substr(slash + 1);
  }
  const auto domain16 = wire::utf16le_from_utf8(domain);
  const auto user16 = wire::utf16le_from_utf8(user);
  const Wiped password16(wire::utf16le_from_utf8(credentials_.password.reveal()));
  Wiped plain;
  cs::encode_password_credentials({domain16, user16, password16.bytes}, plain.bytes);
  auto wrapped = context_->wrap(plain.bytes);
  if (!wrapped) return fail(wrapped.error());
  cs::TsRequest out;
  out.auth_info = std::move(wrapped).value();
  state_ = State::Finished;
  return encode_request(out);
}

}  // namespace rdwarm::connector
