# Cross-compiles rdwarm for 64-bit Windows with Debian's mingw-w64 (posix thread model) and runs
# the Windows test executables under wine. Dependencies come from scripts/setup-mingw, which builds
# OpenSSL and GoogleTest into RDWARM_MINGW_PREFIX (default /opt/rdwarm-mingw) and links Debian's
# header-only libraries there. docs/windows-platform.md explains the whole setup.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(CMAKE_SYSTEM_VERSION 10.0)

set(_triplet x86_64-w64-mingw32)
# -posix: GCC 12's default win32 thread model has no std::thread / std::mutex.
set(CMAKE_C_COMPILER ${_triplet}-gcc-posix)
set(CMAKE_CXX_COMPILER ${_triplet}-g++-posix)
set(CMAKE_RC_COMPILER ${_triplet}-windres)

if(NOT DEFINED RDWARM_MINGW_PREFIX)
  if(DEFINED ENV{RDWARM_MINGW_PREFIX})
    set(RDWARM_MINGW_PREFIX "$ENV{RDWARM_MINGW_PREFIX}")
  else()
    set(RDWARM_MINGW_PREFIX /opt/rdwarm-mingw)
  endif()
endif()
set(RDWARM_MINGW_PREFIX "${RDWARM_MINGW_PREFIX}" CACHE PATH "Prefix built by scripts/setup-mingw")

# Only the mingw sysroot and the private prefix: glibc's /usr/include must never be seen.
set(CMAKE_FIND_ROOT_PATH /usr/${_triplet} ${RDWARM_MINGW_PREFIX})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

set(OPENSSL_ROOT_DIR ${RDWARM_MINGW_PREFIX})
set(OPENSSL_USE_STATIC_LIBS TRUE)
set(Boost_NO_BOOST_CMAKE ON)

# Windows 10 API level. Boost 1.74's asio/awaitable.hpp uses std::exchange without <utility>,
# which mingw's libstdc++ does not pull in through other headers.
set(CMAKE_CXX_FLAGS_INIT "-D_WIN32_WINNT=0x0A00 -include utility")
# One self-contained .exe: no libstdc++/libgcc/winpthread DLLs to ship (wine fails without them).
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static")

# Test executables run under wine, in a prefix inside the build directory (never ~/.wine).
set(CMAKE_CROSSCOMPILING_EMULATOR "${CMAKE_CURRENT_LIST_DIR}/wine-emulator.sh;${CMAKE_BINARY_DIR}/wineprefix")
