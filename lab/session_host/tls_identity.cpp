#include "lab/session_host/tls_identity.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <memory>
#include <stdexcept>

namespace rdwarm::lab {

namespace {

template <class T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;

[[noreturn]] void fail(const char* what) {
  char buf[256] = "no OpenSSL error";
  if (const unsigned long code = ERR_get_error(); code != 0) {
    ERR_error_string_n(code, buf, sizeof buf);
  }
  throw std::runtime_error(std::string("cannot make the lab's TLS certificate: ") + what + ": " +
                           buf);
}

}  // namespace

boost::asio::ssl::context make_tls_server_context(const std::string& host_name) {
  // Like the probe, the lab does not read the system openssl.cnf: a distribution's policy must
  // not change what the lab accepts.
  static const bool initialised = OPENSSL_init_ssl(OPENSSL_INIT_NO_LOAD_CONFIG, nullptr) == 1;
  (void)initialised;

  PkeyPtr key(EVP_EC_gen("P-256"));
  if (!key) fail("EC key generation");
  X509Ptr cert(X509_new());
  if (!cert) fail("X509_new");
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 365L * 24 * 3600);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(host_name.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  if (X509_set_pubkey(cert.get(), key.get()) != 1) fail("X509_set_pubkey");
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) fail("X509_sign");

  boost::asio::ssl::context ctx(boost::asio::ssl::context::tls_server);
  SSL_CTX* native = ctx.native_handle();
  SSL_CTX_set_options(native, SSL_OP_NO_COMPRESSION);
  // Hundreds of mostly idle connections: OpenSSL frees a connection's record buffers between
  // records instead of keeping about 34 KB each.
  SSL_CTX_set_mode(native, SSL_MODE_RELEASE_BUFFERS);
  // Old clients (and the probe, which allows them) may offer TLS 1.0; nothing secret crosses.
  SSL_CTX_set_security_level(native, 0);
  SSL_CTX_set_min_proto_version(native, TLS1_VERSION);
  if (SSL_CTX_use_certificate(native, cert.get()) != 1) fail("SSL_CTX_use_certificate");
  if (SSL_CTX_use_PrivateKey(native, key.get()) != 1) fail("SSL_CTX_use_PrivateKey");
  return ctx;
}

Result<std::vector<std::uint8_t>> tls_certificate_der(boost::asio::ssl::context& context) {
  X509* cert = SSL_CTX_get0_certificate(context.native_handle());
  const int size = cert != nullptr ? i2d_X509(cert, nullptr) : -1;
  if (size <= 0) {
    return make_error("rdwarm-lab", "TLS certificate", "the TLS context holds no certificate");
  }
  std::vector<std::uint8_t> der(static_cast<std::size_t>(size));
  unsigned char* at = der.data();
  if (i2d_X509(cert, &at) != size) {
    return make_error("rdwarm-lab", "TLS certificate", "cannot encode it as DER");
  }
  return der;
}

}  // namespace rdwarm::lab
