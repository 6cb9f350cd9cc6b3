// libFuzzer target for prompt templates, on any bytes. The first byte chooses what the rest
// is: one message's Mustache source (declared variables fixed below), a whole version body
// as JSON, or the variables of a render of a fixed template. Whatever kainjow compiles, our
// own reading of the tags must read too; whatever renders stays within the output bound.
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "ai/prompts/prompt_template.hpp"

namespace {

using namespace aic::ai;

void check(bool condition) {
  if (!condition) __builtin_trap();
}

PromptTemplate with_declarations(std::string content) {
  PromptTemplate prompt;
  prompt.messages.push_back({"user", std::move(content)});
  prompt.variables = {{"s", VariableType::kString, false, std::nullopt, ""},
                      {"n", VariableType::kNumber, false, std::nullopt, ""},
                      {"b", VariableType::kBoolean, false, std::nullopt, ""},
                      {"a", VariableType::kArray, false, std::nullopt, ""},
                      {"o", VariableType::kObject, false, std::nullopt, ""}};
  return prompt;
}

const boost::json::object& sample_variables() {
  static const boost::json::object variables =
      boost::json::parse(R"({"s":"<x>&","n":2.5,"b":true,"a":[1,{"s":"in"},[2,3],"t",false],
                            "o":{"s":"member","a":["p","q"]}})")
          .as_object();
  return variables;
}

void render_checked(const PromptTemplate& prompt, const boost::json::object& variables) {
  auto rendered = render_prompt(prompt, variables);
  if (!rendered) return;
  std::size_t total = 0;
  for (const auto& message : *rendered) total += message.content.size();
  check(total <= kMaxRenderedBytes);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 3) {
    case 0: {
      PromptTemplate prompt = with_declarations(std::string(text));
      auto valid = validate_prompt_template(prompt);
      // A template kainjow accepts is one our tag reader understands.
      check(valid || valid.error().message != "uses tags this server cannot analyse");
      if (valid) render_checked(prompt, sample_variables());
      break;
    }
    case 1: {
      boost::system::error_code error;
      boost::json::value body = boost::json::parse(text, error);
      if (error || !body.is_object()) break;
      auto prompt = parse_prompt_template(body.as_object());
      if (!prompt) break;
      // What is saved reads back.
      check(
          static_cast<bool>(read_stored_prompt_template(boost::json::serialize(to_json(*prompt)))));
      render_checked(*prompt, sample_variables());
      break;
    }
    case 2: {
      static const PromptTemplate prompt = [] {
        auto parsed = parse_prompt_template(
            boost::json::parse(
                R"({"messages":[{"role":"user","content":"{{s}} {{n}} {{#a}}[{{.}}{{s}}]{{/a}}{{#o}}{{s}}{{#a}}{{.}}{{/a}}{{/o}}{{^b}}no{{/b}}"}],
                    "variables":[{"name":"s","type":"string","default":"d"},{"name":"n","type":"number","required":false},
                                 {"name":"b","type":"boolean","required":false},{"name":"a","type":"array","required":false},
                                 {"name":"o","type":"object","required":false}]})")
                .as_object());
        check(static_cast<bool>(parsed));
        return *parsed;
      }();
      boost::system::error_code error;
      boost::json::value variables = boost::json::parse(text, error);
      if (error || !variables.is_object()) break;
      render_checked(prompt, variables.as_object());
      break;
    }
  }
  return 0;
}
