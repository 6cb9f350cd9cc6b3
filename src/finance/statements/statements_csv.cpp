#include "finance/statements/statements_csv.hpp"

#include <charconv>
#include <cmath>
#include <optional>
#include <set>
#include <utility>

#include "finance/bank/bank_statement.hpp"
#include "finance/csv.hpp"
#include "finance/money.hpp"

namespace aic::finance {

namespace {

core::Error error_at(std::int64_t line, std::int64_t column, std::string field,
                     std::string message) {
  core::Error error = core::Error::invalid(std::move(message), std::move(field));
  error.line = line;
  error.column = column;
  return error;
}

// What a column of the file holds.
enum class Column {
  kPeriodEnd,
  kLength,
  kFiscalYear,
  kFiscalPeriod,
  kCurrency,
  kScale,
  kSourceRef,
  kItem
};

struct ColumnSpec {
  Column kind = Column::kItem;
  std::string name;
  const PeriodItem* item = nullptr;
};

std::optional<Column> meta_column(std::string_view name) {
  static constexpr std::pair<std::string_view, Column> kMeta[] = {
      {"period_end", Column::kPeriodEnd},   {"length", Column::kLength},
      {"fiscal_year", Column::kFiscalYear}, {"fiscal_period", Column::kFiscalPeriod},
      {"currency", Column::kCurrency},      {"scale", Column::kScale},
      {"source_ref", Column::kSourceRef},
  };
  for (const auto& [known, kind] : kMeta) {
    if (equals_ignoring_case(name, known)) return kind;
  }
  return std::nullopt;
}

std::optional<double> parse_scale(std::string_view text) {
  static constexpr std::pair<std::string_view, double> kScales[] = {
      {"units", 1.0},    {"1", 1.0},       {"thousands", 1e3}, {"1000", 1e3},
      {"millions", 1e6}, {"1000000", 1e6}, {"billions", 1e9},  {"1000000000", 1e9},
  };
  for (const auto& [name, factor] : kScales) {
    if (equals_ignoring_case(text, name)) return factor;
  }
  return std::nullopt;
}

// "-1234.5", "+7", "1,234.5" (separators between digits), "(1234.5)" → the number.
std::optional<double> parse_value(std::string_view text) {
  bool negative = false;
  if (text.size() >= 2 && text.front() == '(' && text.back() == ')') {
    negative = true;
    text = trim_blanks(text.substr(1, text.size() - 2));
  }
  std::string digits;
  digits.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == ',') {
      // A thousands separator sits between digits.
      if (i == 0 || i + 1 == text.size() || text[i - 1] < '0' || text[i - 1] > '9' ||
          text[i + 1] < '0' || text[i + 1] > '9') {
        return std::nullopt;
      }
      continue;
    }
    if (c == '+' && i == 0) continue;
    digits.push_back(c);
  }
  if (digits.empty() || (negative && digits.front() == '-')) return std::nullopt;
  double value = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value,
                                            std::chars_format::fixed);
  if (error != std::errc() || end != digits.data() + digits.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return negative ? -value : value;
}

std::optional<int> parse_year(std::string_view text) {
  int year = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), year);
  if (error != std::errc() || end != text.data() + text.size() || year < 1900 || year > 2200) {
    return std::nullopt;
  }
  return year;
}

bool is_fiscal_period(std::string_view text) {
  return text == "FY" || text == "Q1" || text == "Q2" || text == "Q3" || text == "Q4";
}

}  // namespace

core::Result<StatementsCsv> parse_statements_csv(std::string_view input,
                                                 std::string_view default_currency) {
  CsvReader reader(input);
  std::vector<std::string_view> fields;
  auto header = reader.next(fields);
  if (!header) return std::move(header).error();
  if (!*header) return error_at(1, 1, "", "the file is empty; it needs a header row");

  std::vector<ColumnSpec> columns;
  std::set<std::string, std::less<>> seen;
  bool has_period_end = false;
  bool has_length = false;
  bool has_item = false;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    const std::string_view name = trim_blanks(fields[i]);
    const auto column = static_cast<std::int64_t>(i + 1);
    ColumnSpec spec;
    spec.name = std::string(name);
    for (char& c : spec.name) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    if (!seen.insert(spec.name).second) {
      return error_at(reader.line(), column, spec.name,
                      "column \"" + spec.name + "\" appears twice in the header");
    }
    if (auto kind = meta_column(name)) {
      spec.kind = *kind;
      has_period_end = has_period_end || *kind == Column::kPeriodEnd;
      has_length = has_length || *kind == Column::kLength;
    } else {
      for (const PeriodItem& item : period_items()) {
        if (item.name == spec.name) spec.item = &item;
      }
      if (spec.item == nullptr) {
        return error_at(reader.line(), column, spec.name,
                        "\"" + std::string(name) +
                            "\" is neither a statement item nor a known column (see "
                            "docs/finance/imports.md for the list)");
      }
      has_item = true;
    }
    columns.push_back(std::move(spec));
  }
  if (!has_period_end) return error_at(1, 1, "period_end", "the header has no period_end column");
  if (!has_length) return error_at(1, 1, "length", "the header has no length column");
  if (!has_item) return error_at(1, 1, "", "the header names no statement item");

  StatementsCsv result;
  std::set<std::pair<std::string, PeriodLength>> periods_seen;
  while (true) {
    auto more = reader.next(fields);
    if (!more) return std::move(more).error();
    if (!*more) break;
    const std::int64_t line = reader.line();
    if (fields.size() != columns.size()) {
      return error_at(line, static_cast<std::int64_t>(std::min(fields.size(), columns.size()) + 1),
                      "",
                      "the row has " + std::to_string(fields.size()) + " fields, the header " +
                          std::to_string(columns.size()));
    }
    ReportedPeriod period;
    period.currency = std::string(default_currency);
    std::optional<int> fiscal_year;
    double scale = 1.0;
    std::vector<std::pair<const PeriodItem*, double>> values;
    for (std::size_t i = 0; i < fields.size(); ++i) {
      const ColumnSpec& spec = columns[i];
      const std::string_view text = trim_blanks(fields[i]);
      const auto column = static_cast<std::int64_t>(i + 1);
      auto bad = [&](std::string message) {
        return error_at(line, column, spec.name, std::move(message));
      };
      switch (spec.kind) {
        case Column::kPeriodEnd: {
          auto date = parse_iso_date(text);
          if (!date) return bad("\"" + std::string(text) + "\" is not a date (YYYY-MM-DD)");
          period.values.period_end = *date;
          break;
        }
        case Column::kLength:
          if (text == "annual") {
            period.values.length = PeriodLength::kAnnual;
          } else if (text == "quarter") {
            period.values.length = PeriodLength::kQuarter;
          } else {
            return bad("\"" + std::string(text) + "\" is not a length: annual or quarter");
          }
          break;
        case Column::kFiscalYear:
          if (text.empty()) break;
          fiscal_year = parse_year(text);
          if (!fiscal_year) return bad("\"" + std::string(text) + "\" is not a year");
          break;
        case Column::kFiscalPeriod:
          if (text.empty()) break;
          if (!is_fiscal_period(text)) {
            return bad("\"" + std::string(text) +
                       "\" is not a fiscal period: FY, Q1, Q2, Q3 or Q4");
          }
          period.fiscal_period = std::string(text);
          break;
        case Column::kCurrency:
          if (text.empty()) break;
          if (!is_currency_code(text)) {
            return bad("\"" + std::string(text) + "\" is not an ISO 4217 currency code");
          }
          period.currency = std::string(text);
          break;
        case Column::kScale: {
          if (text.empty()) break;
          auto factor = parse_scale(text);
          if (!factor) {
            return bad("\"" + std::string(text) +
                       "\" is not a scale: units, thousands, millions or billions");
          }
          scale = *factor;
          break;
        }
        case Column::kSourceRef:
          period.accession = std::string(text);
          break;
        case Column::kItem: {
          if (text.empty()) break;
          auto value = parse_value(text);
          if (!value) return bad("\"" + std::string(text) + "\" is not a number");
          values.emplace_back(spec.item, *value);
          break;
        }
      }
    }
    for (const auto& [item, value] : values) {
      const bool is_count = item->field == &FinancialPeriod::shares_outstanding;
      period.values.*(item->field) = is_count ? value : value * scale;
    }
    const auto ymd = period.values.period_end;
    period.fiscal_year = fiscal_year.value_or(static_cast<int>(ymd.year()));
    if (period.fiscal_period.empty()) {
      period.fiscal_period =
          period.values.length == PeriodLength::kAnnual
              ? "FY"
              : "Q" + std::to_string((static_cast<unsigned>(ymd.month()) - 1) / 3 + 1);
    } else if ((period.fiscal_period == "FY") != (period.values.length == PeriodLength::kAnnual)) {
      return error_at(line, 1, "fiscal_period",
                      "fiscal period " + period.fiscal_period + " does not match length " +
                          (period.values.length == PeriodLength::kAnnual ? "annual" : "quarter"));
    }
    if (!periods_seen.emplace(format_date(ymd), period.values.length).second) {
      return error_at(
          line, 1, "period_end",
          "a second row for the " +
              std::string(period.values.length == PeriodLength::kAnnual ? "annual" : "quarter") +
              " period ending " + format_date(ymd));
    }
    if (auto mismatch = balance_sheet_mismatch(period.values)) {
      result.warnings.push_back("line " + std::to_string(line) + ": " + *mismatch);
    }
    result.periods.push_back(std::move(period));
  }
  return result;
}

}  // namespace aic::finance
