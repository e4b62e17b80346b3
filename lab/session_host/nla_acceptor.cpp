#include "lab/session_host/nla_acceptor.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <memory>
#include <utility>

#include "licensing/auth/ntlm/constants.hpp"
#include "licensing/auth/ntlm/messages.hpp"
#include "licensing/crypto/md4.hpp"
#include "licensing/wire/spnego.hpp"
#include "licensing/wire/text.hpp"

namespace rdwarm::lab {

namespace {

// The MessageType field follows the 8-byte signature [MS-NLMP 2.2.1.3].
bool is_authenticate(wire::Bytes token) {
  const auto& sig = auth::ntlm::kSignature;
  return token.size() >= sig.size() + 4 && std::equal(sig.begin(), sig.end(), token.begin()) &&
         token[8] == auth::ntlm::NtLmAuthenticate && token[9] == 0 && token[10] == 0 &&
         token[11] == 0;
}

}  // namespace

ObservedNtlmAcceptor::ObservedNtlmAcceptor(auth::ntlm::AcceptorConfig config)
    : inner_(std::move(config)) {}

Result<auth::Step> ObservedNtlmAcceptor::step(wire::Bytes peer_token) {
  if (is_authenticate(peer_token)) {
    // Only for the log; the acceptor decodes and judges the message itself.
    if (auto message = auth::ntlm::AuthenticateMessage::decode(peer_token)) {
      auto user = wire::utf8_from_utf16le(message->user_name, "AUTHENTICATE UserName");
      auto domain = wire::utf8_from_utf16le(message->domain_name, "AUTHENTICATE DomainName");
      if (user) user_ = std::move(user).value();
      if (domain) domain_ = std::move(domain).value();
    }
  }
  return inner_.step(peer_token);
}

Result<std::vector<std::uint8_t>> ObservedNtlmAcceptor::wrap(wire::Bytes plaintext) {
  return inner_.wrap(plaintext);
}

Result<std::vector<std::uint8_t>> ObservedNtlmAcceptor::unwrap(wire::Bytes message) {
  return inner_.unwrap(message);
}

Result<std::vector<std::uint8_t>> ObservedNtlmAcceptor::get_mic(wire::Bytes message) {
  return inner_.get_mic(message);
}

Status ObservedNtlmAcceptor::verify_mic(wire::Bytes message, wire::Bytes mic) {
  return inner_.verify_mic(message, mic);
}

void ObservedNtlmAcceptor::reset_cipher_state(Direction direction) {
  inner_.reset_cipher_state(direction);
}

LabCredssp make_lab_credssp(const NlaScenario& nla, std::vector<std::uint8_t> tls_public_key,
                            auth::ntlm::RandomSource random) {
  auth::ntlm::AcceptorConfig ac;
  ac.account = nla.account;
  ac.nb_computer_name = nla.computer_name;
  // A workgroup host names itself as the domain; a domain member names its domain.
  ac.nb_domain_name = nla.account.domain;
  ac.random = std::move(random);
  auto ntlm = std::make_unique<ObservedNtlmAcceptor>(std::move(ac));
  const ObservedNtlmAcceptor* ntlm_view = ntlm.get();
  auto spnego = std::make_unique<auth::spnego::Acceptor>(
      std::move(ntlm), wire::spnego::OID_NTLMSSP,
      std::vector<std::uint8_t>(auth::ntlm::kSignature.begin(), auth::ntlm::kSignature.end()));
  const auth::spnego::Acceptor* spnego_view = spnego.get();

  connector::CredsspServerConfig sc;
  sc.acceptor = std::move(spnego);
  sc.refusal_status = [ntlm_view] { return ntlm_view->status(); };
  sc.server_public_key = std::move(tls_public_key);
  sc.version = nla.credssp_version;
  // The delegated password must be the account's too: its NT hash is MD4 of the UTF-16LE
  // password [MS-NLMP 3.3.1], compared in constant time.
  // The copy of the account is an Account so that its hash is wiped with it.
  sc.password_matches = [account = std::make_shared<const auth::ntlm::Account>(nla.account)](
                            wire::Bytes password_utf16le) {
    auto candidate = crypto::md4(password_utf16le);
    const auto& hash = account->nt_hash;
    const bool same = CRYPTO_memcmp(candidate.data(), hash.data(), hash.size()) == 0;
    OPENSSL_cleanse(candidate.data(), candidate.size());
    return same;
  };
  LabCredssp out;
  out.server = std::make_unique<connector::CredsspServer>(std::move(sc));
  out.ntlm = ntlm_view;
  out.spnego = spnego_view;
  return out;
}

}  // namespace rdwarm::lab
