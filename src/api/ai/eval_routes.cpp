#include "api/ai/eval_routes.hpp"

#include <boost/asio/this_coro.hpp>
#include <boost/json.hpp>
#include <charconv>

#include "ai/routing.hpp"
#include "api/form.hpp"
#include "api/json_body.hpp"
#include "api/request_origin.hpp"
#include "api/v1/route_support.hpp"
#include "identity/jwt.hpp"
#include "identity/permissions.hpp"

namespace aic::api::ai {
namespace {

namespace json = boost::json;
namespace evals = aic::ai::evals;
namespace permission = identity::permission;
using http::RequestContext;
using http::Response;
using v1::actor_of;
using v1::error_response;
using v1::json_response;
using v1::no_actor;
using Awaitable = boost::asio::awaitable<Response>;

// The dataset is at most 8 MiB as text; escaped inside a JSON string it can take more.
constexpr std::size_t kMaxEvalBodyBytes = 24 * 1024 * 1024;
constexpr std::size_t kMaxResultsPage = 200;

json::value text_or_null(const std::string& text) {
  return text.empty() ? json::value(nullptr) : json::value(text);
}

json::value optional_text(const std::optional<std::string>& text) {
  return text ? json::value(*text) : json::value(nullptr);
}

json::object eval_json(const evals::Eval& eval) {
  return json::object{{"id", eval.id},
                      {"name", eval.name},
                      {"task", eval.task},
                      {"description", eval.description},
                      {"grader", evals::to_json(eval.grader)},
                      {"parameters", eval.parameters},
                      {"item_count", eval.item_count},
                      {"dataset_bytes", eval.dataset_bytes},
                      {"dataset_sha256", eval.dataset_sha256},
                      {"created_at", eval.created_at},
                      {"created_by", eval.created_by}};
}

double ratio(std::int64_t part, std::int64_t whole) {
  return whole > 0 ? static_cast<double>(part) / static_cast<double>(whole) : 0.0;
}

json::object summary_json(const evals::ModelSummary& summary) {
  return json::object{{"model", summary.model},
                      {"items", summary.items},
                      {"answered", summary.answered},
                      {"passed", summary.passed},
                      {"errors", summary.errors},
                      {"mean_score", summary.mean_score},
                      {"pass_rate", ratio(summary.passed, summary.items)},
                      {"latency_p50_us", summary.latency_p50_us},
                      {"latency_p95_us", summary.latency_p95_us},
                      {"input_tokens", summary.input_tokens},
                      {"output_tokens", summary.output_tokens},
                      {"cost_microdollars", summary.cost_microdollars},
                      {"judge_cost_microdollars", summary.judge_cost_microdollars}};
}

json::object run_json(const evals::Run& run) {
  json::array models;
  for (const auto& model : run.models) models.emplace_back(model);
  json::array summaries;
  for (const auto& summary : run.summaries) summaries.push_back(summary_json(summary));
  auto total = run.item_count * static_cast<std::int64_t>(run.models.size());
  return json::object{{"id", run.id},
                      {"eval_id", run.eval_id},
                      {"status", evals::to_string(run.status)},
                      {"models", std::move(models)},
                      {"concurrency", run.concurrency},
                      {"item_count", run.item_count},
                      {"total", total},
                      {"completed", run.completed},
                      {"error", text_or_null(run.error)},
                      {"created_at", run.created_at},
                      {"created_by", run.created_by},
                      {"started_at", optional_text(run.started_at)},
                      {"finished_at", optional_text(run.finished_at)},
                      {"summaries", std::move(summaries)}};
}

json::object result_json(const evals::ItemResult& result) {
  return json::object{{"model", result.model},
                      {"item_index", result.item_index},
                      {"item_id", text_or_null(result.item_id)},
                      {"answer", result.answer},
                      {"answered_by", text_or_null(result.answered_by)},
                      {"score", result.score},
                      {"passed", result.passed},
                      {"reason", result.reason},
                      {"latency_us", result.latency_us},
                      {"input_tokens", result.input_tokens},
                      {"output_tokens", result.output_tokens},
                      {"cost_microdollars", result.cost_microdollars},
                      {"judge_cost_microdollars", result.judge_cost_microdollars},
                      {"error", text_or_null(result.error)}};
}

json::object score_json(const evals::ModelScore& score) {
  return json::object{{"model", score.model},
                      {"score", score.score},
                      {"pass_rate", score.pass_rate},
                      {"runs", score.runs},
                      {"items", score.items},
                      {"errors", score.errors},
                      {"latency_p50_us", score.latency_p50_us},
                      {"latency_p95_us", score.latency_p95_us},
                      {"cost_per_item_microdollars", score.cost_per_item_microdollars},
                      {"last_run_at", score.last_run_at}};
}

std::string eval_path(const std::string& eval_id) { return "/v1/ai/evals/" + eval_id; }

// Each of `models` (with the field that named it) is a chat model, alias or route of the
// caller's catalogue. kInvalidArgument naming the field; kUnavailable when the tenant's
// catalogue cannot be read.
boost::asio::awaitable<core::Status> check_models(
    EvalDependencies& deps, RequestContext& context, const core::Principal& actor,
    const std::vector<std::pair<std::string, std::string>>& models) {
  GatewayDependencies& gateway = deps.gateway;
  auto now = std::chrono::steady_clock::now();
  std::shared_ptr<const aic::ai::Catalog> catalog = gateway.catalogs.cached(actor.tenant_id, now);
  if (!catalog) {
    auto loaded = co_await gateway.workers.run(
        context.deadline, [&] { return gateway.catalogs.load(actor.tenant_id, now); });
    if (!loaded) {
      core::Error error =
          core::Error::make(core::ErrorCode::kUnavailable,
                            "the tenant's AI providers and routes cannot be read right now (" +
                                loaded.error().message + "); try again shortly");
      co_return error;
    }
    catalog = std::move(*loaded);
  }
  for (const auto& [model, field] : models) {
    auto planned =
        aic::ai::plan_route(*catalog, model, aic::ai::ModelType::kChat, gateway.health, 0);
    if (!planned) co_return core::Error::invalid(planned.error().message, field);
  }
  co_return core::Status();
}

Awaitable create_eval(EvalDependencies& deps, RequestContext& context) {
  auto body = JsonBody::parse(context.request,
                              {"name", "task", "description", "grader", "parameters", "dataset"},
                              {"id", "tenant_id", "item_count", "dataset_bytes", "dataset_sha256",
                               "created_at", "created_by"});
  if (!body) co_return error_response(body.error(), context);
  evals::NewEval request;
  body->required("name", request.name)
      .required("task", request.task)
      .optional("description", request.description)
      .required("dataset", request.dataset);
  if (body->first_error()) co_return error_response(*body->first_error(), context);
  const json::object& object = body->object();
  const json::value* grader = object.if_contains("grader");
  if (grader == nullptr || grader->is_null()) {
    co_return error_response(
        core::Error::invalid("is required: {\"kind\": \"exact\"} or another grader", "/grader"),
        context);
  }
  request.grader = *grader;
  if (const json::value* parameters = object.if_contains("parameters");
      parameters != nullptr && !parameters->is_null()) {
    if (!parameters->is_object()) {
      co_return error_response(core::Error::invalid("must be an object", "/parameters"), context);
    }
    request.parameters = parameters->get_object();
  }
  const core::Principal* actor = actor_of(context);
  if (actor == nullptr) co_return no_actor(context);
  // The judge must be callable now; models of a run are checked when it starts.
  if (auto parsed = evals::parse_grader(request.grader);
      parsed && parsed->kind == evals::GraderKind::kLlmJudge) {
    std::vector<std::pair<std::string, std::string>> judge;
    judge.emplace_back(parsed->model, std::string("/grader/model"));
    auto known = co_await check_models(deps, context, *actor, judge);
    if (!known) co_return error_response(known.error(), context);
  }
  // A template dataset: every line's variables must render now (errors name the line);
  // runs render them again with the template as it is then.
  if (auto reference = evals::prompt_reference(request.parameters)) {
    if (auto checked = evals::check_parameters(request.parameters); !checked)
      co_return error_response(checked.error(), context);
    if (deps.gateway.prompts == nullptr) {
      co_return error_response(
          core::Error::invalid("prompt templates are not available here", "/parameters/aic_prompt"),
          context);
    }
    auto rendered = co_await deps.gateway.workers.run(context.deadline, [&]() -> core::Status {
      auto items = evals::parse_dataset(request.dataset, "/dataset", true);
      if (!items) return std::move(items).error();
      return render_dataset(*deps.gateway.prompts, *actor, *reference, *items);
    });
    if (!rendered) co_return error_response(rendered.error(), context);
  }
  auto created = co_await deps.gateway.workers.run(
      context.deadline, [&] { return deps.evals.create(*actor, request, origin_of(context)); });
  if (!created) co_return error_response(created.error(), context);
  Response response = json_response(201, eval_json(*created));
  response.headers.set("Location", eval_path(created->id));
  co_return response;
}

Awaitable list_evals(EvalDependencies& deps, RequestContext& context) {
  const core::Principal* actor = actor_of(context);
  if (actor == nullptr) co_return no_actor(context);
  auto params = FormFields::parse(context.request.query(), {"limit", "cursor", "task"});
  if (!params) co_return error_response(params.error(), context);
  auto page = v1::page_request(*params);
  if (!page) co_return error_response(page.error(), context);
  std::string task;
  if (const std::string* given = params->get("task")) task = *given;
  auto listed = co_await deps.gateway.workers.run(
      context.deadline, [&] { return deps.evals.list(*actor, task, *page); });
  if (!listed) co_return error_response(listed.error(), context);
  json::array items;
  for (const auto& eval : listed->items) items.push_back(eval_json(eval));
  std::optional<std::string> next;
  if (listed->more) {
    next = v1::page_cursor(listed->items.back().created_at, listed->items.back().id);
  }
  co_return v1::list_response(std::move(items), next);
}

Awaitable get_eval(EvalDependencies& deps, RequestContext& context) {
  const core::Principal* actor = actor_of(context);
  if (actor == nullptr) co_return no_actor(context);
  std::string id(context.param("eval_id"));
  auto eval = co_await deps.gateway.workers.run(context.deadline,
                                                [&] { return deps.evals.get(*actor, id); });
  if (!eval) co_return error_response(eval.error(), context);
  co_return json_response(200, eval_json(*eval));
}

Awaitable delete_eval(EvalDependencies& deps, RequestContext& context) {
  const core::Principal* actor = actor_of(context);
  if (actor == nullptr) co_return no_actor(context);
  std::string id(context.param("eval_id"));
  auto removed = co_await deps.gateway.workers.run(
      context.deadline, [&] { return deps.evals.remove(*actor, id, origin_of(context)); });
  if (!removed) co_return error_response(removed.error(), context);
  for (const std::string& run_id : *removed) deps.runner.cancel(run_id);
  co_return Response::empty(204);
}

Awaitable create_run(EvalDependencies& deps, RequestContext& context) {
  const core::Principal* actor = actor_of(context);
  if (actor == nullptr) co_return no_actor(context);
  std::string eval_id(context.param("eval_id"));
  // Whatever is wrong with the body, another tenant's eval is 404 first.
  auto eval = co_await deps.gateway.workers.run(context.deadline,
                                                [&] { return deps.evals.get(*actor, eval_id); });
  if (!eval) co_return error_response(eval.error(), context);
  auto body = JsonBody::parse(
      context.request, {"models", "concurrency"},
      {"id", "eval_id", "tenant_id", "status", "item_count", "total", "completed", "error",
       "created_at", "created_by", "started_at", "finished_at", "summaries"});
  if (!body) co_return error_response(body.error(), context);
  evals::NewRun request;
  std::optional<std::int64_t> concurrency;
  body->required("models", request.models).optional("concurrency", concurrency);
  if (body->first_error()) co_return error_response(*body->first_error(), context);
  if (concurrency) request.concurrency = *concurrency;
  std::vector<std::pair<std::string, std::string>> models;
  for (std::size_t i = 0; i < request.models.size() && i < evals::kMaxModelsPerRun; ++i)
    models.emplace_back(request.models[i], "/models/" + std::to_string(i));
  if (eval->grader.kind == evals::GraderKind::kLlmJudge) {
    models.emplace_back(eval->grader.model, std::string("/grader/model"));
  }
  if (auto known = co_await check_models(deps, context, *actor, models); !known) {
    core::Error error = known.error();
    if (error.field == "/grader/model") {
      error.message = "the eval's judge cannot be called: " + error.message;
    }
    co_return error_response(error, context);
  }
  std::shared_ptr<ChatRunner> chat = deps.gateway.runner;
  if (!chat) {
    co_return error_response(core::Error::make(core::ErrorCode::kUnavailable,
                                               "the AI gateway is not running in this server"),
                             context);
  }
  auto plan = co_await deps.gateway.workers.run(context.deadline, [&] {
    return deps.evals.create_run(*actor, eval_id, request, origin_of(context));
  });
  if (!plan) co_return error_response(plan.error(), context);
  json::object answer = run_json(plan->run);
  std::string location = eval_path(eval_id) + "/runs/" + plan->run.id;
  auto executor = co_await boost::asio::this_coro::executor;
  deps.runner.start(executor, std::move(chat), deps.gateway.prompts, context.principal,
                    std::move(*plan));
  Response response = json_response(202, answer);
  response.headers.set("Location", location);
  co_return response;
}

Awaitable list_runs(EvalDependencies& deps, RequestContext& context) {
  const core::Principal* actor = actor_of(context);
  if (actor == nullptr) co_return no_actor(context);
  std::string eval_id(context.param("eval_id"));
  auto page = v1::page_request(context);
  if (!page) {
    auto eval = co_await deps.gateway.workers.run(context.deadline,
                                                  [&] { return deps.evals.get(*actor, eval_id); });
    if (!eval) co_return error_response(eval.error(), context);
    co_return error_response(page.error(), context);
  }
  auto runs = co_await deps.gateway.workers.run(
      context.deadline, [&] { return deps.evals.list_runs(*actor, eval_id, *page); });
  if (!runs) co_return error_response(runs.error(), context);
  json::array items;
  for (const auto& run : runs->items) items.push_back(run_json(run));
  std::optional<std::string> next;
  if (runs->more) next = v1::page_cursor(runs->items.back().created_at, runs->items.back().id);
  co_return v1::list_response(std::move(items), next);
}

Awaitable get_run(EvalDependencies& deps, RequestContext& context) {
  const core::Principal* actor = actor_of(context);
  if (actor == nullptr) co_return no_actor(context);
  std::string eval_id(context.param("eval_id"));
  std::string run_id(context.param("run_id"));
  auto run = co_await deps.gateway.workers.run(
      context.deadline, [&] { return deps.evals.get_run(*actor, eval_id, run_id); });
  if (!run) co_return error_response(run.error(), context);
  co_return json_response(200, run_json(*run));
}

// `limit`, `cursor` (the opaque "index model" of the last result seen) and `model`.
core::Result<evals::ResultPageRequest> result_page(const RequestContext& context) {
  auto params = FormFields::parse(context.request.query(), {"limit", "cursor", "model"});
  if (!params) return std::move(params).error();
  auto limit = params->integer("limit", 50, 1, static_cast<std::int64_t>(kMaxResultsPage));
  if (!limit) return std::move(limit).error();
  evals::ResultPageRequest page;
  page.limit = static_cast<std::size_t>(*limit);
  if (const std::string* model = params->get("model")) page.model = *model;
  if (const std::string* cursor = params->get("cursor")) {
    auto decoded = identity::base64url_decode(*cursor);
    std::size_t space = decoded ? decoded->find(' ') : std::string::npos;
    std::int64_t index = -1;
    if (space != std::string::npos) {
      auto [end, code] = std::from_chars(decoded->data(), decoded->data() + space, index);
      if (code != std::errc() || end != decoded->data() + space) index = -1;
    }
    if (index < 0) return core::Error::invalid("is not a cursor this API returned", "cursor");
    page.after.emplace(index, decoded->substr(space + 1));
  }
  return page;
}

Awaitable list_results(EvalDependencies& deps, RequestContext& context) {
  const core::Principal* actor = actor_of(context);
  if (actor == nullptr) co_return no_actor(context);
  std::string eval_id(context.param("eval_id"));
  std::string run_id(context.param("run_id"));
  auto page = result_page(context);
  if (!page) {
    auto run = co_await deps.gateway.workers.run(
        context.deadline, [&] { return deps.evals.get_run(*actor, eval_id, run_id); });
    if (!run) co_return error_response(run.error(), context);
    co_return error_response(page.error(), context);
  }
  auto results = co_await deps.gateway.workers.run(
      context.deadline, [&] { return deps.evals.list_results(*actor, eval_id, run_id, *page); });
  if (!results) co_return error_response(results.error(), context);
  json::array items;
  for (const auto& result : results->items) items.push_back(result_json(result));
  std::optional<std::string> next;
  if (results->more) {
    const evals::ItemResult& last = results->items.back();
    next = identity::base64url_encode(std::to_string(last.item_index) + " " + last.model);
  }
  co_return v1::list_response(std::move(items), next);
}

Awaitable cancel_run(EvalDependencies& deps, RequestContext& context) {
  const core::Principal* actor = actor_of(context);
  if (actor == nullptr) co_return no_actor(context);
  std::string eval_id(context.param("eval_id"));
  std::string run_id(context.param("run_id"));
  auto cancelled = co_await deps.gateway.workers.run(context.deadline, [&] {
    return deps.evals.cancel_run(*actor, eval_id, run_id, origin_of(context));
  });
  if (!cancelled) co_return error_response(cancelled.error(), context);
  // Another replica executing it learns of it at its next write.
  deps.runner.cancel(run_id);
  co_return json_response(200, run_json(*cancelled));
}

Awaitable leaderboard(EvalDependencies& deps, RequestContext& context) {
  const core::Principal* actor = actor_of(context);
  if (actor == nullptr) co_return no_actor(context);
  if (actor->tenant_id.empty()) {
    co_return error_response(
        core::Error::make(core::ErrorCode::kPermissionDenied,
                          "evaluations belong to a tenant; the platform operator has none"),
        context);
  }
  auto params = FormFields::parse(context.request.query(), {"task"});
  if (!params) co_return error_response(params.error(), context);
  const std::string* task = params->get("task");
  if (task == nullptr || task->empty()) {
    co_return error_response(
        core::Error::invalid("is required: the task whose evals to rank (classify, extract …)",
                             "task"),
        context);
  }
  auto ranked = co_await deps.gateway.workers.run(
      context.deadline, [&] { return deps.evals.leaderboard(actor->tenant_id, *task); });
  if (!ranked) co_return error_response(ranked.error(), context);
  json::array data;
  for (const auto& score : *ranked) data.push_back(score_json(score));
  co_return json_response(200, json::object{{"task", *task}, {"data", std::move(data)}});
}

}  // namespace

void add_eval_routes(http::Router& router, EvalDependencies& dependencies) {
  EvalDependencies* deps = &dependencies;
  using Handler = Awaitable (*)(EvalDependencies&, RequestContext&);
  auto bind = [deps](Handler handler) {
    return [deps, handler](RequestContext& context) { return handler(*deps, context); };
  };
  auto once = [deps](Handler handler) {
    return deps->idempotency.wrap(
        [deps, handler](RequestContext& context) { return handler(*deps, context); });
  };
  auto location = [](std::string description) {
    return std::vector<http::ParamDoc>{
        {.name = "Location", .description = std::move(description), .required = true}};
  };
  const http::ResponseDoc missing_eval{.status = 404,
                                       .description = "No such eval in the caller's tenant."};
  const http::ResponseDoc missing_run{
      .status = 404, .description = "No such eval in the caller's tenant, or no such run of it."};
  auto paged = [](http::ParamDoc filter) {
    std::vector<http::ParamDoc> params = v1::page_params();
    params.push_back(std::move(filter));
    return params;
  };
  const std::string base = "/v1/ai/evals/{eval_id}";
  const std::string run = base + "/runs/{run_id}";

  router.add(http::Method::kPost, "/v1/ai/evals", once(create_eval),
             v1::idempotent(v1::route_options(
                 permission::kAiManage,
                 "Create an evaluation: a JSON Lines dataset (as a string), a grader and a task",
                 {.max_body_bytes = kMaxEvalBodyBytes,
                  .operation_id = "createAiEval",
                  .request_schema = "CreateAiEvalRequest",
                  .responses = {{.status = 201,
                                 .description = "The eval (without its dataset).",
                                 .schema = "AiEval",
                                 .headers = location("The eval's URL.")},
                                {.status = 400,
                                 .description = "A bad member; `field` names it, and `line` the "
                                                "dataset's line at fault."},
                                {.status = 409,
                                 .description = "The tenant has an eval of that name, or 1,000 "
                                                "evals."}}})));
  router.add(http::Method::kGet, "/v1/ai/evals", bind(list_evals),
             v1::route_options(
                 permission::kAiInvoke, "List the tenant's evaluations",
                 {.operation_id = "listAiEvals",
                  .query = paged({.name = "task", .description = "Only evals of this task."}),
                  .responses = {{.status = 200,
                                 .description = "A page of evals, oldest first.",
                                 .schema = "ListOfAiEvals"}}}));
  router.add(http::Method::kGet, base, bind(get_eval),
             v1::route_options(permission::kAiInvoke, "Get an evaluation",
                               {.operation_id = "getAiEval",
                                .responses = {{.status = 200,
                                               .description = "The eval (without its dataset).",
                                               .schema = "AiEval"},
                                              missing_eval}}));
  router.add(
      http::Method::kDelete, base, bind(delete_eval),
      v1::route_options(permission::kAiManage,
                        "Delete an evaluation with its runs and results (runs in progress stop)",
                        {.operation_id = "deleteAiEval",
                         .responses = {{.status = 204, .description = "Deleted."}, missing_eval}}));
  router.add(
      http::Method::kPost, base + "/runs", once(create_run),
      v1::idempotent(v1::route_options(
          permission::kAiManage,
          "Run an evaluation across models; answers at once, the run continues on the server",
          {.operation_id = "createAiEvalRun",
           .request_schema = "CreateAiEvalRunRequest",
           .responses = {
               {.status = 202,
                .description = "The run, queued; poll its URL until it has ended.",
                .schema = "AiEvalRun",
                .headers = location("The run's URL.")},
               {.status = 400,
                .description = "A bad member, or a model (or the eval's judge) that "
                               "is not a chat model, alias or route of the caller; "
                               "`field` names it."},
               missing_eval,
               {.status = 409, .description = "The tenant has 4 runs queued or running."}}})));
  router.add(http::Method::kGet, base + "/runs", bind(list_runs),
             v1::route_options(permission::kAiInvoke, "List an evaluation's runs",
                               {.operation_id = "listAiEvalRuns",
                                .query = v1::page_params(),
                                .responses = {{.status = 200,
                                               .description = "A page of runs, oldest first.",
                                               .schema = "ListOfAiEvalRuns"},
                                              missing_eval}}));
  router.add(http::Method::kGet, run, bind(get_run),
             v1::route_options(
                 permission::kAiInvoke, "Get a run: its status, progress and summary per model",
                 {.operation_id = "getAiEvalRun",
                  .responses = {{.status = 200, .description = "The run.", .schema = "AiEvalRun"},
                                missing_run}}));
  router.add(http::Method::kGet, run + "/results", bind(list_results),
             v1::route_options(
                 permission::kAiInvoke, "List a run's results, item by item",
                 {.operation_id = "listAiEvalResults",
                  .query = paged({.name = "model", .description = "Only this model's results."}),
                  .responses = {{.status = 200,
                                 .description = "A page of results in item order.",
                                 .schema = "ListOfAiEvalResults"},
                                missing_run}}));
  router.add(http::Method::kPost, run + "/cancel", bind(cancel_run),
             v1::route_options(
                 permission::kAiManage,
                 "Cancel a queued or running run (items in flight finish; their results are kept)",
                 {.operation_id = "cancelAiEvalRun",
                  .responses = {
                      {.status = 200, .description = "The run, cancelled.", .schema = "AiEvalRun"},
                      missing_run,
                      {.status = 409, .description = "The run has ended already."}}}));
  router.add(
      http::Method::kGet, "/v1/ai/leaderboard", bind(leaderboard),
      v1::route_options(
          permission::kAiInvoke, "Rank the models that ran the tenant's evaluations of a task",
          {.operation_id = "getAiLeaderboard",
           .query = {{.name = "task",
                      .description = "The task (classify, extract …).",
                      .required = true}},
           .responses = {{.status = 200,
                          .description = "Models best first; empty when no run of the task has "
                                         "succeeded.",
                          .schema = "AiLeaderboard"}}}));
}

}  // namespace aic::api::ai
