// Prompt templates over real HTTP: create, versions, labels, render by label, version and the
// default rule; errors that name their field; another tenant's prompt is 404; writes need
// ai:manage. (The store itself is tested on SQLite and PostgreSQL in unit/ai.)
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "tenant_world.hpp"

namespace aic::test {
namespace {

constexpr std::string_view kSummary = R"({
  "name": "filing-summary",
  "description": "Summaries of filings",
  "messages": [
    {"role": "system", "content": "You summarise filings for {{audience}}."},
    {"role": "user", "content": "Summarise in {{words}} words:\n{{#sections}}\n## {{title}}\n{{body}}\n{{/sections}}"}
  ],
  "variables": [
    {"name": "audience", "type": "string", "default": "credit analysts"},
    {"name": "words", "type": "integer", "description": "target length"},
    {"name": "sections", "type": "array"}
  ],
  "model": "gpt-test"
})";

struct Prompts {
  World world;

  std::optional<RawResponse> call(const std::string& method, const std::string& target,
                                  const std::string& body = "",
                                  const std::string* token = nullptr) {
    return world.call(method, target, token ? *token : world.owner_a, body);
  }

  // POSTs a render and returns its answer.
  std::optional<RawResponse> render(const std::string& body,
                                    const std::string& name = "filing-summary") {
    return call("POST", "/v1/ai/prompts/" + name + "/render", body);
  }

  // The version a render with `selector` members picked.
  std::int64_t rendered_version(const std::string& selector) {
    std::string body = R"({"variables":{"words":50,"sections":[]})" +
                       (selector.empty() ? std::string() : "," + selector) + "}";
    auto response = render(body);
    EXPECT_TRUE(response);
    if (!response) return -1;
    EXPECT_EQ(response->status, 200) << response->body;
    return response->status == 200 ? body_of(*response)["version"].as_int64() : -1;
  }
};

void expect_problem(const std::optional<RawResponse>& response, int status,
                    const std::string& field = "") {
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, status) << response->body;
  EXPECT_EQ(response->header("Content-Type"), "application/problem+json") << response->body;
  if (!field.empty()) {
    EXPECT_EQ(problem_field(*response), field) << response->body;
  }
}

TEST(Prompts, VersionsLabelsAndRenderingFromCreationToDeletion) {
  Prompts prompts;
  auto created = prompts.call("POST", "/v1/ai/prompts", std::string(kSummary));
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 201) << created->body;
  EXPECT_EQ(created->header("Location"), "/v1/ai/prompts/filing-summary");
  json::object prompt = body_of(*created);
  EXPECT_TRUE(prompt["id"].as_string().starts_with("prm_"));
  EXPECT_EQ(prompt["description"], "Summaries of filings");
  EXPECT_EQ(prompt["latest_version"], 1);
  EXPECT_TRUE(prompt["labels"].as_array().empty());
  json::object first = prompt["latest"].as_object();
  EXPECT_EQ(first["version"], 1);
  EXPECT_EQ(first["model"], "gpt-test");
  EXPECT_EQ(first["description"], "");
  EXPECT_EQ(first["variables"].as_array()[0].as_object()["required"], false);
  EXPECT_EQ(first["variables"].as_array()[1].as_object()["required"], true);

  // Version 2: a different system message, no model.
  auto second = prompts.call("POST", "/v1/ai/prompts/filing-summary/versions", R"({
    "description": "shorter system prompt",
    "messages": [{"role": "system", "content": "Be brief. Audience: {{audience}}."},
                 {"role": "user", "content": "{{words}} words on {{#sections}}{{title}} {{/sections}}"}],
    "variables": [{"name": "audience", "type": "string", "default": "treasurers"},
                  {"name": "words", "type": "integer"},
                  {"name": "sections", "type": "array"}]})");
  ASSERT_TRUE(second);
  ASSERT_EQ(second->status, 201) << second->body;
  EXPECT_EQ(second->header("Location"), "/v1/ai/prompts/filing-summary/versions/2");
  EXPECT_EQ(body_of(*second)["version"], 2);
  EXPECT_TRUE(body_of(*second)["model"].is_null());

  auto versions = prompts.call("GET", "/v1/ai/prompts/filing-summary/versions?limit=1");
  ASSERT_TRUE(versions);
  ASSERT_EQ(versions->status, 200) << versions->body;
  auto page = body_of(*versions);
  ASSERT_EQ(page["data"].as_array().size(), 1u);
  EXPECT_EQ(page["data"].as_array()[0].as_object()["version"], 1);
  EXPECT_FALSE(page["data"].as_array()[0].as_object().contains("messages"));
  auto rest = prompts.call("GET", "/v1/ai/prompts/filing-summary/versions?limit=1&cursor=" +
                                      std::string(page["next_cursor"].as_string()));
  ASSERT_TRUE(rest);
  EXPECT_EQ(body_of(*rest)["data"].as_array()[0].as_object()["description"],
            "shorter system prompt");
  EXPECT_TRUE(body_of(*rest)["next_cursor"].is_null());
  auto one = prompts.call("GET", "/v1/ai/prompts/filing-summary/versions/1");
  ASSERT_TRUE(one);
  ASSERT_EQ(one->status, 200) << one->body;
  EXPECT_EQ(body_of(*one)["messages"].as_array().size(), 2u);

  // No "production" label yet: the newest version. Then the label decides.
  EXPECT_EQ(prompts.rendered_version(""), 2);
  auto labelled =
      prompts.call("PUT", "/v1/ai/prompts/filing-summary/labels/production", R"({"version":1})");
  ASSERT_TRUE(labelled);
  ASSERT_EQ(labelled->status, 200) << labelled->body;
  EXPECT_EQ(body_of(*labelled)["name"], "production");
  EXPECT_EQ(body_of(*labelled)["version"], 1);
  EXPECT_EQ(prompts.rendered_version(""), 1);
  EXPECT_EQ(prompts.rendered_version(R"("label":"production")"), 1);
  EXPECT_EQ(prompts.rendered_version(R"("label":"latest")"), 2);
  EXPECT_EQ(prompts.rendered_version(R"("version":2)"), 2);
  ASSERT_EQ(
      prompts.call("PUT", "/v1/ai/prompts/filing-summary/labels/production", R"({"version":2})")
          ->status,
      200);
  EXPECT_EQ(prompts.rendered_version(""), 2);

  // The rendered text: defaults applied, sections over the array, nothing HTML-escaped.
  auto rendered = prompts.render(R"({"version":1,"variables":{"words":80,
      "sections":[{"title":"Risk","body":"FX <hedged> & rates"},{"title":"Outlook","body":"\"stable\""}]}})");
  ASSERT_TRUE(rendered);
  ASSERT_EQ(rendered->status, 200) << rendered->body;
  json::object out = body_of(*rendered);
  EXPECT_EQ(out["name"], "filing-summary");
  EXPECT_EQ(out["version"], 1);
  EXPECT_EQ(out["model"], "gpt-test");
  json::array messages = out["messages"].as_array();
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0].as_object()["role"], "system");
  EXPECT_EQ(messages[0].as_object()["content"], "You summarise filings for credit analysts.");
  EXPECT_EQ(messages[1].as_object()["content"],
            "Summarise in 80 words:\n## Risk\nFX <hedged> & rates\n## Outlook\n\"stable\"\n");

  auto read = prompts.call("GET", "/v1/ai/prompts/filing-summary");
  ASSERT_TRUE(read);
  ASSERT_EQ(read->status, 200) << read->body;
  json::object detail = body_of(*read);
  EXPECT_EQ(detail["latest_version"], 2);
  ASSERT_EQ(detail["labels"].as_array().size(), 1u);
  EXPECT_EQ(detail["labels"].as_array()[0].as_object()["version"], 2);
  EXPECT_EQ(detail["latest"].as_object()["labels"].as_array()[0], "production");
  auto listed = prompts.call("GET", "/v1/ai/prompts");
  ASSERT_TRUE(listed);
  ASSERT_EQ(body_of(*listed)["data"].as_array().size(), 1u);
  EXPECT_FALSE(body_of(*listed)["data"].as_array()[0].as_object().contains("latest"));

  // Deleting the label, then the prompt.
  EXPECT_EQ(prompts.call("DELETE", "/v1/ai/prompts/filing-summary/labels/production")->status, 204);
  expect_problem(prompts.call("DELETE", "/v1/ai/prompts/filing-summary/labels/production"), 404);
  EXPECT_EQ(prompts.call("DELETE", "/v1/ai/prompts/filing-summary")->status, 204);
  expect_problem(prompts.call("GET", "/v1/ai/prompts/filing-summary"), 404);

  // Every change is in the tenant's audit log.
  auto audit = prompts.call("GET", "/v1/audit-events?action=ai_prompt.*&limit=20");
  ASSERT_TRUE(audit);
  ASSERT_EQ(audit->status, 200) << audit->body;
  std::vector<std::string> actions;
  json::object events = body_of(*audit);
  for (const auto& event : events["data"].as_array()) {
    actions.emplace_back(event.as_object().at("action").as_string());
  }
  EXPECT_EQ(actions, (std::vector<std::string>{"ai_prompt.deleted", "ai_prompt.label_deleted",
                                               "ai_prompt.label_set", "ai_prompt.label_set",
                                               "ai_prompt.version_created", "ai_prompt.created"}));
}

TEST(Prompts, ErrorsNameTheirField) {
  Prompts prompts;
  ASSERT_EQ(prompts.call("POST", "/v1/ai/prompts", std::string(kSummary))->status, 201);

  auto with = [](std::string_view member) {
    std::string body(kSummary);
    body.insert(body.find('{') + 1, std::string(member) + ",");
    return body;
  };
  expect_problem(prompts.call("POST", "/v1/ai/prompts", with(R"("colour":"blue")")), 400,
                 "/colour");
  expect_problem(prompts.call("POST", "/v1/ai/prompts", with(R"("id":"prm_mine")")), 400, "/id");
  expect_problem(prompts.call("POST", "/v1/ai/prompts", with(R"("version":3)")), 400, "/version");
  expect_problem(prompts.call("POST", "/v1/ai/prompts", std::string(kSummary)), 409, "/name");
  expect_problem(prompts.call("POST", "/v1/ai/prompts",
                              R"({"name":"Bad Name","messages":[{"role":"user","content":"x"}]})"),
                 400, "/name");

  // A template error: the message's pointer, with line and column of the tag.
  auto broken = prompts.call("POST", "/v1/ai/prompts",
                             R"({"name":"broken","messages":[{"role":"user","content":"ok"},
          {"role":"user","content":"line one\n{{#rows}} never closed"}],
          "variables":[{"name":"rows","type":"array"}]})");
  expect_problem(broken, 400, "/messages/1/content");
  json::object problem = body_of(*broken);
  EXPECT_EQ(problem["line"], 2);
  EXPECT_EQ(problem["column"], 1);
  EXPECT_NE(std::string(problem["detail"].as_string()).find("Unclosed section"), std::string::npos);
  expect_problem(prompts.call("POST", "/v1/ai/prompts",
                              R"({"name":"x","messages":[{"role":"user","content":"{{who}}"}]})"),
                 400, "/messages/0/content");
  expect_problem(
      prompts.call("POST", "/v1/ai/prompts",
                   R"({"name":"x","messages":[{"role":"user","content":"{{> part}}"}]})"),
      400, "/messages/0/content");
  expect_problem(
      prompts.call(
          "POST", "/v1/ai/prompts/filing-summary/versions",
          R"({"messages":[{"role":"user","content":"x"}],"variables":[{"name":"n","type":"integer","default":"1"}]})"),
      400, "/variables/0/default");
  expect_problem(prompts.call("POST", "/v1/ai/prompts/filing-summary/versions",
                              R"({"messages":[{"role":"user","content":"x"}],"version":9})"),
                 400, "/version");

  // Render: unknown, missing and mistyped variables; label and version together.
  expect_problem(prompts.render(R"({"variables":{"words":5,"sections":[],"wrods":1}})"), 400,
                 "/variables/wrods");
  expect_problem(prompts.render(R"({"variables":{"sections":[]}})"), 400, "/variables/words");
  auto mistyped = prompts.render(R"({"variables":{"words":"five","sections":[]}})");
  expect_problem(mistyped, 400, "/variables/words");
  EXPECT_EQ(body_of(*mistyped)["detail"], "must be an integer");
  expect_problem(prompts.render(R"({"variables":{"words":5.5,"sections":[]}})"), 400,
                 "/variables/words");
  expect_problem(prompts.render(R"({"variables":[1]})"), 400, "/variables");
  expect_problem(prompts.render(R"({"label":"production","version":1,"variables":{}})"), 400,
                 "/version");
  expect_problem(prompts.render(R"({"label":"canary","variables":{"words":1,"sections":[]}})"),
                 404);
  expect_problem(prompts.render(R"({"version":7,"variables":{"words":1,"sections":[]}})"), 404);
  expect_problem(prompts.render(R"({"variables":{},"temperature":1})"), 400, "/temperature");

  // Labels.
  expect_problem(
      prompts.call("PUT", "/v1/ai/prompts/filing-summary/labels/latest", R"({"version":1})"), 400,
      "label");
  expect_problem(
      prompts.call("PUT", "/v1/ai/prompts/filing-summary/labels/Prod", R"({"version":1})"), 400,
      "label");
  expect_problem(
      prompts.call("PUT", "/v1/ai/prompts/filing-summary/labels/production", R"({"version":4})"),
      400, "/version");
  expect_problem(prompts.call("PUT", "/v1/ai/prompts/filing-summary/labels/production", "{}"), 400,
                 "/version");
  expect_problem(
      prompts.call("PUT", "/v1/ai/prompts/filing-summary/labels/production", R"({"version":"1"})"),
      400, "/version");

  // Versions that cannot exist.
  expect_problem(prompts.call("GET", "/v1/ai/prompts/filing-summary/versions/abc"), 404);
  expect_problem(prompts.call("GET", "/v1/ai/prompts/filing-summary/versions/0"), 404);
  expect_problem(prompts.call("GET", "/v1/ai/prompts/filing-summary/versions/99"), 404);
  expect_problem(prompts.call("GET", "/v1/ai/prompts/filing-summary/versions?cursor=bm9wZQ"), 400,
                 "cursor");
}

TEST(Prompts, AnotherTenantsPromptIsNotFoundWhateverTheRequest) {
  Prompts prompts;
  ASSERT_EQ(prompts.call("POST", "/v1/ai/prompts", std::string(kSummary))->status, 201);
  ASSERT_EQ(
      prompts.call("PUT", "/v1/ai/prompts/filing-summary/labels/production", R"({"version":1})")
          ->status,
      200);
  const std::string& b = prompts.world.owner_b;
  const std::string base = "/v1/ai/prompts/filing-summary";
  for (auto [method, target, body] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"GET", base, ""},
           {"DELETE", base, ""},
           {"GET", base + "/versions", ""},
           {"GET", base + "/versions?limit=0", ""},
           {"GET", base + "/versions/1", ""},
           {"GET", base + "/versions/abc", ""},
           {"POST", base + "/versions", R"({"messages":[{"role":"user","content":"x"}]})"},
           {"POST", base + "/versions", R"({"nonsense":1})"},
           {"PUT", base + "/labels/production", R"({"version":1})"},
           {"PUT", base + "/labels/latest", ""},
           {"DELETE", base + "/labels/production", ""},
           {"POST", base + "/render", R"({"variables":{"words":1,"sections":[]}})"},
           {"POST", base + "/render", R"({"variables":"wrong"})"}}) {
    auto response = prompts.call(method, target, body, &b);
    SCOPED_TRACE(method + " " + target);
    expect_problem(response, 404);
    EXPECT_EQ(response->body.find("Summaries of filings"), std::string::npos);
  }
  auto listed = prompts.call("GET", "/v1/ai/prompts", "", &b);
  ASSERT_TRUE(listed);
  EXPECT_TRUE(body_of(*listed)["data"].as_array().empty());
  // B's names are its own: the same name is free in B, and A's prompt is untouched.
  ASSERT_EQ(prompts.call("POST", "/v1/ai/prompts", std::string(kSummary), &b)->status, 201);
  EXPECT_EQ(prompts.rendered_version(""), 1);
}

TEST(Prompts, WritesNeedAiManageAndReadsAiInvoke) {
  Prompts prompts;
  ASSERT_EQ(prompts.call("POST", "/v1/ai/prompts", std::string(kSummary))->status, 201);
  auto [analyst_id, analyst] = prompts.world.create_key(prompts.world.owner_a, "analyst");
  auto [viewer_id, viewer] = prompts.world.create_key(prompts.world.owner_a, "viewer");
  const std::string base = "/v1/ai/prompts/filing-summary";
  const std::string render_body = R"({"variables":{"words":1,"sections":[]}})";

  // An analyst invokes: reads and renders, but changes nothing.
  EXPECT_EQ(prompts.call("GET", "/v1/ai/prompts", "", &analyst)->status, 200);
  EXPECT_EQ(prompts.call("GET", base, "", &analyst)->status, 200);
  EXPECT_EQ(prompts.call("GET", base + "/versions/1", "", &analyst)->status, 200);
  EXPECT_EQ(prompts.call("POST", base + "/render", render_body, &analyst)->status, 200);
  for (auto [method, target, body] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"POST", "/v1/ai/prompts", std::string(kSummary)},
           {"POST", base + "/versions", R"({"messages":[{"role":"user","content":"x"}]})"},
           {"PUT", base + "/labels/production", R"({"version":1})"},
           {"DELETE", base + "/labels/production", ""},
           {"DELETE", base, ""}}) {
    SCOPED_TRACE(method + " " + target);
    expect_problem(prompts.call(method, target, body, &analyst), 403);
    expect_problem(prompts.call(method, target, body, &viewer), 403);
  }
  // A viewer does not use the AI gateway at all.
  expect_problem(prompts.call("GET", base, "", &viewer), 403);
  expect_problem(prompts.call("POST", base + "/render", render_body, &viewer), 403);
  // The platform operator has no tenant, so no prompts.
  expect_problem(prompts.call("GET", "/v1/ai/prompts", "", &prompts.world.operator_key), 403);
  EXPECT_EQ(prompts.call("GET", base)->status, 200);
}

TEST(Prompts, CreationIsIdempotentWithAKey) {
  Prompts prompts;
  Headers headers = bearer(prompts.world.owner_a, true);
  headers.emplace_back("Idempotency-Key", "create-filing-summary-1");
  auto first =
      http_request(prompts.world.server.port(), "POST", "/v1/ai/prompts", kSummary, headers);
  auto again =
      http_request(prompts.world.server.port(), "POST", "/v1/ai/prompts", kSummary, headers);
  ASSERT_TRUE(first && again);
  ASSERT_EQ(first->status, 201) << first->body;
  EXPECT_EQ(again->status, 201) << again->body;
  EXPECT_EQ(again->header("Idempotent-Replayed"), "true");
  EXPECT_EQ(body_of(*again)["id"], body_of(*first)["id"]);
  // Without the key the same request conflicts: the prompt exists.
  expect_problem(prompts.call("POST", "/v1/ai/prompts", std::string(kSummary)), 409);
}

}  // namespace
}  // namespace aic::test
