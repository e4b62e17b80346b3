// Errors as values. Nothing that parses untrusted bytes throws: it returns Result<T>, whose error
// names the component (a PDU, a certificate, a file) and the field that did not fit.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace rdwarm {

struct Error {
  std::string where;  // the PDU or component, e.g. "MCS Connect-Response"
  std::string field;  // the field, e.g. "result"; may be empty
  std::string what;   // what was wrong, e.g. "needs 4 bytes, 2 left"

  [[nodiscard]] std::string message() const {
    std::string m = where;
    if (!field.empty()) {
      m += '.';
      m += field;
    }
    m += ": ";
    m += what;
    return m;
  }
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  [[nodiscard]] bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  [[nodiscard]] T& value() & {
    assert(ok());
    return std::get<0>(v_);
  }
  [[nodiscard]] const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  [[nodiscard]] T&& value() && {
    assert(ok());
    return std::get<0>(std::move(v_));
  }
  [[nodiscard]] const Error& error() const {
    assert(!ok());
    return std::get<1>(v_);
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Error> v_;
};

// A Result without a value, for checks and writers that can fail.
struct Ok {};
using Status = Result<Ok>;

inline Error make_error(std::string where, std::string field, std::string what) {
  return Error{std::move(where), std::move(field), std::move(what)};
}

}  // namespace rdwarm
