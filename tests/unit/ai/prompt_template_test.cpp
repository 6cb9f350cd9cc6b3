// Prompt templates: what is refused when a version is saved, and what a render produces and
// refuses.
#include "ai/prompts/prompt_template.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace aic::ai {
namespace {

namespace json = boost::json;

json::object object_of(std::string_view text) { return json::parse(text).as_object(); }

// A template parsed from JSON text; fails the test when it is refused.
PromptTemplate parsed(std::string_view text) {
  auto prompt = parse_prompt_template(object_of(text));
  EXPECT_TRUE(prompt) << prompt.error().field << " " << prompt.error().message;
  return prompt ? *prompt : PromptTemplate{};
}

// The error a template is refused with.
core::Error refusal(std::string_view text) {
  auto prompt = parse_prompt_template(object_of(text));
  EXPECT_FALSE(prompt) << "accepted: " << text;
  return prompt ? core::Error{} : prompt.error();
}

std::string one_user_message(std::string_view content, std::string_view variables = "[]") {
  return R"({"messages":[{"role":"user","content":)" + json::serialize(json::value(content)) +
         R"(}],"variables":)" + std::string(variables) + "}";
}

std::string render_one(const PromptTemplate& prompt, std::string_view variables) {
  auto rendered = render_prompt(prompt, object_of(variables));
  EXPECT_TRUE(rendered) << rendered.error().field << " " << rendered.error().message;
  return rendered && !rendered->empty() ? rendered->front().content : std::string("<refused>");
}

core::Error render_refusal(const PromptTemplate& prompt, std::string_view variables) {
  auto rendered = render_prompt(prompt, object_of(variables));
  EXPECT_FALSE(rendered) << "rendered: " << variables;
  return rendered ? core::Error{} : rendered.error();
}

TEST(PromptTemplate, ParsesMessagesVariablesModelAndDescription) {
  PromptTemplate prompt = parsed(R"({
    "messages": [{"role": "system", "content": "You summarise filings for {{audience}}."},
                 {"role": "user", "content": "Summarise: {{text}}"}],
    "variables": [{"name": "text", "type": "string", "description": "the filing"},
                  {"name": "audience", "type": "string", "default": "analysts"}],
    "model": "gpt-4o-mini",
    "description": "first cut"})");
  ASSERT_EQ(prompt.messages.size(), 2u);
  EXPECT_EQ(prompt.messages[0].role, "system");
  ASSERT_EQ(prompt.variables.size(), 2u);
  EXPECT_TRUE(prompt.variables[0].required);
  EXPECT_FALSE(prompt.variables[1].required);  // a default makes it optional
  EXPECT_EQ(prompt.variables[1].default_value, json::value("analysts"));
  EXPECT_EQ(prompt.model, "gpt-4o-mini");
  EXPECT_EQ(prompt.description, "first cut");

  // What to_json() writes reads back the same, with every default spelled out.
  json::object written = to_json(prompt);
  EXPECT_EQ(written.at("variables").as_array()[0].as_object().at("required"), true);
  auto again = read_stored_prompt_template(json::serialize(written));
  ASSERT_TRUE(again);
  EXPECT_EQ(json::serialize(to_json(*again)), json::serialize(written));
}

TEST(PromptTemplate, CompileErrorsNameTheMessageWithLineAndColumn) {
  core::Error unclosed = refusal(R"({"messages":[
      {"role":"system","content":"fine"},
      {"role":"user","content":"line one\nline {{#items}} two"}],
    "variables":[{"name":"items","type":"array"}]})");
  EXPECT_EQ(unclosed.code, core::ErrorCode::kInvalidArgument);
  EXPECT_EQ(unclosed.field, "/messages/1/content");
  EXPECT_NE(unclosed.message.find("Unclosed section \"items\""), std::string::npos)
      << unclosed.message;
  EXPECT_EQ(unclosed.line, 2);
  EXPECT_EQ(unclosed.column, 6);

  core::Error tag = refusal(one_user_message("Hello {{name"));
  EXPECT_EQ(tag.field, "/messages/0/content");
  EXPECT_NE(tag.message.find("Unclosed tag"), std::string::npos) << tag.message;
  EXPECT_EQ(tag.line, 1);
  EXPECT_EQ(tag.column, 7);

  core::Error unopened = refusal(one_user_message("x {{/items}}"));
  EXPECT_NE(unopened.message.find("Unopened section"), std::string::npos) << unopened.message;
  // Columns count characters, not bytes.
  core::Error wide = refusal(one_user_message("Grüße {{x"));
  EXPECT_EQ(wide.column, 7);
}

TEST(PromptTemplate, PartialsAreRefused) {
  core::Error error = refusal(one_user_message("Intro {{> header}}"));
  EXPECT_EQ(error.field, "/messages/0/content");
  EXPECT_NE(error.message.find("partials"), std::string::npos) << error.message;
  EXPECT_EQ(error.column, 7);
}

TEST(PromptTemplate, EveryTopLevelNameMustBeDeclared) {
  core::Error error =
      refusal(one_user_message("Dear {{customer}},", R"([{"name":"amount","type":"number"}])"));
  EXPECT_EQ(error.field, "/messages/0/content");
  EXPECT_NE(error.message.find("`customer`"), std::string::npos) << error.message;
  EXPECT_NE(error.message.find("not a declared variable"), std::string::npos);

  // Sections, inverted sections, dotted names and triple braces are checked too.
  EXPECT_EQ(refusal(one_user_message("{{#flag}}x{{/flag}}")).field, "/messages/0/content");
  EXPECT_EQ(refusal(one_user_message("{{^flag}}x{{/flag}}")).field, "/messages/0/content");
  EXPECT_EQ(refusal(one_user_message("{{{raw}}}")).field, "/messages/0/content");
  EXPECT_EQ(refusal(one_user_message("{{& raw}}")).field, "/messages/0/content");
  EXPECT_NE(refusal(one_user_message("{{who.name}}")).message.find("`who`"), std::string::npos);
  // Inside a section over a boolean or a string, names are still the top level's.
  EXPECT_FALSE(parse_prompt_template(object_of(
      one_user_message("{{#flag}}{{other}}{{/flag}}", R"([{"name":"flag","type":"boolean"}])"))));
  // After a delimiter change the new delimiters are read.
  EXPECT_NE(refusal(one_user_message("{{=<% %>=}} <% missing %>")).message.find("`missing`"),
            std::string::npos);

  // Inside a section over an array or object a name may be a member of the item: not checked.
  parsed(one_user_message("{{#rows}}{{label}}: {{value}}\n{{/rows}}",
                          R"([{"name":"rows","type":"array"}])"));
  parsed(one_user_message("{{#client}}{{name}}{{/client}} {{client.name}}",
                          R"([{"name":"client","type":"object"}])"));
  parsed(one_user_message("{{! a comment naming {{nothing}} }}ok"));
}

TEST(PromptTemplate, NamesAreUsedTheWayTheirTypeAllows) {
  // Booleans, arrays and objects print nothing: they are sections.
  for (std::string_view type : {"boolean", "array", "object"}) {
    core::Error error = refusal(
        one_user_message("{{x}}", R"([{"name":"x","type":")" + std::string(type) + R"("}])"));
    EXPECT_NE(error.message.find("use it as a section"), std::string::npos) << error.message;
  }
  // Only an object has members.
  EXPECT_NE(refusal(one_user_message("{{x.y}}", R"([{"name":"x","type":"string"}])"))
                .message.find("only an object"),
            std::string::npos);
  EXPECT_NE(refusal(one_user_message("{{.}}")).message.find("outside"), std::string::npos);
  EXPECT_NE(refusal(one_user_message("{{}}")).message.find("empty tag"), std::string::npos);
  EXPECT_NE(refusal(one_user_message("{{a..b}}", R"([{"name":"a","type":"object"}])"))
                .message.find("not a variable name"),
            std::string::npos);
}

TEST(PromptTemplate, DeclarationsAreChecked) {
  auto field = [](std::string_view variables) {
    return refusal(one_user_message("plain", variables)).field;
  };
  EXPECT_EQ(field(R"([{"name":"Bad","type":"string"}])"), "/variables/0/name");
  EXPECT_EQ(field(R"([{"name":"9lives","type":"string"}])"), "/variables/0/name");
  EXPECT_EQ(field(R"([{"name":"a.b","type":"string"}])"), "/variables/0/name");
  EXPECT_EQ(field(R"([{"name":")" + std::string(65, 'a') + R"(","type":"string"}])"),
            "/variables/0/name");
  EXPECT_EQ(field(R"([{"name":"x","type":"string"},{"name":"x","type":"number"}])"),
            "/variables/1/name");
  EXPECT_EQ(field(R"([{"name":"x","type":"date"}])"), "/variables/0/type");
  EXPECT_EQ(field(R"([{"name":"x"}])"), "/variables/0/type");
  EXPECT_EQ(field(R"([{"type":"string"}])"), "/variables/0/name");
  EXPECT_EQ(field(R"([{"name":"x","type":"string","required":"yes"}])"), "/variables/0/required");
  EXPECT_EQ(field(R"([{"name":"x","type":"string","format":"email"}])"), "/variables/0/format");
  EXPECT_EQ(field(R"([{"name":"x","type":"string","required":true,"default":"a"}])"),
            "/variables/0/required");
  EXPECT_EQ(field(R"({"name":"x"})"), "/variables");
  EXPECT_EQ(field(R"(["x"])"), "/variables/0");

  // Defaults must have the variable's type.
  for (auto [type, bad] : std::vector<std::pair<std::string, std::string>>{{"string", "1"},
                                                                           {"number", "\"1\""},
                                                                           {"integer", "1.5"},
                                                                           {"integer", "1.0"},
                                                                           {"boolean", "0"},
                                                                           {"array", "{}"},
                                                                           {"object", "[]"},
                                                                           {"string", "null"}}) {
    core::Error error = refusal(one_user_message(
        "plain", R"([{"name":"x","type":")" + type + R"(","default":)" + bad + "}]"));
    EXPECT_EQ(error.field, "/variables/0/default") << type << " " << bad;
    EXPECT_NE(error.message.find(type), std::string::npos) << error.message;
  }
  parsed(one_user_message("plain", R"([{"name":"x","type":"number","default":3}])"));
  std::string big_default = "\"" + std::string(kMaxDefaultBytes, 'x') + "\"";
  EXPECT_EQ(field(R"([{"name":"x","type":"string","default":)" + big_default + "}]"),
            "/variables/0/default");
}

TEST(PromptTemplate, MessagesAndSizesAreChecked) {
  EXPECT_EQ(refusal(R"({"messages":[]})").field, "/messages");
  EXPECT_EQ(refusal(R"({"variables":[]})").field, "/messages");
  EXPECT_EQ(refusal(R"({"messages":"hi"})").field, "/messages");
  EXPECT_EQ(refusal(R"({"messages":[{"role":"tool","content":"x"}]})").field, "/messages/0/role");
  EXPECT_EQ(refusal(R"({"messages":[{"role":"user"}]})").field, "/messages/0/content");
  EXPECT_EQ(refusal(R"({"messages":[{"role":"user","content":""}]})").field, "/messages/0/content");
  EXPECT_EQ(refusal(R"({"messages":[{"role":"user","content":["x"]}]})").field,
            "/messages/0/content");
  EXPECT_EQ(refusal(R"({"messages":[{"role":"user","content":"x","name":"n"}]})").field,
            "/messages/0/name");
  EXPECT_EQ(refusal(R"({"messages":[{"role":"user","content":"a\u0000b"}]})").field,
            "/messages/0/content");
  EXPECT_EQ(refusal(R"({"messages":[{"role":"user","content":"x"}],"model":""})").field, "/model");
  EXPECT_EQ(refusal(R"({"messages":[{"role":"user","content":"x"}],"model":7})").field, "/model");
  EXPECT_EQ(refusal(R"({"messages":[{"role":"user","content":"x"}],"description":")" +
                    std::string(501, 'd') + "\"}")
                .field,
            "/description");

  // 100 messages at most, 64 KiB of template text per version.
  json::array many;
  for (int i = 0; i < 101; ++i) many.push_back(json::object{{"role", "user"}, {"content", "x"}});
  EXPECT_EQ(refusal(json::serialize(json::object{{"messages", many}})).field, "/messages");
  json::array large;
  for (int i = 0; i < 2; ++i) {
    large.push_back(json::object{{"role", "user"}, {"content", std::string(33 * 1024, 'x')}});
  }
  EXPECT_EQ(refusal(json::serialize(json::object{{"messages", large}})).field, "/messages");
  large.pop_back();
  parsed(json::serialize(json::object{{"messages", large}}));

  json::array variables;
  for (int i = 0; i < 101; ++i) {
    variables.push_back(json::object{{"name", "v" + std::to_string(i)}, {"type", "string"}});
  }
  EXPECT_EQ(refusal(json::serialize(json::object{
                        {"messages", json::array{json::object{{"role", "user"}, {"content", "x"}}}},
                        {"variables", variables}}))
                .field,
            "/variables");
}

TEST(PromptTemplate, RenderSubstitutesWithoutHtmlEscaping) {
  PromptTemplate prompt =
      parsed(one_user_message("Escaped {{text}}, triple {{{text}}}, ampersand {{& text}}",
                              R"([{"name":"text","type":"string"}])"));
  EXPECT_EQ(render_one(prompt, R"({"text":"<b>&\"'"})"),
            "Escaped <b>&\"', triple <b>&\"', ampersand <b>&\"'");
}

TEST(PromptTemplate, RenderChecksEachVariablesType) {
  PromptTemplate prompt =
      parsed(one_user_message("{{s}} {{n}} {{i}} {{#b}}yes{{/b}} {{#a}}{{.}}{{/a}} {{o.k}}",
                              R"([{"name":"s","type":"string"},{"name":"n","type":"number"},
          {"name":"i","type":"integer"},{"name":"b","type":"boolean"},
          {"name":"a","type":"array"},{"name":"o","type":"object"}])"));
  const std::string good = R"({"s":"x","n":1.5,"i":2,"b":true,"a":[1,2],"o":{"k":"v"}})";
  EXPECT_EQ(render_one(prompt, good), "x 1.5 2 yes 12 v");
  // A number accepts an integer; an integer refuses a fraction (even .0).
  EXPECT_EQ(render_one(prompt, R"({"s":"x","n":7,"i":2,"b":false,"a":[],"o":{}})"), "x 7 2   ");

  for (auto [name, bad, expected] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"s", "1", "a string"},
           {"n", "\"1\"", "a number"},
           {"i", "2.5", "an integer"},
           {"i", "2.0", "an integer"},
           {"b", "\"true\"", "a boolean"},
           {"a", "{}", "an array"},
           {"o", "[]", "an object"},
           {"s", "null", "a string, not null"}}) {
    json::object variables = object_of(good);
    variables[name] = json::parse(bad);
    auto rendered = render_prompt(prompt, variables);
    ASSERT_FALSE(rendered) << name << " = " << bad;
    EXPECT_EQ(rendered.error().code, core::ErrorCode::kInvalidArgument);
    EXPECT_EQ(rendered.error().field, "/variables/" + name);
    EXPECT_EQ(rendered.error().message, "must be " + expected);
  }
}

TEST(PromptTemplate, RenderRefusesUnknownAndMissingVariables) {
  PromptTemplate prompt =
      parsed(one_user_message("{{name}} {{greeting}}", R"([{"name":"name","type":"string"},
          {"name":"greeting","type":"string","required":false}])"));
  core::Error unknown = render_refusal(prompt, R"({"name":"x","nmae":"y"})");
  EXPECT_EQ(unknown.field, "/variables/nmae");
  EXPECT_NE(unknown.message.find("declared: name, greeting"), std::string::npos) << unknown.message;
  EXPECT_EQ(render_refusal(prompt, R"({"a/b~c":1})").field, "/variables/a~1b~0c");
  core::Error missing = render_refusal(prompt, R"({"greeting":"hi"})");
  EXPECT_EQ(missing.field, "/variables/name");
  EXPECT_NE(missing.message.find("required"), std::string::npos);
  // An optional variable without a default renders as nothing.
  EXPECT_EQ(render_one(prompt, R"({"name":"Ana"})"), "Ana ");
}

TEST(PromptTemplate, DefaultsFillWhatTheCallerLeftOut) {
  PromptTemplate prompt =
      parsed(one_user_message("{{tone}} {{limit}} {{#tags}}[{{.}}]{{/tags}}",
                              R"([{"name":"tone","type":"string","default":"formal"},
          {"name":"limit","type":"integer","default":3},
          {"name":"tags","type":"array","default":["a","b"]}])"));
  EXPECT_EQ(render_one(prompt, "{}"), "formal 3 [a][b]");
  EXPECT_EQ(render_one(prompt, R"({"tone":"plain","tags":[]})"), "plain 3 ");
}

TEST(PromptTemplate, SectionsIterateArraysOfObjects) {
  PromptTemplate prompt = parsed(R"({"messages":[
      {"role":"system","content":"You are {{persona}}."},
      {"role":"user","content":"Transactions:\n{{#rows}}\n- {{date}} {{amount}} {{currency}}\n{{/rows}}\n{{^rows}}\nnone\n{{/rows}}\nTotal: {{total.amount}}"}],
    "variables":[{"name":"persona","type":"string"},{"name":"rows","type":"array"},
                 {"name":"currency","type":"string","default":"EUR"},
                 {"name":"total","type":"object"}]})");
  auto rendered =
      render_prompt(prompt, object_of(R"({"persona":"a bookkeeper","total":{"amount":"12.50"},
        "rows":[{"date":"2026-01-02","amount":"10.00"},
                {"date":"2026-01-03","amount":"2.50","currency":"USD"}]})"));
  ASSERT_TRUE(rendered) << rendered.error().message;
  ASSERT_EQ(rendered->size(), 2u);
  EXPECT_EQ((*rendered)[0].role, "system");
  EXPECT_EQ((*rendered)[0].content, "You are a bookkeeper.");
  EXPECT_EQ((*rendered)[1].role, "user");
  // An item's member wins over the top-level variable of the same name. Lines holding only a
  // section tag print nothing, except (kainjow) the opening tag's line of a section that is
  // skipped, which stays as an empty line.
  EXPECT_EQ((*rendered)[1].content,
            "Transactions:\n- 2026-01-02 10.00 EUR\n- 2026-01-03 2.50 USD\n\nTotal: 12.50");
  EXPECT_EQ(
      render_prompt(prompt, object_of(R"({"persona":"p","rows":[],"total":{}})"))->at(1).content,
      "Transactions:\n\nnone\nTotal: ");
}

TEST(PromptTemplate, RenderedOutputIsBounded) {
  // A value repeated by nested sections: 64 × 64 × 300 bytes ≈ 1.2 MiB, refused before any
  // output is built.
  PromptTemplate nested =
      parsed(one_user_message("{{#a}}{{#a}}{{text}}{{/a}}{{/a}}",
                              R"([{"name":"a","type":"array"},{"name":"text","type":"string"}])"));
  json::array items(64, json::value(1));
  json::object variables{{"a", items}, {"text", std::string(300, 'x')}};
  core::Error too_long = render_prompt(nested, variables).error();
  EXPECT_EQ(too_long.field, "/variables");
  EXPECT_NE(too_long.message.find("1 MiB"), std::string::npos) << too_long.message;
  variables["text"] = std::string(200, 'x');  // 64 × 64 × 200 = 800 KiB: fine
  auto rendered = render_prompt(nested, variables);
  ASSERT_TRUE(rendered) << rendered.error().message;
  EXPECT_EQ(rendered->front().content.size(), 64u * 64u * 200u);

  // Literal text repeated counts too, and so does work that prints nothing.
  PromptTemplate literal = parsed(one_user_message("{{#a}}" + std::string(20'000, 'y') + "{{/a}}",
                                                   R"([{"name":"a","type":"array"}])"));
  EXPECT_FALSE(render_prompt(literal, json::object{{"a", json::array(60, json::value(1))}}));
  PromptTemplate idle = parsed(
      one_user_message("{{#a}}{{#a}}{{#a}}{{/a}}{{/a}}{{/a}}", R"([{"name":"a","type":"array"}])"));
  core::Error busy =
      render_prompt(idle, json::object{{"a", json::array(100, json::value(1))}}).error();
  EXPECT_NE(busy.message.find("200000"), std::string::npos) << busy.message;
}

TEST(PromptTemplate, ReadingChecksTheShapeAndParsingAlsoTheTemplates) {
  std::string body = one_user_message("{{undeclared}}");
  auto read = read_prompt_template(object_of(body));
  ASSERT_TRUE(read);
  EXPECT_EQ(read->messages[0].content, "{{undeclared}}");
  EXPECT_EQ(validate_prompt_template(*read).error().field, "/messages/0/content");
  EXPECT_FALSE(parse_prompt_template(object_of(body)));
  EXPECT_EQ(read_prompt_template(object_of(R"({"messages":[{"role":"user","content":1}]})"))
                .error()
                .field,
            "/messages/0/content");
}

TEST(PromptTemplate, StoredTemplatesAreReadWithoutRevalidation) {
  // A version stored under rules that have since changed stays readable.
  auto stored = read_stored_prompt_template(
      R"({"messages":[{"role":"user","content":"{{undeclared}}"}],"variables":[]})");
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->messages[0].content, "{{undeclared}}");
  EXPECT_EQ(read_stored_prompt_template("[1]").error().code, core::ErrorCode::kInternal);
}

}  // namespace
}  // namespace aic::ai
