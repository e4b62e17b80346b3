// What fuzz_ntlm and the seed tool (fuzz_seeds) must agree on: a client and an acceptor with fixed
// random sources and clocks, so the AUTHENTICATE_MESSAGE and the sealed message a seed carries
// verify when the fuzz target replays the same exchange.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "licensing/auth/ntlm/acceptor.hpp"
#include "licensing/auth/ntlm/client.hpp"

namespace rdwarm::fuzz::ntlm {

namespace an = rdwarm::auth::ntlm;

inline constexpr std::uint64_t kFiletime = 133485408000000000ull;  // 2024-01-01T00:00:00Z

inline an::RandomSource pattern(std::uint8_t start) {
  return [start](std::span<std::uint8_t> out) {
    for (std::size_t i = 0; i < out.size(); ++i) {
      out[i] = static_cast<std::uint8_t>(start + 29 * i);
    }
  };
}

inline an::AcceptorConfig acceptor_config() {
  an::AcceptorConfig c;
  c.account = an::Account::with_password("probe", "LAB", auth::Secret("fuzz-Pa55"));
  c.nb_computer_name = "HOST";
  c.nb_domain_name = "LAB";
  c.random = pattern(0x31);
  c.now = [] { return kFiletime; };
  return c;
}

inline an::ClientConfig client_config() {
  an::ClientConfig c;
  c.credentials.user = "probe";
  c.credentials.domain = "LAB";
  c.credentials.password = auth::Secret("fuzz-Pa55");
  c.workstation = "RDWARM";
  c.target_spn = "TERMSRV/host";
  c.random = pattern(0x77);
  c.now = [] { return kFiletime; };
  return c;
}

// The tokens of one exchange between `client` and `acceptor`; empty ones after a failure.
struct Tokens {
  std::vector<std::uint8_t> negotiate, challenge, authenticate;
  bool complete = false;
};

inline Tokens run_exchange(an::Client& client, an::Acceptor& acceptor) {
  Tokens t;
  auto n = client.step({});
  if (!n) return t;
  t.negotiate = n->token;
  auto c = acceptor.step(t.negotiate);
  if (!c) return t;
  t.challenge = c->token;
  auto a = client.step(t.challenge);
  if (!a) return t;
  t.authenticate = a->token;
  t.complete = acceptor.step(t.authenticate).ok();
  return t;
}

}  // namespace rdwarm::fuzz::ntlm
