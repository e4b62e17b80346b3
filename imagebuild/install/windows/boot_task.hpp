// The boot task in Task Scheduler, through its COM API (ITaskService): registered from the XML
// document of task_xml.hpp, so what is tested on Linux is what Windows receives. COM rather than
// schtasks.exe: no child process, no temporary file, no output to parse, and every failure is an
// HRESULT naming what went wrong.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "imagebuild/install/installer.hpp"
#include "licensing/wire/result.hpp"

namespace rdwarm::imagebuild::install::windows {

// Creates the folder when needed and registers (or replaces) the task; kCreated or kUpdated.
Result<Change> register_boot_task(std::string_view folder, std::string_view name,
                                  const std::string& xml_utf8);

// Deletes the task, then the folder when nothing else is in it; kRemoved or kAbsent.
Result<Change> delete_boot_task(std::string_view folder, std::string_view name);

// The task as Task Scheduler keeps it (IRegisteredTask::get_Xml), or nullopt when there is none.
Result<std::optional<std::string>> registered_task_xml(std::string_view folder,
                                                       std::string_view name);

}  // namespace rdwarm::imagebuild::install::windows
