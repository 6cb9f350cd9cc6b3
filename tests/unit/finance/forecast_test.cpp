// Forecasts, their intervals and the rolling-origin backtest, on small series worked by hand
// (the arithmetic is in the comments), plus the edge cases that must give a reason instead of
// a number: too few points, constant series, non-finite values.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <cmath>
#include <cstddef>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "finance/analytics/forecast.hpp"

namespace aic::finance {
namespace {

constexpr double kTolerance = 1e-9;

// SES, α = 0.5 on 10, 12, 11, 13 (ℓ₁ = y₁ = 10):
//   t=2: ŷ = 10, e = 2, ℓ = 11;  t=3: ŷ = 11, e = 0, ℓ = 11;  t=4: ŷ = 11, e = 2, ℓ = 12.
//   SSE = 8, σ² = 8 / (3 residuals − 1 parameter) = 4, σ = 2; ŷ_{T+h} = 12 for every h.
TEST(ForecastFit, SimpleExponentialSmoothingByHand) {
  const std::vector<double> series = {10, 12, 11, 13};
  const ModelFit fit =
      fit_model(series, ForecastModel::kSimpleExponentialSmoothing, {.alpha = 0.5});
  EXPECT_EQ(fit.initial_observations, 1);
  ASSERT_EQ(fit.residuals.size(), 3u);
  EXPECT_NEAR(fit.fitted[0], 10, kTolerance);
  EXPECT_NEAR(fit.fitted[1], 11, kTolerance);
  EXPECT_NEAR(fit.fitted[2], 11, kTolerance);
  EXPECT_NEAR(fit.residuals[0], 2, kTolerance);
  EXPECT_NEAR(fit.residuals[1], 0, kTolerance);
  EXPECT_NEAR(fit.residuals[2], 2, kTolerance);
  EXPECT_NEAR(fit.level, 12, kTolerance);
  EXPECT_NEAR(fit.sse, 8, kTolerance);
  EXPECT_NEAR(fit.sigma, 2, kTolerance);

  // Intervals: σ_h² = σ²[1 + α²(h − 1)] = 4 · {1, 1.25, 1.5, 1.75}.
  const std::vector<ForecastPoint> points = forecast_points(fit, 4);
  ASSERT_EQ(points.size(), 4u);
  const double multipliers[] = {1.0, 1.25, 1.5, 1.75};
  for (int h = 1; h <= 4; ++h) {
    const ForecastPoint& point = points[static_cast<std::size_t>(h - 1)];
    const double deviation = 2.0 * std::sqrt(multipliers[h - 1]);
    EXPECT_EQ(point.step, h);
    EXPECT_NEAR(point.value, 12, kTolerance);
    EXPECT_NEAR(point.lower80, 12 - 1.2816 * deviation, kTolerance);
    EXPECT_NEAR(point.upper80, 12 + 1.2816 * deviation, kTolerance);
    EXPECT_NEAR(point.lower95, 12 - 1.96 * deviation, kTolerance);
    EXPECT_NEAR(point.upper95, 12 + 1.96 * deviation, kTolerance);
  }
  EXPECT_NEAR(points[0].upper80, 14.5632, kTolerance);  // 12 + 1.2816 · 2
}

// Holt, α = 0.5, β* = 0.4 (αβ* = 0.2), on 10, 12, 15, 16, 20; ℓ₂ = 12, b₂ = 12 − 10 = 2.
//   t=3: ŷ = 14,    e = 1,     ℓ = 14.5,   b = 2 + 0.2·1 = 2.2
//   t=4: ŷ = 16.7,  e = −0.7,  ℓ = 16.35,  b = 2.2 − 0.14 = 2.06
//   t=5: ŷ = 18.41, e = 1.59,  ℓ = 19.205, b = 2.06 + 0.318 = 2.378
//   (component form: ℓ₃ = 0.5·15 + 0.5·(12 + 2) = 14.5, b₃ = 0.4·2.5 + 0.6·2 = 2.2, …)
//   SSE = 1 + 0.49 + 2.5281 = 4.0181; σ² = 4.0181 / (3 − 2).
TEST(ForecastFit, HoltByHand) {
  const std::vector<double> series = {10, 12, 15, 16, 20};
  const ModelFit fit = fit_model(series, ForecastModel::kHolt, {.alpha = 0.5, .beta = 0.4});
  EXPECT_EQ(fit.initial_observations, 2);
  ASSERT_EQ(fit.residuals.size(), 3u);
  EXPECT_NEAR(fit.fitted[0], 14, kTolerance);
  EXPECT_NEAR(fit.fitted[1], 16.7, kTolerance);
  EXPECT_NEAR(fit.fitted[2], 18.41, kTolerance);
  EXPECT_NEAR(fit.residuals[0], 1, kTolerance);
  EXPECT_NEAR(fit.residuals[1], -0.7, kTolerance);
  EXPECT_NEAR(fit.residuals[2], 1.59, kTolerance);
  EXPECT_NEAR(fit.level, 19.205, kTolerance);
  EXPECT_NEAR(fit.trend, 2.378, kTolerance);
  EXPECT_NEAR(fit.sse, 4.0181, kTolerance);
  EXPECT_NEAR(fit.sigma, std::sqrt(4.0181), kTolerance);

  // ŷ_{T+h} = 19.205 + 2.378h.
  const std::vector<ForecastPoint> points = forecast_points(fit, 4);
  EXPECT_NEAR(points[0].value, 21.583, kTolerance);
  EXPECT_NEAR(points[1].value, 23.961, kTolerance);
  EXPECT_NEAR(points[2].value, 26.339, kTolerance);
  EXPECT_NEAR(points[3].value, 28.717, kTolerance);
}

// Damped Holt, α = 0.5, β* = 0.4, φ = 0.9, on 10, 12, 15, 16, 20, 21; ℓ₂ = 12, b₂ = 2.
//   t=3: ŷ = 12 + 1.8 = 13.8,              e = 1.2,      ℓ = 14.4,       b = 1.8 + 0.24 = 2.04
//   t=4: ŷ = 14.4 + 1.836 = 16.236,        e = −0.236,   ℓ = 16.118,     b = 1.7888
//   t=5: ŷ = 16.118 + 1.60992 = 17.72792,  e = 2.27208,  ℓ = 18.86396,   b = 2.064336
//   t=6: ŷ = 18.86396 + 1.8579024 = 20.7218624, e = 0.2781376, ℓ = 20.8609312,
//        b = 1.8579024 + 0.05562752 = 1.91352992
//   ŷ_{T+1} = ℓ + 0.9b = 22.583108128, ŷ_{T+2} = ℓ + 1.71b = 24.1330673632.
TEST(ForecastFit, DampedHoltByHand) {
  const std::vector<double> series = {10, 12, 15, 16, 20, 21};
  const ModelFit fit =
      fit_model(series, ForecastModel::kDampedHolt, {.alpha = 0.5, .beta = 0.4, .phi = 0.9});
  ASSERT_EQ(fit.residuals.size(), 4u);
  EXPECT_NEAR(fit.residuals[0], 1.2, kTolerance);
  EXPECT_NEAR(fit.residuals[1], -0.236, kTolerance);
  EXPECT_NEAR(fit.residuals[2], 2.27208, kTolerance);
  EXPECT_NEAR(fit.residuals[3], 0.2781376, kTolerance);
  EXPECT_NEAR(fit.level, 20.8609312, kTolerance);
  EXPECT_NEAR(fit.trend, 1.91352992, kTolerance);
  const double sse = 1.44 + 0.055696 + 2.27208 * 2.27208 + 0.2781376 * 0.2781376;
  EXPECT_NEAR(fit.sse, sse, kTolerance);
  EXPECT_NEAR(fit.sigma, std::sqrt(sse / (4 - 3)), kTolerance);
  const std::vector<ForecastPoint> points = forecast_points(fit, 2);
  EXPECT_NEAR(points[0].value, 22.583108128, kTolerance);
  EXPECT_NEAR(points[1].value, 24.1330673632, kTolerance);
}

TEST(ForecastFit, NaiveAndSeasonalNaive) {
  const std::vector<double> series = {5, 7, 6, 9, 8};
  const ModelFit naive = fit_model(series, ForecastModel::kNaive, {});
  // Residuals 2, −1, 3, −1; σ² = 15 / 4 (no parameters).
  EXPECT_NEAR(naive.sse, 15, kTolerance);
  EXPECT_NEAR(naive.sigma, std::sqrt(15.0 / 4.0), kTolerance);
  EXPECT_NEAR(forecast_points(naive, 3)[2].value, 8, kTolerance);

  const ModelFit seasonal = fit_model(series, ForecastModel::kSeasonalNaive, {}, 2);
  // Residuals y₃ − y₁ = 1, y₄ − y₂ = 2, y₅ − y₃ = 2: SSE 9, σ² = 9 / 3.
  EXPECT_NEAR(seasonal.sse, 9, kTolerance);
  EXPECT_NEAR(seasonal.sigma, std::sqrt(3.0), kTolerance);
  const std::vector<ForecastPoint> points = forecast_points(seasonal, 3);
  EXPECT_NEAR(points[0].value, 9, kTolerance);  // y₄, one season before T + 1
  EXPECT_NEAR(points[1].value, 8, kTolerance);  // y₅
  EXPECT_NEAR(points[2].value, 9, kTolerance);  // y₄ again, now two seasons back
  // h = 3 is in the second season ahead: σ_3² = 2σ².
  EXPECT_NEAR(points[2].upper95 - points[2].value, 1.96 * std::sqrt(3.0) * std::sqrt(2.0),
              kTolerance);
}

// σ_h²/σ² for h = 1 … 4 with α = 0.5, β* = 0.4 (β = 0.2), φ = 0.9. Each equals
// 1 + Σ_{j<h} c_j² with c_j the weight of an error j steps back: SES c_j = α; Holt
// c_j = α + βj = 0.7, 0.9, 1.1; damped c_j = α + β(φ + … + φ^j) = 0.68, 0.842, 0.9878.
TEST(ForecastIntervals, VarianceMultipliersByHand) {
  const SmoothingParameters parameters{.alpha = 0.5, .beta = 0.4, .phi = 0.9};
  const double ses[] = {1.0, 1.25, 1.5, 1.75};
  const double holt[] = {1.0, 1.49, 2.30, 3.51};
  const double damped[] = {1.0, 1.4624, 2.171364, 3.14711284};
  for (int h = 1; h <= 4; ++h) {
    EXPECT_NEAR(variance_multiplier(ForecastModel::kSimpleExponentialSmoothing, parameters, h),
                ses[h - 1], kTolerance)
        << h;
    EXPECT_NEAR(variance_multiplier(ForecastModel::kHolt, parameters, h), holt[h - 1], kTolerance)
        << h;
    EXPECT_NEAR(variance_multiplier(ForecastModel::kDampedHolt, parameters, h), damped[h - 1],
                kTolerance)
        << h;
    EXPECT_NEAR(variance_multiplier(ForecastModel::kNaive, parameters, h), h, kTolerance);
    EXPECT_NEAR(variance_multiplier(ForecastModel::kSeasonalNaive, parameters, h, 4), 1,
                kTolerance);
  }
  EXPECT_NEAR(variance_multiplier(ForecastModel::kSeasonalNaive, parameters, 5, 4), 2, kTolerance);
  EXPECT_THROW((void)variance_multiplier(ForecastModel::kNaive, parameters, 0),
               std::invalid_argument);
}

// The closed form of Table 8.8 for the damped model against the sum it is derived from, for
// other parameters and longer horizons; φ = 1 gives Holt's.
TEST(ForecastIntervals, DampedClosedFormMatchesTheSum) {
  for (const SmoothingParameters parameters :
       {SmoothingParameters{.alpha = 0.3, .beta = 0.1, .phi = 0.8},
        SmoothingParameters{.alpha = 0.9, .beta = 0.7, .phi = 0.98}}) {
    const double beta = parameters.alpha * parameters.beta;
    double sum = 1.0;
    double phi_sum = 0.0;
    double phi_power = 1.0;
    for (int h = 1; h <= 12; ++h) {
      EXPECT_NEAR(variance_multiplier(ForecastModel::kDampedHolt, parameters, h), sum, 1e-9) << h;
      phi_power *= parameters.phi;
      phi_sum += phi_power;
      const double weight = parameters.alpha + beta * phi_sum;
      sum += weight * weight;
    }
  }
  const SmoothingParameters undamped{.alpha = 0.5, .beta = 0.4, .phi = 1.0};
  EXPECT_NEAR(variance_multiplier(ForecastModel::kDampedHolt, undamped, 4), 3.51, kTolerance);
}

TEST(ForecastIntervals, KnownSigmaGivesTheIntervalsOfTheFormula) {
  ModelFit fit;
  fit.model = ForecastModel::kHolt;
  fit.parameters = {.alpha = 0.5, .beta = 0.4};
  fit.level = 100;
  fit.trend = 10;
  fit.sigma = 3;
  const std::vector<ForecastPoint> points = forecast_points(fit, 4);
  const double holt[] = {1.0, 1.49, 2.30, 3.51};
  for (int h = 1; h <= 4; ++h) {
    const ForecastPoint& point = points[static_cast<std::size_t>(h - 1)];
    EXPECT_NEAR(point.value, 100 + 10 * h, kTolerance);
    EXPECT_NEAR(point.upper80 - point.value, 1.2816 * 3 * std::sqrt(holt[h - 1]), kTolerance);
    EXPECT_NEAR(point.value - point.lower95, 1.96 * 3 * std::sqrt(holt[h - 1]), kTolerance);
  }
  EXPECT_NEAR(points[1].upper95, 120 + 1.96 * 3 * std::sqrt(1.49), kTolerance);
}

TEST(ForecastFit, PreconditionsThrow) {
  const std::vector<double> two = {1, 2};
  const std::vector<double> six = {1, 2, 3, 4, 5, 6};
  EXPECT_THROW((void)fit_model(two, ForecastModel::kSimpleExponentialSmoothing, {.alpha = 0.5}),
               std::invalid_argument);
  EXPECT_THROW((void)fit_model(six, ForecastModel::kSimpleExponentialSmoothing, {.alpha = 0}),
               std::invalid_argument);
  EXPECT_THROW((void)fit_model(six, ForecastModel::kHolt, {.alpha = 0.5, .beta = 1.5}),
               std::invalid_argument);
  EXPECT_THROW((void)fit_model(six, ForecastModel::kSeasonalNaive, {}, 1), std::invalid_argument);
  const std::vector<double> with_nan = {1, 2, std::nan(""), 4};
  EXPECT_THROW((void)fit_best(with_nan, ForecastModel::kSimpleExponentialSmoothing),
               std::invalid_argument);
  EXPECT_EQ(minimum_observations(ForecastModel::kNaive), 2);
  EXPECT_EQ(minimum_observations(ForecastModel::kSimpleExponentialSmoothing), 3);
  EXPECT_EQ(minimum_observations(ForecastModel::kHolt), 5);
  EXPECT_EQ(minimum_observations(ForecastModel::kDampedHolt), 6);
  EXPECT_EQ(minimum_observations(ForecastModel::kSeasonalNaive, 4), 5);
}

// y = 100 + 5t: Holt with ℓ₂ = y₂, b₂ = y₂ − y₁ makes no error at all, so the search finds
// SSE 0, the trend is recovered exactly and σ is 0.
TEST(ForecastSearch, PerfectLinearTrendIsRecoveredExactly) {
  std::vector<double> series(12);
  for (int t = 0; t < 12; ++t) series[static_cast<std::size_t>(t)] = 100 + 5 * t;
  const ModelFit fit = fit_best(series, ForecastModel::kHolt);
  EXPECT_EQ(fit.sse, 0.0);
  EXPECT_EQ(fit.sigma, 0.0);
  EXPECT_NEAR(fit.trend, 5, kTolerance);
  EXPECT_NEAR(fit.level, 155, kTolerance);

  const ForecastResult result = forecast(series);
  ASSERT_TRUE(result.model) << result.reason_if_null;
  EXPECT_EQ(*result.model, ForecastModel::kHolt) << result.selection;
  EXPECT_TRUE(result.reason_if_null.empty());
  ASSERT_TRUE(result.sigma);
  EXPECT_LT(*result.sigma, 1e-9);
  ASSERT_EQ(result.points.size(), 4u);
  for (int h = 1; h <= 4; ++h) {
    const ForecastPoint& point = result.points[static_cast<std::size_t>(h - 1)];
    EXPECT_NEAR(point.value, 155 + 5 * h, 1e-9);
    EXPECT_NEAR(point.upper95 - point.lower95, 0, 1e-9);
  }
  // SES, Holt and damped Holt took part; Holt's backtest error is 0 and the others' are not.
  ASSERT_EQ(result.candidates.size(), 3u);
  EXPECT_EQ(result.candidates[1].model, ForecastModel::kHolt);
  EXPECT_NEAR(*result.candidates[1].backtest_mae, 0, 1e-9);
  EXPECT_GT(*result.candidates[0].backtest_mae, 1);
  EXPECT_GT(*result.candidates[2].backtest_mae, 0);

  // Damping can only lose on a straight line: the search takes the least damping allowed.
  EXPECT_NEAR(fit_best(series, ForecastModel::kDampedHolt).parameters.phi, 0.98, kTolerance);
}

// A level shift: every α < 1 leaves errors that shrink by (1 − α) a step, so the SSE
// falls as α grows and the search ends on the largest α of the grid, 0.99.
TEST(ForecastSearch, StepSeriesTakesTheLargestAlpha) {
  const std::vector<double> series = {0, 0, 0, 10, 10, 10, 10};
  const ModelFit fit = fit_best(series, ForecastModel::kSimpleExponentialSmoothing);
  EXPECT_NEAR(fit.parameters.alpha, 0.99, kTolerance);
}

// On a noisy series the coarse-then-fine search lands on the best α of every 0.01 step, and
// Holt's (α, β*) is no worse than any neighbour on the 0.01 lattice.
TEST(ForecastSearch, FindsTheSseMinimumOfTheLattice) {
  const std::vector<double> series = {112, 118, 132, 129, 121, 135, 148, 148,
                                      136, 119, 104, 118, 115, 126, 141, 135};
  const ModelFit ses = fit_best(series, ForecastModel::kSimpleExponentialSmoothing);
  double best_sse = std::numeric_limits<double>::infinity();
  double best_alpha = 0;
  for (int hundredths = 1; hundredths <= 99; ++hundredths) {
    const double alpha = hundredths / 100.0;
    const double sse =
        fit_model(series, ForecastModel::kSimpleExponentialSmoothing, {.alpha = alpha}).sse;
    if (sse < best_sse) {
      best_sse = sse;
      best_alpha = alpha;
    }
  }
  EXPECT_NEAR(ses.parameters.alpha, best_alpha, kTolerance);
  EXPECT_NEAR(ses.sse, best_sse, kTolerance);

  const ModelFit holt = fit_best(series, ForecastModel::kHolt);
  for (int da = -1; da <= 1; ++da) {
    for (int db = -1; db <= 1; ++db) {
      const double alpha = holt.parameters.alpha + da / 100.0;
      const double beta = holt.parameters.beta + db / 100.0;
      if (alpha < 0.005 || alpha > 0.995 || beta < 0.005 || beta > 0.995) continue;
      EXPECT_GE(fit_model(series, ForecastModel::kHolt, {.alpha = alpha, .beta = beta}).sse,
                holt.sse - 1e-9)
          << alpha << ", " << beta;
    }
  }
}

TEST(ForecastAuto, TooFewPointsGiveAReason) {
  for (std::size_t length = 0; length < 3; ++length) {
    const std::vector<double> series(length, 5.0);
    const ForecastResult result = forecast(series);
    EXPECT_FALSE(result.model);
    EXPECT_TRUE(result.points.empty());
    EXPECT_FALSE(result.sigma);
    EXPECT_NE(result.reason_if_null.find("at least 3 observations"), std::string::npos)
        << result.reason_if_null;
  }
  const std::vector<double> three = {1, 2, 3};
  const ForecastResult short_result = forecast(three);
  ASSERT_TRUE(short_result.model) << short_result.reason_if_null;
  EXPECT_EQ(*short_result.model, ForecastModel::kSimpleExponentialSmoothing);
  EXPECT_TRUE(short_result.candidates.empty());
  EXPECT_EQ(short_result.points.size(), 4u);
}

TEST(ForecastAuto, ConstantSeriesHasZeroWidthIntervals) {
  for (std::size_t length : {4u, 12u}) {
    const std::vector<double> series(length, 250.0);
    const ForecastResult result = forecast(series);
    ASSERT_TRUE(result.model) << result.reason_if_null;
    // Every candidate is exact; ties go to the simplest.
    EXPECT_EQ(*result.model, ForecastModel::kSimpleExponentialSmoothing);
    EXPECT_EQ(*result.sigma, 0.0);
    for (const ForecastPoint& point : result.points) {
      EXPECT_EQ(point.value, 250.0);
      EXPECT_EQ(point.lower95, 250.0);
      EXPECT_EQ(point.upper95, 250.0);
    }
  }
}

TEST(ForecastAuto, InvalidInputsGiveReasons) {
  const std::vector<double> with_infinity = {1, 2, std::numeric_limits<double>::infinity(), 4};
  const ForecastResult not_finite = forecast(with_infinity);
  EXPECT_FALSE(not_finite.model);
  EXPECT_NE(not_finite.reason_if_null.find("value 3"), std::string::npos);

  const std::vector<double> series = {1, 2, 3, 4};
  EXPECT_FALSE(forecast(series, {.horizon = 0}).model);
  EXPECT_FALSE(forecast(series, {.horizon = 61}).model);
  EXPECT_FALSE(forecast(series, {.horizon = 4, .season_length = -1}).model);

  // Values whose squares overflow: no NaN or infinity escapes, only a reason.
  const std::vector<double> huge = {1e300, -1e300, 1e300, -1e300, 1e300};
  const ForecastResult overflow = forecast(huge);
  if (overflow.model) {
    for (const ForecastPoint& point : overflow.points) {
      EXPECT_TRUE(std::isfinite(point.value) && std::isfinite(point.upper95));
    }
  } else {
    EXPECT_FALSE(overflow.reason_if_null.empty());
  }
}

// A quarterly pattern that repeats exactly: seasonal naive backtests with no error and wins;
// without a season length it is not a candidate.
TEST(ForecastAuto, SeasonalNaiveWinsOnAStrongSeason) {
  std::vector<double> series;
  for (int year = 0; year < 4; ++year) {
    for (double quarter : {100.0, 160.0, 80.0, 120.0}) series.push_back(quarter);
  }
  const ForecastResult seasonal = forecast(series, {.horizon = 4, .season_length = 4});
  ASSERT_TRUE(seasonal.model) << seasonal.reason_if_null;
  EXPECT_EQ(*seasonal.model, ForecastModel::kSeasonalNaive) << seasonal.selection;
  EXPECT_EQ(seasonal.season_length, 4);
  ASSERT_EQ(seasonal.candidates.size(), 4u);
  EXPECT_NEAR(*seasonal.candidates[3].backtest_mae, 0, kTolerance);
  EXPECT_NEAR(seasonal.points[0].value, 100, kTolerance);
  EXPECT_NEAR(seasonal.points[1].value, 160, kTolerance);
  EXPECT_NEAR(seasonal.points[3].value, 120, kTolerance);

  const ForecastResult plain = forecast(series);
  ASSERT_TRUE(plain.model);
  EXPECT_NE(*plain.model, ForecastModel::kSeasonalNaive);
  EXPECT_EQ(plain.candidates.size(), 3u);
}

// Seasonal naive (m = 2, no parameters to search) on 10, 20, 12, 22, 14, 24, horizon 2,
// from prefixes of 3, 4 and 5. Naive scale: mean |Δy| = (10 + 8 + 10 + 8 + 10) / 5 = 9.2.
//   k=3: model 20, 12 vs actual 22, 14 → errors 2, 2;  naive 12 → errors 10, 2
//   k=4: model 12, 22 vs actual 14, 24 → errors 2, 2;  naive 22 → errors 8, 2
//   k=5: model 22 vs actual 24 → error 2;              naive 14 → error 10
TEST(Backtest, SeasonalNaiveByHand) {
  const std::vector<double> series = {10, 20, 12, 22, 14, 24};
  const BacktestResult result = backtest(series, ForecastModel::kSeasonalNaive,
                                         {.horizon = 2, .min_train = 3, .season_length = 2});
  EXPECT_TRUE(result.reason_if_null.empty()) << result.reason_if_null;
  EXPECT_EQ(result.min_train, 3);
  EXPECT_EQ(result.origins, 3);
  ASSERT_TRUE(result.naive_scale);
  EXPECT_NEAR(*result.naive_scale, 9.2, kTolerance);
  ASSERT_EQ(result.steps.size(), 2u);

  const StepAccuracy& first = result.steps[0];
  EXPECT_EQ(first.model.forecasts, 3);
  EXPECT_NEAR(*first.model.mae, 2, kTolerance);
  EXPECT_NEAR(*first.model.mase, 2 / 9.2, kTolerance);
  EXPECT_NEAR(*first.model.mape, 100.0 * (2.0 / 22 + 2.0 / 14 + 2.0 / 24) / 3, kTolerance);
  EXPECT_NEAR(*first.naive.mae, 28.0 / 3, kTolerance);
  EXPECT_NEAR(*first.naive.mase, 28.0 / 3 / 9.2, kTolerance);

  const StepAccuracy& second = result.steps[1];
  EXPECT_EQ(second.model.forecasts, 2);
  EXPECT_NEAR(*second.model.mae, 2, kTolerance);
  EXPECT_NEAR(*second.naive.mae, 2, kTolerance);

  EXPECT_EQ(result.model_overall.forecasts, 5);
  EXPECT_NEAR(*result.model_overall.mae, 2, kTolerance);
  EXPECT_NEAR(*result.naive_overall.mae, 32.0 / 5, kTolerance);
  EXPECT_NEAR(*result.naive_overall.mase, 6.4 / 9.2, kTolerance);
  ASSERT_TRUE(result.beats_naive);
  EXPECT_TRUE(*result.beats_naive);
}

// The naive model against its own baseline on 3, 2, 1, 0, 1, 2 (|Δy| = 1 throughout, so the
// naive scale is 1 and the one-step naive MASE is exactly 1), horizon 2, from k = 2 … 5.
//   h=1: forecasts 2, 1, 0, 1 vs actuals 1, 0, 1, 2 → errors 1, 1, 1, 1; the actual 0 is
//        left out of MAPE: APE 100, 100, 50 → 83.33 %
//   h=2: forecasts 2, 1, 0 vs actuals 0, 1, 2 → errors 2, 0, 2; MAPE over 1, 2: (0 + 100)/2
TEST(Backtest, NaiveModelHasMaseOneAndDoesNotBeatItself) {
  const std::vector<double> series = {3, 2, 1, 0, 1, 2};
  const BacktestResult result = backtest(series, ForecastModel::kNaive, {.horizon = 2});
  EXPECT_EQ(result.min_train, 2);
  EXPECT_EQ(result.origins, 4);
  EXPECT_NEAR(*result.naive_scale, 1, kTolerance);

  const Accuracy& one = result.steps[0].model;
  EXPECT_EQ(one.forecasts, 4);
  EXPECT_NEAR(*one.mae, 1, kTolerance);
  EXPECT_NEAR(*one.mase, 1, kTolerance);
  EXPECT_NEAR(*result.steps[0].naive.mase, 1, kTolerance);
  EXPECT_EQ(one.zero_actuals_skipped, 1);
  EXPECT_NEAR(*one.mape, 250.0 / 3, kTolerance);

  const Accuracy& two = result.steps[1].model;
  EXPECT_EQ(two.forecasts, 3);
  EXPECT_NEAR(*two.mae, 4.0 / 3, kTolerance);
  EXPECT_NEAR(*two.mase, 4.0 / 3, kTolerance);
  EXPECT_NEAR(*two.mape, 50, kTolerance);
  EXPECT_EQ(two.zero_actuals_skipped, 1);

  EXPECT_EQ(result.model_overall.forecasts, 7);
  EXPECT_NEAR(*result.model_overall.mae, 8.0 / 7, kTolerance);
  EXPECT_NEAR(*result.model_overall.mape, 70, kTolerance);
  EXPECT_EQ(result.model_overall.zero_actuals_skipped, 2);
  EXPECT_NEAR(*result.model_overall.mase, *result.naive_overall.mase, kTolerance);
  ASSERT_TRUE(result.beats_naive);
  EXPECT_FALSE(*result.beats_naive);
}

TEST(Backtest, NullMetricsCarryReasons) {
  const std::vector<double> constant(8, 3.0);
  const BacktestResult flat = backtest(constant, ForecastModel::kSimpleExponentialSmoothing);
  EXPECT_FALSE(flat.naive_scale);
  EXPECT_FALSE(flat.model_overall.mase);
  EXPECT_NEAR(*flat.model_overall.mae, 0, kTolerance);
  EXPECT_NE(flat.model_overall.reason_if_null.find("MASE"), std::string::npos);

  const std::vector<double> zeros(6, 0.0);
  const BacktestResult zero = backtest(zeros, ForecastModel::kNaive);
  EXPECT_FALSE(zero.model_overall.mape);
  EXPECT_EQ(zero.model_overall.zero_actuals_skipped, zero.model_overall.forecasts);
  EXPECT_NE(zero.model_overall.reason_if_null.find("every actual is zero"), std::string::npos);

  const std::vector<double> short_series = {1, 2, 3, 4, 5};
  const BacktestResult none = backtest(short_series, ForecastModel::kHolt);
  EXPECT_EQ(none.origins, 0);
  EXPECT_FALSE(none.beats_naive);
  EXPECT_FALSE(none.model_overall.mae);
  EXPECT_FALSE(none.reason_if_null.empty());

  const std::vector<double> series = {1, 2, 3, 4, 5, 6};
  EXPECT_FALSE(backtest(series, ForecastModel::kNaive, {.horizon = 0}).reason_if_null.empty());
}

TEST(Backtest, MaxOriginsKeepsTheLatest) {
  std::vector<double> series(20);
  for (int t = 0; t < 20; ++t) series[static_cast<std::size_t>(t)] = t * t;
  const BacktestResult result =
      backtest(series, ForecastModel::kNaive, {.horizon = 1, .max_origins = 5});
  EXPECT_EQ(result.origins, 5);
  // Origins 15 … 19: naive errors (k)² − (k − 1)² = 2k − 1 for k = 15 … 19 → mean 33.
  EXPECT_NEAR(*result.model_overall.mae, 33, kTolerance);
}

TEST(ForecastJson, WritesRoundedValuesAndNullsWithReasons) {
  const std::vector<double> series = {10, 12, 11, 13};
  const ForecastResult result = forecast(series, {.horizon = 2});
  const boost::json::object json = boost::json::parse(to_json(result)).as_object();
  EXPECT_EQ(json.at("model").as_string(), "ETS(A,N,N)");
  EXPECT_TRUE(json.at("parameters").as_object().at("beta").is_null());
  EXPECT_TRUE(json.at("parameters").as_object().at("phi").is_null());
  EXPECT_TRUE(json.at("reason_if_null").is_null());
  EXPECT_EQ(json.at("observations").as_int64(), 4);
  const boost::json::array& points = json.at("points").as_array();
  ASSERT_EQ(points.size(), 2u);
  for (const boost::json::value& point : points) {
    for (const char* name : {"value", "lower80", "upper80", "lower95", "upper95"}) {
      const double value = point.as_object().at(name).to_number<double>();
      EXPECT_NEAR(value * 100, std::round(value * 100), 1e-6) << name;  // 2 decimals
    }
  }

  const std::vector<double> two = {1, 2};
  const boost::json::object empty = boost::json::parse(to_json(forecast(two))).as_object();
  EXPECT_TRUE(empty.at("model").is_null());
  EXPECT_TRUE(empty.at("sigma").is_null());
  EXPECT_TRUE(empty.at("points").as_array().empty());
  EXPECT_FALSE(empty.at("reason_if_null").as_string().empty());
}

TEST(BacktestJson, WritesStepsOverallAndVerdict) {
  const std::vector<double> series = {3, 2, 1, 0, 1, 2};
  const BacktestResult result = backtest(series, ForecastModel::kNaive, {.horizon = 2});
  const boost::json::object json = boost::json::parse(to_json(result)).as_object();
  EXPECT_EQ(json.at("model").as_string(), "naive");
  EXPECT_EQ(json.at("origins").as_int64(), 4);
  EXPECT_FALSE(json.at("beats_naive").as_bool());
  const boost::json::object& one = json.at("steps").as_array()[0].as_object();
  EXPECT_EQ(one.at("step").as_int64(), 1);
  EXPECT_EQ(one.at("model").as_object().at("mape").to_number<double>(), 83.33);
  EXPECT_EQ(one.at("model").as_object().at("mase").to_number<double>(), 1);
  EXPECT_EQ(one.at("model").as_object().at("zero_actuals_skipped").as_int64(), 1);
  const boost::json::object& overall = json.at("overall").as_object();
  EXPECT_EQ(overall.at("model").as_object().at("mase").to_number<double>(), 1.1429);
  EXPECT_EQ(overall.at("naive").as_object().at("forecasts").as_int64(), 7);

  const std::vector<double> constant(8, 3.0);
  const boost::json::object flat =
      boost::json::parse(to_json(backtest(constant, ForecastModel::kNaive))).as_object();
  EXPECT_TRUE(flat.at("naive_scale").is_null());
  const boost::json::object& model = flat.at("overall").as_object().at("model").as_object();
  EXPECT_TRUE(model.at("mase").is_null());
  EXPECT_FALSE(model.at("reason_if_null").as_string().empty());
}

}  // namespace
}  // namespace aic::finance
