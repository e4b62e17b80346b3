# Warnings are errors, for every target of ours (not for third-party code). -Wnull-dereference is
# left out: GCC 12 at -O3 reports false positives inside the Boost.Asio headers.
add_library(rdwarm_warnings INTERFACE)
target_compile_options(rdwarm_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Werror -Wshadow -Wconversion -Wsign-conversion
  -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Woverloaded-virtual
  -Wimplicit-fallthrough -Wformat=2)
