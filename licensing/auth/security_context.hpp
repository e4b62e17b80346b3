// One side of an authentication exchange as CredSSP uses it [MS-CSSP 3.1.5]: tokens in, tokens
// out, then message protection with the established keys. The NTLM client (Linux), the SSPI
// Negotiate client (Windows), the SPNEGO wrapper and the lab's NTLM acceptor all have this shape,
// so the connector never knows which one it drives. No I/O, no clock: tests inject both.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "licensing/wire/reader.hpp"
#include "licensing/wire/result.hpp"

namespace rdwarm::auth {

struct Step {
  std::vector<std::uint8_t> token;  // to send to the peer; may be empty
  bool complete = false;            // the context is established: wrap/unwrap may be used
};

class SecurityContext {
 public:
  SecurityContext() = default;
  SecurityContext(const SecurityContext&) = delete;
  SecurityContext& operator=(const SecurityContext&) = delete;
  virtual ~SecurityContext() = default;

  // Client: first call with an empty input, then with each token of the peer. Acceptor: each token
  // of the client. After complete, a further peer token (e.g. SPNEGO's final accept-completed with
  // its mechListMIC) is still passed here to be verified; it yields no token.
  virtual Result<Step> step(wire::Bytes peer_token) = 0;

  // Confidentiality and integrity as CredSSP applies them to pubKeyAuth and authInfo
  // (GSS_WrapEx / EncryptMessage): the result is the signature followed by the ciphertext.
  virtual Result<std::vector<std::uint8_t>> wrap(wire::Bytes plaintext) = 0;
  virtual Result<std::vector<std::uint8_t>> unwrap(wire::Bytes message) = 0;

  // Integrity only (GSS_GetMIC / VerifyMIC), for SPNEGO's mechListMIC [RFC 4178 5].
  virtual Result<std::vector<std::uint8_t>> get_mic(wire::Bytes message) = 0;
  virtual Status verify_mic(wire::Bytes message, wire::Bytes mic) = 0;

  // Restarts one direction's sequence number and cipher stream. With NTLM under SPNEGO, Windows
  // does this for the outgoing direction right after computing its mechListMIC and for the
  // incoming direction right after verifying the peer's, so CredSSP's first wrap and unwrap each
  // use sequence number 0 again. Mechanisms without such state do nothing.
  enum class Direction { kOutgoing, kIncoming };
  virtual void reset_cipher_state(Direction direction) = 0;

  // "NTLM", "Kerberos", ...: for logs and the probe's verdict.
  [[nodiscard]] virtual std::string_view mechanism() const = 0;
};

}  // namespace rdwarm::auth
