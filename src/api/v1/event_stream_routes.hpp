// GET /v1/events/stream: the caller's tenant's events as Server-Sent Events, live.
#pragma once

#include <chrono>

#include "core/worker_pool.hpp"
#include "events/event_log.hpp"
#include "http/router.hpp"

namespace aic::api::v1 {

struct EventStreamDependencies {
  events::EventLog& events;
  core::WorkerPool& workers;
  // A comment line is sent this often when nothing happens, so proxies keep the connection
  // and a vanished client is noticed.
  std::chrono::milliseconds heartbeat = std::chrono::seconds(15);
};

// `dependencies` must outlive the router.
void add_event_stream_routes(http::Router& router, const EventStreamDependencies& dependencies);

}  // namespace aic::api::v1
