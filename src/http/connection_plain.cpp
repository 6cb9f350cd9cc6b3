#include "http/connection_impl.hpp"

namespace aic::http::detail {

asio::awaitable<void> serve_plain(tcp::socket socket, IoWorker& worker, const ConnectionEnv& env,
                                  std::string remote) {
  co_await serve(beast::tcp_stream(std::move(socket)), worker, env, std::move(remote));
}

asio::awaitable<void> refuse_connection(tcp::socket socket) {
  // Over max_connections: say why in one response, then close.
  beast::tcp_stream stream(std::move(socket));
  Response problem = problem_response(
      core::Error::make(core::ErrorCode::kOverloaded,
                        "the server has reached server.max_connections; retry shortly"),
      "");
  std::string head;
  stream.expires_after(std::chrono::seconds(1));
  co_await write_response(stream, problem, 11, false, false, head);
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  stream.close();
}

}  // namespace aic::http::detail
