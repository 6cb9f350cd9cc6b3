// Webhook endpoints, the messages owed to them and every delivery attempt, in the database.
//
// A message is one event for one endpoint; its id is the `webhook-id` every attempt sends, so
// a receiver can drop duplicates (delivery is at least once). Delivery workers create
// messages from the event log (events::EventLog, the transactional outbox): each claim first
// fans newly committed events out to the endpoints subscribed at that moment and marks them
// fanned out, in the same transaction, so every committed event is fanned out exactly once
// whichever process published it.
//
// Delivery workers (the Dispatcher) claim due messages with a lease: claiming sets the
// message's lease_until, so a worker that dies mid-attempt only delays the message until the
// lease runs out, and a worker that finishes records its outcome only if its lease is still
// the current one. On PostgreSQL claims use FOR UPDATE SKIP LOCKED,
// so replicas never claim the same message at once.
//
// Tenant isolation as in identity/: every function on endpoints takes the acting Principal;
// another tenant's endpoint is kNotFound. Endpoint secrets are sealed with the master key
// when one is configured and are never returned after creation or rotation.
//
// Threading: thread-safe; every call blocks on the database.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "audit/audit_log.hpp"
#include "core/principal.hpp"
#include "core/random.hpp"
#include "core/result.hpp"
#include "core/secret_box.hpp"
#include "events/event_log.hpp"
#include "store/database.hpp"
#include "store/page.hpp"

namespace aic::webhooks {

using Header = std::pair<std::string, std::string>;

struct Endpoint {
  std::string id;  // "whe_…"
  std::string tenant_id;
  std::string url;
  std::string description;
  std::vector<std::string> event_types;  // filters: "import.completed", "import.*", "*"
  std::vector<Header> headers;           // sent with every delivery
  std::optional<std::int64_t> rate_limit_per_second;
  std::optional<std::string> disabled_at;
  std::optional<std::string> disabled_reason;
  std::int64_t version = 1;  // the ETag; changes with every update
  std::string created_at;
  std::string updated_at;
};

struct NewEndpoint {
  std::string url;
  std::string description;
  std::vector<std::string> event_types = {"*"};
  std::vector<Header> headers;
  std::optional<std::int64_t> rate_limit_per_second;
};

// What an update changes; absent members stay as they are.
struct EndpointChanges {
  std::optional<std::string> url;
  std::optional<std::string> description;
  std::optional<std::vector<std::string>> event_types;
  std::optional<std::vector<Header>> headers;
  std::optional<std::optional<std::int64_t>> rate_limit_per_second;  // inner nullopt: no limit
};

// An endpoint with a secret just made: shown once, never again.
struct EndpointWithSecret {
  Endpoint endpoint;
  std::string secret;  // "whsec_…"
};

struct Message {
  std::string id;  // "msg_…", the webhook-id header
  std::string endpoint_id;
  std::string event_id;
  std::string event_type;
  std::string status;  // "pending", "delivered", "failed" (dead letter)
  std::int64_t attempts = 0;
  std::optional<std::string> next_attempt_at;  // pending only
  std::string created_at;
  std::optional<std::string> finished_at;
};

struct Attempt {
  std::string id;  // "wha_…"
  std::string message_id;
  std::string endpoint_id;
  std::int64_t attempt = 0;  // 1, 2, … for its message
  std::string attempted_at;
  bool succeeded = false;
  std::optional<std::int64_t> status_code;  // absent when no answer arrived
  std::int64_t latency_ms = 0;
  std::string response_body;  // the first 1 KiB
  std::string error;          // why it failed without an answer, or ""
};

// Which dead letters to send again: one message, or every one created at or after `since`.
struct ReplayRequest {
  std::optional<std::string> message_id;
  std::optional<std::string> since;  // RFC 3339 UTC
};

// Field checks shared by create and update; errors name the JSON pointer at fault.
core::Status validate_url(std::string_view url);
core::Status validate_event_types(const std::vector<std::string>& event_types);
core::Status validate_headers(const std::vector<Header>& headers);
core::Status validate_rate_limit(std::int64_t per_second);
// Every member `changes` sets, with the checks above (and the description's).
core::Status validate_changes(const EndpointChanges& changes);

// A message claimed for delivery, with what is needed to send it.
struct ClaimedMessage {
  std::string id;
  std::string tenant_id;
  std::string endpoint_id;
  std::string payload;
  std::int64_t attempts = 0;  // made before this one
  std::int64_t lease = 0;     // lease_until as claimed: proves the claim is still ours
  std::string url;
  std::vector<Header> headers;
  std::vector<std::string> secrets;  // newest first; both sign during a rotation
  std::optional<std::int64_t> rate_limit_per_second;
};

// What happened to a claimed message.
struct DeliveryOutcome {
  ClaimedMessage message;
  std::chrono::system_clock::time_point attempted_at;
  int status_code = 0;  // 0: no answer
  std::string error;
  std::string response_body;
  std::chrono::milliseconds latency{0};
  std::optional<std::chrono::milliseconds> retry_after;
  double jitter_unit = 0.5;  // where in the ±10 % jitter band the retry lands
};

// A claimed message put back without an attempt (circuit open, endpoint rate limit).
struct Deferral {
  std::string message_id;
  std::int64_t lease = 0;
  std::chrono::system_clock::time_point until;
};

struct WebhookStoreOptions {
  std::shared_ptr<const core::SecretBox> master_key;  // null: secrets stored as they are
  std::chrono::milliseconds lease{60'000};            // longer than any delivery attempt
};

// Wakes delivery workers when new work was committed in this process.
class WorkSignal {
 public:
  void notify();
  // Waits until notify() or `timeout`; true when notified since the last wait.
  bool wait_for(std::chrono::milliseconds timeout);

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool pending_ = false;  // GUARDED_BY(mutex_)
};

class WebhookStore {
 public:
  // Subscribes to `events`, so a local publish wakes delivery workers at once.
  WebhookStore(store::Database& database, core::Random& random, audit::AuditLog& audit,
               events::EventLog& events, WebhookStoreOptions options);
  ~WebhookStore();
  WebhookStore(const WebhookStore&) = delete;
  WebhookStore& operator=(const WebhookStore&) = delete;

  core::Result<EndpointWithSecret> create_endpoint(const core::Principal& actor,
                                                   const NewEndpoint& request,
                                                   const audit::Origin& origin);
  core::Result<store::PageOf<Endpoint>> list_endpoints(const core::Principal& actor,
                                                       const store::PageRequest& page);
  core::Result<Endpoint> get_endpoint(const core::Principal& actor, std::string_view endpoint_id);
  // kPreconditionFailed when `if_match` is set and is not the current version.
  core::Result<Endpoint> update_endpoint(const core::Principal& actor, std::string_view endpoint_id,
                                         const EndpointChanges& changes,
                                         std::optional<std::int64_t> if_match,
                                         const audit::Origin& origin);
  // Enabling clears the failure streak; disabling moves its pending messages to the dead
  // letters.
  core::Result<Endpoint> set_enabled(const core::Principal& actor, std::string_view endpoint_id,
                                     bool enabled, const audit::Origin& origin);
  // Deletes the endpoint with its messages and attempts.
  core::Status delete_endpoint(const core::Principal& actor, std::string_view endpoint_id,
                               const audit::Origin& origin);
  // A new secret; the old one keeps signing alongside it for 24 hours.
  core::Result<EndpointWithSecret> rotate_secret(const core::Principal& actor,
                                                 std::string_view endpoint_id,
                                                 const audit::Origin& origin);
  // Publishes a webhook.test event and queues it for this endpoint only.
  core::Result<Message> send_test(const core::Principal& actor, std::string_view endpoint_id,
                                  const audit::Origin& origin);

  // Newest first. `status` filters ("pending", "delivered", "failed") when not empty.
  core::Result<store::PageOf<Message>> list_messages(const core::Principal& actor,
                                                     std::string_view endpoint_id,
                                                     std::string_view status,
                                                     const store::PageRequest& page);
  core::Result<store::PageOf<Attempt>> list_attempts(const core::Principal& actor,
                                                     std::string_view endpoint_id,
                                                     const store::PageRequest& page);
  // Moves dead letters back to pending, due now, with a fresh schedule. Returns how many.
  core::Result<std::int64_t> replay(const core::Principal& actor, std::string_view endpoint_id,
                                    const ReplayRequest& request, const audit::Origin& origin);

  // For delivery workers: fans out events not yet fanned out, then claims up to `limit` due
  // messages of enabled endpoints, in one transaction.
  core::Result<std::vector<ClaimedMessage>> claim_due(std::chrono::system_clock::time_point now,
                                                      std::size_t limit);
  // Records attempts and moves messages on (delivered, rescheduled, dead letter), disabling
  // endpoints that answered 410 or failed for 5 days. Outcomes whose lease was taken over
  // by another worker are dropped.
  core::Status record(const std::vector<DeliveryOutcome>& outcomes);
  core::Status defer(const std::vector<Deferral>& deferrals);

  // Notified after commits that queued messages in this process. Shared, so callbacks that
  // outlive the store (an HTTP answer arriving during shutdown) can still notify it.
  const std::shared_ptr<WorkSignal>& work_signal() const { return work_signal_; }
  std::chrono::milliseconds lease() const { return options_.lease; }

 private:
  // Queues messages for events past each tenant's fan-out cursor and moves the cursors.
  core::Status fan_out_pending(store::Transaction& tx, std::int64_t now_ms);
  core::Status record_successes(store::Transaction& tx,
                                const std::vector<const DeliveryOutcome*>& outcomes);
  core::Status disable_in(store::Transaction& tx, const std::string& tenant_id,
                          const std::string& endpoint_id, const std::string& url,
                          const std::string& reason);
  core::Result<std::string> seal_secret(const std::string& endpoint_id, std::string_view secret);
  core::Result<std::string> open_secret(const std::string& endpoint_id,
                                        const std::string& stored) const;

  store::Database& database_;
  core::Random& random_;
  audit::AuditLog& audit_;
  events::EventLog& events_;
  WebhookStoreOptions options_;
  std::shared_ptr<WorkSignal> work_signal_ = std::make_shared<WorkSignal>();
  std::uint64_t subscription_ = 0;
};

}  // namespace aic::webhooks
