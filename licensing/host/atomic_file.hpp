// Replacing a small file atomically: write a temp file next to it, then rename it over the old
// one, so a reader sees the old or the new contents, never half of them. Used for every file rdwarm
// rewrites while others read it: the status file, the gate journal, the lab's host state file.
#pragma once

#include <filesystem>
#include <string_view>

#include "licensing/wire/result.hpp"

namespace rdwarm::host {

// Creates the parent directories, writes `contents` to `file`.tmp.<unique> and renames it over
// `file`. On Windows the rename uses POSIX semantics where the system has them (a reader sharing
// delete access does not block it), else MoveFileExW; either retries for ~0.5 s while a reader
// without FILE_SHARE_DELETE holds the file. Errors name `where`; `directory_hint` is appended when
// the parent directory cannot be created (e.g. which setting chooses the path).
Status write_file_atomically(const std::filesystem::path& file, std::string_view contents,
                             std::string_view where, std::string_view directory_hint = {});

}  // namespace rdwarm::host
