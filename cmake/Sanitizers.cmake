if(RDWARM_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
if(RDWARM_FUZZ)
  # Every library is instrumented for coverage; only the fuzz executables link libFuzzer's main.
  # -O1: a -O0 fuzz build runs several times fewer executions in the same bounded time.
  add_compile_options(-O1 -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
