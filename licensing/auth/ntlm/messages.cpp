#include "licensing/auth/ntlm/messages.hpp"

#include <algorithm>
#include <string>

#include "licensing/auth/ntlm/ntlmv2_response.hpp"

namespace rdwarm::auth::ntlm {
namespace {

constexpr std::string_view kNegotiate = "NTLM NEGOTIATE_MESSAGE";
constexpr std::string_view kChallenge = "NTLM CHALLENGE_MESSAGE";
constexpr std::string_view kAuthenticate = "NTLM AUTHENTICATE_MESSAGE";

bool has(std::uint32_t flags, std::uint32_t flag) {
  return (flags & flag) != 0;
}

// Signature and MessageType, common to the three messages [2.2.1].
void read_header(wire::Reader& r, std::uint32_t expected, std::string_view expected_name) {
  const wire::Bytes signature = r.bytes(kSignature.size(), "Signature");
  if (r.ok() && !std::equal(signature.begin(), signature.end(), kSignature.begin())) {
    r.fail("Signature", "is not \"NTLMSSP\\0\": the token is not an NTLM message");
  }
  const std::uint32_t type = r.u32le("MessageType");
  if (r.ok() && type != expected) {
    r.fail("MessageType", "is " + std::to_string(type) + ", expected " + std::to_string(expected) +
                              " (" + std::string(expected_name) + ")");
  }
}

void write_header(wire::Writer& w, std::uint32_t type) {
  w.bytes(kSignature);
  w.u32le(type);
}

// A (Len, MaxLen, BufferOffset) triple. MaxLen is ignored on receipt [2.2.1.1].
struct FieldRef {
  std::uint16_t len = 0;
  std::uint32_t offset = 0;
};

FieldRef read_field(wire::Reader& r, std::string_view name) {
  FieldRef f;
  f.len = r.u16le(name);
  (void)r.u16le(name);
  f.offset = r.u32le(name);
  return f;
}

// The payload bytes of a field. They must lie after the fixed part (`header` bytes) and inside
// the message; an empty field's offset is not used, so it is not checked.
std::vector<std::uint8_t> payload(wire::Reader& r, wire::Bytes message, FieldRef f,
                                  std::size_t header, std::string_view name) {
  if (!r.ok() || f.len == 0) return {};
  if (f.offset < header) {
    r.fail(name, "offset " + std::to_string(f.offset) + " points into the " +
                     std::to_string(header) + "-byte fixed part of the message");
    return {};
  }
  if (f.offset > message.size() || message.size() - f.offset < f.len) {
    r.fail(name, "offset " + std::to_string(f.offset) + " + length " + std::to_string(f.len) +
                     " runs past the end of the " + std::to_string(message.size()) +
                     "-byte message");
    return {};
  }
  const wire::Bytes bytes = message.subspan(f.offset, f.len);
  return {bytes.begin(), bytes.end()};
}

// Writes the triples in payload order; the payload itself follows the fixed part in that order.
// Lengths above 65535 cannot be expressed: the builders (Client, Acceptor) refuse such input.
class FieldWriter {
 public:
  explicit FieldWriter(std::size_t payload_start) : next_(payload_start) {}
  void field(wire::Writer& w, std::size_t len) {
    w.u16le(static_cast<std::uint16_t>(len));
    w.u16le(static_cast<std::uint16_t>(len));
    w.u32le(static_cast<std::uint32_t>(next_));
    next_ += len;
  }

 private:
  std::size_t next_;
};

}  // namespace

// --- NEGOTIATE_MESSAGE --------------------------------------------------------------------------

void NegotiateMessage::encode(wire::Writer& w) const {
  const bool with_version = has(flags, NTLMSSP_NEGOTIATE_VERSION);
  write_header(w, NtLmNegotiate);
  w.u32le(flags);
  FieldWriter fields(kNegotiateHeaderSize + (with_version ? kVersionSize : 0));
  fields.field(w, domain_name.size());
  fields.field(w, workstation.size());
  if (with_version) version.encode(w);
  w.bytes(domain_name);
  w.bytes(workstation);
}

std::size_t NegotiateMessage::size() const {
  return kNegotiateHeaderSize + (has(flags, NTLMSSP_NEGOTIATE_VERSION) ? kVersionSize : 0) +
         domain_name.size() + workstation.size();
}

Result<NegotiateMessage> NegotiateMessage::decode(wire::Bytes bytes) {
  wire::Reader r(bytes, kNegotiate);
  NegotiateMessage m;
  read_header(r, NtLmNegotiate, "NEGOTIATE_MESSAGE");
  m.flags = r.u32le("NegotiateFlags");
  const FieldRef domain = read_field(r, "DomainNameFields");
  const FieldRef workstation = read_field(r, "WorkstationFields");
  if (has(m.flags, NTLMSSP_NEGOTIATE_VERSION)) m.version = Version::read(r);
  const std::size_t header = r.position();
  m.domain_name = payload(r, bytes, domain, header, "DomainNameFields");
  m.workstation = payload(r, bytes, workstation, header, "WorkstationFields");
  if (!r.ok()) return r.error();
  return m;
}

// --- CHALLENGE_MESSAGE --------------------------------------------------------------------------

namespace {
bool writes_target_info(const ChallengeMessage& m) {
  return has(m.flags, NTLMSSP_NEGOTIATE_TARGET_INFO) || !m.target_info.pairs.empty();
}
}  // namespace

void ChallengeMessage::encode(wire::Writer& w) const {
  const bool with_version = has(flags, NTLMSSP_NEGOTIATE_VERSION);
  const std::size_t info_size = writes_target_info(*this) ? target_info.size() : 0;
  write_header(w, NtLmChallenge);
  FieldWriter fields(kChallengeHeaderSize + (with_version ? kVersionSize : 0));
  fields.field(w, target_name.size());
  w.u32le(flags);
  w.bytes(server_challenge);
  w.zeros(8);  // Reserved
  fields.field(w, info_size);
  if (with_version) version.encode(w);
  w.bytes(target_name);
  if (info_size != 0) target_info.encode(w);
}

std::size_t ChallengeMessage::size() const {
  return kChallengeHeaderSize + (has(flags, NTLMSSP_NEGOTIATE_VERSION) ? kVersionSize : 0) +
         target_name.size() + (writes_target_info(*this) ? target_info.size() : 0);
}

Result<ChallengeMessage> ChallengeMessage::decode(wire::Bytes bytes) {
  wire::Reader r(bytes, kChallenge);
  ChallengeMessage m;
  read_header(r, NtLmChallenge, "CHALLENGE_MESSAGE");
  const FieldRef target_name = read_field(r, "TargetNameFields");
  m.flags = r.u32le("NegotiateFlags");
  const wire::Bytes challenge = r.bytes(kChallengeSize, "ServerChallenge");
  if (r.ok()) std::copy(challenge.begin(), challenge.end(), m.server_challenge.begin());
  r.skip(8, "Reserved");
  const FieldRef target_info = read_field(r, "TargetInfoFields");
  if (has(m.flags, NTLMSSP_NEGOTIATE_VERSION)) m.version = Version::read(r);
  const std::size_t header = r.position();
  m.target_name = payload(r, bytes, target_name, header, "TargetNameFields");
  const std::vector<std::uint8_t> info = payload(r, bytes, target_info, header, "TargetInfoFields");
  if (!r.ok()) return r.error();
  if (!info.empty()) {
    auto pairs = AvPairs::decode(info, kChallenge, "TargetInfo");
    if (!pairs) return pairs.error();
    m.target_info = std::move(pairs).value();
  }
  return m;
}

// --- AUTHENTICATE_MESSAGE -----------------------------------------------------------------------

bool announces_mic(wire::Bytes nt_challenge_response) {
  constexpr std::size_t kNtlmV1ResponseSize = 24;
  if (nt_challenge_response.size() <= kNtlmV1ResponseSize) return false;
  auto response = NtlmV2Response::decode(nt_challenge_response);
  if (!response) return false;
  const auto flags = response->client_challenge.av_pairs.flags();
  return flags.has_value() && (*flags & MSV_AV_FLAG_MIC_PRESENT) != 0;
}

std::size_t AuthenticateMessage::mic_offset() const {
  return kAuthenticateHeaderSize + (has(flags, NTLMSSP_NEGOTIATE_VERSION) ? kVersionSize : 0);
}

void AuthenticateMessage::encode(wire::Writer& w) const {
  write_header(w, NtLmAuthenticate);
  // Payload order as Windows writes it (and MS-NLMP 4.2.4.3 shows): domain, user, workstation,
  // LM response, NT response, session key. The triples are in the fixed order of 2.2.1.3.
  std::size_t at = mic_offset() + (mic ? kMicSize : 0);
  const auto field = [&w](std::size_t offset, std::size_t len) {
    w.u16le(static_cast<std::uint16_t>(len));
    w.u16le(static_cast<std::uint16_t>(len));
    w.u32le(static_cast<std::uint32_t>(offset));
  };
  const std::size_t domain_at = at;
  const std::size_t user_at = domain_at + domain_name.size();
  const std::size_t workstation_at = user_at + user_name.size();
  const std::size_t lm_at = workstation_at + workstation.size();
  const std::size_t nt_at = lm_at + lm_challenge_response.size();
  const std::size_t key_at = nt_at + nt_challenge_response.size();
  at = key_at + encrypted_random_session_key.size();
  field(lm_at, lm_challenge_response.size());
  field(nt_at, nt_challenge_response.size());
  field(domain_at, domain_name.size());
  field(user_at, user_name.size());
  field(workstation_at, workstation.size());
  field(key_at, encrypted_random_session_key.size());
  w.u32le(flags);
  if (has(flags, NTLMSSP_NEGOTIATE_VERSION)) version.encode(w);
  if (mic) w.bytes(*mic);
  w.bytes(domain_name);
  w.bytes(user_name);
  w.bytes(workstation);
  w.bytes(lm_challenge_response);
  w.bytes(nt_challenge_response);
  w.bytes(encrypted_random_session_key);
}

std::size_t AuthenticateMessage::size() const {
  return mic_offset() + (mic ? kMicSize : 0) + domain_name.size() + user_name.size() +
         workstation.size() + lm_challenge_response.size() + nt_challenge_response.size() +
         encrypted_random_session_key.size();
}

Result<AuthenticateMessage> AuthenticateMessage::decode(wire::Bytes bytes) {
  wire::Reader r(bytes, kAuthenticate);
  AuthenticateMessage m;
  read_header(r, NtLmAuthenticate, "AUTHENTICATE_MESSAGE");
  const FieldRef lm = read_field(r, "LmChallengeResponseFields");
  const FieldRef nt = read_field(r, "NtChallengeResponseFields");
  const FieldRef domain = read_field(r, "DomainNameFields");
  const FieldRef user = read_field(r, "UserNameFields");
  const FieldRef workstation = read_field(r, "WorkstationFields");
  const FieldRef key = read_field(r, "EncryptedRandomSessionKeyFields");
  m.flags = r.u32le("NegotiateFlags");
  if (has(m.flags, NTLMSSP_NEGOTIATE_VERSION)) m.version = Version::read(r);
  // Whether a MIC follows depends on the NT response, which is located first.
  m.nt_challenge_response = payload(r, bytes, nt, r.position(), "NtChallengeResponseFields");
  if (r.ok() && announces_mic(m.nt_challenge_response)) {
    const wire::Bytes mic = r.bytes(kMicSize, "MIC");
    if (r.ok()) {
      m.mic.emplace();
      std::copy(mic.begin(), mic.end(), m.mic->begin());
    }
  }
  const std::size_t header = r.position();
  m.lm_challenge_response = payload(r, bytes, lm, header, "LmChallengeResponseFields");
  m.nt_challenge_response = payload(r, bytes, nt, header, "NtChallengeResponseFields");
  m.domain_name = payload(r, bytes, domain, header, "DomainNameFields");
  m.user_name = payload(r, bytes, user, header, "UserNameFields");
  m.workstation = payload(r, bytes, workstation, header, "WorkstationFields");
  m.encrypted_random_session_key =
      payload(r, bytes, key, header, "EncryptedRandomSessionKeyFields");
  if (!r.ok()) return r.error();
  return m;
}

}  // namespace rdwarm::auth::ntlm
