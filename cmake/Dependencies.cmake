# All dependencies come from Debian packages installed by scripts/setup.
find_package(Threads REQUIRED)
find_package(OpenSSL 3 REQUIRED)
find_package(Boost 1.74 REQUIRED)
if(WIN32)  # Boost.Asio on Windows: Winsock and its extensions (AcceptEx, ConnectEx in mswsock)
  set_property(TARGET Boost::headers APPEND PROPERTY INTERFACE_LINK_LIBRARIES ws2_32 mswsock)
endif()
find_package(nlohmann_json 3 REQUIRED)
find_package(CLI11 REQUIRED)
# toml++ for rdwarm_config: header-only, so rdwarm.exe needs no extra library, and with exceptions
# off, so a parse error is a value with its position. ABI namespaces keep this apart from the
# exceptions-on build the lab links (toml++ names them toml::v3::noex / toml::v3::ex).
find_path(RDWARM_TOMLPLUSPLUS_INCLUDE_DIR toml++/toml.h REQUIRED)
add_library(rdwarm_tomlplusplus INTERFACE)
target_include_directories(rdwarm_tomlplusplus SYSTEM INTERFACE ${RDWARM_TOMLPLUSPLUS_INCLUDE_DIR})
target_compile_definitions(rdwarm_tomlplusplus INTERFACE TOML_HEADER_ONLY=1 TOML_EXCEPTIONS=0)
# toml++ (lab scenarios): Debian ships it as a shared library with a CMake package; elsewhere (the
# mingw cross build) it is used header-only.
find_package(tomlplusplus 3 QUIET)
if(NOT TARGET tomlplusplus::tomlplusplus)
  find_path(RDWARM_TOMLPP_INCLUDE_DIR toml++/toml.h REQUIRED)
  add_library(tomlplusplus::tomlplusplus INTERFACE IMPORTED)
  target_include_directories(tomlplusplus::tomlplusplus INTERFACE ${RDWARM_TOMLPP_INCLUDE_DIR})
  target_compile_definitions(tomlplusplus::tomlplusplus INTERFACE TOML_HEADER_ONLY=1)
endif()
if(RDWARM_TESTS)
  find_package(GTest REQUIRED)
endif()
if(RDWARM_BENCH AND NOT RDWARM_FUZZ)
  find_package(benchmark REQUIRED)
endif()
# spdlog for the agent's logs, header-only with fmt header-only: one code path for Linux and the
# mingw build, and no extra DLL next to rdwarm.exe.
find_path(RDWARM_SPDLOG_INCLUDE_DIR spdlog/spdlog.h REQUIRED)
find_path(RDWARM_FMT_INCLUDE_DIR fmt/format.h REQUIRED)
add_library(rdwarm_spdlog INTERFACE)
target_include_directories(rdwarm_spdlog SYSTEM INTERFACE ${RDWARM_SPDLOG_INCLUDE_DIR}
                           ${RDWARM_FMT_INCLUDE_DIR})
target_compile_definitions(rdwarm_spdlog INTERFACE SPDLOG_HEADER_ONLY SPDLOG_FMT_EXTERNAL
                           FMT_HEADER_ONLY)
