// The catalogue read from the [[ai.*]] tables, route planning per strategy, the circuit
// breaker and prices.
#include <gtest/gtest.h>

#include "ai/catalog.hpp"
#include "ai/routing.hpp"

namespace aic::ai {
namespace {

using namespace std::chrono_literals;

Catalog load(std::string json, std::vector<core::ConfigIssue>& issues,
             std::map<std::string, std::string, std::less<>> env = {}) {
  core::AiConfig config;
  config.catalog_json = std::move(json);
  config.catalog_source = "aic.toml";
  return Catalog::load(
      config,
      [&](std::string_view name) -> std::optional<std::string> {
        auto found = env.find(name);
        if (found == env.end()) return std::nullopt;
        return found->second;
      },
      issues);
}

constexpr std::string_view kCatalog = R"({
  "providers": [
    {"name": "oa", "kind": "openai", "base_url": "https://oa.example/v1/", "api_key_env": "OA_KEY",
     "headers": {"OpenAI-Organization": "org-1"}},
    {"name": "an", "kind": "anthropic", "base_url": "https://an.example/v1", "api_key": "k"}
  ],
  "models": [
    {"name": "small", "provider": "oa", "aliases": ["fast"], "input_price": 0.15, "output_price": 0.6},
    {"name": "big", "provider": "an", "upstream_model": "claude-x", "input_price": 3, "output_price": 15},
    {"name": "mid", "provider": "oa", "input_price": 1, "cached_input_price": 0.5, "output_price": 2},
    {"name": "vec", "provider": "oa", "type": "embeddings"}
  ],
  "routes": [
    {"name": "ordered", "targets": ["big", "small"]},
    {"name": "spread", "strategy": "weighted", "targets": ["small", "big", "mid"], "weights": [1, 2, 7]},
    {"name": "quick", "strategy": "least-latency", "targets": ["small", "big", "mid"]},
    {"name": "thrifty", "strategy": "cheapest", "targets": ["big", "mid", "small"]}
  ]
})";

TEST(Catalog, ReadsProvidersModelsAndRoutes) {
  std::vector<core::ConfigIssue> issues;
  Catalog catalog = load(std::string(kCatalog), issues, {{"OA_KEY", "sk-env"}});
  ASSERT_TRUE(issues.empty()) << issues.front().key << ": " << issues.front().reason;
  const ProviderEndpoint* oa = catalog.provider("oa");
  ASSERT_NE(oa, nullptr);
  EXPECT_EQ(oa->base_url, "https://oa.example/v1");  // trailing slash dropped
  EXPECT_EQ(oa->api_key, "sk-env");
  ASSERT_EQ(oa->extra_headers.size(), 1u);
  EXPECT_EQ(catalog.model("fast"), catalog.model("small"));
  EXPECT_EQ(catalog.model("big")->upstream_model, "claude-x");
  EXPECT_EQ(catalog.model("small")->upstream_model, "small");
  EXPECT_EQ(catalog.model("small")->prices.input, 150'000);
  EXPECT_EQ(catalog.model("small")->prices.cached_input, 150'000);  // defaults to input
  EXPECT_EQ(catalog.model("vec")->type, ModelType::kEmbeddings);
  EXPECT_EQ(catalog.routes().size(), 4u);
}

TEST(Catalog, NamesEveryMistake) {
  std::vector<core::ConfigIssue> issues;
  load(R"({
    "providers": [
      {"name": "oa", "kind": "openaii", "base_url": "https://x"},
      {"name": "an", "kind": "anthropic", "base_url": "ftp://x"},
      {"name": "gm", "kind": "gemini", "base_url": "https://g", "api_key_env": "MISSING", "colour": 1},
      {"name": "ok", "kind": "openai", "base_url": "https://ok"}
    ],
    "models": [
      {"name": "m", "provider": "nobody"},
      {"name": "a", "provider": "ok", "input_price": -1},
      {"name": "b", "provider": "ok", "aliases": ["a2"]},
      {"name": "a2", "provider": "ok"},
      {"name": "auto", "provider": "ok"}
    ],
    "routes": [
      {"name": "r1", "targets": []},
      {"name": "r2", "targets": ["ghost"]},
      {"name": "r3", "strategy": "weighted", "targets": ["b"]},
      {"name": "r4", "strategy": "random", "targets": ["b"]},
      {"name": "b", "targets": ["a2"]}
    ]
  })",
       issues);
  std::vector<std::string> keys;
  for (const auto& issue : issues) {
    keys.push_back(issue.key);
    EXPECT_EQ(issue.source, "aic.toml");
  }
  for (std::string expected :
       {"ai.providers[0].kind", "ai.providers[1].base_url", "ai.providers[2].api_key_env",
        "ai.providers[2].colour", "ai.models[0].provider", "ai.models[1].input_price",
        "ai.models[3].name", "ai.models[4].name", "ai.routes[0].targets", "ai.routes[1].targets",
        "ai.routes[2].weights", "ai.routes[3].strategy", "ai.routes[4].name"}) {
    EXPECT_NE(std::find(keys.begin(), keys.end(), expected), keys.end()) << expected;
  }
}

class Routing : public ::testing::Test {
 protected:
  Routing() {
    std::vector<core::ConfigIssue> issues;
    catalog_ = load(std::string(kCatalog), issues, {{"OA_KEY", "k"}});
  }
  std::vector<std::string> order(std::string_view requested, std::uint64_t draw = 0) {
    auto plan = plan_route(catalog_, requested, ModelType::kChat, health_, draw);
    EXPECT_TRUE(plan) << plan.error().message;
    std::vector<std::string> names;
    for (const auto& target : plan->targets) names.push_back(target.model->name);
    return names;
  }
  Catalog catalog_;
  TargetHealth health_{2, std::chrono::milliseconds(1000)};
};

TEST_F(Routing, ModelsAliasesAndUnknownNames) {
  EXPECT_EQ(order("small"), std::vector<std::string>{"small"});
  auto alias = plan_route(catalog_, "fast", ModelType::kChat, health_, 0);
  ASSERT_TRUE(alias);
  EXPECT_EQ(alias->reason, "alias fast of small");
  auto unknown = plan_route(catalog_, "gpt-9", ModelType::kChat, health_, 0);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, core::ErrorCode::kNotFound);
  EXPECT_EQ(unknown.error().field, "model");
  auto wrong = plan_route(catalog_, "vec", ModelType::kChat, health_, 0);
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, core::ErrorCode::kInvalidArgument);
}

TEST_F(Routing, OrdersTargetsByStrategy) {
  EXPECT_EQ(order("ordered"), (std::vector<std::string>{"big", "small"}));
  // Weights 1, 2, 7 over 10: draws 0 → small, 1–2 → big, 3–9 → mid; the rest by weight.
  EXPECT_EQ(order("spread", 0), (std::vector<std::string>{"small", "mid", "big"}));
  EXPECT_EQ(order("spread", 12), (std::vector<std::string>{"big", "mid", "small"}));
  EXPECT_EQ(order("spread", 9), (std::vector<std::string>{"mid", "big", "small"}));
  std::map<std::string, int> first;
  for (std::uint64_t draw = 0; draw < 1000; ++draw) first[order("spread", draw).front()]++;
  EXPECT_EQ(first["small"], 100);
  EXPECT_EQ(first["big"], 200);
  EXPECT_EQ(first["mid"], 700);
  // Cheapest: input + output per million tokens (small 0.75, mid 3, big 18).
  EXPECT_EQ(order("thrifty"), (std::vector<std::string>{"small", "mid", "big"}));
}

// A cheapest route may carry a quality floor: the evaluations' task and the lowest score.
TEST(Catalog, ReadsQualityFloorsOfCheapestRoutes) {
  std::vector<core::ConfigIssue> issues;
  Catalog catalog = load(R"({
    "providers": [{"name": "oa", "kind": "openai", "base_url": "https://oa.example/v1"}],
    "models": [{"name": "a", "provider": "oa"}, {"name": "b", "provider": "oa"}],
    "routes": [
      {"name": "floor", "strategy": "cheapest", "targets": ["a", "b"], "task": "classify", "min_quality": 0.8},
      {"name": "wrong-strategy", "targets": ["a"], "task": "classify", "min_quality": 0.8},
      {"name": "no-task", "strategy": "cheapest", "targets": ["a"], "min_quality": 0.8},
      {"name": "too-high", "strategy": "cheapest", "targets": ["a"], "task": "x", "min_quality": 2}
    ]})",
                         issues, {});
  const RouteEntry* floor = catalog.route("floor");
  ASSERT_NE(floor, nullptr);
  EXPECT_EQ(floor->task, "classify");
  EXPECT_DOUBLE_EQ(floor->min_quality, 0.8);
  std::vector<std::string> keys;
  for (const auto& issue : issues) keys.push_back(issue.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"ai.routes[1].task", "ai.routes[2].min_quality",
                                            "ai.routes[3].min_quality"}));
  EXPECT_EQ(catalog.route("wrong-strategy"), nullptr);
}

// model "auto": the cheapest model whose evaluation score for the task reaches the floor.
TEST_F(Routing, AutoPicksTheCheapestModelAboveTheQualityFloor) {
  std::vector<QualityScore> scores = {
      {"big", 0.95}, {"mid", 0.85}, {"small", 0.6}, {"vec", 1.0}, {"retired", 0.99}};
  auto plan = plan_auto(catalog_, "classify", scores, 0.8, health_);
  ASSERT_TRUE(plan) << plan.error().message;
  ASSERT_EQ(plan->targets.size(), 2u);  // small is below the floor; vec and retired are not chat
  EXPECT_EQ(plan->targets[0].model->name, "mid");
  EXPECT_EQ(plan->targets[1].model->name, "big");
  EXPECT_EQ(plan->route, "auto");
  EXPECT_NE(plan->reason.find("task classify"), std::string::npos) << plan->reason;
  EXPECT_NE(plan->reason.find("mid (score 0.85)"), std::string::npos) << plan->reason;
  // A lower floor lets the cheapest in.
  auto lower = plan_auto(catalog_, "classify", scores, 0.5, health_);
  ASSERT_TRUE(lower);
  EXPECT_EQ(lower->targets[0].model->name, "small");
  // An open breaker sends its model to the back.
  auto now = TargetHealth::Clock::now();
  health_.failed(plan->targets[0].key(), now);
  health_.failed(plan->targets[0].key(), now);
  auto around = plan_auto(catalog_, "classify", scores, 0.8, health_);
  ASSERT_TRUE(around);
  EXPECT_EQ(around->targets[0].model->name, "big");
  // Nothing good enough, or nothing measured: a 400 that says which hint to change.
  auto strict = plan_auto(catalog_, "classify", scores, 0.99, health_);
  ASSERT_FALSE(strict);
  EXPECT_EQ(strict.error().field, "metadata.aic_min_quality");
  EXPECT_NE(strict.error().message.find("big at 0.95"), std::string::npos);
  auto unmeasured = plan_auto(catalog_, "extract", {}, 0.5, health_);
  ASSERT_FALSE(unmeasured);
  EXPECT_EQ(unmeasured.error().field, "metadata.aic_task");
}

TEST_F(Routing, LeastLatencyMeasuresUnknownTargetsFirst) {
  health_.succeeded("oa/small", 900ms);
  health_.succeeded("an/claude-x", 100ms);
  EXPECT_EQ(order("quick"), (std::vector<std::string>{"mid", "big", "small"}));
  health_.succeeded("oa/mid", 500ms);
  EXPECT_EQ(order("quick"), (std::vector<std::string>{"big", "mid", "small"}));
  // The average moves a fifth of the way to each new sample.
  health_.succeeded("an/claude-x", 1100ms);
  EXPECT_DOUBLE_EQ(*health_.latency_us("an/claude-x"), 300'000);
}

TEST_F(Routing, BreakerOpensProbesAndCloses) {
  auto now = TargetHealth::Clock::now();
  std::string why;
  health_.failed("an/claude-x", now);
  EXPECT_TRUE(health_.admit("an/claude-x", now, why));
  health_.failed("an/claude-x", now);  // the second in a row opens it
  EXPECT_FALSE(health_.admit("an/claude-x", now + 500ms, why));
  EXPECT_NE(why.find("circuit open"), std::string::npos);
  // An open target goes last in a route.
  EXPECT_EQ(order("ordered"), (std::vector<std::string>{"small", "big"}));
  // After the cooldown one probe is let through; the others wait for it.
  EXPECT_TRUE(health_.admit("an/claude-x", now + 1100ms, why));
  EXPECT_FALSE(health_.admit("an/claude-x", now + 1100ms, why));
  EXPECT_NE(why.find("half-open"), std::string::npos);
  // A failed probe opens it again at once.
  health_.failed("an/claude-x", now + 1200ms);
  EXPECT_FALSE(health_.admit("an/claude-x", now + 1300ms, why));
  EXPECT_TRUE(health_.admit("an/claude-x", now + 2300ms, why));
  health_.succeeded("an/claude-x", 10ms);
  EXPECT_TRUE(health_.admit("an/claude-x", now + 2300ms, why));
  EXPECT_FALSE(health_.is_open("an/claude-x"));
  // A probe slot released without a verdict lets the next caller probe.
  health_.failed("oa/mid", now);
  health_.failed("oa/mid", now);
  EXPECT_TRUE(health_.admit("oa/mid", now + 2s, why));
  health_.release("oa/mid");
  EXPECT_TRUE(health_.admit("oa/mid", now + 2s, why));
}

TEST(Prices, CostIsExactMicroDollarsRoundedOncePerRequest) {
  Prices prices{1'000'000, 500'000, 2'000'000, true};  // $1, $0.50 cached, $2 per million
  Usage usage;
  usage.input_tokens = 1'000;
  usage.cached_input_tokens = 400;
  usage.output_tokens = 250;
  // 600 × 1 + 400 × 0.5 + 250 × 2 = 1,300 micro-dollars.
  EXPECT_EQ(prices.cost(usage), 1'300);
  Usage tiny;
  tiny.input_tokens = 1;  // 1 micro-dollar per token at $1 per million
  const Prices cheapest{1, 1, 1, true};
  EXPECT_EQ(cheapest.cost(tiny), 0);  // 0.000001 micro-dollars rounds to 0
  const Prices half{500'000, 500'000, 0, true};
  EXPECT_EQ(half.cost(tiny), 1);  // 0.5 rounds half up
  Usage absurd;
  absurd.output_tokens = 1'000'000'000'000'000;
  const Prices dear{0, 0, 1'000'000'000'000, true};
  EXPECT_GT(dear.cost(absurd), 0);  // saturates, no overflow
}

}  // namespace
}  // namespace aic::ai
