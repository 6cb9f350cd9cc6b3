#include "finance/analytics/distress.hpp"

#include <cmath>
#include <utility>

#include "finance/analytics/quantity.hpp"

namespace aic::finance {
namespace {

struct Term {
  std::string name;
  double coefficient = 0.0;
  Quantity quantity;
};

struct LinearScore {
  std::optional<double> score;
  std::vector<ScoreComponent> components;
  std::vector<std::string> missing_inputs;
  std::string reason_if_null;
};

// intercept + Σ coefficient·value. Null (with the first failing term's reason) when any term is.
LinearScore linear_score(double intercept, std::vector<Term> terms) {
  LinearScore result;
  double sum = intercept;
  for (Term& term : terms) {
    merge_names(result.missing_inputs, term.quantity.missing);
    if (term.quantity.value) {
      sum += term.coefficient * *term.quantity.value;
    } else if (result.reason_if_null.empty()) {
      result.reason_if_null = term.name + ": " + term.quantity.reason_if_null;
    }
    result.components.push_back(ScoreComponent{.name = std::move(term.name),
                                               .coefficient = term.coefficient,
                                               .value = term.quantity.value,
                                               .reason_if_null = term.quantity.reason_if_null,
                                               .inputs = std::move(term.quantity.inputs)});
  }
  if (!result.reason_if_null.empty()) return result;
  if (!std::isfinite(sum)) {
    result.reason_if_null = "score is not finite (overflow)";
    return result;
  }
  result.score = sum;
  return result;
}

// An indicator (0 or 1) computed from the values of `source`; null when `source` is.
template <typename Predicate>
Quantity indicator(Quantity source, std::string_view label, Predicate predicate) {
  source.label = std::string(label);
  if (source.value) source.value = predicate(*source.value) ? 1.0 : 0.0;
  return source;
}

std::string prior_name(std::string_view name) { return "prior." + std::string(name); }

// The inputs of one period under their names ("revenue") or, for the prior, "prior.revenue".
class Fields {
 public:
  Fields(const FinancialPeriod& period, bool is_prior) : period_(period), is_prior_(is_prior) {}

  Quantity operator()(std::string_view name, std::optional<double> FinancialPeriod::*field) const {
    return input(is_prior_ ? prior_name(name) : std::string(name), period_.*field);
  }

 private:
  const FinancialPeriod& period_;
  bool is_prior_;
};

struct AltmanCoefficients {
  double working_capital;
  double retained_earnings;
  double ebit;
  double equity;
  double sales;  // 0: the variant has no sales term
  double distress_below;
  double safe_above;
};

AltmanCoefficients coefficients_of(AltmanVariant variant) {
  switch (variant) {
    case AltmanVariant::kPublicManufacturing:
      return {1.2, 1.4, 3.3, 0.6, 1.0, 1.81, 2.99};
    case AltmanVariant::kPrivate:
      return {0.717, 0.847, 3.107, 0.420, 0.998, 1.23, 2.90};
    case AltmanVariant::kNonManufacturing:
      return {6.56, 3.26, 6.72, 1.05, 0.0, 1.10, 2.60};
  }
  return {1.2, 1.4, 3.3, 0.6, 1.0, 1.81, 2.99};
}

// exp(o) / (1 + exp(o)) without overflowing exp for large |o|.
double logistic(double o) {
  if (o >= 0.0) return 1.0 / (1.0 + std::exp(-o));
  const double e = std::exp(o);
  return e / (1.0 + e);
}

}  // namespace

std::string_view to_string(AltmanVariant variant) {
  switch (variant) {
    case AltmanVariant::kPublicManufacturing:
      return "Z";
    case AltmanVariant::kPrivate:
      return "Z'";
    case AltmanVariant::kNonManufacturing:
      return "Z''";
  }
  return "Z";
}

std::string_view to_string(AltmanZone zone) {
  switch (zone) {
    case AltmanZone::kDistress:
      return "distress";
    case AltmanZone::kGrey:
      return "grey";
    case AltmanZone::kSafe:
      return "safe";
  }
  return "grey";
}

AltmanScore altman_z(const FinancialPeriod& period, AltmanVariant variant) {
  const AltmanCoefficients weights = coefficients_of(variant);
  const Fields field(period, false);
  const Quantity total_assets = field("total_assets", &FinancialPeriod::total_assets);
  const Quantity total_liabilities =
      field("total_liabilities", &FinancialPeriod::total_liabilities);
  const Quantity working_capital =
      relabel(field("current_assets", &FinancialPeriod::current_assets) -
                  field("current_liabilities", &FinancialPeriod::current_liabilities),
              "working_capital");

  std::vector<Term> terms;
  terms.push_back(
      {"working_capital_to_total_assets", weights.working_capital, working_capital / total_assets});
  terms.push_back({"retained_earnings_to_total_assets", weights.retained_earnings,
                   field("retained_earnings", &FinancialPeriod::retained_earnings) / total_assets});
  terms.push_back(
      {"ebit_to_total_assets", weights.ebit, field("ebit", &FinancialPeriod::ebit) / total_assets});
  if (variant == AltmanVariant::kPublicManufacturing) {
    terms.push_back(
        {"market_value_equity_to_total_liabilities", weights.equity,
         field("market_value_equity", &FinancialPeriod::market_value_equity) / total_liabilities});
  } else {
    terms.push_back({"book_equity_to_total_liabilities", weights.equity,
                     field("equity", &FinancialPeriod::equity) / total_liabilities});
  }
  if (weights.sales != 0.0) {
    terms.push_back({"sales_to_total_assets", weights.sales,
                     field("revenue", &FinancialPeriod::revenue) / total_assets});
  }

  LinearScore linear = linear_score(0.0, std::move(terms));
  AltmanScore result{.variant = variant,
                     .score = linear.score,
                     .components = std::move(linear.components),
                     .missing_inputs = std::move(linear.missing_inputs),
                     .reason_if_null = std::move(linear.reason_if_null)};
  if (result.score) {
    if (*result.score < weights.distress_below) {
      result.zone = AltmanZone::kDistress;
    } else if (*result.score > weights.safe_above) {
      result.zone = AltmanZone::kSafe;
    } else {
      result.zone = AltmanZone::kGrey;
    }
  }
  return result;
}

AltmanChoice choose_altman_variant(const FirmProfile& profile, const FinancialPeriod& period) {
  if (!profile.is_manufacturing) {
    return {AltmanVariant::kNonManufacturing,
            "non-manufacturing firm: Z'' (no sales term, which varies widely across industries)"};
  }
  if (!profile.is_public) {
    return {AltmanVariant::kPrivate,
            "private manufacturing firm: Z' (book equity, no market value of equity)"};
  }
  if (!period.market_value_equity || !std::isfinite(*period.market_value_equity)) {
    return {AltmanVariant::kPrivate,
            "public manufacturing firm without a market value of equity: Z' (book equity)"};
  }
  return {AltmanVariant::kPublicManufacturing, "public manufacturing firm: Z (1968)"};
}

AltmanScore altman_z_for(const FinancialPeriod& period, const FirmProfile& profile) {
  AltmanChoice choice = choose_altman_variant(profile, period);
  AltmanScore result = altman_z(period, choice.variant);
  result.choice_reason = std::move(choice.reason);
  return result;
}

PiotroskiScore piotroski_f_score(const FinancialPeriod& current, const FinancialPeriod& prior) {
  const Fields now(current, false);
  const Fields before(prior, true);
  auto roa = [](const Fields& fields) {
    return fields("net_income", &FinancialPeriod::net_income) /
           fields("total_assets", &FinancialPeriod::total_assets);
  };
  auto leverage = [](const Fields& fields) {
    return fields("long_term_debt", &FinancialPeriod::long_term_debt) /
           fields("total_assets", &FinancialPeriod::total_assets);
  };
  auto current_ratio = [](const Fields& fields) {
    return fields("current_assets", &FinancialPeriod::current_assets) /
           fields("current_liabilities", &FinancialPeriod::current_liabilities);
  };
  auto gross_margin = [](const Fields& fields) {
    const Quantity revenue = fields("revenue", &FinancialPeriod::revenue);
    return (revenue - fields("cogs", &FinancialPeriod::cogs)) / revenue;
  };
  auto asset_turnover = [](const Fields& fields) {
    return fields("revenue", &FinancialPeriod::revenue) /
           fields("total_assets", &FinancialPeriod::total_assets);
  };
  const Quantity cfo_to_assets = now("operating_cash_flow", &FinancialPeriod::operating_cash_flow) /
                                 now("total_assets", &FinancialPeriod::total_assets);
  // Equity issued in the year; without it, a rise in shares outstanding counts as issuance.
  const Quantity new_shares =
      current.shares_issued
          ? now("shares_issued", &FinancialPeriod::shares_issued)
          : now("shares_outstanding", &FinancialPeriod::shares_outstanding) -
                before("shares_outstanding", &FinancialPeriod::shares_outstanding);

  enum class Pass { kPositive, kNegative, kZeroOrLess };
  struct Pending {
    std::string name;
    Quantity quantity;
    Pass pass;
  };
  std::vector<Pending> pending;
  pending.push_back({"roa_positive", roa(now), Pass::kPositive});
  pending.push_back({"cfo_positive",
                     now("operating_cash_flow", &FinancialPeriod::operating_cash_flow),
                     Pass::kPositive});
  pending.push_back({"roa_improved", roa(now) - roa(before), Pass::kPositive});
  pending.push_back({"accrual_cfo_exceeds_roa", cfo_to_assets - roa(now), Pass::kPositive});
  pending.push_back({"leverage_decreased", leverage(now) - leverage(before), Pass::kNegative});
  pending.push_back(
      {"current_ratio_improved", current_ratio(now) - current_ratio(before), Pass::kPositive});
  // The absence of issuance: zero passes.
  pending.push_back({"no_new_shares_issued", new_shares, Pass::kZeroOrLess});
  pending.push_back(
      {"gross_margin_improved", gross_margin(now) - gross_margin(before), Pass::kPositive});
  pending.push_back(
      {"asset_turnover_improved", asset_turnover(now) - asset_turnover(before), Pass::kPositive});

  PiotroskiScore result;
  for (Pending& item : pending) {
    merge_names(result.missing_inputs, item.quantity.missing);
    PiotroskiSignal signal{.name = std::move(item.name),
                           .value = item.quantity.value,
                           .reason_if_null = std::move(item.quantity.reason_if_null),
                           .inputs = std::move(item.quantity.inputs)};
    if (signal.value) {
      switch (item.pass) {
        case Pass::kPositive:
          signal.passed = *signal.value > 0.0;
          break;
        case Pass::kNegative:
          signal.passed = *signal.value < 0.0;
          break;
        case Pass::kZeroOrLess:
          signal.passed = *signal.value <= 0.0;
          break;
      }
      ++result.signals_available;
      if (*signal.passed) ++result.signals_passed;
    } else if (result.reason_if_null.empty()) {
      result.reason_if_null = signal.name + ": " + signal.reason_if_null;
    }
    result.signals.push_back(std::move(signal));
  }
  if (result.signals_available == static_cast<int>(result.signals.size())) {
    result.score = result.signals_passed;
  }
  return result;
}

BeneishScore beneish_m_score(const FinancialPeriod& current, const FinancialPeriod& prior) {
  const Fields now(current, false);
  const Fields before(prior, true);
  auto receivables_to_sales = [](const Fields& fields) {
    return fields("receivables", &FinancialPeriod::receivables) /
           fields("revenue", &FinancialPeriod::revenue);
  };
  auto gross_margin = [](const Fields& fields) {
    const Quantity revenue = fields("revenue", &FinancialPeriod::revenue);
    return relabel((revenue - fields("cogs", &FinancialPeriod::cogs)) / revenue, "gross_margin");
  };
  auto soft_assets_share = [](const Fields& fields) {
    return relabel(
        constant(1.0, "1") - (fields("current_assets", &FinancialPeriod::current_assets) +
                              fields("ppe_net", &FinancialPeriod::ppe_net)) /
                                 fields("total_assets", &FinancialPeriod::total_assets),
        "(1 - (current_assets + ppe_net) / total_assets)");
  };
  auto depreciation_rate = [](const Fields& fields) {
    const Quantity depreciation = fields("depreciation", &FinancialPeriod::depreciation);
    return depreciation / (depreciation + fields("ppe_net", &FinancialPeriod::ppe_net));
  };
  auto sga_to_sales = [](const Fields& fields) {
    return fields("sga", &FinancialPeriod::sga) / fields("revenue", &FinancialPeriod::revenue);
  };
  auto leverage = [](const Fields& fields) {
    return (fields("current_liabilities", &FinancialPeriod::current_liabilities) +
            fields("long_term_debt", &FinancialPeriod::long_term_debt)) /
           fields("total_assets", &FinancialPeriod::total_assets);
  };

  std::vector<Term> terms;
  terms.push_back({"DSRI", 0.920, receivables_to_sales(now) / receivables_to_sales(before)});
  terms.push_back({"GMI", 0.528, gross_margin(before) / gross_margin(now)});
  terms.push_back({"AQI", 0.404, soft_assets_share(now) / soft_assets_share(before)});
  terms.push_back(
      {"SGI", 0.892,
       now("revenue", &FinancialPeriod::revenue) / before("revenue", &FinancialPeriod::revenue)});
  terms.push_back({"DEPI", 0.115, depreciation_rate(before) / depreciation_rate(now)});
  terms.push_back({"SGAI", -0.172, sga_to_sales(now) / sga_to_sales(before)});
  terms.push_back({"TATA", 4.679,
                   (now("net_income", &FinancialPeriod::net_income) -
                    now("operating_cash_flow", &FinancialPeriod::operating_cash_flow)) /
                       now("total_assets", &FinancialPeriod::total_assets)});
  terms.push_back({"LVGI", -0.327, leverage(now) / leverage(before)});

  LinearScore linear = linear_score(-4.84, std::move(terms));
  BeneishScore result{.score = linear.score,
                      .components = std::move(linear.components),
                      .missing_inputs = std::move(linear.missing_inputs),
                      .reason_if_null = std::move(linear.reason_if_null)};
  if (result.score) result.likely_manipulator = *result.score > kBeneishThreshold;
  return result;
}

OhlsonScore ohlson_o_score(const FinancialPeriod& current, const FinancialPeriod& prior,
                           double price_level_index) {
  const Fields now(current, false);
  const Quantity total_assets = now("total_assets", &FinancialPeriod::total_assets);
  const Quantity total_liabilities = now("total_liabilities", &FinancialPeriod::total_liabilities);
  const Quantity current_assets = now("current_assets", &FinancialPeriod::current_assets);
  const Quantity current_liabilities =
      now("current_liabilities", &FinancialPeriod::current_liabilities);
  const Quantity net_income = now("net_income", &FinancialPeriod::net_income);
  const Quantity prior_net_income = input("prior.net_income", prior.net_income);

  // SIZE = ln(total_assets / price_level_index); the logarithm needs a positive argument.
  Quantity size = total_assets;
  size.label = "size";
  if (!std::isfinite(price_level_index) || price_level_index <= 0.0) {
    size.value.reset();
    size.reason_if_null = "price_level_index must be finite and > 0";
  } else if (size.value && *size.value <= 0.0) {
    size.value.reset();
    size.reason_if_null = "total_assets is not positive (logarithm)";
  } else if (size.value) {
    size.value = std::log(*size.value / price_level_index);
    if (!std::isfinite(*size.value)) {
      size.value.reset();
      size.reason_if_null = "size is not finite (overflow)";
    }
  }

  // CHIN = (NI_t − NI_t−1) / (|NI_t| + |NI_t−1|); 0 when both are 0 (no change at all).
  Quantity change_in_income = net_income - prior_net_income;
  change_in_income.label = "change_in_net_income";
  if (change_in_income.value) {
    const double scale = std::fabs(*net_income.value) + std::fabs(*prior_net_income.value);
    const double chin = scale == 0.0 ? 0.0 : *change_in_income.value / scale;
    if (std::isfinite(chin)) {
      change_in_income.value = chin;
    } else {
      change_in_income.value.reset();
      change_in_income.reason_if_null = "change_in_net_income is not finite (overflow)";
    }
  }

  std::vector<Term> terms;
  terms.push_back({"SIZE", -0.407, std::move(size)});
  terms.push_back({"TLTA", 6.03, total_liabilities / total_assets});
  terms.push_back({"WCTA", -1.43, (current_assets - current_liabilities) / total_assets});
  terms.push_back({"CLCA", 0.0757, current_liabilities / current_assets});
  terms.push_back({"OENEG", -1.72,
                   indicator(total_liabilities - total_assets, "liabilities_exceed_assets",
                             [](double excess) { return excess > 0.0; })});
  terms.push_back({"NITA", -2.37, net_income / total_assets});
  terms.push_back(
      {"FUTL", -1.83,
       now("operating_cash_flow", &FinancialPeriod::operating_cash_flow) / total_liabilities});
  // Both incomes negative ⇔ the larger of the two is negative.
  // (The difference only carries both inputs and their reasons; its value is replaced.)
  Quantity larger_income = relabel(net_income - prior_net_income, "net_income_both_years");
  if (larger_income.value) {
    larger_income.value = std::fmax(*net_income.value, *prior_net_income.value);
  }
  terms.push_back({"INTWO", 0.285,
                   indicator(std::move(larger_income), "loss_in_both_years",
                             [](double larger) { return larger < 0.0; })});
  terms.push_back({"CHIN", -0.521, std::move(change_in_income)});

  LinearScore linear = linear_score(-1.32, std::move(terms));
  OhlsonScore result{.score = linear.score,
                     .price_level_index = price_level_index,
                     .components = std::move(linear.components),
                     .missing_inputs = std::move(linear.missing_inputs),
                     .reason_if_null = std::move(linear.reason_if_null)};
  if (result.score) result.probability = logistic(*result.score);
  return result;
}

}  // namespace aic::finance
