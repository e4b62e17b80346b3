// The probe: drives a ClientConnector over a real TCP + TLS connection with Boost.Asio and
// OpenSSL, with a connect timeout, a per-phase timeout and an overall deadline, and times every
// phase. One probe is one connection; retrying is the agent's business.
#pragma once

#include <array>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "licensing/auth/client_context.hpp"
#include "licensing/auth/credentials.hpp"
#include "licensing/connector/client_identity.hpp"
#include "licensing/connector/outcome.hpp"

namespace rdwarm::probe {

using Millis = std::chrono::milliseconds;

struct ProbeOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 3389;
  Millis connect_timeout{2000};   // TCP connect
  Millis phase_timeout{5000};     // any one phase after connect (licensing may wait on the LS)
  Millis overall_timeout{20000};  // the whole probe, whatever happens
  // After a licensing verdict, how long to wait for Set Error Info / disconnect or Demand Active.
  Millis verdict_grace{2000};
  connector::ClientIdentity identity;
  // NLA [MS-CSSP]: with credentials the probe also offers HYBRID and authenticates when the server
  // requires it; without them HYBRID_REQUIRED_BY_SERVER stays the final NlaRequired verdict.
  std::optional<auth::Credentials> credentials;
  // SPNEGO as Windows speaks it, or bare NTLM for servers that take only that (FreeRDP 2).
  auth::TokenFormat nla_tokens = auth::TokenFormat::kSpnego;
};

struct PhaseTiming {
  connector::Phase phase;
  std::chrono::microseconds duration;
};

struct ProbeResult {
  connector::Outcome outcome;
  std::vector<PhaseTiming> timings;  // in order, one per phase entered
  std::chrono::microseconds total{0};
  std::string target;  // host:port as given
  std::string peer;    // the address connected to
  std::string tls_version, tls_cipher;
};

// Runs one probe on the caller's io_context and calls done(result) once, on that context.
void async_probe(boost::asio::io_context& io, const ProbeOptions& options,
                 std::function<void(ProbeResult)> done);

// Runs one probe to completion on a private io_context.
ProbeResult run_probe(const ProbeOptions& options);

}  // namespace rdwarm::probe
