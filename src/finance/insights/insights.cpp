#include "finance/insights/insights.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "finance/bank/bank_statement.hpp"
#include "finance/money.hpp"

namespace aic::finance {

namespace {

using Params = std::vector<std::pair<std::string, std::string>>;

constexpr std::pair<std::string_view, std::string_view> kCatalogue[] = {
    {"insights.no_statements",
     "No financial statements are imported for {name} yet; import a statements file to get "
     "its scores."},
    {"insights.health",
     "{name}'s financial health is {band} at {score} out of 100 for the {length} period ending "
     "{period_end} (confidence {confidence} %)."},
    {"insights.health_change", "That is {points} points {direction} the period before."},
    {"insights.driver", "{ratio} {moved} from {before} to {now} ({points} health points)."},
    {"insights.altman", "Altman's {variant} score is {z}, in the {zone} zone."},
    {"insights.distress",
     "Ohlson's model puts the probability of distress within a year at {probability} %."},
    {"insights.runway_burning",
     "The bank accounts burn {burn} {currency} a month on recent flows; the cash of {cash} "
     "{currency} lasts about {months} months{range}."},
    {"insights.runway_no_cash",
     "The bank accounts burn {burn} {currency} a month on recent flows and hold no cash "
     "(balance {cash} {currency})."},
    {"insights.runway_not_burning",
     "The bank accounts are not burning cash: on recent flows {net} {currency} a month comes "
     "in net."},
    {"insights.revenue_forecast",
     "Revenue is forecast at {value} {currency} for the next period (80 % range {low} to "
     "{high}; model {model})."},
    {"insights.backtest",
     "On the company's own history that model {verdict} the naive forecast (MASE {mase} over "
     "{forecasts} forecasts)."},
    {"insights.sentiment",
     "News over the last {days} days is {label}: {positive} positive, {negative} negative and "
     "{neutral} neutral items{trend}."},
};

// 1234567.8 → "1,234,568" (whole units, thousands separated).
std::string whole_amount(double value) {
  char digits[32];
  std::snprintf(digits, sizeof digits, "%.0f", std::fabs(value));
  std::string text(digits);
  for (int at = static_cast<int>(text.size()) - 3; at > 0; at -= 3) {
    text.insert(static_cast<std::size_t>(at), ",");
  }
  return (value < 0 && text != "0" ? "-" : "") + text;
}

std::string fixed(double value, int decimals) {
  char text[48];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

// A ratio with enough digits to show a change: 0.123, 12.3.
std::string ratio_text(double value) { return fixed(value, std::fabs(value) < 10 ? 3 : 1); }

// The smallest share of the health score's change a told driver has, in points.
constexpr double kToldDriverPoints = 0.1;

std::string minor_amount(std::int64_t minor, std::string_view currency) {
  return whole_amount(static_cast<double>(minor) / std::pow(10.0, currency_exponent(currency)));
}

const char* length_word(PeriodLength length) {
  return length == PeriodLength::kAnnual ? "annual" : "quarterly";
}

void say(std::vector<Message>& narrative, std::string_view key, Params params) {
  Message message;
  message.key = std::string(key);
  message.text = render_message(key, params);
  message.params = std::move(params);
  narrative.push_back(std::move(message));
}

}  // namespace

std::vector<ChangeDriver> drivers_of_change(const HealthScore& now, const HealthScore& before,
                                            std::size_t top) {
  std::vector<ChangeDriver> drivers;
  for (const HealthPillar& pillar : now.pillars) {
    auto earlier = std::find_if(before.pillars.begin(), before.pillars.end(),
                                [&](const HealthPillar& p) { return p.name == pillar.name; });
    if (earlier == before.pillars.end() || pillar.drivers.empty()) continue;
    for (const HealthDriver& driver : pillar.drivers) {
      auto old = std::find_if(earlier->drivers.begin(), earlier->drivers.end(),
                              [&](const HealthDriver& d) { return d.ratio == driver.ratio; });
      if (old == earlier->drivers.end() || !driver.score || !old->score) continue;
      ChangeDriver change;
      change.pillar = pillar.name;
      change.ratio = driver.ratio;
      change.before = old->value;
      change.now = driver.value;
      change.score_change = *driver.score - *old->score;
      change.health_points =
          change.score_change * pillar.weight / static_cast<double>(pillar.drivers.size());
      if (change.health_points != 0.0) drivers.push_back(std::move(change));
    }
  }
  std::stable_sort(drivers.begin(), drivers.end(),
                   [](const ChangeDriver& a, const ChangeDriver& b) {
                     return std::fabs(a.health_points) > std::fabs(b.health_points);
                   });
  if (drivers.size() > top) drivers.resize(top);
  return drivers;
}

SentimentSummary summarize_sentiment(std::span<const SentimentDay> days,
                                     std::chrono::year_month_day as_of, int window_days) {
  SentimentSummary summary;
  summary.window_days = window_days;
  summary.as_of = as_of;
  const auto last = std::chrono::sys_days(as_of);
  const auto first = last - std::chrono::days(window_days - 1);
  const auto previous_first = first - std::chrono::days(window_days);
  double sum = 0.0;
  double previous_sum = 0.0;
  int previous_items = 0;
  for (const SentimentDay& day : days) {
    const auto date = std::chrono::sys_days(day.date);
    if (date > last || date < previous_first) continue;
    if (date < first) {
      previous_sum += day.mean_score * day.items;
      previous_items += day.items;
      continue;
    }
    summary.items += day.items;
    summary.positive += day.positive;
    summary.negative += day.negative;
    summary.neutral += day.neutral;
    sum += day.mean_score * day.items;
    summary.days.push_back(day);
  }
  if (summary.items > 0) {
    summary.mean_score = sum / summary.items;
    summary.label = *summary.mean_score > 0.1    ? "positive"
                    : *summary.mean_score < -0.1 ? "negative"
                                                 : "neutral";
  }
  if (previous_items > 0) summary.previous_mean_score = previous_sum / previous_items;
  if (summary.mean_score && summary.previous_mean_score) {
    const double change = *summary.mean_score - *summary.previous_mean_score;
    summary.trend = change > 0.1 ? "improving" : change < -0.1 ? "worsening" : "steady";
  }
  return summary;
}

void write_sentiment_members(core::JsonWriter& json, const SentimentSummary& summary) {
  json.member("window_days", static_cast<std::int64_t>(summary.window_days));
  json.member("as_of", format_date(summary.as_of));
  json.member("items", static_cast<std::int64_t>(summary.items));
  json.member("positive", static_cast<std::int64_t>(summary.positive));
  json.member("negative", static_cast<std::int64_t>(summary.negative));
  json.member("neutral", static_cast<std::int64_t>(summary.neutral));
  json.number_member("mean_score", summary.mean_score, 3);
  json.number_member("previous_mean_score", summary.previous_mean_score, 3);
  json.key("label");
  summary.label.empty() ? json.null() : json.value(summary.label);
  json.key("trend");
  summary.trend.empty() ? json.null() : json.value(summary.trend);
  json.key("days");
  json.begin_array();
  for (const SentimentDay& day : summary.days) {
    json.begin_object();
    json.member("date", format_date(day.date));
    json.member("items", static_cast<std::int64_t>(day.items));
    json.member("positive", static_cast<std::int64_t>(day.positive));
    json.member("negative", static_cast<std::int64_t>(day.negative));
    json.member("neutral", static_cast<std::int64_t>(day.neutral));
    json.key("mean_score");
    json.number(day.mean_score, 3);
    json.end_object();
  }
  json.end_array();
}

std::string_view message_template(std::string_view key) {
  for (const auto& [known, text] : kCatalogue) {
    if (known == key) return text;
  }
  return {};
}

std::string render_message(std::string_view key,
                           std::span<const std::pair<std::string, std::string>> params) {
  const std::string_view text = message_template(key);
  std::string out;
  out.reserve(text.size() + 32);
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '{') {
      const std::size_t close = text.find('}', i);
      if (close != std::string_view::npos) {
        const std::string_view name = text.substr(i + 1, close - i - 1);
        auto param = std::find_if(params.begin(), params.end(),
                                  [&](const auto& p) { return p.first == name; });
        if (param != params.end()) {
          out += param->second;
          i = close;
          continue;
        }
      }
    }
    out += text[i];
  }
  return out;
}

Insights compose_insights(const InsightsInput& input) {
  Insights insights;
  auto& narrative = insights.narrative;
  if (!input.latest) {
    say(narrative, "insights.no_statements", {{"name", input.entity_name}});
  } else {
    const PeriodScores& latest = *input.latest;
    const HealthScore& health = latest.health;
    if (health.score) {
      say(narrative, "insights.health",
          {{"name", input.entity_name},
           {"band", health.band},
           {"score", fixed(*health.score, 0)},
           {"length", length_word(latest.period.length)},
           {"period_end", format_date(latest.period.period_end)},
           {"confidence", fixed(health.confidence * 100.0, 0)}});
    }
    if (input.previous) {
      if (health.score && input.previous->health.score) {
        const double change = *health.score - *input.previous->health.score;
        say(narrative, "insights.health_change",
            {{"points", fixed(std::fabs(change), 1)},
             {"direction", change >= 0 ? "above" : "below"}});
      }
      insights.drivers = drivers_of_change(health, input.previous->health);
      for (std::size_t i = 0; i < insights.drivers.size() && i < 3; ++i) {
        const ChangeDriver& driver = insights.drivers[i];
        // Told only when it moved the score by a visible amount (it shows as ±0.1 or more).
        if (std::fabs(driver.health_points) < kToldDriverPoints) break;
        say(narrative, "insights.driver",
            {{"ratio", driver.ratio},
             {"moved", driver.health_points > 0 ? "improved" : "worsened"},
             {"before", driver.before ? ratio_text(*driver.before) : "-"},
             {"now", driver.now ? ratio_text(*driver.now) : "-"},
             {"points", (driver.health_points > 0 ? "+" : "") + fixed(driver.health_points, 1)}});
      }
    }
    if (latest.altman.score && latest.altman.zone) {
      say(narrative, "insights.altman",
          {{"variant", std::string(to_string(latest.altman.variant))},
           {"z", fixed(*latest.altman.score, 2)},
           {"zone", std::string(to_string(*latest.altman.zone))}});
    }
  }
  const RiskReport& risk = input.risk;
  if (risk.distress_probability) {
    say(narrative, "insights.distress",
        {{"probability", fixed(*risk.distress_probability * 100.0, 1)}});
  }
  if (risk.runway) {
    const RunwayResult& runway = *risk.runway;
    if (runway.burning && runway.burn_per_month && runway.cash_balance <= 0) {
      say(narrative, "insights.runway_no_cash",
          {{"burn", minor_amount(*runway.burn_per_month, risk.currency)},
           {"currency", risk.currency},
           {"cash", minor_amount(runway.cash_balance, risk.currency)}});
    } else if (runway.burning && runway.burn_per_month && runway.runway_months) {
      // The 80 % range, when the monthly flows vary enough to give one.
      std::string range;
      const std::string low =
          runway.runway_months_low ? fixed(*runway.runway_months_low, 1) : std::string();
      const std::string high = runway.runway_high_unbounded ? "unbounded"
                               : runway.runway_months_high
                                   ? fixed(*runway.runway_months_high, 1) + " months"
                                   : std::string();
      if (!low.empty() && !high.empty() && high != low + " months") {
        range = " (80 % range " + low + " to " + high + ")";
      }
      say(narrative, "insights.runway_burning",
          {{"burn", minor_amount(*runway.burn_per_month, risk.currency)},
           {"currency", risk.currency},
           {"cash", minor_amount(runway.cash_balance, risk.currency)},
           {"months", fixed(*runway.runway_months, 1)},
           {"range", range}});
    } else if (runway.net_flow_per_month) {
      say(narrative, "insights.runway_not_burning",
          {{"net", minor_amount(*runway.net_flow_per_month, risk.currency)},
           {"currency", risk.currency}});
    }
  }
  const ForecastResult& revenue = risk.revenue_forecast;
  if (revenue.model && !revenue.points.empty()) {
    const ForecastPoint& next = revenue.points.front();
    say(narrative, "insights.revenue_forecast",
        {{"value", whole_amount(next.value)},
         {"currency", input.currency},
         {"low", whole_amount(next.lower80)},
         {"high", whole_amount(next.upper80)},
         {"model", std::string(to_string(*revenue.model))}});
    if (risk.revenue_backtest && risk.revenue_backtest->beats_naive &&
        risk.revenue_backtest->model_overall.mase) {
      say(narrative, "insights.backtest",
          {{"verdict", *risk.revenue_backtest->beats_naive ? "beat" : "did not beat"},
           {"mase", fixed(*risk.revenue_backtest->model_overall.mase, 2)},
           {"forecasts", std::to_string(risk.revenue_backtest->model_overall.forecasts)}});
    }
  }
  if (input.sentiment && input.sentiment->items > 0) {
    const SentimentSummary& sentiment = *input.sentiment;
    std::string trend;
    if (!sentiment.trend.empty()) {
      trend = ", " + sentiment.trend + " on the " + std::to_string(sentiment.window_days) +
              " days before";
    }
    say(narrative, "insights.sentiment",
        {{"days", std::to_string(sentiment.window_days)},
         {"label", sentiment.label},
         {"positive", std::to_string(sentiment.positive)},
         {"negative", std::to_string(sentiment.negative)},
         {"neutral", std::to_string(sentiment.neutral)},
         {"trend", trend}});
  }
  return insights;
}

std::string insights_json(const InsightsInput& input, const Insights& insights,
                          std::string_view entity_id, std::string_view data_version,
                          std::string_view computed_at) {
  std::string out;
  out.reserve(16 * 1024);
  core::JsonWriter json(out);
  json.begin_object();
  json.member("entity_id", entity_id);
  json.member("name", input.entity_name);
  json.member("currency", input.currency);
  json.member("data_version", data_version);
  json.member("computed_at", computed_at);
  json.key("scores");
  if (input.latest) {
    json.begin_object();
    write_scores_members(json, *input.latest);
    json.end_object();
  } else {
    json.null();
  }
  json.key("risk");
  json.begin_object();
  write_risk_members(json, input.risk);
  json.end_object();
  json.key("sentiment");
  if (input.sentiment) {
    json.begin_object();
    write_sentiment_members(json, *input.sentiment);
    json.end_object();
  } else {
    json.null();
  }
  json.key("drivers");
  json.begin_array();
  for (const ChangeDriver& driver : insights.drivers) {
    json.begin_object();
    json.member("pillar", driver.pillar);
    json.member("ratio", driver.ratio);
    json.number_member("before", driver.before, 4);
    json.number_member("now", driver.now, 4);
    json.key("score_change");
    json.number(driver.score_change, 1);
    json.key("health_points");
    json.number(driver.health_points, 2);
    json.end_object();
  }
  json.end_array();
  json.key("narrative");
  json.begin_array();
  std::string summary;
  for (const Message& message : insights.narrative) {
    json.begin_object();
    json.member("key", message.key);
    json.key("params");
    json.begin_object();
    for (const auto& [name, value] : message.params) json.member(name, value);
    json.end_object();
    json.member("text", message.text);
    json.end_object();
    if (!summary.empty()) summary += ' ';
    summary += message.text;
  }
  json.end_array();
  json.member("summary", summary);
  json.end_object();
  return out;
}

}  // namespace aic::finance
