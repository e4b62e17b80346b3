#include "lab/license_server/certificate_issuer.hpp"

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string_view>
#include <utility>

#include "lab/license_server/licensing_extensions.hpp"

namespace rdwarm::lab {
namespace {

template <class T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using BignumPtr = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM, OSSL_PARAM_free>>;
using OctetPtr =
    std::unique_ptr<ASN1_OCTET_STRING, Deleter<ASN1_OCTET_STRING, ASN1_OCTET_STRING_free>>;
using ExtensionPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION, X509_EXTENSION_free>>;

// Issued certificates are signed with OIW sha1WithRSA (1.3.14.3.2.29), as MS-RDPELE 2.2.2.9 says
// license servers do; keys are rsaEncryption (docs/lab-certificates.md says why).
constexpr int kSignatureNid = NID_sha1WithRSA;
constexpr std::string_view kScope = "WORKGROUP";
constexpr int kLicenseServerKeyBits = 2048;
// The license server's own certificate: valid from a day ago (clock skew) for 50 years.
constexpr long kRootNotBeforeSkew = -24L * 3600;
constexpr long kRootLifetime = 50L * 365 * 24 * 3600;
constexpr std::size_t kMaxHostNameSize = 255;

std::string openssl_error(const char* fallback) {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return fallback;
  char buf[256];
  ERR_error_string_n(code, buf, sizeof buf);
  return buf;
}

Error issue_error(std::string field, std::string what) {
  return make_error("lab certificate issuer", std::move(field), std::move(what));
}

std::vector<std::uint8_t> bn_param(const EVP_PKEY* key, const char* name) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &raw) != 1) std::abort();
  BignumPtr bn(raw);
  std::vector<std::uint8_t> out(static_cast<std::size_t>(BN_num_bytes(bn.get())));
  BN_bn2bin(bn.get(), out.data());
  return out;
}

crypto::RsaPublicKey public_key_of(const EVP_PKEY* key) {
  const auto e = bn_param(key, OSSL_PKEY_PARAM_RSA_E);
  std::uint32_t exponent = 0;
  for (const std::uint8_t b : e) exponent = (exponent << 8) | b;
  return crypto::make_rsa_public_key(bn_param(key, OSSL_PKEY_PARAM_RSA_N), exponent);
}

Result<PkeyPtr> pkey_from_public(const crypto::RsaPublicKey& key) {
  if (key.modulus.empty() || key.exponent == 0) {
    return issue_error("host key", "modulus or exponent is zero");
  }
  if (key.bits() > crypto::kMaxRsaModulusBits) {
    return issue_error("host key", std::to_string(key.bits()) + "-bit modulus is too large");
  }
  BignumPtr n(BN_bin2bn(key.modulus.data(), static_cast<int>(key.modulus.size()), nullptr));
  BignumPtr e(BN_new());
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!n || !e || !bld || BN_set_word(e.get(), key.exponent) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) != 1) {
    return issue_error("host key", openssl_error("out of memory"));
  }
  ParamPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return issue_error("host key", openssl_error("not a usable RSA key"));
  }
  return PkeyPtr(raw);
}

// Names are BMPStrings (UTF-16BE), as in the MS-RDPELE 4.1 sample chain. Text is ASCII here: host
// and server names are NetBIOS-style.
std::vector<unsigned char> bmp(std::string_view text) {
  std::vector<unsigned char> out;
  out.reserve(text.size() * 2);
  for (const char c : text) {
    out.push_back(0);
    out.push_back(static_cast<unsigned char>(c));
  }
  return out;
}

struct Attribute {
  int nid;
  std::string value;
};

// One multi-valued RDN ("CN=X + L=Y"), the shape of the names in the sample chain.
bool set_name(X509_NAME* name, const std::vector<Attribute>& attributes) {
  int set = 0;
  for (const auto& a : attributes) {
    const auto data = bmp(a.value);
    if (X509_NAME_add_entry_by_NID(name, a.nid, V_ASN1_BMPSTRING, data.data(),
                                   static_cast<int>(data.size()), -1, set) != 1) {
      return false;
    }
    set = -1;  // the next attribute joins this RDN
  }
  return true;
}

bool set_random_serial(X509* x) {
  unsigned char bytes[8];
  if (RAND_bytes(bytes, sizeof bytes) != 1) return false;
  bytes[0] = static_cast<unsigned char>((bytes[0] & 0x7F) | 0x01);  // positive, 8 bytes long
  BignumPtr bn(BN_bin2bn(bytes, sizeof bytes, nullptr));
  return bn && BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(x)) != nullptr;
}

bool add_extension_by_oid(X509* x, const char* oid, bool critical,
                          const std::vector<std::uint8_t>& value) {
  ASN1_OBJECT* obj = OBJ_txt2obj(oid, 1);
  if (obj == nullptr) return false;
  OctetPtr octets(ASN1_OCTET_STRING_new());
  ExtensionPtr ext;
  if (octets &&
      ASN1_OCTET_STRING_set(octets.get(), value.data(), static_cast<int>(value.size())) == 1) {
    ext.reset(X509_EXTENSION_create_by_OBJ(nullptr, obj, critical ? 1 : 0, octets.get()));
  }
  ASN1_OBJECT_free(obj);
  return ext && X509_add_ext(x, ext.get(), -1) == 1;
}

bool add_v3_extension(X509* x, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, x, nullptr, nullptr, 0);
  ExtensionPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
  return ext && X509_add_ext(x, ext.get(), -1) == 1;
}

// Signs with 1.3.14.3.2.29. OpenSSL's X509_sign always writes the PKCS#1 identifier
// (1.2.840.113549.1.1.5), so both AlgorithmIdentifiers are set here, the TBSCertificate is
// encoded and signed with RSA PKCS#1 v1.5 over SHA-1, and the signature is stored.
bool sign_oiw_sha1(X509* x, EVP_PKEY* key) {
  // The getters are const-qualified, but the objects belong to `x`, which we own and mutate.
  auto* tbs_alg = const_cast<X509_ALGOR*>(X509_get0_tbs_sigalg(x));
  const ASN1_BIT_STRING* sig_c = nullptr;
  const X509_ALGOR* outer_c = nullptr;
  X509_get0_signature(&sig_c, &outer_c, x);
  auto* outer_alg = const_cast<X509_ALGOR*>(outer_c);
  auto* sig = const_cast<ASN1_BIT_STRING*>(sig_c);
  if (tbs_alg == nullptr || outer_alg == nullptr || sig == nullptr) return false;
  if (X509_ALGOR_set0(tbs_alg, OBJ_nid2obj(kSignatureNid), V_ASN1_NULL, nullptr) != 1 ||
      X509_ALGOR_set0(outer_alg, OBJ_nid2obj(kSignatureNid), V_ASN1_NULL, nullptr) != 1) {
    return false;
  }
  unsigned char* tbs = nullptr;
  const int tbs_len = i2d_re_X509_tbs(x, &tbs);
  if (tbs_len <= 0) return false;
  std::vector<unsigned char> tbs_der(tbs, tbs + tbs_len);
  OPENSSL_free(tbs);

  MdCtxPtr md(EVP_MD_CTX_new());
  std::size_t sig_len = 0;
  if (!md || EVP_DigestSignInit(md.get(), nullptr, EVP_sha1(), nullptr, key) != 1 ||
      EVP_DigestSign(md.get(), nullptr, &sig_len, tbs_der.data(), tbs_der.size()) != 1) {
    return false;
  }
  std::vector<unsigned char> signature(sig_len);
  if (EVP_DigestSign(md.get(), signature.data(), &sig_len, tbs_der.data(), tbs_der.size()) != 1) {
    return false;
  }
  if (ASN1_BIT_STRING_set(sig, signature.data(), static_cast<int>(sig_len)) != 1) return false;
  // A whole number of bytes: no unused bits.
  sig->flags &= ~(ASN1_STRING_FLAG_BITS_LEFT | 0x07L);
  sig->flags |= ASN1_STRING_FLAG_BITS_LEFT;
  return true;
}

Result<std::vector<std::uint8_t>> der_of(X509* x) {
  unsigned char* out = nullptr;
  const int len = i2d_X509(x, &out);
  if (len <= 0) return issue_error("certificate", openssl_error("DER encoding failed"));
  std::vector<std::uint8_t> der(out, out + len);
  OPENSSL_free(out);
  return der;
}

bool set_validity(X509* x, std::time_t from, std::time_t to) {
  return ASN1_TIME_set(X509_getm_notBefore(x), from) != nullptr &&
         ASN1_TIME_set(X509_getm_notAfter(x), to) != nullptr;
}

// serialNumber attribute of the host certificate's subject: base64 of SHA-1 over the host's
// modulus, so each host key has its own subject (the sample carries a base64 digest there too).
std::string key_digest_base64(const crypto::RsaPublicKey& key) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_len = 0;
  if (EVP_Digest(key.modulus.data(), key.modulus.size(), digest, &digest_len, EVP_sha1(),
                 nullptr) != 1) {
    return "unknown";
  }
  unsigned char b64[64];
  const int n = EVP_EncodeBlock(b64, digest, static_cast<int>(digest_len));
  return std::string(reinterpret_cast<const char*>(b64), static_cast<std::size_t>(n));
}

}  // namespace

struct IssuerIdentity {
  PkeyPtr key;
  X509Ptr certificate;
  std::vector<std::uint8_t> der;
  crypto::RsaPublicKey public_key;
};

RsaKeyPair generate_rsa_key_pair(int bits) {
  PkeyPtr key(EVP_RSA_gen(static_cast<unsigned int>(bits)));
  if (!key) std::abort();
  RsaKeyPair pair;
  pair.public_key = public_key_of(key.get());
  pair.private_exponent = bn_param(key.get(), OSSL_PKEY_PARAM_RSA_D);
  return pair;
}

CertificateIssuer::CertificateIssuer(std::string license_server_name)
    : name_(std::move(license_server_name)), identity_(std::make_unique<IssuerIdentity>()) {
  identity_->key.reset(EVP_RSA_gen(kLicenseServerKeyBits));
  identity_->certificate.reset(X509_new());
  X509* x = identity_->certificate.get();
  EVP_PKEY* key = identity_->key.get();
  const std::time_t now = std::time(nullptr);
  // Self-signed license server certificate: the root of every chain it issues (MS-RDPELE
  // 2.2.1.4.2: element 0 is the self-signed license server certificate or the clearing house's).
  const bool ok = key != nullptr && x != nullptr && X509_set_version(x, X509_VERSION_3) == 1 &&
                  set_random_serial(x) &&
                  set_name(X509_get_subject_name(x),
                           {{NID_commonName, name_}, {NID_localityName, std::string(kScope)}}) &&
                  X509_set_issuer_name(x, X509_get_subject_name(x)) == 1 &&
                  set_validity(x, now + kRootNotBeforeSkew, now + kRootLifetime) &&
                  X509_set_pubkey(x, key) == 1 &&
                  add_v3_extension(x, x, NID_basic_constraints, "critical,CA:TRUE,pathlen:0") &&
                  add_v3_extension(x, x, NID_subject_key_identifier, "hash") &&
                  sign_oiw_sha1(x, key);
  auto der = ok ? der_of(x) : Result<std::vector<std::uint8_t>>(issue_error("", ""));
  // Nothing in the lab works without its license server identity, and only resource exhaustion
  // can make this fail.
  if (!der) std::abort();
  identity_->der = std::move(der).value();
  identity_->public_key = public_key_of(key);
}

CertificateIssuer::~CertificateIssuer() = default;
CertificateIssuer::CertificateIssuer(CertificateIssuer&&) noexcept = default;
CertificateIssuer& CertificateIssuer::operator=(CertificateIssuer&&) noexcept = default;

const std::string& CertificateIssuer::name() const {
  return name_;
}
const crypto::RsaPublicKey& CertificateIssuer::public_key() const {
  return identity_->public_key;
}
const std::vector<std::uint8_t>& CertificateIssuer::root_certificate() const {
  return identity_->der;
}

Result<std::vector<std::vector<std::uint8_t>>> CertificateIssuer::issue_chain(
    const std::string& host_name, const crypto::RsaPublicKey& host_key,
    std::chrono::seconds validity) const {
  if (host_name.empty() || host_name.size() > kMaxHostNameSize) {
    return issue_error("host name", "must be 1 to " + std::to_string(kMaxHostNameSize) +
                                        " characters, got " + std::to_string(host_name.size()));
  }
  if (validity.count() <= 0) return issue_error("validity", "must be positive");
  auto host_pkey = pkey_from_public(host_key);
  if (!host_pkey) return host_pkey.error();

  X509Ptr cert(X509_new());
  X509* x = cert.get();
  X509* root = identity_->certificate.get();
  const std::time_t now = std::time(nullptr);
  const std::string ncalrpc = "ncalrpc:" + host_name;
  LicenseServerInfo ls_info{name_, kLabLicenseServerProductId, std::string(kScope)};
  const bool ok =
      x != nullptr && X509_set_version(x, X509_VERSION_3) == 1 && set_random_serial(x) &&
      X509_set_issuer_name(x, X509_get_subject_name(root)) == 1 &&
      set_name(X509_get_subject_name(x), {{NID_commonName, ncalrpc},
                                          {NID_localityName, ncalrpc},
                                          {NID_serialNumber, key_digest_base64(host_key)}}) &&
      set_validity(x, now, now + static_cast<std::time_t>(validity.count())) &&
      X509_set_pubkey(x, host_pkey->get()) == 1 &&
      add_extension_by_oid(x, kOidHydraCertVersion, true, encode_hydra_cert_version()) &&
      add_extension_by_oid(x, kOidManufacturer, true, encode_manufacturer()) &&
      add_extension_by_oid(x, kOidLicensedProductInfo, true, encode_licensed_product_info()) &&
      add_extension_by_oid(x, kOidLicenseServerInfo, true, encode_license_server_info(ls_info)) &&
      add_v3_extension(x, root, NID_authority_key_identifier, "keyid:always") &&
      sign_oiw_sha1(x, identity_->key.get());
  if (!ok) return issue_error("host certificate", openssl_error("could not be built"));
  auto der = der_of(x);
  if (!der) return der.error();
  return std::vector<std::vector<std::uint8_t>>{identity_->der, std::move(der).value()};
}

}  // namespace rdwarm::lab
