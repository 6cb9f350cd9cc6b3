// Evaluations' pure parts: JSON Lines datasets (errors name the line), every grader with its
// edge cases (regex patterns that would backtrack catastrophically, numbers that are not
// finite, JSON pointers that are missing), the judge's prompt and reply, percentiles, run
// summaries and the leaderboard.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>

#include "ai/evals/dataset.hpp"
#include "ai/evals/graders.hpp"
#include "ai/evals/summary.hpp"
#include "ai/formats/openai_format.hpp"

namespace aic::ai::evals {
namespace {

namespace json = boost::json;

Grader grader_of(std::string_view text) {
  auto parsed = parse_grader(json::parse(text));
  EXPECT_TRUE(parsed) << text << ": " << (parsed ? "" : parsed.error().message);
  return parsed ? *parsed : Grader{};
}

DatasetItem item_expecting(std::string_view expected_json) {
  DatasetItem item;
  item.line = 1;
  item.messages = R"([{"role":"user","content":"question"}])";
  item.expected = json::parse(expected_json);
  return item;
}

Grade grade(std::string_view grader, std::string_view expected_json, std::string_view answer) {
  auto compiled = CompiledGrader::compile(grader_of(grader));
  EXPECT_TRUE(compiled);
  DatasetItem item = item_expecting(expected_json);
  EXPECT_TRUE(check_item(compiled->grader(), item)) << expected_json;
  return compiled->grade(item, answer);
}

core::Error dataset_error(std::string_view jsonl) {
  auto parsed = parse_dataset(jsonl);
  EXPECT_FALSE(parsed) << jsonl;
  return parsed ? core::Error{} : parsed.error();
}

// ---- datasets --------------------------------------------------------------------------

TEST(Dataset, ReadsMessagesAndInputLinesSkippingBlankOnes) {
  auto items = parse_dataset(
      "{\"id\":\"q1\",\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},"
      "{\"role\":\"user\",\"content\":\"2+2?\"}],\"expected\":\"4\"}\r\n"
      "\n"
      "   \n"
      "{\"id\":7,\"input\":\"Classify: great\",\"expected\":{\"label\":\"positive\"},"
      "\"metadata\":{\"source\":\"survey\"}}\n"
      "{\"input\":\"no expectation\"}");
  ASSERT_TRUE(items) << items.error().message;
  ASSERT_EQ(items->size(), 3u);
  EXPECT_EQ((*items)[0].line, 1);
  EXPECT_EQ((*items)[0].id, "q1");
  EXPECT_EQ((*items)[0].expected, json::value("4"));
  EXPECT_EQ((*items)[1].line, 4);
  EXPECT_EQ((*items)[1].id, "7");
  EXPECT_EQ(json::parse((*items)[1].messages),
            json::parse(R"([{"role":"user","content":"Classify: great"}])"));
  EXPECT_EQ((*items)[1].metadata->at("source"), "survey");
  EXPECT_EQ((*items)[2].line, 5);
  EXPECT_FALSE((*items)[2].expected);
  EXPECT_EQ(transcript((*items)[0].messages), "system: Be brief.\nuser: 2+2?");
}

TEST(Dataset, ATemplateDatasetHasVariablesOnEveryLineAndNothingElse) {
  auto items = parse_dataset(
      "{\"variables\":{\"who\":\"Ada\",\"n\":2},\"expected\":\"x\"}\n"
      "{\"id\":\"b\",\"variables\":{}}",
      "/dataset", true);
  ASSERT_TRUE(items) << items.error().message;
  ASSERT_EQ(items->size(), 2u);
  EXPECT_EQ((*items)[0].variables->at("who"), "Ada");
  EXPECT_TRUE((*items)[0].messages.empty());  // rendered when a run starts
  EXPECT_TRUE((*items)[1].variables->empty());

  auto with_input = parse_dataset(R"({"input":"x","variables":{}})", "/dataset", true);
  ASSERT_FALSE(with_input);
  EXPECT_NE(with_input.error().message.find("needs `variables`"), std::string::npos);
  auto not_object = parse_dataset(R"({"variables":[1]})", "/dataset", true);
  ASSERT_FALSE(not_object);
  EXPECT_NE(not_object.error().message.find("must be an object"), std::string::npos);
  auto untemplated = dataset_error(R"({"variables":{"who":"Ada"}})");
  EXPECT_NE(untemplated.message.find("parameters.aic_prompt"), std::string::npos);
  EXPECT_EQ(untemplated.line, 1);
}

TEST(Dataset, TheTemplateIsAParameterThatIsNeverSent) {
  json::object parameters{{"temperature", 0},
                          {"aic_prompt", json::object{{"name", "greet"}, {"label", "beta"}}}};
  EXPECT_TRUE(check_parameters(parameters));
  auto reference = prompt_reference(parameters);
  ASSERT_TRUE(reference);
  EXPECT_EQ(reference->name, "greet");
  EXPECT_EQ(reference->label, "beta");
  EXPECT_FALSE(reference->version);
  auto body = json::parse(item_request_body("m", R"([{"role":"user","content":"x"}])", parameters));
  EXPECT_FALSE(body.as_object().contains("aic_prompt"));
  EXPECT_EQ(body.at("temperature"), 0);
  EXPECT_FALSE(prompt_reference(json::object{{"temperature", 0}}));

  auto field_of = [](const char* prompt) {
    auto checked = check_parameters(json::object{{"aic_prompt", json::parse(prompt)}});
    return checked ? std::string() : checked.error().field;
  };
  EXPECT_EQ(field_of(R"({"label":"x"})"), "/parameters/aic_prompt/name");
  EXPECT_EQ(field_of(R"({"name":"g","label":"x","version":2})"), "/parameters/aic_prompt/version");
  EXPECT_EQ(field_of(R"({"name":"g","version":0})"), "/parameters/aic_prompt/version");
  EXPECT_EQ(field_of(R"({"name":"g","variables":{}})"), "/parameters/aic_prompt/variables");
  EXPECT_EQ(field_of(R"("g")"), "/parameters/aic_prompt");
}

TEST(Dataset, ErrorsNameTheLineAndTheMember) {
  const std::string good = R"({"input":"x","expected":"y"})";
  struct Case {
    std::string third_line;
    std::string says;
  };
  for (const Case& bad : std::vector<Case>{
           {"{\"input\": \"x\"", "not valid JSON"},
           {"[1, 2]", "must be a JSON object"},
           {R"({"input":"x","answer":"y"})", "`answer` is not a member"},
           {R"({"expected":"y"})", "exactly one of `messages` and `input`"},
           {R"({"input":"x","messages":[{"role":"user","content":"x"}]})", "exactly one"},
           {R"({"input":""})", "`input` must be a non-empty string"},
           {R"({"messages":[]})", "non-empty array"},
           {R"({"messages":[{"role":"wizard","content":"x"}]})", "messages[0].role"},
           {R"({"input":"x","id":1.5})", "`id` must be a string or an integer"},
           {R"({"input":"x","metadata":[1]})", "`metadata` must be an object"},
           {R"({"variables":{"a":1}})", "`variables` needs a prompt template"},
       }) {
    core::Error error = dataset_error(good + "\n" + good + "\n" + bad.third_line + "\n" + good);
    EXPECT_EQ(error.code, core::ErrorCode::kInvalidArgument) << bad.third_line;
    EXPECT_EQ(error.field, "/dataset") << bad.third_line;
    EXPECT_EQ(error.line, 3) << bad.third_line;
    EXPECT_NE(error.message.find("line 3: "), std::string::npos) << error.message;
    EXPECT_NE(error.message.find(bad.says), std::string::npos) << error.message;
  }
}

TEST(Dataset, RepeatedIdsEmptyDatasetsAndTheLimits) {
  core::Error repeated = dataset_error(R"({"id":"a","input":"x"})"
                                       "\n"
                                       R"({"id":"b","input":"x"})"
                                       "\n"
                                       R"({"id":"a","input":"x"})");
  EXPECT_EQ(repeated.line, 3);
  EXPECT_NE(repeated.message.find("used on line 1"), std::string::npos) << repeated.message;

  core::Error empty = dataset_error("\n  \n");
  EXPECT_FALSE(empty.line);
  EXPECT_NE(empty.message.find("no items"), std::string::npos);

  std::string many;
  for (std::size_t i = 0; i <= kMaxDatasetItems; ++i)
    many += R"({"input":"x"})"
            "\n";
  core::Error too_many = dataset_error(many);
  EXPECT_EQ(too_many.line, static_cast<std::int64_t>(kMaxDatasetItems) + 1);

  std::string big(kMaxDatasetBytes + 1, ' ');
  core::Error too_big = dataset_error(big);
  EXPECT_NE(too_big.message.find("at most"), std::string::npos);
  EXPECT_EQ(too_big.field, "/dataset");
}

TEST(Dataset, ParametersAreCheckedLikeAChatRequest) {
  EXPECT_TRUE(check_parameters(json::parse(R"({"temperature":0,"max_tokens":5,"seed":1,
      "response_format":{"type":"json_object"},"stop":["\n"]})")
                                   .as_object()));
  auto unknown = check_parameters(json::parse(R"({"tools":[]})").as_object());
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().field, "/parameters/tools");
  auto mistyped = check_parameters(json::parse(R"({"temperature":"hot"})").as_object());
  ASSERT_FALSE(mistyped);
  EXPECT_EQ(mistyped.error().field, "/parameters/temperature");
  auto nested = check_parameters(json::parse(R"({"response_format":{"type":"yaml"}})").as_object());
  ASSERT_FALSE(nested);
  EXPECT_EQ(nested.error().field.rfind("/parameters/response_format", 0), 0u)
      << nested.error().field;

  auto request = parse_chat_request(
      item_request_body("gpt-test", R"([{"role":"user","content":"hi"}])",
                        json::parse(R"({"temperature":0.5,"max_tokens":9})").as_object()));
  ASSERT_TRUE(request) << request.error().message;
  EXPECT_EQ(request->model, "gpt-test");
  EXPECT_EQ(request->temperature, 0.5);
  EXPECT_EQ(request->max_tokens, 9);
  ASSERT_EQ(request->messages.size(), 1u);
  EXPECT_EQ(request->messages[0].text(), "hi");
}

// ---- graders ---------------------------------------------------------------------------

TEST(Graders, ParsingRefusesWhatAKindDoesNotRead) {
  struct Case {
    std::string grader;
    std::string field;
  };
  for (const Case& bad : std::vector<Case>{
           {R"("exact")", "/grader"},
           {R"({})", "/grader/kind"},
           {R"({"kind":"fuzzy"})", "/grader/kind"},
           {R"({"kind":"exact","pattern":"x"})", "/grader/pattern"},
           {R"({"kind":"exact","threshold":1.5})", "/grader/threshold"},
           {R"({"kind":"exact","ignore_case":"yes"})", "/grader/ignore_case"},
           {R"({"kind":"regex","pattern":"("})", "/grader/pattern"},
           {R"({"kind":"regex","pattern":""})", "/grader/pattern"},
           {R"({"kind":"json_field_equals","pointer":"answer"})", "/grader/pointer"},
           {R"({"kind":"json_field_equals","pointer":"/a~2"})", "/grader/pointer"},
           {R"({"kind":"numeric_tolerance","absolute":-1})", "/grader/absolute"},
           {R"({"kind":"label_match"})", "/grader/labels"},
           {R"({"kind":"label_match","labels":["Yes","yes"]})", "/grader/labels/1"},
           {R"({"kind":"label_match","labels":["  "]})", "/grader/labels/0"},
           {R"({"kind":"llm_judge","model":"gpt-test"})", "/grader/rubric"},
           {R"({"kind":"llm_judge","rubric":"be right"})", "/grader/model"},
       }) {
    auto parsed = parse_grader(json::parse(bad.grader));
    ASSERT_FALSE(parsed) << bad.grader;
    EXPECT_EQ(parsed.error().field, bad.field) << bad.grader << ": " << parsed.error().message;
  }
  Grader judge = grader_of(R"({"kind":"llm_judge","model":"gpt-test","rubric":"right"})");
  EXPECT_EQ(judge.threshold, 0.5);
  // Spelled out with its defaults, and read back the same.
  json::object written = to_json(grader_of(R"({"kind":"exact"})"));
  EXPECT_EQ(written, json::parse(R"({"kind":"exact","threshold":1.0,"trim":true,
      "collapse_whitespace":false,"ignore_case":false})"));
  EXPECT_EQ(to_json(grader_of(json::serialize(written))), written);
}

TEST(Graders, ExactTrimsByDefaultAndFoldsCaseOrWhitespaceWhenAsked) {
  EXPECT_EQ(grade(R"({"kind":"exact"})", R"("Paris")", "  Paris\n").score, 1);
  Grade wrong = grade(R"({"kind":"exact"})", R"("Paris")", "paris");
  EXPECT_EQ(wrong.score, 0);
  EXPECT_FALSE(wrong.passed);
  EXPECT_NE(wrong.reason.find("\"Paris\""), std::string::npos) << wrong.reason;
  EXPECT_TRUE(grade(R"({"kind":"exact","ignore_case":true})", R"("Paris")", "PARIS").passed);
  EXPECT_FALSE(grade(R"({"kind":"exact","trim":false})", R"("Paris")", "Paris\n").passed);
  EXPECT_TRUE(grade(R"({"kind":"exact","collapse_whitespace":true})", R"("New York City")",
                    " New \t York\n\nCity ")
                  .passed);
  EXPECT_FALSE(grade(R"({"kind":"exact"})", R"("New York")", "New  York").passed);
}

TEST(Graders, ContainsScoresTheFractionFound) {
  EXPECT_TRUE(grade(R"({"kind":"contains"})", R"("mock reply")", "mock reply: hi").passed);
  Grade partial =
      grade(R"({"kind":"contains"})", R"(["alpha","beta","gamma"])", "alpha and gamma only");
  EXPECT_NEAR(partial.score, 2.0 / 3.0, 1e-9);
  EXPECT_FALSE(partial.passed);
  EXPECT_NE(partial.reason.find("\"beta\""), std::string::npos) << partial.reason;
  EXPECT_TRUE(grade(R"({"kind":"contains","threshold":0.5})", R"(["alpha","beta","gamma"])",
                    "alpha and gamma only")
                  .passed);
  EXPECT_TRUE(grade(R"({"kind":"contains","ignore_case":true})", R"("MOCK")", "mock").passed);
  EXPECT_FALSE(grade(R"({"kind":"contains"})", R"("MOCK")", "mock").passed);
  Grader contains = grader_of(R"({"kind":"contains"})");
  EXPECT_FALSE(check_item(contains, item_expecting("[]")));
  EXPECT_FALSE(check_item(contains, item_expecting(R"(["a", 1])")));
  EXPECT_FALSE(check_item(contains, item_expecting(R"("")")));
}

TEST(Graders, RegexFromTheGraderOrEachItem) {
  EXPECT_TRUE(grade(R"({"kind":"regex","pattern":"\\b4\\d\\b"})", "null", "it is 42.").passed);
  EXPECT_FALSE(grade(R"({"kind":"regex","pattern":"^4"})", "null", "it is 42.").passed);
  EXPECT_FALSE(
      grade(R"({"kind":"regex","pattern":"4\\d","full_match":true})", "null", "it is 42").passed);
  EXPECT_TRUE(grade(R"({"kind":"regex","pattern":"4\\d","full_match":true})", "null", "42").passed);
  EXPECT_TRUE(
      grade(R"({"kind":"regex","pattern":"yes","ignore_case":true})", "null", "YES").passed);
  // Without a pattern, each item's `expected` is one.
  EXPECT_TRUE(grade(R"({"kind":"regex"})", R"("^mock reply: .*2")", "mock reply: 2+2").passed);
  Grader per_item = grader_of(R"({"kind":"regex"})");
  DatasetItem broken = item_expecting(R"("([a-z")");
  broken.line = 17;
  auto refused = check_item(per_item, broken);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().line, 17);
  EXPECT_EQ(refused.error().field, "/dataset");
  EXPECT_FALSE(check_item(per_item, item_expecting("42")));
}

TEST(Graders, RegexPatternsCannotBacktrackCatastrophically) {
  // Back-references need backtracking: refused.
  auto backref = parse_grader(json::parse(R"({"kind":"regex","pattern":"(a)\\1"})"));
  ASSERT_FALSE(backref);
  EXPECT_NE(backref.error().message.find("back-references"), std::string::npos);
  // Counted repetitions multiply: refused before they are compiled.
  EXPECT_GT(regex_states("((a{100}){100}){100}"), kMaxRegexStates);
  auto huge = parse_grader(json::parse(R"({"kind":"regex","pattern":"((a{100}){100}){100}"})"));
  ASSERT_FALSE(huge);
  EXPECT_NE(huge.error().message.find("states"), std::string::npos) << huge.error().message;
  EXPECT_FALSE(parse_grader(json::parse(R"({"kind":"regex","pattern":")" +
                                        std::string(kMaxRegexBytes + 1, 'a') + "\"}")));
  EXPECT_LT(regex_states("[a-z]+@[a-z]+\\.(com|org){1,3}"), 100u);
  // The classic exponential case for a backtracking matcher finishes at once here.
  auto started = std::chrono::steady_clock::now();
  Grade grade_of_evil =
      grade(R"({"kind":"regex","pattern":"^(a+)+$"})", "null", std::string(30'000, 'a') + "b");
  EXPECT_FALSE(grade_of_evil.passed);
  Grade nested = grade(R"({"kind":"regex","pattern":"(x+x+)+y"})", "null", std::string(5'000, 'x'));
  EXPECT_FALSE(nested.passed);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  // Only the first 64 KiB are searched.
  std::string long_answer(kMaxRegexInputBytes + 10, ' ');
  long_answer += "needle";
  EXPECT_FALSE(grade(R"({"kind":"regex","pattern":"needle"})", "null", long_answer).passed);
}

TEST(Graders, JsonFieldEqualsReadsJsonAnswersAndComparesByValue) {
  const std::string grader = R"({"kind":"json_field_equals","pointer":"/answer"})";
  EXPECT_TRUE(grade(grader, R"("mock")", R"({"answer":"mock"})").passed);
  EXPECT_TRUE(grade(grader, R"("mock")", "```json\n{\"answer\": \"mock\"}\n```").passed);
  EXPECT_TRUE(grade(grader, R"("mock")", "Here you are: {\"answer\": \"mock\"} — done").passed);
  EXPECT_TRUE(grade(grader, "1", R"({"answer": 1.0})").passed);
  EXPECT_TRUE(
      grade(grader, R"({"b":[1,2],"a":null})", R"({"answer":{"a":null,"b":[1,2.0]}})").passed);
  EXPECT_FALSE(grade(grader, R"({"b":[1,2]})", R"({"answer":{"b":[2,1]}})").passed);
  EXPECT_FALSE(grade(grader, "true", R"({"answer":"true"})").passed);
  Grade missing = grade(grader, R"("mock")", R"({"reply":"mock"})");
  EXPECT_EQ(missing.score, 0);
  EXPECT_NE(missing.reason.find("not in the answer"), std::string::npos) << missing.reason;
  Grade not_json = grade(grader, R"("mock")", "mock reply: hello");
  EXPECT_NE(not_json.reason.find("not JSON"), std::string::npos) << not_json.reason;
  EXPECT_TRUE(grade(R"({"kind":"json_field_equals"})", "[1,2]", "[1, 2]").passed);
  EXPECT_TRUE(
      grade(R"({"kind":"json_field_equals","pointer":"/a~1b/0"})", "3", R"({"a/b":[3]})").passed);
}

TEST(Graders, FirstNumberReadsCommonSpellingsAndRefusesNonFiniteOnes) {
  EXPECT_EQ(first_number("The answer is 42."), 42);
  EXPECT_EQ(first_number("about -3.5e2 units"), -350);
  EXPECT_EQ(first_number("revenue 1,234,567.8 EUR"), 1234567.8);
  EXPECT_EQ(first_number("1,23"), 1);
  EXPECT_EQ(first_number("1234,567"), 1234);
  EXPECT_EQ(first_number("ratio .5"), 0.5);
  EXPECT_EQ(first_number("\xE2\x88\x92"
                         "7 degrees"),
            -7);  // U+2212 minus
  EXPECT_EQ(first_number("x - 5"), 5);
  EXPECT_EQ(first_number("+8"), 8);
  EXPECT_EQ(first_number("1e"), 1);
  EXPECT_FALSE(first_number("NaN"));
  EXPECT_FALSE(first_number("inf or Infinity"));
  EXPECT_FALSE(first_number("1e999"));
  EXPECT_FALSE(first_number("no digits here"));
  EXPECT_FALSE(first_number(""));
}

TEST(Graders, NumericToleranceIsAbsoluteOrRelative) {
  EXPECT_TRUE(grade(R"({"kind":"numeric_tolerance"})", "42", "It is 42.").passed);
  EXPECT_FALSE(grade(R"({"kind":"numeric_tolerance"})", "42", "It is 42.01").passed);
  EXPECT_TRUE(grade(R"({"kind":"numeric_tolerance","absolute":0.05})", "42", "42.04").passed);
  EXPECT_FALSE(grade(R"({"kind":"numeric_tolerance","absolute":0.05})", "42", "42.1").passed);
  EXPECT_TRUE(grade(R"({"kind":"numeric_tolerance","relative":0.01})", "1000", "1,009").passed);
  EXPECT_FALSE(grade(R"({"kind":"numeric_tolerance","relative":0.01})", "1000", "1,011").passed);
  // Either tolerance passes.
  EXPECT_TRUE(
      grade(R"({"kind":"numeric_tolerance","absolute":0.5,"relative":0.001})", "0", "0.4").passed);
  Grade none = grade(R"({"kind":"numeric_tolerance","absolute":1})", "42", "NaN");
  EXPECT_EQ(none.score, 0);
  EXPECT_NE(none.reason.find("no finite number"), std::string::npos) << none.reason;
  EXPECT_FALSE(grade(R"({"kind":"numeric_tolerance","absolute":1e308})", "0", "1e999").passed);
  Grader numeric = grader_of(R"({"kind":"numeric_tolerance"})");
  EXPECT_FALSE(check_item(numeric, item_expecting(R"("42")")));
  EXPECT_FALSE(check_item(numeric, item_expecting(R"("NaN")")));
  DatasetItem no_expected = item_expecting("null");
  no_expected.expected.reset();
  EXPECT_FALSE(check_item(numeric, no_expected));
}

TEST(Graders, LabelMatchNormalisesTheAnswerToOneLabel) {
  const std::string grader = R"({"kind":"label_match","labels":["Positive","Negative","Neutral",
      "Very positive"]})";
  EXPECT_TRUE(grade(grader, R"("positive")", "  **Positive.** ").passed);
  EXPECT_TRUE(grade(grader, R"("Negative")", "The sentiment is negative, clearly").passed);
  EXPECT_TRUE(grade(grader, R"("Very positive")", "I'd say very positive!").passed);
  Grade wrong = grade(grader, R"("Positive")", "Neutral");
  EXPECT_FALSE(wrong.passed);
  EXPECT_NE(wrong.reason.find("answered \"Neutral\", expected \"Positive\""), std::string::npos)
      << wrong.reason;
  Grade several = grade(grader, R"("Positive")", "positive or negative");
  EXPECT_FALSE(several.passed);
  EXPECT_NE(several.reason.find("several labels"), std::string::npos) << several.reason;
  Grade none = grade(grader, R"("Positive")", "positively thrilled");
  EXPECT_NE(none.reason.find("none of the labels"), std::string::npos) << none.reason;
  DatasetItem unknown = item_expecting(R"("Mixed")");
  unknown.line = 4;
  auto refused = check_item(grader_of(grader), unknown);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().line, 4);
  EXPECT_NE(refused.error().message.find("not one of the grader's labels"), std::string::npos);
}

TEST(Graders, TheJudgeIsAskedWithMarkedBlocksAndItsReplyIsReadRobustly) {
  Grader judge = grader_of(R"({"kind":"llm_judge","model":"gpt-test","rubric":"Is it polite?"})");
  DatasetItem item = item_expecting(R"("Thank you kindly")");
  std::string messages = judge_messages(judge, item, "Thanks!");
  auto request = parse_chat_request(item_request_body("gpt-test", messages, {}));
  ASSERT_TRUE(request) << request.error().message;
  ASSERT_EQ(request->messages.size(), 2u);
  EXPECT_EQ(request->messages[0].role, Role::kSystem);
  EXPECT_NE(request->messages[0].text().find("\"score\""), std::string::npos);
  std::string user = request->messages[1].text();
  EXPECT_NE(user.find("<<<RUBRIC\nIs it polite?\nRUBRIC>>>"), std::string::npos) << user;
  EXPECT_NE(user.find("<<<INPUT\nuser: question\nINPUT>>>"), std::string::npos) << user;
  EXPECT_NE(user.find("<<<REFERENCE\nThank you kindly\nREFERENCE>>>"), std::string::npos);
  EXPECT_NE(user.find("<<<ANSWER\nThanks!\nANSWER>>>"), std::string::npos);
  item.expected.reset();
  EXPECT_EQ(judge_messages(judge, item, "x").find("REFERENCE"), std::string::npos);

  Grade plain = read_judge_reply(R"({"score": 0.8, "reason": "polite enough"})", 0.5);
  EXPECT_DOUBLE_EQ(plain.score, 0.8);
  EXPECT_TRUE(plain.passed);
  EXPECT_EQ(plain.reason, "judge: polite enough");
  EXPECT_DOUBLE_EQ(read_judge_reply("```json\n{\"score\": 1}\n```", 0.5).score, 1);
  Grade chatty = read_judge_reply(
      "Let me think {not json}. Final: {\"score\": 0.25, \"reason\": \"curt\"} Hope it helps.",
      0.5);
  EXPECT_DOUBLE_EQ(chatty.score, 0.25);
  EXPECT_FALSE(chatty.passed);
  for (std::string_view malformed :
       {R"({"score": 7})", R"({"score": "0.9"})", R"({"reason": "no score"})",
        "I cannot grade this.", R"({"score": -0.1})", ""}) {
    Grade zero = read_judge_reply(malformed, 0.5);
    EXPECT_EQ(zero.score, 0) << malformed;
    EXPECT_FALSE(zero.passed) << malformed;
    EXPECT_NE(zero.reason.find("the judge's reply is not"), std::string::npos) << zero.reason;
  }
}

// ---- summaries -------------------------------------------------------------------------

TEST(Summary, NearestRankPercentiles) {
  EXPECT_EQ(nearest_rank({}, 50), 0);
  EXPECT_EQ(nearest_rank({7}, 50), 7);
  EXPECT_EQ(nearest_rank({7}, 95), 7);
  EXPECT_EQ(nearest_rank({2, 1}, 50), 1);
  EXPECT_EQ(nearest_rank({2, 1}, 95), 2);
  std::vector<std::int64_t> ten = {10, 9, 8, 7, 6, 5, 4, 3, 2, 1};
  EXPECT_EQ(nearest_rank(ten, 50), 5);
  EXPECT_EQ(nearest_rank(ten, 95), 10);
  EXPECT_EQ(nearest_rank(ten, 100), 10);
  std::vector<std::int64_t> hundred;
  for (int i = 100; i >= 1; --i) hundred.push_back(i);
  EXPECT_EQ(nearest_rank(hundred, 95), 95);
  EXPECT_EQ(nearest_rank(hundred, 50), 50);
}

TEST(Summary, ErrorsScoreZeroAndHaveNoLatency) {
  std::vector<ItemOutcome> outcomes = {
      {.error = false,
       .score = 1,
       .passed = true,
       .latency_us = 100,
       .input_tokens = 3,
       .output_tokens = 4,
       .cost_microdollars = 10},
      {.error = false,
       .score = 0.5,
       .passed = false,
       .latency_us = 300,
       .input_tokens = 3,
       .output_tokens = 5,
       .cost_microdollars = 11,
       .judge_cost_microdollars = 2},
      {.error = true, .latency_us = 999'999},
  };
  ModelSummary summary = summarize("gpt-test", outcomes);
  EXPECT_EQ(summary.model, "gpt-test");
  EXPECT_EQ(summary.items, 3);
  EXPECT_EQ(summary.answered, 2);
  EXPECT_EQ(summary.passed, 1);
  EXPECT_EQ(summary.errors, 1);
  EXPECT_DOUBLE_EQ(summary.mean_score, 0.5);
  EXPECT_EQ(summary.latency_p50_us, 100);
  EXPECT_EQ(summary.latency_p95_us, 300);
  EXPECT_EQ(summary.input_tokens, 6);
  EXPECT_EQ(summary.output_tokens, 9);
  EXPECT_EQ(summary.cost_microdollars, 21);
  EXPECT_EQ(summary.judge_cost_microdollars, 2);
  ModelSummary empty = summarize("x", {});
  EXPECT_EQ(empty.items, 0);
  EXPECT_EQ(empty.mean_score, 0);
}

TEST(Summary, TheLeaderboardAveragesEvalsAndPoolsLatencies) {
  std::vector<LeaderboardEntry> entries = {
      {.eval_id = "e1",
       .model = "cheap",
       .finished_at = "2026-01-02T00:00:00.000Z",
       .mean_score = 0.6,
       .items = 4,
       .passed = 2,
       .cost_microdollars = 4,
       .latencies_us = {10, 20, 30, 40}},
      {.eval_id = "e2",
       .model = "cheap",
       .finished_at = "2026-01-03T00:00:00.000Z",
       .mean_score = 1.0,
       .items = 2,
       .passed = 2,
       .cost_microdollars = 3,
       .latencies_us = {50, 60}},
      {.eval_id = "e1",
       .model = "smart",
       .finished_at = "2026-01-01T00:00:00.000Z",
       .mean_score = 0.75,
       .items = 4,
       .passed = 3,
       .errors = 1,
       .cost_microdollars = 400,
       .latencies_us = {100, 200, 300}},
      {.eval_id = "e1",
       .model = "tied",
       .finished_at = "2026-01-01T00:00:00.000Z",
       .mean_score = 0.75,
       .items = 4,
       .passed = 3,
       .cost_microdollars = 4,
       .latencies_us = {1}},
  };
  std::vector<ModelScore> ranked = rank_models(entries);
  ASSERT_EQ(ranked.size(), 3u);
  EXPECT_EQ(ranked[0].model, "cheap");  // (0.6 + 1.0) / 2 per eval, not per item
  EXPECT_DOUBLE_EQ(ranked[0].score, 0.8);
  EXPECT_EQ(ranked[0].runs, 2);
  EXPECT_EQ(ranked[0].items, 6);
  EXPECT_DOUBLE_EQ(ranked[0].pass_rate, 4.0 / 6.0);
  EXPECT_EQ(ranked[0].cost_per_item_microdollars, 1);  // 7 / 6 rounds to 1
  EXPECT_EQ(ranked[0].latency_p50_us, 30);             // of {10 … 60}
  EXPECT_EQ(ranked[0].latency_p95_us, 60);
  EXPECT_EQ(ranked[0].last_run_at, "2026-01-03T00:00:00.000Z");
  // Same score and pass rate: the cheaper first.
  EXPECT_EQ(ranked[1].model, "tied");
  EXPECT_EQ(ranked[2].model, "smart");
  EXPECT_EQ(ranked[2].errors, 1);
  EXPECT_EQ(ranked[2].cost_per_item_microdollars, 100);
  EXPECT_TRUE(rank_models({}).empty());
}

TEST(Summary, Utf8PrefixNeverCutsACharacter) {
  EXPECT_EQ(utf8_prefix("abc", 10), "abc");
  EXPECT_EQ(utf8_prefix("abc", 2), "ab");
  EXPECT_EQ(utf8_prefix("a\xC3\xA9z", 2), "a");  // é is two bytes
  EXPECT_EQ(utf8_prefix("a\xC3\xA9z", 3), "a\xC3\xA9");
  EXPECT_EQ(utf8_prefix("\xE2\x82\xAC", 2), "");  // €
}

}  // namespace
}  // namespace aic::ai::evals
