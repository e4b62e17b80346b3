// Bounds-checked reading of untrusted bytes. A Reader keeps the first failure ("sticky" error):
// after it every read returns zero and the decoder returns reader.error() naming the PDU and the
// field that did not fit. Decoders therefore read a whole structure and check ok() once, at the
// points where a value steers what is read next.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "licensing/wire/result.hpp"

namespace rdwarm::wire {

using Bytes = std::span<const std::uint8_t>;

class Reader {
 public:
  Reader(Bytes bytes, std::string_view pdu) : bytes_(bytes), pdu_(pdu) {}

  [[nodiscard]] bool ok() const { return error_.what.empty(); }
  [[nodiscard]] std::size_t remaining() const { return ok() ? bytes_.size() - pos_ : 0; }
  [[nodiscard]] std::size_t position() const { return pos_; }
  [[nodiscard]] bool empty() const { return remaining() == 0; }
  [[nodiscard]] const Error& error() const { return error_; }
  [[nodiscard]] std::string_view pdu() const { return pdu_; }

  std::uint8_t u8(std::string_view field) {
    const auto* p = take(1, field);
    return p ? p[0] : 0;
  }
  std::uint16_t u16le(std::string_view field) {
    const auto* p = take(2, field);
    return p ? static_cast<std::uint16_t>(p[0] | (p[1] << 8)) : 0;
  }
  std::uint16_t u16be(std::string_view field) {
    const auto* p = take(2, field);
    return p ? static_cast<std::uint16_t>((p[0] << 8) | p[1]) : 0;
  }
  std::uint32_t u32le(std::string_view field) {
    const auto* p = take(4, field);
    if (p == nullptr) return 0;
    return static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
           (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
  }
  std::uint32_t u32be(std::string_view field) {
    const auto* p = take(4, field);
    if (p == nullptr) return 0;
    return (static_cast<std::uint32_t>(p[0]) << 24) | (static_cast<std::uint32_t>(p[1]) << 16) |
           (static_cast<std::uint32_t>(p[2]) << 8) | static_cast<std::uint32_t>(p[3]);
  }
  // n bytes as a view into the input; empty on failure.
  Bytes bytes(std::size_t n, std::string_view field) {
    const auto* p = take(n, field);
    return p ? Bytes(p, n) : Bytes();
  }
  void skip(std::size_t n, std::string_view field) { (void)take(n, field); }
  Bytes rest() {
    if (!ok()) return {};
    auto r = bytes_.subspan(pos_);
    pos_ = bytes_.size();
    return r;
  }
  // Peeks without consuming; 0 when not available (does not set an error).
  [[nodiscard]] std::uint8_t peek_u8() const { return remaining() >= 1 ? bytes_[pos_] : 0; }

  // Records a semantic failure (a value out of range) at the current position.
  void fail(std::string_view field, std::string what) {
    if (!ok()) return;
    error_ = Error{std::string(pdu_), std::string(field),
                   std::move(what) + " (at offset " + std::to_string(pos_) + ")"};
  }
  // Fails unless the input was consumed exactly.
  void expect_end(std::string_view field = "trailing bytes") {
    if (ok() && pos_ != bytes_.size()) {
      fail(field, std::to_string(bytes_.size() - pos_) + " unexpected bytes after the end");
    }
  }

 private:
  const std::uint8_t* take(std::size_t n, std::string_view field) {
    if (!ok()) return nullptr;
    if (bytes_.size() - pos_ < n) {
      fail(field, "needs " + std::to_string(n) + " bytes, " + std::to_string(bytes_.size() - pos_) +
                      " left");
      return nullptr;
    }
    const auto* p = bytes_.data() + pos_;
    pos_ += n;
    return p;
  }

  Bytes bytes_;
  std::size_t pos_ = 0;
  std::string_view pdu_;
  Error error_;
};

}  // namespace rdwarm::wire
