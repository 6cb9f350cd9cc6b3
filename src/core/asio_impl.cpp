// The one translation unit that compiles Asio's implementation
// (BOOST_ASIO_SEPARATE_COMPILATION), here because core is the lowest layer using Asio.
#include <boost/asio/impl/src.hpp>
