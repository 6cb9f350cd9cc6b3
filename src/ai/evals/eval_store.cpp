#include "ai/evals/eval_store.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cstdio>
#include <map>
#include <set>

#include "core/utc_time.hpp"

namespace aic::ai::evals {
namespace {

namespace json = boost::json;
using core::Error;
using core::ErrorCode;
using store::Access;
using store::Transaction;
using store::Value;

constexpr std::string_view kEvalColumns =
    "id, tenant_id, name, task, description, grader, parameters, item_count, dataset_bytes, "
    "dataset_sha256, created_at, created_by";
constexpr std::string_view kRunColumns =
    "id, eval_id, tenant_id, models, status, concurrency, item_count, completed, error, "
    "created_at, created_by, started_at, finished_at, heartbeat_at";
constexpr std::string_view kResultColumns =
    "model, item_index, item_id, answer, answered_by, score, passed, reason, latency_us, "
    "input_tokens, output_tokens, cost_microdollars, judge_cost_microdollars, error";
constexpr std::string_view kSummaryColumns =
    "model, items, answered, passed, errors, mean_score, latency_p50_us, latency_p95_us, "
    "input_tokens, output_tokens, cost_microdollars, judge_cost_microdollars";
constexpr std::string_view kActive = "status IN ('queued', 'running')";
constexpr std::size_t kMaxDescriptionBytes = 500;

core::Status require_tenant(const core::Principal& actor) {
  if (actor.tenant_id.empty()) {
    return Error::make(ErrorCode::kPermissionDenied,
                       "evaluations belong to a tenant; the platform operator has none");
  }
  return {};
}

Error eval_not_found(std::string_view eval_id) {
  return Error::make(ErrorCode::kNotFound, "eval " + std::string(eval_id) + " not found");
}

Error run_not_found(std::string_view run_id) {
  return Error::make(ErrorCode::kNotFound, "run " + std::string(run_id) + " not found");
}

std::int64_t now_ms() { return core::unix_millis(std::chrono::system_clock::now()); }

std::string sha256_hex(std::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(text.data(), text.size(), digest, &size, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < size; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0x0F];
  }
  return out;
}

bool lower_alphanumeric(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

core::Status check_name(std::string_view name) {
  bool ok = !name.empty() && name.size() <= 100 && lower_alphanumeric(name.front()) &&
            std::all_of(name.begin(), name.end(), [](char c) {
              return lower_alphanumeric(c) || c == '.' || c == '_' || c == '-';
            });
  if (!ok) {
    return Error::invalid(
        "must be 1 to 100 of a-z, 0-9, '.', '_' and '-', starting with a letter or digit", "/name");
  }
  return {};
}

core::Status check_task(std::string_view task) {
  bool ok = !task.empty() && task.size() <= 32 && task.front() >= 'a' && task.front() <= 'z' &&
            std::all_of(task.begin(), task.end(),
                        [](char c) { return lower_alphanumeric(c) || c == '_' || c == '-'; });
  if (!ok) {
    return Error::invalid(
        "must be a lower-case word of up to 32 of a-z, 0-9, '_' and '-' (classify, extract, "
        "summarize, reason, chat …)",
        "/task");
  }
  return {};
}

core::Status check_run_request(const NewRun& request) {
  if (request.models.empty() || request.models.size() > kMaxModelsPerRun) {
    return Error::invalid("names 1 to " + std::to_string(kMaxModelsPerRun) + " models", "/models");
  }
  std::set<std::string_view> seen;
  for (std::size_t i = 0; i < request.models.size(); ++i) {
    const std::string& model = request.models[i];
    std::string field = "/models/" + std::to_string(i);
    if (model.empty() || model.size() > kMaxModelNameBytes) {
      return Error::invalid(
          "a model name has 1 to " + std::to_string(kMaxModelNameBytes) + " bytes", field);
    }
    if (!seen.insert(model).second) return Error::invalid("names a model twice", field);
  }
  if (request.concurrency < 1 || request.concurrency > kMaxConcurrency) {
    return Error::invalid("must be from 1 to " + std::to_string(kMaxConcurrency), "/concurrency");
  }
  return {};
}

RunStatus status_named(std::string_view name) {
  if (name == "running") return RunStatus::kRunning;
  if (name == "succeeded") return RunStatus::kSucceeded;
  if (name == "failed") return RunStatus::kFailed;
  if (name == "cancelled") return RunStatus::kCancelled;
  return RunStatus::kQueued;
}

std::string models_json(const std::vector<std::string>& models) {
  json::array out;
  for (const auto& model : models) out.emplace_back(model);
  return json::serialize(out);
}

std::vector<std::string> models_from_json(std::string_view text) {
  std::vector<std::string> out;
  boost::system::error_code code;
  json::value value = json::parse(text, code);
  if (code || !value.is_array()) return out;
  for (const auto& model : value.get_array()) {
    if (model.is_string()) out.emplace_back(model.get_string());
  }
  return out;
}

Eval eval_from_row(store::QueryResult& rows, std::size_t row) {
  Eval eval;
  eval.id = rows.take_text(row, 0);
  eval.tenant_id = rows.take_text(row, 1);
  eval.name = rows.take_text(row, 2);
  eval.task = rows.take_text(row, 3);
  eval.description = rows.take_text(row, 4);
  boost::system::error_code code;
  json::value grader = json::parse(rows.text(row, 5), code);
  // Stored as parse_grader wrote it, so it reads back; a row edited by hand reads as exact.
  if (!code) {
    if (auto parsed = parse_grader(grader)) eval.grader = std::move(*parsed);
  }
  json::value parameters = json::parse(rows.text(row, 6), code);
  if (!code && parameters.is_object()) eval.parameters = std::move(parameters.as_object());
  eval.item_count = rows.integer(row, 7);
  eval.dataset_bytes = rows.integer(row, 8);
  eval.dataset_sha256 = rows.take_text(row, 9);
  eval.created_at = rows.take_text(row, 10);
  eval.created_by = rows.take_text(row, 11);
  return eval;
}

// A run row (kRunColumns) and its heartbeat.
struct RunRow {
  Run run;
  std::int64_t heartbeat_ms = 0;
};

RunRow run_from_row(store::QueryResult& rows, std::size_t row) {
  RunRow out;
  Run& run = out.run;
  run.id = rows.take_text(row, 0);
  run.eval_id = rows.take_text(row, 1);
  run.tenant_id = rows.take_text(row, 2);
  run.models = models_from_json(rows.text(row, 3));
  run.status = status_named(rows.text(row, 4));
  run.concurrency = rows.integer(row, 5);
  run.item_count = rows.integer(row, 6);
  run.completed = rows.integer(row, 7);
  run.error = rows.take_text(row, 8);
  run.created_at = rows.take_text(row, 9);
  run.created_by = rows.take_text(row, 10);
  if (!rows.is_null(row, 11)) run.started_at = rows.take_text(row, 11);
  if (!rows.is_null(row, 12)) run.finished_at = rows.take_text(row, 12);
  out.heartbeat_ms = rows.integer(row, 13);
  return out;
}

ModelSummary summary_from_row(store::QueryResult& rows, std::size_t row) {
  ModelSummary summary;
  summary.model = rows.take_text(row, 0);
  summary.items = rows.integer(row, 1);
  summary.answered = rows.integer(row, 2);
  summary.passed = rows.integer(row, 3);
  summary.errors = rows.integer(row, 4);
  summary.mean_score = rows.real(row, 5);
  summary.latency_p50_us = rows.integer(row, 6);
  summary.latency_p95_us = rows.integer(row, 7);
  summary.input_tokens = rows.integer(row, 8);
  summary.output_tokens = rows.integer(row, 9);
  summary.cost_microdollars = rows.integer(row, 10);
  summary.judge_cost_microdollars = rows.integer(row, 11);
  return summary;
}

ItemResult result_from_row(store::QueryResult& rows, std::size_t row) {
  ItemResult result;
  result.model = rows.take_text(row, 0);
  result.item_index = rows.integer(row, 1);
  result.item_id = rows.take_text(row, 2);
  result.answer = rows.take_text(row, 3);
  result.answered_by = rows.take_text(row, 4);
  result.score = rows.real(row, 5);
  result.passed = rows.integer(row, 6) != 0;
  result.reason = rows.take_text(row, 7);
  result.latency_us = rows.integer(row, 8);
  result.input_tokens = rows.integer(row, 9);
  result.output_tokens = rows.integer(row, 10);
  result.cost_microdollars = rows.integer(row, 11);
  result.judge_cost_microdollars = rows.integer(row, 12);
  result.error = rows.take_text(row, 13);
  return result;
}

core::Result<Eval> find_eval(Transaction& tx, const std::string& tenant_id,
                             std::string_view eval_id) {
  auto rows = tx.execute(
      "SELECT " + std::string(kEvalColumns) + " FROM ai_evals WHERE tenant_id = $1 AND id = $2",
      {tenant_id, std::string(eval_id)});
  if (!rows) return std::move(rows).error();
  if (rows->rows.empty()) return eval_not_found(eval_id);
  return eval_from_row(*rows, 0);
}

core::Status read_summaries(Transaction& tx, Run& run) {
  auto rows = tx.execute("SELECT " + std::string(kSummaryColumns) +
                             " FROM ai_eval_summaries WHERE run_id = $1 ORDER BY position",
                         {run.id});
  if (!rows) return std::move(rows).error();
  run.summaries.clear();
  for (std::size_t i = 0; i < rows->rows.size(); ++i)
    run.summaries.push_back(summary_from_row(*rows, i));
  return {};
}

// The run of the tenant's eval, with its summaries.
core::Result<RunRow> find_run(Transaction& tx, const std::string& tenant_id,
                              std::string_view eval_id, std::string_view run_id) {
  auto eval = tx.execute("SELECT 1 FROM ai_evals WHERE tenant_id = $1 AND id = $2",
                         {tenant_id, std::string(eval_id)});
  if (!eval) return std::move(eval).error();
  if (eval->rows.empty()) return eval_not_found(eval_id);
  auto rows = tx.execute("SELECT " + std::string(kRunColumns) +
                             " FROM ai_eval_runs WHERE tenant_id = $1 AND eval_id = $2 AND id = $3",
                         {tenant_id, std::string(eval_id), std::string(run_id)});
  if (!rows) return std::move(rows).error();
  if (rows->rows.empty()) return run_not_found(run_id);
  RunRow found = run_from_row(*rows, 0);
  if (auto ok = read_summaries(tx, found.run); !ok) return std::move(ok).error();
  return found;
}

core::Status append_audit(audit::AuditLog& log, Transaction& tx, audit::Event event,
                          std::string target_type, std::string target_id, std::string details) {
  event.target_type = std::move(target_type);
  event.target_id = std::move(target_id);
  event.details = std::move(details);
  auto appended = log.append(tx, event);
  if (!appended) return std::move(appended).error();
  return {};
}

// An event of the process executing runs, in the run's tenant's chain.
audit::Event system_event(const std::string& tenant_id, std::string action) {
  audit::Event event;
  event.tenant_id = tenant_id;
  event.action = std::move(action);
  event.actor_kind = "system";
  event.actor_id = "eval runner";
  return event;
}

std::string run_details(const std::string& eval_id, std::string_view status,
                        std::string_view error = {}) {
  if (error.empty()) return audit::details_json({{"eval_id", eval_id}, {"status", status}});
  return audit::details_json({{"eval_id", eval_id}, {"status", status}, {"error", error}});
}

}  // namespace

std::string_view to_string(RunStatus status) {
  switch (status) {
    case RunStatus::kQueued:
      return "queued";
    case RunStatus::kRunning:
      return "running";
    case RunStatus::kSucceeded:
      return "succeeded";
    case RunStatus::kFailed:
      return "failed";
    case RunStatus::kCancelled:
      return "cancelled";
  }
  return "queued";
}

bool is_finished(RunStatus status) {
  return status == RunStatus::kSucceeded || status == RunStatus::kFailed ||
         status == RunStatus::kCancelled;
}

EvalStore::EvalStore(store::Database& database, core::Random& random, audit::AuditLog& audit,
                     EvalStoreOptions options)
    : database_(database), random_(random), audit_(audit), options_(options) {}

core::Result<Eval> EvalStore::create(const core::Principal& actor, const NewEval& request,
                                     const audit::Origin& origin) {
  if (auto ok = require_tenant(actor); !ok) return std::move(ok).error();
  if (auto ok = check_name(request.name); !ok) return std::move(ok).error();
  if (auto ok = check_task(request.task); !ok) return std::move(ok).error();
  if (request.description.size() > kMaxDescriptionBytes) {
    return Error::invalid("has at most " + std::to_string(kMaxDescriptionBytes) + " bytes",
                          "/description");
  }
  auto grader = parse_grader(request.grader, "/grader");
  if (!grader) return std::move(grader).error();
  if (auto ok = check_parameters(request.parameters); !ok) return std::move(ok).error();
  auto items =
      parse_dataset(request.dataset, "/dataset", prompt_reference(request.parameters).has_value());
  if (!items) return std::move(items).error();
  for (const DatasetItem& item : *items) {
    if (auto ok = check_item(*grader, item, "/dataset"); !ok) return std::move(ok).error();
  }
  Eval eval;
  eval.id = core::time_ordered_id("evl_", random_);
  eval.tenant_id = actor.tenant_id;
  eval.name = request.name;
  eval.task = request.task;
  eval.description = request.description;
  eval.grader = std::move(*grader);
  eval.parameters = request.parameters;
  eval.item_count = static_cast<std::int64_t>(items->size());
  eval.dataset_bytes = static_cast<std::int64_t>(request.dataset.size());
  eval.dataset_sha256 = sha256_hex(request.dataset);
  eval.created_at = core::utc_now_millis();
  eval.created_by = actor.id;
  auto status = database_.transact(Access::kReadWrite, [&](Transaction& tx) -> core::Status {
    auto count = tx.execute("SELECT COUNT(*) FROM ai_evals WHERE tenant_id = $1", {eval.tenant_id});
    if (!count) return std::move(count).error();
    if (count->integer(0, 0) >= static_cast<std::int64_t>(kMaxEvalsPerTenant)) {
      return Error::make(ErrorCode::kConflict, "a tenant has at most " +
                                                   std::to_string(kMaxEvalsPerTenant) +
                                                   " evals; delete some first");
    }
    auto taken = tx.execute("SELECT id FROM ai_evals WHERE tenant_id = $1 AND name = $2",
                            {eval.tenant_id, eval.name});
    if (!taken) return std::move(taken).error();
    if (!taken->rows.empty()) {
      Error error = Error::make(ErrorCode::kConflict, "the tenant has an eval named `" + eval.name +
                                                          "` already: " + taken->text(0, 0));
      error.field = "/name";
      return error;
    }
    auto inserted = tx.execute(
        "INSERT INTO ai_evals (id, tenant_id, name, task, description, grader, parameters, "
        "dataset, dataset_sha256, dataset_bytes, item_count, created_at, created_by) VALUES ($1, "
        "$2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        {eval.id, eval.tenant_id, eval.name, eval.task, eval.description,
         json::serialize(to_json(eval.grader)), json::serialize(eval.parameters), request.dataset,
         eval.dataset_sha256, eval.dataset_bytes, eval.item_count, eval.created_at,
         eval.created_by});
    if (!inserted) return std::move(inserted).error();
    return append_audit(audit_, tx, audit::event_by(actor, origin, "ai_eval.created"), "ai_eval",
                        eval.id,
                        audit::details_json({{"name", eval.name},
                                             {"task", eval.task},
                                             {"grader", to_string(eval.grader.kind)},
                                             {"items", std::to_string(eval.item_count)},
                                             {"dataset_sha256", eval.dataset_sha256}}));
  });
  if (!status) return std::move(status).error();
  return eval;
}

core::Result<store::PageOf<Eval>> EvalStore::list(const core::Principal& actor,
                                                  std::string_view task,
                                                  const store::PageRequest& page) {
  if (auto ok = require_tenant(actor); !ok) return std::move(ok).error();
  std::string sql = "SELECT " + std::string(kEvalColumns) + " FROM ai_evals WHERE tenant_id = $1";
  std::vector<Value> params{actor.tenant_id};
  if (!task.empty()) {
    sql += " AND task = $2";
    params.emplace_back(std::string(task));
  }
  store::append_page(page, sql, params);
  store::PageOf<Eval> evals;
  auto status = database_.transact(Access::kReadOnly, [&](Transaction& tx) {
    return store::read_page(tx, sql, params, page.limit, eval_from_row, evals);
  });
  if (!status) return std::move(status).error();
  return evals;
}

core::Result<Eval> EvalStore::get(const core::Principal& actor, std::string_view eval_id) {
  if (auto ok = require_tenant(actor); !ok) return std::move(ok).error();
  std::optional<Eval> found;
  auto status = database_.transact(Access::kReadOnly, [&](Transaction& tx) -> core::Status {
    auto eval = find_eval(tx, actor.tenant_id, eval_id);
    if (!eval) return std::move(eval).error();
    found = std::move(*eval);
    return {};
  });
  if (!status) return std::move(status).error();
  return std::move(*found);
}

core::Result<std::vector<std::string>> EvalStore::remove(const core::Principal& actor,
                                                         std::string_view eval_id,
                                                         const audit::Origin& origin) {
  if (auto ok = require_tenant(actor); !ok) return std::move(ok).error();
  std::vector<std::string> active;
  auto status = database_.transact(Access::kReadWrite, [&](Transaction& tx) -> core::Status {
    active.clear();
    auto eval = find_eval(tx, actor.tenant_id, eval_id);
    if (!eval) return std::move(eval).error();
    // Takes the runs' rows first, so an executor recording results either finished before
    // (its rows are deleted below) or waits and then finds its run gone.
    auto locked = tx.execute(
        "UPDATE ai_eval_runs SET heartbeat_at = heartbeat_at WHERE eval_id = $1 AND tenant_id = "
        "$2 RETURNING id, status",
        {eval->id, eval->tenant_id});
    if (!locked) return std::move(locked).error();
    for (std::size_t i = 0; i < locked->rows.size(); ++i) {
      RunStatus run_status = status_named(locked->text(i, 1));
      if (!is_finished(run_status)) active.push_back(locked->text(i, 0));
    }
    for (std::string_view sql :
         {"DELETE FROM ai_eval_results WHERE run_id IN (SELECT id FROM ai_eval_runs WHERE "
          "eval_id = $1)",
          "DELETE FROM ai_eval_summaries WHERE run_id IN (SELECT id FROM ai_eval_runs WHERE "
          "eval_id = $1)",
          "DELETE FROM ai_eval_runs WHERE eval_id = $1", "DELETE FROM ai_evals WHERE id = $1"}) {
      auto deleted = tx.execute(sql, {eval->id});
      if (!deleted) return std::move(deleted).error();
    }
    return append_audit(audit_, tx, audit::event_by(actor, origin, "ai_eval.deleted"), "ai_eval",
                        eval->id,
                        audit::details_json({{"name", eval->name},
                                             {"task", eval->task},
                                             {"runs", std::to_string(locked->rows.size())}}));
  });
  if (!status) return std::move(status).error();
  return active;
}

core::Result<RunPlan> EvalStore::create_run(const core::Principal& actor, std::string_view eval_id,
                                            const NewRun& request, const audit::Origin& origin) {
  if (auto ok = require_tenant(actor); !ok) return std::move(ok).error();
  std::optional<RunPlan> plan;
  auto status = database_.transact(Access::kReadWrite, [&](Transaction& tx) -> core::Status {
    auto eval = find_eval(tx, actor.tenant_id, eval_id);
    if (!eval) return std::move(eval).error();
    if (auto ok = check_run_request(request); !ok) return ok;
    auto dataset = tx.execute("SELECT dataset FROM ai_evals WHERE id = $1", {eval->id});
    if (!dataset) return std::move(dataset).error();
    auto stale = fail_stale_runs(tx, actor.tenant_id);
    if (!stale) return std::move(stale).error();
    auto active = tx.execute(
        "SELECT COUNT(*) FROM ai_eval_runs WHERE tenant_id = $1 AND " + std::string(kActive),
        {actor.tenant_id});
    if (!active) return std::move(active).error();
    if (active->integer(0, 0) >= static_cast<std::int64_t>(kMaxActiveRunsPerTenant)) {
      return Error::make(ErrorCode::kConflict,
                         "the tenant has " + std::to_string(kMaxActiveRunsPerTenant) +
                             " runs queued or running; wait for one to end or cancel one");
    }
    RunPlan made;
    Run& run = made.run;
    run.id = core::time_ordered_id("evr_", random_);
    run.eval_id = eval->id;
    run.tenant_id = actor.tenant_id;
    run.models = request.models;
    run.status = RunStatus::kQueued;
    run.concurrency = request.concurrency;
    run.item_count = eval->item_count;
    run.created_at = core::utc_now_millis();
    run.created_by = actor.id;
    auto inserted =
        tx.execute("INSERT INTO ai_eval_runs (" + std::string(kRunColumns) +
                       ") VALUES ($1, $2, $3, $4, 'queued', $5, $6, 0, '', $7, $8, NULL, NULL, $9)",
                   {run.id, run.eval_id, run.tenant_id, models_json(run.models), run.concurrency,
                    run.item_count, run.created_at, run.created_by, now_ms()});
    if (!inserted) return std::move(inserted).error();
    std::string models;
    for (const auto& model : run.models) models += (models.empty() ? "" : ",") + model;
    if (auto ok =
            append_audit(audit_, tx, audit::event_by(actor, origin, "ai_eval_run.created"),
                         "ai_eval_run", run.id,
                         audit::details_json({{"eval_id", run.eval_id},
                                              {"models", models},
                                              {"concurrency", std::to_string(run.concurrency)}}));
        !ok) {
      return ok;
    }
    made.eval = std::move(*eval);
    made.dataset = dataset->take_text(0, 0);
    plan = std::move(made);
    return {};
  });
  if (!status) return std::move(status).error();
  return std::move(*plan);
}

core::Result<store::PageOf<Run>> EvalStore::list_runs(const core::Principal& actor,
                                                      std::string_view eval_id,
                                                      const store::PageRequest& page) {
  if (auto ok = require_tenant(actor); !ok) return std::move(ok).error();
  std::string sql = "SELECT " + std::string(kRunColumns) +
                    " FROM ai_eval_runs WHERE tenant_id = $1 AND eval_id = $2";
  std::vector<Value> params{actor.tenant_id, std::string(eval_id)};
  store::append_page(page, sql, params);
  store::PageOf<Run> runs;
  for (int attempt = 0; attempt < 2; ++attempt) {
    bool stale = false;
    auto status = database_.transact(Access::kReadOnly, [&](Transaction& tx) -> core::Status {
      stale = false;
      auto eval = tx.execute("SELECT 1 FROM ai_evals WHERE tenant_id = $1 AND id = $2",
                             {actor.tenant_id, std::string(eval_id)});
      if (!eval) return std::move(eval).error();
      if (eval->rows.empty()) return eval_not_found(eval_id);
      store::PageOf<RunRow> rows;
      if (auto ok = store::read_page(tx, sql, params, page.limit, run_from_row, rows); !ok)
        return ok;
      runs = store::PageOf<Run>{};
      runs.more = rows.more;
      for (RunRow& row : rows.items) {
        stale = stale || is_stale(row.run, row.heartbeat_ms);
        if (auto ok = read_summaries(tx, row.run); !ok) return ok;
        runs.items.push_back(std::move(row.run));
      }
      return {};
    });
    if (!status) return std::move(status).error();
    if (!stale || attempt == 1) break;
    if (auto ok = fail_stale_runs(actor.tenant_id); !ok) return std::move(ok).error();
  }
  return runs;
}

core::Result<Run> EvalStore::get_run(const core::Principal& actor, std::string_view eval_id,
                                     std::string_view run_id) {
  if (auto ok = require_tenant(actor); !ok) return std::move(ok).error();
  std::optional<Run> found;
  for (int attempt = 0; attempt < 2; ++attempt) {
    bool stale = false;
    auto status = database_.transact(Access::kReadOnly, [&](Transaction& tx) -> core::Status {
      auto run = find_run(tx, actor.tenant_id, eval_id, run_id);
      if (!run) return std::move(run).error();
      stale = is_stale(run->run, run->heartbeat_ms);
      found = std::move(run->run);
      return {};
    });
    if (!status) return std::move(status).error();
    if (!stale || attempt == 1) break;
    if (auto ok = fail_stale_runs(actor.tenant_id); !ok) return std::move(ok).error();
  }
  return std::move(*found);
}

core::Result<store::PageOf<ItemResult>> EvalStore::list_results(const core::Principal& actor,
                                                                std::string_view eval_id,
                                                                std::string_view run_id,
                                                                const ResultPageRequest& page) {
  if (auto ok = require_tenant(actor); !ok) return std::move(ok).error();
  store::PageOf<ItemResult> results;
  auto status = database_.transact(Access::kReadOnly, [&](Transaction& tx) -> core::Status {
    auto run = find_run(tx, actor.tenant_id, eval_id, run_id);
    if (!run) return std::move(run).error();
    std::string sql =
        "SELECT " + std::string(kResultColumns) + " FROM ai_eval_results WHERE run_id = $1";
    std::vector<Value> params{run->run.id};
    if (page.model) {
      params.emplace_back(*page.model);
      sql += " AND model = $" + std::to_string(params.size());
    }
    if (page.after) {
      params.emplace_back(page.after->first);
      std::string index = "$" + std::to_string(params.size());
      params.emplace_back(page.after->second);
      std::string model = "$" + std::to_string(params.size());
      sql += " AND (item_index > " + index + " OR (item_index = " + index + " AND model > " +
             model + "))";
    }
    sql += " ORDER BY item_index, model LIMIT " + std::to_string(page.limit + 1);
    return store::read_page(tx, sql, params, page.limit, result_from_row, results);
  });
  if (!status) return std::move(status).error();
  return results;
}

core::Result<Run> EvalStore::cancel_run(const core::Principal& actor, std::string_view eval_id,
                                        std::string_view run_id, const audit::Origin& origin) {
  if (auto ok = require_tenant(actor); !ok) return std::move(ok).error();
  std::optional<Run> cancelled;
  auto status = database_.transact(Access::kReadWrite, [&](Transaction& tx) -> core::Status {
    auto found = find_run(tx, actor.tenant_id, eval_id, run_id);
    if (!found) return std::move(found).error();
    Run run = std::move(found->run);
    if (is_finished(run.status)) {
      return Error::make(ErrorCode::kConflict,
                         "run " + run.id + " has ended (" + std::string(to_string(run.status)) +
                             "); only a queued or running run can be cancelled");
    }
    std::string now = core::utc_now_millis();
    auto updated = tx.execute(
        "UPDATE ai_eval_runs SET status = 'cancelled', finished_at = $1 WHERE id = $2 AND " +
            std::string(kActive),
        {now, run.id});
    if (!updated) return std::move(updated).error();
    if (updated->affected_rows == 0) {
      return Error::make(ErrorCode::kConflict, "run " + run.id + " has just ended");
    }
    run.status = RunStatus::kCancelled;
    run.finished_at = now;
    if (auto ok = append_audit(audit_, tx, audit::event_by(actor, origin, "ai_eval_run.cancelled"),
                               "ai_eval_run", run.id, run_details(run.eval_id, "cancelled"));
        !ok) {
      return ok;
    }
    cancelled = std::move(run);
    return {};
  });
  if (!status) return std::move(status).error();
  return std::move(*cancelled);
}

core::Result<bool> EvalStore::start_run(const std::string& run_id) {
  bool started = false;
  auto status = database_.transact(Access::kReadWrite, [&](Transaction& tx) -> core::Status {
    started = false;
    auto updated = tx.execute(
        "UPDATE ai_eval_runs SET status = 'running', started_at = $1, heartbeat_at = $2 WHERE id "
        "= $3 AND status = 'queued' RETURNING tenant_id, eval_id",
        {core::utc_now_millis(), now_ms(), run_id});
    if (!updated) return std::move(updated).error();
    if (updated->rows.empty()) return {};
    started = true;
    return append_audit(audit_, tx, system_event(updated->text(0, 0), "ai_eval_run.started"),
                        "ai_eval_run", run_id, run_details(updated->text(0, 1), "running"));
  });
  if (!status) return std::move(status).error();
  return started;
}

core::Result<RunProgress> EvalStore::record_results(const std::string& run_id,
                                                    const std::vector<ItemResult>& results) {
  RunProgress progress = RunProgress::kRunning;
  auto status = database_.transact(Access::kReadWrite, [&](Transaction& tx) -> core::Status {
    // The run's row first (see remove()).
    auto touched =
        tx.execute("UPDATE ai_eval_runs SET heartbeat_at = $1 WHERE id = $2 RETURNING status",
                   {now_ms(), run_id});
    if (!touched) return std::move(touched).error();
    if (touched->rows.empty()) {
      progress = RunProgress::kGone;
      return {};
    }
    progress = status_named(touched->text(0, 0)) == RunStatus::kRunning ? RunProgress::kRunning
                                                                        : RunProgress::kStopped;
    if (results.empty()) return {};
    auto inserted = store::insert_rows(
        tx, "INSERT INTO ai_eval_results (run_id, " + std::string(kResultColumns) + ") VALUES ", 15,
        results.size(),
        [&](std::size_t i, std::vector<Value>& params) {
          const ItemResult& result = results[i];
          params.emplace_back(run_id);
          params.emplace_back(result.model);
          params.emplace_back(result.item_index);
          params.emplace_back(result.item_id);
          params.emplace_back(utf8_prefix(result.answer, kMaxAnswerExcerptBytes));
          params.emplace_back(result.answered_by);
          params.emplace_back(std::clamp(result.score, 0.0, 1.0));
          params.emplace_back(std::int64_t{result.passed ? 1 : 0});
          params.emplace_back(utf8_prefix(result.reason, kMaxReasonBytes));
          params.emplace_back(result.latency_us);
          params.emplace_back(result.input_tokens);
          params.emplace_back(result.output_tokens);
          params.emplace_back(result.cost_microdollars);
          params.emplace_back(result.judge_cost_microdollars);
          params.emplace_back(utf8_prefix(result.error, kMaxReasonBytes));
        },
        " ON CONFLICT DO NOTHING");
    if (!inserted) return std::move(inserted).error();
    auto counted = tx.execute("UPDATE ai_eval_runs SET completed = completed + $1 WHERE id = $2",
                              {*inserted, run_id});
    if (!counted) return std::move(counted).error();
    return {};
  });
  if (!status) return std::move(status).error();
  return progress;
}

core::Result<RunProgress> EvalStore::heartbeat(const std::string& run_id) {
  return record_results(run_id, {});
}

core::Status EvalStore::finish_run(const std::string& run_id, RunStatus final_status,
                                   const std::string& error,
                                   const std::vector<ModelSummary>& summaries) {
  return database_.transact(Access::kReadWrite, [&](Transaction& tx) -> core::Status {
    auto touched = tx.execute(
        "UPDATE ai_eval_runs SET heartbeat_at = $1 WHERE id = $2 RETURNING status, tenant_id, "
        "eval_id",
        {now_ms(), run_id});
    if (!touched) return std::move(touched).error();
    if (touched->rows.empty()) return {};  // deleted with its eval
    RunStatus current = status_named(touched->text(0, 0));
    std::string tenant_id = touched->text(0, 1);
    std::string eval_id = touched->text(0, 2);
    if (!summaries.empty()) {
      auto inserted = store::insert_rows(
          tx,
          "INSERT INTO ai_eval_summaries (run_id, position, " + std::string(kSummaryColumns) +
              ") VALUES ",
          14, summaries.size(),
          [&](std::size_t i, std::vector<Value>& params) {
            const ModelSummary& summary = summaries[i];
            params.emplace_back(run_id);
            params.emplace_back(static_cast<std::int64_t>(i));
            params.emplace_back(summary.model);
            params.emplace_back(summary.items);
            params.emplace_back(summary.answered);
            params.emplace_back(summary.passed);
            params.emplace_back(summary.errors);
            params.emplace_back(summary.mean_score);
            params.emplace_back(summary.latency_p50_us);
            params.emplace_back(summary.latency_p95_us);
            params.emplace_back(summary.input_tokens);
            params.emplace_back(summary.output_tokens);
            params.emplace_back(summary.cost_microdollars);
            params.emplace_back(summary.judge_cost_microdollars);
          },
          " ON CONFLICT DO NOTHING");
      if (!inserted) return std::move(inserted).error();
    }
    if (current != RunStatus::kRunning && current != RunStatus::kQueued) return {};
    auto updated = tx.execute(
        "UPDATE ai_eval_runs SET status = $1, error = $2, finished_at = $3 WHERE id = $4",
        {std::string(to_string(final_status)), utf8_prefix(error, kMaxReasonBytes),
         core::utc_now_millis(), run_id});
    if (!updated) return std::move(updated).error();
    std::string action = "ai_eval_run." + std::string(to_string(final_status));
    return append_audit(audit_, tx, system_event(tenant_id, action), "ai_eval_run", run_id,
                        run_details(eval_id, to_string(final_status), error));
  });
}

core::Result<std::vector<ModelScore>> EvalStore::leaderboard(std::string_view tenant_id,
                                                             std::string_view task) {
  std::vector<LeaderboardEntry> entries;
  auto status = database_.transact(Access::kReadOnly, [&](Transaction& tx) -> core::Status {
    entries.clear();
    auto rows = tx.execute(
        "SELECT s.run_id, r.eval_id, s.model, r.finished_at, s.mean_score, s.items, s.passed, "
        "s.errors, s.cost_microdollars FROM ai_eval_summaries s "
        "JOIN ai_eval_runs r ON r.id = s.run_id JOIN ai_evals e ON e.id = r.eval_id "
        "WHERE e.tenant_id = $1 AND e.task = $2 AND r.tenant_id = $1 AND r.status = 'succeeded' "
        "ORDER BY r.eval_id, s.model, r.finished_at DESC, r.id DESC",
        {std::string(tenant_id), std::string(task)});
    if (!rows) return std::move(rows).error();
    std::set<std::pair<std::string, std::string>> seen;  // (eval, model) counted already
    for (std::size_t i = 0; i < rows->rows.size(); ++i) {
      std::string eval_id = rows->text(i, 1);
      std::string model = rows->text(i, 2);
      if (!seen.emplace(eval_id, model).second) continue;  // an older run of the same pair
      LeaderboardEntry entry;
      std::string run_id = rows->text(i, 0);
      entry.eval_id = std::move(eval_id);
      entry.model = std::move(model);
      entry.finished_at = rows->text(i, 3);
      entry.mean_score = rows->real(i, 4);
      entry.items = rows->integer(i, 5);
      entry.passed = rows->integer(i, 6);
      entry.errors = rows->integer(i, 7);
      entry.cost_microdollars = rows->integer(i, 8);
      auto latencies = tx.execute(
          "SELECT latency_us FROM ai_eval_results WHERE run_id = $1 AND model = $2 AND error = ''",
          {run_id, entry.model});
      if (!latencies) return std::move(latencies).error();
      entry.latencies_us.reserve(latencies->rows.size());
      for (std::size_t j = 0; j < latencies->rows.size(); ++j)
        entry.latencies_us.push_back(latencies->integer(j, 0));
      entries.push_back(std::move(entry));
    }
    return {};
  });
  if (!status) return std::move(status).error();
  return rank_models(entries);
}

bool EvalStore::is_stale(const Run& run, std::int64_t heartbeat_ms) const {
  return !is_finished(run.status) && now_ms() - heartbeat_ms > options_.stale_after.count();
}

core::Result<std::int64_t> EvalStore::fail_stale_runs(Transaction& tx,
                                                      const std::string& tenant_id) {
  std::int64_t cutoff = now_ms() - options_.stale_after.count();
  auto stale = tx.execute("SELECT id, eval_id FROM ai_eval_runs WHERE tenant_id = $1 AND " +
                              std::string(kActive) + " AND heartbeat_at < $2",
                          {tenant_id, cutoff});
  if (!stale) return std::move(stale).error();
  std::int64_t failed = 0;
  const std::string why = "interrupted: the process running it stopped (no progress for " +
                          std::to_string(options_.stale_after.count() / 1000) + " s)";
  for (std::size_t i = 0; i < stale->rows.size(); ++i) {
    std::string run_id = stale->text(i, 0);
    auto updated = tx.execute(
        "UPDATE ai_eval_runs SET status = 'failed', error = $1, finished_at = $2 WHERE id = $3 "
        "AND " +
            std::string(kActive) + " AND heartbeat_at < $4",
        {why, core::utc_now_millis(), run_id, cutoff});
    if (!updated) return std::move(updated).error();
    if (updated->affected_rows == 0) continue;
    ++failed;
    if (auto ok =
            append_audit(audit_, tx, system_event(tenant_id, "ai_eval_run.failed"), "ai_eval_run",
                         run_id, run_details(stale->text(i, 1), "failed", why));
        !ok) {
      return std::move(ok).error();
    }
  }
  return failed;
}

core::Status EvalStore::fail_stale_runs(const std::string& tenant_id) {
  return database_.transact(Access::kReadWrite, [&](Transaction& tx) -> core::Status {
    auto failed = fail_stale_runs(tx, tenant_id);
    if (!failed) return std::move(failed).error();
    return {};
  });
}

}  // namespace aic::ai::evals
