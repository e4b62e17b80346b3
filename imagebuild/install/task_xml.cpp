#include "imagebuild/install/task_xml.hpp"

#include "licensing/wire/text.hpp"

namespace rdwarm::imagebuild::install {

namespace {

void element(std::string& out, std::string_view indent, std::string_view name,
             std::string_view text) {
  out += indent;
  out += '<';
  out += name;
  out += '>';
  out += xml_escape(text);
  out += "</";
  out += name;
  out += ">\n";
}

std::string_view boolean(bool b) {
  return b ? "true" : "false";
}

}  // namespace

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string iso8601_duration(std::chrono::seconds duration) {
  auto s = duration.count();
  if (s <= 0) return "PT0S";
  const auto days = s / 86400;
  s %= 86400;
  const auto hours = s / 3600;
  s %= 3600;
  const auto minutes = s / 60;
  s %= 60;
  std::string out = "P";
  if (days > 0) out += std::to_string(days) + "D";
  if (hours > 0 || minutes > 0 || s > 0) {
    out += "T";
    if (hours > 0) out += std::to_string(hours) + "H";
    if (minutes > 0) out += std::to_string(minutes) + "M";
    if (s > 0) out += std::to_string(s) + "S";
  }
  return out;
}

std::string boot_task_xml(const BootTaskSpec& spec) {
  // Element order is the order Task Scheduler itself writes when it exports a task.
  std::string x = "<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n";
  x += "<Task version=\"";
  x += kTaskSchemaVersion;
  x += "\" xmlns=\"";
  x += kTaskNamespace;
  x += "\">\n";

  x += "  <RegistrationInfo>\n";
  element(x, "    ", "Author", spec.author);
  element(x, "    ", "Version", spec.version);
  element(x, "    ", "Description", spec.description);
  element(x, "    ", "URI", spec.uri);
  x += "  </RegistrationInfo>\n";

  // At boot, before anyone logs on, with no delay: the gate must be closed before brokers send
  // users.
  x += "  <Triggers>\n    <BootTrigger>\n";
  element(x, "      ", "Enabled", "true");
  x += "    </BootTrigger>\n  </Triggers>\n";

  // LocalSystem, elevated: the warm-up writes HKLM (drain mode) and reads RCM's restricted keys.
  x += "  <Principals>\n    <Principal id=\"System\">\n";
  element(x, "      ", "UserId", kLocalSystemSid);
  element(x, "      ", "RunLevel", "HighestAvailable");
  x += "    </Principal>\n  </Principals>\n";

  x += "  <Settings>\n";
  // A second start while one warm-up runs (a restart action, a manual run) is dropped: one agent
  // per host owns the gate.
  element(x, "    ", "MultipleInstancesPolicy", "IgnoreNew");
  // Session hosts on laptops are rare, but a task that does not start on battery would leave the
  // gate to nobody.
  element(x, "    ", "DisallowStartIfOnBatteries", boolean(false));
  element(x, "    ", "StopIfGoingOnBatteries", boolean(false));
  element(x, "    ", "AllowHardTerminate", boolean(true));
  element(x, "    ", "StartWhenAvailable", boolean(false));
  // The network is what the warm-up waits for; it retries until its own deadline.
  element(x, "    ", "RunOnlyIfNetworkAvailable", boolean(false));
  x += "    <IdleSettings>\n";
  element(x, "      ", "StopOnIdleEnd", boolean(false));
  element(x, "      ", "RestartOnIdle", boolean(false));
  x += "    </IdleSettings>\n";
  element(x, "    ", "AllowStartOnDemand", boolean(true));
  element(x, "    ", "Enabled", boolean(true));
  element(x, "    ", "Hidden", boolean(false));
  element(x, "    ", "RunOnlyIfIdle", boolean(false));
  element(x, "    ", "WakeToRun", boolean(false));
  element(x, "    ", "ExecutionTimeLimit", iso8601_duration(spec.execution_time_limit));
  element(x, "    ", "Priority", std::to_string(spec.priority));
  x += "    <RestartOnFailure>\n";
  element(x, "      ", "Interval", iso8601_duration(spec.restart_interval));
  element(x, "      ", "Count", std::to_string(spec.restart_count));
  x += "    </RestartOnFailure>\n";
  x += "  </Settings>\n";

  x += "  <Actions Context=\"System\">\n    <Exec>\n";
  element(x, "      ", "Command", spec.command);
  if (!spec.arguments.empty()) element(x, "      ", "Arguments", spec.arguments);
  if (!spec.working_directory.empty()) {
    element(x, "      ", "WorkingDirectory", spec.working_directory);
  }
  x += "    </Exec>\n  </Actions>\n";
  x += "</Task>\n";
  return x;
}

std::vector<std::uint8_t> task_file_bytes(std::string_view xml_utf8) {
  std::vector<std::uint8_t> bytes{0xFF, 0xFE};
  const auto text = wire::utf16le_from_utf8(xml_utf8);
  bytes.insert(bytes.end(), text.begin(), text.end());
  return bytes;
}

}  // namespace rdwarm::imagebuild::install
