// Webhook delivery as the server runs it: the outbound HTTP client (with the SSRF address
// policy from the configuration) plugged into the webhooks Dispatcher as its Sender.
//
// Threading: start() and stop() from one thread.
#pragma once

#include <chrono>
#include <memory>

#include "core/config.hpp"
#include "core/result.hpp"
#include "webhooks/dispatcher.hpp"
#include "webhooks/webhook_store.hpp"

namespace aic::cli {

class WebhookDelivery {
 public:
  // kInvalidArgument naming webhooks.allow_addresses for a range that is not a CIDR.
  static core::Result<std::unique_ptr<WebhookDelivery>> create(const core::WebhooksConfig& config,
                                                               webhooks::WebhookStore& store);
  ~WebhookDelivery();

  void start();
  // Lets deliveries in flight finish for up to `grace`, then cancels the rest (they are sent
  // again after their lease).
  void stop(std::chrono::milliseconds grace);

  webhooks::DispatcherStats stats() const;

 private:
  struct Parts;
  explicit WebhookDelivery(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

}  // namespace aic::cli
