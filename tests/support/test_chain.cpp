#include "tests/support/test_chain.hpp"

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <stdexcept>

namespace rdwarm::test {

namespace {

struct X509Free {
  void operator()(X509* p) const { X509_free(p); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("test chain: ") + what);
}

X509Ptr make_cert(EVP_PKEY* subject_key, const std::string& subject_cn, EVP_PKEY* issuer_key,
                  const std::string& issuer_cn, long serial, int valid_days) {
  X509Ptr x(X509_new());
  check(x != nullptr, "X509_new");
  check(X509_set_version(x.get(), 2) == 1, "version");
  check(ASN1_INTEGER_set(X509_get_serialNumber(x.get()), serial) == 1, "serial");
  check(X509_gmtime_adj(X509_getm_notBefore(x.get()), -3600) != nullptr, "notBefore");
  check(X509_gmtime_adj(X509_getm_notAfter(x.get()), 86400L * valid_days) != nullptr, "notAfter");
  auto add_cn = [](X509_NAME* name, const std::string& cn) {
    check(X509_NAME_add_entry_by_NID(name, NID_commonName, MBSTRING_UTF8,
                                     reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1,
                                     0) == 1,
          "CN");
  };
  add_cn(X509_get_subject_name(x.get()), subject_cn);
  add_cn(X509_get_issuer_name(x.get()), issuer_cn);
  check(X509_set_pubkey(x.get(), subject_key) == 1, "pubkey");
  check(X509_sign(x.get(), issuer_key, EVP_sha256()) > 0, "sign");
  return x;
}

std::vector<std::uint8_t> der_of(X509* x) {
  unsigned char* der = nullptr;
  const int len = i2d_X509(x, &der);
  check(len > 0, "i2d_X509");
  std::vector<std::uint8_t> out(der, der + len);
  OPENSSL_free(der);
  return out;
}

}  // namespace

std::vector<std::vector<std::uint8_t>> make_chain(const std::string& license_server_cn,
                                                  const std::string& host_cn, int valid_days) {
  // 1024-bit keys: fast to generate, and nothing here depends on their strength.
  PkeyPtr ls_key(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(1024)));
  PkeyPtr host_key(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(1024)));
  check(ls_key && host_key, "keygen");
  auto root = make_cert(ls_key.get(), license_server_cn, ls_key.get(), license_server_cn, 1,
                        valid_days * 10);
  auto leaf = make_cert(host_key.get(), host_cn, ls_key.get(), license_server_cn, 2, valid_days);
  return {der_of(root.get()), der_of(leaf.get())};
}

}  // namespace rdwarm::test
