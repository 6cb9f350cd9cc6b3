// The one translation unit that compiles Beast's and Asio SSL's implementation
// (BOOST_BEAST_SEPARATE_COMPILATION / BOOST_ASIO_SEPARATE_COMPILATION); every other file that
// includes them only parses declarations. Asio's own implementation is in core/asio_impl.cpp.
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
