#include "licensing/crypto/certificate_summary.hpp"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/obj_mac.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <ctime>

#include "licensing/crypto/openssl_handles.hpp"
#include "licensing/wire/hex.hpp"
#include "licensing/wire/utc_time.hpp"

namespace rdwarm::crypto {
namespace {

using detail::BignumPtr;
using detail::ErrorScope;
using detail::X509Ptr;

struct SequenceDeleter {
  void operator()(ASN1_SEQUENCE_ANY* s) const { sk_ASN1_TYPE_pop_free(s, ASN1_TYPE_free); }
};
using SequencePtr = std::unique_ptr<ASN1_SEQUENCE_ANY, SequenceDeleter>;

Result<X509Ptr> parse_x509(std::span<const std::uint8_t> der, std::string_view where) {
  if (der.empty()) return make_error(std::string(where), "DER", "is empty");
  if (der.size() > LONG_MAX) return make_error(std::string(where), "DER", "is too long");
  const unsigned char* p = der.data();
  X509Ptr x(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!x) {
    return make_error(std::string(where), "DER",
                      "not a certificate: " + ErrorScope::last_error("d2i_X509 failed"));
  }
  const auto used = static_cast<std::size_t>(p - der.data());
  if (used != der.size()) {
    return make_error(
        std::string(where), "DER",
        std::to_string(der.size() - used) + " bytes after the end of the certificate");
  }
  return x;
}

std::string name_text(const X509_NAME* name) {
  // RFC 2253 text, but with non-ASCII characters written as UTF-8 instead of escaped.
  const unsigned long flags = static_cast<unsigned long>(XN_FLAG_RFC2253) &
                              ~static_cast<unsigned long>(ASN1_STRFLGS_ESC_MSB);
  detail::BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || X509_NAME_print_ex(bio.get(), name, 0, flags) < 0) return {};
  char* data = nullptr;
  const long len = BIO_ctrl(bio.get(), BIO_CTRL_INFO, 0, &data);
  if (len <= 0 || data == nullptr) return {};
  return std::string(data, static_cast<std::size_t>(len));
}

bool convert_time(const ASN1_TIME* t, std::string& iso, std::int64_t& unix_seconds) {
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return false;
  const std::int64_t year = static_cast<std::int64_t>(tm.tm_year) + 1900;
  const auto month = static_cast<unsigned>(tm.tm_mon + 1);
  const auto day = static_cast<unsigned>(tm.tm_mday);
  const std::int64_t seconds_of_day =
      std::int64_t{tm.tm_hour} * 3600 + std::int64_t{tm.tm_min} * 60 + tm.tm_sec;
  unix_seconds = days_from_civil(year, month, day) * 86400 + seconds_of_day;
  iso = format_utc(unix_seconds);
  return true;
}

std::string object_text(const ASN1_OBJECT* obj) {
  char buf[128];
  const int n = OBJ_obj2txt(buf, sizeof buf, obj, 1);
  if (n <= 0) return {};
  return std::string(buf, std::min(static_cast<std::size_t>(n), sizeof buf - 1));
}

bool has_licensing_extension(const X509* x) {
  const int count = X509_get_ext_count(x);
  for (int i = 0; i < count; ++i) {
    X509_EXTENSION* ext = X509_get_ext(x, i);
    if (ext == nullptr) continue;
    if (object_text(X509_EXTENSION_get_object(ext)).starts_with(kMicrosoftLicensingOidPrefix)) {
      return true;
    }
  }
  return false;
}

std::string serial_text(const X509* x) {
  const ASN1_INTEGER* serial = X509_get0_serialNumber(x);
  BignumPtr bn(serial ? ASN1_INTEGER_to_BN(serial, nullptr) : nullptr);
  if (!bn) return {};
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(BN_num_bytes(bn.get())));
  BN_bn2bin(bn.get(), bytes.data());
  return bytes.empty() ? "00" : wire::to_hex(bytes);
}

Result<RsaPublicKey> rsa_key_of(X509* x, std::string_view where) {
  X509_PUBKEY* pub = X509_get_X509_PUBKEY(x);
  ASN1_OBJECT* alg = nullptr;
  const unsigned char* key = nullptr;
  int key_len = 0;
  if (pub == nullptr || X509_PUBKEY_get0_param(&alg, &key, &key_len, nullptr, pub) != 1 ||
      key == nullptr || key_len < 0) {
    return make_error(std::string(where), "subjectPublicKeyInfo", "unreadable");
  }
  // 1.3.14.3.2.15 (OIW shaWithRSAEncryption) is what license servers put in the session host's
  // certificate; its key is an ordinary PKCS#1 RSAPublicKey.
  const int nid = OBJ_obj2nid(alg);
  if (nid != NID_rsaEncryption && nid != NID_shaWithRSAEncryption) {
    return make_error(std::string(where), "subjectPublicKeyInfo.algorithm",
                      object_text(alg) + " is not an RSA key");
  }
  return decode_pkcs1_rsa_public_key(
      std::span<const std::uint8_t>(key, static_cast<std::size_t>(key_len)),
      std::string(where) + " subjectPublicKey");
}

}  // namespace

Result<RsaPublicKey> decode_pkcs1_rsa_public_key(std::span<const std::uint8_t> der,
                                                 std::string_view where) {
  ErrorScope errors;
  if (der.empty() || der.size() > LONG_MAX) {
    return make_error(std::string(where), "", "empty or oversized");
  }
  const unsigned char* p = der.data();
  SequencePtr seq(d2i_ASN1_SEQUENCE_ANY(nullptr, &p, static_cast<long>(der.size())));
  if (!seq) {
    return make_error(std::string(where), "",
                      "not a DER SEQUENCE: " + ErrorScope::last_error("decode error"));
  }
  if (p != der.data() + der.size()) {
    return make_error(std::string(where), "", "bytes after the end of the SEQUENCE");
  }
  if (sk_ASN1_TYPE_num(seq.get()) != 2) {
    return make_error(
        std::string(where), "",
        "expected 2 INTEGERs, found " + std::to_string(sk_ASN1_TYPE_num(seq.get())) + " elements");
  }
  BignumPtr values[2];
  const char* names[2] = {"modulus", "publicExponent"};
  for (int i = 0; i < 2; ++i) {
    const ASN1_TYPE* t = sk_ASN1_TYPE_value(seq.get(), i);
    if (t == nullptr || ASN1_TYPE_get(t) != V_ASN1_INTEGER) {
      return make_error(std::string(where), names[i], "not a positive INTEGER");
    }
    values[i].reset(ASN1_INTEGER_to_BN(t->value.integer, nullptr));
    if (!values[i] || BN_is_zero(values[i].get()) || BN_is_negative(values[i].get())) {
      return make_error(std::string(where), names[i], "not a positive INTEGER");
    }
  }
  const int modulus_bits = BN_num_bits(values[0].get());
  if (static_cast<std::size_t>(modulus_bits) > kMaxRsaModulusBits) {
    return make_error(std::string(where), "modulus",
                      std::to_string(modulus_bits) + " bits exceeds the limit of " +
                          std::to_string(kMaxRsaModulusBits));
  }
  if (BN_num_bits(values[1].get()) > 32) {
    return make_error(std::string(where), "publicExponent", "wider than 32 bits");
  }
  RsaPublicKey key;
  key.modulus.resize(static_cast<std::size_t>(BN_num_bytes(values[0].get())));
  BN_bn2bin(values[0].get(), key.modulus.data());
  key.exponent = static_cast<std::uint32_t>(BN_get_word(values[1].get()));
  return key;
}

Result<RsaPublicKey> certificate_rsa_public_key(std::span<const std::uint8_t> der,
                                                std::string_view where) {
  ErrorScope errors;
  auto x = parse_x509(der, where);
  if (!x) return x.error();
  return rsa_key_of(x->get(), where);
}

Result<CertificateSummary> summarize_certificate(std::span<const std::uint8_t> der,
                                                 std::string_view where) {
  ErrorScope errors;
  auto parsed = parse_x509(der, where);
  if (!parsed) return parsed.error();
  X509* x = parsed->get();

  CertificateSummary s;
  s.subject = name_text(X509_get_subject_name(x));
  s.issuer = name_text(X509_get_issuer_name(x));
  s.serial_hex = serial_text(x);
  if (!convert_time(X509_get0_notBefore(x), s.not_before, s.not_before_unix)) {
    return make_error(std::string(where), "notBefore", "not a valid time");
  }
  if (!convert_time(X509_get0_notAfter(x), s.not_after, s.not_after_unix)) {
    return make_error(std::string(where), "notAfter", "not a valid time");
  }
  if (auto key = rsa_key_of(x, where)) {
    s.key_bits = key->bits();
  } else if (const EVP_PKEY* pkey = X509_get0_pubkey(x)) {
    s.key_bits = static_cast<std::size_t>(std::max(EVP_PKEY_get_bits(pkey), 0));
  }
  s.has_microsoft_licensing_extensions = has_licensing_extension(x);
  s.is_ca = (X509_get_extension_flags(x) & EXFLAG_CA) != 0;
  s.der.assign(der.begin(), der.end());
  return s;
}

}  // namespace rdwarm::crypto
