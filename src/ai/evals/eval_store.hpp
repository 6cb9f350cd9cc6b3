// Evaluations in the database: a tenant's evals (a dataset, a grader and the request
// parameters), their runs across models, every item's result and each run's summary per
// model; and the leaderboard of a task that `auto` routing will read.
//
// Tenant isolation as in identity/: every function a caller reaches takes the acting
// Principal; another tenant's eval or run is kNotFound. Every change of an eval or of a
// run's status appends its audit event in its own transaction (results and heartbeats are
// data, not changes of state, and are not audited).
//
// A run is executed by one process (api/ai/eval_runner.hpp), which touches its heartbeat
// while it works. A run whose heartbeat is older than `stale_after` belonged to a process
// that stopped (a restart, a crash): the next read or run creation of its tenant marks it
// failed. There is no sweep at start-up because with several replicas a starting one cannot
// tell another's live run from a dead one; the heartbeat can.
//
// Threading: thread-safe; every call blocks on the database (run it on the worker pool).
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ai/evals/graders.hpp"
#include "ai/evals/summary.hpp"
#include "audit/audit_log.hpp"
#include "core/principal.hpp"
#include "core/random.hpp"
#include "core/result.hpp"
#include "store/database.hpp"
#include "store/page.hpp"

namespace aic::ai::evals {

inline constexpr std::size_t kMaxEvalsPerTenant = 1000;
inline constexpr std::size_t kMaxActiveRunsPerTenant = 4;  // queued or running at once
inline constexpr std::size_t kMaxModelsPerRun = 10;
inline constexpr std::int64_t kMaxConcurrency = 16;
inline constexpr std::int64_t kDefaultConcurrency = 4;
inline constexpr std::size_t kMaxAnswerExcerptBytes = 4 * 1024;
inline constexpr std::size_t kMaxModelNameBytes = 200;

struct Eval {
  std::string id;  // "evl_…"
  std::string tenant_id;
  std::string name;  // ^[a-z0-9][a-z0-9._-]{0,99}$, unique in the tenant
  std::string task;  // ^[a-z][a-z0-9_-]{0,31}$: classify, extract, summarize, reason, chat …
  std::string description;
  Grader grader;
  boost::json::object parameters;  // request members sent with every item (temperature …)
  std::int64_t item_count = 0;
  std::int64_t dataset_bytes = 0;
  std::string dataset_sha256;  // lower-case hex of the dataset as sent
  std::string created_at;
  std::string created_by;  // the principal's id
};

struct NewEval {
  std::string name;
  std::string task;
  std::string description;
  boost::json::value grader;       // parse_grader() reads it
  boost::json::object parameters;  // check_parameters() reads it
  std::string dataset;             // JSON Lines, parse_dataset() reads it
};

enum class RunStatus { kQueued, kRunning, kSucceeded, kFailed, kCancelled };
std::string_view to_string(RunStatus status);
bool is_finished(RunStatus status);

struct Run {
  std::string id;  // "evr_…"
  std::string eval_id;
  std::string tenant_id;
  std::vector<std::string> models;  // as asked, in order
  RunStatus status = RunStatus::kQueued;
  std::int64_t concurrency = kDefaultConcurrency;
  std::int64_t item_count = 0;  // items per model
  std::int64_t completed = 0;   // results recorded, over all models
  std::string error;            // why it failed; "" otherwise
  std::string created_at;
  std::string created_by;
  std::optional<std::string> started_at;
  std::optional<std::string> finished_at;
  std::vector<ModelSummary> summaries;  // one per model once it ended; in `models` order
};

struct NewRun {
  std::vector<std::string> models;                 // 1 to kMaxModelsPerRun distinct names
  std::int64_t concurrency = kDefaultConcurrency;  // 1 to kMaxConcurrency
};

// What executing a run needs.
struct RunPlan {
  Run run;
  Eval eval;
  std::string dataset;  // the eval's JSON Lines
};

// One item's result for one model.
struct ItemResult {
  std::string model;
  std::int64_t item_index = 0;  // 0-based position in the dataset
  std::string item_id;          // the item's `id`, or ""
  std::string answer;           // the first kMaxAnswerExcerptBytes of the answer
  std::string answered_by;      // "MODEL@PROVIDER" that answered (a route names its target)
  double score = 0;
  bool passed = false;
  std::string reason;
  std::int64_t latency_us = 0;
  std::int64_t input_tokens = 0;
  std::int64_t output_tokens = 0;
  std::int64_t cost_microdollars = 0;
  std::int64_t judge_cost_microdollars = 0;
  std::string error;  // why the call (or the judge's) failed; "" when graded
};

// A page of results in (item_index, model) order, optionally of one model.
struct ResultPageRequest {
  std::optional<std::string> model;
  std::optional<std::pair<std::int64_t, std::string>> after;  // (item_index, model)
  std::size_t limit = 50;
};

// What a run's executor learns when it records results or touches the heartbeat.
enum class RunProgress {
  kRunning,  // carry on
  kStopped,  // cancelled (or failed as stale): stop taking items
  kGone,     // deleted with its eval: stop, nothing more can be recorded
};

struct EvalStoreOptions {
  std::chrono::milliseconds stale_after{60'000};  // see the top of this file
};

class EvalStore {
 public:
  EvalStore(store::Database& database, core::Random& random, audit::AuditLog& audit,
            EvalStoreOptions options = {});

  // Checks everything (name, task, grader, parameters, every dataset line against the
  // grader) before it writes. kInvalidArgument naming the member (and the dataset's line);
  // kConflict for a name the tenant uses or past kMaxEvalsPerTenant.
  core::Result<Eval> create(const core::Principal& actor, const NewEval& request,
                            const audit::Origin& origin);
  // Oldest first; only evals of `task` when it is not empty.
  core::Result<store::PageOf<Eval>> list(const core::Principal& actor, std::string_view task,
                                         const store::PageRequest& page);
  core::Result<Eval> get(const core::Principal& actor, std::string_view eval_id);
  // Deletes the eval with its runs, results and summaries. Returns the ids of its runs that
  // were still queued or running (their executors stop at their next write).
  core::Result<std::vector<std::string>> remove(const core::Principal& actor,
                                                std::string_view eval_id,
                                                const audit::Origin& origin);

  // A queued run of the eval. kInvalidArgument naming /models or /concurrency; kConflict when
  // the tenant has kMaxActiveRunsPerTenant runs queued or running. Model names are not checked
  // against the catalogue here (the caller does, it changes).
  core::Result<RunPlan> create_run(const core::Principal& actor, std::string_view eval_id,
                                   const NewRun& request, const audit::Origin& origin);
  // Oldest first, with their summaries.
  core::Result<store::PageOf<Run>> list_runs(const core::Principal& actor, std::string_view eval_id,
                                             const store::PageRequest& page);
  core::Result<Run> get_run(const core::Principal& actor, std::string_view eval_id,
                            std::string_view run_id);
  core::Result<store::PageOf<ItemResult>> list_results(const core::Principal& actor,
                                                       std::string_view eval_id,
                                                       std::string_view run_id,
                                                       const ResultPageRequest& page);
  // Marks a queued or running run cancelled. kConflict when it has ended already.
  core::Result<Run> cancel_run(const core::Principal& actor, std::string_view eval_id,
                               std::string_view run_id, const audit::Origin& origin);

  // For the executor. Moves a queued run to running; false when it is no longer queued.
  core::Result<bool> start_run(const std::string& run_id);
  // Adds results (ignoring any recorded already) and touches the heartbeat.
  core::Result<RunProgress> record_results(const std::string& run_id,
                                           const std::vector<ItemResult>& results);
  core::Result<RunProgress> heartbeat(const std::string& run_id);
  // Writes the summaries and, when the run is still running, its final status (kSucceeded or
  // kFailed with `error`). A cancelled run keeps its status and gets the summaries of what
  // it finished.
  core::Status finish_run(const std::string& run_id, RunStatus status, const std::string& error,
                          const std::vector<ModelSummary>& summaries);

  // The models that answered evals of `task` in `tenant_id`, best first: for each eval of the
  // task, each model's latest succeeded run counts once (see rank_models()). Empty when no
  // run of the task has succeeded. For `auto` routing: no Principal, plain values.
  core::Result<std::vector<ModelScore>> leaderboard(std::string_view tenant_id,
                                                    std::string_view task);

 private:
  // Fails the tenant's runs whose heartbeat is older than stale_after; returns how many.
  core::Result<std::int64_t> fail_stale_runs(store::Transaction& tx, const std::string& tenant_id);
  // Reads of runs that found a stale one fail it in a write transaction and read again.
  core::Status fail_stale_runs(const std::string& tenant_id);
  bool is_stale(const Run& run, std::int64_t heartbeat_ms) const;

  store::Database& database_;
  core::Random& random_;
  audit::AuditLog& audit_;
  EvalStoreOptions options_;
};

}  // namespace aic::ai::evals
