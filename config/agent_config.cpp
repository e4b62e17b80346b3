#include "config/agent_config.hpp"

#include "config/default_paths.hpp"

namespace rdwarm::config {

std::string_view to_string(OnDeadline v) {
  switch (v) {
    case OnDeadline::StayClosed:
      return "stay-closed";
    case OnDeadline::Open:
      return "open";
  }
  return "?";
}

std::string_view to_string(Jitter v) {
  switch (v) {
    case Jitter::Full:
      return "full";
    case Jitter::None:
      return "none";
  }
  return "?";
}

std::string_view to_string(GateKind v) {
  switch (v) {
    case GateKind::Drain:
      return "drain";
    case GateKind::Service:
      return "service";
    case GateKind::Command:
      return "command";
    case GateKind::None:
      return "none";
  }
  return "?";
}

std::string_view to_string(LogLevel v) {
  switch (v) {
    case LogLevel::Trace:
      return "trace";
    case LogLevel::Debug:
      return "debug";
    case LogLevel::Info:
      return "info";
    case LogLevel::Warn:
      return "warn";
    case LogLevel::Error:
      return "error";
  }
  return "?";
}

std::string_view to_string(LogFormat v) {
  switch (v) {
    case LogFormat::Text:
      return "text";
    case LogFormat::Json:
      return "json";
  }
  return "?";
}

std::string_view to_string(PlatformKind v) {
  switch (v) {
    case PlatformKind::Auto:
      return "auto";
    case PlatformKind::Windows:
      return "windows";
    case PlatformKind::Lab:
      return "lab";
  }
  return "?";
}

std::string_view to_string(PasswordSource v) {
  switch (v) {
    case PasswordSource::Auto:
      return "auto";
    case PasswordSource::Dpapi:
      return "dpapi";
    case PasswordSource::File:
      return "file";
    case PasswordSource::Env:
      return "env";
  }
  return "?";
}

std::string_view to_string(NlaTokens v) {
  switch (v) {
    case NlaTokens::Spnego:
      return "spnego";
    case NlaTokens::Ntlm:
      return "ntlm";
  }
  return "?";
}

AgentConfig default_config() {
  AgentConfig c;
  c.gate.journal = default_gate_journal_path();
  c.status.file = default_status_path();
  c.platform.lab_state_dir = default_lab_state_dir();
  c.image.manifest = default_manifest_path();
  c.nla.password_file = default_password_file_path();
  return c;
}

PlatformKind effective_platform(PlatformKind kind) {
  if (kind != PlatformKind::Auto) return kind;
#ifdef _WIN32
  return PlatformKind::Windows;
#else
  return PlatformKind::Lab;
#endif
}

PasswordSource effective_password_source(PasswordSource source) {
  if (source != PasswordSource::Auto) return source;
#ifdef _WIN32
  return PasswordSource::Dpapi;
#else
  return PasswordSource::File;
#endif
}

bool password_source_available(PasswordSource source) {
#ifdef _WIN32
  (void)source;
  return true;
#else
  return effective_password_source(source) != PasswordSource::Dpapi;
#endif
}

}  // namespace rdwarm::config
