find_program(AIC_CCACHE ccache)
if(AIC_CCACHE)
  set(CMAKE_CXX_COMPILER_LAUNCHER "${AIC_CCACHE}")
endif()
