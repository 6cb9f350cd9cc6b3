#include "api/v1/entity_routes.hpp"

#include <boost/json.hpp>

#include "api/form.hpp"
#include "api/json_body.hpp"
#include "api/request_origin.hpp"
#include "api/v1/route_support.hpp"
#include "core/json_writer.hpp"
#include "finance/money.hpp"
#include "identity/permissions.hpp"

namespace aic::api::v1 {
namespace {

namespace json = boost::json;
using http::RequestContext;
using http::Response;
namespace permission = identity::permission;

json::value text_or_null(const std::optional<std::string>& text) {
  return text ? json::value(*text) : json::value(nullptr);
}

json::object entity_json(const finance::Entity& entity) {
  json::object out{{"id", entity.id},
                   {"name", entity.name},
                   {"currency", entity.currency},
                   {"is_public", entity.is_public},
                   {"manufacturing", entity.manufacturing},
                   {"version", entity.version},
                   {"created_at", entity.created_at},
                   {"updated_at", entity.updated_at}};
  out["cik"] = text_or_null(entity.cik);
  out["lei"] = text_or_null(entity.lei);
  out["ticker"] = text_or_null(entity.ticker);
  out["industry_code"] = text_or_null(entity.industry_code);
  out["country"] = text_or_null(entity.country);
  return out;
}

json::object report_json(const finance::ImportReport& report) {
  json::array warnings;
  for (const std::string& warning : report.warnings) warnings.emplace_back(warning);
  return json::object{{"id", report.id},
                      {"entity_id", report.entity_id},
                      {"format", report.format},
                      {"sha256", report.sha256},
                      {"bytes", report.bytes},
                      {"statements", report.statements},
                      {"accounts_created", report.accounts_created},
                      {"transactions", report.transactions},
                      {"added", report.added},
                      {"duplicates", report.duplicates},
                      {"periods", report.periods},
                      {"periods_added", report.periods_added},
                      {"periods_updated", report.periods_updated},
                      {"warnings", std::move(warnings)},
                      {"created_at", report.created_at}};
}

json::object transaction_json(const finance::StoredTransaction& t) {
  const int exponent = finance::currency_exponent(t.currency);
  auto text_or_null = [](const std::string& text) {
    return text.empty() ? json::value(nullptr) : json::value(text);
  };
  return json::object{{"id", t.id},
                      {"account_id", t.account_id},
                      {"account", t.account},
                      {"currency", t.currency},
                      {"booking_date", t.booking_date},
                      {"value_date", t.value_date ? json::value(*t.value_date) : nullptr},
                      {"amount", finance::format_minor_units(t.amount, exponent)},
                      {"amount_minor", t.amount},
                      {"reference", text_or_null(t.reference)},
                      {"customer_reference", text_or_null(t.customer_reference)},
                      {"type_code", text_or_null(t.type_code)},
                      {"description", text_or_null(t.description)},
                      {"counterparty_name", text_or_null(t.counterparty_name)},
                      {"counterparty_account", text_or_null(t.counterparty_account)},
                      {"import_id", t.import_id},
                      {"created_at", t.created_at}};
}

template <typename T, typename ToJson>
Response page_of(const store::PageOf<T>& page, ToJson to_json) {
  json::array items;
  for (const auto& item : page.items) items.push_back(to_json(item));
  std::optional<std::string> next;
  if (page.more) next = page_cursor(page.items.back().created_at, page.items.back().id);
  return list_response(std::move(items), next);
}

using Handler = boost::asio::awaitable<Response> (*)(const EntityDependencies&, RequestContext&);

boost::asio::awaitable<Response> create_entity(const EntityDependencies& deps,
                                               RequestContext& context) {
  auto body = JsonBody::parse(context.request,
                              {"name", "cik", "lei", "ticker", "industry_code", "country",
                               "currency", "is_public", "manufacturing"},
                              {"id", "tenant_id", "version", "created_at", "updated_at"});
  if (!body) co_return error_response(body.error(), context);
  finance::NewEntity entity;
  std::optional<bool> is_public, manufacturing;
  body->required("name", entity.name)
      .optional("cik", entity.cik)
      .optional("lei", entity.lei)
      .optional("ticker", entity.ticker)
      .optional("industry_code", entity.industry_code)
      .optional("country", entity.country)
      .required("currency", entity.currency)
      .optional("is_public", is_public)
      .optional("manufacturing", manufacturing);
  if (body->first_error()) co_return error_response(*body->first_error(), context);
  entity.is_public = is_public.value_or(false);
  entity.manufacturing = manufacturing.value_or(false);
  const core::Principal* actor = actor_of(context);
  if (actor == nullptr) co_return no_actor(context);
  auto created = co_await deps.workers.run(context.deadline, [&] {
    return deps.entities.create_entity(*actor, entity, origin_of(context));
  });
  if (!created) co_return error_response(created.error(), context);
  co_return json_response(201, entity_json(*created));
}

boost::asio::awaitable<Response> list_entities(const EntityDependencies& deps,
                                               RequestContext& context) {
  const core::Principal* actor = actor_of(context);
  if (actor == nullptr) co_return no_actor(context);
  auto page = page_request(context);
  if (!page) co_return error_response(page.error(), context);
  auto entities = co_await deps.workers.run(
      context.deadline, [&] { return deps.entities.list_entities(*actor, *page); });
  if (!entities) co_return error_response(entities.error(), context);
  co_return page_of(*entities, entity_json);
}

boost::asio::awaitable<Response> get_entity(const EntityDependencies& deps,
                                            RequestContext& context) {
  const core::Principal* actor = actor_of(context);
  if (actor == nullptr) co_return no_actor(context);
  std::string id(context.param("entity_id"));
  auto entity = co_await deps.workers.run(context.deadline,
                                          [&] { return deps.entities.get_entity(*actor, id); });
  if (!entity) co_return error_response(entity.error(), context);
  co_return json_response(200, entity_json(*entity));
}

boost::asio::awaitable<Response> import_file(const EntityDependencies& deps,
                                             RequestContext& context) {
  const core::Principal* actor = actor_of(context);
  if (actor == nullptr) co_return no_actor(context);
  std::string id(context.param("entity_id"));
  // Another tenant's entity is "not found" whatever else is wrong with the request.
  auto entity = co_await deps.workers.run(context.deadline,
                                          [&] { return deps.entities.get_entity(*actor, id); });
  if (!entity) co_return error_response(entity.error(), context);
  auto params = FormFields::parse(context.request.query(), {"format"});
  if (!params) co_return error_response(params.error(), context);
  std::string names(finance::kEdgarCompanyFacts);
  for (std::string_view known : finance::bank_format_names()) {
    names += ", ";
    names += known;
  }
  const std::string* name = params->get("format");
  if (name == nullptr) {
    co_return error_response(core::Error::invalid("is required: one of " + names, "format"),
                             context);
  }
  if (*name == finance::kEdgarCompanyFacts) {
    auto report = co_await deps.workers.run(context.deadline, [&] {
      return deps.entities.import_edgar_companyfacts(*actor, id, context.request.body,
                                                     origin_of(context));
    });
    if (!report) co_return error_response(report.error(), context);
    co_return json_response(201, report_json(*report));
  }
  auto format = finance::bank_format_from_name(*name);
  if (!format) {
    co_return error_response(
        core::Error::invalid("\"" + *name + "\" is not a format this server reads; one of " + names,
                             "format"),
        context);
  }
  auto report = co_await deps.workers.run(context.deadline, [&] {
    return deps.entities.import_bank_file(*actor, id, *format, *name, context.request.body,
                                          origin_of(context));
  });
  if (!report) co_return error_response(report.error(), context);
  co_return json_response(201, report_json(*report));
}

boost::asio::awaitable<Response> list_transactions(const EntityDependencies& deps,
                                                   RequestContext& context) {
  const core::Principal* actor = actor_of(context);
  if (actor == nullptr) co_return no_actor(context);
  auto page = page_request(context);
  if (!page) co_return error_response(page.error(), context);
  std::string id(context.param("entity_id"));
  auto transactions = co_await deps.workers.run(
      context.deadline, [&] { return deps.entities.list_bank_transactions(*actor, id, *page); });
  if (!transactions) co_return error_response(transactions.error(), context);
  co_return page_of(*transactions, transaction_json);
}

// The `length` query parameter: "annual" (the default) or "quarter".
core::Result<finance::PeriodLength> length_param(const FormFields& params) {
  const std::string* text = params.get("length");
  if (text == nullptr || *text == "annual") return finance::PeriodLength::kAnnual;
  if (*text == "quarter") return finance::PeriodLength::kQuarter;
  return core::Error::invalid("must be \"annual\" or \"quarter\"", "length");
}

boost::asio::awaitable<Response> list_statements(const EntityDependencies& deps,
                                                 RequestContext& context) {
  const core::Principal* actor = actor_of(context);
  if (actor == nullptr) co_return no_actor(context);
  std::string id(context.param("entity_id"));
  auto params = FormFields::parse(context.request.query(), {"length"});
  if (!params) co_return error_response(params.error(), context);
  auto length = length_param(*params);
  if (!length) co_return error_response(length.error(), context);
  auto periods = co_await deps.workers.run(
      context.deadline, [&] { return deps.entities.list_periods(*actor, id, *length); });
  if (!periods) co_return error_response(periods.error(), context);
  json::array data;
  for (const finance::StoredPeriod& period : *periods) {
    json::object items;
    for (const finance::PeriodItem& item : finance::period_items()) {
      if (const auto& value = period.values.*item.field) items[item.name] = *value;
    }
    data.emplace_back(
        json::object{{"period_end", finance::format_date(period.values.period_end)},
                     {"length", *length == finance::PeriodLength::kAnnual ? "annual" : "quarter"},
                     {"fiscal_year", period.fiscal_year},
                     {"fiscal_period", period.fiscal_period},
                     {"currency", period.currency},
                     {"source", period.source},
                     {"source_ref", period.source_ref},
                     {"items", std::move(items)},
                     {"updated_at", period.updated_at}});
  }
  co_return list_response(std::move(data), std::nullopt);
}

boost::asio::awaitable<Response> get_scores(const EntityDependencies& deps,
                                            RequestContext& context) {
  const core::Principal* actor = actor_of(context);
  if (actor == nullptr) co_return no_actor(context);
  std::string id(context.param("entity_id"));
  auto params = FormFields::parse(context.request.query(), {"length", "period_end"});
  if (!params) co_return error_response(params.error(), context);
  auto length = length_param(*params);
  if (!length) co_return error_response(length.error(), context);
  std::optional<finance::Date> period_end;
  if (const std::string* text = params->get("period_end")) {
    period_end = finance::parse_iso_date(*text);
    if (!period_end) {
      co_return error_response(
          core::Error::invalid("must be a calendar date such as 2025-01-31", "period_end"),
          context);
    }
  }
  auto scores = co_await deps.workers.run(
      context.deadline, [&] { return deps.entities.scores(*actor, id, *length, period_end); });
  if (!scores) co_return error_response(scores.error(), context);
  std::string body;
  core::JsonWriter json(body);
  json.begin_object();
  json.member("entity_id", scores->entity.id);
  json.member("currency", scores->period.currency);
  json.member("fiscal_year", static_cast<std::int64_t>(scores->period.fiscal_year));
  json.member("fiscal_period", scores->period.fiscal_period);
  json.member("source", scores->period.source);
  json.member("source_ref", scores->period.source_ref);
  finance::write_scores_members(json, scores->scores);
  json.end_object();
  co_return Response::json(200, std::move(body));
}

}  // namespace

void add_entity_routes(http::Router& router, const EntityDependencies& dependencies) {
  const EntityDependencies* deps = &dependencies;
  auto bind = [deps](Handler handler) {
    return [deps, handler](RequestContext& context) { return handler(*deps, context); };
  };
  auto once = [deps](Handler handler) {
    return deps->idempotency.wrap(
        [deps, handler](RequestContext& context) { return handler(*deps, context); });
  };
  const http::ResponseDoc missing{.status = 404,
                                  .description = "No such entity in the caller's tenant."};

  router.add(
      http::Method::kPost, "/v1/entities", once(create_entity),
      idempotent(route_options(
          permission::kEntitiesWrite, "Add a company to analyse.",
          {.operation_id = "createEntity",
           .request_schema = "CreateEntityRequest",
           .responses = {{.status = 201, .description = "The new entity.", .schema = "Entity"}}})));
  router.add(http::Method::kGet, "/v1/entities", bind(list_entities),
             route_options(permission::kEntitiesRead, "List the tenant's entities, oldest first.",
                           {.operation_id = "listEntities",
                            .query = page_params(),
                            .responses = {{.status = 200,
                                           .description = "A page of entities.",
                                           .schema = "ListOfEntities"}}}));
  router.add(http::Method::kGet, "/v1/entities/{entity_id}", bind(get_entity),
             route_options(
                 permission::kEntitiesRead, "Get one entity.",
                 {.operation_id = "getEntity",
                  .responses = {{.status = 200, .description = "The entity.", .schema = "Entity"},
                                missing}}));
  http::RouteOptions import_options = route_options(
      permission::kEntitiesWrite,
      "Import a file (the request body) for an entity: a bank file, or SEC EDGAR companyfacts "
      "JSON (statements by fiscal period). All of it or nothing; entries or periods imported "
      "before are counted as duplicates, not added again.",
      {.operation_id = "importEntityFile",
       .request_schema = R"({"type":"string","format":"binary"})",
       .request_media_type = "application/octet-stream",
       .query =
           {{.name = "format",
             .description = "The file's format.",
             .schema =
                 R"({"type":"string","enum":["edgar-companyfacts","mt940","mt942","camt053","bai2","ofx","qfx"]})",
             .required = true}},
       .responses = {
           {.status = 201, .description = "What the import did.", .schema = "ImportReport"},
           missing}});
  import_options.max_body_bytes = kMaxImportBytes;
  router.add(http::Method::kPost, "/v1/entities/{entity_id}/imports", bind(import_file),
             std::move(import_options));
  router.add(http::Method::kGet, "/v1/entities/{entity_id}/bank-transactions",
             bind(list_transactions),
             route_options(permission::kEntitiesRead,
                           "List an entity's imported bank transactions, in import order.",
                           {.operation_id = "listEntityBankTransactions",
                            .query = page_params(),
                            .responses = {{.status = 200,
                                           .description = "A page of transactions.",
                                           .schema = "ListOfBankTransactions"},
                                          missing}}));
  router.add(
      http::Method::kGet, "/v1/entities/{entity_id}/statements", bind(list_statements),
      route_options(
          permission::kEntitiesRead,
          "List an entity's imported fiscal periods of one length with their "
          "statement values, oldest first (one page).",
          {.operation_id = "listEntityStatements",
           .query = {{.name = "length",
                      .description = "Annual (default) or quarterly periods.",
                      .schema = R"({"type":"string","enum":["annual","quarter"]})"}},
           .responses = {
               {.status = 200, .description = "The periods.", .schema = "ListOfFinancialPeriods"},
               missing}}));
  router.add(
      http::Method::kGet, "/v1/entities/{entity_id}/scores", bind(get_scores),
      route_options(
          permission::kEntitiesRead,
          "Ratios, Altman Z, Piotroski F, Beneish M, Ohlson O and the health score of one "
          "fiscal period (the latest by default) against the period before it, each with its "
          "inputs and, where it cannot be computed, the reason.",
          {.operation_id = "getEntityScores",
           .query = {{.name = "length",
                      .description = "Annual (default) or quarterly periods.",
                      .schema = R"({"type":"string","enum":["annual","quarter"]})"},
                     {.name = "period_end",
                      .description = "The period's last day; the latest period when absent.",
                      .schema = R"({"type":"string","format":"date"})"}},
           .responses = {{.status = 200, .description = "The scores.", .schema = "EntityScores"},
                         {.status = 404,
                          .description = "No such entity, or no statements for the period."}}}));
}

}  // namespace aic::api::v1
