// Delivers webhook messages: claims due messages from the WebhookStore, signs and sends them
// through a Sender, and records every outcome. One thread per Dispatcher does the database
// work and the bookkeeping; the Sender does the network I/O asynchronously, so hundreds of
// deliveries are in flight at once. Outcomes are recorded in batches (one transaction for
// all that finished since the last one).
//
// Per endpoint it keeps a circuit breaker (a dead receiver is left alone for a while instead
// of being hammered) and the endpoint's own rate limit; a message held back by either is put
// back with a later due time and no attempt is counted.
//
// Delivery is at least once: a crash after a receiver answered and before the outcome was
// recorded sends the same message (same webhook-id) again when its lease runs out.
//
// Threading: start() and stop() from one thread; the Sender's callbacks may run on any
// thread.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/random.hpp"
#include "webhooks/delivery_policy.hpp"
#include "webhooks/webhook_store.hpp"

namespace aic::webhooks {

struct OutgoingRequest {
  std::string url;
  std::vector<Header> headers;
  std::string body;
};

struct SenderResult {
  int status = 0;                          // 0: no answer
  std::string error;                       // why there was no answer
  std::string body;                        // the start of the answer
  std::optional<std::string> retry_after;  // the Retry-After header, if sent
  std::chrono::milliseconds latency{0};
};

// Sends one POST; `done` runs exactly once, on any thread. Implemented over the outbound
// HTTP client by the composition root; tests may use their own.
class Sender {
 public:
  virtual ~Sender() = default;
  virtual void send(OutgoingRequest request, std::function<void(SenderResult)> done) = 0;
};

struct DispatcherOptions {
  std::size_t max_in_flight = 512;
  std::size_t claim_batch = 256;
  // How often to look for due messages when nothing woke the dispatcher (retries falling
  // due, messages queued by other replicas).
  std::chrono::milliseconds poll_interval{250};
};

struct DispatcherStats {
  std::uint64_t attempts = 0;
  std::uint64_t delivered = 0;
  std::uint64_t failed_attempts = 0;
  std::uint64_t deferred = 0;
};

class Dispatcher {
 public:
  Dispatcher(WebhookStore& store, Sender& sender, core::Random& random,
             DispatcherOptions options = {});
  ~Dispatcher();

  void start();
  // Stops claiming, waits up to `grace` for deliveries in flight and records them. Deliveries
  // still unanswered then are left to their lease (they are sent again later).
  void stop(std::chrono::milliseconds grace);

  DispatcherStats stats() const;

 private:
  struct Inbox;
  struct EndpointState {
    CircuitBreaker breaker;
    EndpointPacer pacer;
  };

  void run();
  // Sends or defers `claimed`; deferrals are appended to `deferred`.
  void dispatch(std::vector<ClaimedMessage>& claimed, std::vector<Deferral>& deferred);
  // Records finished outcomes once a batch is worth a transaction (or `force`); how many.
  std::size_t record_finished(bool force);
  // The smallest claim or record worth a transaction while the pipe is busy.
  std::size_t min_batch() const {
    return std::max<std::size_t>(1, std::min(options_.claim_batch, options_.max_in_flight) / 4);
  }
  static constexpr std::chrono::milliseconds kGatherFor{5};

  WebhookStore& store_;
  Sender& sender_;
  core::Random& random_;
  const DispatcherOptions options_;
  std::shared_ptr<WorkSignal> signal_;
  std::shared_ptr<Inbox> inbox_;
  std::map<std::string, EndpointState> endpoints_;         // dispatcher thread only
  std::size_t in_flight_ = 0;                              // dispatcher thread only
  std::chrono::steady_clock::time_point last_recorded_{};  // dispatcher thread only
  std::atomic<bool> stopping_{false};
  std::chrono::steady_clock::time_point stop_deadline_{};
  std::thread thread_;
  std::atomic<std::uint64_t> attempts_{0}, delivered_{0}, failed_attempts_{0}, deferred_{0};
};

}  // namespace aic::webhooks
