# Sanitizers apply to the whole build (libraries, tests and the binary) so that reports are
# never split across instrumented and uninstrumented code.
if(AIC_SANITIZERS)
  add_compile_options(-fsanitize=${AIC_SANITIZERS} -fno-omit-frame-pointer
                      -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${AIC_SANITIZERS})
endif()
# GCC warns (-Wtsan) that TSan does not model std::atomic_thread_fence, which Asio uses; the
# warning is about the tool, not our code, and would otherwise fail -Werror builds.
if(AIC_SANITIZERS MATCHES "thread" AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  add_compile_options(-Wno-tsan)
endif()
# clang 14 fails on coroutines with UBSan's `function` check combined with coverage
# instrumentation ("Cannot represent a difference across sections"); that one check is
# dropped there, the rest of UBSan stays.
if(AIC_SANITIZERS MATCHES "undefined" AND CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  add_compile_options(-fno-sanitize=function)
endif()
