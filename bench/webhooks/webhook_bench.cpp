// Webhook delivery throughput and latency, against a receiver on loopback in the same
// process, on SQLite or PostgreSQL.
//
//   baseline     the outbound HTTP client alone POSTs the same bodies to the same receiver,
//                256 in flight: the ceiling of this machine's loopback HTTP
//   throughput   N events committed first (500 per transaction), then the real delivery
//                path (fan-out, claim with lease, sign, POST, record) from start to the last
//                recorded outcome; reported as deliveries/s and as a ratio to the baseline
//   latency      one event at a time, every 20 ms: from its commit returning to the receiver
//                having it (p50 / p99)
//
// Usage: aic_webhook_bench DATABASE_URL [EVENTS]   (bench/webhooks/run.sh runs both backends)
#include <algorithm>
#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <thread>
#include <vector>

#include "audit/audit_log.hpp"
#include "cli/webhook_delivery.hpp"
#include "core/config.hpp"
#include "core/logging.hpp"
#include "core/metrics.hpp"
#include "core/random.hpp"
#include "events/event_log.hpp"
#include "http/client/http_client.hpp"
#include "http/pipeline.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "store/database.hpp"
#include "support/bench_database.hpp"
#include "webhooks/webhook_store.hpp"

namespace {

using namespace aic;
using Clock = std::chrono::steady_clock;

// Counts POSTs and notes when each arrived.
class Receiver {
 public:
  Receiver() {
    config_.server.listen = "127.0.0.1:0";
    config_.server.io_threads = 1;
    config_.server.shutdown_grace = std::chrono::milliseconds(100);
    metrics_ = std::make_unique<http::HttpMetrics>(registry_);
    router_.add(http::Method::kPost, "/hooks",
                [this](http::RequestContext&) -> boost::asio::awaitable<http::Response> {
                  {
                    std::lock_guard lock(mutex_);
                    ++count_;
                    last_at_ = Clock::now();
                  }
                  arrived_.notify_all();
                  co_return http::Response::empty(204);
                },
                {.permission = std::string(http::kPublic)});
    pipeline_ =
        std::make_unique<http::Pipeline>(std::vector<std::unique_ptr<http::Filter>>{}, router_);
    server_ = std::make_unique<http::Server>(config_, *pipeline_, *metrics_);
    if (!server_->start()) throw std::runtime_error("receiver did not start");
  }
  ~Receiver() {
    server_->begin_shutdown();
    server_->wait();
  }
  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(server_->port()) + "/hooks";
  }
  std::uint64_t count() {
    std::lock_guard lock(mutex_);
    return count_;
  }
  // Waits until `count` POSTs arrived; the time the last one did.
  Clock::time_point wait_for(std::uint64_t count) {
    std::unique_lock lock(mutex_);
    arrived_.wait(lock, [&] { return count_ >= count; });
    return last_at_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable arrived_;
  std::uint64_t count_ = 0;
  Clock::time_point last_at_;
  core::Config config_;
  core::Registry registry_;
  std::unique_ptr<http::HttpMetrics> metrics_;
  http::Router router_;
  std::unique_ptr<http::Pipeline> pipeline_;
  std::unique_ptr<http::Server> server_;
};

constexpr std::string_view kData =
    R"({"id":"key_0123456789abcdef","name":"bench","role":"viewer",)"
    R"("principal_kind":"user","principal_id":"usr_1","expires_at":null})";

double seconds_between(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: aic_webhook_bench DATABASE_URL [EVENTS]\n";
    return 2;
  }
  const std::string url = argv[1];
  const int events_count = argc > 2 ? std::atoi(argv[2]) : 20000;
  core::LogConfig quiet;
  quiet.level = "warn";
  core::configure_logging(quiet);

  const std::string tenant = "ten_bench" + core::random_hex(core::system_random(), 4);
  auto database = bench::open_bench_database(url, tenant);
  if (!database) return 1;
  store::Database& db = *database;

  Receiver receiver;
  audit::AuditLog audit(db, core::system_random());
  events::EventLog events(db, core::system_random());
  webhooks::WebhookStore store(db, core::system_random(), audit, events, {});
  core::Principal owner;
  owner.id = "usr_bench";
  owner.tenant_id = tenant;
  owner.role = "owner";
  webhooks::NewEndpoint endpoint;
  endpoint.url = receiver.url();
  if (!store.create_endpoint(owner, endpoint, {})) return 1;

  // Baseline: the client alone.
  double baseline_rate = 0;
  {
    http::ClientOptions client_options;
    client_options.address_policy = http::AddressPolicy::allow_all();
    http::HttpClient client(client_options);
    std::string body = R"({"id":"evt_x","type":"api_key.created","tenant_id":")" + tenant +
                       R"(","occurred_at":"2026-11-22T00:00:00.000Z","data":)" +
                       std::string(kData) + "}";
    std::atomic<int> in_flight{0};
    std::mutex mutex;
    std::condition_variable room;
    const auto start = Clock::now();
    for (int i = 0; i < events_count; ++i) {
      {
        std::unique_lock lock(mutex);
        room.wait(lock, [&] { return in_flight.load() < 256; });
      }
      ++in_flight;
      http::ClientRequest request;
      request.url = receiver.url();
      request.headers.add("content-type", "application/json");
      request.body = body;
      client.send(std::move(request), [&](http::ClientResponse) {
        {
          std::lock_guard lock(mutex);
          --in_flight;
        }
        room.notify_one();
      });
    }
    auto last = receiver.wait_for(static_cast<std::uint64_t>(events_count));
    baseline_rate = events_count / seconds_between(start, last);
  }

  // Throughput: events committed first, then delivered by the real path.
  const std::uint64_t before = receiver.count();
  for (int done = 0; done < events_count;) {
    int batch = std::min(500, events_count - done);
    auto published = db.transact(store::Access::kReadWrite, [&](store::Transaction& tx) {
      for (int i = 0; i < batch; ++i) {
        auto event = events.publish(tx, tenant, "api_key.created", std::string(kData));
        if (!event) return core::Status(event.error());
      }
      return core::Status{};
    });
    if (!published) {
      std::cerr << "publish: " << published.error().message << "\n";
      return 1;
    }
    done += batch;
  }
  core::WebhooksConfig delivery_config;
  delivery_config.allow_addresses = {"127.0.0.0/8"};
  delivery_config.poll_interval = std::chrono::milliseconds(250);
  auto delivery = cli::WebhookDelivery::create(delivery_config, store);
  if (!delivery) return 1;
  const auto start = Clock::now();
  (*delivery)->start();
  receiver.wait_for(before + static_cast<std::uint64_t>(events_count));
  // Delivered means recorded: wait until the last outcome is in the database.
  for (;;) {
    auto stats = (*delivery)->stats();
    auto pending = db.transact(store::Access::kReadOnly, [&](store::Transaction& tx) {
      auto rows = tx.execute(
          "SELECT COUNT(*) FROM webhook_messages WHERE tenant_id = $1 AND status <> 'delivered'",
          {tenant});
      if (!rows) return core::Status(rows.error());
      if (rows->integer(0, 0) != 0)
        return core::Status(core::Error::make(core::ErrorCode::kConflict, "not yet"));
      return core::Status{};
    });
    if (pending) break;
    (void)stats;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const double delivery_rate = events_count / seconds_between(start, Clock::now());

  // Latency at light load: one event every 20 ms.
  std::vector<double> latencies_ms;
  for (int i = 0; i < 200; ++i) {
    const std::uint64_t expected = receiver.count() + 1;
    auto published = db.transact(store::Access::kReadWrite, [&](store::Transaction& tx) {
      auto event = events.publish(tx, tenant, "api_key.created", std::string(kData));
      return event ? core::Status{} : core::Status(event.error());
    });
    if (!published) return 1;
    const auto committed = Clock::now();
    auto arrived = receiver.wait_for(expected);
    latencies_ms.push_back(seconds_between(committed, arrived) * 1000);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  (*delivery)->stop(std::chrono::seconds(5));
  std::sort(latencies_ms.begin(), latencies_ms.end());
  auto percentile = [&](double p) {
    return latencies_ms[static_cast<std::size_t>(p * static_cast<double>(latencies_ms.size() - 1))];
  };

  std::printf("backend=%s events=%d\n", std::string(store::backend_name(db.backend())).c_str(),
              events_count);
  std::printf("baseline (client only): %.0f POSTs/s\n", baseline_rate);
  std::printf("delivery (fan-out, claim, sign, POST, record): %.0f deliveries/s\n", delivery_rate);
  std::printf("ratio delivery/baseline: %.2f\n", delivery_rate / baseline_rate);
  std::printf("commit-to-receipt latency: p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
              percentile(0.50), percentile(0.99), latencies_ms.back());
  return 0;
}
