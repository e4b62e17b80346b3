// The boot task as Task Scheduler XML (schema namespace
// http://schemas.microsoft.com/windows/2004/02/mit/task, version 1.2): pure text generation, no
// I/O, so it is tested on Linux. docs/image-install.md shows the document and explains every
// setting.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rdwarm::imagebuild::install {

inline constexpr std::string_view kTaskNamespace =
    "http://schemas.microsoft.com/windows/2004/02/mit/task";
// 1.2 (Windows Vista / Server 2008 and later) has every element the boot task uses, so the same
// document registers on every Windows that can be an RD Session Host.
inline constexpr std::string_view kTaskSchemaVersion = "1.2";
// The well-known SID of LocalSystem: locale-independent, unlike the account name "SYSTEM".
inline constexpr std::string_view kLocalSystemSid = "S-1-5-18";

struct BootTaskSpec {
  std::string uri;          // \rdwarm\boot-warmup
  std::string author;       // rdwarm
  std::string version;      // rdwarm's version, so an admin sees which one registered the task
  std::string description;  // what the task does, shown in Task Scheduler
  std::string command;      // absolute path of rdwarm.exe (one program path, never quoted)
  std::string arguments;    // the rest of the command line, quoted for CommandLineToArgvW
  std::string working_directory;
  // Task Scheduler ends the task after this long; zero means no limit (PT0S).
  std::chrono::seconds execution_time_limit{0};
  // A task whose start fails is started again, at most restart_count times (1..999), every
  // restart_interval (1 minute .. 31 days).
  std::uint32_t restart_count = 3;
  std::chrono::seconds restart_interval{60};
  // 0 (realtime) .. 10 (idle). Task Scheduler's default of 7 is below normal; the warm-up holds
  // the admission gate, so it runs at normal priority.
  int priority = 4;
};

// The XML document (UTF-8 text whose declaration says UTF-16: the file handed to
// `schtasks /create /xml` is written as UTF-16LE with a byte order mark, the way Task Scheduler
// exports tasks, and ITaskFolder::RegisterTask takes the text as a UTF-16 string).
std::string boot_task_xml(const BootTaskSpec& spec);

// ISO 8601 duration as Task Scheduler writes it: PT0S, PT45S, PT25M, PT1H30M, P3DT2H.
std::string iso8601_duration(std::chrono::seconds duration);

// Escapes the five XML special characters for element text and attribute values.
std::string xml_escape(std::string_view text);

// The bytes of a task file: UTF-16LE with a byte order mark.
std::vector<std::uint8_t> task_file_bytes(std::string_view xml_utf8);

}  // namespace rdwarm::imagebuild::install
