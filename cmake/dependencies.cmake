# All dependencies come from Debian 12 packages (scripts/install-deps.sh).
find_package(Threads REQUIRED)
find_package(Boost 1.81 REQUIRED CONFIG COMPONENTS json url)
find_package(OpenSSL 3 REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(PostgreSQL REQUIRED)
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
find_package(CLI11 REQUIRED)
find_package(tomlplusplus REQUIRED)
find_package(pugixml REQUIRED)
if(AIC_JEMALLOC)
  find_package(PkgConfig REQUIRED)
  pkg_check_modules(JEMALLOC REQUIRED IMPORTED_TARGET jemalloc)
endif()
if(AIC_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(AIC_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()

# Asio is used header-only but compiled once: BOOST_ASIO_SEPARATE_COMPILATION moves its
# implementation into src/core/asio_impl.cpp (Beast and SSL: src/http/beast_impl.cpp), which keeps every other TU lighter.
add_library(aic_asio INTERFACE)
target_link_libraries(aic_asio INTERFACE Boost::headers Threads::Threads)
target_compile_definitions(aic_asio INTERFACE BOOST_ASIO_NO_DEPRECATED
                                              BOOST_ASIO_SEPARATE_COMPILATION
                                              BOOST_BEAST_SEPARATE_COMPILATION)
