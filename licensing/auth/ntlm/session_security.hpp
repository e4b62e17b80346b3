// Message integrity and confidentiality once NTLM has authenticated [MS-NLMP 3.4], with extended
// session security (the only variant rdwarm speaks): one signing key, one sealing key, one RC4
// stream and one sequence number per direction. The RC4 streams continue from message to message;
// with NTLMSSP_NEGOTIATE_KEY_EXCH the checksum of each signature is encrypted with the same stream.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "licensing/auth/ntlm/constants.hpp"
#include "licensing/auth/ntlm/ntlmv2.hpp"
#include "licensing/crypto/rc4.hpp"
#include "licensing/wire/reader.hpp"
#include "licensing/wire/result.hpp"

namespace rdwarm::auth::ntlm {

using MessageSignature = std::array<std::uint8_t, kMessageSignatureSize>;

class SessionSecurity {
 public:
  enum class Role { Client, Server };

  SessionSecurity(Role role, const Key& exported_session_key, std::uint32_t negotiated_flags);
  SessionSecurity(const SessionSecurity&) = delete;
  SessionSecurity& operator=(const SessionSecurity&) = delete;
  ~SessionSecurity();

  // GSS_WrapEx with confidentiality [3.4.3, 3.4.6]: NTLMSSP_MESSAGE_SIGNATURE (16 bytes) followed
  // by the sealed message, the layout CredSSP sends.
  std::vector<std::uint8_t> wrap(wire::Bytes plaintext);
  // The peer's wrap() undone: checks the signature's version, sequence number and checksum. A
  // message that fails leaves the receiving stream and sequence number untouched.
  Result<std::vector<std::uint8_t>> unwrap(wire::Bytes message);

  // GSS_GetMIC / GSS_VerifyMIC [3.4.4.2]: the signature of a message that travels in clear.
  MessageSignature get_mic(wire::Bytes message);
  Status verify_mic(wire::Bytes message, wire::Bytes signature);

  // One direction's RC4 stream restarts from its sealing key and its sequence number returns to 0
  // (SPNEGO does this after the mechListMIC exchange); reset() does both.
  void reset_outgoing();
  void reset_incoming();
  void reset();

  [[nodiscard]] const Key& sending_signing_key() const { return send_.signing_key; }
  [[nodiscard]] const Key& sending_sealing_key() const { return send_.sealing_key; }
  [[nodiscard]] const Key& receiving_signing_key() const { return receive_.signing_key; }
  [[nodiscard]] const Key& receiving_sealing_key() const { return receive_.sealing_key; }
  [[nodiscard]] std::uint32_t sending_sequence() const { return send_.sequence; }
  [[nodiscard]] std::uint32_t receiving_sequence() const { return receive_.sequence; }

 private:
  struct Stream {
    Key signing_key{};
    Key sealing_key{};
    crypto::Rc4Stream handle;
    std::uint32_t sequence = 0;

    Stream(const Key& signing, const Key& sealing)
        : signing_key(signing), sealing_key(sealing), handle(sealing) {}
  };

  // MAC [3.4.4.2]: version 1, HMAC_MD5(SigningKey, SeqNum + Message)[0..7] (RC4-encrypted with
  // `handle` under key exchange), SeqNum.
  MessageSignature mac(crypto::Rc4Stream& handle, const Key& signing_key, std::uint32_t sequence,
                       wire::Bytes message) const;
  // Checks a received signature against `plaintext`, advancing `handle` (a copy the caller
  // commits).
  Status check(crypto::Rc4Stream& handle, wire::Bytes signature, wire::Bytes plaintext,
               std::string_view where) const;

  bool key_exchange_;
  Stream send_;
  Stream receive_;
};

}  // namespace rdwarm::auth::ntlm
