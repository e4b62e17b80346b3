// The Windows side of the sequence, scripted for connector tests: it builds the server's frames
// with the project's server-side codec and checks what the connector sends, including the
// licensing crypto with a freshly generated RSA key (the premaster is really decrypted).
#pragma once

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <memory>
#include <vector>

#include "licensing/connector/connector.hpp"
#include "licensing/crypto/licensing_keys.hpp"
#include "licensing/crypto/mac.hpp"
#include "licensing/crypto/rc4.hpp"
#include "licensing/crypto/rsa.hpp"
#include "licensing/crypto/server_certificate.hpp"
#include "licensing/wire/client_info.hpp"
#include "licensing/wire/gcc.hpp"
#include "licensing/wire/licensing_pdu.hpp"
#include "licensing/wire/mcs.hpp"
#include "licensing/wire/share.hpp"
#include "licensing/wire/text.hpp"
#include "licensing/wire/x224.hpp"

namespace rdwarm::testing {

namespace lic = wire::lic;
using Frame = std::vector<std::uint8_t>;

inline std::vector<std::uint8_t> bn_bytes(EVP_PKEY* key, const char* name) {
  BIGNUM* bn = nullptr;
  EVP_PKEY_get_bn_param(key, name, &bn);
  std::vector<std::uint8_t> out(static_cast<std::size_t>(BN_num_bytes(bn)));
  BN_bn2bin(bn, out.data());
  BN_free(bn);
  return out;
}

class ScriptedServer {
 public:
  static constexpr std::uint16_t kIoChannel = 1003;
  static constexpr std::uint16_t kUserChannel = 1007;

  ScriptedServer() {
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_RSA_gen(512), EVP_PKEY_free);
    modulus_ = bn_bytes(key.get(), "n");
    private_exponent_ = bn_bytes(key.get(), "d");
    for (std::size_t i = 0; i < server_random_.size(); ++i)
      server_random_[i] = static_cast<std::uint8_t>(0xA0 + i);
  }

  static Frame confirm(wire::NegotiationResponse rsp = {wire::EXTENDED_CLIENT_DATA_SUPPORTED,
                                                        wire::PROTOCOL_SSL}) {
    return wire::encode_to_vector(wire::ConnectionConfirm{rsp});
  }
  static Frame connect_response(std::uint8_t result = 0) {
    wire::ConferenceCreateResponse gcc;
    gcc.blocks.core.client_requested_protocols = wire::PROTOCOL_SSL;
    gcc.blocks.network.io_channel = kIoChannel;
    wire::ConnectResponse cr;
    cr.result = result;
    cr.user_data = wire::encode_to_vector(gcc);
    return wire::frame_connect_pdu(cr);
  }
  static Frame attach_confirm() {
    return wire::frame_domain_pdu(wire::AttachUserConfirm{0, kUserChannel});
  }
  static Frame join_confirm(std::uint16_t channel, std::uint8_t result = 0) {
    return wire::frame_domain_pdu(wire::ChannelJoinConfirm{result, kUserChannel, channel, channel});
  }
  static Frame io(const std::vector<std::uint8_t>& user_data) {
    return wire::frame_domain_pdu(wire::SendDataIndication{1002, kIoChannel, user_data});
  }
  static Frame licensing(const lic::LicensingMessage& m,
                         std::uint8_t version = lic::PREAMBLE_VERSION_3_0) {
    lic::LicensingPdu pdu;
    pdu.preamble.flags = version;
    pdu.message = m;
    return io(wire::encode_to_vector(pdu));
  }
  static Frame error_alert(std::uint32_t code, std::uint32_t transition) {
    lic::LicenseErrorMessage m;
    m.error_code = code;
    m.state_transition = transition;
    return licensing(m);
  }
  static Frame set_error_info(std::uint32_t code) {
    return io(wire::encode_to_vector(wire::SetErrorInfoPdu{0x103EA, code}));
  }
  static Frame demand_active() {
    return io(wire::DemandActiveHeader{0x103EA, "RDP", 1, 0x3EA}.encode_minimal());
  }
  static Frame dpum(std::uint8_t reason = wire::RN_PROVIDER_INITIATED) {
    return wire::frame_domain_pdu(wire::DisconnectProviderUltimatum{reason});
  }

  Frame license_request() const {
    lic::LicenseRequest req;
    req.server_random = server_random_;
    const std::vector<std::uint8_t> signature(72, 0x5A);
    req.server_certificate.data = crypto::encode_proprietary_certificate(
        crypto::make_rsa_public_key(modulus_, 65537), signature);
    return licensing(req);
  }

  // Splits client bytes into frames and returns the MCS payload of each Send Data Request.
  static std::vector<std::vector<std::uint8_t>> send_data_payloads(
      const std::vector<std::uint8_t>& out) {
    std::vector<std::vector<std::uint8_t>> payloads;
    std::size_t at = 0;
    while (at + 4 <= out.size()) {
      const std::size_t n = static_cast<std::size_t>((out[at + 2] << 8) | out[at + 3]);
      const wire::Bytes frame(out.data() + at, n);
      at += n;
      auto x = wire::decode_x224_frame(frame);
      if (!x) continue;
      auto pdu = wire::decode_domain_pdu(x->payload);
      if (pdu && std::holds_alternative<wire::SendDataRequest>(*pdu)) {
        const auto& sdr = std::get<wire::SendDataRequest>(*pdu);
        payloads.emplace_back(sdr.user_data.begin(), sdr.user_data.end());
      }
    }
    return payloads;
  }

  // Reads the New License Request: decrypts the premaster and derives the session keys.
  lic::NewLicenseRequest accept_new_license_request(const std::vector<std::uint8_t>& user_data) {
    auto pdu = lic::LicensingPdu::decode(user_data);
    EXPECT_TRUE(pdu.ok()) << (pdu.ok() ? "" : pdu.error().message());
    const auto nlr = std::get<lic::NewLicenseRequest>(pdu->message);
    EXPECT_EQ(nlr.encrypted_premaster_secret.data.size(), modulus_.size() + 8);
    auto plain = crypto::raw_rsa_decrypt_le(modulus_, private_exponent_,
                                            nlr.encrypted_premaster_secret.data);
    EXPECT_TRUE(plain.ok());
    std::array<std::uint8_t, 48> premaster{};
    std::copy_n(plain->begin(), 48, premaster.begin());
    keys_ = crypto::derive_licensing_keys(premaster, nlr.client_random, server_random_);
    return nlr;
  }

  Frame platform_challenge() const {
    const auto challenge = wire::utf16le_from_utf8(std::string("TEST") + '\0');
    lic::PlatformChallenge pc;
    pc.connect_flags = 0x12345678;
    pc.encrypted_platform_challenge.data = crypto::rc4(keys_.licensing_key, challenge);
    pc.mac_data = crypto::licensing_mac(keys_.mac_salt_key, challenge);
    return licensing(pc);
  }

  struct CheckedResponse {
    lic::PlatformChallengeResponseData data;
    lic::ClientHardwareId hwid;
    bool mac_ok = false;
  };
  CheckedResponse accept_challenge_response(const std::vector<std::uint8_t>& user_data) const {
    auto pdu = lic::LicensingPdu::decode(user_data);
    EXPECT_TRUE(pdu.ok());
    const auto& r = std::get<lic::PlatformChallengeResponse>(pdu->message);
    const auto data = crypto::rc4(keys_.licensing_key, r.encrypted_challenge_response.data);
    const auto hwid = crypto::rc4(keys_.licensing_key, r.encrypted_hwid.data);
    std::vector<std::uint8_t> both(data);
    both.insert(both.end(), hwid.begin(), hwid.end());
    CheckedResponse out;
    out.data = lic::PlatformChallengeResponseData::decode(data).value();
    out.hwid = lic::ClientHardwareId::decode(hwid).value();
    out.mac_ok = crypto::licensing_mac(keys_.mac_salt_key, both) == r.mac_data;
    return out;
  }

  Frame new_license(bool upgrade = false) const {
    lic::NewLicenseInfo info;
    info.license_info = {0x30, 0x03, 0x02, 0x01, 0x01};
    const auto plain = wire::encode_to_vector(info);
    lic::NewLicense nl;
    nl.upgrade = upgrade;
    nl.encrypted_license_info.data = crypto::rc4(keys_.licensing_key, plain);
    nl.mac_data = crypto::licensing_mac(keys_.mac_salt_key, plain);
    return licensing(nl);
  }

 private:
  std::vector<std::uint8_t> modulus_, private_exponent_;
  std::array<std::uint8_t, 32> server_random_{};
  crypto::LicensingKeys keys_{};
};

}  // namespace rdwarm::testing
