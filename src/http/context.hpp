// Everything known about one request while it moves through the filter chain and handler.
// Owned by the connection's session; lives until the response has been written.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/principal.hpp"
#include "core/result.hpp"
#include "core/worker_pool.hpp"
#include "http/message.hpp"

namespace aic::http {

struct Route;

// W3C Trace Context (https://www.w3.org/TR/trace-context/): the trace this request belongs
// to and the span id the server uses for its own work.
struct TraceContext {
  std::string trace_id;   // 32 lower-case hex
  std::string parent_id;  // 16 hex from the inbound traceparent, empty if none
  std::string span_id;    // 16 hex, ours
  std::string flags = "00";
  std::string traceparent() const;
  // The same, appended to `out`.
  void append_traceparent(std::string& out) const;
};

struct RequestContext {
  Request request;
  const Route* route = nullptr;                                  // null when no route matched
  std::vector<std::pair<std::string, std::string>> path_params;  // decoded values
  std::string_view allow;  // methods the path supports (owned by the router); empty if none
  bool bad_path_encoding = false;

  std::string request_id;
  TraceContext trace;
  // Set by the authentication filter once a credential checks out.
  core::SharedPrincipal principal;
  std::chrono::steady_clock::time_point started;
  core::Deadline deadline = core::kNoDeadline;

  // Set by the session when the request broke a limit before any handler could run
  // (header or body too large, client too slow, unparsable). The chain still runs so the
  // answer carries a request id and is logged and counted, but the handler does not.
  std::optional<core::Error> rejection;

  // While the handler of a route with RouteOptions::watch_client runs, the session watches
  // the connection: when the client closes (or resets) it, `client_gone` becomes true and
  // `on_client_gone`, if set, is called once, on the connection's thread. A handler waiting on
  // something slow (a model provider) sets it to stop that work, and clears it before what it
  // captures goes away. Bytes from the client (a pipelined request, TLS records) end the
  // watch: the client is still there.
  bool client_gone = false;
  std::function<void()> on_client_gone;

  // Headers a filter decided on before the response existed (rate-limit state, say); the
  // pipeline sets them on whatever response is sent, the handler's or an early answer.
  Headers response_headers;

  // The path parameter `name`. REQUIRES: the route template declares {name}.
  std::string_view param(std::string_view name) const;
  // The route template for logs and metrics; "unmatched" when no route matched.
  std::string_view route_label() const;

  // Resets to the state of a freshly constructed context for the next request on the same
  // connection, keeping the capacity of the request's buffers.
  void recycle();
  static constexpr std::size_t kRecycledSize = 944;  // sizeof on x86-64 libstdc++
};

}  // namespace aic::http
