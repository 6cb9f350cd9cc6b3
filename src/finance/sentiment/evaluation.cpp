#include "finance/sentiment/evaluation.hpp"

#include "core/utf8.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace aic::finance::sentiment {

namespace {

std::size_t index(Label label) { return static_cast<std::size_t>(label); }

std::string_view trim(std::string_view text) {
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

bool equals_ignoring_case(std::string_view text, std::string_view lower) {
  if (text.size() != lower.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

double ratio(std::size_t numerator, std::size_t denominator) {
  return denominator == 0 ? 0.0 : static_cast<double>(numerator) / static_cast<double>(denominator);
}

core::Error line_error(std::int64_t line, const std::string& problem) {
  core::Error error = core::Error::invalid("line " + std::to_string(line) + ": " + problem);
  error.line = line;
  return error;
}

std::string fixed(double value, int decimals) {
  char text[32];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

std::string padded(std::string_view text, std::size_t width) {
  std::string out(text);
  if (out.size() < width) out.insert(0, width - out.size(), ' ');
  return out;
}

void count_member(core::JsonWriter& json, std::string_view name, std::size_t count) {
  json.member(name, static_cast<std::int64_t>(count));
}

}  // namespace

std::optional<Label> label_from_string(std::string_view text) {
  text = trim(text);
  for (Label label : kLabels) {
    if (equals_ignoring_case(text, to_string(label))) return label;
  }
  return std::nullopt;
}

core::Result<EvalReport> evaluate(std::string_view lines) {
  EvalReport report;
  std::int64_t number = 0;
  while (!lines.empty()) {
    const std::size_t end = lines.find('\n');
    std::string_view line = lines.substr(0, end);
    lines = end == std::string_view::npos ? std::string_view() : lines.substr(end + 1);
    ++number;
    if (trim(line).empty()) continue;
    const std::size_t at = line.rfind('@');
    if (at == std::string_view::npos) {
      return line_error(number, "expected sentence@label (no '@')");
    }
    const std::string_view sentence = trim(line.substr(0, at));
    if (sentence.empty()) return line_error(number, "the sentence before '@' is empty");
    const std::optional<Label> expected = label_from_string(line.substr(at + 1));
    if (!expected) {
      return line_error(number, "unknown label \"" + core::valid_utf8(trim(line.substr(at + 1))) +
                                    "\"; expected positive, negative or neutral");
    }
    const SentimentResult result = score(sentence);
    ++report.examples;
    ++report.confusion[index(*expected)][index(result.label)];
    if (result.label == *expected) {
      ++report.correct;
    } else {
      report.errors.push_back(
          Misclassified{number, core::valid_utf8(sentence), *expected, result.label, result.score});
    }
  }
  if (report.examples == 0) {
    core::Error error = core::Error::invalid("no labelled lines (expected sentence@label)");
    error.line = number;
    return error;
  }
  report.accuracy = ratio(report.correct, report.examples);
  double f1_sum = 0;
  for (Label label : kLabels) {
    ClassMetrics& metrics = report.classes[index(label)];
    for (Label other : kLabels) {
      metrics.support += report.confusion[index(label)][index(other)];
      metrics.predicted += report.confusion[index(other)][index(label)];
    }
    metrics.correct = report.confusion[index(label)][index(label)];
    metrics.precision = ratio(metrics.correct, metrics.predicted);
    metrics.recall = ratio(metrics.correct, metrics.support);
    const double sum = metrics.precision + metrics.recall;
    metrics.f1 = sum == 0 ? 0 : 2 * metrics.precision * metrics.recall / sum;
    f1_sum += metrics.f1;
  }
  report.macro_f1 = f1_sum / 3;
  return report;
}

std::string to_text(const EvalReport& report, bool with_errors) {
  std::string out;
  out += "examples " + std::to_string(report.examples) + ", correct " +
         std::to_string(report.correct) + "\n";
  out += "accuracy " + fixed(report.accuracy, 4) + "\n";
  out += "macro-F1 " + fixed(report.macro_f1, 4) + "\n\n";
  out += "class     precision  recall      f1  support  predicted\n";
  for (Label label : kLabels) {
    const ClassMetrics& metrics = report.classes[index(label)];
    std::string row(to_string(label));
    row.resize(8, ' ');
    out += row + padded(fixed(metrics.precision, 4), 11) + padded(fixed(metrics.recall, 4), 8) +
           padded(fixed(metrics.f1, 4), 8) + padded(std::to_string(metrics.support), 9) +
           padded(std::to_string(metrics.predicted), 11) + "\n";
  }
  out += "\nconfusion (rows: expected, columns: predicted)\n";
  out += "          positive  negative   neutral\n";
  for (Label expected : kLabels) {
    std::string row(to_string(expected));
    row.resize(8, ' ');
    for (Label predicted : kLabels) {
      row += padded(std::to_string(report.confusion[index(expected)][index(predicted)]), 10);
    }
    out += row + "\n";
  }
  if (with_errors && !report.errors.empty()) {
    out += "\nmisclassified (line, expected -> predicted, score: sentence)\n";
    for (const Misclassified& error : report.errors) {
      out += std::to_string(error.line) + ", " + std::string(to_string(error.expected)) + " -> " +
             std::string(to_string(error.predicted)) + ", " + fixed(error.score, 3) + ": " +
             error.text + "\n";
    }
  }
  return out;
}

void write_json(core::JsonWriter& json, const EvalReport& report, bool with_errors) {
  json.begin_object();
  count_member(json, "examples", report.examples);
  count_member(json, "correct", report.correct);
  json.number_member("accuracy", report.accuracy, 6);
  json.number_member("macro_f1", report.macro_f1, 6);
  json.key("classes");
  json.begin_object();
  for (Label label : kLabels) {
    const ClassMetrics& metrics = report.classes[index(label)];
    json.key(to_string(label));
    json.begin_object();
    json.number_member("precision", metrics.precision, 6);
    json.number_member("recall", metrics.recall, 6);
    json.number_member("f1", metrics.f1, 6);
    count_member(json, "support", metrics.support);
    count_member(json, "predicted", metrics.predicted);
    json.end_object();
  }
  json.end_object();
  json.key("confusion");
  json.begin_object();
  json.key("labels");
  json.begin_array();
  for (Label label : kLabels) json.value(to_string(label));
  json.end_array();
  json.key("rows");  // rows: expected; columns: predicted
  json.begin_array();
  for (Label expected : kLabels) {
    json.begin_array();
    for (Label predicted : kLabels) {
      json.value(static_cast<std::int64_t>(report.confusion[index(expected)][index(predicted)]));
    }
    json.end_array();
  }
  json.end_array();
  json.end_object();
  if (with_errors) {
    json.key("errors");
    json.begin_array();
    for (const Misclassified& error : report.errors) {
      json.begin_object();
      json.member("line", error.line);
      json.member("expected", to_string(error.expected));
      json.member("predicted", to_string(error.predicted));
      json.number_member("score", error.score, 6);
      json.member("text", error.text);
      json.end_object();
    }
    json.end_array();
  }
  json.end_object();
}

std::string to_json(const EvalReport& report, bool with_errors) {
  std::string out;
  core::JsonWriter json(out);
  write_json(json, report, with_errors);
  return out;
}

}  // namespace aic::finance::sentiment
