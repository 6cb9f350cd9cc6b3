#include <boost/beast/ssl.hpp>

#include "http/connection_impl.hpp"

namespace aic::http::detail {

asio::awaitable<void> serve_tls(tcp::socket socket, asio::ssl::context& tls, IoWorker& worker,
                                const ConnectionEnv& env, std::string remote) {
  co_await serve(beast::ssl_stream<beast::tcp_stream>(std::move(socket), tls), worker, env,
                 std::move(remote));
}

}  // namespace aic::http::detail
