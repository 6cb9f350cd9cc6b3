// The financial engine's model-based paths over real HTTP, through the AI gateway to the mock
// provider (tests/support/mock_provider.hpp), whose answers are scripted per request here:
// sentiment classified by a model, and the insights narrative rewritten, checked and kept.
#include <gtest/gtest.h>

#include "mock_catalog.hpp"
#include "mock_provider.hpp"
#include "tenant_world.hpp"

namespace aic::test {
namespace {

struct Fixture {
  Fixture()
      : world([this](core::Config& config) {
          config.ai.catalog_json = openai_and_anthropic_catalog(mock);
          config.ai.retry_base_delay = std::chrono::milliseconds(5);
        }) {}

  std::optional<RawResponse> post(const std::string& target, const std::string& body,
                                  const std::string* token = nullptr) {
    return world.call("POST", target, token ? *token : world.owner_a, body);
  }
  std::optional<RawResponse> get(const std::string& target, const std::string* token = nullptr) {
    return world.call("GET", target, token ? *token : world.owner_a);
  }
  void reply(std::string text) {
    mock.push_fault({.kind = MockFault::Kind::kReply, .reply_text = std::move(text)});
  }

  MockProvider mock;
  World world;
};

constexpr std::string_view kTexts =
    R"({"texts":["Operating profit rose to EUR 13.1 mn.","The company is based in Espoo."],)";

TEST(FinanceAi, SentimentByAModelThroughTheGateway) {
  Fixture f;
  // The answer lists the texts out of order; the response puts them back in request order.
  const std::string answer =
      R"({"results":[{"index":1,"label":"neutral","score":0,"evidence":[]},)"
      R"({"index":0,"label":"positive","score":0.8,"evidence":["Operating profit rose"]}]})";
  for (const std::string model : {"gpt-test", "claude-test"}) {
    f.reply(answer);
    auto scored = f.post("/v1/sentiment/score",
                         std::string(kTexts) + R"("method":"llm","model":")" + model + "\"}");
    ASSERT_TRUE(scored);
    ASSERT_EQ(scored->status, 200) << model << ": " << scored->body;
    auto body = body_of(*scored);
    EXPECT_EQ(body["method"], "llm");
    EXPECT_EQ(std::string(body["model"].as_string()), model);
    const auto& results = body["results"].as_array();
    ASSERT_EQ(results.size(), 2u);
    EXPECT_EQ(results[0].at("label"), "positive");
    EXPECT_DOUBLE_EQ(results[0].at("score").to_number<double>(), 0.8);
    EXPECT_EQ(results[0].at("evidence").at(0).at("terms"), "Operating profit rose");
    EXPECT_EQ(results[1].at("label"), "neutral");
  }
  // The provider was asked for structured output, with the texts as data.
  const auto requests = f.mock.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_NE(requests[0].body.find("sentiment_results"), std::string::npos);
  EXPECT_NE(requests[0].body.find(R"(\"index\":1,\"text\":\"The company is based in Espoo.\")"),
            std::string::npos)
      << requests[0].body;
  EXPECT_NE(requests[1].body.find("output_config"), std::string::npos) << requests[1].body;

  // Usage and cost are recorded like any chat completion of the caller's.
  auto usage_seen = false;
  for (int i = 0; i < 100 && !usage_seen; ++i) {
    auto usage = f.get("/v1/ai/usage?group_by=model");
    ASSERT_TRUE(usage);
    usage_seen = usage->body.find("gpt-test") != std::string::npos &&
                 usage->body.find("claude-test") != std::string::npos;
    if (!usage_seen) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(usage_seen);
}

TEST(FinanceAi, SentimentMistakesAndUnreadableAnswers) {
  Fixture f;
  const std::string texts(kTexts);
  // The mock's usual JSON answer is not the requested shape: 503, nothing guessed.
  auto unreadable = f.post("/v1/sentiment/score", texts + R"("method":"llm","model":"gpt-test"})");
  ASSERT_TRUE(unreadable);
  EXPECT_EQ(unreadable->status, 502) << unreadable->body;
  EXPECT_NE(unreadable->body.find("results"), std::string::npos) << unreadable->body;
  // A missing verdict.
  f.reply(R"({"results":[{"index":0,"label":"positive","score":1,"evidence":[]}]})");
  auto partial = f.post("/v1/sentiment/score", texts + R"("method":"llm","model":"gpt-test"})");
  ASSERT_TRUE(partial);
  EXPECT_EQ(partial->status, 502);
  EXPECT_NE(partial->body.find("no result for index 1"), std::string::npos) << partial->body;

  auto unknown = f.post("/v1/sentiment/score", texts + R"("method":"llm","model":"nope"})");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 400);
  EXPECT_EQ(problem_field(*unknown), "/model");
  auto lexicon_model = f.post("/v1/sentiment/score", texts + R"("model":"gpt-test"})");
  ASSERT_TRUE(lexicon_model);
  EXPECT_EQ(lexicon_model->status, 400);
  EXPECT_EQ(problem_field(*lexicon_model), "/model");
  auto auto_without_scores = f.post("/v1/sentiment/score", texts + R"("method":"llm"})");
  ASSERT_TRUE(auto_without_scores);
  EXPECT_EQ(auto_without_scores->status, 400);
  EXPECT_EQ(problem_field(*auto_without_scores), "/model");
  EXPECT_NE(auto_without_scores->body.find("ai.sentiment_model"), std::string::npos);

  // A viewer may score with the lexicon but not spend on models.
  auto viewer = f.world.create_key(f.world.owner_a, "viewer").second;
  auto by_viewer =
      f.post("/v1/sentiment/score", texts + R"("method":"llm","model":"gpt-test"})", &viewer);
  ASSERT_TRUE(by_viewer);
  EXPECT_EQ(by_viewer->status, 403);
  auto lexicon = f.post("/v1/sentiment/score", texts + R"("method":"lexicon"})", &viewer);
  ASSERT_TRUE(lexicon);
  EXPECT_EQ(lexicon->status, 200);
  EXPECT_EQ(f.mock.count(), 2u);  // the unreadable and the partial answer only
}

// Two years of a small company, in thousands of euros.
std::string statements(int years) {
  std::string csv =
      "period_end,length,currency,scale,revenue,cogs,sga,ebit,interest_expense,net_income,"
      "cash,receivables,inventory,current_assets,total_assets,payables,current_liabilities,"
      "long_term_debt,total_liabilities,retained_earnings,equity,shares_outstanding,"
      "operating_cash_flow,capex\n";
  for (int i = 0; i < years; ++i) {
    const int revenue = 8000 + 700 * i;
    csv += std::to_string(2021 + i) + "-12-31,annual,EUR,thousands," + std::to_string(revenue) +
           "," + std::to_string(revenue * 6 / 10) + ",1600," + std::to_string(revenue / 5) +
           ",120," + std::to_string(revenue / 8) + ",900,1400,1100,3400,12000,900,2500,3000,6000," +
           std::to_string(2500 + 400 * i) + ",6000,2000000," + std::to_string(revenue / 7) +
           ",600\n";
  }
  return csv;
}

TEST(FinanceAi, TheNarrativeRewrittenCheckedAndKept) {
  Fixture f;
  auto created = f.post("/v1/entities", R"({"name":"Nordkap Tools","currency":"EUR"})");
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 201) << created->body;
  const std::string id(body_of(*created)["id"].as_string());
  auto imported = f.post("/v1/entities/" + id + "/imports?format=statements-csv", statements(2));
  ASSERT_TRUE(imported);
  ASSERT_EQ(imported->status, 201) << imported->body;
  const std::string insights = "/v1/entities/" + id + "/insights";
  auto plain = f.get(insights);
  ASSERT_TRUE(plain);
  ASSERT_EQ(plain->status, 200) << plain->body;
  const std::string summary(body_of(*plain)["summary"].as_string());
  ASSERT_FALSE(summary.empty());
  EXPECT_FALSE(body_of(*plain).contains("ai_summary"));
  const std::string rewrite_url = insights + "?narrative=ai&model=gpt-test";

  // A figure the analysis does not hold: refused, the deterministic summary stands.
  f.reply("Nordkap Tools is in fine shape with a health score of 99.5.");
  auto invented = f.get(rewrite_url);
  ASSERT_TRUE(invented);
  ASSERT_EQ(invented->status, 200) << invented->body;
  auto fallback = body_of(*invented)["ai_summary"].as_object();
  EXPECT_EQ(fallback["status"], "fallback");
  EXPECT_EQ(std::string(fallback["text"].as_string()), summary);
  EXPECT_NE(std::string(fallback["reason"].as_string()).find("99.5"), std::string::npos);

  // The provider failing (every attempt): the same fallback, with the gateway's reason.
  f.mock.push_fault({.kind = MockFault::Kind::kStatus, .status = 500});
  f.mock.push_fault({.kind = MockFault::Kind::kStatus, .status = 500});
  auto failing = f.get(rewrite_url);
  ASSERT_TRUE(failing);
  ASSERT_EQ(failing->status, 200) << failing->body;
  EXPECT_EQ(body_of(*failing)["ai_summary"].at("status"), "fallback");

  // A faithful rewrite (the facts' own sentences, reworded around them) is shown and kept.
  const std::string faithful = "In short: " + summary;
  f.reply(faithful);
  auto rewritten = f.get(rewrite_url);
  ASSERT_TRUE(rewritten);
  ASSERT_EQ(rewritten->status, 200) << rewritten->body;
  auto ai_summary = body_of(*rewritten)["ai_summary"].as_object();
  EXPECT_EQ(ai_summary["status"], "rewritten") << rewritten->body;
  EXPECT_EQ(std::string(ai_summary["text"].as_string()), faithful);
  EXPECT_EQ(ai_summary["model"], "gpt-test");
  EXPECT_EQ(ai_summary["kept"], false);
  const std::size_t calls = f.mock.count();
  auto again = f.get(rewrite_url);
  ASSERT_TRUE(again);
  auto kept = body_of(*again)["ai_summary"].as_object();
  EXPECT_EQ(std::string(kept["text"].as_string()), faithful);
  EXPECT_EQ(kept["kept"], true);
  EXPECT_EQ(f.mock.count(), calls);  // no provider call for the kept rewrite

  // New data: the kept rewrite is stale and the model is asked again.
  auto more = f.post("/v1/entities/" + id + "/imports?format=statements-csv", statements(3));
  ASSERT_TRUE(more);
  ASSERT_EQ(more->status, 201) << more->body;
  const std::string newer(body_of(*f.get(insights))["summary"].as_string());
  f.reply("Update: " + newer);
  auto refreshed = f.get(rewrite_url);
  ASSERT_TRUE(refreshed);
  auto fresh = body_of(*refreshed)["ai_summary"].as_object();
  EXPECT_EQ(std::string(fresh["text"].as_string()), "Update: " + newer);
  EXPECT_EQ(fresh["kept"], false);
  EXPECT_EQ(f.mock.count(), calls + 1);
  // What the model was given: the facts, and the instruction to keep every number.
  const std::string sent = f.mock.requests().back().body;
  EXPECT_NE(sent.find("Nordkap Tools"), std::string::npos);
  EXPECT_NE(sent.find("Copy every number exactly"), std::string::npos);

  // Mistakes name their parameter; a viewer may read insights but not call a model.
  auto bad_mode = f.get(insights + "?narrative=fancy");
  ASSERT_TRUE(bad_mode);
  EXPECT_EQ(bad_mode->status, 400);
  EXPECT_EQ(problem_field(*bad_mode), "narrative");
  auto stray_model = f.get(insights + "?model=gpt-test");
  ASSERT_TRUE(stray_model);
  EXPECT_EQ(stray_model->status, 400);
  EXPECT_EQ(problem_field(*stray_model), "model");
  auto unknown = f.get(insights + "?narrative=ai&model=nope");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 400);
  EXPECT_EQ(problem_field(*unknown), "model");
  auto no_default = f.get(insights + "?narrative=ai");
  ASSERT_TRUE(no_default);
  EXPECT_EQ(no_default->status, 400);
  EXPECT_EQ(problem_field(*no_default), "model");
  auto viewer = f.world.create_key(f.world.owner_a, "viewer").second;
  auto by_viewer = f.get(rewrite_url, &viewer);
  ASSERT_TRUE(by_viewer);
  EXPECT_EQ(by_viewer->status, 403);
  // Another tenant's entity is not found, whatever the narrative.
  auto other = f.world.call("GET", rewrite_url, f.world.owner_b);
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 404);
}

}  // namespace
}  // namespace aic::test
