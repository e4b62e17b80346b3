// SPNEGO negotiates and then steps aside: once a mechanism is chosen, message protection is that
// mechanism's. The SPNEGO client and acceptor share this delegation.
#pragma once

#include <memory>
#include <utility>
#include <vector>

#include "licensing/auth/security_context.hpp"

namespace rdwarm::auth::spnego {

class DelegatingContext : public SecurityContext {
 public:
  Result<std::vector<std::uint8_t>> wrap(wire::Bytes plaintext) override {
    return inner_->wrap(plaintext);
  }
  Result<std::vector<std::uint8_t>> unwrap(wire::Bytes message) override {
    return inner_->unwrap(message);
  }
  Result<std::vector<std::uint8_t>> get_mic(wire::Bytes message) override {
    return inner_->get_mic(message);
  }
  Status verify_mic(wire::Bytes message, wire::Bytes mic) override {
    return inner_->verify_mic(message, mic);
  }
  void reset_cipher_state(Direction direction) override { inner_->reset_cipher_state(direction); }
  [[nodiscard]] std::string_view mechanism() const override { return inner_->mechanism(); }

 protected:
  explicit DelegatingContext(std::unique_ptr<SecurityContext> inner) : inner_(std::move(inner)) {}
  SecurityContext& inner() { return *inner_; }

 private:
  std::unique_ptr<SecurityContext> inner_;
};

}  // namespace rdwarm::auth::spnego
