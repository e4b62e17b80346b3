#include "licensing/auth/windows/sspi_context.hpp"

#include <algorithm>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "licensing/auth/windows/sspi.hpp"
#include "licensing/auth/windows/sspi_handles.hpp"
#include "licensing/auth/windows/sspi_status.hpp"
#include "licensing/auth/windows/utf16.hpp"

namespace rdwarm::auth::windows {
namespace {

// MUTUAL_AUTH: with Kerberos the client insists on the server's AP-REP, so a machine that is not
// TERMSRV/<host> cannot complete the exchange (NTLM has no such proof; Negotiate then completes
// without ISC_RET_MUTUAL_AUTH and CredSSP's pubKeyAuth echo is what binds the server).
// CONFIDENTIALITY + INTEGRITY: CredSSP encrypts pubKeyAuth and the credentials with the context.
// Not ALLOCATE_MEMORY: the output buffer is sized from the package's cbMaxToken instead, because
// wine's Kerberos package ignores the flag and fails with SEC_E_INCOMPLETE_MESSAGE ("buffer too
// small"), and one buffer owner is simpler. Not DELEGATE: CredSSP delegates the password itself
// (TSCredentials); a forwardable TGT would hand the server more than it needs.
constexpr ULONG kRequest = ISC_REQ_MUTUAL_AUTH | ISC_REQ_CONFIDENTIALITY | ISC_REQ_INTEGRITY;

// NTLMSSP_MESSAGE_SIGNATURE [MS-NLMP 2.2.2.9]: version, checksum, sequence number.
constexpr std::size_t kNtlmSignatureSize = 16;

constexpr std::string_view kWhere = "SSPI";

bool fits_ulong(std::size_t n) {
  return n <= ULONG_MAX;
}

Error usage_error(std::string_view call, std::string what) {
  return make_error(std::string(kWhere), std::string(call), std::move(what));
}

Error too_large(std::string_view call, std::size_t n) {
  return usage_error(call, std::to_string(n) + " bytes do not fit an SSPI buffer");
}

class SspiClient final : public SecurityContext {
 public:
  explicit SspiClient(std::string_view host) : host_(host) {}

  void acquire(const Credentials& credentials);

  Result<Step> step(wire::Bytes peer_token) override;
  Result<std::vector<std::uint8_t>> wrap(wire::Bytes plaintext) override;
  Result<std::vector<std::uint8_t>> unwrap(wire::Bytes message) override;
  Result<std::vector<std::uint8_t>> get_mic(wire::Bytes message) override;
  Status verify_mic(wire::Bytes message, wire::Bytes mic) override;
  // Nothing to do, in either direction: SSPI's Negotiate package restarts NTLM's sequence
  // numbers and RC4 streams itself around SPNEGO's mechListMIC, and Kerberos has no such state.
  void reset_cipher_state(Direction /*direction*/) override {}
  [[nodiscard]] std::string_view mechanism() const override { return mechanism_; }

 private:
  Error fail(Error error) {
    failure_ = error;
    return error;
  }
  Status usable(std::string_view call) const;
  Result<SecPkgContext_Sizes> sizes();
  void learn_mechanism();
  Result<std::vector<std::uint8_t>> unwrap_split(wire::Bytes message, std::size_t token_size);
  Result<std::vector<std::uint8_t>> unwrap_stream(wire::Bytes message);

  std::string host_;
  std::wstring target_;
  CredentialsHandle credentials_;
  ContextHandle context_;
  ULONG max_token_ = 0;
  std::optional<Error> failure_;  // sticky: a failed acquire or step ends this context
  bool complete_ = false;
  std::optional<SecPkgContext_Sizes> sizes_;
  std::string mechanism_{kSspiPackage};
};

void SspiClient::acquire(const Credentials& credentials) {
  if (host_.empty()) {
    fail(usage_error("target",
                     "no session host name: Kerberos needs the service principal "
                     "name TERMSRV/<host>; give the host's DNS name"));
    return;
  }
  auto target = widen(termsrv_spn(host_));
  if (!target) {
    fail(usage_error("target", "the host name is not valid UTF-8: check the configuration"));
    return;
  }
  target_ = std::move(*target);

  std::wstring package(kSspiPackage.begin(), kSspiPackage.end());
  // The package's largest token sizes the output buffer of every step (see kRequest).
  ContextBuffer<SecPkgInfoW> info;
  SECURITY_STATUS status = QuerySecurityPackageInfoW(package.data(), info.out());
  if (status != SEC_E_OK || info.get() == nullptr) {
    fail(sspi_error("QuerySecurityPackageInfoW", status));
    return;
  }
  max_token_ = info.get()->cbMaxToken;

  CredHandle handle{};
  TimeStamp expiry{};
  if (credentials.empty()) {
    // The process's own logon: the machine account when running as SYSTEM.
    status = AcquireCredentialsHandleW(nullptr, package.data(), SECPKG_CRED_OUTBOUND, nullptr,
                                       nullptr, nullptr, nullptr, &handle, &expiry);
  } else {
    std::string_view user = credentials.user;
    std::string_view domain = credentials.domain;
    if (const auto slash = user.find('\\'); domain.empty() && slash != std::string_view::npos) {
      domain = user.substr(0, slash);  // "DOMAIN\user" in the user field
      user = user.substr(slash + 1);
    }
    auto wide_user = widen(user);
    auto wide_domain = widen(domain);
    if (!wide_user || !wide_domain) {
      fail(usage_error("credentials",
                       "the user name or the domain is not valid UTF-8: check "
                       "the configuration (" +
                           credentials.source + ")"));
      return;
    }
    std::wstring password;
    const bool converted = widen_into(credentials.password.reveal(), password) &&
                           fits_ulong(password.size()) && fits_ulong(wide_user->size()) &&
                           fits_ulong(wide_domain->size());
    if (converted) {
      SEC_WINNT_AUTH_IDENTITY_W identity{};
      identity.User = reinterpret_cast<unsigned short*>(wide_user->data());
      identity.UserLength = static_cast<ULONG>(wide_user->size());
      identity.Domain = reinterpret_cast<unsigned short*>(wide_domain->data());
      identity.DomainLength = static_cast<ULONG>(wide_domain->size());
      identity.Password = reinterpret_cast<unsigned short*>(password.data());
      identity.PasswordLength = static_cast<ULONG>(password.size());
      identity.Flags = SEC_WINNT_AUTH_IDENTITY_UNICODE;
      status = AcquireCredentialsHandleW(nullptr, package.data(), SECPKG_CRED_OUTBOUND, nullptr,
                                         &identity, nullptr, nullptr, &handle, &expiry);
    }
    // The package keeps its own copy: ours goes now, whatever happened.
    SecureZeroMemory(password.data(), password.size() * sizeof(wchar_t));
    if (!converted) {
      fail(usage_error("credentials",
                       "the password is not valid UTF-8 or too long (its value "
                       "is not shown): set it again (" +
                           credentials.source + ")"));
      return;
    }
  }
  if (status != SEC_E_OK) {
    fail(sspi_error("AcquireCredentialsHandleW", status));
    return;
  }
  credentials_.adopt(handle);
}

Result<Step> SspiClient::step(wire::Bytes peer_token) {
  constexpr std::string_view kCall = "InitializeSecurityContextW";
  if (failure_) return *failure_;
  if (complete_) {
    if (peer_token.empty()) return Step{{}, true};
    // SSPI verified everything it needed when it returned SEC_E_OK; a token now has no place.
    return fail(usage_error(kCall,
                            "the context is already established, yet the server sent "
                            "another token (" +
                                std::to_string(peer_token.size()) +
                                " bytes): the server does not follow the exchange"));
  }
  const bool first = !context_;
  if (first && !peer_token.empty()) {
    return fail(usage_error(kCall, "a client's first step takes no server token"));
  }
  if (!first && peer_token.empty()) {
    return fail(usage_error(kCall,
                            "the server sent no token although the exchange is not "
                            "complete: it may have refused the authentication"));
  }
  if (!fits_ulong(peer_token.size())) return fail(too_large(kCall, peer_token.size()));

  // Copies: SSPI takes non-const buffers.
  std::vector<std::uint8_t> input(peer_token.begin(), peer_token.end());
  SecBuffer in_buffer{static_cast<ULONG>(input.size()), SECBUFFER_TOKEN, input.data()};
  SecBufferDesc in_desc{SECBUFFER_VERSION, 1, &in_buffer};
  std::vector<std::uint8_t> output(max_token_);
  SecBuffer out_buffer{max_token_, SECBUFFER_TOKEN, output.data()};
  SecBufferDesc out_desc{SECBUFFER_VERSION, 1, &out_buffer};

  CtxtHandle created{};
  ULONG attributes = 0;
  TimeStamp expiry{};
  const SECURITY_STATUS status = InitializeSecurityContextW(
      credentials_.get(), first ? nullptr : context_.get(), target_.data(), kRequest, 0,
      SECURITY_NATIVE_DREP, first ? nullptr : &in_desc, 0, first ? &created : context_.get(),
      &out_desc, &attributes, &expiry);
  const bool continues = status == SEC_I_CONTINUE_NEEDED || status == SEC_I_COMPLETE_AND_CONTINUE;
  const bool completes = status == SEC_E_OK || status == SEC_I_COMPLETE_NEEDED;
  if (!continues && !completes) return fail(sspi_error(kCall, status));
  if (first) context_.adopt(created);

  if (status == SEC_I_COMPLETE_NEEDED || status == SEC_I_COMPLETE_AND_CONTINUE) {
    const SECURITY_STATUS completed = CompleteAuthToken(context_.get(), &out_desc);
    if (completed != SEC_E_OK) return fail(sspi_error("CompleteAuthToken", completed));
  }
  if (out_buffer.cbBuffer > output.size()) {
    return fail(usage_error(kCall, "the package reported a token larger than its buffer"));
  }
  output.resize(out_buffer.cbBuffer);

  if (completes) {
    if ((attributes & ISC_RET_CONFIDENTIALITY) == 0) {
      return fail(usage_error(kCall,
                              "the logon succeeded but the package did not grant "
                              "confidentiality, which CredSSP needs to send the "
                              "credentials: check the security policy of this machine"));
    }
    complete_ = true;
    learn_mechanism();
  }
  return Step{std::move(output), complete_};
}

void SspiClient::learn_mechanism() {
  SecPkgContext_NegotiationInfoW info{};
  if (QueryContextAttributesW(context_.get(), SECPKG_ATTR_NEGOTIATION_INFO, &info) != SEC_E_OK) {
    return;  // keep "Negotiate"; unwrap then lets the package find the split itself
  }
  if (info.PackageInfo != nullptr) {
    if (info.PackageInfo->Name != nullptr) mechanism_ = narrow(info.PackageInfo->Name);
    FreeContextBuffer(info.PackageInfo);
  }
}

Status SspiClient::usable(std::string_view call) const {
  if (failure_) {
    return usage_error(call, "the security context failed earlier (" + failure_->message() + ")");
  }
  if (!complete_) {
    return usage_error(call,
                       "the security context is not established yet: finish the "
                       "exchange of tokens first");
  }
  return Ok{};
}

Result<SecPkgContext_Sizes> SspiClient::sizes() {
  if (!sizes_) {
    SecPkgContext_Sizes s{};
    const SECURITY_STATUS status = QueryContextAttributesW(context_.get(), SECPKG_ATTR_SIZES, &s);
    if (status != SEC_E_OK) return sspi_error("QueryContextAttributesW(SECPKG_ATTR_SIZES)", status);
    sizes_ = s;
  }
  return *sizes_;
}

// token || data, the layout CredSSP sends [MS-CSSP 3.1.5]: the package writes its signature
// (NTLM) or wrap-token header (Kerberos) into a trailer-sized TOKEN buffer and encrypts the DATA
// buffer in place.
Result<std::vector<std::uint8_t>> SspiClient::wrap(wire::Bytes plaintext) {
  constexpr std::string_view kCall = "EncryptMessage";
  if (auto ok = usable(kCall); !ok) return ok.error();
  auto s = sizes();
  if (!s) return s.error();
  const std::size_t trailer = s->cbSecurityTrailer;
  if (!fits_ulong(plaintext.size())) return too_large(kCall, plaintext.size());

  std::vector<std::uint8_t> out(trailer + plaintext.size());
  std::copy(plaintext.begin(), plaintext.end(), out.begin() + static_cast<std::ptrdiff_t>(trailer));
  SecBuffer buffers[2] = {
      {static_cast<ULONG>(trailer), SECBUFFER_TOKEN, out.data()},
      {static_cast<ULONG>(plaintext.size()), SECBUFFER_DATA, out.data() + trailer}};
  SecBufferDesc desc{SECBUFFER_VERSION, 2, buffers};
  const SECURITY_STATUS status = EncryptMessage(context_.get(), 0, &desc, 0);
  if (status != SEC_E_OK) return sspi_error(kCall, status);
  if (buffers[0].cbBuffer > trailer || buffers[1].cbBuffer != plaintext.size()) {
    return usage_error(kCall, "the package returned buffer sizes it was not given");
  }
  // Kerberos may use less than cbSecurityTrailer: the data must follow the token directly.
  out.erase(out.begin() + static_cast<std::ptrdiff_t>(buffers[0].cbBuffer),
            out.begin() + static_cast<std::ptrdiff_t>(trailer));
  return out;
}

// Where the token ends and the data begins is the package's business: NTLM's signature is always
// 16 bytes; a Kerberos wrap token's length depends on the encryption type and on the header's
// EC and RRC fields, so for anything but NTLM the package gets the whole message as a
// SECBUFFER_STREAM and reports where the plaintext is.
Result<std::vector<std::uint8_t>> SspiClient::unwrap(wire::Bytes message) {
  if (auto ok = usable("DecryptMessage"); !ok) return ok.error();
  if (!fits_ulong(message.size())) return too_large("DecryptMessage", message.size());
  if (mechanism_ == "NTLM") return unwrap_split(message, kNtlmSignatureSize);
  return unwrap_stream(message);
}

Result<std::vector<std::uint8_t>> SspiClient::unwrap_split(wire::Bytes message,
                                                           std::size_t token_size) {
  constexpr std::string_view kCall = "DecryptMessage";
  if (message.size() < token_size) {
    return usage_error(kCall, "the message has " + std::to_string(message.size()) +
                                  " bytes, fewer than the " + std::to_string(token_size) +
                                  " of the signature in front of the data");
  }
  std::vector<std::uint8_t> buffer(message.begin(), message.end());
  const std::size_t data_size = buffer.size() - token_size;
  SecBuffer buffers[2] = {
      {static_cast<ULONG>(token_size), SECBUFFER_TOKEN, buffer.data()},
      {static_cast<ULONG>(data_size), SECBUFFER_DATA, buffer.data() + token_size}};
  SecBufferDesc desc{SECBUFFER_VERSION, 2, buffers};
  ULONG qop = 0;
  const SECURITY_STATUS status = DecryptMessage(context_.get(), &desc, 0, &qop);
  if (status != SEC_E_OK) return sspi_error(kCall, status);
  if ((qop & SECQOP_WRAP_NO_ENCRYPT) != 0) {
    return usage_error(kCall,
                       "the server's message was signed but not encrypted; CredSSP "
                       "requires encryption");
  }
  if (buffers[1].cbBuffer > data_size) {
    return usage_error(kCall, "the package returned more plaintext than it was given");
  }
  const auto begin = buffer.begin() + static_cast<std::ptrdiff_t>(token_size);
  return std::vector<std::uint8_t>(begin, begin + static_cast<std::ptrdiff_t>(buffers[1].cbBuffer));
}

Result<std::vector<std::uint8_t>> SspiClient::unwrap_stream(wire::Bytes message) {
  constexpr std::string_view kCall = "DecryptMessage(SECBUFFER_STREAM)";
  if (message.empty()) return usage_error(kCall, "the message is empty");
  std::vector<std::uint8_t> buffer(message.begin(), message.end());
  SecBuffer buffers[2] = {{static_cast<ULONG>(buffer.size()), SECBUFFER_STREAM, buffer.data()},
                          {0, SECBUFFER_DATA, nullptr}};
  SecBufferDesc desc{SECBUFFER_VERSION, 2, buffers};
  ULONG qop = 0;
  const SECURITY_STATUS status = DecryptMessage(context_.get(), &desc, 0, &qop);
  if (status != SEC_E_OK) return sspi_error(kCall, status);
  if ((qop & SECQOP_WRAP_NO_ENCRYPT) != 0) {
    return usage_error(kCall,
                       "the server's message was signed but not encrypted; CredSSP "
                       "requires encryption");
  }
  // The package points the DATA buffer at the plaintext inside our buffer; trust it only there.
  const auto* data = static_cast<const std::uint8_t*>(buffers[1].pvBuffer);
  const std::uint8_t* begin = buffer.data();
  const std::uint8_t* end = begin + buffer.size();
  if (buffers[1].cbBuffer == 0) return std::vector<std::uint8_t>{};
  if (data == nullptr || data < begin || data > end ||
      buffers[1].cbBuffer > static_cast<std::size_t>(end - data)) {
    return usage_error(kCall, "the package's plaintext lies outside the message");
  }
  return std::vector<std::uint8_t>(data, data + buffers[1].cbBuffer);
}

Result<std::vector<std::uint8_t>> SspiClient::get_mic(wire::Bytes message) {
  constexpr std::string_view kCall = "MakeSignature";
  if (auto ok = usable(kCall); !ok) return ok.error();
  auto s = sizes();
  if (!s) return s.error();
  if (!fits_ulong(message.size())) return too_large(kCall, message.size());
  std::vector<std::uint8_t> data(message.begin(), message.end());
  std::vector<std::uint8_t> signature(s->cbMaxSignature);
  SecBuffer buffers[2] = {
      {static_cast<ULONG>(data.size()), SECBUFFER_DATA, data.data()},
      {static_cast<ULONG>(signature.size()), SECBUFFER_TOKEN, signature.data()}};
  SecBufferDesc desc{SECBUFFER_VERSION, 2, buffers};
  const SECURITY_STATUS status = MakeSignature(context_.get(), 0, &desc, 0);
  if (status != SEC_E_OK) return sspi_error(kCall, status);
  if (buffers[1].cbBuffer > signature.size()) {
    return usage_error(kCall, "the package returned a signature larger than its buffer");
  }
  signature.resize(buffers[1].cbBuffer);
  return signature;
}

Status SspiClient::verify_mic(wire::Bytes message, wire::Bytes mic) {
  constexpr std::string_view kCall = "VerifySignature";
  if (auto ok = usable(kCall); !ok) return ok.error();
  if (!fits_ulong(message.size()) || !fits_ulong(mic.size())) {
    return too_large(kCall, std::max(message.size(), mic.size()));
  }
  std::vector<std::uint8_t> data(message.begin(), message.end());
  std::vector<std::uint8_t> signature(mic.begin(), mic.end());
  SecBuffer buffers[2] = {
      {static_cast<ULONG>(data.size()), SECBUFFER_DATA, data.data()},
      {static_cast<ULONG>(signature.size()), SECBUFFER_TOKEN, signature.data()}};
  SecBufferDesc desc{SECBUFFER_VERSION, 2, buffers};
  ULONG qop = 0;
  const SECURITY_STATUS status = VerifySignature(context_.get(), &desc, 0, &qop);
  if (status != SEC_E_OK) return sspi_error(kCall, status);
  return Ok{};
}

}  // namespace

std::string termsrv_spn(std::string_view host) {
  return "TERMSRV/" + std::string(host);
}

std::unique_ptr<SecurityContext> make_sspi_client(const Credentials& credentials,
                                                  std::string_view host) {
  auto client = std::make_unique<SspiClient>(host);
  client->acquire(credentials);
  return client;
}

}  // namespace rdwarm::auth::windows
