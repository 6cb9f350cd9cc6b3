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
