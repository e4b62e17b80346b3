#include "licensing/host/atomic_file.hpp"

#include <atomic>
#include <fstream>
#include <random>
#include <string>
#include <system_error>

#ifdef _WIN32
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#ifndef NOMINMAX
#define NOMINMAX
#endif
#include <windows.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <thread>
#endif

namespace rdwarm::host {

namespace {

// Unique per process and call, so two agents (or two threads) never share a temp file.
std::string temp_suffix() {
  static const std::uint64_t process_nonce = std::random_device{}();
  static std::atomic<std::uint64_t> counter{0};
  return std::to_string(process_nonce) + "." + std::to_string(counter.fetch_add(1));
}

#ifdef _WIN32
// Rename with POSIX semantics (Windows 10 1607 / Server 2016 and later, NTFS): the target is
// replaced even while readers hold it open, as long as they opened it with FILE_SHARE_DELETE.
// Returns ERROR_SUCCESS or the Win32 error.
//
// FileRenameInfoEx is 22 in FILE_INFO_BY_HANDLE_CLASS (Windows SDK, minwinbase.h); mingw-w64
// declares it only for a _WIN32_WINNT no real build uses.
constexpr auto kFileRenameInfoEx = static_cast<FILE_INFO_BY_HANDLE_CLASS>(22);

DWORD rename_posix(const std::filesystem::path& from, const std::filesystem::path& to) {
  HANDLE h = CreateFileW(from.c_str(), DELETE | SYNCHRONIZE,
                         FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr,
                         OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr);
  if (h == INVALID_HANDLE_VALUE) return GetLastError();
  std::error_code ec;
  const std::wstring target = std::filesystem::absolute(to, ec).wstring();
  const std::size_t name_bytes = target.size() * sizeof(wchar_t);
  const std::size_t size = sizeof(FILE_RENAME_INFO) + name_bytes;
  // calloc: suitably aligned for the structure, and the name ends with a zero WCHAR.
  std::unique_ptr<void, decltype(&std::free)> storage(std::calloc(1, size), &std::free);
  if (!storage) {
    CloseHandle(h);
    return ERROR_NOT_ENOUGH_MEMORY;
  }
  auto* info = static_cast<FILE_RENAME_INFO*>(storage.get());
  info->Flags = FILE_RENAME_FLAG_REPLACE_IF_EXISTS | FILE_RENAME_FLAG_POSIX_SEMANTICS;
  info->RootDirectory = nullptr;
  info->FileNameLength = static_cast<DWORD>(name_bytes);
  std::memcpy(info->FileName, target.c_str(), name_bytes);
  const BOOL ok = SetFileInformationByHandle(h, kFileRenameInfoEx, info, static_cast<DWORD>(size));
  const DWORD error = ok ? ERROR_SUCCESS : GetLastError();
  CloseHandle(h);
  return error;
}

bool unsupported(DWORD error) {
  return error == ERROR_INVALID_PARAMETER || error == ERROR_NOT_SUPPORTED ||
         error == ERROR_INVALID_FUNCTION || error == ERROR_CALL_NOT_IMPLEMENTED;
}
#endif

std::error_code replace_file(const std::filesystem::path& from, const std::filesystem::path& to) {
#ifdef _WIN32
  // Not std::filesystem::rename, whose replace semantics differ between runtimes. POSIX rename
  // first; where the system or file system lacks it, MoveFileExW, which fails while anyone holds
  // the target open. A reader that opened the file without FILE_SHARE_DELETE blocks both: retry
  // for up to ~0.5 s, long enough for a monitor's read.
  static std::atomic<bool> posix_supported{true};
  DWORD last = ERROR_SUCCESS;
  for (int i = 0; i < 25; ++i) {
    if (posix_supported) {
      last = rename_posix(from, to);
      if (last == ERROR_SUCCESS) return {};
      if (unsupported(last)) posix_supported = false;
    }
    if (!posix_supported) {
      if (MoveFileExW(from.c_str(), to.c_str(),
                      MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH)) {
        return {};
      }
      last = GetLastError();
    }
    if (last != ERROR_ACCESS_DENIED && last != ERROR_SHARING_VIOLATION) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return std::error_code(static_cast<int>(last), std::system_category());
#else
  std::error_code ec;
  std::filesystem::rename(from, to, ec);  // rename(2): atomic replace
  return ec;
#endif
}

}  // namespace

Status write_file_atomically(const std::filesystem::path& file, std::string_view contents,
                             std::string_view where, std::string_view directory_hint) {
  const std::string w(where);
  if (file.empty()) return make_error(w, "", "no path given");
  std::error_code ec;
  const auto parent = file.parent_path();
  if (!parent.empty()) {
    std::filesystem::create_directories(parent, ec);
    if (ec) {
      return make_error(w, "",
                        "cannot create the directory " + parent.string() + ": " + ec.message() +
                            std::string(directory_hint));
    }
  }
  auto temp = file;
  temp += ".tmp." + temp_suffix();
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
    out.flush();
    if (!out) {
      out.close();
      std::filesystem::remove(temp, ec);
      return make_error(w, "",
                        "cannot write " + temp.string() + "; check free space and permissions");
    }
  }
  if (const auto error = replace_file(temp, file)) {
    std::filesystem::remove(temp, ec);
    std::string hint;
#ifdef _WIN32
    if (error.value() == ERROR_ACCESS_DENIED || error.value() == ERROR_SHARING_VIOLATION) {
      hint =
          "; another program holds the file open (readers should open it with FILE_SHARE_DELETE "
          "or close it right after reading), or the path is a directory";
    }
#endif
    return make_error(w, "", "cannot replace " + file.string() + ": " + error.message() + hint);
  }
  return Ok{};
}

}  // namespace rdwarm::host
