// A webhook receiver for tests: a real HTTP server on 127.0.0.1 (our own http::Server) that
// records every POST to /hooks and answers with a status the test chooses, optionally after
// a delay. Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/metrics.hpp"
#include "http/message.hpp"
#include "http/pipeline.hpp"
#include "http/router.hpp"
#include "http/server.hpp"

namespace aic::test {

class WebhookReceiver {
 public:
  struct Delivery {
    http::Headers headers;
    std::string body;
  };

  WebhookReceiver();
  ~WebhookReceiver();

  std::string url() const;  // http://127.0.0.1:<port>/hooks
  // What the next answers are: `status` (and a Retry-After value if not empty), after `delay`.
  void answer(int status, std::chrono::milliseconds delay = {}, std::string retry_after = {});
  std::vector<Delivery> deliveries();
  // Waits (up to `timeout`) until at least `count` deliveries arrived; returns them.
  std::vector<Delivery> wait_for(std::size_t count,
                                 std::chrono::milliseconds timeout = std::chrono::seconds(20));

 private:
  boost::asio::awaitable<http::Response> handle(http::RequestContext& context);

  std::mutex mutex_;
  std::condition_variable arrived_;
  std::vector<Delivery> deliveries_;  // GUARDED_BY(mutex_)
  int status_ = 204;                  // GUARDED_BY(mutex_)
  std::chrono::milliseconds delay_{0};
  std::string retry_after_;

  core::Config config_;
  core::Registry registry_;
  std::unique_ptr<http::HttpMetrics> metrics_;
  http::Router router_;
  std::unique_ptr<http::Pipeline> pipeline_;
  std::unique_ptr<http::Server> server_;
};

// The value of header `name` in a delivery ("" when absent).
std::string header_of(const WebhookReceiver::Delivery& delivery, std::string_view name);

}  // namespace aic::test
