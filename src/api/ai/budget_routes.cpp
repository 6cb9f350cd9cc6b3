#include "api/ai/budget_routes.hpp"

#include <boost/json.hpp>

#include "api/json_body.hpp"
#include "api/request_origin.hpp"
#include "api/v1/route_support.hpp"
#include "identity/permissions.hpp"

namespace aic::api::ai {
namespace {

namespace json = boost::json;
namespace model = aic::ai;
using http::RequestContext;
using http::Response;
using Awaitable = boost::asio::awaitable<Response>;

json::object budget_json(const GatewayDependencies& deps, const model::BudgetStatus& status) {
  const model::Budget& budget = status.budget;
  json::array thresholds;
  for (int threshold : budget.thresholds_percent) thresholds.emplace_back(threshold);
  std::int64_t in_flight =
      deps.budgets.in_flight(budget.tenant_id, budget.subject_id, status.month);
  std::int64_t remaining =
      std::max<std::int64_t>(0, budget.monthly_limit_microdollars - status.spent - in_flight);
  json::object out{{"id", budget.id},
                   {"scope", model::to_string(budget.scope)},
                   {"monthly_limit_microdollars", budget.monthly_limit_microdollars},
                   {"monthly_limit_usd", model::format_dollars(budget.monthly_limit_microdollars)},
                   {"thresholds_percent", std::move(thresholds)},
                   {"month", status.month},
                   {"spent_microdollars", status.spent},
                   {"spent_usd", model::format_dollars(status.spent)},
                   {"in_flight_microdollars", in_flight},
                   {"remaining_microdollars", remaining},
                   {"resets_on", model::next_month_start(status.month)},
                   {"version", budget.version},
                   {"created_at", budget.created_at},
                   {"updated_at", budget.updated_at}};
  out["subject_id"] =
      budget.subject_id.empty() ? json::value(nullptr) : json::value(budget.subject_id);
  return out;
}

Response budget_response(const GatewayDependencies& deps, int status,
                         const model::BudgetStatus& budget) {
  Response response = v1::json_response(status, budget_json(deps, budget));
  response.headers.set("ETag", v1::strong_etag(budget.budget.version));
  return response;
}

// Thresholds as sent: each must fit an int before the domain checks its range.
core::Result<std::vector<int>> thresholds_of(const std::vector<std::int64_t>& sent) {
  std::vector<int> out;
  for (std::size_t i = 0; i < sent.size(); ++i) {
    if (sent[i] < 1 || sent[i] > 100) {
      return core::Error::invalid("a threshold is a percentage from 1 to 100",
                                  "/thresholds_percent/" + std::to_string(i));
    }
    out.push_back(static_cast<int>(sent[i]));
  }
  return out;
}

Awaitable create_budget(GatewayDependencies& deps, RequestContext& context) {
  auto body = JsonBody::parse(
      context.request, {"scope", "subject_id", "monthly_limit_microdollars", "thresholds_percent"},
      {"id", "tenant_id", "month", "spent_microdollars", "spent_usd", "in_flight_microdollars",
       "remaining_microdollars", "resets_on", "version", "created_at", "updated_at",
       "monthly_limit_usd"});
  if (!body) co_return v1::error_response(body.error(), context);
  std::string scope;
  std::optional<std::int64_t> limit;
  std::optional<std::vector<std::int64_t>> thresholds;
  model::NewBudget request;
  body->required("scope", scope)
      .optional("subject_id", request.subject_id)
      .optional("monthly_limit_microdollars", limit)
      .optional("thresholds_percent", thresholds);
  if (body->first_error()) co_return v1::error_response(*body->first_error(), context);
  if (scope == "tenant") {
    request.scope = model::BudgetScope::kTenant;
  } else if (scope == "api_key") {
    request.scope = model::BudgetScope::kApiKey;
  } else if (scope == "service_account") {
    request.scope = model::BudgetScope::kServiceAccount;
  } else {
    co_return v1::error_response(
        core::Error::invalid("must be tenant, api_key or service_account", "/scope"), context);
  }
  if (!limit) {
    co_return v1::error_response(
        core::Error::invalid("is required: the monthly limit in micro-dollars ($1 = 1000000)",
                             "/monthly_limit_microdollars"),
        context);
  }
  request.monthly_limit_microdollars = *limit;
  if (thresholds) {
    auto parsed = thresholds_of(*thresholds);
    if (!parsed) co_return v1::error_response(parsed.error(), context);
    request.thresholds_percent = std::move(*parsed);
  }
  const core::Principal* actor = v1::actor_of(context);
  if (actor == nullptr) co_return v1::no_actor(context);
  auto created = co_await deps.workers.run(context.deadline, [&] {
    return deps.budget_store.create(*actor, request, origin_of(context));
  });
  if (!created) co_return v1::error_response(created.error(), context);
  deps.budgets.invalidate(actor->tenant_id);
  Response response = budget_response(deps, 201, *created);
  response.headers.set("Location", "/v1/ai/budgets/" + created->budget.id);
  co_return response;
}

Awaitable list_budgets(GatewayDependencies& deps, RequestContext& context) {
  const core::Principal* actor = v1::actor_of(context);
  if (actor == nullptr) co_return v1::no_actor(context);
  auto page = v1::page_request(context);
  if (!page) co_return v1::error_response(page.error(), context);
  auto budgets = co_await deps.workers.run(context.deadline,
                                           [&] { return deps.budget_store.list(*actor, *page); });
  if (!budgets) co_return v1::error_response(budgets.error(), context);
  json::array items;
  for (const auto& budget : budgets->items) items.push_back(budget_json(deps, budget));
  std::optional<std::string> next;
  if (budgets->more) {
    const model::Budget& last = budgets->items.back().budget;
    next = v1::page_cursor(last.created_at, last.id);
  }
  co_return v1::list_response(std::move(items), next);
}

Awaitable get_budget(GatewayDependencies& deps, RequestContext& context) {
  const core::Principal* actor = v1::actor_of(context);
  if (actor == nullptr) co_return v1::no_actor(context);
  std::string id(context.param("budget_id"));
  auto budget = co_await deps.workers.run(context.deadline,
                                          [&] { return deps.budget_store.get(*actor, id); });
  if (!budget) co_return v1::error_response(budget.error(), context);
  co_return budget_response(deps, 200, *budget);
}

Awaitable update_budget(GatewayDependencies& deps, RequestContext& context) {
  auto body =
      JsonBody::parse(context.request, {"monthly_limit_microdollars", "thresholds_percent"},
                      {"id", "tenant_id", "scope", "subject_id", "month", "spent_microdollars",
                       "spent_usd", "in_flight_microdollars", "remaining_microdollars", "resets_on",
                       "version", "created_at", "updated_at", "monthly_limit_usd"});
  if (!body) co_return v1::error_response(body.error(), context);
  model::BudgetChanges changes;
  std::optional<std::vector<std::int64_t>> thresholds;
  body->optional("monthly_limit_microdollars", changes.monthly_limit_microdollars)
      .optional("thresholds_percent", thresholds);
  if (body->first_error()) co_return v1::error_response(*body->first_error(), context);
  if (thresholds) {
    auto parsed = thresholds_of(*thresholds);
    if (!parsed) co_return v1::error_response(parsed.error(), context);
    changes.thresholds_percent = std::move(*parsed);
  }
  auto version = v1::if_match_version(context, "budget");
  if (!version) co_return v1::error_response(version.error(), context);
  const core::Principal* actor = v1::actor_of(context);
  if (actor == nullptr) co_return v1::no_actor(context);
  std::string id(context.param("budget_id"));
  auto updated = co_await deps.workers.run(context.deadline, [&] {
    return deps.budget_store.update(*actor, id, changes, *version, origin_of(context));
  });
  if (!updated) co_return v1::error_response(updated.error(), context);
  deps.budgets.invalidate(actor->tenant_id);
  co_return budget_response(deps, 200, *updated);
}

Awaitable delete_budget(GatewayDependencies& deps, RequestContext& context) {
  const core::Principal* actor = v1::actor_of(context);
  if (actor == nullptr) co_return v1::no_actor(context);
  std::string id(context.param("budget_id"));
  auto deleted = co_await deps.workers.run(
      context.deadline, [&] { return deps.budget_store.remove(*actor, id, origin_of(context)); });
  if (!deleted) co_return v1::error_response(deleted.error(), context);
  deps.budgets.invalidate(actor->tenant_id);
  co_return Response::empty(204);
}

}  // namespace

void add_budget_routes(http::Router& router, GatewayDependencies& dependencies) {
  GatewayDependencies* deps = &dependencies;
  using Handler = Awaitable (*)(GatewayDependencies&, RequestContext&);
  auto bind = [deps](Handler handler) {
    return [deps, handler](RequestContext& context) { return handler(*deps, context); };
  };
  namespace permission = identity::permission;
  const std::vector<http::ParamDoc> etag = {
      {.name = "ETag", .description = "The budget's version, for If-Match.", .required = true}};
  const http::ResponseDoc missing{.status = 404,
                                  .description = "No such budget in the caller's tenant."};
  const std::string base = "/v1/ai/budgets/{budget_id}";
  router.add(http::Method::kPost, "/v1/ai/budgets", bind(create_budget),
             v1::route_options(
                 permission::kBillingManage,
                 "Limit the AI spend of the tenant, an API key or a service account per month",
                 {.operation_id = "createAiBudget",
                  .request_schema = "CreateAiBudgetRequest",
                  .responses = {{.status = 201,
                                 .description = "The budget with this month's spend.",
                                 .schema = "AiBudget",
                                 .headers = etag},
                                {.status = 404,
                                 .description = "`subject_id` is not an API key or service account "
                                                "of the tenant."},
                                {.status = 409,
                                 .description = "The subject has a budget already (a retried POST "
                                                "lands here too)."}}}));
  router.add(http::Method::kGet, "/v1/ai/budgets", bind(list_budgets),
             v1::route_options(permission::kBillingRead,
                               "List the tenant's AI budgets with this month's spend",
                               {.operation_id = "listAiBudgets",
                                .query = v1::page_params(),
                                .responses = {{.status = 200,
                                               .description = "A page of budgets.",
                                               .schema = "ListOfAiBudgets"}}}));
  router.add(
      http::Method::kGet, base, bind(get_budget),
      v1::route_options(
          permission::kBillingRead, "Get an AI budget with this month's spend",
          {.operation_id = "getAiBudget",
           .responses = {
               {.status = 200, .description = "The budget.", .schema = "AiBudget", .headers = etag},
               missing}}));
  router.add(
      http::Method::kPatch, base, bind(update_budget),
      v1::route_options(
          permission::kBillingManage,
          "Change a budget's limit or thresholds (this month's threshold events re-arm)",
          {.operation_id = "updateAiBudget",
           .request_schema = "UpdateAiBudgetRequest",
           .headers = {{.name = "If-Match",
                        .description = "The ETag of the version this change is based on "
                                       "(`\"3\"`), or `*`; absent: unconditional."}},
           .responses = {{.status = 200,
                          .description = "The changed budget.",
                          .schema = "AiBudget",
                          .headers = etag},
                         missing,
                         {.status = 412,
                          .description = "The budget changed since the version in If-Match."}}}));
  router.add(
      http::Method::kDelete, base, bind(delete_budget),
      v1::route_options(permission::kBillingManage, "Delete an AI budget (no limit)",
                        {.operation_id = "deleteAiBudget",
                         .responses = {{.status = 204, .description = "Deleted."}, missing}}));
}

}  // namespace aic::api::ai
