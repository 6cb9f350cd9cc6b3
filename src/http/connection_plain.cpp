#include <algorithm>

#include "http/connection_impl.hpp"

namespace aic::http::detail {

asio::awaitable<void> serve_plain(tcp::socket socket, IoWorker& worker, const ConnectionEnv& env,
                                  std::string remote) {
  co_await serve(std::move(socket), worker, env, std::move(remote));
}

void refuse_connection(tcp::socket socket) {
  // Over max_connections: say why in one response, then close.
  Response problem = problem_response(
      core::Error::make(core::ErrorCode::kOverloaded,
                        "the server has reached server.max_connections; retry shortly"),
      "");
  std::string head;
  render_head(problem, 11, false, head);
  std::array<asio::const_buffer, 2> buffers{asio::buffer(head), asio::buffer(problem.body)};
  boost::system::error_code ignored;
  socket.non_blocking(true, ignored);
  socket.write_some(buffers, ignored);
  socket.shutdown(tcp::socket::shutdown_send, ignored);
  socket.close(ignored);
}

Clock::duration deadline_sweep_interval(const core::ServerConfig& limits) {
  Clock::duration shortest =
      std::min({limits.header_timeout, limits.idle_timeout, limits.request_timeout});
  return std::clamp<Clock::duration>(shortest / 8, std::chrono::milliseconds(5),
                                     std::chrono::milliseconds(250));
}

}  // namespace aic::http::detail
