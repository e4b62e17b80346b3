#include "imagebuild/install/windows/com.hpp"

#include <cstdio>

#include "licensing/host/windows/win32_text.hpp"

namespace rdwarm::imagebuild::install::windows {

std::string hresult_text(HRESULT hr) {
  char code[16];
  std::snprintf(code, sizeof code, "0x%08lX", static_cast<unsigned long>(hr));
  wchar_t* buffer = nullptr;
  const DWORD n = FormatMessageW(
      FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS,
      nullptr, static_cast<DWORD>(hr), 0,
      reinterpret_cast<wchar_t*>(&buffer),  // NOLINT: FormatMessage's allocate-buffer convention
      0, nullptr);
  std::string text;
  if (n > 0 && buffer != nullptr) {
    text = host::windows::narrow(std::wstring_view(buffer, n));
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
      text.pop_back();
    }
  }
  if (buffer != nullptr) LocalFree(buffer);
  return text.empty() ? std::string(code) : std::string(code) + ": " + text;
}

ComApartment::ComApartment() : hr_(CoInitializeEx(nullptr, COINIT_MULTITHREADED)) {}

ComApartment::~ComApartment() {
  if (SUCCEEDED(hr_)) CoUninitialize();
}

Status ComApartment::status() const {
  // RPC_E_CHANGED_MODE: the thread is single-threaded already, which the Task Scheduler API
  // accepts as well.
  if (SUCCEEDED(hr_) || hr_ == RPC_E_CHANGED_MODE) return Ok{};
  return make_error("COM", "", "cannot initialise COM: " + hresult_text(hr_));
}

Bstr::Bstr(std::wstring_view text)
    : s_(SysAllocStringLen(text.data(), static_cast<UINT>(text.size()))) {}

Bstr::~Bstr() {
  if (s_ != nullptr) SysFreeString(s_);
}

BSTR* Bstr::put() {
  if (s_ != nullptr) SysFreeString(s_);
  s_ = nullptr;
  return &s_;
}

std::wstring Bstr::text() const {
  return s_ == nullptr ? std::wstring() : std::wstring(s_, SysStringLen(s_));
}

Variant::Variant() : v_() {
  VariantInit(&v_);
}

Variant::Variant(std::wstring_view text) : v_() {
  VariantInit(&v_);
  v_.vt = VT_BSTR;
  v_.bstrVal = SysAllocStringLen(text.data(), static_cast<UINT>(text.size()));
}

Variant::~Variant() {
  VariantClear(&v_);
}

}  // namespace rdwarm::imagebuild::install::windows
