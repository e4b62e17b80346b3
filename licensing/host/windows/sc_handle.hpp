// A service or service control manager handle that closes itself: the service gate
// (service_control.cpp) and the installer (imagebuild/install/windows) both open them.
#pragma once

#include <utility>

#include "licensing/host/windows/win32.hpp"

namespace rdwarm::host::windows {

class ScHandle {
 public:
  explicit ScHandle(SC_HANDLE h = nullptr) : h_(h) {}
  ~ScHandle() { reset(); }
  ScHandle(const ScHandle&) = delete;
  ScHandle& operator=(const ScHandle&) = delete;
  ScHandle(ScHandle&& other) noexcept : h_(std::exchange(other.h_, nullptr)) {}
  ScHandle& operator=(ScHandle&& other) noexcept {
    if (this != &other) {
      reset();
      h_ = std::exchange(other.h_, nullptr);
    }
    return *this;
  }

  [[nodiscard]] SC_HANDLE get() const { return h_; }
  explicit operator bool() const { return h_ != nullptr; }

 private:
  void reset() {
    if (h_ != nullptr) CloseServiceHandle(h_);
    h_ = nullptr;
  }

  SC_HANDLE h_;
};

}  // namespace rdwarm::host::windows
