# Sanitizers apply to the whole build (libraries, tests and the binary) so that reports are
# never split across instrumented and uninstrumented code.
if(AIC_SANITIZERS)
  add_compile_options(-fsanitize=${AIC_SANITIZERS} -fno-omit-frame-pointer
                      -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${AIC_SANITIZERS})
endif()
