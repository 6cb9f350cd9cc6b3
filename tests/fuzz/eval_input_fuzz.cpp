// libFuzzer target for evaluations' parsers of untrusted input, on any bytes. The first byte
// chooses what the rest is: a JSON Lines dataset (each item then checked against every
// grader kind), a judge's reply, a grader object, or an answer graded by every deterministic
// grader. Whatever is read, grades stay in [0, 1] with short reasons, and nothing crashes.
#include <boost/json/parse.hpp>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ai/evals/dataset.hpp"
#include "ai/evals/graders.hpp"

namespace {

using namespace aic::ai::evals;

void check(bool condition) {
  if (!condition) __builtin_trap();
}

void check_grade(const Grade& grade) {
  check(std::isfinite(grade.score) && grade.score >= 0 && grade.score <= 1);
  check(grade.reason.size() <= kMaxReasonBytes);
}

const std::vector<CompiledGrader>& graders() {
  static const std::vector<CompiledGrader> all = [] {
    std::vector<CompiledGrader> out;
    for (const char* text :
         {R"({"kind":"exact","collapse_whitespace":true,"ignore_case":true})",
          R"({"kind":"contains"})", R"({"kind":"regex","pattern":"^(a+)+[0-9]{2,4}$"})",
          R"({"kind":"regex"})", R"({"kind":"json_field_equals","pointer":"/answer/0"})",
          R"({"kind":"numeric_tolerance","absolute":0.5,"relative":0.01})",
          R"({"kind":"label_match","labels":["positive","negative","very positive"]})"}) {
      auto grader = parse_grader(boost::json::parse(text));
      check(static_cast<bool>(grader));
      auto compiled = CompiledGrader::compile(std::move(*grader));
      check(static_cast<bool>(compiled));
      out.push_back(std::move(*compiled));
    }
    return out;
  }();
  return all;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 4) {
    case 0: {
      // Plain and template datasets: the top bit of the selector byte says which.
      const bool templated = (data[0] & 0x80) != 0;
      auto items = parse_dataset(rest, "/dataset", templated);
      if (!items) {
        check(!items.error().field.empty());
        return 0;
      }
      check(!items->empty() && items->size() <= kMaxDatasetItems);
      for (const auto& item : *items) {
        check(item.line >= 1);
        check(item.variables.has_value() == templated);
        for (const auto& grader : graders()) {
          if (check_item(grader.grader(), item)) check_grade(grader.grade(item, "mock reply: 42"));
        }
        (void)transcript(item.messages);
      }
      break;
    }
    case 1:
      check_grade(read_judge_reply(rest, 0.5));
      break;
    case 2: {
      boost::system::error_code code;
      boost::json::value value = boost::json::parse(rest, code);
      if (code) return 0;
      auto grader = parse_grader(value);
      if (!grader) return 0;
      auto compiled = CompiledGrader::compile(*grader);
      check(static_cast<bool>(compiled));
      DatasetItem item;
      item.line = 1;
      item.messages = R"([{"role":"user","content":"q"}])";
      item.expected = boost::json::value("positive");
      if (grader->kind != GraderKind::kLlmJudge && check_item(*grader, item))
        check_grade(compiled->grade(item, "The answer is positive: {\"answer\": 1}"));
      break;
    }
    default: {
      DatasetItem item;
      item.line = 1;
      item.messages = R"([{"role":"user","content":"q"}])";
      for (const char* expected : {R"("positive")", "42", R"(["a","b"])", R"({"x":[1]})"}) {
        item.expected = boost::json::parse(expected);
        for (const auto& grader : graders()) {
          if (check_item(grader.grader(), item)) check_grade(grader.grade(item, rest));
        }
      }
      if (auto number = first_number(rest)) check(std::isfinite(*number));
      (void)regex_states(rest);
      break;
    }
  }
  return 0;
}
