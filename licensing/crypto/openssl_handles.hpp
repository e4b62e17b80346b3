// Owning handles for the OpenSSL objects the crypto layer uses, and a guard that keeps OpenSSL's
// thread-local error queue clean. Internal to licensing/crypto.
#pragma once

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <string>

namespace rdwarm::crypto::detail {

template <class T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};

using BignumPtr = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;
using BnCtxPtr = std::unique_ptr<BN_CTX, Deleter<BN_CTX, BN_CTX_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;

struct BioDeleter {
  void operator()(BIO* p) const { BIO_free(p); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;

// Untrusted DER makes OpenSSL push errors onto the calling thread's queue. Left there, they would
// be picked up by the next unrelated check (Asio's TLS code reads the queue), so every operation on
// untrusted input pops what it added when it ends.
class ErrorScope {
 public:
  ErrorScope() { ERR_set_mark(); }
  ~ErrorScope() { ERR_pop_to_mark(); }
  ErrorScope(const ErrorScope&) = delete;
  ErrorScope& operator=(const ErrorScope&) = delete;

  // The most recent OpenSSL error as text, or `fallback` when the queue holds none.
  static std::string last_error(const char* fallback) {
    const unsigned long code = ERR_peek_last_error();
    if (code == 0) return fallback;
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    return buf;
  }
};

}  // namespace rdwarm::crypto::detail
