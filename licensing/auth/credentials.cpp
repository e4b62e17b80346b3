#include "licensing/auth/credentials.hpp"

#include <openssl/crypto.h>

namespace rdwarm::auth {

Secret& Secret::operator=(const Secret& other) {
  if (this != &other) {
    wipe();
    value_ = other.value_;
  }
  return *this;
}

Secret::Secret(Secret&& other) noexcept : value_(other.value_) {
  other.wipe();
}

Secret& Secret::operator=(Secret&& other) noexcept {
  if (this != &other) {
    wipe();
    value_ = other.value_;
    other.wipe();
  }
  return *this;
}

Secret::~Secret() {
  wipe();
}

// Copies instead of moves above: a moved-from std::string may keep its buffer (small-string
// optimisation), and the copy lets wipe() clear the one we leave behind.
void Secret::wipe() {
  if (!value_.empty()) OPENSSL_cleanse(value_.data(), value_.size());
  value_.clear();
}

}  // namespace rdwarm::auth
