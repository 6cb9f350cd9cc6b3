#include "finance/analytics/ratios.hpp"

#include <cmath>
#include <utility>

#include "finance/analytics/quantity.hpp"

namespace aic::finance {
namespace {

Ratio to_ratio(std::string name, Quantity quantity) {
  return Ratio{.name = std::move(name),
               .value = quantity.value,
               .reason_if_null = std::move(quantity.reason_if_null),
               .inputs = std::move(quantity.inputs),
               .missing = std::move(quantity.missing)};
}

// The period-end balance, or the average with the prior period end when one is given.
Quantity balance(std::string_view name, std::optional<double> current, const FinancialPeriod* prior,
                 std::optional<double> FinancialPeriod::*field) {
  Quantity end = input(name, current);
  if (prior == nullptr) return end;
  return average(end, input("prior." + std::string(name), prior->*field));
}

// (current − prior) / |prior|: a loss shrinking from −10 to −5 is +50 %, not −50 %.
Quantity growth(std::string_view name, std::optional<double> current, std::optional<double> prior) {
  Quantity now = input(name, current);
  Quantity before = input("prior." + std::string(name), prior);
  Quantity magnitude = before;
  if (magnitude.value) magnitude.value = std::fabs(*magnitude.value);
  magnitude.label = "|" + before.label + "|";
  return (now - before) / magnitude;
}

}  // namespace

std::vector<Ratio> liquidity_ratios(const FinancialPeriod& period) {
  const Quantity current_liabilities = input("current_liabilities", period.current_liabilities);
  const Quantity cash = input("cash", period.cash);
  return {
      to_ratio("current_ratio",
               input("current_assets", period.current_assets) / current_liabilities),
      to_ratio("quick_ratio",
               (cash + input("short_term_investments", period.short_term_investments) +
                input("receivables", period.receivables)) /
                   current_liabilities),
      to_ratio("cash_ratio", cash / current_liabilities),
  };
}

std::vector<Ratio> leverage_ratios(const FinancialPeriod& period) {
  const Quantity total_liabilities = input("total_liabilities", period.total_liabilities);
  return {
      to_ratio("debt_to_assets", total_liabilities / input("total_assets", period.total_assets)),
      to_ratio("debt_to_equity", total_liabilities / input("equity", period.equity)),
      to_ratio("interest_coverage",
               input("ebit", period.ebit) / input("interest_expense", period.interest_expense)),
  };
}

std::vector<Ratio> profitability_ratios(const FinancialPeriod& period,
                                        const FinancialPeriod* prior) {
  const Quantity revenue = input("revenue", period.revenue);
  const Quantity net_income = input("net_income", period.net_income);
  return {
      to_ratio("gross_margin", (revenue - input("cogs", period.cogs)) / revenue),
      to_ratio("operating_margin", input("ebit", period.ebit) / revenue),
      to_ratio("net_margin", net_income / revenue),
      to_ratio("return_on_assets", net_income / balance("total_assets", period.total_assets, prior,
                                                        &FinancialPeriod::total_assets)),
      to_ratio("return_on_equity",
               net_income / balance("equity", period.equity, prior, &FinancialPeriod::equity)),
  };
}

std::vector<Ratio> efficiency_ratios(const FinancialPeriod& period, const FinancialPeriod* prior) {
  const Quantity revenue = input("revenue", period.revenue);
  const Quantity cogs = input("cogs", period.cogs);
  const Quantity days = constant(days_in_period(period.length), "days_in_period");
  const Quantity dso =
      balance("receivables", period.receivables, prior, &FinancialPeriod::receivables) / revenue *
      days;
  const Quantity dio =
      balance("inventory", period.inventory, prior, &FinancialPeriod::inventory) / cogs * days;
  const Quantity dpo =
      balance("payables", period.payables, prior, &FinancialPeriod::payables) / cogs * days;
  return {
      to_ratio("asset_turnover", revenue / balance("total_assets", period.total_assets, prior,
                                                   &FinancialPeriod::total_assets)),
      to_ratio("days_sales_outstanding", dso),
      to_ratio("days_inventory_outstanding", dio),
      to_ratio("days_payables_outstanding", dpo),
      to_ratio("cash_conversion_cycle", dso + dio - dpo),
  };
}

std::vector<Ratio> cash_flow_ratios(const FinancialPeriod& period) {
  const Quantity operating_cash_flow = input("operating_cash_flow", period.operating_cash_flow);
  // Capex is the amount spent; a caller passing the cash-flow sign (negative) gets the same
  // result.
  Quantity capex = input("capex", period.capex);
  if (capex.value) capex.value = std::fabs(*capex.value);
  return {
      to_ratio("operating_cash_flow_to_net_income",
               operating_cash_flow / input("net_income", period.net_income)),
      to_ratio("free_cash_flow", operating_cash_flow - capex),
  };
}

std::vector<Ratio> growth_ratios(const FinancialPeriod& period, const FinancialPeriod& prior) {
  return {
      to_ratio("revenue_growth", growth("revenue", period.revenue, prior.revenue)),
      to_ratio("net_income_growth", growth("net_income", period.net_income, prior.net_income)),
      to_ratio("total_assets_growth",
               growth("total_assets", period.total_assets, prior.total_assets)),
  };
}

std::vector<Ratio> all_ratios(const FinancialPeriod& period, const FinancialPeriod* prior) {
  std::vector<Ratio> ratios;
  auto append = [&ratios](std::vector<Ratio> more) {
    for (Ratio& ratio : more) ratios.push_back(std::move(ratio));
  };
  append(liquidity_ratios(period));
  append(leverage_ratios(period));
  append(profitability_ratios(period, prior));
  append(efficiency_ratios(period, prior));
  append(cash_flow_ratios(period));
  if (prior != nullptr) append(growth_ratios(period, *prior));
  return ratios;
}

const Ratio* find_ratio(const std::vector<Ratio>& ratios, std::string_view name) {
  for (const Ratio& ratio : ratios) {
    if (ratio.name == name) return &ratio;
  }
  return nullptr;
}

}  // namespace aic::finance
