#include "finance/analytics/runway.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <string_view>

#include "core/json_writer.hpp"
#include "finance/bank/bank_statement.hpp"

namespace aic::finance {
namespace {

using std::chrono::year_month;
using std::chrono::year_month_day;

constexpr int kMaxMonths = 120;
constexpr double kDaysPerMonth = 365.2425 / 12.0;
constexpr double kMaxRunwayMonthsForDate = 1200.0;  // 100 years
constexpr double kIntervalLevel = 0.80;

std::string format_month(year_month month) {
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02u", static_cast<int>(month.year()),
                static_cast<unsigned>(month.month()));
  return text;
}

year_month month_of(year_month_day date) { return {date.year(), date.month()}; }

// Months from `earlier` to `later` (negative when `later` is before).
int months_between(year_month earlier, year_month later) {
  return static_cast<int>((later - earlier).count());
}

// Minor units nearest to `value`, or nullopt when it does not fit in 64 bits.
std::optional<std::int64_t> to_minor(double value) {
  if (!std::isfinite(value) || std::abs(value) >= 9.2e18) return std::nullopt;
  return static_cast<std::int64_t>(std::llround(value));
}

// `cash` / `burn` months, never negative (a non-positive balance has no runway left).
double runway_of(std::int64_t cash, std::int64_t burn) {
  return std::max(0.0, static_cast<double>(cash) / static_cast<double>(burn));
}

std::optional<year_month_day> date_after(year_month_day as_of, double months) {
  if (months > kMaxRunwayMonthsForDate) return std::nullopt;
  const auto days = static_cast<int>(std::floor(months * kDaysPerMonth));
  return year_month_day{std::chrono::sys_days(as_of) + std::chrono::days(days)};
}

std::string signed_minor(std::int64_t amount) {
  return (amount > 0 ? "+" : "") + std::to_string(amount);
}

}  // namespace

RunwayResult cash_runway(std::span<const CashTransaction> transactions, std::int64_t cash_balance,
                         year_month_day as_of, const RunwayOptions& options) {
  RunwayResult result;
  result.as_of = as_of;
  result.cash_balance = cash_balance;
  result.months_requested = options.months;
  result.half_life_months = options.half_life_months;
  if (!as_of.ok()) {
    result.reason_if_null = "the as-of date is not a valid date";
    return result;
  }
  if (options.months < 1 || options.months > kMaxMonths) {
    result.reason_if_null = "months must be 1 to " + std::to_string(kMaxMonths);
    return result;
  }
  if (options.half_life_months &&
      !(std::isfinite(*options.half_life_months) && *options.half_life_months > 0.0)) {
    result.reason_if_null = "the half-life must be a positive number of months";
    return result;
  }

  const year_month as_of_month = month_of(as_of);
  const bool as_of_month_complete =
      as_of.day() == year_month_day(std::chrono::year_month_day_last(
                                        as_of.year(), std::chrono::month_day_last(as_of.month())))
                         .day();
  const year_month latest =
      as_of_month_complete ? as_of_month : as_of_month - std::chrono::months(1);
  const year_month window_start = latest - std::chrono::months(options.months - 1);

  std::optional<year_month> earliest;
  int after_as_of = 0;
  int in_current_month = 0;
  int before_window = 0;
  for (const CashTransaction& transaction : transactions) {
    if (!transaction.date.ok()) continue;
    if (transaction.date > as_of) {
      ++after_as_of;
      continue;
    }
    const year_month month = month_of(transaction.date);
    if (month > latest) ++in_current_month;
    if (month < window_start) ++before_window;
    if (!earliest || month < *earliest) earliest = month;
  }
  if (!as_of_month_complete) {
    result.notes.push_back(format_month(as_of_month) + " is incomplete on " + format_date(as_of) +
                           ": its " + std::to_string(in_current_month) +
                           " transactions are not used");
  }
  if (after_as_of > 0) {
    result.notes.push_back(std::to_string(after_as_of) + " transactions after " +
                           format_date(as_of) + " are not used");
  }
  if (before_window > 0) {
    result.notes.push_back(std::to_string(before_window) + " transactions before " +
                           format_month(window_start) + " are outside the " +
                           std::to_string(options.months) + "-month window");
  }
  if (!earliest) {
    result.reason_if_null = "no transactions on or before " + format_date(as_of);
    return result;
  }
  const year_month first = std::max(window_start, *earliest);
  if (first > latest) {
    result.reason_if_null =
        "no complete month of transactions: they start in " + format_month(*earliest);
    return result;
  }
  result.months_used = months_between(first, latest) + 1;
  if (first > window_start) {
    result.notes.push_back("transactions start in " + format_month(first) + ": " +
                           std::to_string(result.months_used) + " complete months used of " +
                           std::to_string(options.months));
  }

  result.monthly.resize(static_cast<std::size_t>(result.months_used));
  for (int index = 0; index < result.months_used; ++index) {
    result.monthly[static_cast<std::size_t>(index)].month = first + std::chrono::months(index);
  }
  int used = 0;
  for (const CashTransaction& transaction : transactions) {
    if (!transaction.date.ok() || transaction.date > as_of) continue;
    const year_month month = month_of(transaction.date);
    if (month < first || month > latest) continue;
    MonthlyFlow& flow = result.monthly[static_cast<std::size_t>(months_between(first, month))];
    std::int64_t& side = transaction.amount >= 0 ? flow.inflow : flow.outflow;
    if (__builtin_add_overflow(side, transaction.amount, &side)) {
      result.reason_if_null =
          "the transactions of " + format_month(month) + " overflow 64-bit minor units";
      return result;
    }
    ++flow.transactions;
    ++used;
  }
  if (used == 0) {
    result.reason_if_null = "no transactions in the " + std::to_string(options.months) +
                            " complete months up to " + format_month(latest);
    return result;
  }

  double weight_sum = 0.0;
  double weight_square_sum = 0.0;
  double weighted_flow_sum = 0.0;
  for (int index = 0; index < result.months_used; ++index) {
    MonthlyFlow& flow = result.monthly[static_cast<std::size_t>(index)];
    if (__builtin_add_overflow(flow.inflow, flow.outflow, &flow.net)) {
      result.reason_if_null =
          "the net flow of " + format_month(flow.month) + " overflows 64-bit minor units";
      return result;
    }
    const double age = static_cast<double>(result.months_used - 1 - index);
    flow.weight = options.half_life_months ? std::exp2(-age / *options.half_life_months) : 1.0;
    weight_sum += flow.weight;
    weight_square_sum += flow.weight * flow.weight;
    weighted_flow_sum += flow.weight * static_cast<double>(flow.net);
  }
  const double mean_flow = weighted_flow_sum / weight_sum;  // weight_sum ≥ 1 (latest month)
  result.net_flow_per_month = to_minor(mean_flow);
  result.burn_per_month = to_minor(-mean_flow);
  if (!result.net_flow_per_month || !result.burn_per_month) {
    result.reason_if_null = "the mean monthly flow overflows 64-bit minor units";
    result.net_flow_per_month.reset();
    result.burn_per_month.reset();
    return result;
  }
  result.burning = *result.burn_per_month > 0;

  if (result.burning) {
    result.runway_months = runway_of(cash_balance, *result.burn_per_month);
    if (cash_balance <= 0) {
      result.notes.push_back("the cash balance is not positive: no runway is left");
    }
  } else {
    result.runway_reason_if_null = "not burning: the weighted net flow is " +
                                   signed_minor(*result.net_flow_per_month) + " per month";
  }

  const double spread_denominator = weight_sum - weight_square_sum / weight_sum;
  if (result.months_used < 2) {
    result.interval_reason_if_null = "one month shows no spread of the monthly flows";
  } else if (!(spread_denominator > 0.0)) {
    result.interval_reason_if_null = "the weights leave a single month to measure the spread";
  } else {
    double squares = 0.0;
    for (const MonthlyFlow& flow : result.monthly) {
      const double deviation = static_cast<double>(flow.net) - mean_flow;
      squares += flow.weight * deviation * deviation;
    }
    const double deviation = std::sqrt(squares / spread_denominator);
    result.flow_std_dev = to_minor(deviation);
    result.burn_low = to_minor(-mean_flow - kRunwayIntervalZ * deviation);
    result.burn_high = to_minor(-mean_flow + kRunwayIntervalZ * deviation);
    if (!result.flow_std_dev || !result.burn_low || !result.burn_high) {
      result.flow_std_dev.reset();
      result.burn_low.reset();
      result.burn_high.reset();
      result.interval_reason_if_null = "the spread overflows 64-bit minor units";
    } else {
      if (*result.burn_high > 0) {
        result.runway_months_low = runway_of(cash_balance, *result.burn_high);
      } else {
        result.notes.push_back("not burning anywhere in the 80 % range of the burn");
      }
      if (*result.burn_low > 0) {
        result.runway_months_high = runway_of(cash_balance, *result.burn_low);
      } else {
        result.runway_high_unbounded = true;
      }
    }
  }

  bool date_too_far = false;
  const auto cash_out = [&](const std::optional<double>& months) {
    if (!months) return std::optional<year_month_day>();
    auto date = date_after(as_of, *months);
    if (!date) date_too_far = true;
    return date;
  };
  result.cash_out_date = cash_out(result.runway_months);
  result.cash_out_date_earliest = cash_out(result.runway_months_low);
  result.cash_out_date_latest = cash_out(result.runway_months_high);
  if (date_too_far) result.notes.push_back("a cash-out date more than 100 years away is null");
  return result;
}

namespace {

using core::JsonWriter;

void date_member(JsonWriter& json, std::string_view name,
                 const std::optional<year_month_day>& date) {
  json.key(name);
  if (date) {
    json.value(format_date(*date));
  } else {
    json.null();
  }
}

void text_or_null(JsonWriter& json, std::string_view name, std::string_view text) {
  json.key(name);
  if (text.empty()) {
    json.null();
  } else {
    json.value(text);
  }
}

}  // namespace

void write_runway_members(JsonWriter& json, const RunwayResult& result) {
  date_member(json, "as_of", result.as_of.ok() ? std::optional(result.as_of) : std::nullopt);
  json.member("cash_balance", result.cash_balance);
  json.member("months_requested", static_cast<std::int64_t>(result.months_requested));
  json.member("months_used", static_cast<std::int64_t>(result.months_used));
  json.number_member("half_life_months", result.half_life_months, 2);
  json.key("monthly");
  json.begin_array();
  for (const MonthlyFlow& flow : result.monthly) {
    json.begin_object();
    json.member("month", format_month(flow.month));
    json.member("inflow", flow.inflow);
    json.member("outflow", flow.outflow);
    json.member("net", flow.net);
    json.member("transactions", static_cast<std::int64_t>(flow.transactions));
    json.key("weight");
    json.number(flow.weight, 4);
    json.end_object();
  }
  json.end_array();
  json.member_or_null("net_flow_per_month", result.net_flow_per_month);
  json.member_or_null("burn_per_month", result.burn_per_month);
  json.member("burning", result.burning);
  json.member_or_null("flow_std_dev", result.flow_std_dev);
  json.key("interval_level");
  json.number(kIntervalLevel, 2);
  json.member_or_null("burn_low", result.burn_low);
  json.member_or_null("burn_high", result.burn_high);
  json.number_member("runway_months", result.runway_months, 2);
  json.number_member("runway_months_low", result.runway_months_low, 2);
  json.number_member("runway_months_high", result.runway_months_high, 2);
  json.member("runway_high_unbounded", result.runway_high_unbounded);
  date_member(json, "cash_out_date", result.cash_out_date);
  date_member(json, "cash_out_date_earliest", result.cash_out_date_earliest);
  date_member(json, "cash_out_date_latest", result.cash_out_date_latest);
  json.key("notes");
  json.begin_array();
  for (const std::string& note : result.notes) json.value(note);
  json.end_array();
  text_or_null(json, "runway_reason_if_null", result.runway_reason_if_null);
  text_or_null(json, "interval_reason_if_null", result.interval_reason_if_null);
  text_or_null(json, "reason_if_null", result.reason_if_null);
}

std::string to_json(const RunwayResult& result) {
  std::string out;
  JsonWriter json(out);
  json.begin_object();
  write_runway_members(json, result);
  json.end_object();
  return out;
}

}  // namespace aic::finance
