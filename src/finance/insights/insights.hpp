// Insights: everything the engine knows about an entity in one document — scores, risk,
// news sentiment, the drivers of change since the last period and a plain-language narrative.
//
// The narrative is deterministic: a list of messages, each a catalogue key with named
// parameters and its English text, so a translation needs only a new catalogue (and a client
// may render the keys itself). Pure functions on values; no I/O, no thread affinity.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/json_writer.hpp"
#include "finance/analytics/scores.hpp"
#include "finance/insights/risk.hpp"

namespace aic::finance {

// One ratio whose change moved the health score between two periods.
struct ChangeDriver {
  std::string pillar;  // "liquidity", …
  std::string ratio;   // "current_ratio", …
  std::optional<double> before;
  std::optional<double> now;
  double score_change = 0.0;  // of the ratio's 0–100 score
  // Its share of the change in the health score, in points: score change × the pillar's
  // weight / the pillar's ratios. Approximate when pillars are missing (their weight is
  // spread over the others).
  double health_points = 0.0;
};

// The ratios scored in both periods, by |health_points|, largest first, at most `top`.
std::vector<ChangeDriver> drivers_of_change(const HealthScore& now, const HealthScore& before,
                                            std::size_t top = 5);

// News sentiment of one day (UTC): counts by label and the mean score (−1 … 1).
struct SentimentDay {
  std::chrono::year_month_day date{};
  int items = 0;
  int positive = 0;
  int negative = 0;
  int neutral = 0;
  double mean_score = 0.0;
};

struct SentimentSummary {
  int window_days = 0;
  std::chrono::year_month_day as_of{};  // the last day of the window
  int items = 0;
  int positive = 0;
  int negative = 0;
  int neutral = 0;
  std::optional<double> mean_score;           // over the window's items
  std::optional<double> previous_mean_score;  // over the window before it
  // "improving" / "worsening" when the mean moved by more than 0.1, "steady" otherwise;
  // empty without both means.
  std::string trend;
  std::string label;  // "positive", "negative" or "neutral" for the window's mean (±0.1)
  std::vector<SentimentDay> days;  // the window's days that have news, oldest first
};

// The window of `window_days` days ending on `as_of` and the same length before it.
// REQUIRES: `days` in date order.
SentimentSummary summarize_sentiment(std::span<const SentimentDay> days,
                                     std::chrono::year_month_day as_of, int window_days = 90);
void write_sentiment_members(core::JsonWriter& json, const SentimentSummary& summary);

struct Message {
  std::string key;  // "insights.health", …
  std::vector<std::pair<std::string, std::string>> params;
  std::string text;  // the English rendering
};

// The English template of a catalogue key ("{name}'s financial health is {band}…"); empty for
// an unknown key. Every key the narrative uses is in the catalogue.
std::string_view message_template(std::string_view key);
// The template with each {param} replaced by its value.
std::string render_message(std::string_view key,
                           std::span<const std::pair<std::string, std::string>> params);

struct InsightsInput {
  std::string entity_name;
  std::string currency;
  std::optional<PeriodScores> latest;    // scores of the latest period
  std::optional<PeriodScores> previous;  // of the period before it (same length)
  RiskReport risk;
  std::optional<SentimentSummary> sentiment;  // null without news
};

struct Insights {
  std::vector<ChangeDriver> drivers;
  std::vector<Message> narrative;
};

Insights compose_insights(const InsightsInput& input);

// The whole document: {"entity_id","name","currency","data_version","computed_at","scores":{…}|
// null,"risk":{…},"sentiment":{…}|null,"drivers":[…],"narrative":[{"key","params","text"}],
// "summary": the narrative's texts joined}.
std::string insights_json(const InsightsInput& input, const Insights& insights,
                          std::string_view entity_id, std::string_view data_version,
                          std::string_view computed_at);

}  // namespace aic::finance
