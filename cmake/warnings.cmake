# Every aic target gets the same warning set; AIC_WERROR (on by default, always in CI) makes
# them fatal.
add_library(aic_warnings INTERFACE)
target_compile_options(aic_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow
                                              -Wnon-virtual-dtor -Wimplicit-fallthrough
                                              # Designated initializers omit members on purpose.
                                              -Wno-missing-field-initializers)
if(AIC_WERROR)
  target_compile_options(aic_warnings INTERFACE -Werror)
endif()
# GCC 12 reports a false -Wmismatched-new-delete on coroutine frames that use their own
# allocator (Asio's awaitable frames) at -O2.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  target_compile_options(aic_warnings INTERFACE -Wno-mismatched-new-delete)
endif()
# GCC 12 at -O3 reports a false -Wrestrict inside libstdc++ for `"text" + std::string`
# (GCC bug 105651, fixed in GCC 13); the warning stays on for other compilers.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(aic_warnings INTERFACE -Wno-restrict)
endif()
