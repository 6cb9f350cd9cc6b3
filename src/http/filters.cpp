#include "http/filters.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <span>
#include <unordered_map>

#include "core/json_writer.hpp"
#include "core/logging.hpp"
#include "http/problem.hpp"
#include "http/router.hpp"

namespace aic::http {

HttpMetrics::HttpMetrics(core::Registry& registry)
    : requests(registry.counter("aic_http_requests_total", "HTTP requests answered.",
                                {"route", "method", "status"})),
      duration(registry.histogram("aic_http_request_duration_seconds",
                                  "Time from a complete request head to the response.", {"route"},
                                  core::default_latency_buckets())),
      in_flight(
          registry.gauge("aic_http_requests_in_flight", "Requests being processed.").with({})),
      open_connections(
          registry.gauge("aic_http_open_connections", "Open client connections.").with({})),
      refused_connections(registry
                              .counter("aic_http_connections_refused_total",
                                       "Connections refused because max_connections was "
                                       "reached.")
                              .with({})) {}

bool valid_request_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

namespace {

bool lower_hex(std::string_view text) {
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool all_zero(std::string_view text) { return text.find_first_not_of('0') == std::string::npos; }

}  // namespace

std::optional<TraceContext> parse_traceparent(std::string_view header) {
  // version "-" trace-id "-" parent-id "-" trace-flags  =  2+1+32+1+16+1+2 = 55
  if (header.size() != 55 || header[2] != '-' || header[35] != '-' || header[52] != '-') {
    return std::nullopt;
  }
  auto version = header.substr(0, 2);
  auto trace_id = header.substr(3, 32);
  auto parent_id = header.substr(36, 16);
  auto flags = header.substr(53, 2);
  if (version != "00" || !lower_hex(trace_id) || !lower_hex(parent_id) || !lower_hex(flags) ||
      all_zero(trace_id) || all_zero(parent_id)) {
    return std::nullopt;
  }
  TraceContext trace;
  trace.trace_id = std::string(trace_id);
  trace.parent_id = std::string(parent_id);
  trace.flags = std::string(flags);
  return trace;
}

std::optional<Response> RequestIdFilter::on_request(RequestContext& context) {
  // One draw for every id this request may need: request id, trace id, span id.
  std::array<std::uint8_t, 40> bytes;
  random_.fill(bytes);
  auto draw = std::span<const std::uint8_t>(bytes);
  auto inbound = context.request.headers.get("X-Request-Id");
  if (inbound && valid_request_id(*inbound)) {
    context.request_id.assign(*inbound);
  } else {
    core::assign_hex(draw.subspan(0, 16), context.request_id);
  }
  std::optional<TraceContext> trace;
  if (auto header = context.request.headers.get("traceparent")) trace = parse_traceparent(*header);
  if (trace) {
    context.trace = std::move(*trace);
  } else {
    core::assign_hex(draw.subspan(16, 16), context.trace.trace_id);
  }
  core::assign_hex(draw.subspan(32, 8), context.trace.span_id);
  return std::nullopt;
}

void RequestIdFilter::on_response(RequestContext& context, Response& response) {
  response.headers.set("X-Request-Id", context.request_id);
  response.headers.remove("traceparent");
  response.headers.add_with("traceparent",
                            [&](std::string& out) { context.trace.append_traceparent(out); });
}

void AccessLogFilter::on_response(RequestContext& context, Response& response) {
  auto now = std::chrono::steady_clock::now();
  auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(now - context.started).count();
  std::string line;
  line.reserve(320);
  line +=
      fmt::format(R"({{"ts":"{:%Y-%m-%dT%H:%M:%S}Z","type":"access","method":")",
                  std::chrono::floor<std::chrono::milliseconds>(std::chrono::system_clock::now()));
  core::append_json_escaped(line, context.request.method_text);
  line += R"(","route":")";
  core::append_json_escaped(line, context.route_label());
  line += fmt::format(R"(","status":{},"bytes":{},"duration_us":{},"request_id":")",
                      response.status, response.body.size(), micros);
  line += context.request_id;  // validated or generated: safe as-is
  line += R"(","trace_id":")";
  line += context.trace.trace_id;
  line += R"(","client":")";
  core::append_json_escaped(line, context.request.remote_address);
  line += "\"}";
  core::write_access_log(line);
}

std::optional<Response> MetricsFilter::on_request(RequestContext&) {
  metrics_.in_flight.add(1);
  return std::nullopt;
}

namespace {

// Identifies a labelled child: which filter, route (null = unmatched), method and status.
struct ChildKey {
  std::uint64_t filter_id;
  const Route* route;
  int method;
  int status;
  bool operator==(const ChildKey&) const = default;
};

struct ChildKeyHash {
  std::size_t operator()(const ChildKey& key) const {
    std::size_t hash = std::hash<std::uint64_t>{}(key.filter_id);
    hash = hash * 31 + std::hash<const void*>{}(key.route);
    hash = hash * 31 + static_cast<std::size_t>(key.method);
    return hash * 31 + static_cast<std::size_t>(key.status);
  }
};

std::atomic<std::uint64_t> next_metrics_filter_id{1};

}  // namespace

MetricsFilter::MetricsFilter(HttpMetrics& metrics)
    : metrics_(metrics), id_(next_metrics_filter_id.fetch_add(1)) {}

void MetricsFilter::on_response(RequestContext& context, Response& response) {
  metrics_.in_flight.add(-1);
  // Finding a labelled child builds label strings and takes the family's lock; each I/O
  // thread remembers the children it has used instead. Label values stay bounded: route
  // templates, known methods, status codes.
  thread_local std::unordered_map<ChildKey, core::Counter*, ChildKeyHash> counters;
  thread_local std::unordered_map<ChildKey, core::Histogram*, ChildKeyHash> durations;
  ChildKey key{id_, context.route, static_cast<int>(context.request.method), response.status};
  core::Counter*& counter = counters[key];
  if (counter == nullptr) {
    std::string method(context.request.method == Method::kOther
                           ? std::string_view("OTHER")
                           : method_name(context.request.method));
    counter = &metrics_.requests.with(
        {std::string(context.route_label()), method, std::to_string(response.status)});
  }
  counter->increment();
  core::Histogram*& duration = durations[ChildKey{id_, context.route, 0, 0}];
  if (duration == nullptr) {
    duration = &metrics_.duration.with({std::string(context.route_label())});
  }
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                    std::chrono::steady_clock::now() - context.started)
                    .count();
  duration->observe_microseconds(static_cast<std::uint64_t>(micros));
}

namespace {

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += ", ";
    out += item;
  }
  return out;
}

}  // namespace

CorsFilter::CorsFilter(core::CorsConfig config)
    : config_(std::move(config)),
      any_origin_(std::find(config_.allowed_origins.begin(), config_.allowed_origins.end(), "*") !=
                  config_.allowed_origins.end()),
      allowed_headers_(join(config_.allowed_headers)),
      exposed_headers_(join(config_.exposed_headers)),
      max_age_(std::to_string(
          std::chrono::duration_cast<std::chrono::seconds>(config_.max_age).count())) {}

bool CorsFilter::origin_allowed(std::string_view origin) const {
  return any_origin_ || std::find(config_.allowed_origins.begin(), config_.allowed_origins.end(),
                                  origin) != config_.allowed_origins.end();
}

std::optional<Response> CorsFilter::on_request(RequestContext& context) {
  if (config_.allowed_origins.empty()) return std::nullopt;
  auto origin = context.request.headers.get("Origin");
  auto requested_method = context.request.headers.get("Access-Control-Request-Method");
  bool preflight = context.request.method == Method::kOptions && origin && requested_method;
  if (!preflight) return std::nullopt;
  if (!origin_allowed(*origin)) {
    core::Error error = core::Error::make(
        core::ErrorCode::kPermissionDenied,
        "origin " + std::string(*origin) + " is not allowed by cors.allowed_origins");
    error.header = "Origin";
    return problem_response(error, context.request_id);
  }
  if (context.allow.empty()) return std::nullopt;  // no such path: the 404 follows
  Response response = Response::empty(204);
  response.headers.add("Access-Control-Allow-Methods", context.allow);
  response.headers.add("Access-Control-Allow-Headers", allowed_headers_);
  response.headers.add("Access-Control-Max-Age", max_age_);
  return response;
}

void CorsFilter::on_response(RequestContext& context, Response& response) {
  if (config_.allowed_origins.empty()) return;
  auto origin = context.request.headers.get("Origin");
  response.headers.add("Vary", "Origin");
  if (!origin || !origin_allowed(*origin)) return;
  bool wildcard = any_origin_ && !config_.allow_credentials;
  response.headers.set("Access-Control-Allow-Origin", wildcard ? "*" : std::string(*origin));
  if (config_.allow_credentials) response.headers.set("Access-Control-Allow-Credentials", "true");
  if (!exposed_headers_.empty() && response.status != 204) {
    response.headers.set("Access-Control-Expose-Headers", exposed_headers_);
  }
}

std::vector<std::unique_ptr<Filter>> standard_filters(const core::Config& config,
                                                      HttpMetrics& metrics, core::Random& random) {
  std::vector<std::unique_ptr<Filter>> filters;
  filters.push_back(std::make_unique<RequestIdFilter>(random));
  if (config.log.access) filters.push_back(std::make_unique<AccessLogFilter>());
  filters.push_back(std::make_unique<MetricsFilter>(metrics));
  filters.push_back(std::make_unique<CorsFilter>(config.cors));
  return filters;
}

}  // namespace aic::http
