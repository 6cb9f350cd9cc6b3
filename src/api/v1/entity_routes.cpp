#include "api/v1/entity_routes.hpp"

#include <boost/json.hpp>

#include "api/form.hpp"
#include "api/json_body.hpp"
#include "api/request_origin.hpp"
#include "api/v1/finance_ai.hpp"
#include "api/v1/route_support.hpp"
#include "core/json_writer.hpp"
#include "finance/bank/bank_csv.hpp"
#include "finance/bank/qif.hpp"
#include "finance/money.hpp"
#include "finance/sentiment/sentiment.hpp"
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
                      {"kind", report.kind},
                      {"sha256", report.sha256},
                      {"bytes", report.bytes},
                      {"records", report.records},
                      {"added", report.added},
                      {"updated", report.updated},
                      {"duplicates", report.duplicates},
                      {"statements", report.statements},
                      {"accounts_created", report.accounts_created},
                      {"warnings", std::move(warnings)},
                      {"created_at", report.created_at}};
}

// After an import, the entity's insights are computed again (and insights.updated published).
// The import has committed either way: a failure here leaves the next GET …/insights to do it.
core::Result<finance::ImportReport> refreshed(const EntityDependencies& deps,
                                              const core::Principal& actor,
                                              const std::string& entity_id,
                                              core::Result<finance::ImportReport> report) {
  if (report) {
    for (auto length : {finance::PeriodLength::kAnnual, finance::PeriodLength::kQuarter}) {
      (void)deps.entities.refresh_insights(actor, entity_id, length);
    }
  }
  return report;
}

// Every format imports accept, for error messages: "edgar-companyfacts, statements-csv, …".
std::string import_format_names() {
  std::string names;
  for (std::string_view known : {finance::kEdgarCompanyFacts, finance::kStatementsCsv,
                                 finance::kPricesCsv, finance::kNewsJson, finance::kBankCsv}) {
    names += known;
    names += ", ";
  }
  for (std::string_view known : finance::bank_format_names()) {
    names += known;
    names += ", ";
  }
  names.resize(names.size() - 2);
  return names;
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
  // "format" and, for bank-csv, the column mapping's parameters.
  static const std::vector<std::string_view> kAllowed = [] {
    std::vector<std::string_view> names{"format", "day_first"};
    for (std::string_view name : finance::bank_csv_parameter_names()) names.push_back(name);
    return names;
  }();
  auto params = FormFields::parse(context.request.query(), kAllowed);
  if (!params) co_return error_response(params.error(), context);
  const std::string* format_name = params->get("format");
  if (format_name != nullptr && *format_name == finance::kBankCsv) {
    std::vector<std::pair<std::string_view, std::string_view>> mapping_params;
    for (const auto& [name, value] : params->fields()) {
      if (name != "format") mapping_params.emplace_back(name, value);
    }
    auto mapping = finance::parse_bank_csv_mapping(mapping_params);
    if (!mapping) co_return error_response(mapping.error(), context);
    auto report =
        co_await deps.workers.run(context.deadline, [&]() -> core::Result<finance::ImportReport> {
          auto statements = finance::parse_bank_csv(context.request.body, *mapping);
          if (!statements) return std::move(statements).error();
          return refreshed(deps, *actor, id,
                           deps.entities.import_bank_statements(*actor, id, finance::kBankCsv,
                                                                context.request.body, *statements,
                                                                origin_of(context)));
        });
    if (!report) co_return error_response(report.error(), context);
    co_return json_response(201, report_json(*report));
  }
  const bool qif = format_name != nullptr && *format_name == "qif";
  for (const auto& [name, value] : params->fields()) {
    if (name == "format" ||
        (qif && (name == "currency" || name == "day_first" || name == "account"))) {
      continue;
    }
    co_return error_response(
        core::Error::invalid("is not a parameter of this format (bank-csv takes a column "
                             "mapping, qif account, currency and day_first)",
                             name),
        context);
  }
  if (qif) {
    // QIF names no currency and writes dates month first or day first as the program chose.
    finance::QifOptions options;
    options.currency = entity->currency;
    if (const std::string* currency = params->get("currency")) options.currency = *currency;
    if (!finance::is_currency_code(options.currency)) {
      co_return error_response(core::Error::invalid("must be an ISO 4217 code", "currency"),
                               context);
    }
    if (const std::string* day_first = params->get("day_first")) {
      if (*day_first != "true" && *day_first != "false") {
        co_return error_response(core::Error::invalid("must be true or false", "day_first"),
                                 context);
      }
      options.day_first = *day_first == "true";
    }
    auto report =
        co_await deps.workers.run(context.deadline, [&]() -> core::Result<finance::ImportReport> {
          auto statements = finance::parse_qif(context.request.body, options);
          if (!statements) return std::move(statements).error();
          // A QIF file names its account only in an !Account block; otherwise the caller does.
          const std::string* account = params->get("account");
          for (finance::BankStatement& statement : *statements) {
            if (!statement.account.empty()) continue;
            if (account == nullptr || account->empty()) {
              return core::Error::invalid(
                  "is required: the file has no !Account block naming its account", "account");
            }
            statement.account = *account;
          }
          return refreshed(
              deps, *actor, id,
              deps.entities.import_bank_statements(*actor, id, "qif", context.request.body,
                                                   *statements, origin_of(context)));
        });
    if (!report) co_return error_response(report.error(), context);
    co_return json_response(201, report_json(*report));
  }
  const std::string* name = params->get("format");
  if (name == nullptr) {
    co_return error_response(
        core::Error::invalid("is required: one of " + import_format_names(), "format"), context);
  }
  // The formats other than bank files, each with its store call.
  using Import = core::Result<finance::ImportReport> (finance::EntityStore::*)(
      const core::Principal&, std::string_view, std::string_view, const audit::Origin&);
  static constexpr std::pair<std::string_view, Import> kImports[] = {
      {finance::kEdgarCompanyFacts, &finance::EntityStore::import_edgar_companyfacts},
      {finance::kStatementsCsv, &finance::EntityStore::import_statements_csv},
      {finance::kPricesCsv, &finance::EntityStore::import_prices_csv},
      {finance::kNewsJson, &finance::EntityStore::import_news_json},
  };
  for (const auto& [known, import] : kImports) {
    if (*name != known) continue;
    auto report = co_await deps.workers.run(context.deadline, [&] {
      return refreshed(
          deps, *actor, id,
          (deps.entities.*import)(*actor, id, context.request.body, origin_of(context)));
    });
    if (!report) co_return error_response(report.error(), context);
    co_return json_response(201, report_json(*report));
  }
  auto format = finance::bank_format_from_name(*name);
  if (!format) {
    co_return error_response(
        core::Error::invalid(
            "\"" + *name + "\" is not a format this server reads; one of " + import_format_names(),
            "format"),
        context);
  }
  auto report = co_await deps.workers.run(context.deadline, [&] {
    return refreshed(deps, *actor, id,
                     deps.entities.import_bank_file(*actor, id, *format, *name,
                                                    context.request.body, origin_of(context)));
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
    data.emplace_back(json::object{{"period_end", finance::format_date(period.values.period_end)},
                                   {"length", finance::to_string(*length)},
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

boost::asio::awaitable<Response> get_risk(const EntityDependencies& deps, RequestContext& context) {
  const core::Principal* actor = actor_of(context);
  if (actor == nullptr) co_return no_actor(context);
  std::string id(context.param("entity_id"));
  auto params = FormFields::parse(context.request.query(), {"length"});
  if (!params) co_return error_response(params.error(), context);
  auto length = length_param(*params);
  if (!length) co_return error_response(length.error(), context);
  auto risk = co_await deps.workers.run(context.deadline,
                                        [&] { return deps.entities.risk(*actor, id, *length); });
  if (!risk) co_return error_response(risk.error(), context);
  std::string body;
  core::JsonWriter json(body);
  json.begin_object();
  json.member("entity_id", id);
  finance::write_risk_members(json, *risk);
  json.end_object();
  co_return Response::json(200, std::move(body));
}

boost::asio::awaitable<Response> get_sentiment(const EntityDependencies& deps,
                                               RequestContext& context) {
  const core::Principal* actor = actor_of(context);
  if (actor == nullptr) co_return no_actor(context);
  std::string id(context.param("entity_id"));
  auto params = FormFields::parse(context.request.query(), {"window_days"});
  if (!params) co_return error_response(params.error(), context);
  auto window = params->integer("window_days", 90, 1, 3650);
  if (!window) co_return error_response(window.error(), context);
  auto summary = co_await deps.workers.run(context.deadline, [&] {
    return deps.entities.news_sentiment(*actor, id, static_cast<int>(*window));
  });
  if (!summary) co_return error_response(summary.error(), context);
  std::string body;
  core::JsonWriter json(body);
  json.begin_object();
  json.member("entity_id", id);
  finance::write_sentiment_members(json, *summary);
  json.end_object();
  co_return Response::json(200, std::move(body));
}

boost::asio::awaitable<Response> get_benchmark(const EntityDependencies& deps,
                                               RequestContext& context) {
  const core::Principal* actor = actor_of(context);
  if (actor == nullptr) co_return no_actor(context);
  std::string id(context.param("entity_id"));
  auto params = FormFields::parse(context.request.query(), {"length", "peer_group"});
  if (!params) co_return error_response(params.error(), context);
  auto length = length_param(*params);
  if (!length) co_return error_response(length.error(), context);
  // "auto" (the default) or entity ids separated by commas.
  std::vector<std::string> peers;
  if (const std::string* group = params->get("peer_group"); group != nullptr && *group != "auto") {
    std::string_view rest = *group;
    while (!rest.empty()) {
      const std::size_t comma = rest.find(',');
      const std::string_view peer = rest.substr(0, comma);
      if (peer.empty() || peers.size() >= 200) {
        co_return error_response(
            core::Error::invalid("must be \"auto\" or up to 200 entity ids separated by commas",
                                 "peer_group"),
            context);
      }
      peers.emplace_back(peer);
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
  }
  auto result = co_await deps.workers.run(
      context.deadline, [&] { return deps.entities.benchmark(*actor, id, peers, *length); });
  if (!result) co_return error_response(result.error(), context);
  std::string body;
  core::JsonWriter json(body);
  json.begin_object();
  json.member("entity_id", result->entity.id);
  json.member("length", finance::to_string(*length));
  json.member("peer_group", result->peer_group);
  json.key("peer_ids");
  json.begin_array();
  for (const std::string& peer : result->peer_ids) json.value(peer);
  json.end_array();
  json.key("period_end");
  result->period_end ? json.value(finance::format_date(*result->period_end)) : json.null();
  json.key("metrics");
  json.begin_array();
  for (const finance::MetricBenchmark& metric : result->metrics) {
    json.begin_object();
    finance::write_benchmark_members(json, metric);
    json.end_object();
  }
  json.end_array();
  json.key("notes");
  json.begin_array();
  for (const std::string& note : result->notes) json.value(note);
  json.end_array();
  json.end_object();
  co_return Response::json(200, std::move(body));
}

boost::asio::awaitable<Response> get_insights(const EntityDependencies& deps,
                                              RequestContext& context) {
  const core::Principal* actor = actor_of(context);
  if (actor == nullptr) co_return no_actor(context);
  std::string id(context.param("entity_id"));
  auto params = FormFields::parse(context.request.query(), {"length", "narrative", "model"});
  if (!params) co_return error_response(params.error(), context);
  auto length = length_param(*params);
  if (!length) co_return error_response(length.error(), context);
  const std::string* narrative = params->get("narrative");
  const bool rewrite = narrative != nullptr && *narrative == "ai";
  if (narrative != nullptr && !rewrite && *narrative != "deterministic") {
    co_return error_response(
        core::Error::invalid("must be \"deterministic\" or \"ai\"", "narrative"), context);
  }
  const std::string* model = params->get("model");
  if (model != nullptr && (!rewrite || model->empty())) {
    co_return error_response(
        core::Error::invalid(rewrite ? "must not be empty" : "only with narrative=ai", "model"),
        context);
  }
  auto body = co_await deps.workers.run(
      context.deadline, [&] { return deps.entities.insights(*actor, id, *length); });
  if (!body) co_return error_response(body.error(), context);
  if (rewrite) {
    ModelCall call{.actor = *actor,
                   .model = model != nullptr ? *model : deps.narrative_model,
                   .model_named = model != nullptr,
                   .model_field = "model",
                   .request_id = context.request_id,
                   .deadline = context.deadline};
    body = co_await with_summary_rewrite(deps, call, id, *length, std::move(*body));
    if (!body) co_return error_response(body.error(), context);
  }
  co_return Response::json(200, std::move(*body));
}

// The texts' sentiment by our own lexicon scorer, or with method "llm" by a model through
// the AI gateway; no entity, no storage.
boost::asio::awaitable<Response> score_sentiment(const EntityDependencies& deps,
                                                 RequestContext& context) {
  const core::Principal* actor = actor_of(context);
  if (actor == nullptr) co_return no_actor(context);
  auto body = JsonBody::parse(context.request, {"texts", "method", "model"}, {});
  if (!body) co_return error_response(body.error(), context);
  std::vector<std::string> texts;
  std::optional<std::string> method;
  std::optional<std::string> model;
  body->required("texts", texts).optional("method", method).optional("model", model);
  if (body->first_error()) co_return error_response(*body->first_error(), context);
  const bool by_model = method && *method == "llm";
  if (method && !by_model && *method != "lexicon") {
    co_return error_response(core::Error::invalid("must be \"lexicon\" or \"llm\"", "/method"),
                             context);
  }
  if (model && !by_model) {
    co_return error_response(core::Error::invalid("only with method \"llm\"", "/model"), context);
  }
  if (model && model->empty()) {
    co_return error_response(core::Error::invalid("must not be empty", "/model"), context);
  }
  constexpr std::size_t kMaxTexts = 100;
  constexpr std::size_t kMaxTextBytes = 10'000;
  if (texts.empty() || texts.size() > kMaxTexts) {
    co_return error_response(core::Error::invalid("must hold 1 to 100 texts", "/texts"), context);
  }
  for (std::size_t i = 0; i < texts.size(); ++i) {
    if (texts[i].size() > kMaxTextBytes) {
      co_return error_response(
          core::Error::invalid("is longer than 10,000 bytes", "/texts/" + std::to_string(i)),
          context);
    }
  }
  if (by_model) {
    ModelCall call{.actor = *actor,
                   .model = model.value_or(deps.sentiment_model),
                   .model_named = model.has_value(),
                   .model_field = "/model",
                   .request_id = context.request_id,
                   .deadline = context.deadline};
    co_return co_await model_sentiment(deps, call, texts, context);
  }
  std::string out;
  core::JsonWriter json(out);
  json.begin_object();
  json.member("method", "lexicon");
  json.key("results");
  json.begin_array();
  for (const std::string& text : texts) {
    finance::sentiment::write_json(json, finance::sentiment::score(text));
  }
  json.end_array();
  json.end_object();
  co_return Response::json(200, std::move(out));
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
      "Import a file (the request body) for an entity: a bank file (bank-csv with its column "
      "mapping in the query), statements (SEC EDGAR companyfacts JSON or our statements CSV), "
      "share prices or news. All of it or nothing; records imported before are counted as "
      "duplicates, not added again. The entity's insights are computed again afterwards.",
      {.operation_id = "importEntityFile",
       .request_schema = R"({"type":"string","format":"binary"})",
       .request_media_type = "application/octet-stream",
       .query =
           {{.name = "format",
             .description = "The file's format.",
             .schema =
                 R"({"type":"string","enum":["edgar-companyfacts","statements-csv","prices-csv","news-json","mt940","mt942","camt053","bai2","ofx","qfx","qif","bank-csv"]})",
             .required = true}},
       .responses = {
           {.status = 201, .description = "What the import did.", .schema = "ImportReport"},
           missing}});
  import_options.query.push_back(
      {.name = "day_first",
       .description = "format=qif only: dates are day first (31/12/2025); default false.",
       .schema = R"({"type":"string","enum":["true","false"]})"});
  for (std::string_view name : finance::bank_csv_parameter_names()) {
    import_options.query.push_back(
        {.name = std::string(name),
         .description =
             name == "currency"
                 ? "format=bank-csv: the account's currency (required); format=qif: "
                   "the account's currency (default: the entity's)."
                 : "format=bank-csv only: the column mapping (docs/finance/imports.md)."});
  }
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
  const std::vector<http::ParamDoc> length_query = {
      {.name = "length",
       .description = "Annual (default) or quarterly periods.",
       .schema = R"({"type":"string","enum":["annual","quarter"]})"}};
  router.add(
      http::Method::kGet, "/v1/entities/{entity_id}/risk", bind(get_risk),
      route_options(
          permission::kEntitiesRead,
          "Predictive risk: distress probability (Ohlson) and Altman zone, cash "
          "runway from the bank transactions, forecasts of revenue and cash for "
          "the next four periods with prediction intervals, and the backtest of "
          "the revenue model on the entity's own history.",
          {.operation_id = "getEntityRisk",
           .query = length_query,
           .responses = {{.status = 200, .description = "The risk report.", .schema = "EntityRisk"},
                         missing}}));
  router.add(
      http::Method::kGet, "/v1/entities/{entity_id}/sentiment", bind(get_sentiment),
      route_options(
          permission::kEntitiesRead,
          "Sentiment of the entity's imported news, per day and over a window up to the "
          "latest item, with the trend against the window before.",
          {.operation_id = "getEntitySentiment",
           .query = {{.name = "window_days",
                      .description = "Days in the window, 1 to 3650 (default 90).",
                      .schema = R"({"type":"integer","minimum":1,"maximum":3650})"}},
           .responses = {{.status = 200,
                          .description = "The sentiment summary.",
                          .schema = "EntitySentiment"},
                         {.status = 404, .description = "No such entity, or no news imported."}}}));
  router.add(http::Method::kGet, "/v1/entities/{entity_id}/benchmark", bind(get_benchmark),
             route_options(
                 permission::kEntitiesRead,
                 "The entity's ratios and scores among its peers' (the latest period of each): "
                 "percentile, z-score, quartile, peer median and best in class per metric.",
                 {.operation_id = "getEntityBenchmark",
                  .query = {length_query.front(),
                            {.name = "peer_group",
                             .description = "\"auto\" (default: by industry code prefix and size "
                                            "band) or entity ids separated by commas.",
                             .schema = R"({"type":"string"})"}},
                  .responses = {
                      {.status = 200, .description = "The benchmark.", .schema = "EntityBenchmark"},
                      missing}}));
  router.add(http::Method::kGet, "/v1/entities/{entity_id}/insights", bind(get_insights),
             route_options(
                 permission::kEntitiesRead,
                 "Everything at once: scores, risk, sentiment, the drivers of change "
                 "since the period before and a plain-language narrative. Cached until "
                 "the entity's data changes; every change publishes insights.updated. With "
                 "narrative=ai (needs ai:invoke too) a model also rewrites the summary through "
                 "the AI gateway: a rewrite with a number not in the analysis is refused, and "
                 "the deterministic summary stands whenever the model fails.",
                 {.operation_id = "getEntityInsights",
                  .query = {length_query.front(),
                            {.name = "narrative",
                             .description = "\"deterministic\" (default) or \"ai\": add "
                                            "`ai_summary`, the summary rewritten by a model "
                                            "(kept until the data changes).",
                             .schema = R"({"type":"string","enum":["deterministic","ai"]})"},
                            {.name = "model",
                             .description = "With narrative=ai: the model, alias or route to "
                                            "call (default: ai.narrative_model, \"auto\").",
                             .schema = R"({"type":"string","minLength":1})"}},
                  .responses = {
                      {.status = 200, .description = "The insights.", .schema = "EntityInsights"},
                      missing}}));
  router.add(
      http::Method::kPost, "/v1/sentiment/score", bind(score_sentiment),
      route_options(permission::kEntitiesRead,
                    "Score the sentiment of up to 100 texts of financial English with the "
                    "built-in lexicon scorer (label, score from −1 to 1 and the evidence "
                    "terms), or with method \"llm\" by a model through the AI gateway (needs "
                    "ai:invoke too; budgets and usage apply).",
                    {.operation_id = "scoreSentiment",
                     .request_schema = "ScoreSentimentRequest",
                     .responses = {{.status = 200,
                                    .description = "One result per text, in order.",
                                    .schema = "SentimentScores"}}}));
}

}  // namespace aic::api::v1
