// Executes evaluation runs: every item of an eval's dataset, for every model of the run,
// through the gateway's ChatRunner (routing, retries, fail-over, budgets and usage records
// exactly as for HTTP requests), graded, with the results written in batches.
//
// A run is a set of coroutines on a strand of the executor it was started on (the server's
// I/O thread that answered POST …/runs): at most `concurrency` items in flight, pulled from
// a shared position; items go model by model within an item (item 0 for every model, then
// item 1 …), so a provider that fails for a while hurts every model alike. The run does not
// depend on the client that started it. Database calls go to the worker pool (retried while
// it is overloaded); regex grading too (CPU); the other graders run inline.
//
// A run stops taking items when it is cancelled (here, or on another replica: its next
// write learns it), when its eval is deleted, or when the server shuts down: a run whose
// coroutines are destroyed with the server is marked failed ("interrupted by a shutdown")
// when the EvalRunner is destroyed; a crash leaves it to the stale-heartbeat rule of
// ai/evals/eval_store.hpp.
//
// Threading: start() and cancel() may be called from any thread.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "ai/evals/eval_store.hpp"
#include "api/ai/gateway_routes.hpp"
#include "core/principal.hpp"
#include "core/worker_pool.hpp"

namespace aic::api::ai {

struct EvalRunnerOptions {
  std::size_t batch = 50;                                // results per write
  std::chrono::milliseconds flush_interval{1000};        // …or sooner when this old
  std::chrono::milliseconds heartbeat_interval{10'000};  // well inside the store's stale_after
  std::chrono::seconds call_deadline{120};  // a call's queue waits (catalogue, budgets)
  std::int64_t judge_max_tokens = 512;
};

// Renders the `variables` lines of a template dataset into their messages with the prompt
// template `reference` as it is now (a label resolves to its current version), as `actor`.
// Blocks on the database. Errors: kNotFound for the template (field "/parameters/aic_prompt"),
// kInvalidArgument naming `field` and the line whose variables do not fit.
core::Status render_dataset(aic::ai::PromptStore& prompts, const core::Principal& actor,
                            const aic::ai::evals::PromptReference& reference,
                            std::vector<aic::ai::evals::DatasetItem>& items,
                            std::string_view field = "/dataset");

class EvalRunner {
 public:
  EvalRunner(aic::ai::evals::EvalStore& store, core::WorkerPool& workers,
             EvalRunnerOptions options = {});
  // Marks the runs this process was executing and no longer can (their coroutines were
  // destroyed with the server) failed. Blocks on the database.
  ~EvalRunner();
  EvalRunner(const EvalRunner&) = delete;
  EvalRunner& operator=(const EvalRunner&) = delete;

  // Begins executing `plan` on a strand of `executor` as `actor` (whose budgets and usage
  // records the calls count against) and returns at once. REQUIRES: `chat` not null.
  // `prompts` renders template datasets (null: such a run fails).
  void start(boost::asio::any_io_executor executor, std::shared_ptr<ChatRunner> chat,
             aic::ai::PromptStore* prompts, core::SharedPrincipal actor,
             aic::ai::evals::RunPlan plan);
  // Asks a run this process executes to stop taking items; false when it executes none of
  // that id.
  bool cancel(const std::string& run_id);
  // Runs this process is executing now.
  std::size_t active() const;

  struct Registry;  // shared with the runs, which may outlive this object during shutdown

 private:
  aic::ai::evals::EvalStore& store_;
  core::WorkerPool& workers_;
  EvalRunnerOptions options_;
  std::shared_ptr<Registry> registry_;
};

}  // namespace aic::api::ai
