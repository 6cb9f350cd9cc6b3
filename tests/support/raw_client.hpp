// A deliberately simple blocking HTTP/1.1 client over POSIX sockets for tests: it sends
// exactly the bytes it is given (so tests can send malformed requests) and parses responses
// with Content-Length or chunked bodies. Every read has a timeout; nothing here sleeps.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace aic::test {

struct RawResponse {
  int status = 0;
  std::string reason;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::optional<std::string> header(std::string_view name) const;  // case-insensitive
};

class RawClient {
 public:
  // Connects to 127.0.0.1:port. Throws std::runtime_error on failure.
  explicit RawClient(std::uint16_t port,
                     std::chrono::milliseconds timeout = std::chrono::seconds(10));
  ~RawClient();
  RawClient(RawClient&& other) noexcept;
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  // Sends all bytes. Returns false if the peer closed the connection.
  bool send(std::string_view bytes);
  // Reads one response; nullopt when the connection closed or timed out first.
  // `head_request`: the response to a HEAD has no body whatever its Content-Length says.
  std::optional<RawResponse> read_response(bool head_request = false);
  // Raw bytes (chunk framing included) until `marker` has arrived, the connection closed or
  // the client's timeout passed between reads; returns and forgets everything buffered. For
  // streamed bodies such as Server-Sent Events.
  std::string read_until(std::string_view marker);
  // True when the server closed the connection (EOF) within the timeout.
  bool wait_closed();
  // Closes abruptly with RST (SO_LINGER 0).
  void reset();
  int fd() const { return fd_; }

 private:
  bool fill();  // reads more into buffer_; false on EOF/timeout
  int fd_ = -1;
  std::chrono::milliseconds timeout_;
  std::string buffer_;
};

// GET/POST convenience: one request on a fresh connection.
std::optional<RawResponse> http_request(
    std::uint16_t port, std::string_view method, std::string_view target,
    std::string_view body = {}, std::vector<std::pair<std::string, std::string>> headers = {});

// Polls `condition` every few milliseconds until it holds or `timeout` passes.
template <typename Condition>
bool eventually(Condition condition, std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace aic::test

#include <thread>

namespace aic::test {
template <typename Condition>
bool eventually(Condition condition, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return condition();
}
}  // namespace aic::test
