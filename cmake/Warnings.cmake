# Warnings are errors, for every target of ours (not for third-party code).
add_library(rdwarm_warnings INTERFACE)
target_compile_options(rdwarm_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Werror -Wshadow -Wconversion -Wsign-conversion
  -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Woverloaded-virtual
  -Wnull-dereference -Wimplicit-fallthrough -Wformat=2)
