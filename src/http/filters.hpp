// The standard filters every request passes, outermost first:
//   RequestIdFilter → AccessLogFilter → MetricsFilter → CorsFilter → (router/handler)
// Later subsystems add authentication, rate limiting and authorization behind these.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/metrics.hpp"
#include "core/random.hpp"
#include "http/pipeline.hpp"

namespace aic::http {

// The server's own metric families (created once per Registry).
struct HttpMetrics {
  explicit HttpMetrics(core::Registry& registry);
  core::Family<core::Counter>& requests;    // aic_http_requests_total{route,method,status}
  core::Family<core::Histogram>& duration;  // aic_http_request_duration_seconds{route}
  core::Gauge& in_flight;                   // aic_http_requests_in_flight
  core::Gauge& open_connections;            // aic_http_open_connections
  core::Counter& refused_connections;       // aic_http_connections_refused_total
};

// True for an inbound X-Request-Id we are willing to echo: 1–128 characters from
// [A-Za-z0-9._:-]. Anything else is replaced, so ids are safe in logs and headers.
bool valid_request_id(std::string_view id);

// Parses a W3C traceparent header (version 00). Returns nullopt for anything invalid,
// including all-zero trace or parent ids.
std::optional<TraceContext> parse_traceparent(std::string_view header);

// Assigns the request id and trace context; echoes X-Request-Id and traceparent.
class RequestIdFilter final : public Filter {
 public:
  explicit RequestIdFilter(core::Random& random) : random_(random) {}
  std::optional<Response> on_request(RequestContext& context) override;
  void on_response(RequestContext& context, Response& response) override;

 private:
  core::Random& random_;
};

// One JSON line per request: time, method, route template, status, bytes, duration µs,
// request id, trace id, client address. Never logs headers or bodies.
class AccessLogFilter final : public Filter {
 public:
  void on_response(RequestContext& context, Response& response) override;
};

class MetricsFilter final : public Filter {
 public:
  explicit MetricsFilter(HttpMetrics& metrics);
  std::optional<Response> on_request(RequestContext& context) override;
  void on_response(RequestContext& context, Response& response) override;

 private:
  HttpMetrics& metrics_;
  const std::uint64_t id_;  // unique per filter, so per-thread caches never mix filters
};

// CORS (Fetch standard): answers preflights for allowed origins and decorates responses.
// Disabled when no origin is configured.
class CorsFilter final : public Filter {
 public:
  explicit CorsFilter(core::CorsConfig config);
  std::optional<Response> on_request(RequestContext& context) override;
  void on_response(RequestContext& context, Response& response) override;

 private:
  bool origin_allowed(std::string_view origin) const;
  core::CorsConfig config_;
  bool any_origin_;  // "*" is among the allowed origins
  std::string allowed_headers_;
  std::string exposed_headers_;
  std::string max_age_;
};

// The standard chain for `config`.
std::vector<std::unique_ptr<Filter>> standard_filters(const core::Config& config,
                                                      HttpMetrics& metrics, core::Random& random);

}  // namespace aic::http
