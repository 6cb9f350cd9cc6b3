// Every score of one period at once — ratios, Altman Z, Piotroski F, Beneish M, Ohlson O and
// the health score — and their JSON form, which the API (`GET /v1/entities/{id}/scores`) and
// the CLI (`aic finance score`) both print. Pure functions on values.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/json_writer.hpp"
#include "finance/analytics/distress.hpp"
#include "finance/analytics/health.hpp"
#include "finance/analytics/period.hpp"
#include "finance/analytics/ratios.hpp"

namespace aic::finance {

struct PeriodScores {
  FinancialPeriod period;
  std::optional<FinancialPeriod> prior;  // the period before, same length, when known
  std::vector<Ratio> ratios;
  AltmanScore altman;
  // The scores that compare two years; nullopt without a prior period.
  std::optional<PiotroskiScore> piotroski;
  std::optional<BeneishScore> beneish;
  std::optional<OhlsonScore> ohlson;
  HealthScore health;
};

// The price-level index that divides total assets (whole currency units) in Ohlson's size
// term, as in the paper: the US GDP implicit price deflator of 2024 relative to 1968, × 100
// (about 125.2 / 18.2 on a 2017 = 100 base). It is one present-day level, not a per-year
// table, so a period of another year is deflated as if it were 2024. Other currencies are
// treated as if they were dollars, an approximation. See docs/finance/methods.md.
inline constexpr double kOhlsonPriceLevel = 690.0;

// True when `earlier` ends 350 to 380 days before `later`: the period a score compares
// with. For quarters this is the same quarter a year before (seasons cancel out, and the
// fourth quarter, which filings seldom report on its own, is not needed).
bool is_year_before(const FinancialPeriod& earlier, const FinancialPeriod& later);

PeriodScores score_period(const FinancialPeriod& period,
                          const std::optional<FinancialPeriod>& prior, const FirmProfile& profile);

// {"period":{"end","length"},"prior_period":…,"ratios":[…],"altman":{…},"piotroski":{…},
//  "beneish":{…},"ohlson":{…},"health":{…}}; numbers as JSON numbers, absent ones null with
// a reason.
std::string to_json(const PeriodScores& scores);
// The same members into an object the caller has begun (and will end), after its own.
void write_scores_members(core::JsonWriter& json, const PeriodScores& scores);

}  // namespace aic::finance
