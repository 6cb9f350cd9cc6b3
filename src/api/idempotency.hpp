// `Idempotency-Key` on POST: a client that retries a request (after a timeout, a dropped
// connection) with the same key gets the first attempt's answer instead of a second effect.
//
//   same key, same method + path + body, first attempt finished  → its stored answer again,
//                                                                   with Idempotent-Replayed: true
//   same key, different request                                  → 422 idempotency-key-reused
//   same key while the first attempt is still running            → 409
//
// Keys belong to the caller (tenant and principal) and are kept 24 hours. Answers of 5xx are
// not kept, so the retry runs again. An attempt whose process died leaves its key "running";
// after a minute it is considered abandoned and the next attempt runs.
//
// Only the status, Content-Type, ETag and body are replayed; other headers are the replay's.
//
// Threading: the wrapped handler may run on any I/O thread; the database work runs on the
// worker pool.
#pragma once

#include "core/worker_pool.hpp"
#include "http/router.hpp"
#include "store/database.hpp"

namespace aic::api {

class Idempotency {
 public:
  Idempotency(store::Database& database, core::WorkerPool& workers)
      : database_(database), workers_(workers) {}

  // `handler` with Idempotency-Key support. Requires a principal on the request (the route
  // must be protected) when the header is sent.
  http::Handler wrap(http::Handler handler);

 private:
  boost::asio::awaitable<http::Response> handle(const http::Handler& handler,
                                                http::RequestContext& context);

  store::Database& database_;
  core::WorkerPool& workers_;
};

}  // namespace aic::api
