// Financial ratios and distress scores on a small fictional company worked by hand, their
// boundaries, and a sweep showing that no input combination yields NaN or infinity.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <iostream>
#include <limits>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "finance/analytics/distress.hpp"
#include "finance/analytics/health.hpp"
#include "finance/analytics/period.hpp"
#include "finance/analytics/ratios.hpp"
#include "finance/analytics/scores.hpp"

namespace aic::finance {
namespace {

constexpr double kTolerance = 1e-9;

// Acme Widgets (fictional), fiscal year 2024, in thousands of one currency.
FinancialPeriod acme_2024() {
  FinancialPeriod p;
  p.period_end = std::chrono::year{2024} / 12 / 31;
  p.length = PeriodLength::kAnnual;
  p.revenue = 1000;
  p.cogs = 600;
  p.sga = 200;
  p.depreciation = 50;
  p.ebit = 150;
  p.interest_expense = 30;
  p.pretax_income = 120;
  p.income_tax = 30;
  p.net_income = 90;
  p.cash = 100;
  p.short_term_investments = 50;
  p.receivables = 150;
  p.inventory = 200;
  p.current_assets = 500;
  p.ppe_net = 400;
  p.total_assets = 1000;
  p.payables = 120;
  p.current_liabilities = 250;
  p.long_term_debt = 300;
  p.total_liabilities = 600;
  p.retained_earnings = 300;
  p.equity = 400;
  p.shares_outstanding = 100;
  p.operating_cash_flow = 130;
  p.capex = 60;
  p.dividends = 20;
  p.shares_issued = 0;
  p.market_value_equity = 800;
  return p;
}

// The year before.
FinancialPeriod acme_2023() {
  FinancialPeriod p;
  p.period_end = std::chrono::year{2023} / 12 / 31;
  p.length = PeriodLength::kAnnual;
  p.revenue = 800;
  p.cogs = 500;
  p.sga = 180;
  p.depreciation = 45;
  p.ebit = 100;
  p.interest_expense = 25;
  p.pretax_income = 80;
  p.income_tax = 20;
  p.net_income = 60;
  p.cash = 80;
  p.short_term_investments = 40;
  p.receivables = 100;
  p.inventory = 180;
  p.current_assets = 400;
  p.ppe_net = 380;
  p.total_assets = 900;
  p.payables = 100;
  p.current_liabilities = 220;
  p.long_term_debt = 320;
  p.total_liabilities = 560;
  p.retained_earnings = 230;
  p.equity = 340;
  p.shares_outstanding = 100;
  p.operating_cash_flow = 90;
  p.capex = 50;
  p.dividends = 20;
  p.shares_issued = 0;
  p.market_value_equity = 700;
  return p;
}

double value_of(const std::vector<Ratio>& ratios, std::string_view name) {
  const Ratio* ratio = find_ratio(ratios, name);
  EXPECT_NE(ratio, nullptr) << name;
  if (ratio == nullptr || !ratio->value) {
    ADD_FAILURE() << name << " is null: " << (ratio ? ratio->reason_if_null : "absent");
    return std::nan("");
  }
  return *ratio->value;
}

const Ratio& ratio_named(const std::vector<Ratio>& ratios, std::string_view name) {
  const Ratio* ratio = find_ratio(ratios, name);
  if (ratio == nullptr) throw std::runtime_error("no ratio " + std::string(name));
  return *ratio;
}

bool contains(const std::vector<std::string>& names, std::string_view name) {
  for (const std::string& each : names) {
    if (each == name) return true;
  }
  return false;
}

const PiotroskiSignal& signal_named(const PiotroskiScore& score, std::string_view name) {
  for (const PiotroskiSignal& signal : score.signals) {
    if (signal.name == name) return signal;
  }
  throw std::runtime_error("no signal " + std::string(name));
}

const ScoreComponent& component_named(const std::vector<ScoreComponent>& components,
                                      std::string_view name) {
  for (const ScoreComponent& component : components) {
    if (component.name == name) return component;
  }
  throw std::runtime_error("no component " + std::string(name));
}

TEST(DaysInPeriod, YearAndQuarter) {
  EXPECT_EQ(days_in_period(PeriodLength::kAnnual), 365.0);
  EXPECT_EQ(days_in_period(PeriodLength::kQuarter), 91.25);
}

TEST(Ratios, LiquidityAndLeverage) {
  const FinancialPeriod p = acme_2024();
  const std::vector<Ratio> liquidity = liquidity_ratios(p);
  EXPECT_NEAR(value_of(liquidity, "current_ratio"), 2.0, kTolerance);  // 500 / 250
  EXPECT_NEAR(value_of(liquidity, "quick_ratio"), 1.2, kTolerance);    // (100+50+150) / 250
  EXPECT_NEAR(value_of(liquidity, "cash_ratio"), 0.4, kTolerance);     // 100 / 250
  EXPECT_EQ(ratio_named(liquidity, "quick_ratio").inputs,
            (std::vector<std::string>{"cash", "short_term_investments", "receivables",
                                      "current_liabilities"}));

  const std::vector<Ratio> leverage = leverage_ratios(p);
  EXPECT_NEAR(value_of(leverage, "debt_to_assets"), 0.6, kTolerance);     // 600 / 1000
  EXPECT_NEAR(value_of(leverage, "debt_to_equity"), 1.5, kTolerance);     // 600 / 400
  EXPECT_NEAR(value_of(leverage, "interest_coverage"), 5.0, kTolerance);  // 150 / 30
}

TEST(Ratios, ProfitabilityEndOfPeriodAndAverageBalances) {
  const FinancialPeriod p = acme_2024();
  const FinancialPeriod prior = acme_2023();
  const std::vector<Ratio> alone = profitability_ratios(p, nullptr);
  EXPECT_NEAR(value_of(alone, "gross_margin"), 0.4, kTolerance);        // (1000-600) / 1000
  EXPECT_NEAR(value_of(alone, "operating_margin"), 0.15, kTolerance);   // 150 / 1000
  EXPECT_NEAR(value_of(alone, "net_margin"), 0.09, kTolerance);         // 90 / 1000
  EXPECT_NEAR(value_of(alone, "return_on_assets"), 0.09, kTolerance);   // 90 / 1000
  EXPECT_NEAR(value_of(alone, "return_on_equity"), 0.225, kTolerance);  // 90 / 400

  const std::vector<Ratio> averaged = profitability_ratios(p, &prior);
  // ROA = 90 / ((1000 + 900) / 2) = 90 / 950 = 0.0947368421…
  EXPECT_NEAR(value_of(averaged, "return_on_assets"), 90.0 / 950.0, kTolerance);
  // ROE = 90 / ((400 + 340) / 2) = 90 / 370 = 0.2432432432…
  EXPECT_NEAR(value_of(averaged, "return_on_equity"), 90.0 / 370.0, kTolerance);
  EXPECT_TRUE(contains(ratio_named(averaged, "return_on_assets").inputs, "prior.total_assets"));
  EXPECT_FALSE(contains(ratio_named(alone, "return_on_assets").inputs, "prior.total_assets"));
}

TEST(Ratios, EfficiencyDaysScaleWithPeriodLength) {
  FinancialPeriod p = acme_2024();
  const FinancialPeriod prior = acme_2023();
  const std::vector<Ratio> alone = efficiency_ratios(p, nullptr);
  EXPECT_NEAR(value_of(alone, "asset_turnover"), 1.0, kTolerance);  // 1000 / 1000
  // DSO = 150 / 1000 × 365 = 54.75; DIO = 200 / 600 × 365 = 121.666…; DPO = 120 / 600 × 365 = 73
  EXPECT_NEAR(value_of(alone, "days_sales_outstanding"), 54.75, kTolerance);
  EXPECT_NEAR(value_of(alone, "days_inventory_outstanding"), 365.0 / 3.0, kTolerance);
  EXPECT_NEAR(value_of(alone, "days_payables_outstanding"), 73.0, kTolerance);
  // CCC = 54.75 + 121.666… − 73 = 103.41666…
  EXPECT_NEAR(value_of(alone, "cash_conversion_cycle"), 54.75 + 365.0 / 3.0 - 73.0, kTolerance);

  const std::vector<Ratio> averaged = efficiency_ratios(p, &prior);
  EXPECT_NEAR(value_of(averaged, "asset_turnover"), 1000.0 / 950.0, kTolerance);
  // Average receivables (150+100)/2 = 125 → 125 / 1000 × 365 = 45.625
  EXPECT_NEAR(value_of(averaged, "days_sales_outstanding"), 45.625, kTolerance);
  // Average inventory 190 → 190 / 600 × 365 = 115.58333…; average payables 110 → 66.91666…
  EXPECT_NEAR(value_of(averaged, "days_inventory_outstanding"), 190.0 / 600.0 * 365.0, kTolerance);
  EXPECT_NEAR(value_of(averaged, "days_payables_outstanding"), 110.0 / 600.0 * 365.0, kTolerance);
  // CCC = 45.625 + 115.58333… − 66.91666… = 94.291666…
  EXPECT_NEAR(value_of(averaged, "cash_conversion_cycle"), 94.29166666666667, kTolerance);

  p.length = PeriodLength::kQuarter;
  // 150 / 1000 × 91.25 = 13.6875
  EXPECT_NEAR(value_of(efficiency_ratios(p, nullptr), "days_sales_outstanding"), 13.6875,
              kTolerance);
}

TEST(Ratios, CashFlowAndGrowth) {
  FinancialPeriod p = acme_2024();
  FinancialPeriod prior = acme_2023();
  const std::vector<Ratio> cash_flow = cash_flow_ratios(p);
  EXPECT_NEAR(value_of(cash_flow, "operating_cash_flow_to_net_income"), 130.0 / 90.0, kTolerance);
  EXPECT_NEAR(value_of(cash_flow, "free_cash_flow"), 70.0, kTolerance);  // 130 − 60
  p.capex = -60;  // the cash-flow statement's sign gives the same free cash flow
  EXPECT_NEAR(value_of(cash_flow_ratios(p), "free_cash_flow"), 70.0, kTolerance);

  const std::vector<Ratio> growth = growth_ratios(p, prior);
  EXPECT_NEAR(value_of(growth, "revenue_growth"), 0.25, kTolerance);    // (1000−800) / 800
  EXPECT_NEAR(value_of(growth, "net_income_growth"), 0.5, kTolerance);  // (90−60) / 60
  EXPECT_NEAR(value_of(growth, "total_assets_growth"), 100.0 / 900.0, kTolerance);

  // A loss shrinking from −10 to −5 is an improvement: (−5 − −10) / |−10| = +0.5.
  p.net_income = -5;
  prior.net_income = -10;
  EXPECT_NEAR(value_of(growth_ratios(p, prior), "net_income_growth"), 0.5, kTolerance);
}

TEST(Ratios, AllRatiosHasEveryGroup) {
  const FinancialPeriod p = acme_2024();
  const FinancialPeriod prior = acme_2023();
  EXPECT_EQ(all_ratios(p, nullptr).size(), 3u + 3u + 5u + 5u + 2u);
  const std::vector<Ratio> all = all_ratios(p, &prior);
  EXPECT_EQ(all.size(), 3u + 3u + 5u + 5u + 2u + 3u);
  for (const Ratio& ratio : all) {
    EXPECT_TRUE(ratio.value.has_value()) << ratio.name << ": " << ratio.reason_if_null;
    EXPECT_TRUE(ratio.reason_if_null.empty()) << ratio.name;
  }
}

TEST(Ratios, ZeroDenominatorNamesTheInput) {
  FinancialPeriod p = acme_2024();
  p.current_liabilities = 0;
  p.interest_expense = 0;
  p.revenue = 0;
  const std::vector<Ratio> ratios = all_ratios(p, nullptr);
  const Ratio& current = ratio_named(ratios, "current_ratio");
  EXPECT_FALSE(current.value);
  EXPECT_EQ(current.reason_if_null, "current_liabilities is zero");
  EXPECT_EQ(current.inputs, (std::vector<std::string>{"current_assets", "current_liabilities"}));
  EXPECT_EQ(ratio_named(ratios, "interest_coverage").reason_if_null, "interest_expense is zero");
  EXPECT_EQ(ratio_named(ratios, "gross_margin").reason_if_null, "revenue is zero");
  EXPECT_EQ(ratio_named(ratios, "days_sales_outstanding").reason_if_null, "revenue is zero");
  // The cycle is null because one of its parts is.
  EXPECT_EQ(ratio_named(ratios, "cash_conversion_cycle").reason_if_null, "revenue is zero");
  // A zero numerator is a valid zero.
  EXPECT_EQ(ratio_named(ratios, "asset_turnover").value, 0.0);
}

TEST(Ratios, MissingInputNamesTheInput) {
  FinancialPeriod p = acme_2024();
  FinancialPeriod prior = acme_2023();
  p.short_term_investments.reset();
  prior.total_assets.reset();
  p.equity = std::nan("");  // a caller's NaN counts as missing, it does not spread
  const std::vector<Ratio> ratios = all_ratios(p, &prior);
  EXPECT_EQ(ratio_named(ratios, "quick_ratio").reason_if_null, "short_term_investments is missing");
  EXPECT_EQ(ratio_named(ratios, "return_on_assets").reason_if_null,
            "prior.total_assets is missing");
  EXPECT_EQ(ratio_named(ratios, "total_assets_growth").reason_if_null,
            "prior.total_assets is missing");
  EXPECT_EQ(ratio_named(ratios, "debt_to_equity").reason_if_null, "equity is not a finite number");
  EXPECT_FALSE(ratio_named(ratios, "debt_to_equity").value);
  EXPECT_EQ(ratio_named(ratios, "net_income_growth").reason_if_null, "");
}

TEST(Ratios, OverflowIsNullNotInfinity) {
  FinancialPeriod p = acme_2024();
  p.current_assets = 1e308;
  p.current_liabilities = 1e-308;
  const std::vector<Ratio> ratios = liquidity_ratios(p);
  const Ratio& current = ratio_named(ratios, "current_ratio");
  EXPECT_FALSE(current.value);
  EXPECT_NE(current.reason_if_null.find("not finite"), std::string::npos);
}

TEST(AltmanZ, OriginalOnAcme) {
  // WC = 500 − 250 = 250. X1 = 250/1000 = 0.25, X2 = 300/1000 = 0.3, X3 = 150/1000 = 0.15,
  // X4 = 800/600 = 1.3333…, X5 = 1000/1000 = 1.
  // Z = 1.2×0.25 + 1.4×0.3 + 3.3×0.15 + 0.6×1.3333… + 1.0×1
  //   = 0.3 + 0.42 + 0.495 + 0.8 + 1.0 = 3.015 > 2.99 → safe.
  const AltmanScore z = altman_z(acme_2024(), AltmanVariant::kPublicManufacturing);
  ASSERT_TRUE(z.score) << z.reason_if_null;
  EXPECT_NEAR(*z.score, 3.015, kTolerance);
  EXPECT_EQ(z.zone, AltmanZone::kSafe);
  ASSERT_EQ(z.components.size(), 5u);
  EXPECT_NEAR(*component_named(z.components, "market_value_equity_to_total_liabilities").value,
              800.0 / 600.0, kTolerance);
  EXPECT_EQ(component_named(z.components, "market_value_equity_to_total_liabilities").coefficient,
            0.6);
  EXPECT_TRUE(z.missing_inputs.empty());
}

TEST(AltmanZ, PrivateOnAcme) {
  // X4′ = book equity / TL = 400/600 = 0.6666…
  // Z′ = 0.717×0.25 + 0.847×0.3 + 3.107×0.15 + 0.420×0.6666… + 0.998×1
  //    = 0.17925 + 0.2541 + 0.46605 + 0.28 + 0.998 = 2.1774 → grey (1.23–2.90).
  const AltmanScore z = altman_z(acme_2024(), AltmanVariant::kPrivate);
  ASSERT_TRUE(z.score) << z.reason_if_null;
  EXPECT_NEAR(*z.score, 2.1774, kTolerance);
  EXPECT_EQ(z.zone, AltmanZone::kGrey);
}

TEST(AltmanZ, NonManufacturingOnAcme) {
  // Z″ = 6.56×0.25 + 3.26×0.3 + 6.72×0.15 + 1.05×0.6666…
  //    = 1.64 + 0.978 + 1.008 + 0.7 = 4.326 > 2.6 → safe. No sales term.
  const AltmanScore z = altman_z(acme_2024(), AltmanVariant::kNonManufacturing);
  ASSERT_TRUE(z.score) << z.reason_if_null;
  EXPECT_NEAR(*z.score, 4.326, kTolerance);
  EXPECT_EQ(z.zone, AltmanZone::kSafe);
  EXPECT_EQ(z.components.size(), 4u);
}

// A period whose Z is exactly its sales term: only revenue / total assets is non-zero.
FinancialPeriod sales_only(double revenue) {
  FinancialPeriod p;
  p.current_assets = 0;
  p.current_liabilities = 0;
  p.retained_earnings = 0;
  p.ebit = 0;
  p.market_value_equity = 0;
  p.equity = 0;
  p.total_liabilities = 1;
  p.total_assets = 1;
  p.revenue = revenue;
  return p;
}

TEST(AltmanZ, ZoneBoundariesAreGrey) {
  // Z = 1.0 × revenue / 1, exactly.
  auto zone = [](double revenue) {
    return altman_z(sales_only(revenue), AltmanVariant::kPublicManufacturing).zone;
  };
  EXPECT_EQ(zone(1.8099999), AltmanZone::kDistress);
  EXPECT_EQ(zone(1.81), AltmanZone::kGrey);
  EXPECT_EQ(zone(2.5), AltmanZone::kGrey);
  EXPECT_EQ(zone(2.99), AltmanZone::kGrey);
  EXPECT_EQ(zone(2.9900001), AltmanZone::kSafe);

  // Z′ = 0.998 × revenue; revenue = (cut ± 1e-6) / 0.998.
  auto private_zone = [](double score) {
    return altman_z(sales_only(score / 0.998), AltmanVariant::kPrivate).zone;
  };
  EXPECT_EQ(private_zone(1.23 - 1e-6), AltmanZone::kDistress);
  EXPECT_EQ(private_zone(1.23 + 1e-6), AltmanZone::kGrey);
  EXPECT_EQ(private_zone(2.90 - 1e-6), AltmanZone::kGrey);
  EXPECT_EQ(private_zone(2.90 + 1e-6), AltmanZone::kSafe);

  // Z″ = 6.56 × working capital / total assets (total assets 1, all else 0).
  auto service_zone = [](double score) {
    FinancialPeriod p = sales_only(0);
    p.current_assets = score / 6.56;
    return altman_z(p, AltmanVariant::kNonManufacturing).zone;
  };
  EXPECT_EQ(service_zone(1.1 - 1e-6), AltmanZone::kDistress);
  EXPECT_EQ(service_zone(1.1 + 1e-6), AltmanZone::kGrey);
  EXPECT_EQ(service_zone(2.6 - 1e-6), AltmanZone::kGrey);
  EXPECT_EQ(service_zone(2.6 + 1e-6), AltmanZone::kSafe);
}

TEST(AltmanZ, MissingAndZeroInputsGiveNoScore) {
  FinancialPeriod p = acme_2024();
  p.market_value_equity.reset();
  const AltmanScore z = altman_z(p, AltmanVariant::kPublicManufacturing);
  EXPECT_FALSE(z.score);
  EXPECT_FALSE(z.zone);
  EXPECT_EQ(z.missing_inputs, std::vector<std::string>{"market_value_equity"});
  EXPECT_EQ(z.reason_if_null,
            "market_value_equity_to_total_liabilities: market_value_equity is missing");
  // Z′ does not need it.
  EXPECT_TRUE(altman_z(p, AltmanVariant::kPrivate).score);

  p = acme_2024();
  p.total_assets = 0;
  const AltmanScore zero = altman_z(p, AltmanVariant::kNonManufacturing);
  EXPECT_FALSE(zero.score);
  EXPECT_EQ(zero.reason_if_null, "working_capital_to_total_assets: total_assets is zero");
  EXPECT_TRUE(zero.missing_inputs.empty());
}

TEST(AltmanZ, ChooserPicksTheVariant) {
  const FinancialPeriod p = acme_2024();
  FinancialPeriod no_market = p;
  no_market.market_value_equity.reset();

  EXPECT_EQ(choose_altman_variant({.is_public = true, .is_manufacturing = true}, p).variant,
            AltmanVariant::kPublicManufacturing);
  EXPECT_EQ(choose_altman_variant({.is_public = false, .is_manufacturing = true}, p).variant,
            AltmanVariant::kPrivate);
  EXPECT_EQ(choose_altman_variant({.is_public = true, .is_manufacturing = false}, p).variant,
            AltmanVariant::kNonManufacturing);
  EXPECT_EQ(choose_altman_variant({.is_public = false, .is_manufacturing = false}, p).variant,
            AltmanVariant::kNonManufacturing);
  const AltmanChoice fallback =
      choose_altman_variant({.is_public = true, .is_manufacturing = true}, no_market);
  EXPECT_EQ(fallback.variant, AltmanVariant::kPrivate);
  EXPECT_NE(fallback.reason.find("without a market value"), std::string::npos);

  const AltmanScore chosen = altman_z_for(p, {.is_public = false, .is_manufacturing = false});
  EXPECT_EQ(chosen.variant, AltmanVariant::kNonManufacturing);
  EXPECT_NEAR(*chosen.score, 4.326, kTolerance);
  EXPECT_FALSE(chosen.choice_reason.empty());
  EXPECT_EQ(to_string(chosen.variant), "Z''");
  EXPECT_EQ(to_string(*chosen.zone), "safe");
}

// Snowflake Inc., fiscal year ending 2025-01-31 (10-K, /work/shared/data/README.md), Z″:
//   WC = 5,869,372,000 − 3,301,183,000 = 2,568,189,000
//   X1 = 2,568,189,000 / 9,033,938,000 =  0.284282336…   × 6.56 =  1.864892126…
//   X2 = −7,293,575,000 / 9,033,938,000 = −0.807352785…  × 3.26 = −2.631970078…
//   X3 = −1,456,010,000 / 9,033,938,000 = −0.161171130…  × 6.72 = −1.083069997…
//   X4 = 2,999,929,000 / 6,027,295,000 =  0.497723938…   × 1.05 =  0.522610134…
//   Z″ = 1.864892126 − 2.631970078 − 1.083069997 + 0.522610134 = −1.327537814 < 1.1 → distress
TEST(AltmanZ, SnowflakeFiscal2025NonManufacturing) {
  FinancialPeriod p;
  p.period_end = std::chrono::year{2025} / 1 / 31;
  p.total_assets = 9'033'938'000;
  p.current_assets = 5'869'372'000;
  p.current_liabilities = 3'301'183'000;
  p.total_liabilities = 6'027'295'000;
  p.retained_earnings = -7'293'575'000;
  p.equity = 2'999'929'000;
  p.ebit = -1'456'010'000;
  p.revenue = 3'626'396'000;
  const AltmanScore z = altman_z_for(p, {.is_public = true, .is_manufacturing = false});
  EXPECT_EQ(z.variant, AltmanVariant::kNonManufacturing);
  ASSERT_TRUE(z.score) << z.reason_if_null;
  EXPECT_NEAR(*component_named(z.components, "working_capital_to_total_assets").value,
              2'568'189'000.0 / 9'033'938'000.0, kTolerance);
  EXPECT_NEAR(*z.score, -1.327537814371361, kTolerance);
  EXPECT_EQ(z.zone, AltmanZone::kDistress);
}

TEST(Piotroski, AcmePassesAllNine) {
  // 1 ROA = 90/1000 = 0.09 > 0                              pass
  // 2 CFO = 130 > 0                                         pass
  // 3 ΔROA = 0.09 − 60/900 = 0.02333… > 0                   pass
  // 4 CFO/TA − ROA = 0.13 − 0.09 = 0.04 > 0                 pass
  // 5 Δ(LTD/TA) = 300/1000 − 320/900 = −0.05555… < 0        pass
  // 6 Δcurrent ratio = 500/250 − 400/220 = 0.181818… > 0    pass
  // 7 equity issued = 0                                     pass
  // 8 Δgross margin = 0.4 − 300/800 = 0.025 > 0             pass
  // 9 Δasset turnover = 1000/1000 − 800/900 = 0.1111… > 0   pass
  const PiotroskiScore f = piotroski_f_score(acme_2024(), acme_2023());
  ASSERT_TRUE(f.score) << f.reason_if_null;
  EXPECT_EQ(*f.score, 9);
  EXPECT_EQ(f.signals_available, 9);
  ASSERT_EQ(f.signals.size(), 9u);
  const std::array<std::string_view, 9> order = {
      "roa_positive",           "cfo_positive",
      "roa_improved",           "accrual_cfo_exceeds_roa",
      "leverage_decreased",     "current_ratio_improved",
      "no_new_shares_issued",   "gross_margin_improved",
      "asset_turnover_improved"};
  for (std::size_t i = 0; i < order.size(); ++i) EXPECT_EQ(f.signals[i].name, order[i]);
  EXPECT_NEAR(*signal_named(f, "roa_positive").value, 0.09, kTolerance);
  EXPECT_NEAR(*signal_named(f, "roa_improved").value, 0.09 - 60.0 / 900.0, kTolerance);
  EXPECT_NEAR(*signal_named(f, "accrual_cfo_exceeds_roa").value, 0.04, kTolerance);
  EXPECT_NEAR(*signal_named(f, "leverage_decreased").value, 0.3 - 320.0 / 900.0, kTolerance);
  EXPECT_NEAR(*signal_named(f, "current_ratio_improved").value, 2.0 - 400.0 / 220.0, kTolerance);
  EXPECT_NEAR(*signal_named(f, "gross_margin_improved").value, 0.025, kTolerance);
  EXPECT_NEAR(*signal_named(f, "asset_turnover_improved").value, 1.0 - 800.0 / 900.0, kTolerance);
  EXPECT_TRUE(contains(signal_named(f, "roa_improved").inputs, "prior.net_income"));
}

struct SignalCase {
  std::string_view signal;
  void (*change)(FinancialPeriod& current, FinancialPeriod& prior);
};

TEST(Piotroski, EachSignalTurnsOff) {
  const std::array<SignalCase, 9> cases = {{
      // ROA −10/1000 < 0; the prior year was worse (−20/900), so ΔROA still passes.
      {"roa_positive",
       [](FinancialPeriod& c, FinancialPeriod& p) {
         c.net_income = -10;
         p.net_income = -20;
       }},
      {"cfo_positive", [](FinancialPeriod& c, FinancialPeriod&) { c.operating_cash_flow = -1; }},
      // Prior ROA 100/900 = 0.111 > 0.09.
      {"roa_improved", [](FinancialPeriod&, FinancialPeriod& p) { p.net_income = 100; }},
      // CFO/TA 0.08 < ROA 0.09.
      {"accrual_cfo_exceeds_roa",
       [](FinancialPeriod& c, FinancialPeriod&) { c.operating_cash_flow = 80; }},
      // 400/1000 = 0.4 > 320/900 = 0.356.
      {"leverage_decreased", [](FinancialPeriod& c, FinancialPeriod&) { c.long_term_debt = 400; }},
      // 500/300 = 1.667 < 400/220 = 1.818.
      {"current_ratio_improved",
       [](FinancialPeriod& c, FinancialPeriod&) { c.current_liabilities = 300; }},
      {"no_new_shares_issued", [](FinancialPeriod& c, FinancialPeriod&) { c.shares_issued = 50; }},
      // (1000 − 650)/1000 = 0.35 < 0.375.
      {"gross_margin_improved", [](FinancialPeriod& c, FinancialPeriod&) { c.cogs = 650; }},
      // Prior turnover 800/700 = 1.143 > 1.
      {"asset_turnover_improved",
       [](FinancialPeriod&, FinancialPeriod& p) { p.total_assets = 700; }},
  }};
  for (const SignalCase& test : cases) {
    FinancialPeriod current = acme_2024();
    FinancialPeriod prior = acme_2023();
    test.change(current, prior);
    const PiotroskiScore f = piotroski_f_score(current, prior);
    ASSERT_TRUE(f.score) << test.signal << ": " << f.reason_if_null;
    EXPECT_EQ(signal_named(f, test.signal).passed, false) << test.signal;
    int passed = 0;
    for (const PiotroskiSignal& s : f.signals) passed += *s.passed ? 1 : 0;
    EXPECT_EQ(*f.score, passed);
    EXPECT_LT(*f.score, 9) << test.signal;
  }
}

TEST(Piotroski, EdgeDefinitions) {
  FinancialPeriod current = acme_2024();
  FinancialPeriod prior = acme_2023();
  // Without equity issued, a rise in shares outstanding counts as issuance.
  current.shares_issued.reset();
  EXPECT_EQ(signal_named(piotroski_f_score(current, prior), "no_new_shares_issued").passed, true);
  current.shares_outstanding = 110;
  const PiotroskiSignal shares =
      signal_named(piotroski_f_score(current, prior), "no_new_shares_issued");
  EXPECT_EQ(shares.passed, false);
  EXPECT_NEAR(*shares.value, 10.0, kTolerance);
  // No debt in either year: leverage did not fall, the signal is off (strict decrease).
  current.long_term_debt = 0;
  prior.long_term_debt = 0;
  EXPECT_EQ(signal_named(piotroski_f_score(current, prior), "leverage_decreased").passed, false);
}

TEST(Piotroski, MissingInputLeavesOtherSignals) {
  FinancialPeriod prior = acme_2023();
  prior.revenue.reset();
  const PiotroskiScore f = piotroski_f_score(acme_2024(), prior);
  EXPECT_FALSE(f.score);
  EXPECT_EQ(f.signals_available, 7);
  EXPECT_EQ(f.signals_passed, 7);
  EXPECT_EQ(f.missing_inputs, std::vector<std::string>{"prior.revenue"});
  EXPECT_EQ(f.reason_if_null, "gross_margin_improved: prior.revenue is missing");
  EXPECT_FALSE(signal_named(f, "asset_turnover_improved").passed);
}

TEST(Beneish, AcmeIsBelowThreshold) {
  // DSRI = (150/1000) / (100/800) = 0.15 / 0.125                      = 1.2
  // GMI  = (300/800) / (400/1000) = 0.375 / 0.4                       = 0.9375
  // AQI  = (1 − (500+400)/1000) / (1 − (400+380)/900) = 0.1 / 0.1333… = 0.75
  // SGI  = 1000 / 800                                                 = 1.25
  // DEPI = (45/(45+380)) / (50/(50+400)) = 20250 / 21250              = 0.952941176…
  // SGAI = (200/1000) / (180/800) = 0.2 / 0.225                       = 0.888888…
  // TATA = (90 − 130) / 1000                                          = −0.04
  // LVGI = ((250+300)/1000) / ((220+320)/900) = 0.55 / 0.6            = 0.916666…
  // M = −4.84 + 0.920×1.2 + 0.528×0.9375 + 0.404×0.75 + 0.892×1.25 + 0.115×0.952941
  //     − 0.172×0.888889 + 4.679×(−0.04) − 0.327×0.916667
  //   = −4.84 + 1.104 + 0.495 + 0.303 + 1.115 + 0.109588 − 0.152889 − 0.18716 − 0.29975
  //   = −2.353210654 < −1.78 → not a likely manipulator
  const BeneishScore m = beneish_m_score(acme_2024(), acme_2023());
  ASSERT_TRUE(m.score) << m.reason_if_null;
  EXPECT_NEAR(*component_named(m.components, "DSRI").value, 1.2, kTolerance);
  EXPECT_NEAR(*component_named(m.components, "GMI").value, 0.9375, kTolerance);
  EXPECT_NEAR(*component_named(m.components, "AQI").value, 0.75, kTolerance);
  EXPECT_NEAR(*component_named(m.components, "SGI").value, 1.25, kTolerance);
  EXPECT_NEAR(*component_named(m.components, "DEPI").value, 20250.0 / 21250.0, kTolerance);
  EXPECT_NEAR(*component_named(m.components, "SGAI").value, 0.2 / 0.225, kTolerance);
  EXPECT_NEAR(*component_named(m.components, "TATA").value, -0.04, kTolerance);
  EXPECT_NEAR(*component_named(m.components, "LVGI").value, 0.55 / 0.6, kTolerance);
  EXPECT_EQ(component_named(m.components, "SGAI").coefficient, -0.172);
  EXPECT_NEAR(*m.score, -2.353210653594771, kTolerance);
  EXPECT_EQ(m.likely_manipulator, false);
}

TEST(Beneish, HighAccrualsCrossTheThreshold) {
  // CFO −30: TATA = (90 − (−30)) / 1000 = 0.12, i.e. +0.16 over Acme's −0.04:
  // M = −2.353210654 + 4.679 × 0.16 = −2.353210654 + 0.74864 = −1.604570654 > −1.78.
  FinancialPeriod current = acme_2024();
  current.operating_cash_flow = -30;
  const BeneishScore m = beneish_m_score(current, acme_2023());
  ASSERT_TRUE(m.score) << m.reason_if_null;
  EXPECT_NEAR(*m.score, -1.604570653594771, kTolerance);
  EXPECT_EQ(m.likely_manipulator, true);
}

TEST(Beneish, ZeroDenominatorGivesNoScore) {
  FinancialPeriod current = acme_2024();
  current.depreciation = 0;
  current.ppe_net = 0;
  const BeneishScore m = beneish_m_score(current, acme_2023());
  EXPECT_FALSE(m.score);
  EXPECT_FALSE(m.likely_manipulator);
  EXPECT_EQ(m.reason_if_null, "DEPI: (depreciation + ppe_net) is zero");
  EXPECT_FALSE(component_named(m.components, "DEPI").value);
  EXPECT_TRUE(component_named(m.components, "DSRI").value);  // the others are still reported
}

TEST(Ohlson, AcmeProbability) {
  // SIZE = ln(1000 / 1.0) = 6.907755279; TLTA = 600/1000 = 0.6; WCTA = 250/1000 = 0.25;
  // CLCA = 250/500 = 0.5; OENEG = 0 (600 ≤ 1000); NITA = 90/1000 = 0.09;
  // FUTL = 130/600 = 0.216667; INTWO = 0; CHIN = (90 − 60) / (90 + 60) = 0.2.
  // O = −1.32 − 0.407×6.907755 + 6.03×0.6 − 1.43×0.25 + 0.0757×0.5 − 1.72×0 − 2.37×0.09
  //     − 1.83×0.216667 + 0.285×0 − 0.521×0.2
  //   = −1.32 − 2.811456 + 3.618 − 0.3575 + 0.03785 − 0.2133 − 0.3965 − 0.1042
  //   = −1.547106399; P = e^O / (1 + e^O) = 0.175504587
  const OhlsonScore o = ohlson_o_score(acme_2024(), acme_2023());
  ASSERT_TRUE(o.score) << o.reason_if_null;
  EXPECT_NEAR(*component_named(o.components, "SIZE").value, std::log(1000.0), kTolerance);
  EXPECT_NEAR(*component_named(o.components, "CHIN").value, 0.2, kTolerance);
  EXPECT_EQ(component_named(o.components, "OENEG").value, 0.0);
  EXPECT_EQ(component_named(o.components, "INTWO").value, 0.0);
  EXPECT_NEAR(*o.score, -1.5471063985457298, kTolerance);
  ASSERT_TRUE(o.probability);
  EXPECT_NEAR(*o.probability, 0.17550458710855735, kTolerance);
  EXPECT_GT(*o.probability, 0.0);
  EXPECT_LT(*o.probability, 1.0);
  EXPECT_EQ(o.price_level_index, 1.0);
}

TEST(Ohlson, PriceLevelIndexShiftsOnlyTheSizeTerm) {
  // ln(1000 / 10) = ln(1000) − ln(10): O rises by 0.407 × ln(10).
  const OhlsonScore base = ohlson_o_score(acme_2024(), acme_2023());
  const OhlsonScore indexed = ohlson_o_score(acme_2024(), acme_2023(), 10.0);
  ASSERT_TRUE(indexed.score);
  EXPECT_NEAR(*indexed.score - *base.score, 0.407 * std::log(10.0), kTolerance);
  EXPECT_FALSE(ohlson_o_score(acme_2024(), acme_2023(), 0.0).score);
  EXPECT_FALSE(ohlson_o_score(acme_2024(), acme_2023(), -1.0).score);
  EXPECT_EQ(ohlson_o_score(acme_2024(), acme_2023(), 0.0).reason_if_null,
            "SIZE: price_level_index must be finite and > 0");
}

TEST(Ohlson, DistressedFirmIndicators) {
  // TL 1200 > TA 1000 → OENEG 1; losses −100 and −50 → INTWO 1;
  // CHIN = (−100 − (−50)) / (100 + 50) = −1/3.
  FinancialPeriod current = acme_2024();
  FinancialPeriod prior = acme_2023();
  current.total_liabilities = 1200;
  current.net_income = -100;
  prior.net_income = -50;
  const OhlsonScore o = ohlson_o_score(current, prior);
  ASSERT_TRUE(o.score) << o.reason_if_null;
  EXPECT_EQ(component_named(o.components, "OENEG").value, 1.0);
  EXPECT_EQ(component_named(o.components, "INTWO").value, 1.0);
  EXPECT_NEAR(*component_named(o.components, "CHIN").value, -1.0 / 3.0, kTolerance);
  // O = −1.32 − 0.407×ln(1000) + 6.03×1.2 − 1.43×0.25 + 0.0757×0.5 − 1.72 − 2.37×(−0.1)
  //     − 1.83×(130/1200) + 0.285 − 0.521×(−1/3)
  const double expected = -1.32 - 0.407 * std::log(1000.0) + 6.03 * 1.2 - 1.43 * 0.25 +
                          0.0757 * 0.5 - 1.72 + 2.37 * 0.1 - 1.83 * (130.0 / 1200.0) + 0.285 +
                          0.521 / 3.0;
  EXPECT_NEAR(*o.score, expected, kTolerance);
  EXPECT_GT(*o.probability, 0.5);
  EXPECT_LT(*o.probability, 1.0);
}

TEST(Ohlson, EdgeCases) {
  FinancialPeriod current = acme_2024();
  FinancialPeriod prior = acme_2023();
  current.net_income = 0;
  prior.net_income = 0;
  EXPECT_EQ(component_named(ohlson_o_score(current, prior).components, "CHIN").value, 0.0);

  current = acme_2024();
  current.total_assets = 0;
  const OhlsonScore zero = ohlson_o_score(current, prior);
  EXPECT_FALSE(zero.score);
  EXPECT_FALSE(zero.probability);
  EXPECT_EQ(zero.reason_if_null, "SIZE: total_assets is not positive (logarithm)");

  current = acme_2024();
  prior.net_income.reset();
  const OhlsonScore missing = ohlson_o_score(current, prior);
  EXPECT_FALSE(missing.score);
  EXPECT_EQ(missing.missing_inputs, std::vector<std::string>{"prior.net_income"});
}

// Every value a function returns is either absent with a reason or finite.
void expect_sane(const std::optional<double>& value, const std::string& reason,
                 const std::string& what) {
  if (value) {
    EXPECT_TRUE(std::isfinite(*value)) << what;
  } else {
    EXPECT_FALSE(reason.empty()) << what;
  }
}

void expect_all_sane(const FinancialPeriod& current, const FinancialPeriod& prior) {
  for (const Ratio& r : all_ratios(current, &prior)) expect_sane(r.value, r.reason_if_null, r.name);
  for (const Ratio& r : all_ratios(current, nullptr))
    expect_sane(r.value, r.reason_if_null, r.name);
  for (AltmanVariant variant : {AltmanVariant::kPublicManufacturing, AltmanVariant::kPrivate,
                                AltmanVariant::kNonManufacturing}) {
    const AltmanScore z = altman_z(current, variant);
    expect_sane(z.score, z.reason_if_null, "altman");
    EXPECT_EQ(z.score.has_value(), z.zone.has_value());
    for (const ScoreComponent& c : z.components) expect_sane(c.value, c.reason_if_null, c.name);
  }
  const PiotroskiScore f = piotroski_f_score(current, prior);
  for (const PiotroskiSignal& s : f.signals) {
    expect_sane(s.value, s.reason_if_null, s.name);
    EXPECT_EQ(s.value.has_value(), s.passed.has_value());
  }
  if (f.score) {
    EXPECT_GE(*f.score, 0);
    EXPECT_LE(*f.score, 9);
  }
  const BeneishScore m = beneish_m_score(current, prior);
  expect_sane(m.score, m.reason_if_null, "beneish");
  for (const ScoreComponent& c : m.components) expect_sane(c.value, c.reason_if_null, c.name);
  const OhlsonScore o = ohlson_o_score(current, prior);
  expect_sane(o.score, o.reason_if_null, "ohlson");
  for (const ScoreComponent& c : o.components) expect_sane(c.value, c.reason_if_null, c.name);
  if (o.probability) {
    EXPECT_GE(*o.probability, 0.0);
    EXPECT_LE(*o.probability, 1.0);
  }
}

// Every optional<double> member of FinancialPeriod, so the sweep can set each one.
constexpr std::array<std::optional<double> FinancialPeriod::*, 28> kFields = {
    &FinancialPeriod::revenue,
    &FinancialPeriod::cogs,
    &FinancialPeriod::sga,
    &FinancialPeriod::depreciation,
    &FinancialPeriod::ebit,
    &FinancialPeriod::interest_expense,
    &FinancialPeriod::pretax_income,
    &FinancialPeriod::income_tax,
    &FinancialPeriod::net_income,
    &FinancialPeriod::cash,
    &FinancialPeriod::short_term_investments,
    &FinancialPeriod::receivables,
    &FinancialPeriod::inventory,
    &FinancialPeriod::current_assets,
    &FinancialPeriod::ppe_net,
    &FinancialPeriod::total_assets,
    &FinancialPeriod::payables,
    &FinancialPeriod::current_liabilities,
    &FinancialPeriod::long_term_debt,
    &FinancialPeriod::total_liabilities,
    &FinancialPeriod::retained_earnings,
    &FinancialPeriod::equity,
    &FinancialPeriod::shares_outstanding,
    &FinancialPeriod::operating_cash_flow,
    &FinancialPeriod::capex,
    &FinancialPeriod::dividends,
    &FinancialPeriod::shares_issued,
    &FinancialPeriod::market_value_equity,
};

TEST(NoNanOrInfinity, EachFieldZeroOrNegative) {
  for (auto field : kFields) {
    for (double bad : {0.0, -1.0, -1e9}) {
      FinancialPeriod current = acme_2024();
      FinancialPeriod prior = acme_2023();
      current.*field = bad;
      expect_all_sane(current, prior);
      prior.*field = bad;
      expect_all_sane(current, prior);
      current = acme_2024();
      expect_all_sane(current, prior);
    }
  }
  FinancialPeriod zero;
  for (auto field : kFields) zero.*field = 0.0;
  expect_all_sane(zero, zero);
  expect_all_sane(FinancialPeriod{}, FinancialPeriod{});  // everything missing
}

TEST(NoNanOrInfinity, RandomExtremeCombinations) {
  // Deterministic: a fixed seed, so a failure reproduces.
  std::mt19937 random(20240101);
  const std::array<std::optional<double>, 12> values = {
      std::nullopt, 0.0,   -0.0,   1.0,   -1.0, 1e-308,
      -1e-308,      1e308, -1e308, 1e154, 42.5, std::numeric_limits<double>::quiet_NaN()};
  std::uniform_int_distribution<std::size_t> pick(0, values.size() - 1);
  // The sweep must also reach computed scores, not only missing inputs.
  int altman_scored = 0;
  int beneish_scored = 0;
  int ohlson_scored = 0;
  std::bernoulli_distribution replace(0.15);
  for (int round = 0; round < 800; ++round) {
    // Even rounds: every field random, mostly null paths. Odd rounds: Acme with a few fields
    // replaced, so most scores are computed on extreme values.
    const bool around_acme = round % 2 == 1;
    FinancialPeriod current = around_acme ? acme_2024() : FinancialPeriod{};
    FinancialPeriod prior = around_acme ? acme_2023() : FinancialPeriod{};
    for (auto field : kFields) {
      if (!around_acme || replace(random)) current.*field = values[pick(random)];
      if (!around_acme || replace(random)) prior.*field = values[pick(random)];
    }
    expect_all_sane(current, prior);
    if (HasFailure()) {
      ADD_FAILURE() << "round " << round;
      return;
    }
    altman_scored += altman_z(current, AltmanVariant::kNonManufacturing).score ? 1 : 0;
    beneish_scored += beneish_m_score(current, prior).score ? 1 : 0;
    ohlson_scored += ohlson_o_score(current, prior).score ? 1 : 0;
  }
  EXPECT_GT(altman_scored, 0);
  EXPECT_GT(beneish_scored, 0);
  EXPECT_GT(ohlson_scored, 0);
  std::cout << "scored: altman " << altman_scored << ", beneish " << beneish_scored << ", ohlson "
            << ohlson_scored << " of 800\n";
}

// Health score: pillars worked by hand for Acme 2024 against 2023.
TEST(Health, PillarsScoreRatiosBetweenWeakAndStrong) {
  const FinancialPeriod current = acme_2024(), prior = acme_2023();
  const HealthScore health = health_score(current, &prior);
  ASSERT_TRUE(health.score) << health.reason_if_null;
  ASSERT_EQ(health.pillars.size(), 6u);
  EXPECT_NEAR(health.confidence, 1.0, kTolerance);
  EXPECT_TRUE(health.missing_inputs.empty());

  // Liquidity: current 500/250 = 2.0 → 100; quick (100+50+150)/250 = 1.2 → 100;
  // cash 100/250 = 0.4 → (0.4−0.1)/(0.6−0.1) = 60. Mean 86.67.
  const HealthPillar& liquidity = health.pillars[0];
  EXPECT_EQ(liquidity.name, "liquidity");
  EXPECT_NEAR(*liquidity.drivers[2].score, 60.0, 1e-6);
  EXPECT_NEAR(*liquidity.score, 260.0 / 3.0, 1e-6);
  // Solvency: debt/assets 0.6 → 40; debt/equity 1.5 → 60; interest cover 150/30 = 5 →
  // (5−1.5)/(8−1.5) = 53.85.
  const HealthPillar& solvency = health.pillars[1];
  EXPECT_NEAR(*solvency.drivers[0].score, 40.0, 1e-6);
  EXPECT_NEAR(*solvency.drivers[1].score, 60.0, 1e-6);
  EXPECT_NEAR(*solvency.score, (40.0 + 60.0 + 350.0 / 6.5) / 3.0, 1e-6);

  double weighted = 0.0;
  for (const HealthPillar& pillar : health.pillars) weighted += pillar.weight * *pillar.score;
  EXPECT_NEAR(*health.score, weighted, 1e-9);
  EXPECT_GE(*health.score, 0.0);
  EXPECT_LE(*health.score, 100.0);
  EXPECT_FALSE(health.band.empty());
}

TEST(Health, MissingInputsLowerConfidenceAndAreListed) {
  FinancialPeriod current = acme_2024();
  current.inventory.reset();
  current.operating_cash_flow.reset();
  const HealthScore without_prior = health_score(current, nullptr);
  ASSERT_TRUE(without_prior.score);
  EXPECT_LT(without_prior.confidence, 1.0);
  const HealthPillar& growth = without_prior.pillars[4];
  EXPECT_EQ(growth.name, "growth");
  EXPECT_FALSE(growth.score);  // no prior period
  EXPECT_EQ(growth.confidence, 0.0);
  const auto& missing = without_prior.missing_inputs;
  EXPECT_NE(std::find(missing.begin(), missing.end(), "inventory"), missing.end());
  EXPECT_NE(std::find(missing.begin(), missing.end(), "operating_cash_flow"), missing.end());
  const HealthPillar& cash_flow = without_prior.pillars[5];
  EXPECT_FALSE(cash_flow.score);
  EXPECT_FALSE(cash_flow.drivers[0].reason_if_null.empty());
}

TEST(Health, AnEmptyPeriodHasNoScoreAndSaysWhy) {
  const HealthScore health = health_score(FinancialPeriod{}, nullptr);
  EXPECT_FALSE(health.score);
  EXPECT_TRUE(health.band.empty());
  EXPECT_EQ(health.confidence, 0.0);
  EXPECT_FALSE(health.reason_if_null.empty());
  EXPECT_FALSE(health.missing_inputs.empty());
}

TEST(Health, NegativeEquityScoresEquityRatiosZero) {
  FinancialPeriod current = acme_2024();
  current.equity = -100;
  current.net_income = -50;
  const HealthScore health = health_score(current, nullptr);
  const HealthDriver& debt_to_equity = health.pillars[1].drivers[1];
  EXPECT_EQ(debt_to_equity.ratio, "debt_to_equity");
  ASSERT_TRUE(debt_to_equity.value);
  EXPECT_LT(*debt_to_equity.value, 0.0);
  EXPECT_EQ(debt_to_equity.score, 0.0);
  EXPECT_FALSE(debt_to_equity.note.empty());
  const HealthDriver& return_on_equity = health.pillars[2].drivers[4];
  EXPECT_EQ(return_on_equity.ratio, "return_on_equity");
  EXPECT_EQ(return_on_equity.score, 0.0);  // a loss over a deficit is not a positive return
  const HealthDriver& conversion = health.pillars[5].drivers[2];
  EXPECT_FALSE(conversion.score);  // cash conversion of a loss is not meaningful
}

// All scores of a period as one JSON document, the form the API and the CLI print.
TEST(Scores, JsonCarriesEveryScoreWithItsInputs) {
  const FinancialPeriod current = acme_2024(), prior = acme_2023();
  const PeriodScores scores = score_period(current, prior, FirmProfile{true, true});
  const boost::json::value json = boost::json::parse(to_json(scores));
  EXPECT_EQ(json.at("period").at("end"), "2024-12-31");
  EXPECT_EQ(json.at("prior_period").at("length"), "annual");
  const auto& altman = json.at("altman");
  EXPECT_EQ(altman.at("variant"), "Z");
  EXPECT_NEAR(altman.at("score").to_number<double>(), *scores.altman.score, 1e-12);
  EXPECT_EQ(altman.at("components").as_array().size(), 5u);
  EXPECT_TRUE(json.at("piotroski").at("score").is_int64());
  EXPECT_TRUE(json.at("beneish").at("likely_manipulator").is_bool());
  // The API's O-score is on the paper's scale: total assets in currency units over a price
  // level of 690 (1968 = 100), so SIZE = ln(1000 / 690). The other terms are those of
  // Ohlson.AcmeProbability.
  const auto& ohlson = json.at("ohlson");
  EXPECT_EQ(ohlson.at("total_assets_unit").to_number<double>(), 690.0);
  const double size = std::log(1000.0 / 690.0);
  const double expected_o = -1.32 - 0.407 * size + 6.03 * 0.6 - 1.43 * 0.25 + 0.0757 * 0.5 -
                            2.37 * 0.09 - 1.83 * (130.0 / 600.0) - 0.521 * 0.2;
  const auto& size_term = ohlson.at("components").at(0);
  EXPECT_EQ(size_term.at("name"), "SIZE");
  EXPECT_NEAR(size_term.at("value").to_number<double>(), size, kTolerance);
  EXPECT_NEAR(ohlson.at("score").to_number<double>(), expected_o, kTolerance);
  const double probability = ohlson.at("probability").to_number<double>();
  EXPECT_NEAR(probability, std::exp(expected_o) / (1.0 + std::exp(expected_o)), kTolerance);
  EXPECT_EQ(json.at("health").at("pillars").as_array().size(), 6u);
  const auto& ratios = json.at("ratios").as_array();
  const auto current_ratio = std::find_if(ratios.begin(), ratios.end(), [](const auto& ratio) {
    return ratio.at("name") == "current_ratio";
  });
  ASSERT_NE(current_ratio, ratios.end());
  EXPECT_EQ(current_ratio->at("value").to_number<double>(), 2.0);
}

TEST(Scores, WithoutThePriorPeriodTwoYearScoresSayWhyTheyAreNull) {
  FinancialPeriod current = acme_2024();
  current.market_value_equity.reset();
  const PeriodScores scores = score_period(current, std::nullopt, FirmProfile{true, true});
  const boost::json::value json = boost::json::parse(to_json(scores));
  EXPECT_TRUE(json.at("prior_period").is_null());
  for (const char* name : {"piotroski", "beneish", "ohlson"}) {
    EXPECT_TRUE(json.at(name).at("score").is_null()) << name;
    EXPECT_TRUE(json.at(name).at("reason_if_null").is_string()) << name;
  }
  // A public manufacturer without a market value falls back to Z' and says so.
  EXPECT_EQ(json.at("altman").at("variant"), "Z'");
  EXPECT_FALSE(json.at("altman").at("choice_reason").as_string().empty());
}

}  // namespace
}  // namespace aic::finance
