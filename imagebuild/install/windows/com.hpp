// COM for the Task Scheduler 2.0 API: the apartment, reference-counted interface pointers, BSTRs
// and HRESULT texts, each released on every path.
#pragma once

#include <objbase.h>
#include <oleauto.h>

#include <string>
#include <string_view>
#include <utility>

#include "licensing/host/windows/win32.hpp"
#include "licensing/wire/result.hpp"

namespace rdwarm::imagebuild::install::windows {

// "0x80070005: Access is denied." (the system's text when it has one).
std::string hresult_text(HRESULT hr);

// CoInitializeEx for this thread (multithreaded), undone on destruction; a thread that already has
// an apartment of the other kind works in it.
class ComApartment {
 public:
  ComApartment();
  ~ComApartment();
  ComApartment(const ComApartment&) = delete;
  ComApartment& operator=(const ComApartment&) = delete;
  ComApartment(ComApartment&&) = delete;
  ComApartment& operator=(ComApartment&&) = delete;
  [[nodiscard]] Status status() const;

 private:
  HRESULT hr_;
};

template <class T>
class ComPtr {
 public:
  ComPtr() = default;
  ~ComPtr() { reset(); }
  ComPtr(const ComPtr&) = delete;
  ComPtr& operator=(const ComPtr&) = delete;
  ComPtr(ComPtr&& other) noexcept : p_(std::exchange(other.p_, nullptr)) {}
  ComPtr& operator=(ComPtr&& other) noexcept {
    if (this != &other) {
      reset();
      p_ = std::exchange(other.p_, nullptr);
    }
    return *this;
  }
  void reset() {
    if (p_ != nullptr) p_->Release();
    p_ = nullptr;
  }
  T* operator->() const { return p_; }
  [[nodiscard]] T* get() const { return p_; }
  T** put() {
    reset();
    return &p_;
  }
  void** put_void() { return reinterpret_cast<void**>(put()); }  // NOLINT: COM's out pointer
  explicit operator bool() const { return p_ != nullptr; }

 private:
  T* p_ = nullptr;
};

class Bstr {
 public:
  Bstr() = default;
  explicit Bstr(std::wstring_view text);
  ~Bstr();
  Bstr(const Bstr&) = delete;
  Bstr& operator=(const Bstr&) = delete;
  Bstr(Bstr&& other) noexcept : s_(std::exchange(other.s_, nullptr)) {}
  Bstr& operator=(Bstr&& other) = delete;
  [[nodiscard]] BSTR get() const { return s_; }
  BSTR* put();
  [[nodiscard]] std::wstring text() const;

 private:
  BSTR s_ = nullptr;
};

// A VARIANT that is released on destruction.
class Variant {
 public:
  Variant();
  explicit Variant(std::wstring_view text);  // VT_BSTR
  ~Variant();
  Variant(const Variant&) = delete;
  Variant& operator=(const Variant&) = delete;
  Variant(Variant&&) = delete;
  Variant& operator=(Variant&&) = delete;
  [[nodiscard]] const VARIANT& get() const { return v_; }

 private:
  VARIANT v_;
};

}  // namespace rdwarm::imagebuild::install::windows
