// Evals, runs, results and the leaderboard in the database, on SQLite and PostgreSQL: checks
// before anything is written (with the dataset's line), tenant isolation, the run's life
// (queued → running → an end; cancel; the active-run limit; a stale heartbeat), results pages,
// summaries, deletion under a running run, and the leaderboard that `auto` routing reads.
#include "ai/evals/eval_store.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <functional>

#include "store/migrations.hpp"
#include "store_test_support.hpp"

namespace aic::ai::evals {
namespace {

namespace json = boost::json;
using store::Backend;
using store::testing::backend_param_name;
using store::testing::ok;

class EvalStoreTest : public store::testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    ASSERT_TRUE(ok(store::apply_migrations(db(), store::builtin_migrations())));
    for (const char* tenant : {"ten_a", "ten_b"}) {
      ASSERT_TRUE(
          ok(store::testing::write(db(),
                                   "INSERT INTO tenants (id, slug, name, plan, created_at) "
                                   "VALUES ($1, $1, $1, 'standard', '2026-01-01T00:00:00Z')",
                                   {std::string(tenant)})));
    }
    audit_ = std::make_unique<audit::AuditLog>(db(), core::system_random());
    store_ = std::make_unique<EvalStore>(db(), core::system_random(), *audit_);
    a_.id = "usr_a";
    a_.tenant_id = "ten_a";
    b_.id = "usr_b";
    b_.tenant_id = "ten_b";
  }
  void TearDown() override {
    store_.reset();
    audit_.reset();
    BackendTest::TearDown();
  }

  NewEval new_eval(std::string name, std::string task = "classify") {
    NewEval request;
    request.name = std::move(name);
    request.task = std::move(task);
    request.description = "sentiment of reviews";
    request.grader = json::parse(R"({"kind":"label_match","labels":["positive","negative"]})");
    request.parameters = json::parse(R"({"temperature":0})").as_object();
    request.dataset = R"({"id":"r1","input":"Great service","expected":"positive"})"
                      "\n"
                      R"({"id":"r2","input":"Terrible food","expected":"negative"})"
                      "\n"
                      R"({"id":"r3","input":"Lovely staff","expected":"positive"})"
                      "\n";
    return request;
  }

  Eval create(const std::string& name, const std::string& task = "classify") {
    auto created = store_->create(a_, new_eval(name, task), {});
    EXPECT_TRUE(ok(created));
    return created ? *created : Eval{};
  }

  RunPlan start(const Eval& eval, std::vector<std::string> models) {
    auto plan = store_->create_run(a_, eval.id, NewRun{std::move(models), 2}, {});
    EXPECT_TRUE(ok(plan));
    if (!plan) return {};
    auto started = store_->start_run(plan->run.id);
    EXPECT_TRUE(ok(started));
    EXPECT_TRUE(started && *started);
    return *plan;
  }

  static ItemResult result(const std::string& model, std::int64_t index, double score,
                           std::int64_t latency_us, std::int64_t cost, bool error = false) {
    ItemResult out;
    out.model = model;
    out.item_index = index;
    out.item_id = "r" + std::to_string(index + 1);
    out.answer = error ? "" : "positive";
    out.answered_by = error ? "" : model + "@oa";
    out.score = score;
    out.passed = score >= 1;
    out.reason = "answered";
    out.latency_us = latency_us;
    out.input_tokens = 3;
    out.output_tokens = 1;
    out.cost_microdollars = cost;
    out.error = error ? "unavailable: every target failed" : "";
    return out;
  }

  // Records `results` and ends the run with their summaries, as the runner does.
  void complete(const RunPlan& plan, const std::vector<ItemResult>& results,
                RunStatus status = RunStatus::kSucceeded) {
    auto recorded = store_->record_results(plan.run.id, results);
    ASSERT_TRUE(ok(recorded));
    std::vector<ModelSummary> summaries;
    for (const auto& model : plan.run.models) {
      std::vector<ItemOutcome> outcomes;
      for (const auto& each : results) {
        if (each.model != model) continue;
        outcomes.push_back({.error = !each.error.empty(),
                            .score = each.score,
                            .passed = each.passed,
                            .latency_us = each.latency_us,
                            .cost_microdollars = each.cost_microdollars});
      }
      summaries.push_back(summarize(model, outcomes));
    }
    ASSERT_TRUE(ok(store_->finish_run(plan.run.id, status, "", summaries)));
  }

  std::int64_t count(const std::string& sql, const std::vector<store::Value>& params = {}) {
    auto rows = store::testing::read(db(), sql, params);
    EXPECT_TRUE(ok(rows));
    return rows && !rows->rows.empty() ? rows->integer(0, 0) : -1;
  }

  std::unique_ptr<audit::AuditLog> audit_;
  std::unique_ptr<EvalStore> store_;
  core::Principal a_;
  core::Principal b_;
};

TEST_P(EvalStoreTest, CreatesReadsListsAndDeletesWithinItsTenant) {
  Eval eval = create("reviews");
  EXPECT_EQ(eval.id.rfind("evl_", 0), 0u);
  EXPECT_EQ(eval.item_count, 3);
  EXPECT_EQ(eval.dataset_sha256.size(), 64u);
  EXPECT_EQ(eval.grader.kind, GraderKind::kLabelMatch);
  auto read = store_->get(a_, eval.id);
  ASSERT_TRUE(ok(read));
  EXPECT_EQ(read->name, "reviews");
  EXPECT_EQ(read->task, "classify");
  EXPECT_EQ(read->grader.labels, (std::vector<std::string>{"positive", "negative"}));
  EXPECT_EQ(read->parameters.at("temperature"), 0);
  EXPECT_EQ(read->dataset_sha256, eval.dataset_sha256);
  EXPECT_EQ(read->created_by, "usr_a");

  create("other-task", "extract");
  auto all = store_->list(a_, "", {});
  ASSERT_TRUE(ok(all));
  EXPECT_EQ(all->items.size(), 2u);
  auto classify = store_->list(a_, "classify", {.limit = 1});
  ASSERT_TRUE(ok(classify));
  ASSERT_EQ(classify->items.size(), 1u);
  EXPECT_FALSE(classify->more);

  // Another tenant sees nothing of it.
  EXPECT_EQ(store_->get(b_, eval.id).error().code, core::ErrorCode::kNotFound);
  EXPECT_TRUE(store_->list(b_, "", {})->items.empty());
  EXPECT_EQ(store_->remove(b_, eval.id, {}).error().code, core::ErrorCode::kNotFound);
  EXPECT_EQ(store_->create_run(b_, eval.id, NewRun{{"gpt-test"}, 1}, {}).error().code,
            core::ErrorCode::kNotFound);
  core::Principal platform_operator;
  platform_operator.kind = core::Principal::Kind::kOperator;
  EXPECT_EQ(store_->list(platform_operator, "", {}).error().code,
            core::ErrorCode::kPermissionDenied);

  auto duplicate = store_->create(a_, new_eval("reviews"), {});
  ASSERT_FALSE(duplicate);
  EXPECT_EQ(duplicate.error().code, core::ErrorCode::kConflict);
  EXPECT_EQ(duplicate.error().field, "/name");
  // The same name in another tenant is another eval.
  EXPECT_TRUE(ok(store_->create(b_, new_eval("reviews"), {})));

  auto removed = store_->remove(a_, eval.id, {});
  ASSERT_TRUE(ok(removed));
  EXPECT_TRUE(removed->empty());
  EXPECT_EQ(store_->get(a_, eval.id).error().code, core::ErrorCode::kNotFound);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_events WHERE chain = 'ten_a' AND action LIKE "
                  "'ai_eval.%'"),
            3);
}

TEST_P(EvalStoreTest, ChecksEverythingBeforeItWrites) {
  struct Case {
    std::function<void(NewEval&)> change;
    std::string field;
    std::optional<std::int64_t> line;
  };
  std::vector<Case> cases = {
      {[](NewEval& e) { e.name = "Reviews!"; }, "/name", {}},
      {[](NewEval& e) { e.task = "Classify"; }, "/task", {}},
      {[](NewEval& e) { e.description = std::string(501, 'x'); }, "/description", {}},
      {[](NewEval& e) { e.grader = json::parse(R"({"kind":"exact","labels":[]})"); },
       "/grader/labels",
       {}},
      {[](NewEval& e) { e.parameters = json::parse(R"({"n":2})").as_object(); },
       "/parameters/n",
       {}},
      {[](NewEval& e) { e.dataset += "{\"input\":\"x\",\"expected\":\"maybe\"}\n"; }, "/dataset",
       4},
      {[](NewEval& e) { e.dataset += "{\"input\":\"x\"}\n"; }, "/dataset", 4},
      {[](NewEval& e) { e.dataset = "\n{oops}\n"; }, "/dataset", 2},
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    NewEval request = new_eval("bad-" + std::to_string(i));
    cases[i].change(request);
    auto refused = store_->create(a_, request, {});
    ASSERT_FALSE(refused) << i;
    EXPECT_EQ(refused.error().code, core::ErrorCode::kInvalidArgument) << i;
    EXPECT_EQ(refused.error().field, cases[i].field) << i << ": " << refused.error().message;
    EXPECT_EQ(refused.error().line, cases[i].line) << i << ": " << refused.error().message;
  }
  EXPECT_EQ(count("SELECT COUNT(*) FROM ai_evals"), 0);
}

TEST_P(EvalStoreTest, ARunGoesFromQueuedToItsEndWithResultsAndSummaries) {
  Eval eval = create("reviews");
  auto bad = store_->create_run(a_, eval.id, NewRun{{"gpt-test", "gpt-test"}, 2}, {});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().field, "/models/1");
  EXPECT_EQ(store_->create_run(a_, eval.id, NewRun{{"gpt-test"}, 17}, {}).error().field,
            "/concurrency");
  EXPECT_EQ(store_->create_run(a_, eval.id, NewRun{{}, 1}, {}).error().field, "/models");

  auto plan = store_->create_run(a_, eval.id, NewRun{{"gpt-test", "claude-test"}, 2}, {});
  ASSERT_TRUE(ok(plan));
  EXPECT_EQ(plan->run.status, RunStatus::kQueued);
  EXPECT_EQ(plan->dataset.find("Great service") != std::string::npos, true);
  EXPECT_EQ(plan->eval.id, eval.id);
  EXPECT_EQ(store_->get_run(b_, eval.id, plan->run.id).error().code, core::ErrorCode::kNotFound);
  ASSERT_TRUE(*store_->start_run(plan->run.id));
  EXPECT_FALSE(*store_->start_run(plan->run.id));  // once
  auto running = store_->get_run(a_, eval.id, plan->run.id);
  ASSERT_TRUE(ok(running));
  EXPECT_EQ(running->status, RunStatus::kRunning);
  EXPECT_TRUE(running->started_at);
  EXPECT_TRUE(running->summaries.empty());

  std::vector<ItemResult> results;
  for (std::int64_t i = 0; i < 3; ++i) {
    results.push_back(result("gpt-test", i, 1, 100 * (i + 1), 10));
    results.push_back(result("claude-test", i, i == 2 ? 0 : 1, 50, 0, i == 2));
  }
  results[0].answer = std::string(5000, 'a') + "\xC3\xA9";  // cut to 4 KiB
  complete(*plan, results);
  // Recording the same results again (a retried batch) changes nothing.
  ASSERT_TRUE(ok(store_->record_results(plan->run.id, {results[1]})));

  auto ended = store_->get_run(a_, eval.id, plan->run.id);
  ASSERT_TRUE(ok(ended));
  EXPECT_EQ(ended->status, RunStatus::kSucceeded);
  EXPECT_EQ(ended->completed, 6);
  EXPECT_TRUE(ended->finished_at);
  ASSERT_EQ(ended->summaries.size(), 2u);
  EXPECT_EQ(ended->summaries[0].model, "gpt-test");
  EXPECT_EQ(ended->summaries[0].passed, 3);
  EXPECT_EQ(ended->summaries[0].latency_p50_us, 200);
  EXPECT_EQ(ended->summaries[0].latency_p95_us, 300);
  EXPECT_EQ(ended->summaries[0].cost_microdollars, 30);
  EXPECT_EQ(ended->summaries[1].model, "claude-test");
  EXPECT_EQ(ended->summaries[1].errors, 1);
  EXPECT_NEAR(ended->summaries[1].mean_score, 2.0 / 3.0, 1e-9);
  EXPECT_EQ(store_->cancel_run(a_, eval.id, plan->run.id, {}).error().code,
            core::ErrorCode::kConflict);

  // Results page in item order, each item's models by name.
  auto first = store_->list_results(a_, eval.id, plan->run.id, {.limit = 4});
  ASSERT_TRUE(ok(first));
  ASSERT_EQ(first->items.size(), 4u);
  EXPECT_TRUE(first->more);
  EXPECT_EQ(first->items[0].model, "claude-test");
  EXPECT_EQ(first->items[1].model, "gpt-test");
  EXPECT_EQ(first->items[1].answer.size(), kMaxAnswerExcerptBytes);
  EXPECT_EQ(first->items[3].item_index, 1);
  const ItemResult& last = first->items.back();
  auto rest = store_->list_results(a_, eval.id, plan->run.id,
                                   {.after = std::make_pair(last.item_index, last.model)});
  ASSERT_TRUE(ok(rest));
  ASSERT_EQ(rest->items.size(), 2u);
  EXPECT_FALSE(rest->more);
  EXPECT_EQ(rest->items[0].error, "unavailable: every target failed");
  EXPECT_EQ(rest->items[0].answered_by, "");
  auto claude = store_->list_results(a_, eval.id, plan->run.id, {.model = "claude-test"});
  ASSERT_TRUE(ok(claude));
  EXPECT_EQ(claude->items.size(), 3u);
  EXPECT_EQ(store_->list_results(b_, eval.id, plan->run.id, {}).error().code,
            core::ErrorCode::kNotFound);

  auto runs = store_->list_runs(a_, eval.id, {});
  ASSERT_TRUE(ok(runs));
  ASSERT_EQ(runs->items.size(), 1u);
  EXPECT_EQ(runs->items[0].summaries.size(), 2u);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_events WHERE chain = 'ten_a' AND action IN "
                  "('ai_eval_run.created', 'ai_eval_run.started', 'ai_eval_run.succeeded')"),
            3);
}

TEST_P(EvalStoreTest, ACancelledRunStopsItsExecutorAndKeepsWhatItFinished) {
  Eval eval = create("reviews");
  RunPlan plan = start(eval, {"gpt-test"});
  auto cancelled = store_->cancel_run(a_, eval.id, plan.run.id, {});
  ASSERT_TRUE(ok(cancelled));
  EXPECT_EQ(cancelled->status, RunStatus::kCancelled);
  EXPECT_EQ(store_->cancel_run(a_, eval.id, plan.run.id, {}).error().code,
            core::ErrorCode::kConflict);
  // The executor (here or on another replica) learns it at its next write.
  auto progress = store_->record_results(plan.run.id, {result("gpt-test", 0, 1, 10, 1)});
  ASSERT_TRUE(ok(progress));
  EXPECT_EQ(*progress, RunProgress::kStopped);
  EXPECT_EQ(*store_->heartbeat(plan.run.id), RunProgress::kStopped);
  ASSERT_TRUE(ok(store_->finish_run(plan.run.id, RunStatus::kSucceeded, "",
                                    {summarize("gpt-test", std::vector<ItemOutcome>{{}})})));
  auto read = store_->get_run(a_, eval.id, plan.run.id);
  ASSERT_TRUE(ok(read));
  EXPECT_EQ(read->status, RunStatus::kCancelled);
  EXPECT_EQ(read->completed, 1);
  ASSERT_EQ(read->summaries.size(), 1u);
  EXPECT_EQ(read->summaries[0].items, 1);
  // A run cancelled before it started never starts.
  auto queued = store_->create_run(a_, eval.id, NewRun{{"gpt-test"}, 1}, {});
  ASSERT_TRUE(ok(queued));
  ASSERT_TRUE(ok(store_->cancel_run(a_, eval.id, queued->run.id, {})));
  EXPECT_FALSE(*store_->start_run(queued->run.id));
}

TEST_P(EvalStoreTest, ATenantHasAtMostFourActiveRunsAndStaleOnesFail) {
  Eval eval = create("reviews");
  std::vector<RunPlan> plans;
  for (std::size_t i = 0; i < kMaxActiveRunsPerTenant; ++i) plans.push_back(start(eval, {"m"}));
  auto fifth = store_->create_run(a_, eval.id, NewRun{{"m"}, 1}, {});
  ASSERT_FALSE(fifth);
  EXPECT_EQ(fifth.error().code, core::ErrorCode::kConflict);
  // Another tenant's limit is its own.
  Eval other = *store_->create(b_, new_eval("reviews"), {});
  EXPECT_TRUE(ok(store_->create_run(b_, other.id, NewRun{{"m"}, 1}, {})));

  // The process running the first one stopped: its heartbeat grows old.
  ASSERT_TRUE(ok(store::testing::write(
      db(), "UPDATE ai_eval_runs SET heartbeat_at = heartbeat_at - 3600000 WHERE id = $1",
      {plans[0].run.id})));
  auto stale = store_->get_run(a_, eval.id, plans[0].run.id);
  ASSERT_TRUE(ok(stale));
  EXPECT_EQ(stale->status, RunStatus::kFailed);
  EXPECT_NE(stale->error.find("interrupted"), std::string::npos) << stale->error;
  EXPECT_TRUE(stale->finished_at);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_events WHERE chain = 'ten_a' AND action = "
                  "'ai_eval_run.failed' AND actor_kind = 'system'"),
            1);
  // …which makes room for another, and its late writes stop it.
  EXPECT_TRUE(ok(store_->create_run(a_, eval.id, NewRun{{"m"}, 1}, {})));
  EXPECT_EQ(*store_->heartbeat(plans[0].run.id), RunProgress::kStopped);
  // Found stale by a list as well as by a run's creation.
  ASSERT_TRUE(ok(store::testing::write(
      db(), "UPDATE ai_eval_runs SET heartbeat_at = heartbeat_at - 3600000 WHERE id = $1",
      {plans[1].run.id})));
  auto listed = store_->list_runs(a_, eval.id, {});
  ASSERT_TRUE(ok(listed));
  EXPECT_EQ(listed->items[1].status, RunStatus::kFailed);
}

TEST_P(EvalStoreTest, DeletingAnEvalUnderARunningRunStopsItsWrites) {
  Eval eval = create("reviews");
  RunPlan plan = start(eval, {"gpt-test"});
  ASSERT_TRUE(ok(store_->record_results(plan.run.id, {result("gpt-test", 0, 1, 10, 1)})));
  auto removed = store_->remove(a_, eval.id, {});
  ASSERT_TRUE(ok(removed));
  EXPECT_EQ(*removed, (std::vector<std::string>{plan.run.id}));
  auto progress = store_->record_results(plan.run.id, {result("gpt-test", 1, 1, 10, 1)});
  ASSERT_TRUE(ok(progress));
  EXPECT_EQ(*progress, RunProgress::kGone);
  EXPECT_TRUE(ok(store_->finish_run(plan.run.id, RunStatus::kSucceeded, "", {})));
  EXPECT_EQ(count("SELECT COUNT(*) FROM ai_eval_results"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM ai_eval_runs"), 0);
}

TEST_P(EvalStoreTest, TheLeaderboardCountsEachEvalsLatestSucceededRun) {
  Eval first = create("reviews");
  Eval second = create("tickets");
  Eval elsewhere = create("invoices", "extract");
  // An older run of `first` where gpt-test did badly: replaced by the newer one.
  RunPlan old_run = start(first, {"gpt-test"});
  complete(old_run, {result("gpt-test", 0, 0, 1, 1), result("gpt-test", 1, 0, 1, 1),
                     result("gpt-test", 2, 0, 1, 1)});
  ASSERT_TRUE(ok(store::testing::write(
      db(), "UPDATE ai_eval_runs SET finished_at = '2020-01-01T00:00:00.000Z' WHERE id = $1",
      {old_run.run.id})));
  RunPlan newer = start(first, {"gpt-test", "claude-test"});
  complete(newer, {result("gpt-test", 0, 1, 100, 3), result("gpt-test", 1, 1, 200, 3),
                   result("gpt-test", 2, 0, 300, 3), result("claude-test", 0, 1, 10, 0),
                   result("claude-test", 1, 0, 20, 0), result("claude-test", 2, 0, 30, 0, true)});
  RunPlan tickets = start(second, {"gpt-test"});
  complete(tickets, {result("gpt-test", 0, 1, 400, 3), result("gpt-test", 1, 1, 500, 3),
                     result("gpt-test", 2, 1, 600, 3)});
  // Neither a cancelled run nor another task's counts.
  RunPlan cancelled = start(second, {"claude-test"});
  ASSERT_TRUE(ok(store_->cancel_run(a_, second.id, cancelled.run.id, {})));
  complete(cancelled, {result("claude-test", 0, 1, 1, 0)});
  RunPlan extract = start(elsewhere, {"gemini-test"});
  complete(extract, {result("gemini-test", 0, 1, 1, 0)});

  auto board = store_->leaderboard("ten_a", "classify");
  ASSERT_TRUE(ok(board));
  ASSERT_EQ(board->size(), 2u);
  const ModelScore& gpt = (*board)[0];
  EXPECT_EQ(gpt.model, "gpt-test");
  EXPECT_NEAR(gpt.score, (2.0 / 3.0 + 1.0) / 2.0, 1e-9);
  EXPECT_EQ(gpt.runs, 2);
  EXPECT_EQ(gpt.items, 6);
  EXPECT_NEAR(gpt.pass_rate, 5.0 / 6.0, 1e-9);
  EXPECT_EQ(gpt.latency_p50_us, 300);  // of 100 … 600
  EXPECT_EQ(gpt.latency_p95_us, 600);
  EXPECT_EQ(gpt.cost_per_item_microdollars, 3);
  const ModelScore& claude = (*board)[1];
  EXPECT_EQ(claude.model, "claude-test");
  EXPECT_EQ(claude.runs, 1);
  EXPECT_EQ(claude.errors, 1);
  EXPECT_EQ(claude.latency_p95_us, 20);  // the failed item has no latency
  EXPECT_TRUE(store_->leaderboard("ten_b", "classify")->empty());
  EXPECT_TRUE(store_->leaderboard("ten_a", "summarize")->empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, EvalStoreTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         backend_param_name);

}  // namespace
}  // namespace aic::ai::evals
