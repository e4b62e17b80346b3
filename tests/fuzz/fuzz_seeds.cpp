// rdwarm_fuzz_seeds <tests dir> <corpus dir> <regressions dir>: writes the seed corpora of the fuzz
// targets, one directory per target, from the specifications' byte vectors in tests/data (hex text
// with '#' comments; "# | " comment lines hold the decrypted payloads the specs print). Seeds are
// made at run time so the tree holds no binary blobs. Inner layers (MCS payloads, GCC user data,
// licensing messages, certificates) are peeled off with the project's own decoders, and the
// connector gets whole scripted server sessions whose Platform Challenge and New License MACs
// verify under the fuzz target's fixed random source. The reproducers in
// tests/fuzz/regressions/<target>-<name>.hex (same hex format) become <regressions
// dir>/<target>/<name>, for scripts/fuzz to replay.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "connector_harness.hpp"
#include "licensing/crypto/licensing_keys.hpp"
#include "licensing/crypto/mac.hpp"
#include "licensing/crypto/rc4.hpp"
#include "licensing/crypto/registry_chain.hpp"
#include "licensing/crypto/server_certificate.hpp"
#include "licensing/wire/client_info.hpp"
#include "licensing/wire/credssp.hpp"
#include "licensing/wire/errinfo.hpp"
#include "licensing/wire/gcc.hpp"
#include "licensing/wire/licensing_pdu.hpp"
#include "licensing/wire/mcs.hpp"
#include "licensing/wire/share.hpp"
#include "licensing/wire/spnego.hpp"
#include "licensing/wire/text.hpp"
#include "licensing/wire/x224.hpp"
#include "ntlm_harness.hpp"
#include "tests/support/hex_vector.hpp"

namespace {

namespace fs = std::filesystem;
namespace wire = rdwarm::wire;
namespace lic = rdwarm::wire::lic;
namespace crypto = rdwarm::crypto;
using Blob = std::vector<std::uint8_t>;

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "rdwarm_fuzz_seeds: %s\n", what.c_str());
  std::exit(1);
}

rdwarm::testing::HexVector load_hex(const fs::path& path) {
  auto v = rdwarm::testing::read_hex_vector(path.string());
  if (!v) die(v.error().message());
  return std::move(v).value();
}

Blob concat(std::initializer_list<Blob> parts) {
  Blob out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

Blob text_bytes(std::string_view s) {
  return Blob(s.begin(), s.end());
}

class Corpus {
 public:
  explicit Corpus(fs::path root) : root_(std::move(root)) {}

  void add(const std::string& target, const std::string& name, const Blob& bytes) {
    const fs::path dir = root_ / target;
    fs::create_directories(dir);
    std::ofstream out(dir / name, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
    if (!out) die("cannot write " + (dir / name).string());
    ++counts_[target];
  }

  void report(const std::string& label) const {
    if (counts_.empty()) return;
    std::string line = label + ":";
    for (const auto& [target, n] : counts_) line += " " + target + "=" + std::to_string(n);
    std::fprintf(stderr, "%s\n", line.c_str());
  }

 private:
  fs::path root_;
  std::map<std::string, int> counts_;
};

// A DER INTEGER / SEQUENCE, enough to write a PKCS#1 RSAPublicKey seed.
Blob der_tlv(std::uint8_t tag, const Blob& content) {
  Blob out{tag};
  const std::size_t n = content.size();
  if (n < 0x80) {
    out.push_back(static_cast<std::uint8_t>(n));
  } else if (n <= 0xFF) {
    out.insert(out.end(), {0x81, static_cast<std::uint8_t>(n)});
  } else {
    out.insert(out.end(), {0x82, static_cast<std::uint8_t>(n >> 8), static_cast<std::uint8_t>(n)});
  }
  out.insert(out.end(), content.begin(), content.end());
  return out;
}
Blob der_unsigned(Blob be) {
  if (be.empty() || (be.front() & 0x80) != 0) be.insert(be.begin(), 0);
  return der_tlv(0x02, be);
}
Blob pkcs1(const crypto::RsaPublicKey& key) {
  Blob e;
  for (int shift = 24; shift >= 0; shift -= 8) {
    const auto b = static_cast<std::uint8_t>(key.exponent >> shift);
    if (!e.empty() || b != 0) e.push_back(b);
  }
  return der_tlv(0x30, concat({der_unsigned(key.modulus), der_unsigned(e)}));
}

// `reg export` text of the "X509 Certificate2" value: hex:xx,xx,... with line continuations.
std::string reg_export(const Blob& value) {
  std::string s =
      "Windows Registry Editor Version 5.00\r\n\r\n"
      "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server\\RCM]\r\n"
      "\"X509 Certificate2\"=hex:";
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (i != 0) s += ',';
    if (i != 0 && i % 24 == 0) s += "\\\r\n  ";
    s += wire::to_hex(std::span(value).subspan(i, 1));
  }
  return s + "\r\n\r\n";
}

void add_certificate_seeds(Corpus& corpus, const std::string& name, const Blob& certificate) {
  corpus.add("server_certificate", name, certificate);
  auto cert = crypto::decode_server_certificate(certificate);
  if (!cert.ok()) return;
  corpus.add("server_certificate", name + "-pkcs1", pkcs1(cert->key));
  std::vector<Blob> ders;
  for (std::size_t i = 0; i < cert->chain.size(); ++i) {
    ders.push_back(cert->chain[i].der);
    corpus.add("server_certificate", name + "-der" + std::to_string(i), cert->chain[i].der);
  }
  if (ders.empty()) return;
  const Blob registry = crypto::encode_registry_certificate_chain(ders);
  corpus.add("server_certificate", name + "-registry", registry);
  corpus.add("cert_input", name + "-raw", registry);
  const std::string text = reg_export(registry);
  corpus.add("cert_input", name + "-utf8.reg", text_bytes(text));
  Blob utf16{0xFF, 0xFE};
  const Blob units = wire::utf16le_from_utf8(text);
  utf16.insert(utf16.end(), units.begin(), units.end());
  corpus.add("cert_input", name + "-utf16.reg", utf16);
}

void add_licensing_message_seeds(Corpus& corpus, const std::string& name,
                                 const lic::LicensingMessage& message) {
  if (const auto* req = std::get_if<lic::LicenseRequest>(&message)) {
    add_certificate_seeds(corpus, name + "-cert", req->server_certificate.data);
    corpus.add("text_hex", name + "-company",
               wire::utf16le_from_utf8(req->product_info.company_name));
  }
}

// Peels every layer the project's decoders recognise and seeds the targets of the inner bytes.
void route(Corpus& corpus, const std::string& name, const Blob& bytes) {
  if (auto frame = wire::decode_x224_frame(bytes); frame.ok() && !frame->payload.empty()) {
    const Blob mcs(frame->payload.begin(), frame->payload.end());
    corpus.add("mcs", name + "-payload", mcs);
    if (auto ci = wire::ConnectInitial::decode(mcs); ci.ok()) {
      corpus.add("gcc", name + "-gcc", ci->user_data);
      if (auto req = wire::ConferenceCreateRequest::decode(ci->user_data); req.ok()) {
        corpus.add("gcc", name + "-blocks", wire::encode_to_vector(req->blocks));
      }
    }
    if (auto cr = wire::ConnectResponse::decode(mcs); cr.ok()) {
      corpus.add("gcc", name + "-gcc", cr->user_data);
      if (auto rsp = wire::ConferenceCreateResponse::decode(cr->user_data); rsp.ok()) {
        corpus.add("gcc", name + "-blocks", wire::encode_to_vector(rsp->blocks));
        if (!rsp->blocks.security.server_certificate.empty()) {
          add_certificate_seeds(corpus, name + "-sc-security",
                                rsp->blocks.security.server_certificate);
        }
      }
    }
  }
  if (auto pdu = lic::LicensingPdu::decode(bytes); pdu.ok()) {
    add_licensing_message_seeds(corpus, name, pdu->message);
  }
  if (bytes.size() >= lic::Preamble::kSize) {
    auto message =
        lic::LicensingPdu::decode_message(bytes[0], std::span(bytes).subspan(lic::Preamble::kSize));
    if (message.ok()) add_licensing_message_seeds(corpus, name, *message);
  }
}

// --- connector sessions -------------------------------------------------------------------------

constexpr std::uint16_t kServerUser = 1002;
constexpr std::uint16_t kIoChannel = 1003;
constexpr std::uint16_t kUserChannel = 1007;
constexpr std::uint16_t kStaticChannel = 1004;

Blob sdi(const Blob& user_data) {
  return wire::frame_domain_pdu(wire::SendDataIndication{kServerUser, kIoChannel, user_data});
}

Blob licensing(const lic::LicensingMessage& message) {
  lic::LicensingPdu pdu;
  pdu.preamble.flags = lic::PREAMBLE_VERSION_3_0;
  pdu.message = message;
  return sdi(wire::encode_to_vector(pdu));
}

// Connection Confirm (TLS), Connect-Response, Attach User Confirm and the three Join Confirms.
Blob session_start() {
  wire::ConnectionConfirm cc;
  cc.negotiation =
      wire::NegotiationResponse{wire::EXTENDED_CLIENT_DATA_SUPPORTED, wire::PROTOCOL_SSL};
  wire::ConferenceCreateResponse gcc;
  gcc.blocks.core.client_requested_protocols = wire::PROTOCOL_SSL;
  gcc.blocks.network.io_channel = kIoChannel;
  gcc.blocks.network.channel_ids = {kStaticChannel};
  wire::ConnectResponse cr;
  cr.user_data = wire::encode_to_vector(gcc);
  Blob out = concat({wire::encode_to_vector(cc), wire::frame_connect_pdu(cr),
                     wire::frame_domain_pdu(wire::AttachUserConfirm{0, kUserChannel})});
  for (std::uint16_t channel : {kUserChannel, kIoChannel, kStaticChannel}) {
    const auto join =
        wire::frame_domain_pdu(wire::ChannelJoinConfirm{0, kUserChannel, channel, channel});
    out.insert(out.end(), join.begin(), join.end());
  }
  return out;
}

// The licensing keys the connector derives under fuzz::fixed_random for this server random.
crypto::LicensingKeys session_keys(const lic::Random& server_random) {
  std::array<std::uint8_t, crypto::kLicensingRandomSize> client_random{};
  std::array<std::uint8_t, crypto::kPreMasterSecretSize> premaster{};
  rdwarm::fuzz::fixed_random(client_random);
  rdwarm::fuzz::fixed_random(premaster);
  return crypto::derive_licensing_keys(premaster, client_random, server_random);
}

Blob platform_challenge(const crypto::LicensingKeys& keys) {
  const Blob challenge = text_bytes(std::string_view("TEST\0", 5));
  lic::PlatformChallenge pc;
  pc.connect_flags = 0x00000000;
  pc.encrypted_platform_challenge.data = crypto::rc4(keys.licensing_key, challenge);
  pc.mac_data = crypto::licensing_mac(keys.mac_salt_key, challenge);
  return licensing(pc);
}

Blob new_license(const crypto::LicensingKeys& keys, const Blob& license_info, bool upgrade) {
  lic::NewLicense nl;
  nl.upgrade = upgrade;
  nl.encrypted_license_info.data = crypto::rc4(keys.licensing_key, license_info);
  nl.mac_data = crypto::licensing_mac(keys.mac_salt_key, license_info);
  return licensing(nl);
}

Blob demand_active() {
  wire::DemandActiveHeader da;
  da.share_id = 0x000103EA;
  da.source_descriptor = "RDP";
  return sdi(da.encode_minimal());
}

Blob header(std::uint8_t control, std::uint8_t split) {
  return {control, split};
}
constexpr auto kGraceAndOutputAtEnd =
    static_cast<std::uint8_t>(rdwarm::fuzz::kOutputAtEnd | rdwarm::fuzz::kGraceDeadline);

struct LicenseRequestVector {
  Blob user_data;  // security header + preamble + SERVER_LICENSE_REQUEST
  lic::Random server_random{};
};

LicenseRequestVector license_request(const Blob& user_data) {
  auto pdu = lic::LicensingPdu::decode(user_data);
  if (!pdu.ok()) die("license request vector: " + pdu.error().message());
  const auto* req = std::get_if<lic::LicenseRequest>(&pdu->message);
  if (req == nullptr) die("license request vector is not a SERVER_LICENSE_REQUEST");
  return {user_data, req->server_random};
}

void add_connector_seeds(Corpus& corpus, const fs::path& data) {
  const Blob start = session_start();
  // xrdp 0.9: proprietary certificate; [MS-RDPELE] 4.1: X.509 chain (no security header there).
  const auto xrdp = license_request(load_hex(data / "rdpele/xrdp-0.9-license-request.hex").bytes);
  const auto spec = license_request(
      concat({{0x80, 0x00, 0x00, 0x00},
              load_hex(data / "rdpele/ms-rdpele-4.1-server-license-request.hex").bytes}));
  const Blob license_info = load_hex(data / "rdpele/ms-rdpele-4-new-license-info.hex").bytes;
  const Blob valid_client = load_hex(data / "rdpele/xrdp-0.9-valid-client.hex").bytes;

  const auto xrdp_keys = session_keys(xrdp.server_random);
  const auto spec_keys = session_keys(spec.server_random);

  corpus.add("connector", "new-license-proprietary",
             concat({header(0x00, 0), start, sdi(xrdp.user_data), platform_challenge(xrdp_keys),
                     new_license(xrdp_keys, license_info, false), demand_active()}));
  corpus.add("connector", "upgrade-license-x509-chunked",
             concat({header(0x01, 3), start, sdi(spec.user_data), platform_challenge(spec_keys),
                     new_license(spec_keys, license_info, true), demand_active()}));
  corpus.add("connector", "valid-client",
             concat({header(0x00, 0), start, sdi(valid_client), demand_active()}));
  corpus.add("connector", "valid-client-grace-output-at-end",
             concat({header(kGraceAndOutputAtEnd, 1), start, sdi(valid_client)}));

  lic::LicenseErrorMessage alert;
  alert.error_code = lic::ERR_NO_LICENSE_SERVER;
  alert.state_transition = lic::ST_TOTAL_ABORT;
  wire::SetErrorInfoPdu sei;
  sei.error_info = wire::ERRINFO_LICENSE_NO_LICENSE_SERVER;
  corpus.add("connector", "no-license-server",
             concat({header(0x02, 7), start, sdi(xrdp.user_data), licensing(alert),
                     sdi(wire::encode_to_vector(sei)),
                     wire::frame_domain_pdu(
                         wire::DisconnectProviderUltimatum{wire::RN_PROVIDER_INITIATED})}));

  wire::ConnectionConfirm refused;
  refused.negotiation = wire::NegotiationFailure{wire::HYBRID_REQUIRED_BY_SERVER};
  corpus.add("connector", "negotiation-failure",
             concat({header(0x00, 0), wire::encode_to_vector(refused)}));
  corpus.add("connector", "tls-failed", concat({header(0x04, 0), start}));
  corpus.add("connector", "x224-disconnect",
             concat({header(0x03, 2), start, wire::encode_x224_disconnect_request()}));
}

// NTLM: the MS-NLMP 4.2.4.3 messages, and one exchange of ntlm_harness.hpp whose AUTHENTICATE and
// sealed messages verify when fuzz_ntlm replays the same exchange.
void add_ntlm_seeds(Corpus& corpus, const fs::path& data) {
  for (const auto& entry : fs::directory_iterator(data / "nlmp")) {
    if (entry.path().extension() == ".hex") {
      corpus.add("ntlm", entry.path().stem().string(), load_hex(entry.path()).bytes);
    }
  }
  rdwarm::auth::ntlm::Client client(rdwarm::fuzz::ntlm::client_config());
  rdwarm::auth::ntlm::Acceptor acceptor(rdwarm::fuzz::ntlm::acceptor_config());
  const auto tokens = rdwarm::fuzz::ntlm::run_exchange(client, acceptor);
  if (!tokens.complete) die("the NTLM harness exchange did not complete");
  corpus.add("ntlm", "harness-negotiate", tokens.negotiate);
  corpus.add("ntlm", "harness-challenge", tokens.challenge);
  corpus.add("ntlm", "harness-authenticate", tokens.authenticate);
  corpus.add("ntlm", "harness-sealed-to-acceptor", client.wrap(text_bytes("pubKeyAuth")).value());
  corpus.add("ntlm", "harness-sealed-to-client", acceptor.wrap(text_bytes("pubKeyAuth")).value());
}

// CredSSP and SPNEGO: the [MS-CSSP] 4 example and the Windows tokens in tests/data/credssp, and
// encoder output with every optional field.
void add_credssp_seeds(Corpus& corpus, const fs::path& data) {
  namespace credssp = wire::credssp;
  namespace spnego = wire::spnego;
  for (const auto& entry : fs::directory_iterator(data / "credssp")) {
    if (entry.path().extension() != ".hex") continue;
    const std::string name = entry.path().stem().string();
    corpus.add(name.starts_with("spnego-") ? "spnego" : "ts_request", name,
               load_hex(entry.path()).bytes);
  }
  spnego::NegTokenInit init;
  init.mech_types = {spnego::OID_NTLMSSP, spnego::OID_KERBEROS};
  init.mech_token = text_bytes("NTLMSSP");
  init.neg_hints = spnego::NegHints{std::string(spnego::kNegHintsPlaceholder), Blob{1}};
  init.mech_list_mic = Blob(16, 0x01);
  corpus.add("spnego", "rdwarm-init2-all-fields", wire::encode_to_vector(init));
  spnego::NegTokenResp resp;
  resp.neg_state = spnego::NegState::AcceptIncomplete;
  resp.supported_mech = spnego::OID_NTLMSSP;
  resp.response_token = text_bytes("NTLMSSP");
  resp.mech_list_mic = Blob(16, 0x02);
  corpus.add("spnego", "rdwarm-resp-all-fields", wire::encode_to_vector(resp));

  credssp::TsRequest request;
  request.nego_tokens = {wire::encode_to_vector(init), wire::encode_to_vector(resp)};
  request.auth_info = Blob(40, 0x03);
  request.pub_key_auth = Blob(48, 0x04);
  request.error_code = credssp::STATUS_LOGON_FAILURE;
  request.client_nonce = credssp::ClientNonce{};
  corpus.add("ts_request", "rdwarm-all-fields", wire::encode_to_vector(request));
  const Blob domain = wire::utf16le_from_utf8("LAB"), user = wire::utf16le_from_utf8("probe"),
             password = wire::utf16le_from_utf8("not-a-secret");
  Blob credentials;
  credssp::encode_password_credentials({domain, user, password}, credentials);
  corpus.add("ts_request", "rdwarm-ts-credentials", credentials);
  corpus.add(
      "ts_request", "rdwarm-authz-access-denied",
      wire::encode_to_vector(credssp::EarlyUserAuthorizationResult{credssp::AUTHZ_ACCESS_DENIED}));
}

void add_regressions(const fs::path& dir, Corpus& out) {
  if (!fs::is_directory(dir)) return;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".hex") continue;
    const std::string stem = entry.path().stem().string();
    const auto dash = stem.find('-');
    if (dash == std::string::npos) die(entry.path().string() + ": name is not <target>-<name>.hex");
    out.add(stem.substr(0, dash), stem.substr(dash + 1), load_hex(entry.path()).bytes);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) die("usage: rdwarm_fuzz_seeds <tests dir> <corpus dir> <regressions dir>");
  const fs::path tests = argv[1];
  const fs::path data = tests / "data";
  Corpus corpus(argv[2]);
  Corpus regressions(argv[3]);
  add_regressions(tests / "fuzz" / "regressions", regressions);

  std::vector<fs::path> files;
  for (const auto& dir : {"rdpbcgr", "rdpele", "crypto"}) {
    if (!fs::is_directory(data / dir)) die("no directory " + (data / dir).string());
    for (const auto& entry : fs::directory_iterator(data / dir)) {
      if (entry.path().extension() == ".hex") files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());

  for (const auto& path : files) {
    const std::string group = path.parent_path().filename().string();
    const std::string name = path.stem().string();
    const auto hex = load_hex(path);
    if (group == "rdpbcgr") {
      corpus.add("x224", name, hex.bytes);
      corpus.add("mcs", name, hex.bytes);
    } else if (name.find("certificate") != std::string::npos &&
               name.find("request") == std::string::npos) {
      add_certificate_seeds(corpus, name, hex.bytes);
    } else {
      corpus.add("licensing_pdu", name, hex.bytes);
    }
    route(corpus, name, hex.bytes);
    if (!hex.decrypted.empty()) {
      // The specs print these payloads decrypted; give them the header a TLS session would carry.
      if (name.find("client-info") != std::string::npos) {
        corpus.add("client_info", name, concat({{0x40, 0x00, 0x00, 0x00}, hex.decrypted}));
      } else if (name.find("demand-active") != std::string::npos) {
        corpus.add("share", name, hex.decrypted);
      } else {
        corpus.add("licensing_pdu", name + "-decrypted", hex.decrypted);
        corpus.add("licensing_pdu", name + "-decrypted-pdu",
                   concat({{0x80, 0x00, 0x00, 0x00}, hex.decrypted}));
      }
    }
    // The hex text itself (comments removed) for the hex parser.
    if (hex.bytes.size() <= 512)
      corpus.add("text_hex", name, text_bytes(wire::to_hex(hex.bytes, " ")));
  }

  // Encoder output for targets whose spec examples are encrypted or missing.
  wire::ClientInfo info;
  corpus.add("client_info", "rdwarm-default", wire::encode_to_vector(info));
  info.domain = "LAB";
  info.user_name = "Société";
  info.client_address_family = wire::CLIENT_AF_INET6;
  info.client_address = "::1";
  corpus.add("client_info", "rdwarm-names", wire::encode_to_vector(info));
  wire::SetErrorInfoPdu sei;
  sei.share_id = 0x000103EA;
  sei.error_info = wire::ERRINFO_LICENSE_NO_LICENSE_SERVER;
  corpus.add("share", "set-error-info", wire::encode_to_vector(sei));
  wire::DemandActiveHeader da;
  da.share_id = 0x000103EA;
  da.source_descriptor = "RDP";
  corpus.add("share", "demand-active-minimal", da.encode_minimal());
  corpus.add("x224", "disconnect-request", wire::encode_x224_disconnect_request());
  corpus.add("text_hex", "utf16-surrogates", wire::utf16le_from_utf8("A\xF0\x9F\x98\x80\xC3\xA9"));
  corpus.add("text_hex", "hex-prefixed", text_bytes("0x02, 0x00, 0x00, 0x80\r\n\tff"));

  add_connector_seeds(corpus, data);
  add_ntlm_seeds(corpus, data);
  add_credssp_seeds(corpus, data);
  corpus.report("seeds");
  regressions.report("regressions");
  return 0;
}
