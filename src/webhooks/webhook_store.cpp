#include "webhooks/webhook_store.hpp"

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>
#include <map>
#include <set>

#include "core/json_writer.hpp"
#include "core/utc_time.hpp"
#include "events/catalogue.hpp"
#include "webhooks/delivery_policy.hpp"
#include "webhooks/signature.hpp"

namespace aic::webhooks {
namespace {

using core::Error;
using core::ErrorCode;
using core::Result;
using store::Access;
using store::Transaction;
using store::Value;

constexpr std::string_view kEndpointColumns =
    "id, tenant_id, url, description, event_types, headers, rate_limit_per_second, disabled_at, "
    "disabled_reason, version, created_at, updated_at";
constexpr std::string_view kMessageColumns =
    "id, endpoint_id, event_id, event_type, status, attempts, next_attempt_at, created_at, "
    "finished_at";
constexpr std::string_view kAttemptColumns =
    "id, message_id, endpoint_id, attempt, attempted_at, succeeded, status_code, latency_ms, "
    "response_body, error";

constexpr std::size_t kMaxResponseBodyKept = 1024;
constexpr std::chrono::hours kSecretRotationOverlap{24};

// Headers a receiver relies on us to set, or that would change how the request is framed.
constexpr std::array<std::string_view, 12> kReservedHeaders = {
    "host",   "content-length", "content-type", "transfer-encoding",   "connection",
    "te",     "upgrade",        "keep-alive",   "proxy-authorization", "user-agent",
    "expect", "trailer"};

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool has_control_characters(std::string_view text) {
  return std::any_of(text.begin(), text.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

bool token_character(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

Error not_found(std::string_view endpoint_id) {
  return Error::make(ErrorCode::kNotFound,
                     "webhook endpoint " + std::string(endpoint_id) + " not found");
}

core::Status require_tenant(const core::Principal& actor) {
  if (actor.tenant_id.empty()) {
    return Error::make(ErrorCode::kPermissionDenied,
                       "webhook endpoints belong to a tenant; the platform operator has none");
  }
  return {};
}

std::string join_types(const std::vector<std::string>& types) {
  std::string out;
  for (const auto& type : types) {
    if (!out.empty()) out += ' ';
    out += type;
  }
  return out;
}

std::vector<std::string> split_types(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    std::size_t space = std::min(text.find(' '), text.size());
    if (space > 0) out.emplace_back(text.substr(0, space));
    text.remove_prefix(std::min(space + 1, text.size()));
  }
  return out;
}

std::string headers_json(const std::vector<Header>& headers) {
  boost::json::array out;
  for (const auto& [name, value] : headers) out.push_back(boost::json::array{name, value});
  return boost::json::serialize(out);
}

std::vector<Header> headers_from_json(std::string_view text) {
  std::vector<Header> out;
  boost::system::error_code error;
  boost::json::value parsed = boost::json::parse(text, error);
  if (error || !parsed.is_array()) return out;
  for (const auto& pair : parsed.as_array()) {
    const auto* items = pair.if_array();
    if (items == nullptr || items->size() != 2 || !(*items)[0].is_string() ||
        !(*items)[1].is_string()) {
      continue;
    }
    out.emplace_back(std::string((*items)[0].as_string()), std::string((*items)[1].as_string()));
  }
  return out;
}

Endpoint endpoint_from_row(store::QueryResult& result, std::size_t row) {
  Endpoint endpoint;
  endpoint.id = result.take_text(row, 0);
  endpoint.tenant_id = result.take_text(row, 1);
  endpoint.url = result.take_text(row, 2);
  endpoint.description = result.take_text(row, 3);
  endpoint.event_types = split_types(result.text(row, 4));
  endpoint.headers = headers_from_json(result.text(row, 5));
  if (!result.is_null(row, 6)) endpoint.rate_limit_per_second = result.integer(row, 6);
  if (!result.is_null(row, 7)) endpoint.disabled_at = result.take_text(row, 7);
  if (!result.is_null(row, 8)) endpoint.disabled_reason = result.take_text(row, 8);
  endpoint.version = result.integer(row, 9);
  endpoint.created_at = result.take_text(row, 10);
  endpoint.updated_at = result.take_text(row, 11);
  return endpoint;
}

Message message_from_row(store::QueryResult& result, std::size_t row) {
  Message message;
  message.id = result.take_text(row, 0);
  message.endpoint_id = result.take_text(row, 1);
  message.event_id = result.take_text(row, 2);
  message.event_type = result.take_text(row, 3);
  message.status = result.take_text(row, 4);
  message.attempts = result.integer(row, 5);
  if (message.status == "pending") {
    message.next_attempt_at =
        core::format_utc_millis(core::from_unix_millis(result.integer(row, 6)));
  }
  message.created_at = result.take_text(row, 7);
  if (!result.is_null(row, 8)) message.finished_at = result.take_text(row, 8);
  return message;
}

Attempt attempt_from_row(store::QueryResult& result, std::size_t row) {
  Attempt attempt;
  attempt.id = result.take_text(row, 0);
  attempt.message_id = result.take_text(row, 1);
  attempt.endpoint_id = result.take_text(row, 2);
  attempt.attempt = result.integer(row, 3);
  attempt.attempted_at = result.take_text(row, 4);
  attempt.succeeded = result.integer(row, 5) != 0;
  if (!result.is_null(row, 6)) attempt.status_code = result.integer(row, 6);
  attempt.latency_ms = result.integer(row, 7);
  attempt.response_body = result.take_text(row, 8);
  attempt.error = result.take_text(row, 9);
  return attempt;
}

// The endpoint `endpoint_id` of `tenant_id`, or kNotFound.
Result<Endpoint> find_endpoint(Transaction& tx, const std::string& tenant_id,
                               std::string_view endpoint_id) {
  auto rows = tx.execute("SELECT " + std::string(kEndpointColumns) +
                             " FROM webhook_endpoints WHERE tenant_id = $1 AND id = $2",
                         {tenant_id, std::string(endpoint_id)});
  if (!rows) return std::move(rows).error();
  if (rows->rows.empty()) return not_found(endpoint_id);
  return endpoint_from_row(*rows, 0);
}

core::Status append_audit(audit::AuditLog& log, Transaction& tx, const core::Principal& actor,
                          const audit::Origin& origin, std::string action,
                          const std::string& endpoint_id, std::string details = {}) {
  audit::Event event = audit::event_by(actor, origin, std::move(action));
  event.target_type = "webhook_endpoint";
  event.target_id = endpoint_id;
  event.details = std::move(details);
  auto appended = log.append(tx, event);
  if (!appended) return std::move(appended).error();
  return {};
}

// Appends "($k, $k+1, …)" for one row of `columns` parameters numbered after `first`.
void append_row_placeholders(std::string& sql, std::size_t first, std::size_t columns) {
  sql += '(';
  for (std::size_t c = 0; c < columns; ++c) {
    if (c > 0) sql += ", ";
    sql += '$';
    sql += std::to_string(first + c + 1);
  }
  sql += ')';
}

// Rows per multi-row statement: few round trips to the database (what limits throughput on
// PostgreSQL), and far below either backend's limit on parameters.
constexpr std::size_t kRowsPerStatement = 200;

// One message per (event, endpoint), inserted a statement of many rows at a time.
core::Status insert_messages(
    Transaction& tx, core::Random& random,
    const std::vector<std::pair<const events::Event*, std::string>>& messages, std::int64_t due) {
  constexpr std::size_t kColumns = 8;
  for (std::size_t start = 0; start < messages.size(); start += kRowsPerStatement) {
    const std::size_t end = std::min(messages.size(), start + kRowsPerStatement);
    std::string sql =
        "INSERT INTO webhook_messages (id, tenant_id, endpoint_id, event_id, event_type, payload, "
        "next_attempt_at, created_at, status, attempts) VALUES ";
    std::vector<Value> params;
    params.reserve((end - start) * kColumns);
    for (std::size_t i = start; i < end; ++i) {
      const auto& [event, endpoint_id] = messages[i];
      if (i > start) sql += ", ";
      append_row_placeholders(sql, params.size(), kColumns);
      sql.pop_back();
      sql += ", 'pending', 0)";
      params.emplace_back(core::time_ordered_id("msg_", random));
      params.emplace_back(event->tenant_id);
      params.emplace_back(endpoint_id);
      params.emplace_back(event->id);
      params.emplace_back(event->type);
      params.emplace_back(events::to_json(*event));
      params.emplace_back(due);
      params.emplace_back(event->occurred_at);
    }
    auto inserted = tx.execute(sql, params);
    if (!inserted) return std::move(inserted).error();
  }
  return {};
}

core::Status insert_message(Transaction& tx, core::Random& random, const events::Event& event,
                            const std::string& endpoint_id, std::int64_t due) {
  auto inserted = tx.execute(
      "INSERT INTO webhook_messages (id, tenant_id, endpoint_id, event_id, event_type, payload, "
      "status, attempts, next_attempt_at, created_at) "
      "VALUES ($1, $2, $3, $4, $5, $6, 'pending', 0, $7, $8)",
      {core::time_ordered_id("msg_", random), event.tenant_id, endpoint_id, event.id, event.type,
       events::to_json(event), due, event.occurred_at});
  if (!inserted) return std::move(inserted).error();
  return {};
}

}  // namespace

core::Status validate_url(std::string_view url) {
  if (url.size() > 2048) return Error::invalid("must be at most 2048 characters", "/url");
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) return Error::invalid("must be an absolute http or https URL", "/url");
  std::string scheme = lower(parsed->scheme());
  if (scheme != "http" && scheme != "https") {
    return Error::invalid("must use http or https", "/url");
  }
  if (parsed->encoded_host().empty()) return Error::invalid("must name a host", "/url");
  if (parsed->has_userinfo()) {
    return Error::invalid("must not carry credentials; use custom headers instead", "/url");
  }
  if (parsed->has_fragment()) return Error::invalid("must not have a #fragment", "/url");
  return {};
}

core::Status validate_event_types(const std::vector<std::string>& event_types) {
  if (event_types.empty() || event_types.size() > 50) {
    return Error::invalid("must list 1 to 50 event types or patterns", "/event_types");
  }
  for (std::size_t i = 0; i < event_types.size(); ++i) {
    if (!events::valid_type_filter(event_types[i])) {
      return Error::invalid(
          "must be an event type (import.completed), a prefix pattern (import.*) or *",
          "/event_types/" + std::to_string(i));
    }
  }
  return {};
}

core::Status validate_headers(const std::vector<Header>& headers) {
  if (headers.size() > 20) return Error::invalid("at most 20 custom headers", "/headers");
  std::set<std::string> seen;
  for (const auto& [name, value] : headers) {
    std::string field = "/headers/" + name;
    if (name.empty() || name.size() > 100 ||
        !std::all_of(name.begin(), name.end(), token_character)) {
      return Error::invalid("is not a valid header name", field);
    }
    std::string folded = lower(name);
    if (folded.starts_with("webhook-") || folded.starts_with("proxy-") ||
        std::find(kReservedHeaders.begin(), kReservedHeaders.end(), folded) !=
            kReservedHeaders.end()) {
      return Error::invalid("is set by the platform and cannot be overridden", field);
    }
    if (!seen.insert(folded).second) return Error::invalid("appears twice", field);
    if (value.size() > 1000 || has_control_characters(value)) {
      return Error::invalid("must be at most 1000 characters without control characters", field);
    }
  }
  return {};
}

core::Status validate_rate_limit(std::int64_t per_second) {
  if (per_second < 1 || per_second > 10'000) {
    return Error::invalid("must be between 1 and 10000 deliveries per second",
                          "/rate_limit_per_second");
  }
  return {};
}

core::Status validate_changes(const EndpointChanges& changes) {
  if (changes.url) {
    if (auto ok = validate_url(*changes.url); !ok) return ok;
  }
  if (changes.description &&
      (changes.description->size() > 500 || has_control_characters(*changes.description))) {
    return Error::invalid("must be at most 500 characters without control characters",
                          "/description");
  }
  if (changes.event_types) {
    if (auto ok = validate_event_types(*changes.event_types); !ok) return ok;
  }
  if (changes.headers) {
    if (auto ok = validate_headers(*changes.headers); !ok) return ok;
  }
  if (changes.rate_limit_per_second && *changes.rate_limit_per_second) {
    return validate_rate_limit(**changes.rate_limit_per_second);
  }
  return {};
}

void WorkSignal::notify() {
  {
    std::lock_guard lock(mutex_);
    pending_ = true;
  }
  changed_.notify_all();
}

bool WorkSignal::wait_for(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, timeout, [&] { return pending_; });
  bool notified = pending_;
  pending_ = false;
  return notified;
}

WebhookStore::WebhookStore(store::Database& database, core::Random& random, audit::AuditLog& audit,
                           events::EventLog& events, WebhookStoreOptions options)
    : database_(database),
      random_(random),
      audit_(audit),
      events_(events),
      options_(std::move(options)) {
  subscription_ =
      events_.subscribe([signal = work_signal_](const std::string&) { signal->notify(); });
}

WebhookStore::~WebhookStore() { events_.unsubscribe(subscription_); }

core::Status WebhookStore::fan_out_pending(Transaction& tx, std::int64_t now_ms) {
  // Tenants with events past their fan-out cursor. A publisher's uncommitted number is not
  // visible here, and a tenant's events commit in number order, so "seq > cursor" is exactly
  // the events still to fan out.
  constexpr std::int64_t kEventsPerClaim = 500;
  constexpr std::int64_t kTenantsPerClaim = 32;
  auto behind = tx.execute(
      "SELECT s.tenant_id, f.seq FROM event_streams s "
      "LEFT JOIN event_fan_out f ON f.tenant_id = s.tenant_id "
      "WHERE s.last_seq > COALESCE(f.seq, 0) LIMIT $1",
      {kTenantsPerClaim});
  if (!behind) return std::move(behind).error();
  if (behind->rows.empty()) return {};
  // Shared fairly, so one tenant's backlog does not hold up the others.
  const std::int64_t per_tenant =
      std::max<std::int64_t>(16, kEventsPerClaim / static_cast<std::int64_t>(behind->rows.size()));

  for (std::size_t t = 0; t < behind->rows.size(); ++t) {
    const std::string tenant_id = behind->text(t, 0);
    if (behind->is_null(t, 1)) {
      auto created = tx.execute(
          "INSERT INTO event_fan_out (tenant_id, seq) VALUES ($1, 0) "
          "ON CONFLICT (tenant_id) DO NOTHING",
          {tenant_id});
      if (!created) return std::move(created).error();
    }
    // Holding the cursor row is what makes one replica at a time fan out a tenant's events;
    // another one skips the tenant instead of waiting.
    std::string lock = "SELECT seq FROM event_fan_out WHERE tenant_id = $1";
    if (tx.backend() == store::Backend::kPostgres) lock += " FOR UPDATE SKIP LOCKED";
    auto cursor = tx.execute(lock, {tenant_id});
    if (!cursor) return std::move(cursor).error();
    if (cursor->rows.empty()) continue;
    auto rows = tx.execute("SELECT " + std::string(events::kEventColumns) +
                               " FROM events WHERE tenant_id = $1 AND seq > $2 "
                               "ORDER BY seq LIMIT $3",
                           {tenant_id, cursor->integer(0, 0), per_tenant});
    if (!rows) return std::move(rows).error();
    if (rows->rows.empty()) continue;

    auto endpoints = tx.execute(
        "SELECT id, event_types, events_after_seq FROM webhook_endpoints "
        "WHERE tenant_id = $1 AND disabled_at IS NULL",
        {tenant_id});
    if (!endpoints) return std::move(endpoints).error();
    struct Subscription {
      std::string endpoint_id;
      std::vector<std::string> filters;
      std::int64_t after_seq;  // events up to this one predate the endpoint (or its enabling)
    };
    std::vector<Subscription> subscribed;
    for (std::size_t e = 0; e < endpoints->rows.size(); ++e) {
      subscribed.push_back(Subscription{endpoints->text(e, 0), split_types(endpoints->text(e, 1)),
                                        endpoints->integer(e, 2)});
    }
    std::vector<events::Event> batch(rows->rows.size());
    std::vector<std::pair<const events::Event*, std::string>> messages;
    for (std::size_t row = 0; row < rows->rows.size(); ++row) {
      events::Event& event = batch[row];
      event = events::event_from_row(*rows, row);
      // A test event was queued for its one endpoint when it was published (send_test()).
      if (event.type == "webhook.test") continue;
      for (const Subscription& subscription : subscribed) {
        if (event.seq <= subscription.after_seq) continue;
        const auto& filters = subscription.filters;
        bool wanted = std::any_of(filters.begin(), filters.end(), [&](const std::string& filter) {
          return events::type_matches(event.type, filter);
        });
        if (wanted) messages.emplace_back(&event, subscription.endpoint_id);
      }
    }
    if (auto ok = insert_messages(tx, random_, messages, now_ms); !ok) return ok;
    auto moved = tx.execute("UPDATE event_fan_out SET seq = $2 WHERE tenant_id = $1",
                            {tenant_id, batch.back().seq});
    if (!moved) return std::move(moved).error();
  }
  return {};
}

Result<std::string> WebhookStore::seal_secret(const std::string& endpoint_id,
                                              std::string_view secret) {
  if (!options_.master_key) return std::string(secret);
  return options_.master_key->seal(secret, "webhook_secret:" + endpoint_id, random_);
}

Result<std::string> WebhookStore::open_secret(const std::string& endpoint_id,
                                              const std::string& stored) const {
  if (!core::SecretBox::is_sealed(stored)) return stored;  // stored before a master key was set
  if (!options_.master_key) {
    return Error::make(ErrorCode::kUnavailable,
                       "endpoint " + endpoint_id + "'s secret is sealed but no master key is set");
  }
  return options_.master_key->open(stored, "webhook_secret:" + endpoint_id);
}

Result<EndpointWithSecret> WebhookStore::create_endpoint(const core::Principal& actor,
                                                         const NewEndpoint& request,
                                                         const audit::Origin& origin) {
  if (auto ok = require_tenant(actor); !ok) return std::move(ok).error();
  // A new endpoint is checked as a change of every member.
  if (auto ok = validate_changes({request.url, request.description, request.event_types,
                                  request.headers, request.rate_limit_per_second});
      !ok) {
    return std::move(ok).error();
  }
  EndpointWithSecret created;
  Endpoint& endpoint = created.endpoint;
  endpoint.id = core::time_ordered_id("whe_", random_);
  endpoint.tenant_id = actor.tenant_id;
  endpoint.url = request.url;
  endpoint.description = request.description;
  endpoint.event_types = request.event_types;
  endpoint.headers = request.headers;
  endpoint.rate_limit_per_second = request.rate_limit_per_second;
  endpoint.created_at = endpoint.updated_at = core::utc_now_millis();
  created.secret = generate_secret(random_);
  auto sealed = seal_secret(endpoint.id, created.secret);
  if (!sealed) return std::move(sealed).error();

  auto status = database_.transact(Access::kReadWrite, [&](Transaction& tx) -> core::Status {
    auto last_seq = events_.last_seq(tx, endpoint.tenant_id);
    if (!last_seq) return std::move(last_seq).error();
    auto inserted = tx.execute(
        "INSERT INTO webhook_endpoints (id, tenant_id, url, description, event_types, headers, "
        "rate_limit_per_second, secret, version, created_at, updated_at, events_after_seq) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $9, $10)",
        {endpoint.id, endpoint.tenant_id, endpoint.url, endpoint.description,
         join_types(endpoint.event_types), headers_json(endpoint.headers),
         endpoint.rate_limit_per_second ? Value(*endpoint.rate_limit_per_second) : Value(nullptr),
         *sealed, endpoint.created_at, *last_seq});
    if (!inserted) return std::move(inserted).error();
    return append_audit(audit_, tx, actor, origin, "webhook_endpoint.created", endpoint.id,
                        audit::details_json({{"url", endpoint.url}}));
  });
  if (!status) return std::move(status).error();
  return created;
}

Result<store::PageOf<Endpoint>> WebhookStore::list_endpoints(const core::Principal& actor,
                                                             const store::PageRequest& page) {
  if (auto ok = require_tenant(actor); !ok) return std::move(ok).error();
  std::string sql =
      "SELECT " + std::string(kEndpointColumns) + " FROM webhook_endpoints WHERE tenant_id = $1";
  std::vector<Value> params{actor.tenant_id};
  store::append_page(page, sql, params);
  store::PageOf<Endpoint> endpoints;
  auto status = database_.transact(Access::kReadOnly, [&](Transaction& tx) {
    return store::read_page(tx, sql, params, page.limit, endpoint_from_row, endpoints);
  });
  if (!status) return std::move(status).error();
  return endpoints;
}

Result<Endpoint> WebhookStore::get_endpoint(const core::Principal& actor,
                                            std::string_view endpoint_id) {
  if (auto ok = require_tenant(actor); !ok) return std::move(ok).error();
  std::optional<Endpoint> endpoint;
  auto status = database_.transact(Access::kReadOnly, [&](Transaction& tx) -> core::Status {
    auto found = find_endpoint(tx, actor.tenant_id, endpoint_id);
    if (!found) return std::move(found).error();
    endpoint = std::move(*found);
    return {};
  });
  if (!status) return std::move(status).error();
  return std::move(*endpoint);
}

Result<Endpoint> WebhookStore::update_endpoint(const core::Principal& actor,
                                               std::string_view endpoint_id,
                                               const EndpointChanges& changes,
                                               std::optional<std::int64_t> if_match,
                                               const audit::Origin& origin) {
  if (auto ok = require_tenant(actor); !ok) return std::move(ok).error();
  if (auto ok = validate_changes(changes); !ok) return std::move(ok).error();
  std::optional<Endpoint> updated;
  auto status = database_.transact(Access::kReadWrite, [&](Transaction& tx) -> core::Status {
    auto found = find_endpoint(tx, actor.tenant_id, endpoint_id);
    if (!found) return std::move(found).error();
    Endpoint endpoint = std::move(*found);
    if (if_match && *if_match != endpoint.version) {
      return Error::make(ErrorCode::kPreconditionFailed,
                         "the endpoint changed since version " + std::to_string(*if_match) +
                             "; it is now at version " + std::to_string(endpoint.version));
    }
    if (changes.url) endpoint.url = *changes.url;
    if (changes.description) endpoint.description = *changes.description;
    if (changes.event_types) endpoint.event_types = *changes.event_types;
    if (changes.headers) endpoint.headers = *changes.headers;
    if (changes.rate_limit_per_second)
      endpoint.rate_limit_per_second = *changes.rate_limit_per_second;
    endpoint.updated_at = core::utc_now_millis();
    // The version check in the WHERE clause makes a concurrent update lose cleanly.
    auto written = tx.execute(
        "UPDATE webhook_endpoints SET url = $3, description = $4, event_types = $5, headers = $6, "
        "rate_limit_per_second = $7, updated_at = $8, version = version + 1 "
        "WHERE tenant_id = $1 AND id = $2 AND version = $9",
        {actor.tenant_id, endpoint.id, endpoint.url, endpoint.description,
         join_types(endpoint.event_types), headers_json(endpoint.headers),
         endpoint.rate_limit_per_second ? Value(*endpoint.rate_limit_per_second) : Value(nullptr),
         endpoint.updated_at, endpoint.version});
    if (!written) return std::move(written).error();
    if (written->affected_rows != 1) {
      return Error::make(ErrorCode::kPreconditionFailed,
                         "the endpoint was changed by another request; read it again");
    }
    ++endpoint.version;
    updated = std::move(endpoint);
    return append_audit(audit_, tx, actor, origin, "webhook_endpoint.updated", updated->id,
                        audit::details_json({{"url", updated->url}}));
  });
  if (!status) return std::move(status).error();
  return std::move(*updated);
}

core::Status WebhookStore::disable_in(Transaction& tx, const std::string& tenant_id,
                                      const std::string& endpoint_id, const std::string& url,
                                      const std::string& reason) {
  auto disabled = tx.execute(
      "UPDATE webhook_endpoints SET disabled_at = $3, disabled_reason = $4, "
      "version = version + 1 WHERE tenant_id = $1 AND id = $2 AND disabled_at IS NULL",
      {tenant_id, endpoint_id, core::utc_now_millis(), reason});
  if (!disabled) return std::move(disabled).error();
  if (disabled->affected_rows == 0) return {};  // already disabled
  auto dead = tx.execute(
      "UPDATE webhook_messages SET status = 'failed', finished_at = $2 "
      "WHERE endpoint_id = $1 AND status = 'pending'",
      {endpoint_id, core::utc_now_millis()});
  if (!dead) return std::move(dead).error();
  auto published = events_.publish(
      tx, tenant_id, "webhook.endpoint.disabled",
      audit::details_json({{"endpoint_id", endpoint_id}, {"url", url}, {"reason", reason}}));
  if (!published) return std::move(published).error();
  return {};
}

Result<Endpoint> WebhookStore::set_enabled(const core::Principal& actor,
                                           std::string_view endpoint_id, bool enabled,
                                           const audit::Origin& origin) {
  if (auto ok = require_tenant(actor); !ok) return std::move(ok).error();
  std::optional<Endpoint> result;
  auto status = database_.transact(Access::kReadWrite, [&](Transaction& tx) -> core::Status {
    auto found = find_endpoint(tx, actor.tenant_id, endpoint_id);
    if (!found) return std::move(found).error();
    if (enabled) {
      // What happened while it was disabled is not sent: fan-out skipped the endpoint then,
      // and events it has not reached yet must not depend on when it gets there.
      auto last_seq = events_.last_seq(tx, actor.tenant_id);
      if (!last_seq) return std::move(last_seq).error();
      auto written = tx.execute(
          "UPDATE webhook_endpoints SET disabled_at = NULL, disabled_reason = NULL, "
          "failing_since = NULL, version = version + 1, updated_at = $3, events_after_seq = $4 "
          "WHERE tenant_id = $1 AND id = $2 AND disabled_at IS NOT NULL",
          {actor.tenant_id, found->id, core::utc_now_millis(), *last_seq});
      if (!written) return std::move(written).error();
    } else {
      auto written = tx.execute(
          "UPDATE webhook_endpoints SET disabled_at = $3, disabled_reason = 'disabled by a user', "
          "version = version + 1, updated_at = $3 "
          "WHERE tenant_id = $1 AND id = $2 AND disabled_at IS NULL",
          {actor.tenant_id, found->id, core::utc_now_millis()});
      if (!written) return std::move(written).error();
      auto dead = tx.execute(
          "UPDATE webhook_messages SET status = 'failed', finished_at = $2 "
          "WHERE endpoint_id = $1 AND status = 'pending'",
          {found->id, core::utc_now_millis()});
      if (!dead) return std::move(dead).error();
    }
    auto reread = find_endpoint(tx, actor.tenant_id, endpoint_id);
    if (!reread) return std::move(reread).error();
    result = std::move(*reread);
    return append_audit(audit_, tx, actor, origin,
                        enabled ? "webhook_endpoint.enabled" : "webhook_endpoint.disabled",
                        result->id);
  });
  if (!status) return std::move(status).error();
  return std::move(*result);
}

core::Status WebhookStore::delete_endpoint(const core::Principal& actor,
                                           std::string_view endpoint_id,
                                           const audit::Origin& origin) {
  if (auto ok = require_tenant(actor); !ok) return ok;
  return database_.transact(Access::kReadWrite, [&](Transaction& tx) -> core::Status {
    auto found = find_endpoint(tx, actor.tenant_id, endpoint_id);
    if (!found) return std::move(found).error();
    for (std::string_view table : {"webhook_attempts", "webhook_messages"}) {
      auto deleted = tx.execute(
          "DELETE FROM " + std::string(table) + " WHERE tenant_id = $1 AND endpoint_id = $2",
          {actor.tenant_id, found->id});
      if (!deleted) return std::move(deleted).error();
    }
    auto deleted = tx.execute("DELETE FROM webhook_endpoints WHERE tenant_id = $1 AND id = $2",
                              {actor.tenant_id, found->id});
    if (!deleted) return std::move(deleted).error();
    return append_audit(audit_, tx, actor, origin, "webhook_endpoint.deleted", found->id,
                        audit::details_json({{"url", found->url}}));
  });
}

Result<EndpointWithSecret> WebhookStore::rotate_secret(const core::Principal& actor,
                                                       std::string_view endpoint_id,
                                                       const audit::Origin& origin) {
  if (auto ok = require_tenant(actor); !ok) return std::move(ok).error();
  EndpointWithSecret rotated;
  rotated.secret = generate_secret(random_);
  auto status = database_.transact(Access::kReadWrite, [&](Transaction& tx) -> core::Status {
    auto found = find_endpoint(tx, actor.tenant_id, endpoint_id);
    if (!found) return std::move(found).error();
    auto sealed = seal_secret(found->id, rotated.secret);
    if (!sealed) return std::move(sealed).error();
    const std::int64_t overlap_until =
        core::unix_millis(std::chrono::system_clock::now() + kSecretRotationOverlap);
    // The current secret becomes the previous one; a previous one still overlapping from an
    // earlier rotation is dropped, so at most two secrets sign.
    auto written = tx.execute(
        "UPDATE webhook_endpoints SET previous_secret = secret, previous_secret_until = $3, "
        "secret = $4, version = version + 1, updated_at = $5 WHERE tenant_id = $1 AND id = $2",
        {actor.tenant_id, found->id, overlap_until, *sealed, core::utc_now_millis()});
    if (!written) return std::move(written).error();
    auto reread = find_endpoint(tx, actor.tenant_id, endpoint_id);
    if (!reread) return std::move(reread).error();
    rotated.endpoint = std::move(*reread);
    return append_audit(audit_, tx, actor, origin, "webhook_endpoint.secret_rotated",
                        rotated.endpoint.id);
  });
  if (!status) return std::move(status).error();
  return rotated;
}

Result<Message> WebhookStore::send_test(const core::Principal& actor, std::string_view endpoint_id,
                                        const audit::Origin& origin) {
  if (auto ok = require_tenant(actor); !ok) return std::move(ok).error();
  std::optional<Message> queued;
  auto status = database_.transact(Access::kReadWrite, [&](Transaction& tx) -> core::Status {
    auto found = find_endpoint(tx, actor.tenant_id, endpoint_id);
    if (!found) return std::move(found).error();
    if (found->disabled_at) {
      return Error::make(ErrorCode::kConflict,
                         "endpoint " + found->id + " is disabled; enable it before testing");
    }
    auto event = events_.publish(tx, actor.tenant_id, "webhook.test",
                                 audit::details_json({{"endpoint_id", found->id}}));
    if (!event) return std::move(event).error();
    const std::int64_t now = core::unix_millis(std::chrono::system_clock::now());
    if (auto ok = insert_message(tx, random_, *event, found->id, now); !ok) return ok;
    auto rows = tx.execute("SELECT " + std::string(kMessageColumns) +
                               " FROM webhook_messages WHERE endpoint_id = $1 AND event_id = $2",
                           {found->id, event->id});
    if (!rows) return std::move(rows).error();
    queued = message_from_row(*rows, 0);
    tx.after_commit([signal = work_signal_] { signal->notify(); });
    return append_audit(audit_, tx, actor, origin, "webhook_endpoint.tested", found->id);
  });
  if (!status) return std::move(status).error();
  return std::move(*queued);
}

Result<store::PageOf<Message>> WebhookStore::list_messages(const core::Principal& actor,
                                                           std::string_view endpoint_id,
                                                           std::string_view status_filter,
                                                           const store::PageRequest& page) {
  if (auto ok = require_tenant(actor); !ok) return std::move(ok).error();
  if (!status_filter.empty() && status_filter != "pending" && status_filter != "delivered" &&
      status_filter != "failed") {
    return Error::invalid("must be pending, delivered or failed", "status");
  }
  store::PageOf<Message> messages;
  auto status = database_.transact(Access::kReadOnly, [&](Transaction& tx) -> core::Status {
    auto found = find_endpoint(tx, actor.tenant_id, endpoint_id);
    if (!found) return std::move(found).error();
    std::string sql = "SELECT " + std::string(kMessageColumns) +
                      " FROM webhook_messages WHERE tenant_id = $1 AND endpoint_id = $2";
    std::vector<Value> params{actor.tenant_id, found->id};
    if (!status_filter.empty()) {
      params.emplace_back(std::string(status_filter));
      sql += " AND status = $3";
    }
    store::append_page(page, sql, params);
    return store::read_page(tx, sql, params, page.limit, message_from_row, messages);
  });
  if (!status) return std::move(status).error();
  return messages;
}

Result<store::PageOf<Attempt>> WebhookStore::list_attempts(const core::Principal& actor,
                                                           std::string_view endpoint_id,
                                                           const store::PageRequest& page) {
  if (auto ok = require_tenant(actor); !ok) return std::move(ok).error();
  store::PageOf<Attempt> attempts;
  auto status = database_.transact(Access::kReadOnly, [&](Transaction& tx) -> core::Status {
    auto found = find_endpoint(tx, actor.tenant_id, endpoint_id);
    if (!found) return std::move(found).error();
    // Attempts page by when they were made; `created_at` in the cursor is attempted_at.
    std::string sql = "SELECT " + std::string(kAttemptColumns) +
                      " FROM webhook_attempts WHERE tenant_id = $1 AND endpoint_id = $2";
    std::vector<Value> params{actor.tenant_id, found->id};
    if (page.after) {
      params.push_back(page.after->first);
      params.push_back(page.after->second);
      sql += " AND (attempted_at > $3 OR (attempted_at = $3 AND id > $4))";
    }
    sql += " ORDER BY attempted_at, id LIMIT " + std::to_string(page.limit + 1);
    return store::read_page(tx, sql, params, page.limit, attempt_from_row, attempts);
  });
  if (!status) return std::move(status).error();
  return attempts;
}

Result<std::int64_t> WebhookStore::replay(const core::Principal& actor,
                                          std::string_view endpoint_id,
                                          const ReplayRequest& request,
                                          const audit::Origin& origin) {
  if (auto ok = require_tenant(actor); !ok) return std::move(ok).error();
  std::int64_t replayed = 0;
  auto status = database_.transact(Access::kReadWrite, [&](Transaction& tx) -> core::Status {
    // The endpoint first: another tenant's is "not found" whatever the body says.
    auto found = find_endpoint(tx, actor.tenant_id, endpoint_id);
    if (!found) return std::move(found).error();
    if (request.message_id.has_value() == request.since.has_value()) {
      return Error::invalid("give exactly one of message_id and since", "/message_id");
    }
    std::optional<std::string> since;
    if (request.since) {
      since = audit::normalize_time(*request.since);
      if (!since) return Error::invalid("must be an RFC 3339 UTC time", "/since");
    }
    if (found->disabled_at) {
      return Error::make(ErrorCode::kConflict,
                         "endpoint " + found->id + " is disabled; enable it before replaying");
    }
    const std::int64_t now = core::unix_millis(std::chrono::system_clock::now());
    Result<store::QueryResult> moved = Error::make(ErrorCode::kInternal, "unset");
    if (request.message_id) {
      auto message = tx.execute(
          "SELECT status FROM webhook_messages WHERE tenant_id = $1 AND endpoint_id = $2 AND id = "
          "$3",
          {actor.tenant_id, found->id, *request.message_id});
      if (!message) return std::move(message).error();
      if (message->rows.empty()) {
        return Error::make(ErrorCode::kNotFound, "message " + *request.message_id + " not found");
      }
      if (message->text(0, 0) != "failed") {
        return Error::make(ErrorCode::kConflict, "message " + *request.message_id + " is " +
                                                     message->text(0, 0) +
                                                     "; only failed messages are replayed");
      }
      moved = tx.execute(
          "UPDATE webhook_messages SET status = 'pending', attempts = 0, next_attempt_at = $4, "
          "lease_until = 0, "
          "finished_at = NULL WHERE tenant_id = $1 AND endpoint_id = $2 AND id = $3",
          {actor.tenant_id, found->id, *request.message_id, now});
    } else {
      moved = tx.execute(
          "UPDATE webhook_messages SET status = 'pending', attempts = 0, next_attempt_at = $4, "
          "lease_until = 0, "
          "finished_at = NULL WHERE tenant_id = $1 AND endpoint_id = $2 AND status = 'failed' "
          "AND created_at >= $3",
          {actor.tenant_id, found->id, *since, now});
    }
    if (!moved) return std::move(moved).error();
    replayed = moved->affected_rows;
    if (replayed > 0) tx.after_commit([signal = work_signal_] { signal->notify(); });
    return append_audit(audit_, tx, actor, origin, "webhook_endpoint.replayed", found->id,
                        audit::details_json({{"messages", std::to_string(replayed)}}));
  });
  if (!status) return std::move(status).error();
  return replayed;
}

Result<std::vector<ClaimedMessage>> WebhookStore::claim_due(
    std::chrono::system_clock::time_point now, std::size_t limit) {
  const std::int64_t now_ms = core::unix_millis(now);
  const std::int64_t lease = core::unix_millis(now + options_.lease);
  std::vector<ClaimedMessage> claimed;
  auto status = database_.transact(Access::kReadWrite, [&](Transaction& tx) -> core::Status {
    claimed.clear();
    if (tx.backend() == store::Backend::kPostgres) {
      // Both queues below are read oldest first with a LIMIT. After a burst the planner's
      // statistics lag behind the table and it picks a bitmap scan that visits every due row
      // (and every not yet vacuumed one) before sorting: 27 ms instead of 0.6 ms per claim
      // with 20,000 due. An ordered index scan stops after the LIMIT.
      auto planned = tx.execute("SET LOCAL enable_bitmapscan = off");
      if (!planned) return std::move(planned).error();
    }
    if (auto fanned = fan_out_pending(tx, now_ms); !fanned) return fanned;
    // Claiming sets lease_until: nobody else takes the message until then, and the value is
    // the proof of ownership when recording. (A column outside every index, so PostgreSQL
    // updates the row in place instead of adding index entries on every claim, as long as
    // the page has room for the new version: migration 17 keeps half of each page free.)
    std::string pick =
        "SELECT id FROM webhook_messages WHERE status = 'pending' AND next_attempt_at <= $2 "
        "AND lease_until <= $2 ORDER BY next_attempt_at LIMIT $3";
    if (tx.backend() == store::Backend::kPostgres) pick += " FOR UPDATE SKIP LOCKED";
    auto rows = tx.execute("UPDATE webhook_messages SET lease_until = $1 WHERE id IN (" + pick +
                               ") RETURNING id, tenant_id, endpoint_id, payload, attempts",
                           {lease, now_ms, static_cast<std::int64_t>(limit)});
    if (!rows) return std::move(rows).error();
    if (rows->rows.empty()) return {};

    std::vector<std::string> endpoint_ids;
    for (std::size_t row = 0; row < rows->rows.size(); ++row) {
      ClaimedMessage message;
      message.id = rows->take_text(row, 0);
      message.tenant_id = rows->take_text(row, 1);
      message.endpoint_id = rows->take_text(row, 2);
      message.payload = rows->take_text(row, 3);
      message.attempts = rows->integer(row, 4);
      message.lease = lease;
      endpoint_ids.push_back(message.endpoint_id);
      claimed.push_back(std::move(message));
    }
    std::sort(endpoint_ids.begin(), endpoint_ids.end());
    endpoint_ids.erase(std::unique(endpoint_ids.begin(), endpoint_ids.end()), endpoint_ids.end());
    std::string sql =
        "SELECT id, url, headers, rate_limit_per_second, secret, previous_secret, "
        "previous_secret_until FROM webhook_endpoints WHERE id IN (";
    std::vector<Value> params;
    for (std::size_t i = 0; i < endpoint_ids.size(); ++i) {
      sql += (i == 0 ? "$" : ", $") + std::to_string(i + 1);
      params.emplace_back(endpoint_ids[i]);
    }
    sql += ")";
    auto endpoints = tx.execute(sql, params);
    if (!endpoints) return std::move(endpoints).error();
    for (std::size_t row = 0; row < endpoints->rows.size(); ++row) {
      const std::string id = endpoints->text(row, 0);
      std::vector<std::string> secrets;
      auto current = open_secret(id, endpoints->text(row, 4));
      if (!current) return std::move(current).error();
      secrets.push_back(std::move(*current));
      if (!endpoints->is_null(row, 5) && endpoints->integer(row, 6) > now_ms) {
        auto previous = open_secret(id, endpoints->text(row, 5));
        if (!previous) return std::move(previous).error();
        secrets.push_back(std::move(*previous));
      }
      const std::string url = endpoints->text(row, 1);
      const std::vector<Header> headers = headers_from_json(endpoints->text(row, 2));
      std::optional<std::int64_t> rate;
      if (!endpoints->is_null(row, 3)) rate = endpoints->integer(row, 3);
      for (ClaimedMessage& message : claimed) {
        if (message.endpoint_id != id) continue;
        message.url = url;
        message.headers = headers;
        message.secrets = secrets;
        message.rate_limit_per_second = rate;
      }
    }
    return {};
  });
  if (!status) return std::move(status).error();
  // A message whose endpoint vanished mid-claim has no URL; it is deleted with the endpoint.
  std::erase_if(claimed, [](const ClaimedMessage& message) { return message.url.empty(); });
  return claimed;
}

core::Status WebhookStore::record_successes(Transaction& tx,
                                            const std::vector<const DeliveryOutcome*>& outcomes) {
  for (std::size_t start = 0; start < outcomes.size(); start += kRowsPerStatement) {
    const std::size_t end = std::min(outcomes.size(), start + kRowsPerStatement);
    // Only the lease holder moves a message on; a late worker's outcome is dropped. Messages
    // claimed together share their lease, so this is one short statement per claim: a list
    // of ids is planned in a fraction of the time of a list of (id, lease) pairs.
    std::map<std::int64_t, std::vector<const DeliveryOutcome*>> by_lease;
    for (std::size_t i = start; i < end; ++i)
      by_lease[outcomes[i]->message.lease].push_back(outcomes[i]);
    std::set<std::string> mine;
    for (const auto& [lease, claimed] : by_lease) {
      std::string sql =
          "UPDATE webhook_messages SET status = 'delivered', attempts = attempts + 1, "
          "finished_at = $1 WHERE status = 'pending' AND lease_until = $2 AND id IN (";
      std::vector<Value> params{core::utc_now_millis(), lease};
      for (const DeliveryOutcome* outcome : claimed) {
        sql += params.size() == 2 ? "$" : ", $";
        sql += std::to_string(params.size() + 1);
        params.emplace_back(outcome->message.id);
      }
      sql += ") RETURNING id";
      auto moved = tx.execute(sql, params);
      if (!moved) return std::move(moved).error();
      for (std::size_t row = 0; row < moved->rows.size(); ++row) {
        mine.insert(moved->take_text(row, 0));
      }
    }
    if (mine.empty()) continue;

    constexpr std::size_t kColumns = 10;
    std::string insert =
        "INSERT INTO webhook_attempts (id, tenant_id, endpoint_id, message_id, attempt, "
        "attempted_at, status_code, latency_ms, response_body, error, succeeded) VALUES ";
    std::vector<Value> rows;
    std::set<std::string> endpoints;
    for (std::size_t i = start; i < end; ++i) {
      const DeliveryOutcome& outcome = *outcomes[i];
      if (!mine.contains(outcome.message.id)) continue;
      if (!rows.empty()) insert += ", ";
      append_row_placeholders(insert, rows.size(), kColumns);
      insert.pop_back();
      insert += ", 1)";
      rows.emplace_back(core::time_ordered_id("wha_", random_));
      rows.emplace_back(outcome.message.tenant_id);
      rows.emplace_back(outcome.message.endpoint_id);
      rows.emplace_back(outcome.message.id);
      rows.emplace_back(outcome.message.attempts + 1);
      rows.emplace_back(core::format_utc_millis(outcome.attempted_at));
      rows.emplace_back(std::int64_t{outcome.status_code});
      rows.emplace_back(static_cast<std::int64_t>(outcome.latency.count()));
      rows.emplace_back(outcome.response_body.substr(0, kMaxResponseBodyKept));
      rows.emplace_back(outcome.error);
      endpoints.insert(outcome.message.endpoint_id);
    }
    auto inserted = tx.execute(insert, rows);
    if (!inserted) return std::move(inserted).error();
    // A success ends the endpoint's failure streak.
    std::string heal =
        "UPDATE webhook_endpoints SET failing_since = NULL "
        "WHERE failing_since IS NOT NULL AND id IN (";
    std::vector<Value> ids;
    for (const std::string& endpoint_id : endpoints) {
      heal += ids.empty() ? "$" : ", $";
      heal += std::to_string(ids.size() + 1);
      ids.emplace_back(endpoint_id);
    }
    auto healed = tx.execute(heal + ")", ids);
    if (!healed) return std::move(healed).error();
  }
  return {};
}

core::Status WebhookStore::record(const std::vector<DeliveryOutcome>& outcomes) {
  if (outcomes.empty()) return {};
  return database_.transact(Access::kReadWrite, [&](Transaction& tx) -> core::Status {
    std::vector<const DeliveryOutcome*> successes;
    for (const DeliveryOutcome& outcome : outcomes) {
      if (is_success(outcome.status_code)) successes.push_back(&outcome);
    }
    // Failures, one by one: rarer, and each may reschedule, dead-letter or disable. Then the
    // successes, so that a success in the same batch ends the endpoint's failure streak.
    for (const DeliveryOutcome& outcome : outcomes) {
      if (is_success(outcome.status_code)) continue;
      const ClaimedMessage& message = outcome.message;
      const std::int64_t attempt_number = message.attempts + 1;
      const bool gone = outcome.status_code == 410;
      // Try again later, or give up: the schedule is over, or the receiver said it is gone.
      std::string status = "pending";
      std::int64_t next_attempt_at = 0;
      auto delay = scheduled_delay(static_cast<int>(attempt_number));
      if (!delay || gone) {
        status = "failed";
      } else {
        next_attempt_at =
            core::unix_millis(std::chrono::system_clock::now() +
                              retry_delay(*delay, outcome.jitter_unit, outcome.retry_after));
      }
      // Only the lease holder moves the message on; a late worker's outcome is dropped
      // (its attempt did happen, and the new holder will try again: at least once).
      auto moved = tx.execute(
          "UPDATE webhook_messages SET status = $3, attempts = $4, next_attempt_at = $5, "
          "lease_until = 0, finished_at = $6 "
          "WHERE id = $1 AND lease_until = $2 AND status = 'pending'",
          {message.id, message.lease, status, attempt_number, next_attempt_at,
           status == "pending" ? Value(nullptr) : Value(core::utc_now_millis())});
      if (!moved) return std::move(moved).error();
      if (moved->affected_rows == 0) continue;

      auto attempt = tx.execute(
          "INSERT INTO webhook_attempts (id, tenant_id, endpoint_id, message_id, attempt, "
          "attempted_at, succeeded, status_code, latency_ms, response_body, error) "
          "VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $8, $9, $10)",
          {core::time_ordered_id("wha_", random_), message.tenant_id, message.endpoint_id,
           message.id, attempt_number, core::format_utc_millis(outcome.attempted_at),
           outcome.status_code == 0 ? Value(nullptr) : Value(std::int64_t{outcome.status_code}),
           static_cast<std::int64_t>(outcome.latency.count()),
           outcome.response_body.substr(0, kMaxResponseBodyKept), outcome.error});
      if (!attempt) return std::move(attempt).error();

      const std::int64_t now_ms = core::unix_millis(std::chrono::system_clock::now());
      auto streak = tx.execute(
          "UPDATE webhook_endpoints SET failing_since = COALESCE(failing_since, $2) "
          "WHERE id = $1 RETURNING failing_since, url, disabled_at",
          {message.endpoint_id, now_ms});
      if (!streak) return std::move(streak).error();
      if (streak->rows.empty() || !streak->is_null(0, 2)) continue;
      const std::int64_t failing_since = streak->integer(0, 0);
      std::string reason;
      if (gone) {
        reason = "the endpoint answered 410 Gone";
      } else if (std::chrono::milliseconds(now_ms - failing_since) >= kDisableAfterFailingFor) {
        reason = "every delivery failed for 5 days";
      }
      if (!reason.empty()) {
        if (auto ok =
                disable_in(tx, message.tenant_id, message.endpoint_id, streak->text(0, 1), reason);
            !ok) {
          return ok;
        }
      }
    }
    return record_successes(tx, successes);
  });
}

core::Status WebhookStore::defer(const std::vector<Deferral>& deferrals) {
  if (deferrals.empty()) return {};
  return database_.transact(Access::kReadWrite, [&](Transaction& tx) -> core::Status {
    for (const Deferral& deferral : deferrals) {
      auto moved = tx.execute(
          "UPDATE webhook_messages SET next_attempt_at = $3, lease_until = 0 "
          "WHERE id = $1 AND lease_until = $2 AND status = 'pending'",
          {deferral.message_id, deferral.lease, core::unix_millis(deferral.until)});
      if (!moved) return std::move(moved).error();
    }
    return {};
  });
}

}  // namespace aic::webhooks
