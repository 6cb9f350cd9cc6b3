#include "cli/webhook_delivery.hpp"

#include "core/random.hpp"
#include "http/client/address_policy.hpp"
#include "http/client/http_client.hpp"

namespace aic::cli {
namespace {

// The answer bytes worth keeping: the attempt log stores the first 1 KiB.
constexpr std::size_t kResponseBytesKept = 1024;

class HttpSender final : public webhooks::Sender {
 public:
  explicit HttpSender(http::HttpClient& client) : client_(client) {}

  void send(webhooks::OutgoingRequest outgoing,
            std::function<void(webhooks::SenderResult)> done) override {
    http::ClientRequest request;
    request.method = http::Method::kPost;
    request.url = std::move(outgoing.url);
    for (const auto& [name, value] : outgoing.headers) request.headers.add(name, value);
    request.body = std::move(outgoing.body);
    client_.send(std::move(request), [done = std::move(done)](http::ClientResponse response) {
      webhooks::SenderResult result;
      result.status = response.status;
      result.error = std::move(response.error);
      response.body.resize(std::min(response.body.size(), kResponseBytesKept));
      result.body = std::move(response.body);
      if (auto retry_after = response.headers.get("Retry-After")) {
        result.retry_after = std::string(*retry_after);
      }
      result.latency = std::chrono::duration_cast<std::chrono::milliseconds>(response.elapsed);
      done(std::move(result));
    });
  }

 private:
  http::HttpClient& client_;
};

}  // namespace

// Declared in this order so that destruction stops the dispatcher before the client it
// sends through, and the client (cancelling what is left) before the sender adapter.
struct WebhookDelivery::Parts {
  std::unique_ptr<http::HttpClient> client;
  std::unique_ptr<HttpSender> sender;
  std::unique_ptr<webhooks::Dispatcher> dispatcher;
  ~Parts() {
    if (dispatcher) dispatcher->stop(std::chrono::milliseconds(0));
    client.reset();
  }
};

core::Result<std::unique_ptr<WebhookDelivery>> WebhookDelivery::create(
    const core::WebhooksConfig& config, webhooks::WebhookStore& store) {
  std::vector<http::Cidr> allowed;
  for (const std::string& range : config.allow_addresses) {
    auto cidr = http::parse_cidr(range);
    if (!cidr) {
      return core::Error::invalid("\"" + range + "\" is not an address range like 10.0.0.0/8",
                                  "webhooks.allow_addresses");
    }
    allowed.push_back(*cidr);
  }
  http::ClientOptions options;
  options.connect_timeout = config.connect_timeout;
  options.total_timeout = config.timeout;
  options.address_policy = http::AddressPolicy::public_only(std::move(allowed));
  options.user_agent = "aic-webhooks";
  auto parts = std::make_unique<Parts>();
  parts->client = std::make_unique<http::HttpClient>(std::move(options));
  parts->sender = std::make_unique<HttpSender>(*parts->client);
  webhooks::DispatcherOptions dispatcher_options;
  dispatcher_options.max_in_flight = static_cast<std::size_t>(config.max_in_flight);
  dispatcher_options.poll_interval = config.poll_interval;
  parts->dispatcher = std::make_unique<webhooks::Dispatcher>(
      store, *parts->sender, core::system_random(), dispatcher_options);
  return std::unique_ptr<WebhookDelivery>(new WebhookDelivery(std::move(parts)));
}

WebhookDelivery::WebhookDelivery(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}
WebhookDelivery::~WebhookDelivery() = default;

void WebhookDelivery::start() { parts_->dispatcher->start(); }

void WebhookDelivery::stop(std::chrono::milliseconds grace) { parts_->dispatcher->stop(grace); }

webhooks::DispatcherStats WebhookDelivery::stats() const { return parts_->dispatcher->stats(); }

}  // namespace aic::cli
