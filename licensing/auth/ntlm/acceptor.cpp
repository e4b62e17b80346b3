#include "licensing/auth/ntlm/acceptor.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <string>

#include "licensing/auth/ntlm/ntlmv2_response.hpp"
#include "licensing/auth/ntlm/unicode.hpp"
#include "licensing/wire/hex.hpp"

namespace rdwarm::auth::ntlm {
namespace {

constexpr std::string_view kWhere = "NTLM acceptor";
constexpr std::size_t kNtlmV1ResponseSize = 24;
constexpr Version kVersion{10, 0, 20348, NTLMSSP_REVISION_W2K3};  // Windows Server 2022

std::string status_text(std::uint32_t status) {
  switch (status) {
    case STATUS_LOGON_FAILURE:
      return "STATUS_LOGON_FAILURE";
    case STATUS_ACCOUNT_DISABLED:
      return "STATUS_ACCOUNT_DISABLED";
    case STATUS_PASSWORD_EXPIRED:
      return "STATUS_PASSWORD_EXPIRED";
    case STATUS_PASSWORD_MUST_CHANGE:
      return "STATUS_PASSWORD_MUST_CHANGE";
    case STATUS_ACCOUNT_LOCKED_OUT:
      return "STATUS_ACCOUNT_LOCKED_OUT";
    case kSecEUnsupportedFunction:
      return "SEC_E_UNSUPPORTED_FUNCTION";
    case kSecEInvalidToken:
      return "SEC_E_INVALID_TOKEN";
    case kSecEMessageAltered:
      return "SEC_E_MESSAGE_ALTERED";
    default:
      return "NTSTATUS";
  }
}

std::string quoted(std::string_view s) {
  return "\"" + std::string(s) + "\"";
}

std::vector<std::uint8_t> to_vector(wire::Bytes b) {
  return {b.begin(), b.end()};
}

std::uint64_t distance(std::uint64_t a, std::uint64_t b) {
  return a > b ? a - b : b - a;
}

}  // namespace

Acceptor::Acceptor(AcceptorConfig config)
    : ProtectedContext(std::string(kWhere)), config_(std::move(config)) {
  if (config_.nb_domain_name.empty()) config_.nb_domain_name = config_.nb_computer_name;
  if (config_.dns_computer_name.empty()) config_.dns_computer_name = config_.nb_computer_name;
  if (config_.dns_domain_name.empty()) config_.dns_domain_name = config_.dns_computer_name;
  config_.random = random_or_default(std::move(config_.random));
  config_.now = clock_or_default(std::move(config_.now));
}

Acceptor::~Acceptor() = default;  // Account wipes the NT hash; SessionSecurity its keys

Result<Step> Acceptor::fail(std::uint32_t status, std::string field, std::string what) {
  state_ = State::Failed;
  status_ = status;
  establish(nullptr);
  user_.clear();
  domain_.clear();
  return make_error(std::string(kWhere), std::move(field),
                    what + " (" + status_text(status) + " " + wire::hex_code(status) + ")");
}

Result<Step> Acceptor::step(wire::Bytes peer_token) {
  switch (state_) {
    case State::WaitNegotiate:
      return challenge(peer_token);
    case State::WaitAuthenticate:
      return verify(peer_token);
    case State::Complete:
    case State::Failed:
      break;
  }
  return step_after_exchange(peer_token, state_ == State::Failed);
}

Result<Step> Acceptor::challenge(wire::Bytes negotiate_token) {
  auto negotiate = NegotiateMessage::decode(negotiate_token);
  if (!negotiate) return fail(kSecEInvalidToken, "NEGOTIATE_MESSAGE", negotiate.error().message());
  const std::uint32_t asked = negotiate->flags;
  if ((asked & NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY) == 0 ||
      (asked & NTLMSSP_NEGOTIATE_UNICODE) == 0 || (asked & NTLMSSP_NEGOTIATE_128) == 0) {
    return fail(kSecEUnsupportedFunction, "NegotiateFlags",
                "the client (flags " + wire::hex_code(asked) +
                    ") does not offer extended session security, Unicode and 128-bit keys, "
                    "which this host requires");
  }
  negotiate_bytes_ = to_vector(negotiate_token);

  ChallengeMessage message;
  message.flags = (asked & kSupportedFlags) | NTLMSSP_NEGOTIATE_TARGET_INFO;
  if ((asked & NTLMSSP_REQUEST_TARGET) != 0) {
    message.flags |= NTLMSSP_TARGET_TYPE_SERVER;
    message.target_name = to_utf16le(config_.nb_computer_name);
  }
  config_.random(server_challenge_);
  message.server_challenge = server_challenge_;
  challenge_time_ = config_.now();
  message.target_info.set_text(MsvAvNbDomainName, config_.nb_domain_name);
  message.target_info.set_text(MsvAvNbComputerName, config_.nb_computer_name);
  message.target_info.set_text(MsvAvDnsDomainName, config_.dns_domain_name);
  message.target_info.set_text(MsvAvDnsComputerName, config_.dns_computer_name);
  message.target_info.set_timestamp(challenge_time_);
  message.version = kVersion;
  challenge_bytes_ = wire::encode_to_vector(message);
  state_ = State::WaitAuthenticate;
  return Step{challenge_bytes_, false};
}

bool Acceptor::domain_matches(std::string_view domain) const {
  if (domain.empty() || domain == ".") return true;
  for (const std::string* known :
       {&config_.account.domain, &config_.nb_domain_name, &config_.nb_computer_name,
        &config_.dns_domain_name, &config_.dns_computer_name}) {
    if (!known->empty() && equal_ignore_case(domain, *known)) return true;
  }
  return false;
}

Result<Step> Acceptor::verify(wire::Bytes authenticate_token) {
  auto decoded = AuthenticateMessage::decode(authenticate_token);
  if (!decoded) return fail(kSecEInvalidToken, "AUTHENTICATE_MESSAGE", decoded.error().message());
  const AuthenticateMessage& message = *decoded;
  const std::uint32_t flags = message.flags;
  if ((flags & NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY) == 0 ||
      (flags & NTLMSSP_NEGOTIATE_UNICODE) == 0 || (flags & NTLMSSP_NEGOTIATE_128) == 0) {
    return fail(kSecEUnsupportedFunction, "NegotiateFlags",
                "the AUTHENTICATE_MESSAGE (flags " + wire::hex_code(flags) +
                    ") drops extended session security, Unicode or 128-bit keys");
  }

  const std::string user = to_utf8(message.user_name);
  const std::string domain = to_utf8(message.domain_name);
  if (message.user_name.empty()) {
    return fail(STATUS_LOGON_FAILURE, "UserName", "anonymous logon is not allowed");
  }
  // Which account: the user name, or a UPN's name part with its suffix as the domain.
  std::string_view name = user;
  std::string_view realm = domain;
  if (const auto at = user.rfind('@'); domain.empty() && at != std::string::npos) {
    name = std::string_view(user).substr(0, at);
    realm = std::string_view(user).substr(at + 1);
  }
  if (!equal_ignore_case(name, config_.account.user) || !domain_matches(realm)) {
    return fail(STATUS_LOGON_FAILURE, "UserName",
                "no account " + quoted(user) + " in domain " + quoted(domain) + " on this host");
  }
  if (message.nt_challenge_response.size() <= kNtlmV1ResponseSize) {
    return fail(STATUS_LOGON_FAILURE, "NtChallengeResponse",
                "the client sent an NTLMv1 (or no) response; this host accepts NTLMv2 only");
  }
  auto response = NtlmV2Response::decode(message.nt_challenge_response);
  if (!response) return fail(kSecEInvalidToken, "NtChallengeResponse", response.error().message());
  const std::uint64_t now = config_.now();
  if (distance(response->client_challenge.timestamp, now) > kMaxLifetimeTicks) {
    return fail(STATUS_LOGON_FAILURE, "NtChallengeResponse.TimeStamp",
                "is more than 36 hours away from this host's clock: a replayed or very late "
                "response");
  }

  // NTProofStr over the temp blob exactly as received [3.2.5.1.2].
  const wire::Bytes temp = wire::Bytes(message.nt_challenge_response).subspan(16);
  const wire::Bytes received_proof = wire::Bytes(message.nt_challenge_response).first(16);
  Key response_key{};
  Key proof{};
  bool matched = false;
  for (const wire::Bytes user_dom : {wire::Bytes(message.domain_name), wire::Bytes()}) {
    response_key = ntowfv2(config_.account.nt_hash, message.user_name, user_dom);
    proof = nt_proof_str(response_key, server_challenge_, temp);
    if (CRYPTO_memcmp(proof.data(), received_proof.data(), proof.size()) == 0) {
      matched = true;
      break;
    }
    if (message.domain_name.empty()) break;
  }
  if (!matched) {
    OPENSSL_cleanse(response_key.data(), response_key.size());
    return fail(
        STATUS_LOGON_FAILURE, "NtChallengeResponse",
        "the NTLMv2 response of " + quoted(user) + " does not match the account's password");
  }

  Key exported = key_exchange_key(session_base_key(response_key, proof));
  OPENSSL_cleanse(response_key.data(), response_key.size());
  if ((flags & NTLMSSP_NEGOTIATE_KEY_EXCH) != 0) {
    if (message.encrypted_random_session_key.size() != kKeySize) {
      OPENSSL_cleanse(exported.data(), exported.size());
      return fail(kSecEInvalidToken, "EncryptedRandomSessionKey",
                  "has " + std::to_string(message.encrypted_random_session_key.size()) +
                      " bytes; key exchange needs 16");
    }
    Key encrypted{};
    std::copy(message.encrypted_random_session_key.begin(),
              message.encrypted_random_session_key.end(), encrypted.begin());
    exported = rc4k(exported, encrypted);
  }

  if (message.mic) {
    std::vector<std::uint8_t> zeroed = to_vector(authenticate_token);
    std::fill_n(zeroed.begin() + static_cast<std::ptrdiff_t>(message.mic_offset()), kMicSize, 0);
    const Key expected =
        message_integrity_code(exported, negotiate_bytes_, challenge_bytes_, zeroed);
    if (CRYPTO_memcmp(expected.data(), message.mic->data(), kMicSize) != 0) {
      OPENSSL_cleanse(exported.data(), exported.size());
      return fail(kSecEMessageAltered, "MIC",
                  "does not match the NEGOTIATE, CHALLENGE and AUTHENTICATE messages: one of "
                  "them was altered on the way");
    }
  }

  const AccountState account_state = config_.account.state;
  if (account_state != AccountState::Enabled) {
    OPENSSL_cleanse(exported.data(), exported.size());
    return fail(ntstatus_of(account_state), "",
                "the password of " + quoted(user) + " is right, but the account is " +
                    std::string(name_of(account_state)));
  }

  establish(std::make_unique<SessionSecurity>(SessionSecurity::Role::Server, exported, flags));
  OPENSSL_cleanse(exported.data(), exported.size());
  user_ = user;
  domain_ = domain;
  status_ = STATUS_SUCCESS;
  state_ = State::Complete;
  return Step{{}, true};
}

}  // namespace rdwarm::auth::ntlm
