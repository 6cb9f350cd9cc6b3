// Forecasts of a short business series (revenue or cash per period) with prediction
// intervals, and the rolling-origin backtest that says whether they beat a naive forecast.
//
// Models, as in Hyndman & Athanasopoulos, "Forecasting: Principles and Practice", 3rd ed.
// (FPP3): naive and seasonal naive (§5.2), simple exponential smoothing ETS(A,N,N) (§8.1),
// Holt's linear trend ETS(A,A,N) and its damped form ETS(A,Ad,N) (§8.2, §8.5). Smoothing
// parameters are chosen by a deterministic coarse-then-fine grid search on the one-step SSE;
// intervals use the analytic forecast variances of FPP3 §8.7 Table 8.8 (§5.5 for the naive
// models). The grid, the initial states and the choice between models are written down in
// docs/finance/methods.md. Seasonality is modelled only by the seasonal naive competitor.
//
// Pure functions on values; no thread affinity. `forecast` and `backtest` never throw on
// data and never return NaN or infinity: what cannot be computed is null with a reason. The
// lower-level `fit_*` functions state their preconditions and throw std::invalid_argument
// when they are broken (a programmer error).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/json_writer.hpp"

namespace aic::finance {

enum class ForecastModel {
  kNaive,                       // ŷ = last value (random walk)
  kSeasonalNaive,               // ŷ = the value one season before
  kSimpleExponentialSmoothing,  // ETS(A,N,N)
  kHolt,                        // ETS(A,A,N), Holt's linear trend
  kDampedHolt,                  // ETS(A,Ad,N)
};

// "naive", "seasonal_naive", "ETS(A,N,N)", "ETS(A,A,N)", "ETS(A,Ad,N)".
std::string_view to_string(ForecastModel model);

// z of the two-sided normal intervals: 80 % and 95 %.
inline constexpr double kZ80 = 1.2816;
inline constexpr double kZ95 = 1.9600;

// `beta` is the trend smoothing parameter β* of Holt's method in component form (FPP3 §8.2);
// the state-space form and the variance formulas use β = α·β*. `phi` is the damping
// parameter (1: no damping). A model reads only the parameters it has.
struct SmoothingParameters {
  double alpha = 0.0;
  double beta = 0.0;
  double phi = 1.0;
};

// A model fitted to a series: its final states, one-step residuals and σ.
struct ModelFit {
  ForecastModel model = ForecastModel::kNaive;
  SmoothingParameters parameters;
  int season_length = 0;  // seasonal naive only
  int observations = 0;   // T, the length of the series
  // The first observations set the initial states and have no residual: 1 for naive and SES
  // (ℓ = y₁), 2 for Holt (ℓ₂ = y₂, b₂ = y₂ − y₁), m for seasonal naive.
  int initial_observations = 0;
  double level = 0.0;               // ℓ_T (naive: y_T)
  double trend = 0.0;               // b_T; 0 for models without a trend
  std::vector<double> last_season;  // seasonal naive: y_{T−m+1} … y_T
  std::vector<double> fitted;       // ŷ_{t|t−1} for t = initial_observations + 1 … T
  std::vector<double> residuals;    // y_t − ŷ_{t|t−1}, the same t
  double sse = 0.0;                 // Σ residual²
  // sqrt(sse / (residuals − smoothing parameters)); 0 for a series the model fits exactly.
  double sigma = 0.0;
};

// Smoothing parameters the model estimates: 0 naive models, 1 SES, 2 Holt, 3 damped Holt.
int parameter_count(ForecastModel model);

// Observations the model needs to be fitted: one residual more than it has parameters
// after its initial observations. Naive 2, seasonal naive m + 1, SES 3, Holt 5, damped 6.
int minimum_observations(ForecastModel model, int season_length = 0);

// Fits `model` with the given parameters (no search), by the recursions of methods.md.
// REQUIRES: series.size() >= minimum_observations(model, season_length), every value
// finite, 0 < alpha <= 1 and 0 < beta <= 1 where the model smooths them, 0 < phi <= 1 for
// damped Holt, season_length >= 2 for seasonal naive. Throws std::invalid_argument otherwise.
ModelFit fit_model(std::span<const double> series, ForecastModel model,
                   const SmoothingParameters& parameters, int season_length = 0);

// fit_model with the parameters that minimise the one-step SSE over the grid of
// methods.md: α, β* ∈ {0.05, 0.15, …, 0.95} and φ ∈ {0.80, 0.85, 0.90, 0.95, 0.98}, then
// steps of 0.01 within ±0.05 (φ: ±0.03) of the best, α, β* in [0.01, 0.99], φ in
// [0.80, 0.98]. Ties keep the smallest parameters. Naive models have nothing to search.
// REQUIRES: as fit_model (without the parameter ranges).
ModelFit fit_best(std::span<const double> series, ForecastModel model, int season_length = 0);

// σ_h² / σ², the forecast variance h steps ahead over the one-step variance:
// naive h; seasonal naive ⌊(h − 1)/m⌋ + 1; SES 1 + α²(h − 1);
// Holt 1 + (h − 1)[α² + αβh + β²h(2h − 1)/6]; damped Holt FPP3 Table 8.8 (Holt's when φ = 1);
// β = α·β*. REQUIRES: h >= 1; season_length >= 1 for seasonal naive.
double variance_multiplier(ForecastModel model, const SmoothingParameters& parameters, int h,
                           int season_length = 0);

struct ForecastPoint {
  int step = 0;  // h, periods after the last observation
  double value = 0.0;
  double lower80 = 0.0;
  double upper80 = 0.0;
  double lower95 = 0.0;
  double upper95 = 0.0;
};

// The forecasts of `fit` for h = 1 … horizon: value ± z·σ·sqrt(variance_multiplier).
// REQUIRES: horizon >= 0. Values may overflow for absurd inputs; `forecast` checks.
std::vector<ForecastPoint> forecast_points(const ModelFit& fit, int horizon);

struct ForecastOptions {
  int horizon = 4;        // 1 … 60 periods ahead
  int season_length = 0;  // periods per year (4, 12) to try seasonal naive; 0 or 1: none
};

// A model that took part in the choice, with its rolling-origin backtest error.
struct CandidateScore {
  ForecastModel model = ForecastModel::kNaive;
  std::optional<double> backtest_mae;  // over every origin and step
  int forecasts = 0;
};

struct ForecastResult {
  std::optional<ForecastModel> model;  // nullopt exactly when there is no forecast
  SmoothingParameters parameters;
  int season_length = 0;  // seasonal naive only
  int observations = 0;
  int horizon = 0;
  std::optional<double> sigma;  // the one-step residual standard deviation
  std::vector<ForecastPoint> points;
  std::string selection;  // why this model
  std::vector<CandidateScore> candidates;
  std::string reason_if_null;
};

// The series' forecast for the next options.horizon periods. Fewer than 3 observations, a
// value that is not finite, a horizon outside 1 … 60, a negative season length or
// arithmetic overflow give no forecast and a reason. Candidates: SES, Holt, damped Holt and
// (with a season length) seasonal naive, each once the series has 4 observations more than
// its minimum, so 9 for Holt, 10 for damped Holt and m + 5 for seasonal naive. With one
// candidate (or none: fewer than 7 observations) the model is SES; otherwise every candidate
// is backtested from the largest of their minimums (the last 24 origins at most) and the
// lowest MAE wins, ties going to the simpler model.
ForecastResult forecast(std::span<const double> series, const ForecastOptions& options = {});

struct BacktestOptions {
  int horizon = 4;
  // First origin: forecasts are made from prefixes of at least this many observations; 0 or
  // anything below minimum_observations(model) means that minimum.
  int min_train = 0;
  int season_length = 0;  // for seasonal naive
  int max_origins = 0;    // 0: every origin; otherwise only the last max_origins
};

// Forecast accuracy over a set of forecasts. Percentages are in percent (12.5 is 12.5 %).
struct Accuracy {
  int forecasts = 0;             // forecasts compared with an actual
  std::optional<double> mae;     // mean |actual − forecast|
  std::optional<double> mape;    // 100 · mean |error / actual|, over nonzero actuals only
  int zero_actuals_skipped = 0;  // forecasts left out of MAPE because the actual is 0
  std::optional<double> mase;    // mae / the naive scale of BacktestResult
  std::string reason_if_null;    // why any of the metrics above is null
};

struct StepAccuracy {
  int step = 0;
  Accuracy model;
  Accuracy naive;
};

struct BacktestResult {
  ForecastModel model = ForecastModel::kNaive;
  int season_length = 0;
  int horizon = 0;
  int min_train = 0;
  int origins = 0;  // prefixes forecast from
  // The in-sample one-step naive MAE of the whole series, mean |y_t − y_{t−1}|: the MASE
  // denominator (Hyndman & Koehler 2006). Null for a constant series (then MASE is null).
  std::optional<double> naive_scale;
  std::vector<StepAccuracy> steps;  // h = 1 … horizon
  Accuracy model_overall;           // every origin and step together
  Accuracy naive_overall;           // the naive forecast from the same origins and steps
  // model_overall.mae < naive_overall.mae; null without forecasts.
  std::optional<bool> beats_naive;
  std::string reason_if_null;
};

// Rolling-origin evaluation: for each prefix length k from the effective min_train to T − 1,
// fit_best on y₁…y_k, forecast 1 … min(horizon, T − k) ahead and compare with the actuals;
// the naive forecast y_k is scored on the same points. No origins, a value that is not
// finite or an invalid horizon (1 … 60) give empty metrics and a reason.
BacktestResult backtest(std::span<const double> series, ForecastModel model,
                        const BacktestOptions& options = {});

// {"model":…,"parameters":{"alpha","beta","phi"},"season_length","observations","horizon",
//  "sigma","points":[{"step","value","lower80","upper80","lower95","upper95"}],"selection",
//  "candidates":[…],"reason_if_null"}. Values in the series' unit are rounded to 2 decimals,
// parameters to 4; a parameter the model does not have is null.
std::string to_json(const ForecastResult& result);
void write_forecast_members(core::JsonWriter& json, const ForecastResult& result);

// {"model","season_length","horizon","min_train","origins","naive_scale",
//  "steps":[{"step","model":{accuracy},"naive":{accuracy}}],"overall":{"model","naive"},
//  "beats_naive","reason_if_null"}; accuracy is {"forecasts","mae","mape",
//  "zero_actuals_skipped","mase","reason_if_null"}, MAPE rounded to 2 decimals, MASE to 4.
std::string to_json(const BacktestResult& result);
void write_backtest_members(core::JsonWriter& json, const BacktestResult& result);

}  // namespace aic::finance
