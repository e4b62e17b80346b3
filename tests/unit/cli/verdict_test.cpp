// What an admin reads and which exit code a pipeline sees, for each kind of outcome.
#include "warmup/cli/verdict.hpp"

#include <gtest/gtest.h>

#include "licensing/wire/errinfo.hpp"
#include "licensing/wire/licensing_error_message.hpp"
#include "licensing/wire/x224.hpp"
#include "warmup/cli/probe_report.hpp"

namespace rdwarm::cli {
namespace {

using connector::OutcomeKind;

probe::ProbeResult result_of(OutcomeKind kind) {
  probe::ProbeResult r;
  r.target = "127.0.0.1:3389";
  r.outcome.kind = kind;
  return r;
}

TEST(Verdict, NoLicenseServerIsExit10AndSaysWhatUsersSee) {
  auto r = result_of(OutcomeKind::LicensingFailed);
  r.outcome.license_error_code = wire::lic::ERR_NO_LICENSE_SERVER;
  r.outcome.license_state_transition = wire::lic::ST_TOTAL_ABORT;
  r.outcome.error_info = wire::ERRINFO_LICENSE_NO_LICENSE_SERVER;
  const auto v = verdict_for(r);
  EXPECT_EQ(v.exit_code, 10);
  EXPECT_NE(v.meaning.find("no Remote Desktop License Servers available"), std::string::npos);
  EXPECT_NE(v.next.find("TCP 135 and 445"), std::string::npos);
  const auto j = probe_json(r, v);
  EXPECT_EQ(j["outcome"], "LicensingFailed");
  EXPECT_EQ(j["error_info"]["hex"], "0x00000101");
  EXPECT_EQ(j["error_info"]["name"], "ERRINFO_LICENSE_NO_LICENSE_SERVER");
  EXPECT_EQ(j["licensing"]["error"], "ERR_NO_LICENSE_SERVER");
  EXPECT_EQ(j["licensing"]["state_transition"], "ST_TOTAL_ABORT");
  const auto text = probe_text(r, v);
  EXPECT_NE(text.find("0x00000101 ERRINFO_LICENSE_NO_LICENSE_SERVER"), std::string::npos) << text;
}

TEST(Verdict, ExitCodes) {
  auto nla = result_of(OutcomeKind::NegotiationFailure);
  nla.outcome.negotiation_failure = wire::HYBRID_REQUIRED_BY_SERVER;
  EXPECT_EQ(verdict_for(nla).exit_code, 12);
  EXPECT_EQ(verdict_for(result_of(OutcomeKind::Refused)).exit_code, 13);
  auto tcp_timeout = result_of(OutcomeKind::Timeout);
  tcp_timeout.outcome.phase = connector::Phase::TcpConnect;
  EXPECT_EQ(verdict_for(tcp_timeout).exit_code, 13);
  auto invalid = result_of(OutcomeKind::LicensingFailed);
  invalid.outcome.license_error_code = wire::lic::ERR_INVALID_CLIENT;
  EXPECT_EQ(verdict_for(invalid).exit_code, 11);
  auto licensed = result_of(OutcomeKind::Licensed);
  licensed.outcome.licensed = connector::LicensedKind::ValidClient;
  licensed.outcome.demand_active = true;
  licensed.outcome.server_certificate.kind = connector::CertificateKind::Proprietary;
  const auto v = verdict_for(licensed);
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_NE(v.meaning.find("grace period"), std::string::npos);
  for (auto k : {OutcomeKind::TlsFailed, OutcomeKind::McsFailed,
                 OutcomeKind::DisconnectedBeforeLicensing, OutcomeKind::ProtocolError}) {
    EXPECT_EQ(verdict_for(result_of(k)).exit_code, 1);
  }
}

}  // namespace
}  // namespace rdwarm::cli
