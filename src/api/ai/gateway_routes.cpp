#include "api/ai/gateway_routes.hpp"

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <charconv>
#include <chrono>
#include <mutex>
#include <random>
#include <shared_mutex>
#include <unordered_map>
#include <variant>

#include "ai/formats/anthropic_format.hpp"
#include "ai/formats/openai_format.hpp"
#include "ai/redaction.hpp"
#include "api/ai/budget_routes.hpp"
#include "api/ai/tenant_catalog_routes.hpp"
#include "api/ai/upstream_call.hpp"
#include "api/form.hpp"
#include "api/openapi.hpp"
#include "api/v1/route_support.hpp"
#include "core/json_writer.hpp"
#include "core/logging.hpp"
#include "core/utc_time.hpp"
#include "http/problem.hpp"
#include "identity/permissions.hpp"

namespace aic::api::ai {
namespace {

namespace asio = boost::asio;
namespace model = aic::ai;
using Clock = std::chrono::steady_clock;
using http::RequestContext;
using http::Response;

// Answers bigger than this are refused rather than buffered (non-streamed answers only).
constexpr std::size_t kMaxAnswerBytes = 32 * 1024 * 1024;

enum class Ingress { kOpenAi, kAnthropic };

std::int64_t microseconds_since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start).count();
}

std::uint64_t random_draw() {
  thread_local std::mt19937_64 generator{std::random_device{}()};
  return generator();
}

// ---------------------------------------------------------------------------------------
// Errors in the caller's format. OpenAI clients get a problem document that also carries
// OpenAI's `error` object (its SDKs read that); Anthropic clients get Anthropic's shape.

// The problem type (urn:aic:problem:<name>) and title for a status the gateway answers.
struct ProblemKind {
  std::string_view name;
  std::string_view title;
};

ProblemKind problem_kind(int status) {
  switch (status) {
    case 401:
      return {"unauthenticated", "Unauthenticated"};
    case 402:
      return {"budget-exceeded", "Budget exceeded"};
    case 403:
      return {"permission-denied", "Permission denied"};
    case 404:
      return {"not-found", "Not found"};
    case 413:
      return {"payload-too-large", "Payload too large"};
    case 429:
      return {"quota-exceeded", "Too many requests"};
    case 504:
      return {"upstream-timeout", "Model provider timed out"};
    default:
      return status >= 500 ? ProblemKind{"upstream-failed", "Model provider failed"}
                           : ProblemKind{"invalid-argument", "Invalid request"};
  }
}

struct GatewayError {
  int status = 400;
  std::string message;
  std::string param;  // the request field at fault
  std::string code;   // OpenAI's error code ("model_not_found")
  std::string type;   // OpenAI's error type; empty: from the status
  std::string retry_after;
  std::optional<model::BudgetRefusal> budget;  // 402: the budget the request did not fit
  std::optional<ProblemKind> problem;          // instead of the status's usual problem type
};

GatewayError budget_error(const model::BudgetRefusal& refusal) {
  const model::Budget& budget = refusal.budget;
  std::string whose =
      budget.scope == model::BudgetScope::kTenant
          ? std::string("the tenant")
          : std::string(budget.scope == model::BudgetScope::kApiKey ? "API key "
                                                                    : "service account ") +
                budget.subject_id;
  GatewayError error;
  error.status = 402;
  error.type = "insufficient_quota";
  error.code = "budget_exceeded";
  error.message = "the monthly AI budget of " + whose + " (" + budget.id + ", $" +
                  model::format_dollars(budget.monthly_limit_microdollars) + ") does not cover " +
                  "this request: $" + model::format_dollars(refusal.spent) +
                  " is spent or reserved in " + refusal.month +
                  " and the request may cost up to $" + model::format_dollars(refusal.estimate) +
                  "; the budget starts again on " + model::next_month_start(refusal.month);
  error.budget = refusal;
  return error;
}

Response error_answer(Ingress ingress, const GatewayError& error, const RequestContext& context) {
  std::string body;
  core::JsonWriter out(body);
  Response response;
  std::string_view type =
      error.type.empty() ? model::openai_error_type(error.status) : std::string_view(error.type);
  if (ingress == Ingress::kAnthropic) {
    response =
        Response::json(error.status, model::write_messages_error(error.status, error.message));
  } else {
    out.begin_object();
    ProblemKind kind = error.problem ? *error.problem : problem_kind(error.status);
    out.member("type", "urn:aic:problem:" + std::string(kind.name));
    out.member("title", kind.title);
    out.member("status", static_cast<std::int64_t>(error.status));
    out.member("detail", error.message);
    out.member("request_id", context.request_id);
    if (!error.param.empty()) out.member("field", error.param);
    if (error.budget) {
      out.member("budget_id", error.budget->budget.id);
      out.member("limit_microdollars", error.budget->budget.monthly_limit_microdollars);
      out.member("spent_microdollars", error.budget->spent);
      out.member("estimate_microdollars", error.budget->estimate);
      out.member("resets_on", model::next_month_start(error.budget->month));
    }
    // OpenAI's error object, which its SDKs read, inside the problem document.
    out.key("error");
    out.raw(model::openai_error_object(error.message, type, error.param, error.code));
    out.end_object();
    response = Response::make(error.status, std::move(body), http::kProblemContentType);
  }
  if (!error.retry_after.empty()) response.headers.set("Retry-After", error.retry_after);
  return response;
}

GatewayError from_core(const core::Error& error) {
  GatewayError result;
  result.status = http::status_for(error.code);
  result.message = error.message;
  result.param = error.field;
  if (error.code == core::ErrorCode::kNotFound && error.field == "model")
    result.code = "model_not_found";
  return result;
}

// The error as the rest of the server reports errors (for callers inside the server).
core::Error to_core(const GatewayError& error) {
  core::ErrorCode code = core::ErrorCode::kUnavailable;
  if (error.status == 404) {
    code = core::ErrorCode::kNotFound;
  } else if (error.status == 402 || error.status == 429) {
    code = core::ErrorCode::kQuotaExceeded;
  } else if (error.status == 504) {
    code = core::ErrorCode::kDeadlineExceeded;
  } else if (error.status < 500) {
    code = core::ErrorCode::kInvalidArgument;
  }
  core::Error out = core::Error::make(code, error.message);
  out.field = error.param;
  return out;
}

// ---------------------------------------------------------------------------------------
// Upstream outcomes

model::UpstreamError transport_error(const http::ClientResponse& response,
                                     std::string_view provider) {
  model::UpstreamError error;
  error.retryable = true;
  if (response.error_kind == http::ClientErrorKind::kTimeout) {
    error.status = 504;
    error.type = "timeout";
  } else {
    error.status = 502;
    error.type = "api_connection_error";
    // A bad URL or a refused address is the operator's configuration: trying again will not help.
    error.retryable = response.error_kind != http::ClientErrorKind::kBadUrl &&
                      response.error_kind != http::ClientErrorKind::kBlockedAddress &&
                      response.error_kind != http::ClientErrorKind::kBadRequest;
  }
  error.message = std::string(provider) + ": " + response.error;
  return error;
}

// Retry-After in seconds, or OpenAI's retry-after-ms; nullopt when absent or unreadable
// (an HTTP date is treated as absent: the backoff applies).
std::optional<std::chrono::milliseconds> retry_after(const http::Headers& headers) {
  auto parse = [](std::string_view text) -> std::optional<double> {
    double value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value < 0) return std::nullopt;
    return value;
  };
  if (auto ms = headers.get("retry-after-ms")) {
    if (auto value = parse(*ms))
      return std::chrono::milliseconds(static_cast<std::int64_t>(*value));
  }
  if (auto seconds = headers.get("Retry-After")) {
    if (auto value = parse(*seconds))
      return std::chrono::milliseconds(static_cast<std::int64_t>(*value * 1000));
  }
  return std::nullopt;
}

// The wait before attempt `attempt` + 1: base × 2^(attempt−1) with ±20 % jitter.
std::chrono::milliseconds backoff(const core::AiConfig& config, int attempt) {
  double base = static_cast<double>(config.retry_base_delay.count()) *
                static_cast<double>(1 << std::min(attempt - 1, 16));
  double jitter = 0.8 + 0.4 * static_cast<double>(random_draw() % 1000) / 1000.0;
  auto delay = std::chrono::milliseconds(static_cast<std::int64_t>(base * jitter));
  return std::min(delay,
                  std::chrono::duration_cast<std::chrono::milliseconds>(config.retry_max_delay));
}

// What the client is told about an upstream failure: its own mistakes keep their status
// (400, 413, 422, 429); the provider's failures are 502, or 504 for timeouts.
GatewayError client_error_for(const model::UpstreamError& upstream,
                              std::optional<std::chrono::milliseconds> wait) {
  GatewayError error;
  error.message = upstream.message;
  error.param = upstream.param;
  error.code = upstream.code;
  if (upstream.status == 400 || upstream.status == 413 || upstream.status == 422) {
    error.status = upstream.status;
    error.type = upstream.type;
  } else if (upstream.status == 429) {
    error.status = 429;
    error.type = "rate_limit_error";
    if (wait)
      error.retry_after = std::to_string(std::max<std::int64_t>(1, (wait->count() + 999) / 1000));
  } else if (upstream.status == 504) {
    error.status = 504;
    error.type = "timeout";
  } else {
    error.status = 502;
    error.type = "api_error";
  }
  return error;
}

http::ClientRequest client_request(model::OutboundRequest outbound, const core::AiConfig& config,
                                   bool stream) {
  http::ClientRequest request;
  request.method = http::Method::kPost;
  request.url = std::move(outbound.url);
  for (const auto& [name, value] : outbound.headers) request.headers.add(name, value);
  if (stream) request.headers.set("Accept", "text/event-stream");
  request.body = std::move(outbound.body);
  request.timeouts.connect =
      std::chrono::duration_cast<std::chrono::milliseconds>(config.connect_timeout);
  request.timeouts.first_byte =
      std::chrono::duration_cast<std::chrono::milliseconds>(config.first_byte_timeout);
  request.timeouts.between_bytes =
      std::chrono::duration_cast<std::chrono::milliseconds>(config.stream_idle_timeout);
  request.timeouts.total =
      std::chrono::duration_cast<std::chrono::milliseconds>(config.request_timeout);
  return request;
}

// ---------------------------------------------------------------------------------------
// Metrics

struct GatewayMetrics {
  explicit GatewayMetrics(core::Registry& registry)
      : requests(registry.counter("aic_ai_requests_total",
                                  "AI gateway requests by provider, model and outcome (ok, error, "
                                  "cancelled).",
                                  {"provider", "model", "outcome"})),
        attempts(registry.counter("aic_ai_upstream_attempts_total",
                                  "Requests sent to providers, by outcome (ok, retryable, failed, "
                                  "skipped, cancelled).",
                                  {"provider", "model", "outcome"})),
        tokens(registry.counter("aic_ai_tokens_total",
                                "Tokens by provider, model and kind (input, output, cached_input, "
                                "reasoning).",
                                {"provider", "model", "kind"})),
        cost(registry.counter("aic_ai_cost_microdollars_total",
                              "Cost of answered requests in micro-dollars, from the price table.",
                              {"provider", "model"})),
        duration(registry.histogram("aic_ai_request_duration_seconds",
                                    "From the request's arrival to the answer's last byte.",
                                    {"provider", "model"}, core::default_latency_buckets())),
        first_token(registry.histogram("aic_ai_time_to_first_token_seconds",
                                       "Streams: from the request's arrival to the first answer "
                                       "bytes sent.",
                                       {"provider", "model"}, core::default_latency_buckets())),
        overhead(registry.histogram("aic_ai_gateway_overhead_seconds",
                                    "Time a request spent in the gateway itself (parsing, routing, "
                                    "translating), excluding time waiting for providers.",
                                    {}, core::default_latency_buckets())) {}

  core::Family<core::Counter>& requests;
  core::Family<core::Counter>& attempts;
  core::Family<core::Counter>& tokens;
  core::Family<core::Counter>& cost;
  core::Family<core::Histogram>& duration;
  core::Family<core::Histogram>& first_token;
  core::Family<core::Histogram>& overhead;

  // The children of one provider and model, resolved on first use: a request then looks up
  // one entry instead of building label lists for every metric it touches.
  struct OfModel {
    std::array<core::Counter*, 4> requests{};  // by kRequestOutcomes
    std::array<core::Counter*, 5> attempts{};  // by kAttemptOutcomes
    std::array<core::Counter*, 4> tokens{};    // input, output, cached_input, reasoning
    core::Counter* cost = nullptr;
    core::Histogram* duration = nullptr;
    core::Histogram* first_token = nullptr;
  };
  static constexpr std::array<std::string_view, 4> kRequestOutcomes = {"ok", "error", "cancelled",
                                                                       "cache_hit"};
  static constexpr std::array<std::string_view, 5> kAttemptOutcomes = {"ok", "retryable", "failed",
                                                                       "skipped", "cancelled"};

  const OfModel& of(const std::string& provider, const std::string& model) {
    std::string key = provider;
    key.push_back('\x1f');
    key += model;
    {
      std::shared_lock lock(mutex_);
      if (auto it = models_.find(key); it != models_.end()) return *it->second;
    }
    auto made = std::make_unique<OfModel>();
    for (std::size_t i = 0; i < kRequestOutcomes.size(); ++i)
      made->requests[i] = &requests.with({provider, model, std::string(kRequestOutcomes[i])});
    for (std::size_t i = 0; i < kAttemptOutcomes.size(); ++i)
      made->attempts[i] = &attempts.with({provider, model, std::string(kAttemptOutcomes[i])});
    std::size_t kind = 0;
    for (const char* name : {"input", "output", "cached_input", "reasoning"})
      made->tokens[kind++] = &tokens.with({provider, model, name});
    made->cost = &cost.with({provider, model});
    made->duration = &duration.with({provider, model});
    made->first_token = &first_token.with({provider, model});
    std::unique_lock lock(mutex_);
    return *models_.try_emplace(std::move(key), std::move(made)).first->second;
  }

  // The index of `outcome` in `names` (the last one for an unknown name: never expected).
  template <std::size_t N>
  static std::size_t index_of(const std::array<std::string_view, N>& names,
                              std::string_view outcome) {
    for (std::size_t i = 0; i < N; ++i) {
      if (names[i] == outcome) return i;
    }
    return N - 1;
  }

 private:
  std::shared_mutex mutex_;
  std::unordered_map<std::string, std::unique_ptr<OfModel>> models_;  // GUARDED_BY(mutex_)
};

// What is known about one request when it ends, for metrics and the usage records.
// Stops what a handler awaits (a provider call, the wait before a retry) when its client
// leaves (RequestContext::on_client_gone); the hook never outlives the scope that set it. With
// no client (callers inside the server) it does nothing.
class LeaveHook {
 public:
  explicit LeaveHook(RequestContext* client) : client_(client) {}
  ~LeaveHook() { set(nullptr); }
  LeaveHook(const LeaveHook&) = delete;
  LeaveHook& operator=(const LeaveHook&) = delete;

  bool gone() const { return client_ != nullptr && client_->client_gone; }
  void cancel_on_leave(const std::shared_ptr<UpstreamCall>& call) const {
    set([weak = std::weak_ptr<UpstreamCall>(call)] {
      if (auto running = weak.lock()) running->cancel();
    });
  }
  // Waits for `timer`, or less if the client leaves meanwhile.
  asio::awaitable<void> wait(asio::steady_timer& timer) const {
    set([&timer] { timer.cancel(); });
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    set(nullptr);
  }

 private:
  void set(std::function<void()> stop) const {
    if (client_ != nullptr) client_->on_client_gone = std::move(stop);
  }
  RequestContext* client_;
};

// The answer for a client that left: never delivered, but logged and counted.
GatewayError client_left() {
  GatewayError error;
  error.status = 499;
  error.type = "client_closed";
  error.message = "the client closed the connection before the answer";
  return error;
}

struct Outcome {
  std::string provider;
  std::string model;  // the catalogue's model name
  std::string outcome = "ok";
  std::optional<model::Usage> usage;
  std::int64_t cost = 0;
  std::int64_t duration_us = 0;
};

// Who asked, for the usage record.
struct Caller {
  std::string tenant_id;
  std::string credential_id;
  std::string request_id;
  std::string route;
  bool stream = false;
  std::string cache_key;  // where the answer goes in the response cache; empty: nowhere
  std::string service_account_id;
  std::shared_ptr<model::BudgetHold> budget;      // settled with the request's cost; may be null
  std::shared_ptr<const model::Catalog> catalog;  // the targets' catalogue, kept alive

  static Caller of(const core::Principal* principal, std::string request_id, std::string route,
                   bool stream) {
    Caller caller;
    if (principal != nullptr) {
      caller.tenant_id = principal->tenant_id;
      caller.credential_id = principal->credential_id;
      if (principal->kind == core::Principal::Kind::kServiceAccount)
        caller.service_account_id = principal->id;
    }
    caller.request_id = std::move(request_id);
    caller.route = std::move(route);
    caller.stream = stream;
    return caller;
  }
  static Caller of(const RequestContext& context, std::string route, bool stream) {
    return of(context.principal.get(), context.request_id, std::move(route), stream);
  }
};

class Gateway final : public ChatRunner {
 public:
  explicit Gateway(GatewayDependencies& deps)
      : deps_(deps), metrics_(deps.registry), overhead_(&metrics_.overhead.with({})) {}

  asio::awaitable<Response> chat(RequestContext& context, Ingress ingress);
  asio::awaitable<Response> embeddings(RequestContext& context);
  asio::awaitable<Response> models(RequestContext& context);
  // The catalogue `actor` routes over: the operator's, extended with the tenant's own
  // providers and routes (read from the database when the cached one is stale).
  asio::awaitable<std::variant<std::shared_ptr<const model::Catalog>, GatewayError>> catalog_for(
      const core::Principal* actor, const std::string& request_id, core::Deadline deadline);
  // The plan for a chat request: its model, alias or route, or for `model: "auto"` the
  // cheapest model whose evaluation score for metadata.aic_task reaches the floor.
  // The tenant's evaluation scores for `task` (cached for ai.tenant_refresh).
  asio::awaitable<core::Result<std::vector<model::QualityScore>>> scores_for(
      const core::Principal* actor, const std::string& task, core::Deadline deadline);
  asio::awaitable<core::Result<model::RoutePlan>> plan_chat(const core::Principal* actor,
                                                            const model::Catalog& catalog,
                                                            const model::ChatRequest& request,
                                                            core::Deadline deadline);
  Response cached_answer(RequestContext& context, Ingress ingress,
                         const model::ChatRequest& request, const model::ResponseCache::Entry& hit,
                         Clock::time_point started);
  asio::awaitable<Response> usage(RequestContext& context);
  // Reserves `estimate` micro-dollars against every budget the caller counts against: a
  // hold (null when no budget applies), or the error to answer (402; 503 when the budgets
  // cannot be read — they are a hard stop, so the gateway does not guess).
  asio::awaitable<std::variant<std::shared_ptr<model::BudgetHold>, GatewayError>> reserve(
      const core::Principal* actor, const std::string& request_id, core::Deadline deadline,
      std::int64_t estimate);

  asio::awaitable<core::Result<Completion>> complete(const core::Principal& actor,
                                                     model::ChatRequest request,
                                                     std::string request_id,
                                                     core::Deadline deadline) override;

  // What trying a chat request on its route's targets came to: a stream whose head arrived
  // (stream requests), a complete answer, or the error to answer.
  struct Attempted {
    std::shared_ptr<UpstreamCall> stream;
    std::optional<model::ChatResponse> reply;
    std::optional<GatewayError> error;
    const model::Target* target = nullptr;  // what answered, or refused the request itself
    int attempts = 0;
    std::int64_t waited_us = 0;  // spent waiting for providers
    bool client_gone = false;    // the client left; the provider call was cancelled
  };
  // `client` (null for callers inside the server) is the HTTP request being answered: when
  // its client goes away, the provider call in flight or the wait before a retry stops.
  asio::awaitable<Attempted> try_targets(const model::RoutePlan& plan,
                                         const model::ChatRequest& request,
                                         const std::string& request_id,
                                         http::RequestContext* client);

  void finish(const Outcome& outcome, const Caller& caller) {
    std::string now = core::utc_now_millis();
    if (caller.budget) caller.budget->settle(outcome.cost, model::month_of(now));
    if (!caller.tenant_id.empty()) {
      model::UsageRecord record;
      record.tenant_id = caller.tenant_id;
      record.credential_id = caller.credential_id;
      record.service_account_id = caller.service_account_id;
      record.model = outcome.model;
      record.provider = outcome.provider;
      record.route = caller.route;
      record.outcome = outcome.outcome;
      record.stream = caller.stream;
      if (outcome.usage) record.usage = *outcome.usage;
      record.cost_microdollars = outcome.cost;
      record.duration_us = outcome.duration_us;
      record.request_id = caller.request_id;
      record.occurred_at = std::move(now);
      deps_.usage.record(std::move(record));
    }
    auto positive = [](std::int64_t value) {
      return static_cast<std::uint64_t>(std::max<std::int64_t>(0, value));
    };
    const GatewayMetrics::OfModel& of = metrics_.of(outcome.provider, outcome.model);
    of.requests[GatewayMetrics::index_of(GatewayMetrics::kRequestOutcomes, outcome.outcome)]
        ->increment();
    of.duration->observe_microseconds(positive(outcome.duration_us));
    if (outcome.usage) {
      const auto& usage = *outcome.usage;
      of.tokens[0]->increment(positive(usage.input_tokens));
      of.tokens[1]->increment(positive(usage.output_tokens));
      of.tokens[2]->increment(positive(usage.cached_input_tokens));
      of.tokens[3]->increment(positive(usage.reasoning_tokens));
      of.cost->increment(positive(outcome.cost));
    }
  }
  void first_token(const std::string& provider, const std::string& name, std::int64_t us) {
    metrics_.of(provider, name)
        .first_token->observe_microseconds(
            static_cast<std::uint64_t>(std::max<std::int64_t>(0, us)));
  }
  void overhead(std::int64_t us) {
    overhead_->observe_microseconds(static_cast<std::uint64_t>(std::max<std::int64_t>(0, us)));
  }
  void attempt(const model::Target& target, std::string_view outcome) {
    metrics_.of(target.provider->name, target.model->name)
        .attempts[GatewayMetrics::index_of(GatewayMetrics::kAttemptOutcomes, outcome)]
        ->increment();
  }

  GatewayDependencies& deps() { return deps_; }

  // Tenants' own providers go through the address-restricted client (no SSRF).
  http::HttpClient& client_for(const model::Target& target) {
    return target.provider->owner.empty() ? deps_.client : deps_.tenant_client;
  }

  // Keeps a complete answer for identical requests (when the cache is on and the request
  // allowed it).
  void remember(const std::string& cache_key, const model::ChatResponse& response,
                const model::Target& target) {
    if (cache_key.empty()) return;
    deps_.cache.put(cache_key, {response, target.model->name, target.provider->name});
  }

 private:
  GatewayDependencies& deps_;
  GatewayMetrics metrics_;
  core::Histogram* overhead_;
  // Evaluation scores per tenant and task, for model "auto" (re-read every ai.tenant_refresh).
  struct Scores {
    std::vector<model::QualityScore> scores;
    Clock::time_point loaded_at;
  };
  std::mutex scores_mutex_;
  std::unordered_map<std::string, Scores> scores_;  // GUARDED_BY(scores_mutex_)
};

// ---------------------------------------------------------------------------------------
// Streams

// A streamed answer on its way to the client: provider bytes in, the client's format out.
// Pulled by the connection, so a slow client slows the reading (up to the call's backlog).
// Destroyed when the client goes away, which cancels the upstream request.
class ChatStream final : public http::BodyStream {
 public:
  ChatStream(Gateway& gateway, std::shared_ptr<UpstreamCall> call,
             std::unique_ptr<model::ChatStreamDecoder> decoder,
             std::unique_ptr<model::ChatStreamWriter> writer, model::Target target, Caller caller,
             Clock::time_point started)
      : gateway_(gateway),
        call_(std::move(call)),
        decoder_(std::move(decoder)),
        writer_(std::move(writer)),
        target_(target),
        caller_(std::move(caller)),
        started_(started) {}

  ~ChatStream() override {
    if (!reported_) report(done_ ? "error" : "cancelled");
  }

  asio::awaitable<std::optional<std::string>> next() override {
    std::string out;
    while (out.empty() && !done_) {
      UpstreamCall::Piece piece = co_await call_->next();
      if (!piece.end) {
        auto fed = decoder_->feed(piece.bytes, events_);
        write_events(out);
        if (!fed) fail(fed.error().message, out);
        continue;
      }
      const http::ClientResponse& end = call_->ending();
      if (end.error_kind != http::ClientErrorKind::kNone) {
        model::UpstreamError error = transport_error(end, target_.provider->name);
        // A cancel is ours (shutdown, a client reading too slowly), not the target's fault.
        fail(error.message, out, error.type, error.status,
             end.error_kind != http::ClientErrorKind::kCancelled);
        continue;
      }
      auto finished = decoder_->finish(events_);
      write_events(out);
      if (!finished) {
        fail(finished.error().message, out);
        continue;
      }
      writer_->end(out);
      done_ = true;
      if (accumulator_.finished())
        gateway_.remember(caller_.cache_key, accumulator_.response(), target_);
      report("ok");
    }
    if (out.empty()) co_return std::nullopt;
    if (!first_sent_) {
      first_sent_ = true;
      gateway_.first_token(target_.provider->name, target_.model->name,
                           microseconds_since(started_));
    }
    co_return out;
  }

  void stop() override { call_->cancel(); }

 private:
  void write_events(std::string& out) {
    for (auto& event : events_) {
      if (event.kind == model::StreamEvent::Kind::kStart && event.id.empty())
        event.id = caller_.request_id;
      accumulator_.add(event);
      writer_->event(event, out);
    }
    events_.clear();
  }

  void fail(std::string message, std::string& out, std::string type = "api_error", int status = 502,
            bool target_at_fault = true) {
    model::UpstreamError error;
    error.status = status;
    error.type = std::move(type);
    error.message = std::move(message);
    writer_->error(error, out);
    call_->cancel();
    done_ = true;
    core::log_warn("AI stream from " + target_.key() +
                   " failed after it started: " + error.message);
    // A target that broke a stream is counted like one that failed a request.
    if (target_at_fault) gateway_.deps().health.failed(target_.key(), Clock::now());
    report("error");
  }

  void report(std::string outcome_name) {
    reported_ = true;
    if (gateway_.deps().config.log_bodies) {
      core::log_info(
          "AI request " + caller_.request_id + " streamed answer (" + outcome_name +
          "): " + model::redacted_excerpt(model::write_chat_response(accumulator_.response())));
    }
    Outcome outcome;
    outcome.provider = target_.provider->name;
    outcome.model = target_.model->name;
    outcome.outcome = std::move(outcome_name);
    outcome.usage = accumulator_.response().usage;
    if (outcome.usage) outcome.cost = target_.model->prices.cost(*outcome.usage);
    outcome.duration_us = microseconds_since(started_);
    gateway_.finish(outcome, caller_);
  }

  Gateway& gateway_;
  std::shared_ptr<UpstreamCall> call_;
  std::unique_ptr<model::ChatStreamDecoder> decoder_;
  std::unique_ptr<model::ChatStreamWriter> writer_;
  model::Target target_;
  Caller caller_;
  Clock::time_point started_;
  std::vector<model::StreamEvent> events_;
  model::StreamAccumulator accumulator_;
  bool done_ = false;
  bool reported_ = false;
  bool first_sent_ = false;
};

// A cached answer replayed as a stream: all of it in one piece.
class ReplayedStream final : public http::BodyStream {
 public:
  explicit ReplayedStream(std::string body) : body_(std::move(body)) {}
  asio::awaitable<std::optional<std::string>> next() override {
    if (body_.empty()) co_return std::nullopt;
    std::string piece = std::move(body_);
    body_.clear();
    co_return piece;
  }
  void stop() override {}

 private:
  std::string body_;
};

std::string route_header(const model::RoutePlan& plan, const model::Target& target, int attempt) {
  std::string value = target.model->name + "@" + target.provider->name;
  if (!plan.route.empty()) {
    value += "; route=" + plan.route + "; strategy=" + std::string(model::to_string(plan.strategy));
  }
  value += "; attempt=" + std::to_string(attempt);
  return value;
}

// ---------------------------------------------------------------------------------------
// Chat

asio::awaitable<std::variant<std::shared_ptr<const model::Catalog>, GatewayError>>
Gateway::catalog_for(const core::Principal* actor, const std::string& request_id,
                     core::Deadline deadline) {
  using Answer = std::variant<std::shared_ptr<const model::Catalog>, GatewayError>;
  if (actor == nullptr || actor->tenant_id.empty()) co_return Answer(deps_.catalogs.base());
  Clock::time_point now = Clock::now();
  if (auto cached = deps_.catalogs.cached(actor->tenant_id, now)) co_return Answer(cached);
  auto loaded = co_await deps_.workers.run(
      deadline, [&] { return deps_.catalogs.load(actor->tenant_id, now); });
  if (!loaded) {
    core::log_warn("AI request " + request_id +
                   ": cannot read the tenant's providers and routes: " + loaded.error().message);
    GatewayError error;
    error.status = 503;
    error.type = "api_error";
    error.message = "the tenant's AI providers and routes cannot be read right now (" +
                    loaded.error().message + "); try again shortly";
    error.retry_after = "1";
    error.problem = ProblemKind{"unavailable", "Unavailable"};
    co_return Answer(std::move(error));
  }
  co_return Answer(std::move(*loaded));
}

asio::awaitable<core::Result<std::vector<model::QualityScore>>> Gateway::scores_for(
    const core::Principal* actor, const std::string& task, core::Deadline deadline) {
  if (!deps_.quality_scores || actor == nullptr || actor->tenant_id.empty()) {
    co_return core::Error::invalid(
        "choosing by quality needs evaluation results, which this caller has none of", "model");
  }
  std::string key = actor->tenant_id + '\x1f' + task;
  Clock::time_point now = Clock::now();
  {
    std::lock_guard lock(scores_mutex_);
    if (auto it = scores_.find(key);
        it != scores_.end() && now - it->second.loaded_at < deps_.config.tenant_refresh) {
      co_return it->second.scores;
    }
  }
  auto loaded = co_await deps_.workers.run(
      deadline, [&] { return deps_.quality_scores(actor->tenant_id, task); });
  if (!loaded) co_return std::move(loaded).error();
  // No results yet is not kept: the first finished evaluation is seen at once.
  if (loaded->empty()) co_return std::move(*loaded);
  std::lock_guard lock(scores_mutex_);
  scores_[key] = {*loaded, now};
  co_return std::move(*loaded);
}

asio::awaitable<core::Result<model::RoutePlan>> Gateway::plan_chat(
    const core::Principal* actor, const model::Catalog& catalog, const model::ChatRequest& request,
    core::Deadline deadline) {
  if (request.model != "auto") {
    auto plan = model::plan_route(catalog, request.model, model::ModelType::kChat, deps_.health,
                                  random_draw());
    const model::RouteEntry* route =
        plan && !plan->route.empty() ? catalog.route(plan->route) : nullptr;
    if (route == nullptr || route->task.empty()) co_return plan;
    // A cheapest route with a quality floor: its targets that reach it, cheapest first.
    auto scores = co_await scores_for(actor, route->task, deadline);
    if (!scores) co_return std::move(scores).error();
    std::vector<model::QualityScore> of_route;
    for (const auto& target : route->targets) {
      const model::ModelEntry* entry = catalog.model(target);
      for (const auto& score : *scores) {
        if (entry != nullptr && score.model == entry->name) of_route.push_back(score);
      }
    }
    auto floored =
        model::plan_auto(catalog, route->task, of_route, route->min_quality, deps_.health);
    if (!floored) {
      core::Error error = std::move(floored).error();
      error.message = "route " + route->name + ": " + error.message;
      error.field = "model";
      co_return error;
    }
    floored->route = route->name;
    floored->reason = "route " + route->name + " (cheapest at quality " +
                      std::to_string(static_cast<int>(route->min_quality * 100)) +
                      "%): " + floored->reason;
    co_return floored;
  }
  auto task = request.metadata.find("aic_task");
  if (task == request.metadata.end() || task->second.empty()) {
    co_return core::Error::invalid(
        "`model: \"auto\"` needs the task in metadata.aic_task (classify, extract, summarize, "
        "reason, chat …)",
        "metadata.aic_task");
  }
  double floor = static_cast<double>(deps_.config.auto_min_quality) / 100.0;
  if (auto asked = request.metadata.find("aic_min_quality"); asked != request.metadata.end()) {
    double value = -1;
    const std::string& text = asked->second;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || !(value >= 0 && value <= 1)) {
      co_return core::Error::invalid("must be a number from 0 to 1", "metadata.aic_min_quality");
    }
    floor = value;
  }
  auto scores = co_await scores_for(actor, task->second, deadline);
  if (!scores) co_return std::move(scores).error();
  co_return model::plan_auto(catalog, task->second, *scores, floor, deps_.health);
}

// What a request may cost at most: its size in bytes / 4 as input tokens (a generous bound
// for text) and its output limit, at the dearest target's prices.
std::int64_t worst_cost(const model::RoutePlan& plan, std::size_t input_bytes,
                        std::int64_t output_tokens) {
  model::Usage usage;
  usage.input_tokens = static_cast<std::int64_t>(input_bytes / 4 + 1);
  usage.output_tokens = output_tokens;
  std::int64_t worst = 0;
  for (const model::Target& target : plan.targets)
    worst = std::max(worst, target.model->prices.cost(usage));
  return worst;
}

asio::awaitable<std::variant<std::shared_ptr<model::BudgetHold>, GatewayError>> Gateway::reserve(
    const core::Principal* actor, const std::string& request_id, core::Deadline deadline,
    std::int64_t estimate) {
  using Answer = std::variant<std::shared_ptr<model::BudgetHold>, GatewayError>;
  if (actor == nullptr || actor->tenant_id.empty())
    co_return Answer(std::shared_ptr<model::BudgetHold>());
  const core::Principal& who = *actor;
  std::vector<std::string> scopes = model::spend_scopes(
      who.credential_id, who.kind == core::Principal::Kind::kServiceAccount ? who.id : "");
  std::string month = model::month_of(core::utc_now_millis());
  Clock::time_point now = Clock::now();
  std::vector<std::string> stale = deps_.budgets.stale(who.tenant_id, scopes, month, now);
  if (!stale.empty()) {
    auto snapshot = co_await deps_.workers.run(
        deadline, [&] { return deps_.budget_store.snapshot(who.tenant_id, stale, month); });
    if (!snapshot) {
      core::log_warn("AI request " + request_id +
                     ": cannot read budgets: " + snapshot.error().message);
      GatewayError error;
      error.status = 503;
      error.type = "api_error";
      error.message = "budgets cannot be checked right now (" + snapshot.error().message +
                      "); try again shortly";
      error.retry_after = "1";
      error.problem = ProblemKind{"unavailable", "Unavailable"};
      co_return Answer(std::move(error));
    }
    deps_.budgets.apply(who.tenant_id, month, *snapshot, now);
  }
  auto reserved = deps_.budgets.reserve(who.tenant_id, scopes, month, estimate);
  if (auto* refusal = std::get_if<model::BudgetRefusal>(&reserved))
    co_return Answer(budget_error(*refusal));
  co_return Answer(std::shared_ptr<model::BudgetHold>(
      std::move(std::get<std::unique_ptr<model::BudgetHold>>(reserved))));
}

// An answer from the response cache, in the client's format; a stream request gets the
// answer replayed as one stream.
Response Gateway::cached_answer(RequestContext& context, Ingress ingress,
                                const model::ChatRequest& request,
                                const model::ResponseCache::Entry& hit, Clock::time_point started) {
  Response response;
  if (request.stream) {
    std::int64_t created = std::chrono::duration_cast<std::chrono::seconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
    auto writer = ingress == Ingress::kOpenAi
                      ? model::chat_stream_writer(request.include_usage, created)
                      : model::messages_stream_writer();
    std::string body;
    for (const auto& event : model::stream_events(hit.response)) writer->event(event, body);
    writer->end(body);
    // Sent like a live stream (chunked), so clients see no difference.
    response.status = 200;
    response.headers.set("Content-Type", "text/event-stream");
    response.headers.set("Cache-Control", "no-cache");
    response.stream = std::make_shared<ReplayedStream>(std::move(body));
  } else {
    response = Response::json(200, ingress == Ingress::kOpenAi
                                       ? model::write_chat_response(hit.response)
                                       : model::write_messages_response(hit.response));
  }
  response.headers.set("aic-cache", "hit");
  response.headers.set("aic-route", hit.model + "@" + hit.provider + "; cache=hit");
  std::int64_t overhead_us = microseconds_since(started);
  overhead(overhead_us);
  response.headers.set("aic-overhead-us", std::to_string(overhead_us));
  // Nothing was spent at a provider: the usage record says so.
  finish(Outcome{hit.provider, hit.model, "cache_hit", std::nullopt, 0, overhead_us},
         Caller::of(context, "", request.stream));
  return response;
}

// A chat request that names a stored prompt (`aic_prompt: {name, label | version,
// variables}`) instead of `messages`: the body with the rendered messages in their place (and
// the prompt's model when the request names none), and "name@version" for the aic-prompt
// header. For Anthropic's Messages the template's system messages become `system`.
struct ExpandedPrompt {
  std::string body;
  std::string rendered;
};

asio::awaitable<core::Result<ExpandedPrompt>> expand_prompt(GatewayDependencies& deps,
                                                            const RequestContext& context,
                                                            Ingress ingress) {
  boost::system::error_code parse_error;
  boost::json::value parsed = boost::json::parse(context.request.body, parse_error);
  // Not JSON, or no aic_prompt after all: the parser's own errors say what is wrong.
  if (parse_error || !parsed.is_object() || !parsed.as_object().contains("aic_prompt"))
    co_return ExpandedPrompt{context.request.body, ""};
  boost::json::object& request = parsed.as_object();
  if (deps.prompts == nullptr || !context.principal)
    co_return core::Error::invalid("prompt templates are not available here", "aic_prompt");
  if (request.contains("messages"))
    co_return core::Error::invalid("send `messages` or `aic_prompt`, not both", "messages");
  const boost::json::value& named = request.at("aic_prompt");
  if (!named.is_object()) co_return core::Error::invalid("must be an object", "aic_prompt");
  const boost::json::object& prompt = named.as_object();
  for (const auto& member : prompt) {
    std::string_view key(member.key().data(), member.key().size());
    if (key != "name" && key != "label" && key != "version" && key != "variables")
      co_return core::Error::invalid("is not a member of aic_prompt",
                                     "aic_prompt." + std::string(key));
  }
  const auto* name = prompt.if_contains("name");
  if (name == nullptr || !name->is_string() || name->as_string().empty())
    co_return core::Error::invalid("must name a prompt template", "aic_prompt.name");
  model::PromptSelector selector;
  if (const auto* label = prompt.if_contains("label"); label != nullptr && !label->is_null()) {
    if (!label->is_string()) co_return core::Error::invalid("must be a string", "aic_prompt.label");
    selector.label = std::string(label->as_string());
  }
  if (const auto* version = prompt.if_contains("version");
      version != nullptr && !version->is_null()) {
    if (!version->is_int64())
      co_return core::Error::invalid("must be an integer", "aic_prompt.version");
    selector.version = version->as_int64();
  }
  boost::json::object variables;
  if (const auto* given = prompt.if_contains("variables"); given != nullptr && !given->is_null()) {
    if (!given->is_object())
      co_return core::Error::invalid("must be an object", "aic_prompt.variables");
    variables = given->as_object();
  }
  std::string prompt_name(name->as_string());
  const core::Principal& actor = *context.principal;
  auto rendered = co_await deps.workers.run(context.deadline, [&] {
    return deps.prompts->render(actor, prompt_name, selector, variables);
  });
  if (!rendered) {
    core::Error error = std::move(rendered).error();
    // The store names fields inside aic_prompt as JSON pointers ("/variables/amount").
    if (!error.field.empty()) {
      std::string field = error.field;
      for (char& c : field) {
        if (c == '/') c = '.';
      }
      error.field = "aic_prompt" + field;
    }
    co_return error;
  }
  boost::json::array messages;
  std::string system;  // Anthropic form: system messages go to the top-level `system`
  for (const auto& message : rendered->messages) {
    if (ingress == Ingress::kAnthropic && message.role == "system") {
      if (!system.empty()) system += "\n\n";
      system += message.content;
      continue;
    }
    messages.push_back(boost::json::object{{"role", message.role}, {"content", message.content}});
  }
  if (!system.empty()) {
    if (request.contains("system")) {
      co_return core::Error::invalid(
          "the prompt template has a system message; send `system` or use such a template, "
          "not both",
          "system");
    }
    request["system"] = system;
  }
  request.erase("aic_prompt");
  request["messages"] = std::move(messages);
  if (!request.contains("model") && rendered->model) request["model"] = *rendered->model;
  co_return ExpandedPrompt{boost::json::serialize(request),
                           rendered->name + "@" + std::to_string(rendered->version)};
}

asio::awaitable<Response> Gateway::chat(RequestContext& context, Ingress ingress) {
  Clock::time_point started =
      context.started == Clock::time_point{} ? Clock::now() : context.started;
  // A stored prompt instead of messages: rendered first. The marker test keeps the common
  // request free of a second JSON parse.
  std::optional<ExpandedPrompt> expanded;
  if (context.request.body.find("\"aic_prompt\"") != std::string::npos) {
    auto prompt = co_await expand_prompt(deps_, context, ingress);
    if (!prompt) co_return error_answer(ingress, from_core(prompt.error()), context);
    expanded = std::move(*prompt);
  }
  const std::string& body = expanded ? expanded->body : context.request.body;
  auto parsed = ingress == Ingress::kOpenAi ? model::parse_chat_request(body)
                                            : model::parse_messages_request(body);
  if (!parsed) co_return error_answer(ingress, from_core(parsed.error()), context);
  model::ChatRequest request = std::move(parsed).value();
  if (deps_.config.log_bodies) {
    core::log_info("AI request " + context.request_id +
                   " body: " + model::redacted_excerpt(context.request.body));
  }

  auto catalog =
      co_await catalog_for(context.principal.get(), context.request_id, context.deadline);
  if (auto* failed = std::get_if<GatewayError>(&catalog))
    co_return error_answer(ingress, *failed, context);
  std::shared_ptr<const model::Catalog> routes =
      std::get<std::shared_ptr<const model::Catalog>>(std::move(catalog));
  auto planned = co_await plan_chat(context.principal.get(), *routes, request, context.deadline);
  if (!planned) co_return error_answer(ingress, from_core(planned.error()), context);
  model::RoutePlan plan = std::move(planned).value();

  // The response cache: `Cache-Control: no-store` neither reads nor keeps an answer,
  // `no-cache` does not read one but keeps the new one.
  std::string cache_key;
  std::string_view cache_state;  // "hit" or "miss"; empty when the cache is not used
  if (deps_.config.cache_ttl.count() > 0 && context.principal) {
    std::string_view control = context.request.headers.get("Cache-Control").value_or("");
    if (control.find("no-store") == std::string_view::npos) {
      if (auto canonical = model::canonical_chat_request(request)) {
        cache_key = model::ResponseCache::key(context.principal->tenant_id, *canonical);
        if (control.find("no-cache") == std::string_view::npos) {
          if (auto hit = deps_.cache.get(cache_key))
            co_return cached_answer(context, ingress, request, *hit, started);
        }
        cache_state = "miss";
      }
    }
  }

  Caller caller = Caller::of(context, plan.route, request.stream);
  caller.cache_key = cache_key;
  caller.catalog = routes;
  {
    auto reserved = co_await reserve(
        context.principal.get(), context.request_id, context.deadline,
        worst_cost(plan, body.size(),
                   request.max_tokens.value_or(deps_.config.budget_output_tokens)));
    if (auto* refused = std::get_if<GatewayError>(&reserved))
      co_return error_answer(ingress, *refused, context);
    caller.budget = std::move(std::get<std::shared_ptr<model::BudgetHold>>(reserved));
  }

  Attempted tried = co_await try_targets(plan, request, context.request_id, &context);
  std::int64_t waited_us = tried.waited_us;  // excluded from the overhead
  if (tried.error) {
    Response response = error_answer(ingress, *tried.error, context);
    if (tried.target != nullptr)
      response.headers.set("aic-route", route_header(plan, *tried.target, tried.attempts));
    const model::Target& last = tried.target != nullptr ? *tried.target : plan.targets.back();
    finish(Outcome{last.provider->name, last.model->name, tried.client_gone ? "cancelled" : "error",
                   std::nullopt, 0, microseconds_since(started)},
           caller);
    co_return response;
  }
  const model::Target& target = *tried.target;
  const bool streamed = tried.stream != nullptr;
  Response response;
  if (streamed) {
    std::unique_ptr<model::ChatStreamWriter> writer =
        ingress == Ingress::kOpenAi
            ? model::chat_stream_writer(request.include_usage,
                                        std::chrono::duration_cast<std::chrono::seconds>(
                                            std::chrono::system_clock::now().time_since_epoch())
                                            .count())
            : model::messages_stream_writer();
    response.status = 200;
    response.headers.set("Content-Type", "text/event-stream");
    response.headers.set("Cache-Control", "no-cache");
    response.stream =
        std::make_shared<ChatStream>(*this, std::move(tried.stream),
                                     model::provider_adapter(target.provider->kind).chat_stream(),
                                     std::move(writer), target, std::move(caller), started);
  } else {
    model::ChatResponse& reply = *tried.reply;
    response =
        Response::json(200, ingress == Ingress::kOpenAi ? model::write_chat_response(reply)
                                                        : model::write_messages_response(reply));
    if (deps_.config.log_bodies) {
      core::log_info("AI request " + context.request_id +
                     " answer: " + model::redacted_excerpt(response.body));
    }
    remember(cache_key, reply, target);
  }
  response.headers.set("aic-route", route_header(plan, target, tried.attempts));
  if (expanded && !expanded->rendered.empty())
    response.headers.set("aic-prompt", expanded->rendered);
  std::int64_t overhead_us = microseconds_since(started) - waited_us;
  overhead(overhead_us);
  response.headers.set("aic-overhead-us", std::to_string(overhead_us));
  if (!cache_state.empty()) response.headers.set("aic-cache", cache_state);
  if (!streamed) {
    Outcome outcome{target.provider->name,      target.model->name, "ok", tried.reply->usage, 0,
                    microseconds_since(started)};
    if (tried.reply->usage) outcome.cost = target.model->prices.cost(*tried.reply->usage);
    finish(outcome, caller);
  }
  co_return response;
}

// A chat request for a caller inside the server: the same routing, retries, budgets and usage
// records as over HTTP, without a client connection.
asio::awaitable<core::Result<Completion>> Gateway::complete(const core::Principal& actor,
                                                            model::ChatRequest request,
                                                            std::string request_id,
                                                            core::Deadline deadline) {
  Clock::time_point started = Clock::now();
  request.stream = false;
  auto catalog = co_await catalog_for(&actor, request_id, deadline);
  if (auto* failed = std::get_if<GatewayError>(&catalog)) co_return to_core(*failed);
  std::shared_ptr<const model::Catalog> routes =
      std::get<std::shared_ptr<const model::Catalog>>(std::move(catalog));
  auto planned = co_await plan_chat(&actor, *routes, request, deadline);
  if (!planned) co_return std::move(planned).error();
  model::RoutePlan plan = std::move(planned).value();
  Caller caller = Caller::of(&actor, request_id, plan.route, false);
  caller.catalog = routes;
  std::int64_t input_bytes = 0;
  if (auto canonical = model::canonical_chat_request(request))
    input_bytes = static_cast<std::int64_t>(canonical->size());
  auto reserved =
      co_await reserve(&actor, request_id, deadline,
                       worst_cost(plan, static_cast<std::size_t>(input_bytes),
                                  request.max_tokens.value_or(deps_.config.budget_output_tokens)));
  if (auto* refused = std::get_if<GatewayError>(&reserved)) co_return to_core(*refused);
  caller.budget = std::move(std::get<std::shared_ptr<model::BudgetHold>>(reserved));
  Attempted tried = co_await try_targets(plan, request, request_id, nullptr);
  if (tried.error) {
    const model::Target& last = tried.target != nullptr ? *tried.target : plan.targets.back();
    finish(Outcome{last.provider->name, last.model->name, "error", std::nullopt, 0,
                   microseconds_since(started)},
           caller);
    co_return to_core(*tried.error);
  }
  const model::Target& target = *tried.target;
  Completion completion;
  completion.model = target.model->name;
  completion.provider = target.provider->name;
  completion.route = route_header(plan, target, tried.attempts);
  if (tried.reply->usage)
    completion.cost_microdollars = target.model->prices.cost(*tried.reply->usage);
  completion.duration_us = microseconds_since(started);
  completion.response = std::move(*tried.reply);
  finish(Outcome{completion.provider, completion.model, "ok", completion.response.usage,
                 completion.cost_microdollars, completion.duration_us},
         caller);
  co_return completion;
}

asio::awaitable<Gateway::Attempted> Gateway::try_targets(const model::RoutePlan& plan,
                                                         const model::ChatRequest& request,
                                                         const std::string& request_id,
                                                         http::RequestContext* client) {
  Attempted tried;
  std::string log;  // what was tried, for the request log
  std::optional<GatewayError> failure;
  std::optional<GatewayError> unsupported;  // the first target that could not express the request
  auto executor = co_await asio::this_coro::executor;
  LeaveHook hook(client);
  auto left = [&] {
    core::log_info("AI request " + request_id + ": the client left; " + log + plan.reason);
    tried.client_gone = true;
    tried.error = client_left();
    return tried;
  };
  if (hook.gone()) co_return left();
  for (const model::Target& target : plan.targets) {
    std::string why;
    if (!deps_.health.admit(target.key(), Clock::now(), why)) {
      attempt(target, "skipped");
      log += target.key() + ": skipped, " + why + "; ";
      continue;
    }
    const model::ProviderAdapter& adapter = model::provider_adapter(target.provider->kind);
    auto outbound = adapter.chat_request(request, target.model->upstream_model, *target.provider);
    if (!outbound) {
      // This target cannot express the request (a feature its provider lacks): try the next.
      deps_.health.release(target.key());
      attempt(target, "skipped");
      log += target.key() + ": " + outbound.error().message + "; ";
      if (!unsupported) unsupported = from_core(outbound.error());
      continue;
    }
    for (int attempt_number = 1; attempt_number <= deps_.config.max_attempts; ++attempt_number) {
      ++tried.attempts;
      Clock::time_point sent = Clock::now();
      auto call = UpstreamCall::start(
          client_for(target), client_request(outbound.value(), deps_.config, request.stream),
          executor);
      hook.cancel_on_leave(call);
      http::ClientResponse head = co_await call->head();
      if (hook.gone()) {
        deps_.health.release(target.key());
        attempt(target, "cancelled");
        co_return left();
      }
      model::UpstreamError error;
      std::optional<std::chrono::milliseconds> wait;
      if (head.error_kind == http::ClientErrorKind::kNone && head.status >= 200 &&
          head.status < 300) {
        if (request.stream) {
          tried.waited_us += microseconds_since(sent);
          deps_.health.succeeded(target.key(), std::chrono::microseconds(microseconds_since(sent)));
          attempt(target, "ok");
          core::log_info("AI request " + request_id + ": " + log + target.key() + ": streaming; " +
                         plan.reason);
          tried.stream = std::move(call);
          tried.target = &target;
          co_return tried;
        }
        std::string answer = co_await call->read_all(kMaxAnswerBytes);
        tried.waited_us += microseconds_since(sent);
        if (hook.gone()) {
          deps_.health.release(target.key());
          attempt(target, "cancelled");
          co_return left();
        }
        const http::ClientResponse& end = call->ending();
        if (end.error_kind == http::ClientErrorKind::kNone) {
          auto decoded = adapter.chat_response(answer);
          if (decoded) {
            deps_.health.succeeded(target.key(),
                                   std::chrono::microseconds(microseconds_since(sent)));
            attempt(target, "ok");
            model::ChatResponse& reply = decoded.value();
            if (reply.id.empty()) reply.id = request_id;
            if (reply.created == 0) {
              reply.created = std::chrono::duration_cast<std::chrono::seconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count();
            }
            if (!log.empty())
              core::log_info("AI request " + request_id + ": " + log + target.key() + ": ok; " +
                             plan.reason);
            tried.reply = std::move(reply);
            tried.target = &target;
            co_return tried;
          }
          error.status = 502;
          error.type = "api_error";
          error.message = decoded.error().message;
          error.retryable = true;
        } else {
          error = transport_error(end, target.provider->name);
        }
      } else if (head.error_kind != http::ClientErrorKind::kNone) {
        tried.waited_us += microseconds_since(sent);
        error = transport_error(head, target.provider->name);
      } else {
        std::string answer = co_await call->read_all(64 * 1024);
        tried.waited_us += microseconds_since(sent);
        error = adapter.error(head.status, answer);
        wait = retry_after(head.headers);
      }

      log += target.key() + ": " + error.message + "; ";
      bool client_fault = error.status == 400 || error.status == 413 || error.status == 422;
      if (client_fault) {
        // The provider refused the request itself: another target would too.
        deps_.health.succeeded(target.key(), std::chrono::microseconds(microseconds_since(sent)));
        attempt(target, "failed");
        tried.error = client_error_for(error, wait);
        tried.target = &target;
        co_return tried;
      }
      deps_.health.failed(target.key(), Clock::now());
      attempt(target, error.retryable ? "retryable" : "failed");
      failure = client_error_for(error, wait);
      if (!error.retryable || attempt_number == deps_.config.max_attempts) break;
      auto delay = wait ? *wait : backoff(deps_.config, attempt_number);
      if (delay > deps_.config.retry_max_delay) break;  // the provider asks for longer: fail over
      std::string admit_why;
      if (!deps_.health.admit(target.key(), Clock::now(), admit_why)) break;  // breaker opened
      Clock::time_point waiting = Clock::now();
      asio::steady_timer timer(executor, delay);
      co_await hook.wait(timer);
      tried.waited_us += microseconds_since(waiting);
      if (hook.gone()) {
        deps_.health.release(target.key());
        co_return left();
      }
    }
  }
  core::log_warn("AI request " + request_id + " failed: " + log + plan.reason);
  if (failure) {
    tried.error = *failure;
  } else if (unsupported) {
    tried.error = *unsupported;
    tried.error->message = "no target of `" + request.model + "` can serve this request: " + log;
  } else {
    GatewayError answer;
    answer.status = 503;
    answer.type = "api_error";
    answer.message = "every target of `" + request.model + "` is unavailable: " + log;
    answer.retry_after = std::to_string(std::max<std::int64_t>(
        1,
        std::chrono::duration_cast<std::chrono::seconds>(deps_.config.breaker_cooldown).count()));
    tried.error = std::move(answer);
  }
  co_return tried;
}

// ---------------------------------------------------------------------------------------
// Embeddings

asio::awaitable<Response> Gateway::embeddings(RequestContext& context) {
  Clock::time_point started =
      context.started == Clock::time_point{} ? Clock::now() : context.started;
  auto parsed = model::parse_embedding_request(context.request.body);
  if (!parsed) co_return error_answer(Ingress::kOpenAi, from_core(parsed.error()), context);
  model::EmbeddingRequest request = std::move(parsed).value();
  auto catalog =
      co_await catalog_for(context.principal.get(), context.request_id, context.deadline);
  if (auto* failed = std::get_if<GatewayError>(&catalog))
    co_return error_answer(Ingress::kOpenAi, *failed, context);
  std::shared_ptr<const model::Catalog> routes =
      std::get<std::shared_ptr<const model::Catalog>>(std::move(catalog));
  auto planned = model::plan_route(*routes, request.model, model::ModelType::kEmbeddings,
                                   deps_.health, random_draw());
  if (!planned) co_return error_answer(Ingress::kOpenAi, from_core(planned.error()), context);
  const model::RoutePlan& plan = planned.value();
  Caller caller = Caller::of(context, plan.route, false);
  caller.catalog = routes;
  {
    auto reserved = co_await reserve(context.principal.get(), context.request_id, context.deadline,
                                     worst_cost(plan, context.request.body.size(), 0));
    if (auto* refused = std::get_if<GatewayError>(&reserved))
      co_return error_answer(Ingress::kOpenAi, *refused, context);
    caller.budget = std::move(std::get<std::shared_ptr<model::BudgetHold>>(reserved));
  }
  auto executor = co_await asio::this_coro::executor;
  std::string log;
  std::optional<GatewayError> failure;
  std::int64_t waited_us = 0;
  int attempt_total = 0;
  LeaveHook hook(&context);
  auto left = [&](const model::Target& target) {
    core::log_info("AI request " + context.request_id + ": the client left; " + log + plan.reason);
    finish(Outcome{target.provider->name, target.model->name, "cancelled", std::nullopt, 0,
                   microseconds_since(started)},
           caller);
    return error_answer(Ingress::kOpenAi, client_left(), context);
  };
  for (const model::Target& target : plan.targets) {
    std::string why;
    if (!deps_.health.admit(target.key(), Clock::now(), why)) {
      log += target.key() + ": skipped, " + why + "; ";
      continue;
    }
    const model::ProviderAdapter& adapter = model::provider_adapter(target.provider->kind);
    auto outbound =
        adapter.embedding_request(request, target.model->upstream_model, *target.provider);
    if (!outbound) {
      deps_.health.release(target.key());
      log += target.key() + ": " + outbound.error().message + "; ";
      if (!failure) failure = from_core(outbound.error());
      continue;
    }
    for (int attempt_number = 1; attempt_number <= deps_.config.max_attempts; ++attempt_number) {
      ++attempt_total;
      Clock::time_point sent = Clock::now();
      auto call = UpstreamCall::start(
          client_for(target), client_request(outbound.value(), deps_.config, false), executor);
      hook.cancel_on_leave(call);
      http::ClientResponse head = co_await call->head();
      std::string answer = co_await call->read_all(kMaxAnswerBytes);
      waited_us += microseconds_since(sent);
      if (hook.gone()) {
        deps_.health.release(target.key());
        attempt(target, "cancelled");
        co_return left(target);
      }
      const http::ClientResponse& end = call->ending();
      model::UpstreamError error;
      std::optional<std::chrono::milliseconds> wait;
      if (end.error_kind != http::ClientErrorKind::kNone) {
        error = transport_error(end, target.provider->name);
      } else if (head.status >= 200 && head.status < 300) {
        auto decoded = adapter.embedding_response(answer);
        if (decoded) {
          deps_.health.succeeded(target.key(), std::chrono::microseconds(microseconds_since(sent)));
          attempt(target, "ok");
          model::EmbeddingResponse& reply = decoded.value();
          if (reply.model.empty()) reply.model = target.model->upstream_model;
          Response response =
              Response::json(200, model::write_embedding_response(reply, request.base64));
          response.headers.set("aic-route", route_header(plan, target, attempt_total));
          std::int64_t overhead_us = microseconds_since(started) - waited_us;
          overhead(overhead_us);
          response.headers.set("aic-overhead-us", std::to_string(overhead_us));
          finish(Outcome{target.provider->name, target.model->name, "ok", reply.usage,
                         target.model->prices.cost(reply.usage), microseconds_since(started)},
                 caller);
          co_return response;
        }
        error.status = 502;
        error.type = "api_error";
        error.message = decoded.error().message;
        error.retryable = true;
      } else {
        error = adapter.error(head.status, answer);
        wait = retry_after(head.headers);
      }
      log += target.key() + ": " + error.message + "; ";
      if (error.status == 400 || error.status == 413 || error.status == 422) {
        attempt(target, "failed");
        co_return error_answer(Ingress::kOpenAi, client_error_for(error, wait), context);
      }
      deps_.health.failed(target.key(), Clock::now());
      attempt(target, error.retryable ? "retryable" : "failed");
      failure = client_error_for(error, wait);
      if (!error.retryable || attempt_number == deps_.config.max_attempts) break;
      auto delay = wait ? *wait : backoff(deps_.config, attempt_number);
      if (delay > deps_.config.retry_max_delay) break;
      std::string admit_why;
      if (!deps_.health.admit(target.key(), Clock::now(), admit_why)) break;
      asio::steady_timer timer(executor, delay);
      co_await hook.wait(timer);
      if (hook.gone()) {
        deps_.health.release(target.key());
        co_return left(target);
      }
    }
  }
  core::log_warn("AI request " + context.request_id + " failed: " + log + plan.reason);
  GatewayError answer;
  if (failure) {
    answer = *failure;
  } else {
    answer.status = 503;
    answer.message = "every target of `" + request.model + "` is unavailable: " + log;
  }
  co_return error_answer(Ingress::kOpenAi, answer, context);
}

// ---------------------------------------------------------------------------------------
// Models

asio::awaitable<Response> Gateway::models(RequestContext& context) {
  auto catalog =
      co_await catalog_for(context.principal.get(), context.request_id, context.deadline);
  if (auto* failed = std::get_if<GatewayError>(&catalog))
    co_return error_answer(Ingress::kOpenAi, *failed, context);
  const model::Catalog& routes = *std::get<std::shared_ptr<const model::Catalog>>(catalog);
  std::string body;
  core::JsonWriter out(body);
  out.begin_object();
  out.member("object", "list");
  out.key("data");
  out.begin_array();
  auto entry = [&](std::string_view id, std::string_view owner, std::string_view kind,
                   std::string_view target) {
    out.begin_object();
    out.member("id", id);
    out.member("object", "model");
    out.member("created", std::int64_t{0});
    out.member("owned_by", owner);
    out.member("aic_kind", kind);
    out.member("aic_target", target);
    out.end_object();
  };
  for (const auto& model_entry : routes.models()) {
    std::string_view type = model_entry.type == model::ModelType::kChat ? "chat" : "embeddings";
    entry(model_entry.name, model_entry.provider, type, model_entry.upstream_model);
    for (const auto& alias : model_entry.aliases)
      entry(alias, model_entry.provider, "alias", model_entry.name);
  }
  for (const auto& route : routes.routes()) {
    std::string targets;
    for (const auto& target : route.targets) targets += (targets.empty() ? "" : ",") + target;
    entry(route.name, "aic", "route", targets);
  }
  out.end_array();
  out.end_object();
  co_return Response::json(200, std::move(body));
}

// ---------------------------------------------------------------------------------------
// Usage

bool is_day(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (text[i] < '0' || text[i] > '9') return false;
  }
  int month = (text[5] - '0') * 10 + (text[6] - '0');
  int day = (text[8] - '0') * 10 + (text[9] - '0');
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

asio::awaitable<Response> Gateway::usage(RequestContext& context) {
  const core::Principal* actor = v1::actor_of(context);
  if (actor == nullptr) co_return v1::no_actor(context);
  auto params = FormFields::parse(context.request.query(), {"from", "to", "group_by"});
  if (!params) co_return v1::error_response(params.error(), context);
  std::string today = core::utc_now_millis().substr(0, 10);
  model::UsageQuery query;
  query.from_day = today.substr(0, 8) + "01";  // the current month so far
  query.to_day = today;
  for (auto [name, target] : {std::pair{"from", &query.from_day}, std::pair{"to", &query.to_day}}) {
    if (const std::string* value = params->get(name)) {
      if (!is_day(*value)) {
        co_return v1::error_response(
            core::Error::invalid("must be a UTC day like 2026-12-01", name), context);
      }
      *target = *value;
    }
  }
  if (query.from_day > query.to_day) {
    co_return v1::error_response(core::Error::invalid("must not be after `to`", "from"), context);
  }
  std::string groups = params->get("group_by") ? *params->get("group_by") : "model";
  for (std::size_t start = 0; start <= groups.size();) {
    std::size_t comma = std::min(groups.find(',', start), groups.size());
    std::string name = groups.substr(start, comma - start);
    if (!name.empty()) query.group_by.push_back(name);
    start = comma + 1;
  }
  auto rows = co_await deps_.workers.run(context.deadline,
                                         [&] { return deps_.usage.summarize(*actor, query); });
  if (!rows) co_return v1::error_response(rows.error(), context);
  std::string body;
  core::JsonWriter out(body);
  out.begin_object();
  out.member("from", query.from_day);
  out.member("to", query.to_day);
  out.key("group_by");
  out.begin_array();
  for (const auto& name : query.group_by) out.value(name);
  out.end_array();
  out.key("data");
  out.begin_array();
  for (const auto& row : *rows) {
    out.begin_object();
    for (const auto& [name, value] : row.group) out.member(name, value);
    out.member("requests", row.requests);
    out.member("input_tokens", row.input_tokens);
    out.member("output_tokens", row.output_tokens);
    out.member("cached_input_tokens", row.cached_input_tokens);
    out.member("reasoning_tokens", row.reasoning_tokens);
    out.member("cost_microdollars", row.cost_microdollars);
    out.member("cost_usd", model::format_dollars(row.cost_microdollars));
    out.end_object();
  }
  out.end_array();
  out.end_object();
  co_return Response::json(200, std::move(body));
}

// The errors the filters answer before a handler runs (401, 403, 413, 429 …), in the formats
// the gateway's clients read: OpenAI's error object inside the problem document, or
// Anthropic's error body.
void add_openai_error(Response& response) {
  boost::system::error_code error;
  boost::json::value parsed = boost::json::parse(response.body, error);
  if (error || !parsed.is_object()) return;
  auto& problem = parsed.as_object();
  auto text = [&](std::string_view key) -> std::string {
    const auto* value = problem.if_contains(key);
    return value != nullptr && value->is_string() ? std::string(value->as_string()) : std::string();
  };
  problem["error"] = boost::json::parse(model::openai_error_object(
      text("detail"), model::openai_error_type(response.status), text("field"), ""));
  response.body = boost::json::serialize(parsed);
}

void to_anthropic_error(Response& response) {
  boost::system::error_code error;
  boost::json::value parsed = boost::json::parse(response.body, error);
  std::string detail;
  if (!error && parsed.is_object()) {
    if (const auto* value = parsed.as_object().if_contains("detail"); value && value->is_string()) {
      detail = std::string(value->as_string());
    }
  }
  response.body = model::write_messages_error(response.status, detail);
  response.headers.set("Content-Type", "application/json");
}

// `options` for a route whose errors are all in OpenAI's or in Anthropic's format.
http::RouteOptions openai_errors(http::RouteOptions options) {
  options.shape_error = add_openai_error;
  options.error_schema = "AiProblem";
  return options;
}

// `options` for a route Anthropic's clients call: their error format, and their key header.
http::RouteOptions anthropic_errors(http::RouteOptions options) {
  options.api_key_header = true;
  options.shape_error = to_anthropic_error;
  options.error_schema = "AnthropicError";
  options.error_media_type = "application/json";
  return options;
}

// `options` for a route that waits on a model provider: a client leaving cancels the call.
http::RouteOptions provider_call(http::RouteOptions options) {
  options.watch_client = true;
  return options;
}

}  // namespace

void add_gateway_routes(http::Router& router, GatewayDependencies& dependencies) {
  auto gateway = std::make_shared<Gateway>(dependencies);
  dependencies.runner = gateway;
  constexpr std::size_t kMaxRequestBytes = 32 * 1024 * 1024;  // images travel inline as data: URIs
  auto ai_error = [](int status, std::string description) {
    return http::ResponseDoc{
        .status = status, .description = std::move(description), .schema = "AiProblem"};
  };
  auto anthropic_error = [](int status, std::string description) {
    return http::ResponseDoc{.status = status,
                             .description = std::move(description) + " (Anthropic's error shape)",
                             .schema = "AnthropicError",
                             .media_type = "application/json"};
  };
  router.add(
      http::Method::kPost, "/v1/chat/completions",
      [gateway](RequestContext& context) { return gateway->chat(context, Ingress::kOpenAi); },
      provider_call(openai_errors(v1::route_options(
          identity::permission::kAiInvoke,
          "Create a chat completion (OpenAI-compatible; stream: true for SSE)",
          {.max_body_bytes = kMaxRequestBytes,
           .operation_id = "createChatCompletion",

           .request_schema = "ChatCompletionRequest",
           .responses = {
               {.status = 200,
                .description = "The answer; with stream: true, text/event-stream chunks ending in "
                               "`data: [DONE]`.",
                .schema = "ChatCompletion",
                .headers = {{.name = "aic-route",
                             .description = "What answered and why.",
                             .required = true},
                            {.name = "aic-overhead-us",
                             .description = "Microseconds spent in the gateway itself.",
                             .required = true}}},
               {.status = 200,
                .schema = R"({"type": "string", "description": "With stream: true. Events )"
                          R"(`data: {chat.completion.chunk}`: deltas of the role, content, )"
                          R"(refusal and tool calls (each call's fragments under its index), )"
                          R"(then the finish_reason, then with stream_options.include_usage )"
                          R"(a chunk with empty choices and the usage; last `data: [DONE]`. )"
                          R"(A failure after the answer started is an event )"
                          R"(`data: {\"error\": {…}}`."})",
                .media_type = "text/event-stream"},
               ai_error(400,
                        "The request is invalid or no target can express it; `error.param` names "
                        "the field."),
               ai_error(402,
                        "A monthly AI budget does not cover what this request may cost "
                        "(problem type budget-exceeded)."),
               ai_error(404, "`model` is not a model, alias or route of this gateway."),
               ai_error(429, "The provider is rate limiting; see Retry-After."),
               ai_error(502, "Every target failed."),
               ai_error(503, "Every target's circuit breaker is open."),
               ai_error(504, "The provider did not answer in time.")}}))));
  router.add(
      http::Method::kPost, "/v1/messages",
      [gateway](RequestContext& context) { return gateway->chat(context, Ingress::kAnthropic); },
      provider_call(anthropic_errors(v1::route_options(
          identity::permission::kAiInvoke,
          "Create a message (Anthropic Messages-compatible; stream: true for SSE)",
          {.max_body_bytes = kMaxRequestBytes,
           .operation_id = "createMessage",

           .request_schema = "MessagesRequest",
           .responses = {
               {.status = 200,
                .description = "The answer; with stream: true, named events from "
                               "message_start to message_stop.",
                .schema = "Message"},
               {.status = 200,
                .schema = R"({"type": "string", "description": "With stream: true. Named )"
                          R"(events as Anthropic sends them: message_start, then per content )"
                          R"(block content_block_start, content_block_delta (text_delta or )"
                          R"(input_json_delta) and content_block_stop, then message_delta )"
                          R"(with the stop_reason and usage, last message_stop. A failure )"
                          R"(after the answer started is an `event: error`."})",
                .media_type = "text/event-stream"},
               anthropic_error(400, "Invalid request."),
               anthropic_error(402, "A monthly AI budget does not cover this request."),
               anthropic_error(404, "`model` is not a model, alias or route of this gateway."),
               anthropic_error(429, "The provider is rate limiting; see Retry-After."),
               anthropic_error(502, "Every target failed."),
               anthropic_error(503, "Every target's circuit breaker is open."),
               anthropic_error(504, "The provider did not answer in time.")}}))));
  router.add(
      http::Method::kPost, "/v1/embeddings",
      [gateway](RequestContext& context) { return gateway->embeddings(context); },
      provider_call(openai_errors(v1::route_options(
          identity::permission::kAiInvoke, "Create embeddings (OpenAI-compatible)",
          {.max_body_bytes = kMaxRequestBytes,
           .operation_id = "createEmbeddings",

           .request_schema = "EmbeddingRequest",
           .responses = {
               {.status = 200, .description = "One vector per input.", .schema = "EmbeddingList"},
               ai_error(400, "The request is invalid, or `model` names a chat model."),
               ai_error(402, "A monthly AI budget does not cover this request."),
               ai_error(404, "`model` is not a model, alias or route of this gateway."),
               ai_error(502, "Every target failed.")}}))));
  router.add(
      http::Method::kGet, "/v1/models",
      [gateway](RequestContext& context) { return gateway->models(context); },
      openai_errors(v1::route_options(
          identity::permission::kAiInvoke, "List the models, aliases and routes callers may name",
          {.operation_id = "listModels",

           .responses = {
               {.status = 200, .description = "OpenAI's model list.", .schema = "ModelList"}}})));
  router.add(
      http::Method::kGet, "/v1/ai/usage",
      [gateway](RequestContext& context) { return gateway->usage(context); },
      v1::route_options(
          identity::permission::kBillingRead, "The tenant's AI tokens and cost, grouped",
          {.operation_id = "getAiUsage",
           .query = {{.name = "from",
                      .description = "First UTC day, 2026-12-01; default: the month's first."},
                     {.name = "to", .description = "Last UTC day (inclusive); default: today."},
                     {.name = "group_by",
                      .description =
                          "Comma-separated: model, key, day, provider (default: model)."}},
           .responses = {
               {.status = 200, .description = "Sums per group.", .schema = "AiUsage"},
               {.status = 400, .description = "A bad day or grouping; `field` names it."}}}));
  add_budget_routes(router, dependencies);
  add_tenant_catalog_routes(router, dependencies);
}

}  // namespace aic::api::ai
