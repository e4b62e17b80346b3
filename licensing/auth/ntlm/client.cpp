#include "licensing/auth/ntlm/client.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <string>

#include "licensing/auth/ntlm/messages.hpp"
#include "licensing/auth/ntlm/ntlmv2_response.hpp"
#include "licensing/auth/ntlm/unicode.hpp"
#include "licensing/wire/hex.hpp"

namespace rdwarm::auth::ntlm {
namespace {

constexpr std::string_view kWhere = "NTLM client";
constexpr std::size_t kMaxField = 0xFFFF;  // payload lengths are 16-bit [2.2.1]

// VERSION [2.2.2.10] is for debugging only; rdwarm says "10.0, NTLM revision 15".
constexpr Version kVersion{10, 0, 0, NTLMSSP_REVISION_W2K3};

std::string flag_text(std::uint32_t flags) {
  return "flags " + wire::hex_code(flags);
}

// The first NTLMv2 requirement the server's CHALLENGE does not meet, or an empty string.
std::string missing_requirement(const ChallengeMessage& challenge) {
  const std::uint32_t f = challenge.flags;
  if ((f & NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY) == 0) {
    return "does not offer NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY (" + flag_text(f) +
           "): the server is restricted to NTLMv1-era security, which rdwarm does not speak. "
           "Allow NTLMv2 on the session host (LmCompatibilityLevel 3 or higher, the Windows "
           "default)";
  }
  if ((f & NTLMSSP_NEGOTIATE_TARGET_INFO) == 0 || challenge.target_info.pairs.empty()) {
    return "carries no target information (AV pairs), without which no NTLMv2 response can be "
           "made (" +
           flag_text(f) + "); the server does not offer NTLMv2";
  }
  if ((f & NTLMSSP_NEGOTIATE_UNICODE) == 0) {
    return "does not accept Unicode strings (" + flag_text(f) +
           "); rdwarm sends user and domain "
           "names only as Unicode";
  }
  if ((f & NTLMSSP_NEGOTIATE_128) == 0) {
    return "does not offer 128-bit session keys (" + flag_text(f) +
           "); rdwarm refuses weaker "
           "keys";
  }
  if ((f & NTLMSSP_NEGOTIATE_SIGN) == 0 || (f & NTLMSSP_NEGOTIATE_SEAL) == 0) {
    return "does not offer signing and sealing (" + flag_text(f) +
           "), which CredSSP needs to "
           "protect the credentials";
  }
  return {};
}

std::vector<std::uint8_t> to_vector(wire::Bytes b) {
  return {b.begin(), b.end()};
}

}  // namespace

Client::Client(ClientConfig config)
    : ProtectedContext(std::string(kWhere)),
      workstation_(std::move(config.workstation)),
      target_spn_(std::move(config.target_spn)),
      nt_hash_(nt_hash(config.credentials.password.reveal())),
      random_(random_or_default(std::move(config.random))),
      now_(clock_or_default(std::move(config.now))) {
  const std::string& user = config.credentials.user;
  const auto backslash = user.find('\\');
  if (user.find('@') != std::string::npos) {
    user_ = user;  // UPN: the domain travels inside the user name
  } else if (backslash != std::string::npos && config.credentials.domain.empty()) {
    domain_ = user.substr(0, backslash);
    user_ = user.substr(backslash + 1);
  } else {
    user_ = user;
    domain_ = config.credentials.domain;
  }
}

Client::~Client() {
  OPENSSL_cleanse(nt_hash_.data(), nt_hash_.size());
}

Result<Step> Client::fail(Error error) {
  state_ = State::Failed;
  establish(nullptr);
  return error;
}

Result<Step> Client::step(wire::Bytes peer_token) {
  switch (state_) {
    case State::Initial:
      if (!peer_token.empty()) {
        return fail(make_error(std::string(kWhere), "", "the first step takes no server token"));
      }
      return negotiate();
    case State::WaitChallenge:
      return authenticate(peer_token);
    case State::Complete:
    case State::Failed:
      break;
  }
  return step_after_exchange(peer_token, state_ == State::Failed);
}

Result<Step> Client::negotiate() {
  NegotiateMessage message;
  message.flags = kNegotiateFlags;
  message.version = kVersion;
  negotiate_bytes_ = wire::encode_to_vector(message);
  state_ = State::WaitChallenge;
  return Step{negotiate_bytes_, false};
}

Result<Step> Client::authenticate(wire::Bytes challenge_token) {
  auto decoded = ChallengeMessage::decode(challenge_token);
  if (!decoded) return fail(decoded.error());
  const ChallengeMessage& challenge = *decoded;
  if (const std::string missing = missing_requirement(challenge); !missing.empty()) {
    return fail(make_error("NTLM CHALLENGE_MESSAGE", "NegotiateFlags", missing));
  }
  const std::uint32_t flags =
      (kNegotiateFlags & challenge.flags) & ~static_cast<std::uint32_t>(NTLM_NEGOTIATE_OEM);
  const std::optional<std::uint64_t> server_time = challenge.target_info.timestamp();

  // NTLMv2_CLIENT_CHALLENGE ("temp") [3.1.5.1.2, 3.3.2].
  NtlmV2ClientChallenge temp;
  temp.timestamp = server_time ? *server_time : now_();
  random_(temp.challenge_from_client);
  temp.av_pairs = challenge.target_info;
  if (server_time) {
    temp.av_pairs.set_flags(temp.av_pairs.flags().value_or(0) | MSV_AV_FLAG_MIC_PRESENT);
  }
  temp.av_pairs.set(MsvAvChannelBindings, std::vector<std::uint8_t>(16, 0));
  if (!target_spn_.empty()) temp.av_pairs.set_text(MsvAvTargetName, target_spn_);
  const std::vector<std::uint8_t> temp_bytes = wire::encode_to_vector(temp);

  AuthenticateMessage message;
  message.flags = flags;
  message.version = kVersion;
  message.user_name = to_utf16le(user_);
  message.domain_name = to_utf16le(domain_);
  message.workstation = to_utf16le(workstation_);
  for (const auto* field : {&message.user_name, &message.domain_name, &message.workstation}) {
    if (field->size() > kMaxField) {
      return fail(make_error(std::string(kWhere), "",
                             "the user, domain or workstation name is "
                             "longer than NTLM can carry"));
    }
  }
  if (16 + temp_bytes.size() > kMaxField) {
    return fail(make_error("NTLM CHALLENGE_MESSAGE", "TargetInfo",
                           "is too long to be echoed in an NTLMv2 response"));
  }

  Key response_key = ntowfv2(nt_hash_, message.user_name, message.domain_name);
  const Key proof = nt_proof_str(response_key, challenge.server_challenge, temp_bytes);
  message.nt_challenge_response = to_vector(proof);
  message.nt_challenge_response.insert(message.nt_challenge_response.end(), temp_bytes.begin(),
                                       temp_bytes.end());
  if (server_time) {
    message.lm_challenge_response.assign(24, 0);
  } else {
    message.lm_challenge_response = to_vector(
        lmv2_response(response_key, challenge.server_challenge, temp.challenge_from_client));
  }

  Key base_key = session_base_key(response_key, proof);
  Key exported = key_exchange_key(base_key);
  if ((flags & NTLMSSP_NEGOTIATE_KEY_EXCH) != 0) {
    Key random_session_key{};
    random_(random_session_key);
    message.encrypted_random_session_key = to_vector(rc4k(exported, random_session_key));
    exported = random_session_key;
    OPENSSL_cleanse(random_session_key.data(), random_session_key.size());
  }
  if (server_time) message.mic.emplace();  // zero while the MIC is computed

  std::vector<std::uint8_t> bytes = wire::encode_to_vector(message);
  if (server_time) {
    const Key mic = message_integrity_code(exported, negotiate_bytes_, challenge_token, bytes);
    std::copy(mic.begin(), mic.end(),
              bytes.begin() + static_cast<std::ptrdiff_t>(message.mic_offset()));
  }
  establish(std::make_unique<SessionSecurity>(SessionSecurity::Role::Client, exported, flags));
  negotiated_flags_ = flags;
  for (Key* key : {&response_key, &base_key, &exported}) OPENSSL_cleanse(key->data(), key->size());
  state_ = State::Complete;
  return Step{std::move(bytes), true};
}

}  // namespace rdwarm::auth::ntlm
