#include "finance/analytics/forecast.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>

#include "core/json_writer.hpp"

namespace aic::finance {
namespace {

constexpr int kMaxHorizon = 60;
// A model takes part in the choice when the series has this many observations more than
// the model's minimum, i.e. at least this many backtest origins.
constexpr int kSelectionOrigins = 4;
// The choice backtests at most this many (the latest) origins, to bound its cost.
constexpr int kSelectionMaxOrigins = 24;

bool has_trend(ForecastModel model) {
  return model == ForecastModel::kHolt || model == ForecastModel::kDampedHolt;
}

int initial_observations(ForecastModel model, int season_length) {
  switch (model) {
    case ForecastModel::kSeasonalNaive:
      return season_length;
    case ForecastModel::kHolt:
    case ForecastModel::kDampedHolt:
      return 2;
    case ForecastModel::kNaive:
    case ForecastModel::kSimpleExponentialSmoothing:
      break;
  }
  return 1;
}

// The damping the recursions use: φ for damped Holt, 1 otherwise.
double damping(ForecastModel model, const SmoothingParameters& parameters) {
  return model == ForecastModel::kDampedHolt ? parameters.phi : 1.0;
}

bool in_unit_interval(double value) { return value > 0.0 && value <= 1.0; }

void check_series(std::span<const double> series, ForecastModel model, int season_length) {
  if (model == ForecastModel::kSeasonalNaive && season_length < 2) {
    throw std::invalid_argument("seasonal naive needs a season length of at least 2");
  }
  if (std::cmp_less(series.size(), minimum_observations(model, season_length))) {
    throw std::invalid_argument(std::string(to_string(model)) + " needs at least " +
                                std::to_string(minimum_observations(model, season_length)) +
                                " observations");
  }
  for (double value : series) {
    if (!std::isfinite(value)) throw std::invalid_argument("series value is not finite");
  }
}

void check_parameters(ForecastModel model, const SmoothingParameters& parameters) {
  if (parameter_count(model) >= 1 && !in_unit_interval(parameters.alpha)) {
    throw std::invalid_argument("alpha must be in (0, 1]");
  }
  if (parameter_count(model) >= 2 && !in_unit_interval(parameters.beta)) {
    throw std::invalid_argument("beta must be in (0, 1]");
  }
  if (parameter_count(model) >= 3 && !in_unit_interval(parameters.phi)) {
    throw std::invalid_argument("phi must be in (0, 1]");
  }
}

// The one-step recursions of the smoothing models in error-correction form (equal to FPP3's
// component form): ŷ = ℓ + φb, e = y − ŷ, ℓ ← ŷ + αe, b ← φb + αβ*e. Returns the SSE;
// records states and residuals in `fit` when it is not null.
double smooth(std::span<const double> series, ForecastModel model,
              const SmoothingParameters& parameters, ModelFit* fit) {
  const bool trend_model = has_trend(model);
  const double phi = damping(model, parameters);
  const double alpha = parameters.alpha;
  const double alpha_beta = parameters.alpha * parameters.beta;
  std::size_t first = 1;
  double level = series[0];
  double trend = 0.0;
  if (trend_model) {
    level = series[1];
    trend = series[1] - series[0];
    first = 2;
  }
  double sse = 0.0;
  for (std::size_t t = first; t < series.size(); ++t) {
    const double predicted = level + phi * trend;
    const double error = series[t] - predicted;
    sse += error * error;
    level = predicted + alpha * error;
    if (trend_model) trend = phi * trend + alpha_beta * error;
    if (fit != nullptr) {
      fit->fitted.push_back(predicted);
      fit->residuals.push_back(error);
    }
  }
  if (fit != nullptr) {
    fit->level = level;
    fit->trend = trend;
  }
  return sse;
}

void finish_sigma(ModelFit& fit) {
  const auto degrees_of_freedom =
      static_cast<double>(fit.residuals.size()) - static_cast<double>(parameter_count(fit.model));
  fit.sigma = std::sqrt(fit.sse / degrees_of_freedom);  // ≥ 1 by minimum_observations
}

// Hundredths from `centre − radius` to `centre + radius`, within [low, high].
std::vector<int> around(int centre, int radius, int low, int high) {
  std::vector<int> values;
  for (int value = std::max(low, centre - radius); value <= std::min(high, centre + radius);
       ++value) {
    values.push_back(value);
  }
  return values;
}

struct GridPoint {
  int alpha = 0;  // hundredths
  int beta = 0;
  int phi = 100;
};

SmoothingParameters to_parameters(const GridPoint& point) {
  return {.alpha = point.alpha / 100.0, .beta = point.beta / 100.0, .phi = point.phi / 100.0};
}

// The grid point with the least SSE, the first one on ties (lists are ascending).
GridPoint best_on_grid(std::span<const double> series, ForecastModel model,
                       const std::vector<int>& alphas, const std::vector<int>& betas,
                       const std::vector<int>& phis) {
  GridPoint best{alphas.front(), betas.front(), phis.front()};
  double best_sse = std::numeric_limits<double>::infinity();
  for (int alpha : alphas) {
    for (int beta : betas) {
      for (int phi : phis) {
        const GridPoint point{alpha, beta, phi};
        const double sse = smooth(series, model, to_parameters(point), nullptr);
        if (sse < best_sse) {
          best_sse = sse;
          best = point;
        }
      }
    }
  }
  return best;
}

double mean(double sum, int count) { return sum / static_cast<double>(count); }

// A finite value, or null with the reason.
std::optional<double> finite_or_null(double value) {
  if (std::isfinite(value)) return value;
  return std::nullopt;
}

void append_reason(std::string& reasons, std::string_view reason) {
  if (!reasons.empty()) reasons += "; ";
  reasons += reason;
}

struct AccuracySums {
  int forecasts = 0;
  double absolute_error = 0.0;
  double absolute_percentage_error = 0.0;
  int percentage_count = 0;
  int zero_actuals = 0;

  void add(double actual, double predicted) {
    const double error = std::abs(actual - predicted);
    ++forecasts;
    absolute_error += error;
    if (actual == 0.0) {
      ++zero_actuals;
    } else {
      absolute_percentage_error += error / std::abs(actual);
      ++percentage_count;
    }
  }

  Accuracy metrics(const std::optional<double>& naive_scale) const {
    Accuracy accuracy;
    accuracy.forecasts = forecasts;
    accuracy.zero_actuals_skipped = zero_actuals;
    if (forecasts == 0) {
      accuracy.reason_if_null = "no forecasts to evaluate";
      return accuracy;
    }
    accuracy.mae = finite_or_null(mean(absolute_error, forecasts));
    if (!accuracy.mae) append_reason(accuracy.reason_if_null, "errors overflow");
    if (percentage_count == 0) {
      append_reason(accuracy.reason_if_null, "MAPE: every actual is zero");
    } else {
      accuracy.mape = finite_or_null(100.0 * mean(absolute_percentage_error, percentage_count));
      if (!accuracy.mape) append_reason(accuracy.reason_if_null, "MAPE overflows");
    }
    if (!naive_scale) {
      append_reason(accuracy.reason_if_null,
                    "MASE: the series never changes, so the naive scale is zero");
    } else if (accuracy.mae) {
      accuracy.mase = finite_or_null(*accuracy.mae / *naive_scale);
      if (!accuracy.mase) append_reason(accuracy.reason_if_null, "MASE overflows");
    }
    return accuracy;
  }
};

std::optional<std::string> invalid_series(std::span<const double> series) {
  for (std::size_t i = 0; i < series.size(); ++i) {
    if (!std::isfinite(series[i])) {
      return "value " + std::to_string(i + 1) + " of the series is not a finite number";
    }
  }
  return std::nullopt;
}

std::optional<std::string> invalid_horizon(int horizon) {
  if (horizon < 1 || horizon > kMaxHorizon) {
    return "horizon must be 1 to " + std::to_string(kMaxHorizon) + " periods";
  }
  return std::nullopt;
}

bool all_finite(const ModelFit& fit, const std::vector<ForecastPoint>& points) {
  if (!std::isfinite(fit.sigma)) return false;
  return std::all_of(points.begin(), points.end(), [](const ForecastPoint& point) {
    return std::isfinite(point.value) && std::isfinite(point.lower95) &&
           std::isfinite(point.upper95) && std::isfinite(point.lower80) &&
           std::isfinite(point.upper80);
  });
}

}  // namespace

std::string_view to_string(ForecastModel model) {
  switch (model) {
    case ForecastModel::kNaive:
      return "naive";
    case ForecastModel::kSeasonalNaive:
      return "seasonal_naive";
    case ForecastModel::kSimpleExponentialSmoothing:
      return "ETS(A,N,N)";
    case ForecastModel::kHolt:
      return "ETS(A,A,N)";
    case ForecastModel::kDampedHolt:
      return "ETS(A,Ad,N)";
  }
  return "unknown";
}

int parameter_count(ForecastModel model) {
  switch (model) {
    case ForecastModel::kSimpleExponentialSmoothing:
      return 1;
    case ForecastModel::kHolt:
      return 2;
    case ForecastModel::kDampedHolt:
      return 3;
    case ForecastModel::kNaive:
    case ForecastModel::kSeasonalNaive:
      break;
  }
  return 0;
}

int minimum_observations(ForecastModel model, int season_length) {
  return initial_observations(model, season_length) + parameter_count(model) + 1;
}

ModelFit fit_model(std::span<const double> series, ForecastModel model,
                   const SmoothingParameters& parameters, int season_length) {
  check_series(series, model, season_length);
  check_parameters(model, parameters);
  ModelFit fit;
  fit.model = model;
  fit.observations = static_cast<int>(series.size());
  fit.initial_observations = initial_observations(model, season_length);
  if (model == ForecastModel::kSeasonalNaive) fit.season_length = season_length;
  const int count = parameter_count(model);
  if (count >= 1) fit.parameters.alpha = parameters.alpha;
  if (count >= 2) fit.parameters.beta = parameters.beta;
  if (count >= 3) fit.parameters.phi = parameters.phi;

  if (model == ForecastModel::kNaive || model == ForecastModel::kSeasonalNaive) {
    const auto lag = static_cast<std::size_t>(model == ForecastModel::kNaive ? 1 : season_length);
    for (std::size_t t = lag; t < series.size(); ++t) {
      fit.fitted.push_back(series[t - lag]);
      fit.residuals.push_back(series[t] - series[t - lag]);
      fit.sse += fit.residuals.back() * fit.residuals.back();
    }
    fit.level = series.back();
    if (model == ForecastModel::kSeasonalNaive) {
      fit.last_season.assign(series.end() - season_length, series.end());
    }
  } else {
    fit.sse = smooth(series, model, fit.parameters, &fit);
  }
  finish_sigma(fit);
  return fit;
}

ModelFit fit_best(std::span<const double> series, ForecastModel model, int season_length) {
  check_series(series, model, season_length);
  const int count = parameter_count(model);
  if (count == 0) return fit_model(series, model, {}, season_length);

  const std::vector<int> coarse_smoothing = {5, 15, 25, 35, 45, 55, 65, 75, 85, 95};
  const std::vector<int> coarse_damping = {80, 85, 90, 95, 98};
  const std::vector<int> unused_beta = {0};
  const std::vector<int> unused_phi = {100};
  const GridPoint coarse =
      best_on_grid(series, model, coarse_smoothing, count >= 2 ? coarse_smoothing : unused_beta,
                   count >= 3 ? coarse_damping : unused_phi);
  const GridPoint fine = best_on_grid(series, model, around(coarse.alpha, 5, 1, 99),
                                      count >= 2 ? around(coarse.beta, 5, 1, 99) : unused_beta,
                                      count >= 3 ? around(coarse.phi, 3, 80, 98) : unused_phi);
  return fit_model(series, model, to_parameters(fine), season_length);
}

double variance_multiplier(ForecastModel model, const SmoothingParameters& parameters, int h,
                           int season_length) {
  if (h < 1) throw std::invalid_argument("h must be at least 1");
  const double steps = static_cast<double>(h);
  const double alpha = parameters.alpha;
  const double beta = parameters.alpha * parameters.beta;  // state-space β = α·β*
  switch (model) {
    case ForecastModel::kNaive:
      return steps;
    case ForecastModel::kSeasonalNaive: {
      if (season_length < 1) throw std::invalid_argument("season length must be at least 1");
      const int whole_seasons_back = (h - 1) / season_length;  // ⌊(h − 1)/m⌋ on purpose
      return static_cast<double>(whole_seasons_back + 1);
    }
    case ForecastModel::kSimpleExponentialSmoothing:
      return 1.0 + alpha * alpha * (steps - 1.0);
    case ForecastModel::kDampedHolt:
      if (parameters.phi < 1.0) {
        const double phi = parameters.phi;
        const double phi_h = std::pow(phi, steps);
        const double one_minus = 1.0 - phi;
        return 1.0 + alpha * alpha * (steps - 1.0) +
               beta * phi * steps / (one_minus * one_minus) *
                   (2.0 * alpha * one_minus + beta * phi) -
               beta * phi * (1.0 - phi_h) / (one_minus * one_minus * (1.0 - phi * phi)) *
                   (2.0 * alpha * (1.0 - phi * phi) + beta * phi * (1.0 + 2.0 * phi - phi_h));
      }
      [[fallthrough]];  // φ = 1 is Holt's model
    case ForecastModel::kHolt:
      return 1.0 + (steps - 1.0) * (alpha * alpha + alpha * beta * steps +
                                    beta * beta * steps * (2.0 * steps - 1.0) / 6.0);
  }
  return 1.0;
}

std::vector<ForecastPoint> forecast_points(const ModelFit& fit, int horizon) {
  std::vector<ForecastPoint> points;
  const double phi = damping(fit.model, fit.parameters);
  double damped_sum = 0.0;  // φ + φ² + … + φ^h
  double phi_power = 1.0;
  for (int h = 1; h <= horizon; ++h) {
    phi_power *= phi;
    damped_sum += phi_power;
    ForecastPoint point;
    point.step = h;
    switch (fit.model) {
      case ForecastModel::kSeasonalNaive:
        point.value = fit.last_season[static_cast<std::size_t>((h - 1) % fit.season_length)];
        break;
      case ForecastModel::kHolt:
      case ForecastModel::kDampedHolt:
        point.value = fit.level + damped_sum * fit.trend;
        break;
      case ForecastModel::kNaive:
      case ForecastModel::kSimpleExponentialSmoothing:
        point.value = fit.level;
        break;
    }
    const double deviation =
        fit.sigma * std::sqrt(variance_multiplier(fit.model, fit.parameters, h, fit.season_length));
    point.lower80 = point.value - kZ80 * deviation;
    point.upper80 = point.value + kZ80 * deviation;
    point.lower95 = point.value - kZ95 * deviation;
    point.upper95 = point.value + kZ95 * deviation;
    points.push_back(point);
  }
  return points;
}

BacktestResult backtest(std::span<const double> series, ForecastModel model,
                        const BacktestOptions& options) {
  BacktestResult result;
  result.model = model;
  result.horizon = options.horizon;
  if (model == ForecastModel::kSeasonalNaive) result.season_length = options.season_length;
  const auto no_forecasts = [&result](std::string reason) {
    result.model_overall = AccuracySums{}.metrics(std::nullopt);
    result.naive_overall = result.model_overall;
    result.reason_if_null = std::move(reason);
    return result;
  };
  if (auto reason = invalid_horizon(options.horizon)) return no_forecasts(*reason);
  if (model == ForecastModel::kSeasonalNaive && options.season_length < 2) {
    return no_forecasts("seasonal naive needs a season length of at least 2");
  }
  if (auto reason = invalid_series(series)) return no_forecasts(*reason);

  const int length = static_cast<int>(series.size());
  result.min_train =
      std::max(options.min_train, minimum_observations(model, options.season_length));
  int first_origin = result.min_train;
  if (options.max_origins > 0) first_origin = std::max(first_origin, length - options.max_origins);
  result.origins = std::max(0, length - first_origin);
  if (result.origins == 0) {
    return no_forecasts("needs more than " + std::to_string(result.min_train) +
                        " observations to forecast from " + std::to_string(result.min_train));
  }

  double naive_sum = 0.0;
  for (int t = 1; t < length; ++t) {
    naive_sum +=
        std::abs(series[static_cast<std::size_t>(t)] - series[static_cast<std::size_t>(t - 1)]);
  }
  const double scale = mean(naive_sum, length - 1);
  if (scale > 0.0 && std::isfinite(scale)) result.naive_scale = scale;

  std::vector<AccuracySums> model_steps(static_cast<std::size_t>(options.horizon));
  std::vector<AccuracySums> naive_steps(static_cast<std::size_t>(options.horizon));
  AccuracySums model_all;
  AccuracySums naive_all;
  for (int origin = first_origin; origin < length; ++origin) {
    const auto prefix = series.first(static_cast<std::size_t>(origin));
    const ModelFit fit = fit_best(prefix, model, options.season_length);
    const int steps = std::min(options.horizon, length - origin);
    const std::vector<ForecastPoint> points = forecast_points(fit, steps);
    for (int h = 1; h <= steps; ++h) {
      const double actual = series[static_cast<std::size_t>(origin + h - 1)];
      const double predicted = points[static_cast<std::size_t>(h - 1)].value;
      const double naive = prefix.back();
      model_steps[static_cast<std::size_t>(h - 1)].add(actual, predicted);
      naive_steps[static_cast<std::size_t>(h - 1)].add(actual, naive);
      model_all.add(actual, predicted);
      naive_all.add(actual, naive);
    }
  }
  for (int h = 1; h <= options.horizon; ++h) {
    result.steps.push_back(
        {.step = h,
         .model = model_steps[static_cast<std::size_t>(h - 1)].metrics(result.naive_scale),
         .naive = naive_steps[static_cast<std::size_t>(h - 1)].metrics(result.naive_scale)});
  }
  result.model_overall = model_all.metrics(result.naive_scale);
  result.naive_overall = naive_all.metrics(result.naive_scale);
  if (result.model_overall.mae && result.naive_overall.mae) {
    result.beats_naive = *result.model_overall.mae < *result.naive_overall.mae;
  } else {
    result.reason_if_null = "the errors overflow";
  }
  return result;
}

ForecastResult forecast(std::span<const double> series, const ForecastOptions& options) {
  ForecastResult result;
  result.observations = static_cast<int>(series.size());
  result.horizon = options.horizon;
  if (auto reason = invalid_horizon(options.horizon)) {
    result.reason_if_null = *reason;
    return result;
  }
  if (options.season_length < 0) {
    result.reason_if_null = "season length must not be negative";
    return result;
  }
  if (series.size() < 3) {
    result.reason_if_null = "needs at least 3 observations, has " + std::to_string(series.size());
    return result;
  }
  if (auto reason = invalid_series(series)) {
    result.reason_if_null = *reason;
    return result;
  }

  const int length = static_cast<int>(series.size());
  const int season_length = options.season_length >= 2 ? options.season_length : 0;
  std::vector<ForecastModel> candidates;
  for (ForecastModel model : {ForecastModel::kSimpleExponentialSmoothing, ForecastModel::kHolt,
                              ForecastModel::kDampedHolt, ForecastModel::kSeasonalNaive}) {
    if (model == ForecastModel::kSeasonalNaive && season_length == 0) continue;
    if (length >= minimum_observations(model, season_length) + kSelectionOrigins) {
      candidates.push_back(model);
    }
  }

  ForecastModel chosen = ForecastModel::kSimpleExponentialSmoothing;
  if (candidates.size() <= 1) {
    result.selection = "simple exponential smoothing: " + std::to_string(length) +
                       " observations are too few to choose between models by backtest";
  } else {
    int min_train = 0;
    for (ForecastModel model : candidates) {
      min_train = std::max(min_train, minimum_observations(model, season_length));
    }
    std::optional<double> best_error;
    for (ForecastModel model : candidates) {
      const BacktestResult tested = backtest(series, model,
                                             {.horizon = options.horizon,
                                              .min_train = min_train,
                                              .season_length = season_length,
                                              .max_origins = kSelectionMaxOrigins});
      const std::optional<double>& error = tested.model_overall.mae;
      result.candidates.push_back(
          {.model = model, .backtest_mae = error, .forecasts = tested.model_overall.forecasts});
      // Strictly lower by a relative margin, so rounding noise does not beat a simpler model.
      if (error && (!best_error || *error < *best_error - 1e-9 * std::abs(*best_error))) {
        best_error = error;
        chosen = model;
      }
    }
    result.selection = std::string(to_string(chosen)) +
                       ": the lowest mean absolute error in a rolling-origin backtest of " +
                       std::to_string(result.candidates.size()) + " models";
  }

  const ModelFit fit = fit_best(series, chosen, season_length);
  std::vector<ForecastPoint> points = forecast_points(fit, options.horizon);
  if (!all_finite(fit, points)) {
    result.reason_if_null = "the values are too large to forecast without overflow";
    result.selection.clear();
    result.candidates.clear();
    return result;
  }
  result.model = chosen;
  result.parameters = fit.parameters;
  result.season_length = fit.season_length;
  result.sigma = fit.sigma;
  result.points = std::move(points);
  return result;
}

namespace {

using core::JsonWriter;

void reason_member(JsonWriter& json, std::string_view reason) {
  json.key("reason_if_null");
  if (reason.empty()) {
    json.null();
  } else {
    json.value(reason);
  }
}

void write_accuracy(JsonWriter& json, std::string_view name, const Accuracy& accuracy) {
  json.key(name);
  json.begin_object();
  json.member("forecasts", static_cast<std::int64_t>(accuracy.forecasts));
  json.number_member("mae", accuracy.mae, 2);
  json.number_member("mape", accuracy.mape, 2);
  json.member("zero_actuals_skipped", static_cast<std::int64_t>(accuracy.zero_actuals_skipped));
  json.number_member("mase", accuracy.mase, 4);
  reason_member(json, accuracy.reason_if_null);
  json.end_object();
}

constexpr int kValueDecimals = 2;
constexpr int kParameterDecimals = 4;

}  // namespace

void write_forecast_members(JsonWriter& json, const ForecastResult& result) {
  json.key("model");
  if (result.model) {
    json.value(to_string(*result.model));
  } else {
    json.null();
  }
  const int count = result.model ? parameter_count(*result.model) : 0;
  json.key("parameters");
  json.begin_object();
  const auto parameter = [&](std::string_view name, double value, bool present) {
    json.number_member(name, present ? std::optional<double>(value) : std::nullopt,
                       kParameterDecimals);
  };
  parameter("alpha", result.parameters.alpha, count >= 1);
  parameter("beta", result.parameters.beta, count >= 2);
  parameter("phi", result.parameters.phi, count >= 3);
  json.end_object();
  json.key("season_length");
  if (result.season_length > 0) {
    json.value(static_cast<std::int64_t>(result.season_length));
  } else {
    json.null();
  }
  json.member("observations", static_cast<std::int64_t>(result.observations));
  json.member("horizon", static_cast<std::int64_t>(result.horizon));
  json.number_member("sigma", result.sigma, kValueDecimals);
  json.key("points");
  json.begin_array();
  for (const ForecastPoint& point : result.points) {
    json.begin_object();
    json.member("step", static_cast<std::int64_t>(point.step));
    json.key("value");
    json.number(point.value, kValueDecimals);
    json.key("lower80");
    json.number(point.lower80, kValueDecimals);
    json.key("upper80");
    json.number(point.upper80, kValueDecimals);
    json.key("lower95");
    json.number(point.lower95, kValueDecimals);
    json.key("upper95");
    json.number(point.upper95, kValueDecimals);
    json.end_object();
  }
  json.end_array();
  json.key("selection");
  if (result.selection.empty()) {
    json.null();
  } else {
    json.value(result.selection);
  }
  json.key("candidates");
  json.begin_array();
  for (const CandidateScore& candidate : result.candidates) {
    json.begin_object();
    json.member("model", to_string(candidate.model));
    json.number_member("backtest_mae", candidate.backtest_mae, kValueDecimals);
    json.member("forecasts", static_cast<std::int64_t>(candidate.forecasts));
    json.end_object();
  }
  json.end_array();
  reason_member(json, result.reason_if_null);
}

std::string to_json(const ForecastResult& result) {
  std::string out;
  JsonWriter json(out);
  json.begin_object();
  write_forecast_members(json, result);
  json.end_object();
  return out;
}

void write_backtest_members(JsonWriter& json, const BacktestResult& result) {
  json.member("model", to_string(result.model));
  json.key("season_length");
  if (result.season_length > 0) {
    json.value(static_cast<std::int64_t>(result.season_length));
  } else {
    json.null();
  }
  json.member("horizon", static_cast<std::int64_t>(result.horizon));
  json.member("min_train", static_cast<std::int64_t>(result.min_train));
  json.member("origins", static_cast<std::int64_t>(result.origins));
  json.number_member("naive_scale", result.naive_scale, kValueDecimals);
  json.key("steps");
  json.begin_array();
  for (const StepAccuracy& step : result.steps) {
    json.begin_object();
    json.member("step", static_cast<std::int64_t>(step.step));
    write_accuracy(json, "model", step.model);
    write_accuracy(json, "naive", step.naive);
    json.end_object();
  }
  json.end_array();
  json.key("overall");
  json.begin_object();
  write_accuracy(json, "model", result.model_overall);
  write_accuracy(json, "naive", result.naive_overall);
  json.end_object();
  json.member_or_null("beats_naive", result.beats_naive);
  reason_member(json, result.reason_if_null);
}

std::string to_json(const BacktestResult& result) {
  std::string out;
  JsonWriter json(out);
  json.begin_object();
  write_backtest_members(json, result);
  json.end_object();
  return out;
}

}  // namespace aic::finance
