// SSPI handles that release themselves: a credentials handle (FreeCredentialsHandle) and a
// security context handle (DeleteSecurityContext). Both are plain structs in SSPI with no
// "invalid" value, so each wrapper keeps a flag of its own.
#pragma once

#include <utility>

#include "licensing/auth/windows/sspi.hpp"

namespace rdwarm::auth::windows {

class CredentialsHandle {
 public:
  CredentialsHandle() = default;
  ~CredentialsHandle() { reset(); }
  CredentialsHandle(const CredentialsHandle&) = delete;
  CredentialsHandle& operator=(const CredentialsHandle&) = delete;
  CredentialsHandle(CredentialsHandle&& other) noexcept
      : h_(other.h_), valid_(std::exchange(other.valid_, false)) {}
  CredentialsHandle& operator=(CredentialsHandle&& other) noexcept {
    if (this != &other) {
      reset();
      h_ = other.h_;
      valid_ = std::exchange(other.valid_, false);
    }
    return *this;
  }

  // Takes ownership of a handle that AcquireCredentialsHandleW filled in.
  void adopt(const CredHandle& h) {
    reset();
    h_ = h;
    valid_ = true;
  }
  [[nodiscard]] CredHandle* get() { return valid_ ? &h_ : nullptr; }
  explicit operator bool() const { return valid_; }

 private:
  void reset() {
    if (valid_) FreeCredentialsHandle(&h_);
    valid_ = false;
  }

  CredHandle h_{};
  bool valid_ = false;
};

class ContextHandle {
 public:
  ContextHandle() = default;
  ~ContextHandle() { reset(); }
  ContextHandle(const ContextHandle&) = delete;
  ContextHandle& operator=(const ContextHandle&) = delete;
  ContextHandle(ContextHandle&& other) noexcept
      : h_(other.h_), valid_(std::exchange(other.valid_, false)) {}
  ContextHandle& operator=(ContextHandle&& other) noexcept {
    if (this != &other) {
      reset();
      h_ = other.h_;
      valid_ = std::exchange(other.valid_, false);
    }
    return *this;
  }

  // Takes ownership of the handle the first InitializeSecurityContextW call created.
  void adopt(const CtxtHandle& h) {
    reset();
    h_ = h;
    valid_ = true;
  }
  [[nodiscard]] CtxtHandle* get() { return valid_ ? &h_ : nullptr; }
  explicit operator bool() const { return valid_; }

 private:
  void reset() {
    if (valid_) DeleteSecurityContext(&h_);
    valid_ = false;
  }

  CtxtHandle h_{};
  bool valid_ = false;
};

// A buffer that SSPI allocated (QueryContextAttributes, QuerySecurityPackageInfo).
template <class T>
class ContextBuffer {
 public:
  ContextBuffer() = default;
  ~ContextBuffer() {
    if (p_ != nullptr) FreeContextBuffer(p_);
  }
  ContextBuffer(const ContextBuffer&) = delete;
  ContextBuffer& operator=(const ContextBuffer&) = delete;

  // The out-parameter to pass to the SSPI call.
  T** out() { return &p_; }
  [[nodiscard]] T* get() const { return p_; }

 private:
  T* p_ = nullptr;
};

}  // namespace rdwarm::auth::windows
