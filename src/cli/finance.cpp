// `aic finance …`: the financial engine's parsers and scores, offline (no server, no database).
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "cli/app.hpp"
#include "finance/analytics/scores.hpp"
#include "finance/bank/bank_formats.hpp"
#include "finance/money.hpp"
#include "finance/sentiment/evaluation.hpp"
#include "finance/sentiment/sentiment.hpp"
#include "finance/statements/edgar.hpp"

namespace aic::cli {

namespace {

std::string names_list() {
  std::string names;
  for (std::string_view name : finance::bank_format_names()) {
    if (!names.empty()) names += ", ";
    names += name;
  }
  return names;
}

void print_summary(const std::vector<finance::BankStatement>& statements) {
  for (const finance::BankStatement& statement : statements) {
    const int exponent = finance::currency_exponent(statement.currency);
    auto balance = [&](const std::optional<finance::Balance>& value) {
      return value ? finance::format_minor_units(value->amount, exponent) + " on " +
                         finance::format_date(value->date)
                   : std::string("-");
    };
    std::cout << "account " << statement.account << " (" << statement.currency << ")";
    if (!statement.statement_id.empty()) std::cout << ", statement " << statement.statement_id;
    std::cout << "\n  opening " << balance(statement.opening) << "\n  closing "
              << balance(statement.closing) << "\n  " << statement.transactions.size()
              << " transactions\n";
    for (const std::string& warning : statement.warnings) {
      std::cout << "  warning: " << warning << "\n";
    }
  }
}

std::string number_or_dash(const std::optional<double>& value, int precision = 2) {
  if (!value) return "-";
  std::ostringstream out;
  out.setf(std::ios::fixed);
  out.precision(precision);
  out << *value;
  return out.str();
}

void print_scores(const finance::ReportedPeriod& period, const finance::PeriodScores& scores) {
  std::cout << "period ending " << finance::format_date(period.values.period_end) << " ("
            << period.fiscal_period << " " << period.fiscal_year << ", " << period.form << " "
            << period.accession << ", " << period.currency << ")\n";
  const finance::HealthScore& health = scores.health;
  std::cout << "  health     " << number_or_dash(health.score, 1) << " " << health.band
            << " (confidence " << number_or_dash(health.confidence, 2) << ")\n";
  for (const finance::HealthPillar& pillar : health.pillars) {
    std::cout << "    " << pillar.name << " " << number_or_dash(pillar.score, 1) << "\n";
  }
  const finance::AltmanScore& altman = scores.altman;
  std::cout << "  altman " << finance::to_string(altman.variant) << "  "
            << number_or_dash(altman.score) << " "
            << (altman.zone ? finance::to_string(*altman.zone) : altman.reason_if_null) << "\n";
  if (scores.piotroski) {
    std::cout << "  piotroski  "
              << (scores.piotroski->score ? std::to_string(*scores.piotroski->score) : "-") << " ("
              << scores.piotroski->signals_passed << " of the "
              << scores.piotroski->signals_available << " signals that could be computed)\n";
  }
  if (scores.beneish) {
    std::cout << "  beneish    " << number_or_dash(scores.beneish->score) << "\n";
  }
  if (scores.ohlson) {
    std::cout << "  ohlson     " << number_or_dash(scores.ohlson->score) << " (probability "
              << number_or_dash(scores.ohlson->probability, 3) << ")\n";
  }
  if (!health.missing_inputs.empty()) {
    std::cout << "  missing:";
    for (const std::string& input : health.missing_inputs) std::cout << " " << input;
    std::cout << "\n";
  }
}

std::optional<std::string> read_whole_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return std::nullopt;
  std::ostringstream contents;
  contents << file.rdbuf();
  return std::move(contents).str();
}

}  // namespace

int finance_score(const ScoreOptions& options) {
  std::optional<finance::Date> period_end;
  if (!options.period_end.empty()) {
    period_end = finance::parse_iso_date(options.period_end);
    if (!period_end) {
      std::cerr << "aic: --period-end: \"" << options.period_end
                << "\" is not a date such as 2025-01-31\n";
      return 2;
    }
  }
  const std::optional<std::string> input = read_whole_file(options.edgar_file);
  if (!input) {
    std::cerr << "aic: cannot read " << options.edgar_file << "\n";
    return 1;
  }
  auto facts = finance::parse_edgar_companyfacts(*input);
  if (!facts) {
    std::cerr << "aic: " << options.edgar_file << ": " << facts.error().message << "\n";
    return 1;
  }
  const finance::PeriodLength length =
      options.quarterly ? finance::PeriodLength::kQuarter : finance::PeriodLength::kAnnual;
  std::vector<const finance::ReportedPeriod*> periods;
  for (const finance::ReportedPeriod& period : facts->periods) {
    if (period.values.length == length) periods.push_back(&period);
  }
  std::size_t at = periods.size();
  for (std::size_t i = 0; i < periods.size(); ++i) {
    if (!period_end || periods[i]->values.period_end == *period_end) at = i;
  }
  if (at == periods.size()) {
    std::cerr << "aic: " << options.edgar_file << ": no "
              << (options.quarterly ? "quarterly" : "annual") << " period"
              << (period_end ? " ending " + options.period_end : std::string()) << "\n";
    return 1;
  }
  std::optional<finance::FinancialPeriod> prior;
  for (std::size_t i = 0; i < at; ++i) {
    if (finance::is_year_before(periods[i]->values, periods[at]->values)) {
      prior = periods[i]->values;
    }
  }
  const finance::FirmProfile profile{!options.is_private, options.manufacturing};
  const finance::PeriodScores scores = finance::score_period(periods[at]->values, prior, profile);
  if (options.json) {
    std::cout << finance::to_json(scores) << "\n";
  } else {
    print_scores(*periods[at], scores);
  }
  return 0;
}

int finance_sentiment(const std::string& text, bool json) {
  const finance::sentiment::SentimentResult result = finance::sentiment::score(text);
  if (json) {
    std::cout << finance::sentiment::to_json(result) << "\n";
    return 0;
  }
  std::cout << finance::sentiment::to_string(result.label) << " (score "
            << number_or_dash(result.score, 3) << ", evidence sum " << number_or_dash(result.sum)
            << ")\n";
  for (const finance::sentiment::Evidence& evidence : result.evidence) {
    std::cout << "  " << (evidence.contribution >= 0 ? "+" : "")
              << number_or_dash(evidence.contribution) << "  "
              << finance::sentiment::to_string(evidence.rule) << "  " << evidence.terms;
    if (!evidence.negated_by.empty()) {
      std::cout << "  (negated by \"" << evidence.negated_by << "\")";
    }
    if (!evidence.scaled_by.empty()) std::cout << "  (scaled by " << evidence.scaled_by << ")";
    std::cout << "\n";
  }
  return 0;
}

int finance_eval_sentiment(const std::string& path, bool json, bool errors) {
  const std::optional<std::string> input = read_whole_file(path);
  if (!input) {
    std::cerr << "aic: cannot read " << path << "\n";
    return 1;
  }
  const auto report = finance::sentiment::evaluate(*input);
  if (!report) {
    std::cerr << "aic: " << path << ": " << report.error().message << "\n";
    return 1;
  }
  if (json) {
    std::cout << finance::sentiment::to_json(*report, errors) << "\n";
  } else {
    std::cout << finance::sentiment::to_text(*report, errors);
  }
  return 0;
}

int finance_parse(const std::string& format_name, const std::string& path, bool json) {
  auto format = finance::bank_format_from_name(format_name);
  if (!format) {
    std::cerr << "aic: --format: unknown format \"" << format_name << "\"; expected one of "
              << names_list() << "\n";
    return 2;
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    std::cerr << "aic: cannot read " << path << "\n";
    return 1;
  }
  std::ostringstream contents;
  contents << file.rdbuf();
  const std::string input = std::move(contents).str();
  auto statements = finance::parse_bank_file(*format, input);
  if (!statements) {
    std::cerr << "aic: " << path << ": " << statements.error().message << "\n";
    return 1;
  }
  if (json) {
    std::cout << finance::to_json(*statements) << "\n";
  } else {
    print_summary(*statements);
  }
  return 0;
}

}  // namespace aic::cli
