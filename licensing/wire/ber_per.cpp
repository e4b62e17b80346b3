#include "licensing/wire/ber_per.hpp"

#include <string>

#include "licensing/wire/hex.hpp"

namespace rdwarm::wire {

namespace ber {

std::size_t length_size(std::size_t length) {
  if (length < 0x80) return 1;
  if (length <= 0xFF) return 2;
  return 3;
}

void write_length(Writer& w, std::size_t length) {
  if (length < 0x80) {
    w.u8(static_cast<std::uint8_t>(length));
  } else if (length <= 0xFF) {
    w.u8(0x81);
    w.u8(static_cast<std::uint8_t>(length));
  } else {
    w.u8(0x82);
    w.u16be(static_cast<std::uint16_t>(length));
  }
}

std::size_t read_length(Reader& r, std::string_view field) {
  const std::uint8_t first = r.u8(field);
  if ((first & 0x80) == 0) return first;
  const unsigned count = first & 0x7Fu;
  if (count == 0 || count > 2) {
    r.fail(field, "BER length with " + std::to_string(count) + " length bytes is not supported");
    return 0;
  }
  std::size_t length = 0;
  for (unsigned i = 0; i < count; ++i) length = (length << 8) | r.u8(field);
  return length;
}

std::size_t integer_size(std::uint32_t value) {
  if (value <= 0xFF) return 3;
  if (value <= 0xFFFF) return 4;
  if (value <= 0xFFFFFF) return 5;
  return 6;
}

void write_integer(Writer& w, std::uint32_t value) {
  const std::size_t n = integer_size(value) - 2;
  w.u8(BER_TAG_INTEGER);
  w.u8(static_cast<std::uint8_t>(n));
  for (std::size_t i = n; i-- > 0;) w.u8(static_cast<std::uint8_t>(value >> (8 * i)));
}

std::uint32_t read_integer(Reader& r, std::string_view field) {
  expect_tag(r, BER_TAG_INTEGER, field);
  const std::size_t n = read_length(r, field);
  if (r.ok() && (n == 0 || n > 5)) {
    r.fail(field, "INTEGER of " + std::to_string(n) + " bytes is out of range");
    return 0;
  }
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < n; ++i) value = (value << 8) | r.u8(field);
  if (value > 0xFFFFFFFFu) {
    r.fail(field, "INTEGER does not fit 32 bits");
    return 0;
  }
  return static_cast<std::uint32_t>(value);
}

void expect_tag(Reader& r, std::uint8_t tag, std::string_view field) {
  const std::uint8_t got = r.u8(field);
  if (r.ok() && got != tag)
    r.fail(field, "tag is " + hex_code(got, 2) + ", expected " + hex_code(tag, 2));
}

void expect_application_tag(Reader& r, std::uint8_t number, std::string_view field) {
  const std::uint8_t first = r.u8(field);
  const std::uint8_t second = r.u8(field);
  if (r.ok() && (first != 0x7F || second != number)) {
    r.fail(field, "tag is " + hex_code(first, 2) + " " + hex_code(second, 2) +
                      ", expected APPLICATION " + std::to_string(number));
  }
}

}  // namespace ber

namespace per {

std::size_t length_size(std::size_t length) {
  return length < 0x80 ? 1 : 2;
}

void write_length(Writer& w, std::size_t length) {
  if (length < 0x80) {
    w.u8(static_cast<std::uint8_t>(length));
  } else {
    w.u16be(static_cast<std::uint16_t>(length | 0x8000));
  }
}

std::size_t read_length(Reader& r, std::string_view field) {
  const std::uint8_t first = r.u8(field);
  if ((first & 0x80) == 0) return first;
  if ((first & 0xC0) == 0xC0) {
    r.fail(field, "fragmented PER length is not supported");
    return 0;
  }
  return (static_cast<std::size_t>(first & 0x3F) << 8) | r.u8(field);
}

}  // namespace per

}  // namespace rdwarm::wire
