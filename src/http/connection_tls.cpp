#include "http/connection_impl.hpp"

namespace aic::http::detail {

asio::awaitable<void> serve_tls(tcp::socket socket, asio::ssl::context& tls, IoWorker& worker,
                                const ConnectionEnv& env, std::string remote) {
  co_await serve(beast::ssl_stream<tcp::socket>(std::move(socket), tls), worker, env,
                 std::move(remote));
}

}  // namespace aic::http::detail
