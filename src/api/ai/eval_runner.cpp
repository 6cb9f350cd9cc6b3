#include "api/ai/eval_runner.hpp"

#include <algorithm>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <map>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "ai/formats/openai_format.hpp"
#include "core/logging.hpp"

namespace aic::api::ai {

namespace asio = boost::asio;
namespace evals = aic::ai::evals;
using Clock = std::chrono::steady_clock;

struct EvalRunner::Registry {
  std::mutex mutex;
  // The runs this process executes, each with its stop flag.
  std::map<std::string, std::shared_ptr<std::atomic<bool>>> active;  // GUARDED_BY(mutex)
  // Runs whose coroutines were destroyed before they could write their end.
  std::vector<std::string> abandoned;  // GUARDED_BY(mutex)
};

namespace {

constexpr std::string_view kShutdownError = "interrupted by a shutdown of the server running it";

// One run in progress. Every member is used on the run's strand only, except `stop`.
struct RunContext {
  RunContext(evals::EvalStore& store_in, core::WorkerPool& workers_in, EvalRunnerOptions options_in,
             std::shared_ptr<EvalRunner::Registry> registry_in, std::shared_ptr<ChatRunner> chat_in,
             aic::ai::PromptStore* prompts_in, core::SharedPrincipal actor_in,
             evals::RunPlan plan_in, std::shared_ptr<std::atomic<bool>> stop_in,
             asio::strand<asio::any_io_executor> on)
      : store(store_in),
        workers(workers_in),
        options(options_in),
        registry(std::move(registry_in)),
        chat(std::move(chat_in)),
        prompts(prompts_in),
        actor(std::move(actor_in)),
        plan(std::move(plan_in)),
        stop(std::move(stop_in)),
        strand(on),
        heartbeat_timer(on) {}

  ~RunContext() {
    std::lock_guard lock(registry->mutex);
    registry->active.erase(plan.run.id);
    if (!finished) registry->abandoned.push_back(plan.run.id);
  }

  bool should_stop() const { return stopping || stop->load(); }
  const std::string& run_id() const { return plan.run.id; }

  evals::EvalStore& store;
  core::WorkerPool& workers;
  const EvalRunnerOptions options;
  const std::shared_ptr<EvalRunner::Registry> registry;
  const std::shared_ptr<ChatRunner> chat;
  aic::ai::PromptStore* const prompts;
  const core::SharedPrincipal actor;
  evals::RunPlan plan;                            // its dataset text is dropped once parsed
  const std::shared_ptr<std::atomic<bool>> stop;  // cancel() from any thread
  asio::strand<asio::any_io_executor> strand;
  asio::steady_timer heartbeat_timer;

  std::vector<evals::DatasetItem> items;
  std::optional<evals::CompiledGrader> grader;
  std::size_t total = 0;  // items × models
  std::size_t next = 0;   // the next position to take
  std::size_t workers_left = 0;
  std::vector<std::vector<std::optional<evals::ItemOutcome>>> outcomes;  // [model][item]
  std::vector<evals::ItemResult> pending;                                // not written yet
  Clock::time_point last_flush = Clock::now();
  bool stopping = false;  // cancelled elsewhere, deleted, or failed: take no more items
  bool gone = false;      // deleted with its eval: nothing more can be written
  std::string failure;    // why the run failed; "" while it has not
  bool ending = false;    // the final write has begun: the heartbeat stops
  bool finished = false;  // the run's end is written (or nothing is left to write)
};

bool transient(core::ErrorCode code) {
  return code == core::ErrorCode::kOverloaded || code == core::ErrorCode::kDeadlineExceeded ||
         code == core::ErrorCode::kUnavailable;
}

std::string describe(const core::Error& error) {
  std::string out(core::error_code_name(error.code));
  out += ": ";
  out += error.message;
  if (!error.field.empty()) out += " (" + error.field + ")";
  return out;
}

// A database call on the worker pool, tried again for up to a minute while the pool is
// overloaded or the database unavailable.
template <typename T, typename Fn>
asio::awaitable<core::Result<T>> on_workers(RunContext& context, Fn fn) {
  auto delay = std::chrono::milliseconds(100);
  const Clock::time_point give_up = Clock::now() + std::chrono::seconds(60);
  for (;;) {
    core::Result<T> result =
        co_await context.workers.run(Clock::now() + std::chrono::seconds(30), fn);
    if (result || !transient(result.error().code) || Clock::now() >= give_up) co_return result;
    asio::steady_timer timer(co_await asio::this_coro::executor, delay);
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    delay = std::min(delay * 2, std::chrono::milliseconds(5000));
  }
}

// What a grader reads as the answer: the text; else the tool calls as JSON; else a refusal.
std::string answer_of(const aic::ai::ChatResponse& response) {
  if (!response.text.empty() || (response.tool_calls.empty() && response.refusal.empty()))
    return response.text;
  if (response.tool_calls.empty()) return response.refusal;
  boost::json::array calls;
  for (const auto& call : response.tool_calls) {
    calls.push_back(boost::json::object{{"name", call.name}, {"arguments", call.arguments}});
  }
  return boost::json::serialize(calls);
}

void apply(RunContext& context, evals::RunProgress progress) {
  if (progress == evals::RunProgress::kRunning) return;
  context.stopping = true;
  if (progress == evals::RunProgress::kGone) context.gone = true;
}

asio::awaitable<void> flush(std::shared_ptr<RunContext> context) {
  if (context->pending.empty() || context->gone) co_return;
  std::vector<evals::ItemResult> batch;
  batch.swap(context->pending);
  context->last_flush = Clock::now();
  auto progress = co_await on_workers<evals::RunProgress>(
      *context, [&] { return context->store.record_results(context->run_id(), batch); });
  if (!progress) {
    core::log_error("eval run " + context->run_id() +
                    ": cannot record results: " + progress.error().message);
    if (context->failure.empty())
      context->failure = "cannot record results: " + progress.error().message;
    context->stopping = true;
    co_return;
  }
  apply(*context, *progress);
}

struct ItemDone {
  evals::ItemResult result;
  evals::ItemOutcome outcome;
};

asio::awaitable<ItemDone> run_item(std::shared_ptr<RunContext> context, std::size_t model_index,
                                   std::size_t item_index) {
  RunContext& run = *context;
  const std::string& model = run.plan.run.models[model_index];
  const evals::DatasetItem& item = run.items[item_index];
  ItemDone done;
  evals::ItemResult& result = done.result;
  evals::ItemOutcome& outcome = done.outcome;
  result.model = model;
  result.item_index = static_cast<std::int64_t>(item_index);
  result.item_id = item.id;
  auto fail = [&](std::string why) {
    result.error = std::move(why);
    outcome.error = true;
  };
  const std::string request_id =
      run.run_id() + "." + std::to_string(model_index) + "." + std::to_string(item_index);
  auto request = aic::ai::parse_chat_request(
      evals::item_request_body(model, item.messages, run.plan.eval.parameters));
  if (!request) {
    fail(describe(request.error()));
    co_return done;
  }
  auto completion = co_await run.chat->complete(*run.actor, std::move(*request), request_id,
                                                Clock::now() + run.options.call_deadline);
  if (!completion) {
    fail(describe(completion.error()));
    co_return done;
  }
  const std::string answer = answer_of(completion->response);
  result.answer = evals::utf8_prefix(answer, evals::kMaxAnswerExcerptBytes);
  result.answered_by = completion->model + "@" + completion->provider;
  result.latency_us = outcome.latency_us = completion->duration_us;
  if (completion->response.usage) {
    result.input_tokens = outcome.input_tokens = completion->response.usage->input_tokens;
    result.output_tokens = outcome.output_tokens = completion->response.usage->output_tokens;
  }
  result.cost_microdollars = outcome.cost_microdollars = completion->cost_microdollars;

  const evals::Grader& grader = run.grader->grader();
  evals::Grade grade;
  if (grader.kind == evals::GraderKind::kLlmJudge) {
    boost::json::object parameters{{"temperature", 0},
                                   {"max_tokens", run.options.judge_max_tokens}};
    auto judge_request = aic::ai::parse_chat_request(evals::item_request_body(
        grader.model, evals::judge_messages(grader, item, answer), parameters));
    if (!judge_request) {
      fail("the judge's request: " + describe(judge_request.error()));
      co_return done;
    }
    auto judged =
        co_await run.chat->complete(*run.actor, std::move(*judge_request), request_id + ".judge",
                                    Clock::now() + run.options.call_deadline);
    if (!judged) {
      fail("the judge " + grader.model + " failed: " + describe(judged.error()));
      co_return done;
    }
    result.judge_cost_microdollars = outcome.judge_cost_microdollars = judged->cost_microdollars;
    grade = evals::read_judge_reply(judged->response.text, grader.threshold);
  } else if (grader.kind == evals::GraderKind::kRegex) {
    // Matching is bounded but may take milliseconds: not on the I/O thread.
    auto graded = co_await on_workers<evals::Grade>(
        run, [&]() -> core::Result<evals::Grade> { return run.grader->grade(item, answer); });
    if (!graded) {
      fail("cannot grade: " + describe(graded.error()));
      co_return done;
    }
    grade = std::move(*graded);
  } else {
    grade = run.grader->grade(item, answer);
  }
  result.score = outcome.score = grade.score;
  result.passed = outcome.passed = grade.passed;
  result.reason = std::move(grade.reason);
  co_return done;
}

asio::awaitable<void> finalize(std::shared_ptr<RunContext> context) {
  try {
    co_await flush(context);
    context->ending = true;
    context->heartbeat_timer.cancel();
    if (context->gone) {
      context->finished = true;
      co_return;
    }
    std::vector<evals::ModelSummary> summaries;
    const auto& models = context->plan.run.models;
    for (std::size_t m = 0; m < models.size(); ++m) {
      std::vector<evals::ItemOutcome> done;
      if (m < context->outcomes.size()) {
        for (const auto& outcome : context->outcomes[m]) {
          if (outcome) done.push_back(*outcome);
        }
      }
      summaries.push_back(evals::summarize(models[m], done));
    }
    evals::RunStatus status =
        context->failure.empty() ? evals::RunStatus::kSucceeded : evals::RunStatus::kFailed;
    auto written = co_await on_workers<void>(*context, [&] {
      return context->store.finish_run(context->run_id(), status, context->failure, summaries);
    });
    if (!written) {
      core::log_error("eval run " + context->run_id() +
                      ": cannot record its end: " + written.error().message);
      co_return;
    }
    context->finished = true;
  } catch (const std::exception& error) {
    core::log_error("eval run " + context->run_id() + ": " + error.what());
  }
}

asio::awaitable<void> work(std::shared_ptr<RunContext> context) {
  try {
    const std::size_t models = context->plan.run.models.size();
    while (!context->should_stop() && context->next < context->total) {
      std::size_t position = context->next++;
      ItemDone done = co_await run_item(context, position % models, position / models);
      context->outcomes[position % models][position / models] = done.outcome;
      context->pending.push_back(std::move(done.result));
      if (context->pending.size() >= context->options.batch ||
          Clock::now() - context->last_flush >= context->options.flush_interval) {
        co_await flush(context);
      }
    }
  } catch (const std::exception& error) {
    core::log_error("eval run " + context->run_id() + ": " + error.what());
    if (context->failure.empty()) context->failure = "internal error";
    context->stopping = true;
  }
  if (--context->workers_left == 0) co_await finalize(context);
}

asio::awaitable<void> keep_alive(std::shared_ptr<RunContext> context) {
  try {
    while (!context->ending) {
      context->heartbeat_timer.expires_after(context->options.heartbeat_interval);
      co_await context->heartbeat_timer.async_wait(asio::as_tuple(asio::use_awaitable));
      if (context->ending) break;
      auto progress = co_await context->workers.run(Clock::now() + std::chrono::seconds(30), [&] {
        return context->store.heartbeat(context->run_id());
      });
      if (progress) apply(*context, *progress);
    }
  } catch (const std::exception& error) {
    core::log_error("eval run " + context->run_id() + ": heartbeat: " + error.what());
  }
}

asio::awaitable<void> execute(std::shared_ptr<RunContext> context) {
  try {
    auto started = co_await on_workers<bool>(
        *context, [&] { return context->store.start_run(context->run_id()); });
    if (!started) {
      core::log_error("eval run " + context->run_id() +
                      ": cannot start: " + started.error().message);
      context->failure = "cannot start: " + started.error().message;
      context->workers_left = 1;
    } else if (!*started) {
      // Cancelled (or deleted) before it began: its end is only its empty summaries.
      context->workers_left = 1;
    } else {
      auto prepared = co_await on_workers<void>(*context, [&]() -> core::Status {
        const auto reference = evals::prompt_reference(context->plan.eval.parameters);
        auto items = evals::parse_dataset(context->plan.dataset, "/dataset", reference.has_value());
        if (!items) return std::move(items).error();
        if (reference) {
          // The template as it is when the run starts: one version for every item and model.
          if (context->prompts == nullptr)
            return core::Error::invalid("prompt templates are not available here");
          if (auto rendered =
                  render_dataset(*context->prompts, *context->actor, *reference, *items);
              !rendered)
            return rendered;
        }
        auto grader = evals::CompiledGrader::compile(context->plan.eval.grader);
        if (!grader) return std::move(grader).error();
        context->items = std::move(*items);
        std::string().swap(context->plan.dataset);
        context->grader = std::move(*grader);
        return {};
      });
      if (!prepared) {
        context->failure = "cannot read the eval: " + prepared.error().message;
        context->workers_left = 1;
      }
    }
    if (context->failure.empty() && !context->items.empty()) {
      const std::size_t models = context->plan.run.models.size();
      context->total = context->items.size() * models;
      context->outcomes.assign(
          models, std::vector<std::optional<evals::ItemOutcome>>(context->items.size()));
      context->workers_left = std::min<std::size_t>(
          context->total,
          static_cast<std::size_t>(std::max<std::int64_t>(1, context->plan.run.concurrency)));
      asio::co_spawn(context->strand, keep_alive(context), asio::detached);
      for (std::size_t i = 0; i < context->workers_left; ++i)
        asio::co_spawn(context->strand, work(context), asio::detached);
      co_return;
    }
  } catch (const std::exception& error) {
    core::log_error("eval run " + context->run_id() + ": " + error.what());
    if (context->failure.empty()) context->failure = "internal error";
  }
  co_await finalize(context);
}

}  // namespace

EvalRunner::EvalRunner(evals::EvalStore& store, core::WorkerPool& workers,
                       EvalRunnerOptions options)
    : store_(store),
      workers_(workers),
      options_(options),
      registry_(std::make_shared<Registry>()) {}

EvalRunner::~EvalRunner() {
  std::vector<std::string> interrupted;
  {
    std::lock_guard lock(registry_->mutex);
    interrupted = std::move(registry_->abandoned);
    registry_->abandoned.clear();
    for (const auto& [run_id, stop] : registry_->active) {
      stop->store(true);
      interrupted.push_back(run_id);
    }
  }
  for (const std::string& run_id : interrupted) {
    auto written =
        store_.finish_run(run_id, evals::RunStatus::kFailed, std::string(kShutdownError), {});
    if (!written) {
      core::log_warn("eval run " + run_id + ": cannot mark it interrupted: " +
                     written.error().message + " (it fails once its heartbeat is stale)");
    }
  }
}

core::Status render_dataset(aic::ai::PromptStore& prompts, const core::Principal& actor,
                            const evals::PromptReference& reference,
                            std::vector<evals::DatasetItem>& items, std::string_view field) {
  aic::ai::PromptSelector selector{.label = reference.label, .version = reference.version};
  for (evals::DatasetItem& item : items) {
    if (!item.variables) continue;
    auto rendered = prompts.render(actor, reference.name, selector, *item.variables);
    if (!rendered) {
      core::Error error = std::move(rendered).error();
      if (error.code == core::ErrorCode::kNotFound || error.field == "/label" ||
          error.field == "/version") {
        error.message = "the prompt template " + reference.name + ": " + error.message;
        error.field = "/parameters/aic_prompt";
        return error;
      }
      // "/variables/amount" → "`variables.amount`".
      std::string member = error.field.empty() ? "variables" : error.field.substr(1);
      for (char& c : member) {
        if (c == '/') c = '.';
      }
      core::Error at_line = core::Error::invalid(
          "line " + std::to_string(item.line) + ": `" + member + "`: " + error.message,
          std::string(field));
      at_line.line = item.line;
      return at_line;
    }
    boost::json::array messages;
    for (const auto& message : rendered->messages)
      messages.push_back(boost::json::object{{"role", message.role}, {"content", message.content}});
    item.messages = boost::json::serialize(messages);
  }
  return {};
}

void EvalRunner::start(asio::any_io_executor executor, std::shared_ptr<ChatRunner> chat,
                       aic::ai::PromptStore* prompts, core::SharedPrincipal actor,
                       evals::RunPlan plan) {
  auto stop = std::make_shared<std::atomic<bool>>(false);
  {
    std::lock_guard lock(registry_->mutex);
    registry_->active[plan.run.id] = stop;
  }
  auto strand = asio::make_strand(std::move(executor));
  auto context =
      std::make_shared<RunContext>(store_, workers_, options_, registry_, std::move(chat), prompts,
                                   std::move(actor), std::move(plan), std::move(stop), strand);
  asio::co_spawn(strand, execute(std::move(context)), asio::detached);
}

bool EvalRunner::cancel(const std::string& run_id) {
  std::lock_guard lock(registry_->mutex);
  auto found = registry_->active.find(run_id);
  if (found == registry_->active.end()) return false;
  found->second->store(true);
  return true;
}

std::size_t EvalRunner::active() const {
  std::lock_guard lock(registry_->mutex);
  return registry_->active.size();
}

}  // namespace aic::api::ai
