#include "webhooks/dispatcher.hpp"

#include <mutex>

#include "core/logging.hpp"
#include "core/thread_name.hpp"
#include "webhooks/signature.hpp"

namespace aic::webhooks {

// Outcomes handed back by the Sender's callbacks. Shared with those callbacks, so one that
// arrives after the Dispatcher is gone writes here harmlessly.
struct Dispatcher::Inbox {
  std::mutex mutex;
  std::vector<DeliveryOutcome> finished;  // GUARDED_BY(mutex)
};

namespace {

double unit_interval(core::Random& random) {
  std::uint32_t bits = 0;
  random.fill(std::span(reinterpret_cast<std::uint8_t*>(&bits), sizeof bits));
  return static_cast<double>(bits) / 4294967296.0;
}

// The signed request for one attempt: the same webhook-id every time, a fresh timestamp, and
// one signature per live secret.
OutgoingRequest signed_request(const ClaimedMessage& message,
                               std::chrono::system_clock::time_point now) {
  const std::int64_t timestamp =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  std::string signatures;
  for (const std::string& secret : message.secrets) {
    auto key = secret_key(secret);
    if (!key) continue;  // cannot happen for secrets we generated
    if (!signatures.empty()) signatures += ' ';
    signatures += sign(*key, message.id, timestamp, message.payload);
  }
  OutgoingRequest request;
  request.url = message.url;
  request.body = message.payload;
  request.headers = message.headers;
  request.headers.emplace_back("content-type", "application/json");
  request.headers.emplace_back("webhook-id", message.id);
  request.headers.emplace_back("webhook-timestamp", std::to_string(timestamp));
  request.headers.emplace_back("webhook-signature", std::move(signatures));
  return request;
}

}  // namespace

Dispatcher::Dispatcher(WebhookStore& store, Sender& sender, core::Random& random,
                       DispatcherOptions options)
    : store_(store),
      sender_(sender),
      random_(random),
      options_(options),
      signal_(store.work_signal()),
      inbox_(std::make_shared<Inbox>()) {}

Dispatcher::~Dispatcher() { stop(std::chrono::milliseconds(0)); }

void Dispatcher::start() {
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] {
    core::name_this_thread("aic-webhooks");
    run();
  });
}

void Dispatcher::stop(std::chrono::milliseconds grace) {
  if (!thread_.joinable()) return;
  stop_deadline_ = std::chrono::steady_clock::now() + grace;
  stopping_.store(true, std::memory_order_release);
  signal_->notify();
  thread_.join();
}

DispatcherStats Dispatcher::stats() const {
  return DispatcherStats{attempts_.load(), delivered_.load(), failed_attempts_.load(),
                         deferred_.load()};
}

std::size_t Dispatcher::record_finished(bool force) {
  std::vector<DeliveryOutcome> finished;
  {
    std::lock_guard lock(inbox_->mutex);
    const std::size_t waiting = inbox_->finished.size();
    if (waiting == 0) return 0;
    // Recording costs a transaction whatever its size, so outcomes are gathered into
    // batches while more deliveries are about to finish; never for longer than kGatherFor.
    const bool worth_it = force || waiting >= min_batch() || waiting == in_flight_ ||
                          std::chrono::steady_clock::now() - last_recorded_ >= kGatherFor;
    if (!worth_it) return 0;
    finished.swap(inbox_->finished);
  }
  last_recorded_ = std::chrono::steady_clock::now();
  if (finished.empty()) return 0;
  in_flight_ -= finished.size();
  for (DeliveryOutcome& outcome : finished) {
    const bool succeeded = is_success(outcome.status_code);
    endpoints_[outcome.message.endpoint_id].breaker.record(succeeded, outcome.attempted_at);
    (succeeded ? delivered_ : failed_attempts_).fetch_add(1, std::memory_order_relaxed);
    outcome.jitter_unit = unit_interval(random_);
  }
  if (core::Status recorded = store_.record(finished); !recorded) {
    // The messages keep their lease and are sent again when it runs out.
    core::log_warn("webhook outcomes not recorded (" + std::to_string(finished.size()) +
                   " messages will be retried after their lease): " + recorded.error().message);
  }
  return finished.size();
}

void Dispatcher::dispatch(std::vector<ClaimedMessage>& claimed, std::vector<Deferral>& deferred) {
  const auto now = std::chrono::system_clock::now();
  for (ClaimedMessage& message : claimed) {
    EndpointState& state = endpoints_[message.endpoint_id];
    if (!state.breaker.allow(now)) {
      deferred.push_back({message.id, message.lease, state.breaker.retry_at()});
      continue;
    }
    Millis wait{0};
    if (message.rate_limit_per_second &&
        !state.pacer.take(*message.rate_limit_per_second, now, wait)) {
      deferred.push_back({message.id, message.lease, now + wait});
      continue;
    }
    OutgoingRequest request = signed_request(message, now);
    ++in_flight_;
    attempts_.fetch_add(1, std::memory_order_relaxed);
    sender_.send(std::move(request),
                 [inbox = inbox_, signal = signal_, message = std::move(message),
                  now](SenderResult result) mutable {
                   DeliveryOutcome outcome;
                   outcome.message = std::move(message);
                   outcome.attempted_at = now;
                   outcome.status_code = result.status;
                   outcome.error = std::move(result.error);
                   outcome.response_body = std::move(result.body);
                   outcome.latency = result.latency;
                   if (result.retry_after) {
                     outcome.retry_after =
                         parse_retry_after(*result.retry_after, std::chrono::system_clock::now());
                   }
                   {
                     std::lock_guard lock(inbox->mutex);
                     inbox->finished.push_back(std::move(outcome));
                   }
                   signal->notify();
                 });
  }
}

void Dispatcher::run() {
  std::vector<Deferral> deferred;
  while (true) {
    const bool stopping = stopping_.load(std::memory_order_acquire);
    std::size_t recorded = record_finished(stopping);
    if (stopping) {
      if (in_flight_ == 0 || std::chrono::steady_clock::now() >= stop_deadline_) break;
      signal_->wait_for(std::chrono::milliseconds(20));
      continue;
    }

    // Like recording, a claim is a transaction: with the pipe nearly full, wait until a batch
    // worth claiming has room instead of claiming a few messages at a time.
    std::size_t claimed_count = 0;
    const std::size_t room = options_.max_in_flight - in_flight_;
    const std::size_t want = std::min(room, options_.claim_batch);
    if (room >= min_batch() || in_flight_ == 0) {
      auto claimed = store_.claim_due(std::chrono::system_clock::now(), want);
      if (!claimed) {
        core::log_warn("webhook messages not claimed: " + claimed.error().message);
      } else {
        claimed_count = claimed->size();
        deferred.clear();
        dispatch(*claimed, deferred);
        deferred_.fetch_add(deferred.size(), std::memory_order_relaxed);
        if (core::Status put_back = store_.defer(deferred); !put_back) {
          core::log_warn("webhook deferrals not recorded: " + put_back.error().message);
        }
      }
    }
    // A full batch suggests more are due; finished deliveries are worth recording at once.
    const bool busy = claimed_count == want && claimed_count > 0;
    if (busy || recorded > 0) continue;
    // Outcomes being gathered are recorded within kGatherFor even if nothing else arrives.
    bool gathering = false;
    {
      std::lock_guard lock(inbox_->mutex);
      gathering = !inbox_->finished.empty();
    }
    signal_->wait_for(gathering ? std::chrono::duration_cast<std::chrono::milliseconds>(kGatherFor)
                                : options_.poll_interval);
  }
}

}  // namespace aic::webhooks
