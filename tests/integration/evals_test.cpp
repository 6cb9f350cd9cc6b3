// Evaluations over real HTTP, answered by the mock provider (tests/support/mock_provider.hpp),
// whose answers are deterministic: "mock reply: " + the last user text, {"answer":"mock"} when
// JSON output is asked for, usage = word counts. A run across two models with a concurrency
// cap, per-model scores, results pages, the leaderboard, a provider failure recorded as an
// item error, the judge, cancelling, and another tenant's and a weaker key's refusals. (The
// store is tested on SQLite and PostgreSQL in unit/ai, the graders in unit/ai/evals_test.)
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "mock_catalog.hpp"
#include "mock_provider.hpp"
#include "tenant_world.hpp"

namespace aic::test {
namespace {

// Five greetings; the mock answers "mock reply: hello N", so the last item (which expects a
// goodbye) fails with `contains` and the other four pass.
std::string greetings_dataset() {
  std::string out;
  for (int i = 0; i < 4; ++i) {
    out += R"({"id":"g)" + std::to_string(i) + R"(","input":"hello )" + std::to_string(i) +
           R"(","expected":"mock reply: hello )" + std::to_string(i) + "\"}\n";
  }
  out += R"({"id":"g4","messages":[{"role":"system","content":"Be kind."},)"
         R"({"role":"user","content":"hello 4"}],"expected":"goodbye"})"
         "\n";
  return out;
}

std::string eval_body(const std::string& name, const std::string& task, json::value grader,
                      const std::string& dataset, json::object parameters = {}) {
  json::object body{
      {"name", name}, {"task", task}, {"grader", std::move(grader)}, {"dataset", dataset}};
  if (!parameters.empty()) body["parameters"] = std::move(parameters);
  return json::serialize(body);
}

struct Evals {
  Evals()
      : world([this](core::Config& config) {
          config.ai.catalog_json = openai_and_anthropic_catalog(mock);
          config.ai.retry_base_delay = std::chrono::milliseconds(5);
        }) {}

  std::optional<RawResponse> call(const std::string& method, const std::string& target,
                                  const std::string& body = "",
                                  const std::string* token = nullptr) {
    return world.call(method, target, token ? *token : world.owner_a, body);
  }

  // Creates an eval and returns its id.
  std::string create(const std::string& body) {
    auto created = call("POST", "/v1/ai/evals", body);
    EXPECT_TRUE(created);
    if (!created) return "";
    EXPECT_EQ(created->status, 201) << created->body;
    if (created->status != 201) return "";
    auto eval = body_of(*created);
    EXPECT_EQ(created->header("Location"), "/v1/ai/evals/" + std::string(eval["id"].as_string()));
    return std::string(eval["id"].as_string());
  }

  // Starts a run and returns its URL.
  std::string start(const std::string& eval_id, const std::string& body) {
    auto started = call("POST", "/v1/ai/evals/" + eval_id + "/runs", body);
    EXPECT_TRUE(started);
    if (!started) return "";
    EXPECT_EQ(started->status, 202) << started->body;
    if (started->status != 202) return "";
    auto run = body_of(*started);
    EXPECT_EQ(run["status"], "queued");
    EXPECT_TRUE(run["summaries"].as_array().empty());
    return *started->header("Location");
  }

  // Polls the run until it has ended; its last state.
  json::object ended(const std::string& run_url) {
    json::object run;
    bool done = eventually(
        [&] {
          auto read = call("GET", run_url);
          if (!read || read->status != 200) return false;
          run = body_of(*read);
          std::string status(run["status"].as_string());
          return status != "queued" && status != "running";
        },
        std::chrono::seconds(30));
    EXPECT_TRUE(done) << json::serialize(run);
    return run;
  }

  // Waits until this server executes no run (its last results and summaries are written).
  bool idle() {
    return eventually(
        [&] { return world.server.gateway().eval_dependencies().runner.active() == 0; },
        std::chrono::seconds(30));
  }

  MockProvider mock;
  World world;
};

json::object summary_of(json::object& run, const std::string& model) {
  for (auto& summary : run["summaries"].as_array()) {
    if (summary.as_object()["model"].as_string() == model) return summary.as_object();
  }
  ADD_FAILURE() << "no summary for " << model << ": " << json::serialize(run);
  return {};
}

TEST(Evals, ARunAcrossTwoModelsScoresEachAndFeedsTheLeaderboard) {
  Evals evals;
  std::string eval_id =
      evals.create(eval_body("greetings", "chat", json::parse(R"({"kind":"contains"})"),
                             greetings_dataset(), json::object{{"temperature", 0}}));
  auto eval = evals.call("GET", "/v1/ai/evals/" + eval_id);
  ASSERT_TRUE(eval);
  ASSERT_EQ(eval->status, 200) << eval->body;
  auto eval_json = body_of(*eval);
  EXPECT_EQ(eval_json["item_count"], 5);
  EXPECT_EQ(eval_json["grader"].as_object()["kind"], "contains");
  EXPECT_EQ(eval_json["grader"].as_object()["threshold"], 1.0);
  EXPECT_FALSE(eval_json.contains("dataset"));

  std::string run_url =
      evals.start(eval_id, R"({"models":["gpt-test","claude-test"],"concurrency":2})");
  json::object run = evals.ended(run_url);
  EXPECT_EQ(run["status"], "succeeded") << json::serialize(run);
  EXPECT_EQ(run["total"], 10);
  EXPECT_EQ(run["completed"], 10);
  EXPECT_TRUE(run["error"].is_null());
  for (std::string model : {"gpt-test", "claude-test"}) {
    json::object summary = summary_of(run, model);
    EXPECT_EQ(summary["items"], 5) << model;
    EXPECT_EQ(summary["passed"], 4) << model;
    EXPECT_EQ(summary["errors"], 0) << model;
    EXPECT_EQ(summary["mean_score"], 0.8) << model;
    EXPECT_EQ(summary["pass_rate"], 0.8) << model;
    // Words: "hello N" in (the system prompt adds two), "mock reply: hello N" out.
    EXPECT_EQ(summary["input_tokens"], 12) << model;
    EXPECT_EQ(summary["output_tokens"], 20) << model;
    EXPECT_GT(summary["latency_p95_us"].as_int64(), 0) << model;
    EXPECT_GE(summary["latency_p95_us"].as_int64(), summary["latency_p50_us"].as_int64());
  }
  // gpt-test costs $1 / $2 per million tokens: 12 + 2 × 20 micro-dollars.
  EXPECT_EQ(summary_of(run, "gpt-test")["cost_microdollars"], 52);
  EXPECT_EQ(summary_of(run, "claude-test")["cost_microdollars"], 0);
  EXPECT_EQ(evals.mock.count(), 10u);
  // Each request as the gateway sends it, with the eval's parameters.
  bool saw_temperature = false;
  for (const auto& request : evals.mock.requests()) {
    auto body = json::parse(request.body).as_object();
    if (body.contains("temperature")) saw_temperature = body["temperature"] == 0;
  }
  EXPECT_TRUE(saw_temperature);

  // Results, page by page, in item order.
  std::vector<json::object> results;
  std::string target = run_url + "/results?limit=4";
  for (int page = 0; page < 5; ++page) {
    auto listed = evals.call("GET", target);
    ASSERT_TRUE(listed);
    ASSERT_EQ(listed->status, 200) << listed->body;
    auto body = body_of(*listed);
    for (auto& item : body["data"].as_array()) results.push_back(item.as_object());
    if (body["next_cursor"].is_null()) break;
    target = run_url + "/results?limit=4&cursor=" + std::string(body["next_cursor"].as_string());
  }
  ASSERT_EQ(results.size(), 10u);
  EXPECT_EQ(results[0]["item_index"], 0);
  EXPECT_EQ(results[0]["model"], "claude-test");
  EXPECT_EQ(results[0]["answer"], "mock reply: hello 0");
  EXPECT_EQ(results[0]["answered_by"], "claude-test@an");
  EXPECT_EQ(results[0]["item_id"], "g0");
  EXPECT_EQ(results[0]["passed"], true);
  EXPECT_EQ(results[9]["item_index"], 4);
  EXPECT_EQ(results[9]["passed"], false);
  EXPECT_EQ(results[9]["score"], 0.0);
  auto only_gpt = evals.call("GET", run_url + "/results?model=gpt-test");
  ASSERT_TRUE(only_gpt);
  EXPECT_EQ(body_of(*only_gpt)["data"].as_array().size(), 5u);
  auto bad_cursor = evals.call("GET", run_url + "/results?cursor=bm9wZQ");
  ASSERT_TRUE(bad_cursor);
  EXPECT_EQ(bad_cursor->status, 400);
  EXPECT_EQ(problem_field(*bad_cursor), "cursor");

  auto runs = evals.call("GET", "/v1/ai/evals/" + eval_id + "/runs");
  ASSERT_TRUE(runs);
  EXPECT_EQ(body_of(*runs)["data"].as_array().size(), 1u);

  // The same scores; claude-test costs nothing here, so it ranks first.
  auto board = evals.call("GET", "/v1/ai/leaderboard?task=chat");
  ASSERT_TRUE(board);
  ASSERT_EQ(board->status, 200) << board->body;
  auto ranked = body_of(*board)["data"].as_array();
  ASSERT_EQ(ranked.size(), 2u);
  EXPECT_EQ(ranked[0].as_object()["model"], "claude-test");
  EXPECT_EQ(ranked[1].as_object()["model"], "gpt-test");
  EXPECT_EQ(ranked[1].as_object()["score"], 0.8);
  EXPECT_EQ(ranked[1].as_object()["runs"], 1);
  EXPECT_EQ(ranked[1].as_object()["cost_per_item_microdollars"], 10);  // 52 / 5
  auto other_task = evals.call("GET", "/v1/ai/leaderboard?task=classify");
  ASSERT_TRUE(other_task);
  EXPECT_TRUE(body_of(*other_task)["data"].as_array().empty());
  auto no_task = evals.call("GET", "/v1/ai/leaderboard");
  ASSERT_TRUE(no_task);
  EXPECT_EQ(no_task->status, 400);
  EXPECT_EQ(problem_field(*no_task), "task");

  // The calls were usage like any other: recorded (in batches) against the caller.
  EXPECT_TRUE(eventually(
      [&] {
        auto usage = evals.call("GET", "/v1/ai/usage?group_by=model");
        if (!usage || usage->status != 200) return false;
        auto body = body_of(*usage);
        for (auto& row : body["data"].as_array()) {
          if (row.as_object()["model"] == "gpt-test") return row.as_object()["requests"] == 5;
        }
        return false;
      },
      std::chrono::seconds(20)));
}

TEST(Evals, AProviderFailureIsAnItemErrorNotAFailedRun) {
  Evals evals;
  std::string eval_id = evals.create(
      eval_body("greetings", "chat", json::parse(R"({"kind":"contains"})"), greetings_dataset()));
  // A 400 is the request's fault: not retried, not failed over. One request takes it.
  evals.mock.push_fault({.kind = MockFault::Kind::kStatus, .status = 400});
  std::string run_url = evals.start(eval_id, R"({"models":["gpt-test"],"concurrency":1})");
  json::object run = evals.ended(run_url);
  EXPECT_EQ(run["status"], "succeeded") << json::serialize(run);
  json::object summary = summary_of(run, "gpt-test");
  EXPECT_EQ(summary["items"], 5);
  EXPECT_EQ(summary["errors"], 1);
  EXPECT_EQ(summary["answered"], 4);
  EXPECT_EQ(summary["passed"], 3);
  EXPECT_EQ(summary["mean_score"], 0.6);
  auto results = evals.call("GET", run_url + "/results?limit=1");
  ASSERT_TRUE(results);
  auto first = body_of(*results)["data"].as_array()[0].as_object();
  EXPECT_EQ(first["item_index"], 0);  // concurrency 1: the first request took the fault
  ASSERT_TRUE(first["error"].is_string()) << json::serialize(first);
  EXPECT_NE(std::string(first["error"].as_string()).find("invalid-argument"), std::string::npos)
      << first["error"];
  EXPECT_TRUE(first["answered_by"].is_null());
  EXPECT_EQ(first["score"], 0.0);
}

TEST(Evals, GradersThatReadJsonAndAJudgeModel) {
  Evals evals;
  // JSON output: gpt-test answers {"answer":"mock"}; Anthropic cannot be asked for it, so
  // every claude-test item is an error, and the run still succeeds.
  std::string dataset;
  for (int i = 0; i < 3; ++i)
    dataset += R"({"input":"extract )" + std::to_string(i) +
               R"(","expected":"mock"})"
               "\n";
  std::string json_eval = evals.create(
      eval_body("extract-answer", "extract",
                json::parse(R"({"kind":"json_field_equals","pointer":"/answer"})"), dataset,
                json::object{{"response_format", json::object{{"type", "json_object"}}}}));
  json::object run = evals.ended(
      evals.start(json_eval, R"({"models":["gpt-test","claude-test"],"concurrency":4})"));
  EXPECT_EQ(run["status"], "succeeded") << json::serialize(run);
  EXPECT_EQ(summary_of(run, "gpt-test")["passed"], 3);
  EXPECT_EQ(summary_of(run, "claude-test")["errors"], 3);
  EXPECT_EQ(summary_of(run, "claude-test")["mean_score"], 0.0);

  // The judge (gpt-test) is the mock too: it echoes the prompt, whose rubric holds the
  // verdict, so the reply carries {"score": 1, …} in other text — read as such.
  std::string judged = evals.create(eval_body("politeness", "chat",
                                              json::parse(R"({"kind":"llm_judge","model":"gpt-test",
                      "rubric":"Polite answers pass. Verdict: {\"score\": 1, \"reason\": \"polite\"}"})"),
                                              greetings_dataset()));
  std::string judged_run = evals.start(judged, R"({"models":["claude-test"]})");
  run = evals.ended(judged_run);
  EXPECT_EQ(run["status"], "succeeded") << json::serialize(run);
  json::object summary = summary_of(run, "claude-test");
  EXPECT_EQ(summary["passed"], 5);
  EXPECT_EQ(summary["cost_microdollars"], 0);
  EXPECT_GT(summary["judge_cost_microdollars"].as_int64(), 0);  // gpt-test is priced
  auto results = evals.call("GET", judged_run + "/results?limit=1");
  ASSERT_TRUE(results);
  auto first = body_of(*results)["data"].as_array()[0].as_object();
  EXPECT_EQ(first["reason"], "judge: polite");
  EXPECT_EQ(first["answer"], "mock reply: hello 0");
  // 3 for the JSON eval (none for claude-test), then 5 answers and 5 verdicts.
  EXPECT_EQ(evals.mock.count(), 3u + 10u);

  // A judge that is not in the catalogue is refused when the eval is created.
  auto unknown_judge =
      evals.call("POST", "/v1/ai/evals",
                 eval_body("judged-by-nobody", "chat",
                           json::parse(R"({"kind":"llm_judge","model":"gpt-9","rubric":"x"})"),
                           greetings_dataset()));
  ASSERT_TRUE(unknown_judge);
  EXPECT_EQ(unknown_judge->status, 400) << unknown_judge->body;
  EXPECT_EQ(problem_field(*unknown_judge), "/grader/model");
}

TEST(Evals, ACancelledRunStopsTakingItemsAndKeepsWhatItFinished) {
  Evals evals;
  std::string eval_id = evals.create(
      eval_body("greetings", "chat", json::parse(R"({"kind":"contains"})"), greetings_dataset()));
  for (int i = 0; i < 5; ++i) {
    evals.mock.push_fault(
        {.kind = MockFault::Kind::kDelay, .delay = std::chrono::milliseconds(300)});
  }
  std::string run_url = evals.start(eval_id, R"({"models":["gpt-test"],"concurrency":1})");
  auto cancelled = evals.call("POST", run_url + "/cancel");
  ASSERT_TRUE(cancelled);
  ASSERT_EQ(cancelled->status, 200) << cancelled->body;
  EXPECT_EQ(body_of(*cancelled)["status"], "cancelled");
  ASSERT_TRUE(evals.idle());
  auto run = evals.call("GET", run_url);
  ASSERT_TRUE(run);
  auto body = body_of(*run);
  EXPECT_EQ(body["status"], "cancelled");
  EXPECT_LT(body["completed"].as_int64(), 5);
  EXPECT_LT(evals.mock.count(), 5u);
  ASSERT_EQ(body["summaries"].as_array().size(), 1u);
  EXPECT_EQ(body["summaries"].as_array()[0].as_object()["items"], body["completed"]);
  auto again = evals.call("POST", run_url + "/cancel");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 409);

  // Deleting the eval deletes its runs.
  auto deleted = evals.call("DELETE", "/v1/ai/evals/" + eval_id);
  ASSERT_TRUE(deleted);
  EXPECT_EQ(deleted->status, 204);
  EXPECT_EQ(evals.call("GET", run_url)->status, 404);
}

TEST(Evals, ATemplateDatasetRendersEachLinesVariablesWithTheLabelledVersion) {
  Evals evals;
  auto prompt = evals.call("POST", "/v1/ai/prompts", R"({
    "name": "greet",
    "messages": [{"role": "system", "content": "Be kind."},
                 {"role": "user", "content": "hello {{who}}"}],
    "variables": [{"name": "who", "type": "string"}]})");
  ASSERT_TRUE(prompt);
  ASSERT_EQ(prompt->status, 201) << prompt->body;
  auto second = evals.call("POST", "/v1/ai/prompts/greet/versions", R"({
    "messages": [{"role": "user", "content": "hi {{who}}"}],
    "variables": [{"name": "who", "type": "string"}]})");
  ASSERT_TRUE(second);
  ASSERT_EQ(second->status, 201) << second->body;
  auto labelled = evals.call("PUT", "/v1/ai/prompts/greet/labels/production", R"({"version":1})");
  ASSERT_TRUE(labelled);
  ASSERT_EQ(labelled->status, 200) << labelled->body;

  const std::string dataset =
      "{\"id\":\"a\",\"variables\":{\"who\":\"Ada\"},\"expected\":\"mock reply: hello Ada\"}\n"
      "{\"id\":\"b\",\"variables\":{\"who\":\"Bo\"},\"expected\":\"mock reply: hello Bo\"}\n";
  const json::object by_label{{"aic_prompt", json::object{{"name", "greet"}}}};
  std::string eval_id = evals.create(
      eval_body("greet-prod", "chat", json::parse(R"({"kind":"exact"})"), dataset, by_label));
  json::object run = evals.ended(evals.start(eval_id, R"({"models":["gpt-test"]})"));
  EXPECT_EQ(run["status"], "succeeded") << json::serialize(run);
  EXPECT_EQ(summary_of(run, "gpt-test")["passed"], 2);
  // The provider got the rendered messages, and no aic_prompt.
  ASSERT_EQ(evals.mock.count(), 2u);
  auto sent = json::parse(evals.mock.requests()[0].body).as_object();
  EXPECT_FALSE(sent.contains("aic_prompt"));
  EXPECT_EQ(sent["messages"].as_array()[0].as_object()["content"], "Be kind.");

  // Version 2 by number: "hi …", so `exact` against "hello …" fails every item.
  const json::object by_version{{"aic_prompt", json::object{{"name", "greet"}, {"version", 2}}}};
  std::string v2 = evals.create(
      eval_body("greet-v2", "chat", json::parse(R"({"kind":"exact"})"), dataset, by_version));
  json::object run2 = evals.ended(evals.start(v2, R"({"models":["gpt-test"]})"));
  EXPECT_EQ(summary_of(run2, "gpt-test")["passed"], 0) << json::serialize(run2);

  // Mistakes name their line or member.
  auto wrong_type =
      evals.call("POST", "/v1/ai/evals",
                 eval_body("bad-vars", "chat", json::parse(R"({"kind":"exact"})"),
                           dataset + "{\"variables\":{\"who\":7},\"expected\":\"x\"}\n", by_label));
  ASSERT_TRUE(wrong_type);
  EXPECT_EQ(wrong_type->status, 400) << wrong_type->body;
  EXPECT_EQ(problem_field(*wrong_type), "/dataset");
  EXPECT_EQ(body_of(*wrong_type)["line"], 3);
  EXPECT_NE(wrong_type->body.find("variables.who"), std::string::npos) << wrong_type->body;
  auto no_template =
      evals.call("POST", "/v1/ai/evals",
                 eval_body("no-such", "chat", json::parse(R"({"kind":"exact"})"), dataset,
                           json::object{{"aic_prompt", json::object{{"name", "nope"}}}}));
  ASSERT_TRUE(no_template);
  EXPECT_EQ(no_template->status, 404) << no_template->body;
  EXPECT_EQ(problem_field(*no_template), "/parameters/aic_prompt");
  auto variables_without_template =
      evals.call("POST", "/v1/ai/evals",
                 eval_body("stray", "chat", json::parse(R"({"kind":"exact"})"), dataset));
  ASSERT_TRUE(variables_without_template);
  EXPECT_EQ(variables_without_template->status, 400);
  EXPECT_EQ(body_of(*variables_without_template)["line"], 1);
  EXPECT_EQ(evals.mock.count(), 4u);
}

TEST(Evals, MistakesNameTheirFieldOrLine) {
  Evals evals;
  struct Case {
    std::string body;
    std::string field;
  };
  json::value contains = json::parse(R"({"kind":"contains"})");
  for (
      const Case& bad : std::vector<Case>{
          {eval_body("ok", "chat", contains, "{\"input\":\"x\",\"expected\":\"y\"}\n{nope}\n"),
           "/dataset"},
          {eval_body("Not OK", "chat", contains, greetings_dataset()), "/name"},
          {eval_body("ok", "chat", json::parse(R"({"kind":"regex","pattern":"(a)\\1"})"),
                     greetings_dataset()),
           "/grader/pattern"},
          {eval_body("ok", "chat", contains, greetings_dataset(), json::object{{"n", 3}}),
           "/parameters/n"},
          {R"({"name":"ok","task":"chat","dataset":"{}"})", "/grader"},
          {R"({"id":"evl_mine","name":"ok","task":"chat","grader":{"kind":"exact"},"dataset":"x"})",
           "/id"},
      }) {
    auto refused = evals.call("POST", "/v1/ai/evals", bad.body);
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 400) << bad.body << " → " << refused->body;
    EXPECT_EQ(refused->header("Content-Type"), "application/problem+json");
    EXPECT_EQ(problem_field(*refused), bad.field) << refused->body;
  }
  auto line = evals.call(
      "POST", "/v1/ai/evals",
      eval_body("ok", "chat", contains, "{\"input\":\"x\",\"expected\":\"y\"}\n{nope}\n"));
  EXPECT_EQ(body_of(*line)["line"], 2);

  std::string eval_id = evals.create(
      eval_body("greetings", "chat", json::parse(R"({"kind":"contains"})"), greetings_dataset()));
  std::string runs = "/v1/ai/evals/" + eval_id + "/runs";
  for (const Case& bad : std::vector<Case>{
           {R"({"models":["gpt-test","gpt-9"]})", "/models/1"},
           {R"({"models":["embed-test"]})", "/models/0"},
           {R"({"models":[]})", "/models"},
           {R"({"models":["gpt-test"],"concurrency":17})", "/concurrency"},
           {R"({"models":["gpt-test"],"status":"succeeded"})", "/status"},
       }) {
    auto refused = evals.call("POST", runs, bad.body);
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 400) << bad.body << " → " << refused->body;
    EXPECT_EQ(problem_field(*refused), bad.field) << refused->body;
  }
  EXPECT_EQ(evals.mock.count(), 0u);
}

TEST(Evals, AnotherTenantGets404AndAViewerGets403) {
  Evals evals;
  std::string eval_id = evals.create(
      eval_body("greetings", "chat", json::parse(R"({"kind":"contains"})"), greetings_dataset()));
  std::string run_url = evals.start(eval_id, R"({"models":["gpt-test"]})");
  evals.ended(run_url);
  const std::string& other = evals.world.owner_b;
  for (const auto& [method, target, body] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"GET", "/v1/ai/evals/" + eval_id, ""},
           {"DELETE", "/v1/ai/evals/" + eval_id, ""},
           {"POST", "/v1/ai/evals/" + eval_id + "/runs", "{}"},
           {"GET", "/v1/ai/evals/" + eval_id + "/runs", ""},
           {"GET", run_url, ""},
           {"GET", run_url + "/results", ""},
           {"GET", run_url + "/results?cursor=bad", ""},
           {"POST", run_url + "/cancel", ""},
       }) {
    auto refused = evals.call(method, target, body, &other);
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 404) << method << " " << target << " → " << refused->body;
  }
  auto listed = evals.call("GET", "/v1/ai/evals", "", &other);
  ASSERT_TRUE(listed);
  EXPECT_TRUE(body_of(*listed)["data"].as_array().empty());
  auto board = evals.call("GET", "/v1/ai/leaderboard?task=chat", "", &other);
  ASSERT_TRUE(board);
  EXPECT_TRUE(body_of(*board)["data"].as_array().empty());

  auto [viewer_id, viewer] = evals.world.create_key(evals.world.owner_a, "viewer");
  EXPECT_EQ(evals.call("GET", "/v1/ai/evals", "", &viewer)->status, 403);
  EXPECT_EQ(evals.call("GET", "/v1/ai/leaderboard?task=chat", "", &viewer)->status, 403);
  auto [analyst_id, analyst] = evals.world.create_key(evals.world.owner_a, "analyst");
  EXPECT_EQ(evals.call("GET", run_url, "", &analyst)->status, 200);
  EXPECT_EQ(
      evals
          .call("POST", "/v1/ai/evals/" + eval_id + "/runs", R"({"models":["gpt-test"]})", &analyst)
          ->status,
      403);
  EXPECT_EQ(evals.call("DELETE", "/v1/ai/evals/" + eval_id, "", &analyst)->status, 403);
  // Nothing of the above changed the eval.
  EXPECT_EQ(evals.call("GET", "/v1/ai/evals/" + eval_id)->status, 200);
}

}  // namespace
}  // namespace aic::test
