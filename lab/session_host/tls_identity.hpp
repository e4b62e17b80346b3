// The session host's TLS certificate, generated when the lab starts (a self-signed ECDSA P-256
// certificate, like the self-signed RDP certificate Windows makes for itself). It is unrelated to
// licensing; clients do not validate it.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "licensing/wire/result.hpp"

namespace rdwarm::lab {

// A TLS server context holding a fresh key and a self-signed certificate for `host_name`.
// Throws std::runtime_error naming OpenSSL's reason if OpenSSL cannot make them.
boost::asio::ssl::context make_tls_server_context(const std::string& host_name);

// The DER certificate a TLS server context presents (NLA binds the logon to its public key).
Result<std::vector<std::uint8_t>> tls_certificate_der(boost::asio::ssl::context& context);

}  // namespace rdwarm::lab
