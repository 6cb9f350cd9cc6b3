#include "core/config.hpp"

#include "core/secret_box.hpp"

#include <toml++/toml.h>
#include <unistd.h>
#include <charconv>
#include <functional>
#include <sstream>
#include <thread>

extern char** environ;  // NOLINT: POSIX

namespace aic::core {
namespace {

// A value as it arrived, from TOML or from an environment variable (always text there).
struct RawValue {
  enum class Kind { kString, kInteger, kBool, kArray, kOther };
  Kind kind = Kind::kOther;
  std::string text;
  std::int64_t integer = 0;
  bool boolean = false;
  std::vector<std::string> items;
  bool items_all_strings = true;
  bool from_env = false;
};

// Applies a raw value to the config; returns the reason when it is rejected.
using Setter = std::function<std::optional<std::string>(Config&, const RawValue&)>;

struct KeyDef {
  ConfigKeyInfo info;
  Setter set;
};

std::optional<std::int64_t> parse_integer(std::string_view text) {
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<std::int64_t> as_integer(const RawValue& raw) {
  if (raw.kind == RawValue::Kind::kInteger) return raw.integer;
  if (raw.from_env) return parse_integer(raw.text);
  return std::nullopt;
}

template <typename Access>
KeyDef string_key(std::string path, std::string env, std::string def, std::string description,
                  Access access,
                  std::function<std::optional<std::string>(const std::string&)> validate = nullptr,
                  bool secret = false) {
  return KeyDef{
      {std::move(path), std::move(env), "string", std::move(def), std::move(description), secret},
      [access, validate](Config& config, const RawValue& raw) -> std::optional<std::string> {
        if (raw.kind != RawValue::Kind::kString) return "expected a string";
        if (validate) {
          if (auto reason = validate(raw.text)) return reason;
        }
        access(config) = raw.text;
        return std::nullopt;
      }};
}

template <typename Access>
KeyDef integer_key(std::string path, std::string env, std::string def, std::string description,
                   std::int64_t min, std::int64_t max, Access access) {
  return KeyDef{
      {std::move(path), std::move(env), "integer", std::move(def), std::move(description)},
      [access, min, max](Config& config, const RawValue& raw) -> std::optional<std::string> {
        auto value = as_integer(raw);
        if (!value) return "expected an integer";
        if (*value < min || *value > max) {
          return "must be between " + std::to_string(min) + " and " + std::to_string(max);
        }
        using Target = std::remove_reference_t<decltype(access(config))>;
        access(config) = static_cast<Target>(*value);
        return std::nullopt;
      }};
}

template <typename Access>
KeyDef size_key(std::string path, std::string env, std::string def, std::string description,
                std::uint64_t min, std::uint64_t max, Access access) {
  return KeyDef{
      {std::move(path), std::move(env), "size", std::move(def), std::move(description)},
      [access, min, max](Config& config, const RawValue& raw) -> std::optional<std::string> {
        std::optional<std::uint64_t> value;
        if (raw.kind == RawValue::Kind::kInteger && raw.integer >= 0) {
          value = static_cast<std::uint64_t>(raw.integer);
        } else if (raw.kind == RawValue::Kind::kString) {
          value = parse_size(raw.text);
        }
        if (!value) return "expected a byte size such as 1048576, \"64KiB\" or \"1MiB\"";
        if (*value < min || *value > max) {
          return "must be between " + std::to_string(min) + " and " + std::to_string(max) +
                 " bytes";
        }
        access(config) = static_cast<std::size_t>(*value);
        return std::nullopt;
      }};
}

template <typename Access>
KeyDef duration_key(std::string path, std::string env, std::string def, std::string description,
                    Duration min, Duration max, Access access) {
  return KeyDef{
      {std::move(path), std::move(env), "duration", std::move(def), std::move(description)},
      [access, min, max](Config& config, const RawValue& raw) -> std::optional<std::string> {
        std::optional<Duration> value;
        if (raw.kind == RawValue::Kind::kString) value = parse_duration(raw.text);
        if (!value) return "expected a duration such as \"250ms\", \"30s\" or \"5m\"";
        if (*value < min || *value > max) {
          return "must be between " + std::to_string(min.count()) + "ms and " +
                 std::to_string(max.count()) + "ms";
        }
        access(config) = *value;
        return std::nullopt;
      }};
}

template <typename Access>
KeyDef bool_key(std::string path, std::string env, std::string def, std::string description,
                Access access) {
  return KeyDef{{std::move(path), std::move(env), "bool", std::move(def), std::move(description)},
                [access](Config& config, const RawValue& raw) -> std::optional<std::string> {
                  if (raw.kind == RawValue::Kind::kBool) {
                    access(config) = raw.boolean;
                    return std::nullopt;
                  }
                  if (raw.from_env) {
                    if (raw.text == "true" || raw.text == "1") {
                      access(config) = true;
                      return std::nullopt;
                    }
                    if (raw.text == "false" || raw.text == "0") {
                      access(config) = false;
                      return std::nullopt;
                    }
                  }
                  return "expected true or false";
                }};
}

template <typename Access>
KeyDef list_key(std::string path, std::string env, std::string def, std::string description,
                Access access) {
  return KeyDef{{std::move(path), std::move(env), "list", std::move(def), std::move(description)},
                [access](Config& config, const RawValue& raw) -> std::optional<std::string> {
                  if (raw.kind != RawValue::Kind::kArray || !raw.items_all_strings) {
                    return "expected an array of strings (comma-separated in the environment)";
                  }
                  access(config) = raw.items;
                  return std::nullopt;
                }};
}

std::optional<std::string> validate_listen(const std::string& text) {
  if (!parse_host_port(text))
    return "expected host:port, e.g. \"127.0.0.1:8080\" or \"[::1]:8080\"";
  return std::nullopt;
}

std::optional<std::string> validate_database_url(const std::string& text) {
  if (text.starts_with("sqlite://")) {
    if (text.size() == std::string_view("sqlite://").size()) return "sqlite URL has no path";
    return std::nullopt;
  }
  if (text.starts_with("postgres://") || text.starts_with("postgresql://")) return std::nullopt;
  return "expected sqlite://PATH or postgres://USER@HOST:PORT/DB";
}

// What a request names as `model` when it names none: a model, alias or route, or "auto".
std::optional<std::string> validate_model_name(const std::string& text) {
  if (text.empty()) return "must name a model, alias or route (or auto)";
  return std::nullopt;
}

std::optional<std::string> validate_one_of(const std::string& text,
                                           std::initializer_list<std::string_view> allowed) {
  std::string list;
  for (auto option : allowed) {
    if (text == option) return std::nullopt;
    if (!list.empty()) list += ", ";
    list += option;
  }
  return "must be one of: " + list;
}

const std::vector<KeyDef>& key_table() {
  using std::chrono::hours;
  using std::chrono::milliseconds;
  using std::chrono::seconds;
  static const std::vector<KeyDef> table = {
      string_key(
          "server.listen", "AIC_LISTEN", "127.0.0.1:8080",
          "Address and port to listen on; port 0 picks a free port.",
          [](Config & c) -> auto& { return c.server.listen; }, validate_listen),
      integer_key(
          "server.io_threads", "AIC_IO_THREADS", "0",
          "Threads running network I/O; 0 means one per core.", 0, 256,
          [](Config & c) -> auto& { return c.server.io_threads; }),
      integer_key(
          "server.max_connections", "AIC_MAX_CONNECTIONS", "15000",
          "Open connections above this are answered 503 and closed.", 1, 1000000,
          [](Config & c) -> auto& { return c.server.max_connections; }),
      size_key(
          "server.max_header_bytes", "AIC_MAX_HEADER_BYTES", "16KiB",
          "Largest request line + headers; larger requests get 431.", 1024, 1024 * 1024,
          [](Config & c) -> auto& { return c.server.max_header_bytes; }),
      size_key(
          "server.max_body_bytes", "AIC_MAX_BODY_BYTES", "1MiB",
          "Largest request body unless a route sets its own; larger bodies get 413.", 0,
          std::uint64_t{1} << 34, [](Config & c) -> auto& { return c.server.max_body_bytes; }),
      duration_key(
          "server.header_timeout", "AIC_HEADER_TIMEOUT", "10s",
          "Time a client has to send a complete request head once it started.", milliseconds(10),
          hours(1), [](Config & c) -> auto& { return c.server.header_timeout; }),
      duration_key(
          "server.idle_timeout", "AIC_IDLE_TIMEOUT", "60s",
          "Keep-alive connections idle this long are closed.", milliseconds(10), hours(24),
          [](Config & c) -> auto& { return c.server.idle_timeout; }),
      duration_key(
          "server.request_timeout", "AIC_REQUEST_TIMEOUT", "30s",
          "Deadline for reading the body and producing the response.", milliseconds(10), hours(1),
          [](Config & c) -> auto& { return c.server.request_timeout; }),
      duration_key(
          "server.shutdown_grace", "AIC_SHUTDOWN_GRACE", "20s",
          "On SIGTERM/SIGINT, how long in-flight requests may take to finish.", milliseconds(0),
          hours(1), [](Config & c) -> auto& { return c.server.shutdown_grace; }),
      duration_key(
          "server.shutdown_delay", "AIC_SHUTDOWN_DELAY", "0s",
          "On SIGTERM/SIGINT, how long /readyz answers 503 before the listener closes "
          "(lets a load balancer notice).",
          milliseconds(0), hours(1), [](Config & c) -> auto& { return c.server.shutdown_delay; }),
      string_key(
          "tls.cert_file", "AIC_TLS_CERT_FILE", "",
          "PEM certificate chain; set with tls.key_file to serve HTTPS.",
          [](Config & c) -> auto& { return c.tls.cert_file; }),
      string_key(
          "tls.key_file", "AIC_TLS_KEY_FILE", "", "PEM private key for tls.cert_file.",
          [](Config & c) -> auto& { return c.tls.key_file; }),
      list_key(
          "cors.allowed_origins", "AIC_CORS_ALLOWED_ORIGINS", "[]",
          "Origins allowed by CORS; empty disables CORS, \"*\" allows any origin.",
          [](Config & c) -> auto& { return c.cors.allowed_origins; }),
      list_key(
          "cors.allowed_headers", "AIC_CORS_ALLOWED_HEADERS",
          "[\"Authorization\", \"Content-Type\", \"X-Request-Id\", \"traceparent\"]",
          "Request headers a browser may send cross-origin.",
          [](Config & c) -> auto& { return c.cors.allowed_headers; }),
      list_key(
          "cors.exposed_headers", "AIC_CORS_EXPOSED_HEADERS", "[\"X-Request-Id\"]",
          "Response headers a browser script may read.",
          [](Config & c) -> auto& { return c.cors.exposed_headers; }),
      bool_key(
          "cors.allow_credentials", "AIC_CORS_ALLOW_CREDENTIALS", "false",
          "Allow cookies/credentials cross-origin (never together with \"*\").",
          [](Config & c) -> auto& { return c.cors.allow_credentials; }),
      duration_key(
          "cors.max_age", "AIC_CORS_MAX_AGE", "10m",
          "How long browsers may cache a preflight answer.", seconds(0), hours(24),
          [](Config & c) -> auto& { return c.cors.max_age; }),
      string_key(
          "database.url", "AIC_DATABASE_URL", "sqlite://./var/aic.db",
          "sqlite://PATH (embedded) or postgres://USER:PASSWORD@HOST:PORT/DB.",
          [](Config & c) -> auto& { return c.database.url; }, validate_database_url,
          /*secret=*/true),
      integer_key(
          "database.pool_size", "AIC_DATABASE_POOL_SIZE", "8",
          "Connections per process (SQLite: readers; one writer besides).", 1, 1000,
          [](Config & c) -> auto& { return c.database.pool_size; }),
      duration_key(
          "database.busy_timeout", "AIC_DATABASE_BUSY_TIMEOUT", "5s",
          "How long a statement waits for a lock before the transaction is retried.",
          milliseconds(0), std::chrono::minutes(10),
          [](Config & c) -> auto& { return c.database.busy_timeout; }),
      bool_key(
          "database.migrate_on_start", "AIC_DATABASE_MIGRATE_ON_START", "true",
          "Apply pending migrations when `aic serve` starts.",
          [](Config & c) -> auto& { return c.database.migrate_on_start; }),
      integer_key(
          "workers.threads", "AIC_WORKERS_THREADS", "0",
          "Threads for blocking work (database, heavy CPU); 0 means max(4, 2 x cores).", 0, 1024,
          [](Config & c) -> auto& { return c.workers.threads; }),
      integer_key(
          "workers.queue_limit", "AIC_WORKERS_QUEUE_LIMIT", "1024",
          "Jobs waiting for a worker above this are refused with 503.", 1, 1000000,
          [](Config & c) -> auto& { return c.workers.queue_limit; }),
      string_key(
          "log.level", "AIC_LOG_LEVEL", "info", "trace, debug, info, warn, error or off.",
          [](Config & c) -> auto& { return c.log.level; },
          [](const std::string& v) {
            return validate_one_of(v, {"trace", "debug", "info", "warn", "error", "off"});
          }),
      string_key(
          "log.format", "AIC_LOG_FORMAT", "json", "json (one object per line) or text.",
          [](Config & c) -> auto& { return c.log.format; },
          [](const std::string& v) {
            return validate_one_of(v, {"json", "text"});
          }),
      bool_key(
          "log.access", "AIC_LOG_ACCESS", "true", "Write one access-log line per request.",
          [](Config & c) -> auto& { return c.log.access; }),
      duration_key(
          "auth.credential_cache_ttl", "AIC_AUTH_CREDENTIAL_CACHE_TTL", "5s",
          "How long a verified API key is trusted without a database lookup; a key revoked "
          "through another replica works at most this long. 0s disables the cache.",
          Duration(0), std::chrono::minutes(10),
          [](Config & c) -> auto& { return c.auth.credential_cache_ttl; }),
      string_key(
          "auth.token_issuer", "AIC_AUTH_TOKEN_ISSUER", "aic",
          "The iss claim of OAuth2 access tokens (for example the public base URL); every "
          "replica must use the same value.",
          [](Config & c) -> auto& { return c.auth.token_issuer; },
          [](const std::string& v) -> std::optional<std::string> {
            if (v.empty()) return "must not be empty";
            return std::nullopt;
          }),
      string_key(
          "auth.token_audience", "AIC_AUTH_TOKEN_AUDIENCE", "aic-api",
          "The aud claim of OAuth2 access tokens; tokens for another audience are refused.",
          [](Config & c) -> auto& { return c.auth.token_audience; },
          [](const std::string& v) -> std::optional<std::string> {
            if (v.empty()) return "must not be empty";
            return std::nullopt;
          }),
      string_key(
          "auth.master_key", "AIC_MASTER_KEY", "",
          "64 hex characters (`openssl rand -hex 32`) that encrypt token signing keys, webhook "
          "signing secrets, tenants' AI provider keys and kept Idempotency-Key answers in the "
          "database (AES-256-GCM). Every replica needs the same key; losing it invalidates every "
          "signing key, webhook secret and provider key. Empty: keys and secrets are stored "
          "unencrypted (a warning is logged), tenants cannot store provider keys, and kept "
          "answers use a per-process key.",
          [](Config & c) -> auto& { return c.auth.master_key; },
          [](const std::string& v) -> std::optional<std::string> {
            if (v.empty()) return std::nullopt;
            if (auto box = SecretBox::from_hex(v, "auth.master_key"); !box) {
              return box.error().message;
            }
            return std::nullopt;
          },
          /*secret=*/true),
      duration_key(
          "auth.token_lifetime", "AIC_AUTH_TOKEN_LIFETIME", "15m",
          "How long an OAuth2 access token is valid (at most 1h).", std::chrono::minutes(1),
          std::chrono::hours(1), [](Config & c) -> auto& { return c.auth.token_lifetime; }),
      integer_key(
          "rate_limits.free", "AIC_RATE_LIMITS_FREE", "60",
          "Requests per minute for a tenant on the free plan (all its keys together).", 1,
          1000000000, [](Config & c) -> auto& { return c.rate_limits.free; }),
      integer_key(
          "rate_limits.standard", "AIC_RATE_LIMITS_STANDARD", "600",
          "Requests per minute for a tenant on the standard plan.", 1, 1000000000,
          [](Config & c) -> auto& { return c.rate_limits.standard; }),
      integer_key(
          "rate_limits.enterprise", "AIC_RATE_LIMITS_ENTERPRISE", "6000",
          "Requests per minute for a tenant on the enterprise plan.", 1, 1000000000,
          [](Config & c) -> auto& { return c.rate_limits.enterprise; }),
      integer_key(
          "rate_limits.platform_operator", "AIC_RATE_LIMITS_PLATFORM_OPERATOR", "600",
          "Requests per minute for the platform operator's keys.", 1, 1000000000,
          [](Config & c) -> auto& { return c.rate_limits.platform_operator; }),
      integer_key(
          "rate_limits.failed_authentications", "AIC_RATE_LIMITS_FAILED_AUTHENTICATIONS", "30",
          "Failed authentications per minute from one client address; past it, credentials "
          "not verified recently are answered 429 without being looked up.",
          1, 1000000000, [](Config & c) -> auto& { return c.rate_limits.failed_authentications; }),
      duration_key(
          "events.stream_heartbeat", "AIC_EVENTS_STREAM_HEARTBEAT", "15s",
          "How often the live event stream sends a heartbeat comment while no event "
          "happens.",
          std::chrono::milliseconds(50), std::chrono::minutes(10),
          [](Config & c) -> auto& { return c.events.stream_heartbeat; }),
      bool_key(
          "webhooks.deliver", "AIC_WEBHOOKS_DELIVER", "true",
          "Run webhook delivery workers in this process (every replica may; work is claimed "
          "so nothing is sent twice at once).",
          [](Config & c) -> auto& { return c.webhooks.deliver; }),
      list_key(
          "webhooks.allow_addresses", "AIC_WEBHOOKS_ALLOW_ADDRESSES", "[]",
          "Address ranges (CIDR, e.g. \"10.20.0.0/16\") webhook deliveries may reach although "
          "they are loopback, private, link-local or metadata addresses; all other such "
          "targets are refused.",
          [](Config & c) -> auto& { return c.webhooks.allow_addresses; }),
      duration_key(
          "webhooks.connect_timeout", "AIC_WEBHOOKS_CONNECT_TIMEOUT", "5s",
          "Time to resolve, connect and finish TLS for one delivery.",
          std::chrono::milliseconds(100), std::chrono::minutes(1),
          [](Config & c) -> auto& { return c.webhooks.connect_timeout; }),
      duration_key(
          "webhooks.timeout", "AIC_WEBHOOKS_TIMEOUT", "15s",
          "Time for one delivery attempt from start to the end of the answer.",
          std::chrono::milliseconds(100), std::chrono::minutes(5),
          [](Config & c) -> auto& { return c.webhooks.timeout; }),
      integer_key(
          "webhooks.max_in_flight", "AIC_WEBHOOKS_MAX_IN_FLIGHT", "512",
          "Deliveries one process has in flight at once.", 1, 100000,
          [](Config & c) -> auto& { return c.webhooks.max_in_flight; }),
      duration_key(
          "webhooks.lease", "AIC_WEBHOOKS_LEASE", "60s",
          "How long a claimed delivery belongs to its worker; after a crash it is sent "
          "again once this passes. Must exceed webhooks.timeout.",
          std::chrono::seconds(1), std::chrono::hours(1),
          [](Config & c) -> auto& { return c.webhooks.lease; }),
      duration_key(
          "webhooks.poll_interval", "AIC_WEBHOOKS_POLL_INTERVAL", "250ms",
          "How often workers look for due deliveries when nothing woke them (retries "
          "falling due, events published by other processes).",
          std::chrono::milliseconds(10), std::chrono::minutes(1),
          [](Config & c) -> auto& { return c.webhooks.poll_interval; }),
      duration_key(
          "ai.connect_timeout", "AIC_AI_CONNECT_TIMEOUT", "5s",
          "Longest wait for a connection to a model provider (resolve, TCP, TLS).",
          std::chrono::milliseconds(100), std::chrono::minutes(1),
          [](Config & c) -> auto& { return c.ai.connect_timeout; }),
      duration_key(
          "ai.first_byte_timeout", "AIC_AI_FIRST_BYTE_TIMEOUT", "60s",
          "Longest wait from sending a request to a provider to the first byte of its answer.",
          std::chrono::milliseconds(100), std::chrono::minutes(30),
          [](Config & c) -> auto& { return c.ai.first_byte_timeout; }),
      duration_key(
          "ai.stream_idle_timeout", "AIC_AI_STREAM_IDLE_TIMEOUT", "60s",
          "Longest silence while a provider's answer is arriving; a stalled stream ends with "
          "an error.",
          std::chrono::milliseconds(100), std::chrono::minutes(30),
          [](Config & c) -> auto& { return c.ai.stream_idle_timeout; }),
      duration_key(
          "ai.request_timeout", "AIC_AI_REQUEST_TIMEOUT", "10m",
          "Longest time one attempt at a provider may take, start to end (streams included).",
          std::chrono::seconds(1), std::chrono::hours(2),
          [](Config & c) -> auto& { return c.ai.request_timeout; }),
      integer_key(
          "ai.max_attempts", "AIC_AI_MAX_ATTEMPTS", "2",
          "Attempts per target (the first included) on connection errors, 408, 429 and 5xx "
          "before the gateway fails over to the next target.",
          1, 10, [](Config & c) -> auto& { return c.ai.max_attempts; }),
      duration_key(
          "ai.retry_base_delay", "AIC_AI_RETRY_BASE_DELAY", "250ms",
          "First retry delay; it doubles per attempt with jitter, and a provider's Retry-After "
          "is honoured.",
          std::chrono::milliseconds(1), std::chrono::minutes(1),
          [](Config & c) -> auto& { return c.ai.retry_base_delay; }),
      duration_key(
          "ai.retry_max_delay", "AIC_AI_RETRY_MAX_DELAY", "8s",
          "Longest wait before a retry; a Retry-After beyond it fails over instead of waiting.",
          std::chrono::milliseconds(1), std::chrono::minutes(10),
          [](Config & c) -> auto& { return c.ai.retry_max_delay; }),
      integer_key(
          "ai.breaker_failures", "AIC_AI_BREAKER_FAILURES", "5",
          "Consecutive failures of one target that open its circuit breaker.", 1, 1000,
          [](Config & c) -> auto& { return c.ai.breaker_failures; }),
      duration_key(
          "ai.breaker_cooldown", "AIC_AI_BREAKER_COOLDOWN", "30s",
          "How long an open breaker skips its target before one probe request may try it.",
          std::chrono::milliseconds(10), std::chrono::hours(1),
          [](Config & c) -> auto& { return c.ai.breaker_cooldown; }),
      duration_key(
          "ai.cache_ttl", "AIC_AI_CACHE_TTL", "0s",
          "How long an answer is reused for an identical request of the same tenant; 0s turns "
          "the response cache off. Clients bypass it with Cache-Control: no-store.",
          std::chrono::milliseconds(0), std::chrono::hours(24 * 30),
          [](Config & c) -> auto& { return c.ai.cache_ttl; }),
      size_key(
          "ai.cache_max_bytes", "AIC_AI_CACHE_MAX_BYTES", "64MiB",
          "Memory the response cache may hold; the least recently used answers go first.", 0,
          std::uint64_t{1} << 36, [](Config & c) -> auto& { return c.ai.cache_max_bytes; }),
      duration_key(
          "ai.tenant_refresh", "AIC_AI_TENANT_REFRESH", "5s",
          "How often a replica re-reads a tenant's AI settings from the database: its "
          "budgets and their spend (what other replicas spent), its providers and routes.",
          std::chrono::milliseconds(100), std::chrono::hours(1),
          [](Config & c) -> auto& { return c.ai.tenant_refresh; }),
      list_key(
          "ai.tenant_allow_addresses", "AIC_AI_TENANT_ALLOW_ADDRESSES", "[]",
          "Address ranges (CIDR) that providers configured by tenants may reach although they "
          "are loopback, private, link-local or metadata addresses (and over plain http://); "
          "all other such targets are refused. The operator's own providers are not limited.",
          [](Config & c) -> auto& { return c.ai.tenant_allow_addresses; }),
      integer_key(
          "ai.auto_min_quality", "AIC_AI_AUTO_MIN_QUALITY", "70",
          "model \"auto\": the lowest mean evaluation score (percent) a model needs for the "
          "request's task to be chosen; a request may ask for more or less with "
          "metadata.aic_min_quality (0 to 1).",
          0, 100, [](Config & c) -> auto& { return c.ai.auto_min_quality; }),
      string_key(
          "ai.sentiment_model", "AIC_AI_SENTIMENT_MODEL", "auto",
          "The model, alias or route that classifies sentiment for POST /v1/sentiment/score "
          "with method \"llm\" when the request names none; \"auto\" picks by the tenant's "
          "evaluation scores for the task sentiment.",
          [](Config & c) -> auto& { return c.ai.sentiment_model; }, validate_model_name),
      string_key(
          "ai.narrative_model", "AIC_AI_NARRATIVE_MODEL", "auto",
          "The model, alias or route that rewrites an entity's insights narrative "
          "(GET /v1/entities/{id}/insights?narrative=ai) when the request names none; "
          "\"auto\" picks by the tenant's evaluation scores for the task narrative.",
          [](Config & c) -> auto& { return c.ai.narrative_model; }, validate_model_name),
      bool_key(
          "ai.log_bodies", "AIC_AI_LOG_BODIES", "false",
          "Log each chat request's body and its answer at info level under the request id: "
          "the first 4 KiB of each, with secret members, credentials, e-mail addresses and "
          "runs of 12 or more digits redacted. Off by default: prompts hold customer data.",
          [](Config & c) -> auto& { return c.ai.log_bodies; }),
      integer_key(
          "ai.budget_output_tokens", "AIC_AI_BUDGET_OUTPUT_TOKENS", "4096",
          "Output tokens a budgeted request without max_tokens reserves until it ends.", 1,
          10'000'000, [](Config & c) -> auto& { return c.ai.budget_output_tokens; }),
  };
  return table;
}

const KeyDef* find_key_by_path(std::string_view path) {
  for (const auto& key : key_table()) {
    if (key.info.path == path) return &key;
  }
  return nullptr;
}

std::string describe_source(const std::filesystem::path& file, const toml::source_region& region) {
  return file.string() + ":" + std::to_string(region.begin.line) + ":" +
         std::to_string(region.begin.column);
}

RawValue raw_from_node(const toml::node& node) {
  RawValue raw;
  if (auto s = node.as_string()) {
    raw.kind = RawValue::Kind::kString;
    raw.text = s->get();
  } else if (auto i = node.as_integer()) {
    raw.kind = RawValue::Kind::kInteger;
    raw.integer = i->get();
  } else if (auto b = node.as_boolean()) {
    raw.kind = RawValue::Kind::kBool;
    raw.boolean = b->get();
  } else if (auto a = node.as_array()) {
    raw.kind = RawValue::Kind::kArray;
    for (const auto& item : *a) {
      if (auto text = item.as_string()) {
        raw.items.push_back(text->get());
      } else {
        raw.items_all_strings = false;
      }
    }
  }
  return raw;
}

RawValue raw_from_env(const std::string& text, const std::string& type) {
  RawValue raw;
  raw.from_env = true;
  raw.text = text;
  if (type == "list") {
    raw.kind = RawValue::Kind::kArray;
    std::string_view rest = text;
    while (!rest.empty()) {
      auto comma = rest.find(',');
      std::string_view item = rest.substr(0, comma);
      while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
      while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
      if (!item.empty()) raw.items.emplace_back(item);
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  } else {
    raw.kind = RawValue::Kind::kString;
  }
  return raw;
}

void walk_table(const toml::table& table, const std::string& prefix,
                const std::filesystem::path& file, Config& config, std::vector<ConfigIssue>& issues,
                toml::table& ai_tables) {
  for (const auto& [name, node] : table) {
    std::string path =
        prefix.empty() ? std::string(name.str()) : prefix + "." + std::string(name.str());
    if (path == "ai.providers" || path == "ai.models" || path == "ai.routes") {
      // Arrays of tables, read by ai::Catalog; collected here as they are.
      if (!node.is_array()) {
        issues.push_back({path, describe_source(file, node.source()),
                          "expected an array of tables ([[" + path + "]])"});
      } else {
        ai_tables.insert_or_assign(std::string(name.str()), *node.as_array());
      }
      continue;
    }
    if (const auto* child = node.as_table()) {
      walk_table(*child, path, file, config, issues, ai_tables);
      continue;
    }
    const KeyDef* key = find_key_by_path(path);
    if (key == nullptr) {
      issues.push_back({path, describe_source(file, node.source()), "unknown key"});
      continue;
    }
    if (auto reason = key->set(config, raw_from_node(node))) {
      issues.push_back({path, describe_source(file, node.source()), *reason});
    }
  }
}

void validate_cross_keys(const Config& config, std::vector<ConfigIssue>& issues) {
  const auto& tls = config.tls;
  if (tls.cert_file.empty() != tls.key_file.empty()) {
    issues.push_back({tls.cert_file.empty() ? "tls.cert_file" : "tls.key_file", "",
                      "tls.cert_file and tls.key_file must be set together"});
  }
  for (const auto* file : {&tls.cert_file, &tls.key_file}) {
    if (!file->empty() && ::access(file->c_str(), R_OK) != 0) {
      issues.push_back(
          {file == &tls.cert_file ? "tls.cert_file" : "tls.key_file", "", "cannot read " + *file});
    }
  }
  const auto& cors = config.cors;
  bool wildcard = false;
  for (const auto& origin : cors.allowed_origins) {
    if (origin == "*") {
      wildcard = true;
    } else if (!(origin.starts_with("http://") || origin.starts_with("https://")) ||
               origin.ends_with("/")) {
      issues.push_back({"cors.allowed_origins", "",
                        "\"" + origin + "\" is not an origin (scheme://host[:port], no path)"});
    }
  }
  if (wildcard && cors.allow_credentials) {
    issues.push_back(
        {"cors.allow_credentials", "", "cannot be true while cors.allowed_origins contains \"*\""});
  }
  if (config.webhooks.lease <= config.webhooks.timeout + std::chrono::seconds(1)) {
    issues.push_back({"webhooks.lease", "",
                      "must exceed webhooks.timeout by more than a second, or a slow delivery's "
                      "message could be claimed and sent by another worker meanwhile"});
  }
}

}  // namespace

Environment process_environment() {
  Environment env;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    std::string_view text(*entry);
    if (!text.starts_with("AIC_")) continue;
    auto equals = text.find('=');
    if (equals == std::string_view::npos) continue;
    env.emplace(std::string(text.substr(0, equals)), std::string(text.substr(equals + 1)));
  }
  return env;
}

LoadedConfig load_config(const std::optional<std::filesystem::path>& file, const Environment& env) {
  LoadedConfig loaded;
  if (file) {
    // This toml++ build reports syntax errors by exception.
    try {
      toml::table parsed = toml::parse_file(file->string());
      toml::table ai_tables;
      walk_table(parsed, "", *file, loaded.config, loaded.issues, ai_tables);
      if (!ai_tables.empty()) {
        std::ostringstream json;
        json << toml::json_formatter(ai_tables);
        loaded.config.ai.catalog_json = json.str();
        loaded.config.ai.catalog_source = file->string();
      }
    } catch (const toml::parse_error& error) {
      loaded.issues.push_back(
          {"", describe_source(*file, error.source()), std::string(error.description())});
    }
  }
  for (const auto& key : key_table()) {
    auto it = env.find(key.info.env);
    if (it == env.end()) continue;
    if (auto reason = key.set(loaded.config, raw_from_env(it->second, key.info.type))) {
      loaded.issues.push_back({key.info.path, "env " + key.info.env, *reason});
    }
  }
  validate_cross_keys(loaded.config, loaded.issues);
  return loaded;
}

const std::vector<ConfigKeyInfo>& config_keys() {
  static const std::vector<ConfigKeyInfo> keys = [] {
    std::vector<ConfigKeyInfo> out;
    for (const auto& key : key_table()) out.push_back(key.info);
    return out;
  }();
  return keys;
}

std::optional<Duration> parse_duration(std::string_view text) {
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end == text.data() || value < 0) return std::nullopt;
  std::string_view unit(end, static_cast<std::size_t>(text.data() + text.size() - end));
  std::int64_t factor = 0;
  if (unit == "ms")
    factor = 1;
  else if (unit == "s")
    factor = 1000;
  else if (unit == "m")
    factor = 60 * 1000;
  else if (unit == "h")
    factor = 3600 * 1000;
  else
    return std::nullopt;
  if (value > std::numeric_limits<std::int64_t>::max() / factor) return std::nullopt;
  return Duration(value * factor);
}

std::optional<std::uint64_t> parse_size(std::string_view text) {
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end == text.data()) return std::nullopt;
  std::string_view unit(end, static_cast<std::size_t>(text.data() + text.size() - end));
  std::uint64_t factor = 0;
  if (unit.empty() || unit == "B")
    factor = 1;
  else if (unit == "KiB")
    factor = 1024;
  else if (unit == "MiB")
    factor = 1024 * 1024;
  else if (unit == "GiB")
    factor = 1024 * 1024 * 1024;
  else if (unit == "kB")
    factor = 1000;
  else if (unit == "MB")
    factor = 1000 * 1000;
  else if (unit == "GB")
    factor = 1000 * 1000 * 1000;
  else
    return std::nullopt;
  if (value > std::numeric_limits<std::uint64_t>::max() / factor) return std::nullopt;
  return value * factor;
}

std::optional<HostPort> parse_host_port(std::string_view text) {
  HostPort result;
  std::string_view port_text;
  if (text.starts_with("[")) {
    auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return std::nullopt;
    }
    result.host = std::string(text.substr(1, close - 1));
    port_text = text.substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos || text.find(':') != colon) return std::nullopt;
    result.host = std::string(text.substr(0, colon));
    port_text = text.substr(colon + 1);
  }
  if (result.host.empty()) return std::nullopt;
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port_text.empty() ||
      port > 65535) {
    return std::nullopt;
  }
  result.port = static_cast<std::uint16_t>(port);
  return result;
}

std::string redact_url(std::string_view url) {
  auto scheme = url.find("://");
  if (scheme == std::string_view::npos) return std::string(url);
  auto authority_start = scheme + 3;
  auto authority_end = url.find_first_of("/?#", authority_start);
  auto at = url.rfind('@', authority_end);
  if (at == std::string_view::npos || at < authority_start) return std::string(url);
  auto colon = url.find(':', authority_start);
  if (colon == std::string_view::npos || colon > at) return std::string(url);
  return std::string(url.substr(0, colon + 1)) + "***" + std::string(url.substr(at));
}

unsigned effective_worker_threads(const WorkersConfig& workers) {
  if (workers.threads != 0) return workers.threads;
  return std::max(4u, 2 * std::max(1u, std::thread::hardware_concurrency()));
}

unsigned effective_io_threads(const ServerConfig& server) {
  if (server.io_threads != 0) return server.io_threads;
  return std::max(1u, std::thread::hardware_concurrency());
}

}  // namespace aic::core
