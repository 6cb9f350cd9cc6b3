#include "api/v1/audit_routes.hpp"

#include <boost/json.hpp>

#include "api/form.hpp"
#include "api/v1/route_support.hpp"
#include "identity/permissions.hpp"

namespace aic::api::v1 {
namespace {

namespace json = boost::json;
using http::RequestContext;
using http::Response;

constexpr std::int64_t kMaxPage = 200;
constexpr std::int64_t kMaxExport = 100'000;
// Exports read up to kMaxExport rows each; a tenant runs at most this many at once.
constexpr std::int64_t kConcurrentExports = 2;

json::object record_json(const audit::Record& record) {
  const audit::Event& event = record.event;
  json::object out{
      {"id", record.id},
      {"seq", record.seq},
      {"occurred_at", record.occurred_at},
      {"action", event.action},
      {"outcome", event.outcome},
      {"actor",
       {{"type", event.actor_kind},
        {"id", event.actor_id},
        {"credential_id", event.credential_id}}},
      {"target", {{"type", event.target_type}, {"id", event.target_id}}},
      {"client_address", event.origin.client_address},
      {"user_agent", event.origin.user_agent},
      {"request_id", event.origin.request_id},
      {"prev_hash", record.prev_hash},
      {"hash", record.hash},
  };
  // Details are JSON the server wrote; shown as an object, hashed as the exact text.
  boost::system::error_code ignored;
  json::value details =
      event.details.empty() ? json::object() : json::parse(event.details, ignored);
  out["details"] = ignored ? json::value(event.details) : std::move(details);
  return out;
}

// The filters both routes share, read into `query`.
core::Status read_filters(const FormFields& params, audit::Query& query) {
  auto text = [&](std::string_view name, std::string& out) {
    if (const std::string* value = params.get(name)) out = *value;
  };
  text("action", query.action);
  text("outcome", query.outcome);
  text("actor_id", query.actor_id);
  text("target_id", query.target_id);
  if (!query.outcome.empty() && query.outcome != "success" && query.outcome != "failure" &&
      query.outcome != "denied") {
    return core::Error::invalid("must be success, failure or denied", "outcome");
  }
  for (auto [name, out] : {std::pair{"since", &query.since}, std::pair{"until", &query.until}}) {
    const std::string* value = params.get(name);
    if (value == nullptr) continue;
    auto normalized = audit::normalize_time(*value);
    if (!normalized) {
      return core::Error::invalid("must be an RFC 3339 UTC time like 2026-01-31T00:00:00Z", name);
    }
    *out = *normalized;
  }
  return {};
}

// The chain a principal reads: its tenant's, or the platform's for the operator.
std::string chain_of(const core::Principal& principal) {
  return principal.tenant_id.empty() ? std::string(audit::kPlatformChain) : principal.tenant_id;
}

core::Result<std::int64_t> sequence_cursor(const FormFields& params, std::string_view name) {
  return params.integer(name, 0, 0, std::numeric_limits<std::int64_t>::max());
}

boost::asio::awaitable<Response> list_events(const AuditDependencies& deps,
                                             RequestContext& context) {
  const core::Principal* actor = actor_of(context);
  if (actor == nullptr) co_return no_actor(context);
  auto params = FormFields::parse(
      context.request.query(),
      {"limit", "cursor", "action", "outcome", "actor_id", "target_id", "since", "until"});
  if (!params) co_return error_response(params.error(), context);
  audit::Query query;
  query.chain = chain_of(*actor);
  if (auto ok = read_filters(*params, query); !ok) co_return error_response(ok.error(), context);
  auto limit = params->integer("limit", 50, 1, kMaxPage);
  if (!limit) co_return error_response(limit.error(), context);
  query.limit = static_cast<std::size_t>(*limit);
  // The cursor is the sequence number of the last event of the previous page. Clients treat
  // it as opaque; it stays valid forever because the chain only grows at the other end.
  if (params->get("cursor") != nullptr) {
    auto cursor = sequence_cursor(*params, "cursor");
    if (!cursor) co_return error_response(cursor.error(), context);
    query.before_seq = *cursor;
  }
  auto page = co_await deps.workers.run(context.deadline, [&] { return deps.audit.list(query); });
  if (!page) co_return error_response(page.error(), context);
  json::array items;
  for (const auto& record : page->records) items.push_back(record_json(record));
  std::optional<std::string> next;
  if (page->more) next = std::to_string(page->records.back().seq);
  co_return list_response(std::move(items), next);
}

boost::asio::awaitable<Response> export_events(const AuditDependencies& deps,
                                               RequestContext& context) {
  const core::Principal* actor = actor_of(context);
  if (actor == nullptr) co_return no_actor(context);
  auto params = FormFields::parse(
      context.request.query(),
      {"limit", "after", "action", "outcome", "actor_id", "target_id", "since", "until"});
  if (!params) co_return error_response(params.error(), context);
  audit::Query query;
  query.chain = chain_of(*actor);
  query.newest_first = false;
  if (auto ok = read_filters(*params, query); !ok) co_return error_response(ok.error(), context);
  auto limit = params->integer("limit", 10'000, 1, kMaxExport);
  if (!limit) co_return error_response(limit.error(), context);
  query.limit = static_cast<std::size_t>(*limit);
  auto after = sequence_cursor(*params, "after");
  if (!after) co_return error_response(after.error(), context);
  query.after_seq = *after;
  auto page = co_await deps.workers.run(context.deadline, [&] { return deps.audit.list(query); });
  if (!page) co_return error_response(page.error(), context);
  std::string lines;
  for (const auto& record : page->records) {
    lines += json::serialize(record_json(record));
    lines += '\n';
  }
  Response response = Response::make(200, std::move(lines), "application/jsonl");
  // Where the next export starts, when this one stopped at its limit.
  if (page->more) {
    response.headers.set("Aic-Next-After", std::to_string(page->records.back().seq));
  }
  co_return response;
}

using Handler = boost::asio::awaitable<Response> (*)(const AuditDependencies&, RequestContext&);

}  // namespace

void add_audit_routes(http::Router& router, const AuditDependencies& dependencies) {
  const AuditDependencies* deps = &dependencies;
  auto bind = [deps](Handler handler) {
    return [deps, handler](RequestContext& context) { return handler(*deps, context); };
  };
  auto options = [](std::string summary, std::string operation_id,
                    std::vector<http::ParamDoc> query, http::ResponseDoc success) {
    return http::RouteOptions{.permission = std::string(identity::permission::kAuditRead),
                              .summary = std::move(summary),
                              .operation_id = std::move(operation_id),
                              .query = std::move(query),
                              .responses = {std::move(success)}};
  };
  // The filters both routes read (read_filters), after each route's own parameters.
  auto with_filters = [](std::vector<http::ParamDoc> params) {
    params.insert(params.end(),
                  {{.name = "action", .description = "Only this action, e.g. `api_key.created`."},
                   {.name = "outcome",
                    .description = "Only this outcome.",
                    .schema = R"({"type":"string","enum":["success","failure","denied"]})"},
                   {.name = "actor_id", .description = "Only events by this actor."},
                   {.name = "target_id", .description = "Only events about this object."},
                   {.name = "since",
                    .description = "Only events at or after this time (RFC 3339 UTC).",
                    .schema = R"({"type":"string","format":"date-time"})"},
                   {.name = "until",
                    .description = "Only events before this time (RFC 3339 UTC).",
                    .schema = R"({"type":"string","format":"date-time"})"}});
    return params;
  };
  router.add(
      http::Method::kGet, "/v1/audit-events", bind(list_events),
      options(
          "List the caller's audit events, newest first.", "listAuditEvents",
          with_filters({{.name = "limit",
                         .description = "Events per page.",
                         .schema = R"({"type":"integer","minimum":1,"maximum":200,"default":50})"},
                        {.name = "cursor", .description = "`next_cursor` of the previous page."}}),
          {.status = 200, .description = "A page of events.", .schema = "ListOfAuditEvents"}));
  router.add(
      http::Method::kGet, "/v1/audit-events/export",
      deps->caps.wrap("audit-export", kConcurrentExports, bind(export_events)),
      options("Export audit events in chain order as JSON Lines, with their hashes.",
              "exportAuditEvents",
              with_filters(
                  {{.name = "limit",
                    .description = "Events at most.",
                    .schema = R"({"type":"integer","minimum":1,"maximum":100000,"default":10000})"},
                   {.name = "after",
                    .description = "Start after this `seq` (0: from the start).",
                    .schema = R"({"type":"integer","minimum":0,"default":0})"}}),
              {.status = 200,
               .description = "One event per line, oldest first. When the export stopped at "
                              "`limit`, the `Aic-Next-After` header is the `after` of the next.",
               .schema = "AuditEvent",
               .media_type = "application/jsonl"}));
}

}  // namespace aic::api::v1
