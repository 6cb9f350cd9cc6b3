#include "webhook_receiver.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <stdexcept>

namespace aic::test {

WebhookReceiver::WebhookReceiver() {
  config_.server.listen = "127.0.0.1:0";
  config_.server.io_threads = 1;
  config_.server.shutdown_grace = std::chrono::milliseconds(200);
  config_.server.shutdown_delay = std::chrono::milliseconds(0);
  metrics_ = std::make_unique<http::HttpMetrics>(registry_);
  router_.add(http::Method::kPost, "/hooks",
              [this](http::RequestContext& context) { return handle(context); },
              {.permission = std::string(http::kPublic)});
  pipeline_ =
      std::make_unique<http::Pipeline>(std::vector<std::unique_ptr<http::Filter>>{}, router_);
  server_ = std::make_unique<http::Server>(config_, *pipeline_, *metrics_);
  if (auto started = server_->start(); !started) {
    throw std::runtime_error("receiver: " + started.error().message);
  }
}

WebhookReceiver::~WebhookReceiver() {
  server_->begin_shutdown();
  server_->wait();
}

std::string WebhookReceiver::url() const {
  return "http://127.0.0.1:" + std::to_string(server_->port()) + "/hooks";
}

void WebhookReceiver::answer(int status, std::chrono::milliseconds delay, std::string retry_after) {
  std::lock_guard lock(mutex_);
  status_ = status;
  delay_ = delay;
  retry_after_ = std::move(retry_after);
}

std::vector<WebhookReceiver::Delivery> WebhookReceiver::deliveries() {
  std::lock_guard lock(mutex_);
  return deliveries_;
}

std::vector<WebhookReceiver::Delivery> WebhookReceiver::wait_for(
    std::size_t count, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  arrived_.wait_for(lock, timeout, [&] { return deliveries_.size() >= count; });
  return deliveries_;
}

boost::asio::awaitable<http::Response> WebhookReceiver::handle(http::RequestContext& context) {
  int status = 0;
  std::chrono::milliseconds delay{0};
  std::string retry_after;
  {
    std::lock_guard lock(mutex_);
    deliveries_.push_back({context.request.headers, context.request.body});
    status = status_;
    delay = delay_;
    retry_after = retry_after_;
  }
  arrived_.notify_all();
  if (delay.count() > 0) {
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, delay);
    co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
  }
  http::Response response =
      http::Response::make(status, "receiver says " + std::to_string(status), "text/plain");
  if (!retry_after.empty()) response.headers.set("Retry-After", retry_after);
  co_return response;
}

std::string header_of(const WebhookReceiver::Delivery& delivery, std::string_view name) {
  auto value = delivery.headers.get(name);
  return value ? std::string(*value) : std::string();
}

}  // namespace aic::test
