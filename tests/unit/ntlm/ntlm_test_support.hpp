// Shared by the NTLM unit tests: hex helpers, deterministic random sources and clocks, and a
// client/acceptor pair that runs the three-message exchange.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "licensing/auth/ntlm/acceptor.hpp"
#include "licensing/auth/ntlm/client.hpp"
#include "licensing/wire/hex.hpp"
#include "tests/support/vectors.hpp"

namespace rdwarm::auth::ntlm::testing {

using ByteVector = std::vector<std::uint8_t>;

inline ByteVector hex(std::string_view text) {
  return rdwarm::testing::hex(std::string(text));
}

template <class Bytes>
std::string to_hex(const Bytes& b) {
  return wire::to_hex(std::span<const std::uint8_t>(b.data(), b.size()));
}

inline Key hex_key(std::string_view text) {
  const ByteVector bytes = hex(text);
  Key key{};
  EXPECT_EQ(bytes.size(), key.size());
  std::copy_n(bytes.begin(), std::min(bytes.size(), key.size()), key.begin());
  return key;
}

inline ByteVector utf16(std::string_view text) {
  ByteVector out;
  for (char c : text) {
    out.push_back(static_cast<std::uint8_t>(c));
    out.push_back(0);
  }
  return out;
}

// Hands out the given bytes in order, then repeats the last one: tests state exactly what each
// draw returns (client challenge first, then the random session key).
inline RandomSource scripted_random(ByteVector bytes) {
  auto state = std::make_shared<std::pair<ByteVector, std::size_t>>(std::move(bytes), 0);
  return [state](std::span<std::uint8_t> out) {
    for (auto& b : out) {
      auto& [data, at] = *state;
      b = data.empty() ? 0 : data[std::min(at, data.size() - 1)];
      ++at;
    }
  };
}

// A different byte sequence on every call (a counter), for exchanges that only need distinct
// values.
inline RandomSource counting_random(std::uint8_t seed = 1) {
  auto next = std::make_shared<std::uint8_t>(seed);
  return [next](std::span<std::uint8_t> out) {
    for (auto& b : out) b = (*next)++;
  };
}

// 2024-01-01T00:00:00Z as a FILETIME.
inline constexpr std::uint64_t kLabTime = 133485408000000000ull;

inline FiletimeClock fixed_clock(std::uint64_t filetime = kLabTime) {
  return [filetime] { return filetime; };
}

struct Names {
  std::string user = "probe";
  std::string domain = "LAB";
  std::string password = "S3cret-Pa55";
};

inline ClientConfig client_config(const Names& n = {}) {
  ClientConfig c;
  c.credentials.user = n.user;
  c.credentials.domain = n.domain;
  c.credentials.password = Secret(n.password);
  c.workstation = "RDWARM";
  c.target_spn = "TERMSRV/host.lab.test";
  c.random = counting_random(0x10);
  c.now = fixed_clock();
  return c;
}

inline AcceptorConfig acceptor_config(Account account) {
  AcceptorConfig c;
  c.account = std::move(account);
  c.nb_computer_name = "HOST";
  c.nb_domain_name = "LAB";
  c.dns_computer_name = "host.lab.test";
  c.dns_domain_name = "lab.test";
  c.random = counting_random(0x80);
  c.now = fixed_clock();
  return c;
}

inline Account lab_account(AccountState state = AccountState::Enabled) {
  return Account::with_password("probe", "LAB", Secret("S3cret-Pa55"), state);
}

// The three messages between a client and an acceptor; each token is kept for tampering tests.
struct Exchange {
  ByteVector negotiate, challenge, authenticate;
};

inline Exchange first_two(Client& client, Acceptor& acceptor) {
  Exchange e;
  auto n = client.step({});
  EXPECT_TRUE(n.ok()) << (n.ok() ? "" : n.error().message());
  if (!n.ok()) return e;
  e.negotiate = n->token;
  auto c = acceptor.step(e.negotiate);
  EXPECT_TRUE(c.ok()) << (c.ok() ? "" : c.error().message());
  if (!c.ok()) return e;
  e.challenge = c->token;
  auto a = client.step(e.challenge);
  EXPECT_TRUE(a.ok()) << (a.ok() ? "" : a.error().message());
  if (!a.ok()) return e;
  EXPECT_TRUE(a->complete);
  e.authenticate = a->token;
  return e;
}

}  // namespace rdwarm::auth::ntlm::testing
