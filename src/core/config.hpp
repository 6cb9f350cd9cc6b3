// Server configuration: a TOML file (optional), then AIC_* environment variables on top,
// then validation. Defaults work with no file at all.
//
// Every key is declared once in config.cpp (path, environment variable, type, default,
// description); `config_keys()` exposes that table so `aic config check` and the operations
// reference in docs/operations.md stay in step with the code.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace aic::core {

using Duration = std::chrono::milliseconds;

struct ServerConfig {
  std::string listen = "127.0.0.1:8080";  // host:port; port 0 picks a free port
  unsigned io_threads = 0;                // 0 = one per core
  std::size_t max_connections = 15000;
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_body_bytes = 1024 * 1024;  // routes may override
  Duration header_timeout = std::chrono::seconds(10);
  Duration idle_timeout = std::chrono::seconds(60);
  Duration request_timeout = std::chrono::seconds(30);
  Duration shutdown_grace = std::chrono::seconds(20);
  Duration shutdown_delay = std::chrono::seconds(0);  // /readyz is 503 this long before closing
};

struct TlsConfig {
  std::string cert_file;  // PEM chain; TLS is on when both files are set
  std::string key_file;   // PEM private key
  bool enabled() const { return !cert_file.empty() || !key_file.empty(); }
};

struct CorsConfig {
  std::vector<std::string> allowed_origins;  // empty = CORS off; "*" = any origin
  std::vector<std::string> allowed_headers = {"Authorization", "Content-Type", "X-Request-Id",
                                              "traceparent"};
  std::vector<std::string> exposed_headers = {"X-Request-Id"};
  bool allow_credentials = false;
  Duration max_age = std::chrono::minutes(10);
};

struct DatabaseConfig {
  std::string url = "sqlite://./var/aic.db";  // sqlite://PATH or postgres://…
  std::size_t pool_size = 8;
  Duration busy_timeout = std::chrono::seconds(5);
  bool migrate_on_start = true;
};

struct WorkersConfig {
  unsigned threads = 0;  // 0 = max(4, 2 × cores): database calls block a worker
  std::size_t queue_limit = 1024;
};

struct LogConfig {
  std::string level = "info";   // trace, debug, info, warn, error, off
  std::string format = "json";  // json or text
  bool access = true;           // one line per request
};

struct AuthConfig {
  // How long a verified API key is trusted without asking the database; also how long a key
  // revoked through another replica may keep working. 0 looks every key up every time.
  Duration credential_cache_ttl = std::chrono::seconds(5);
  std::string token_issuer = "aic";  // `iss` of access tokens; e.g. the public base URL
  std::string token_audience = "aic-api";
  Duration token_lifetime = std::chrono::minutes(15);
  // 64 hex characters; encrypts token signing keys at rest. Empty: stored unencrypted.
  std::string master_key;
};

// Requests per minute for each tenant plan; a tenant's keys share its plan's budget, and a
// key may have a lower limit of its own.
struct RateLimitConfig {
  std::int64_t free = 60;
  std::int64_t standard = 600;
  std::int64_t enterprise = 6000;
  std::int64_t platform_operator = 600;
  // Failed authentications per minute from one client address (API keys, access tokens and
  // the token endpoint together); beyond it, credentials not verified recently get 429.
  std::int64_t failed_authentications = 30;
};

// The live event stream (GET /v1/events/stream).
struct EventsConfig {
  // A comment line is sent this often when no event does, so proxies keep the connection
  // open and a client that vanished is noticed.
  Duration stream_heartbeat = std::chrono::seconds(15);
};

// Webhook delivery (webhooks/, the outbound HTTP client).
struct WebhooksConfig {
  bool deliver = true;  // run delivery workers in this process
  // Address ranges (CIDR) deliveries may reach although they are loopback, private or
  // link-local; everything else of that kind is refused (SSRF protection).
  std::vector<std::string> allow_addresses;
  Duration connect_timeout = std::chrono::seconds(5);
  Duration timeout = std::chrono::seconds(15);  // one attempt, start to end
  std::int64_t max_in_flight = 512;
  // How long a claimed message stays with its worker; a crashed worker's messages are sent
  // again after it. Must exceed `timeout`.
  Duration lease = std::chrono::seconds(60);
  Duration poll_interval = std::chrono::milliseconds(250);
};

// The AI gateway. Providers, models and routes are tables in the config file
// ([[ai.providers]], [[ai.models]], [[ai.routes]]; see docs/ai-gateway.md); they are kept here
// as JSON text and read by ai::Catalog, which reports their mistakes.
struct AiConfig {
  Duration connect_timeout = std::chrono::seconds(5);
  Duration first_byte_timeout = std::chrono::seconds(60);   // request sent → first byte back
  Duration stream_idle_timeout = std::chrono::seconds(60);  // longest silence in an answer
  Duration request_timeout = std::chrono::minutes(10);      // one upstream attempt, start to end
  std::int64_t max_attempts = 2;                            // per target, first try included
  Duration retry_base_delay = std::chrono::milliseconds(250);
  Duration retry_max_delay = std::chrono::seconds(8);
  std::int64_t breaker_failures = 5;  // consecutive failures that open a target's breaker
  Duration breaker_cooldown = std::chrono::seconds(30);
  Duration cache_ttl = std::chrono::seconds(0);  // 0: no response cache
  std::size_t cache_max_bytes = 64 * 1024 * 1024;
  Duration tenant_refresh = std::chrono::seconds(5);  // re-read of tenants' budgets, providers
  // CIDR ranges tenants' own providers may reach although private (SSRF protection).
  std::vector<std::string> tenant_allow_addresses;
  std::int64_t budget_output_tokens = 4096;  // reserved when a request sets no max_tokens
  std::int64_t auto_min_quality = 70;  // model "auto": the lowest evaluation score, in percent
  // What the financial engine's AI paths call when the request names no model.
  std::string sentiment_model = "auto";
  std::string narrative_model = "auto";
  // The request log also shows each chat request's body and its answer (redacted, cut).
  bool log_bodies = false;
  std::string catalog_json;    // {"providers":[…],"models":[…],"routes":[…]}; empty: none
  std::string catalog_source;  // the file the tables came from, for messages
};

struct Config {
  ServerConfig server;
  TlsConfig tls;
  CorsConfig cors;
  DatabaseConfig database;
  WorkersConfig workers;
  LogConfig log;
  AuthConfig auth;
  RateLimitConfig rate_limits;
  WebhooksConfig webhooks;
  EventsConfig events;
  AiConfig ai;
};

// One problem found while loading: the key's path, where the value came from
// ("config.toml:12:3" or "env AIC_LISTEN") and why it was rejected.
struct ConfigIssue {
  std::string key;
  std::string source;
  std::string reason;
};

struct LoadedConfig {
  Config config;
  std::vector<ConfigIssue> issues;  // empty when the configuration is valid
};

using Environment = std::map<std::string, std::string>;

// A snapshot of the process environment (only AIC_* variables).
Environment process_environment();

// Loads `file` (when given) and applies `env` on top. Never throws for bad input: every
// problem is reported in `issues`, and the remaining keys keep their defaults.
LoadedConfig load_config(const std::optional<std::filesystem::path>& file, const Environment& env);

struct ConfigKeyInfo {
  std::string path;  // "server.listen"
  std::string env;   // "AIC_LISTEN"
  std::string type;  // "string", "integer", "bool", "duration", "size", "list"
  std::string default_value;
  std::string description;
  bool secret = false;  // never printed or logged
};
const std::vector<ConfigKeyInfo>& config_keys();

// Parses "250ms", "30s", "5m", "1h" (a bare integer is rejected: units are required).
std::optional<Duration> parse_duration(std::string_view text);
// Parses "1048576", "64KiB", "1MiB", "2GiB" (also kB/MB/GB as powers of 1000).
std::optional<std::uint64_t> parse_size(std::string_view text);

struct HostPort {
  std::string host;  // IPv4/IPv6 literal or name, without brackets
  std::uint16_t port = 0;
};
// Parses "127.0.0.1:8080", "[::1]:8080", "localhost:0".
std::optional<HostPort> parse_host_port(std::string_view text);

// `url` with any password replaced by "***", for logs and error messages.
std::string redact_url(std::string_view url);

// Effective worker-thread count for WorkersConfig.threads (resolves 0 = auto).
unsigned effective_worker_threads(const WorkersConfig& workers);
unsigned effective_io_threads(const ServerConfig& server);

}  // namespace aic::core
