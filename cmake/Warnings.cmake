# Warnings are errors, for every target of ours (not for third-party code). -Wnull-dereference is
# left out: GCC 12 at -O3 reports false positives inside the Boost.Asio headers.
add_library(rdwarm_warnings INTERFACE)
target_compile_options(rdwarm_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Werror -Wshadow -Wconversion -Wsign-conversion
  -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Woverloaded-virtual
  -Wimplicit-fallthrough -Wformat=2)
# GCC 12 at -O2/-O3 reports -Wrestrict inside libstdc++'s std::string concatenation (GCC bug
# 105329, fixed in GCC 13): a false positive in the standard library, not in our code.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(rdwarm_warnings INTERFACE -Wno-restrict)
endif()
