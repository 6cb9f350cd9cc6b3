// `Idempotency-Key` on POST: a client that retries a request (after a timeout, a dropped
// connection) with the same key gets the first attempt's answer instead of a second effect.
//
//   same key, same method + path + body, first attempt finished  → its stored answer again,
//                                                                   with Idempotent-Replayed: true
//   same key, different request                                  → 422 idempotency-key-reused
//   same key while the first attempt is still running            → 409
//
// Keys belong to the caller: the tenant, the principal and the exact set of permissions its
// credential carries, so a weaker key of the same user cannot read what a stronger one was
// answered. They are kept 24 hours. Answers of 5xx are not kept, so the retry runs again. An
// attempt whose process died leaves its key "running"; once it is older than the longest a
// request may run (plus a margin) it is considered abandoned and the next attempt runs.
//
// A kept answer can hold a one-time secret (a new API key, a client secret), so it is stored
// sealed (AES-256-GCM) under the operator's master key, bound to its scope and key. Without a
// master key the process seals with a key of its own: another process, or this one after a
// restart, answers a retry with 409 instead of replaying, and never runs the request twice.
//
// Only the status, Content-Type, ETag and body are replayed; other headers are the replay's.
//
#pragma once

#include <atomic>
#include <chrono>
#include <memory>

#include "core/random.hpp"
#include "core/secret_box.hpp"
#include "core/worker_pool.hpp"
#include "http/router.hpp"
#include "store/database.hpp"

namespace aic::api {

struct IdempotencyOptions {
  // Seals kept answers; null makes a key for this process alone (see above).
  std::shared_ptr<const core::SecretBox> master_key;
  // The longest a request may run (server.request_timeout); a first attempt older than this
  // plus a margin is taken to have died with its process.
  std::chrono::milliseconds request_timeout{std::chrono::seconds(30)};
};

class Idempotency {
 public:
  Idempotency(store::Database& database, core::WorkerPool& workers, core::Random& random,
              IdempotencyOptions options = {});

  // `handler` with Idempotency-Key support. Requires a principal on the request (the route
  // must be protected) when the header is sent.
  http::Handler wrap(http::Handler handler);

 private:
  boost::asio::awaitable<http::Response> handle(const http::Handler& handler,
                                                http::RequestContext& context);

  store::Database& database_;
  core::WorkerPool& workers_;
  core::Random& random_;
  const std::shared_ptr<const core::SecretBox> box_;
  const std::chrono::seconds abandoned_after_;
  // Seconds since the epoch before which no purge of old answers is due.
  std::atomic<std::int64_t> next_purge_{0};
};

}  // namespace aic::api
