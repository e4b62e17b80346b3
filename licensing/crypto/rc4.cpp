#include "licensing/crypto/rc4.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <utility>

namespace rdwarm::crypto {

Rc4Stream::Rc4Stream(std::span<const std::uint8_t> key) {
  if (key.empty()) {
    std::fputs("rdwarm: rc4 called with an empty key\n", stderr);
    std::abort();
  }
  // Key-scheduling algorithm; keys longer than 256 bytes contribute their first 256 bytes only.
  const std::size_t key_len = std::min<std::size_t>(key.size(), 256);
  for (std::size_t n = 0; n < s_.size(); ++n) s_[n] = static_cast<std::uint8_t>(n);
  std::uint8_t j = 0;
  for (std::size_t n = 0; n < s_.size(); ++n) {
    j = static_cast<std::uint8_t>(j + s_[n] + key[n % key_len]);
    std::swap(s_[n], s_[j]);
  }
}

Rc4Stream::~Rc4Stream() {
  OPENSSL_cleanse(s_.data(), s_.size());
  i_ = j_ = 0;
}

void Rc4Stream::apply(std::span<std::uint8_t> data) {
  for (auto& byte : data) {
    i_ = static_cast<std::uint8_t>(i_ + 1);
    j_ = static_cast<std::uint8_t>(j_ + s_[i_]);
    std::swap(s_[i_], s_[j_]);
    byte ^= s_[static_cast<std::uint8_t>(s_[i_] + s_[j_])];
  }
}

std::vector<std::uint8_t> Rc4Stream::process(std::span<const std::uint8_t> data) {
  std::vector<std::uint8_t> out(data.begin(), data.end());
  apply(out);
  return out;
}

std::vector<std::uint8_t> rc4(std::span<const std::uint8_t> key,
                              std::span<const std::uint8_t> data) {
  Rc4Stream stream(key);
  return stream.process(data);
}

}  // namespace rdwarm::crypto
