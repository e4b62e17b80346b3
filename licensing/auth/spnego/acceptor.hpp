// The acceptor side of SPNEGO [RFC 4178] for the lab's session host, around one inner mechanism
// (NTLM). Like Windows' Negotiate package it also takes the inner mechanism's raw tokens: a client
// whose first token is not SPNEGO (FreeRDP 2 sends bare NTLM messages) is served in pass-through.
#pragma once

#include <memory>
#include <vector>

#include "licensing/auth/spnego/delegating_context.hpp"
#include "licensing/wire/der.hpp"

namespace rdwarm::auth::spnego {

class Acceptor final : public DelegatingContext {
 public:
  // `inner_token_start`: the first bytes that mark a bare inner token ("NTLMSSP\0" for NTLM).
  Acceptor(std::unique_ptr<SecurityContext> inner, wire::der::Oid mechanism,
           std::vector<std::uint8_t> inner_token_start);

  Result<Step> step(wire::Bytes peer_token) override;

  // The client spoke SPNEGO (false: bare inner tokens).
  [[nodiscard]] bool spnego() const { return mode_ == Mode::Spnego; }
  // The client sent a mechListMIC and it verified.
  [[nodiscard]] bool client_mic_verified() const { return client_mic_verified_; }

 private:
  enum class Mode { Unknown, Spnego, PassThrough };
  Result<Step> first(wire::Bytes token);
  Result<Step> next(wire::Bytes token);
  Result<Step> fail(std::string field, std::string what);

  wire::der::Oid mechanism_;
  std::vector<std::uint8_t> inner_token_start_;
  std::vector<std::uint8_t> mech_list_;  // the client's MechTypeList, DER
  Mode mode_ = Mode::Unknown;
  bool complete_ = false;
  bool failed_ = false;
  bool client_mic_verified_ = false;
};

}  // namespace rdwarm::auth::spnego
