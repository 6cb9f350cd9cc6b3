// Distress and manipulation scores: Altman Z (three variants and a chooser), Piotroski F,
// Beneish M and Ohlson O. Pure functions on values; formulas, sources and definitions are in
// docs/finance/methods.md.
//
// Every result lists its components with their inputs, the inputs that were missing, and a
// score of nullopt (with a reason) when any required input is missing, a denominator is zero
// or a value is not finite. Inputs of earlier periods are named "prior.<field>".
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "finance/analytics/period.hpp"

namespace aic::finance {

// One variable of a linear score: its value before weighting and its weight.
struct ScoreComponent {
  std::string name;  // "working_capital_to_total_assets", "DSRI", …
  double coefficient = 0.0;
  std::optional<double> value;  // finite when present
  std::string reason_if_null;
  std::vector<std::string> inputs;
};

// Altman Z-score.
enum class AltmanVariant {
  kPublicManufacturing,  // Z (1968): needs the market value of equity
  kPrivate,              // Z′ (1983): book equity in place of market value
  kNonManufacturing,     // Z″ (1995): four variables, no sales term
};
enum class AltmanZone { kDistress, kGrey, kSafe };

std::string_view to_string(AltmanVariant variant);  // "Z", "Z'", "Z''"
std::string_view to_string(AltmanZone zone);        // "distress", "grey", "safe"

struct AltmanScore {
  AltmanVariant variant = AltmanVariant::kPublicManufacturing;
  std::optional<double> score;
  std::optional<AltmanZone> zone;  // set exactly when score is
  std::vector<ScoreComponent> components;
  std::vector<std::string> missing_inputs;
  std::string reason_if_null;
  std::string choice_reason;  // why this variant; set by altman_z_for
};

// The variant's score of `period`. Zones: below the lower cut-off is distress, above the upper
// is safe, the cut-offs themselves and between are grey.
AltmanScore altman_z(const FinancialPeriod& period, AltmanVariant variant);

struct FirmProfile {
  bool is_public = false;         // shares trade on a market
  bool is_manufacturing = false;  // the firm makes goods (the 1968 sample's industry)
};

struct AltmanChoice {
  AltmanVariant variant = AltmanVariant::kPublicManufacturing;
  std::string reason;
};

// Non-manufacturing → Z″; private manufacturing → Z′; public manufacturing → Z, unless the
// period has no market value of equity, then Z′ (and the reason says so).
AltmanChoice choose_altman_variant(const FirmProfile& profile, const FinancialPeriod& period);
// altman_z with the chosen variant, choice_reason filled in.
AltmanScore altman_z_for(const FinancialPeriod& period, const FirmProfile& profile);

// Piotroski F-score.
struct PiotroskiSignal {
  std::string name;             // "roa_positive", "cfo_positive", …, "asset_turnover_improved"
  std::optional<bool> passed;   // nullopt when the value cannot be computed
  std::optional<double> value;  // the quantity compared with zero (see methods.md)
  std::string reason_if_null;
  std::vector<std::string> inputs;
};

struct PiotroskiScore {
  std::optional<int> score;  // 0–9; nullopt unless all nine signals could be computed
  int signals_passed = 0;    // passed among the signals that could be computed
  int signals_available = 0;
  std::vector<PiotroskiSignal> signals;  // always the nine, in the paper's order
  std::vector<std::string> missing_inputs;
  std::string reason_if_null;
};

// The nine signals of `current` against `prior` (the year before).
PiotroskiScore piotroski_f_score(const FinancialPeriod& current, const FinancialPeriod& prior);

// Beneish M-score (8 variables).
inline constexpr double kBeneishThreshold = -1.78;

struct BeneishScore {
  std::optional<double> score;
  std::optional<bool> likely_manipulator;  // score > kBeneishThreshold; set exactly when score is
  std::vector<ScoreComponent> components;  // DSRI, GMI, AQI, SGI, DEPI, SGAI, TATA, LVGI
  std::vector<std::string> missing_inputs;
  std::string reason_if_null;
};

BeneishScore beneish_m_score(const FinancialPeriod& current, const FinancialPeriod& prior);

// Ohlson O-score (1980, model 1).
struct OhlsonScore {
  std::optional<double> score;
  std::optional<double> probability;  // exp(O) / (1 + exp(O)); set exactly when score is
  double price_level_index = 1.0;     // the divisor of total assets in the size term
  std::vector<ScoreComponent> components;
  std::vector<std::string> missing_inputs;
  std::string reason_if_null;
};

// The O-score of `current`, with `prior` for the two net-income terms. `price_level_index`
// divides total assets inside the logarithm; the default 1.0 means total assets are already
// expressed in the units the caller wants the size term in (see methods.md). It must be finite
// and > 0, otherwise the score is null. Total assets must be > 0 (log).
OhlsonScore ohlson_o_score(const FinancialPeriod& current, const FinancialPeriod& prior,
                           double price_level_index = 1.0);

}  // namespace aic::finance
