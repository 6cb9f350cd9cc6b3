# Profile-guided optimisation (GCC), in two builds of the same build directory:
#   AIC_PGO=generate  instrumented: running the binary writes branch and call counts to
#                     AIC_PGO_DIR when it exits;
#   AIC_PGO=use       optimised with those counts: hot paths laid out together and inlined,
#                     cold ones moved aside.
# scripts/build-pgo.sh runs both with a training load in between. The counts are matched to
# object files by their path, so both phases must use the same build directory.
set(AIC_PGO "" CACHE STRING "Profile-guided optimisation phase: empty, generate or use")
set_property(CACHE AIC_PGO PROPERTY STRINGS "" generate use)
set(AIC_PGO_DIR "${CMAKE_BINARY_DIR}/pgo-profile" CACHE PATH "Where the profile is written and read")

if(AIC_PGO STREQUAL "generate")
  # Atomic counters where the target has them: the server's threads update them concurrently.
  add_compile_options(-fprofile-generate -fprofile-update=prefer-atomic
                      "-fprofile-dir=${AIC_PGO_DIR}")
  add_link_options(-fprofile-generate)
elseif(AIC_PGO STREQUAL "use")
  if(NOT EXISTS "${AIC_PGO_DIR}")
    message(FATAL_ERROR "AIC_PGO=use: no profile in ${AIC_PGO_DIR}; run the generate phase first")
  endif()
  # Code the training never ran (other routes, error paths) is optimised as without a
  # profile rather than for size. A file without counts, or whose generated source differs
  # (build_info.cpp), is compiled as usual instead of failing the build.
  add_compile_options(-fprofile-use -fprofile-partial-training "-fprofile-dir=${AIC_PGO_DIR}"
                      -Wno-missing-profile -Wno-coverage-mismatch)
elseif(NOT AIC_PGO STREQUAL "")
  message(FATAL_ERROR "AIC_PGO must be empty, generate or use, not '${AIC_PGO}'")
endif()
