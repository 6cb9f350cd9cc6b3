// libFuzzer target for the importers of our own text formats: statements CSV, prices CSV and
// news JSON. The same bytes go to all three (each input is some other parser's garbage). Each
// either fails with an invalid-argument error naming where, or returns values that hold their
// promises: finite statement values, prices in date order without repeats, UTC times.
#include <cmath>
#include <cstdint>
#include <string_view>

#include "finance/market/prices.hpp"
#include "finance/news/news.hpp"
#include "finance/statements/statements_csv.hpp"

namespace {

void check(const aic::core::Error& error) {
  if (error.code != aic::core::ErrorCode::kInvalidArgument) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  using namespace aic::finance;
  if (auto statements = parse_statements_csv(input, "EUR"); !statements) {
    check(statements.error());
    if (!statements.error().line) __builtin_trap();
  } else {
    for (const ReportedPeriod& period : statements->periods) {
      for (const PeriodItem& item : period_items()) {
        const auto& value = period.values.*item.field;
        if (value && !std::isfinite(*value)) __builtin_trap();
      }
    }
  }
  if (auto prices = parse_prices_csv(input); !prices) {
    check(prices.error());
    if (!prices.error().line) __builtin_trap();
  } else {
    for (std::size_t i = 1; i < prices->bars.size(); ++i) {
      if (!(prices->bars[i - 1].date < prices->bars[i].date)) __builtin_trap();
    }
  }
  if (auto news = parse_news_json(input); !news) {
    check(news.error());
  } else {
    for (const NewsItem& item : news->items) {
      if (item.published_at.size() != 20 || item.published_at.back() != 'Z') __builtin_trap();
    }
  }
  return 0;
}
