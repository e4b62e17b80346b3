#include "licensing/connector/credssp_server.hpp"

#include <utility>

#include "licensing/crypto/credssp_binding.hpp"
#include "licensing/wire/text.hpp"

namespace rdwarm::connector {

namespace cs = wire::credssp;

CredsspServer::CredsspServer(CredsspServerConfig config) : config_(std::move(config)) {}

Result<std::vector<std::uint8_t>> CredsspServer::refuse(std::uint32_t status, Error error) {
  state_ = State::Failed;
  refused_with_ = status;
  if (negotiated_ >= cs::CREDSSP_VERSION_3) {
    cs::TsRequest reply;
    reply.version = config_.version;
    reply.error_code = status;
    refusal_ = wire::encode_to_vector(reply);
  }
  return error;
}

Result<std::vector<std::uint8_t>> CredsspServer::receive(wire::Bytes bytes) {
  auto request = cs::TsRequest::decode(bytes);
  if (!request) return refuse(cs::kSecEInvalidToken, request.error());
  negotiated_ = crypto::credssp::negotiated_version(config_.version, request->version);
  switch (state_) {
    case State::Negotiating:
      return negotiate(*request);
    case State::WaitAuthInfo:
      return credentials(*request);
    default:
      return make_error("CredSSP server", "TSRequest", "unexpected: the exchange is over");
  }
}

Result<std::vector<std::uint8_t>> CredsspServer::negotiate(const cs::TsRequest& request) {
  if (request.nego_tokens.empty()) {
    return refuse(cs::kSecEInvalidToken,
                  make_error("CredSSP server", "negoTokens", "missing in the client's TSRequest"));
  }
  auto step = config_.acceptor->step(request.nego_tokens.front());
  if (!step) {
    const auto status =
        config_.refusal_status ? config_.refusal_status() : cs::STATUS_LOGON_FAILURE;
    return refuse(status != 0 ? status : cs::STATUS_LOGON_FAILURE, step.error());
  }
  if (step->complete) return bind(request, std::move(step->token));
  cs::TsRequest reply;
  reply.version = config_.version;
  reply.nego_tokens.push_back(std::move(step->token));
  return wire::encode_to_vector(reply);
}

Result<std::vector<std::uint8_t>> CredsspServer::bind(const cs::TsRequest& request,
                                                      std::vector<std::uint8_t> final_token) {
  const auto refuse_binding = [&](Error error) {
    return refuse(cs::kSecEInvalidToken, std::move(error));
  };
  if (request.pub_key_auth.empty()) {
    return refuse_binding(make_error("CredSSP server", "pubKeyAuth", "missing"));
  }
  cs::ClientNonce nonce{};
  if (crypto::credssp::uses_client_nonce(negotiated_)) {
    if (!request.client_nonce) {
      return refuse_binding(make_error("CredSSP server", "clientNonce", "missing (version 5+)"));
    }
    nonce = *request.client_nonce;
  }
  auto plain = config_.acceptor->unwrap(request.pub_key_auth);
  if (!plain) return refuse_binding(plain.error());
  auto bound = crypto::credssp::verify_client_pub_key_auth(negotiated_, nonce,
                                                           config_.server_public_key, *plain);
  if (!bound) return refuse_binding(bound.error());
  auto answer = config_.acceptor->wrap(
      crypto::credssp::server_pub_key_auth(negotiated_, nonce, config_.server_public_key));
  if (!answer) return refuse_binding(answer.error());
  cs::TsRequest reply;
  reply.version = config_.version;
  if (!final_token.empty()) reply.nego_tokens.push_back(std::move(final_token));
  reply.pub_key_auth = std::move(answer).value();
  state_ = State::WaitAuthInfo;
  return wire::encode_to_vector(reply);
}

Result<std::vector<std::uint8_t>> CredsspServer::credentials(const cs::TsRequest& request) {
  if (request.auth_info.empty()) {
    return refuse(cs::kSecEInvalidToken,
                  make_error("CredSSP server", "authInfo", "missing in the client's TSRequest"));
  }
  auto plain = config_.acceptor->unwrap(request.auth_info);
  if (!plain) return refuse(cs::kSecEInvalidToken, plain.error());
  auto creds = cs::TsCredentials::decode(*plain);
  if (!creds) return refuse(cs::kSecEInvalidToken, creds.error());
  if (creds->cred_type != cs::TS_PASSWORD_CREDS) {
    return refuse(cs::kSecEInvalidToken,
                  make_error("CredSSP server", "credType",
                             std::to_string(creds->cred_type) + ": only password credentials"));
  }
  auto password_creds = cs::TsPasswordCreds::decode(creds->credentials);
  if (!password_creds) return refuse(cs::kSecEInvalidToken, password_creds.error());
  auto user = wire::utf8_from_utf16le(password_creds->user_name, "TSPasswordCreds.userName");
  auto domain = wire::utf8_from_utf16le(password_creds->domain_name, "TSPasswordCreds.domainName");
  if (!user || !domain) return refuse(cs::kSecEInvalidToken, (!user ? user : domain).error());
  if (config_.password_matches && !config_.password_matches(password_creds->password)) {
    return refuse(cs::STATUS_LOGON_FAILURE,
                  make_error("CredSSP server", "TSPasswordCreds.password",
                             "the delegated password is not the account's"));
  }
  user_ = std::move(user).value();
  domain_ = std::move(domain).value();
  state_ = State::Finished;
  return std::vector<std::uint8_t>{};
}

}  // namespace rdwarm::connector
