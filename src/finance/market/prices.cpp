#include "finance/market/prices.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <utility>

#include "finance/csv.hpp"
#include "finance/money.hpp"

namespace aic::finance {

namespace {

enum class PriceColumn { kDate, kOpen, kHigh, kLow, kClose, kVolume, kIgnored };

std::optional<PriceColumn> price_column(std::string_view name) {
  static constexpr std::pair<std::string_view, PriceColumn> kColumns[] = {
      {"date", PriceColumn::kDate},         {"open", PriceColumn::kOpen},
      {"high", PriceColumn::kHigh},         {"low", PriceColumn::kLow},
      {"close", PriceColumn::kClose},       {"volume", PriceColumn::kVolume},
      {"adj close", PriceColumn::kIgnored}, {"adj_close", PriceColumn::kIgnored},
  };
  for (const auto& [known, column] : kColumns) {
    if (equals_ignoring_case(name, known)) return column;
  }
  return std::nullopt;
}

core::Error error_at(std::int64_t line, std::size_t index, std::string_view field,
                     std::string message) {
  core::Error error = core::Error::invalid(std::move(message), std::string(field));
  error.line = line;
  error.column = static_cast<std::int64_t>(index + 1);
  return error;
}

}  // namespace

core::Result<PricesCsv> parse_prices_csv(std::string_view input) {
  CsvReader reader(input);
  std::vector<std::string_view> fields;
  auto header = reader.next(fields);
  if (!header) return std::move(header).error();
  if (!*header) return error_at(1, 0, "", "the file is empty; it needs a header row");
  std::vector<PriceColumn> columns;
  std::vector<std::string> names;
  bool has_date = false;
  bool has_close = false;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    const std::string_view name = trim_blanks(fields[i]);
    auto column = price_column(name);
    if (!column) {
      return error_at(1, i, name,
                      "\"" + std::string(name) +
                          "\" is not a prices column: date, open, high, low, close, volume");
    }
    if (*column != PriceColumn::kIgnored &&
        std::find(columns.begin(), columns.end(), *column) != columns.end()) {
      return error_at(1, i, name, "column \"" + std::string(name) + "\" appears twice");
    }
    has_date = has_date || *column == PriceColumn::kDate;
    has_close = has_close || *column == PriceColumn::kClose;
    columns.push_back(*column);
    names.emplace_back(name);
  }
  if (!has_date) return error_at(1, 0, "date", "the header has no date column");
  if (!has_close) return error_at(1, 0, "close", "the header has no close column");

  PricesCsv result;
  std::vector<std::int64_t> lines;  // of each bar, for the error about a repeated date
  while (true) {
    auto more = reader.next(fields);
    if (!more) return std::move(more).error();
    if (!*more) break;
    const std::int64_t line = reader.line();
    if (fields.size() != columns.size()) {
      return error_at(line, std::min(fields.size(), columns.size()), "",
                      "the row has " + std::to_string(fields.size()) + " fields, the header " +
                          std::to_string(columns.size()));
    }
    PriceBar bar;
    bool has_close_value = true;
    for (std::size_t i = 0; i < fields.size(); ++i) {
      const std::string_view text = trim_blanks(fields[i]);
      const std::string& name = names[i];
      const bool missing = text.empty() || equals_ignoring_case(text, "null");
      switch (columns[i]) {
        case PriceColumn::kIgnored:
          break;
        case PriceColumn::kDate: {
          auto date = parse_iso_date(text);
          if (!date) {
            return error_at(line, i, name,
                            "\"" + std::string(text) + "\" is not a date (YYYY-MM-DD)");
          }
          bar.date = *date;
          break;
        }
        case PriceColumn::kVolume: {
          if (missing) break;
          std::int64_t volume = 0;
          const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), volume);
          if (error != std::errc() || end != text.data() + text.size() || volume < 0) {
            return error_at(line, i, name,
                            "\"" + std::string(text) + "\" is not a share count (whole number)");
          }
          bar.volume = volume;
          break;
        }
        default: {
          if (missing) {
            if (columns[i] == PriceColumn::kClose) has_close_value = false;
            break;
          }
          auto price = parse_minor_units(text, kPriceDecimals, DecimalFormat{.allow_sign = false});
          if (!price) {
            return error_at(line, i, name,
                            "\"" + std::string(text) +
                                "\" is not a price (a positive decimal with at most 6 decimals)");
          }
          switch (columns[i]) {
            case PriceColumn::kOpen:
              bar.open = *price;
              break;
            case PriceColumn::kHigh:
              bar.high = *price;
              break;
            case PriceColumn::kLow:
              bar.low = *price;
              break;
            default:
              bar.close = *price;
              break;
          }
        }
      }
    }
    if (!has_close_value) {
      result.warnings.push_back("line " + std::to_string(line) + ": no close on " +
                                format_date(bar.date) + "; the row is skipped");
      continue;
    }
    if (bar.high && bar.low &&
        (*bar.high < *bar.low || bar.close < *bar.low || bar.close > *bar.high)) {
      result.warnings.push_back("line " + std::to_string(line) +
                                ": close, high and low do not fit (high below low, or close "
                                "outside them)");
    }
    result.bars.push_back(bar);
    lines.push_back(line);
  }
  // Vendors write newest first or oldest first; sort, then a repeated date sits beside its twin.
  std::vector<std::size_t> order(result.bars.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return result.bars[a].date < result.bars[b].date;
  });
  std::vector<PriceBar> sorted;
  sorted.reserve(order.size());
  for (std::size_t k = 0; k < order.size(); ++k) {
    const PriceBar& bar = result.bars[order[k]];
    if (k > 0 && sorted.back().date == bar.date) {
      return error_at(std::max(lines[order[k]], lines[order[k - 1]]), 0, "date",
                      "a second row for " + format_date(bar.date));
    }
    sorted.push_back(bar);
  }
  result.bars = std::move(sorted);
  return result;
}

const PriceBar* close_on_or_before(const std::vector<PriceBar>& bars, Date date,
                                   int max_days_before) {
  auto after = std::upper_bound(bars.begin(), bars.end(), date,
                                [](Date value, const PriceBar& bar) { return value < bar.date; });
  if (after == bars.begin()) return nullptr;
  const PriceBar& bar = *std::prev(after);
  const auto days = (std::chrono::sys_days(date) - std::chrono::sys_days(bar.date)).count();
  return days <= max_days_before ? &bar : nullptr;
}

}  // namespace aic::finance
