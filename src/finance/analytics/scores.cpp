#include "finance/analytics/scores.hpp"

#include <charconv>
#include <chrono>
#include <cmath>
#include <string_view>

#include "core/json_writer.hpp"
#include "finance/bank/bank_statement.hpp"

namespace aic::finance {

bool is_year_before(const FinancialPeriod& earlier, const FinancialPeriod& later) {
  const auto days =
      (std::chrono::sys_days(later.period_end) - std::chrono::sys_days(earlier.period_end)).count();
  return days >= 350 && days <= 380;
}

PeriodScores score_period(const FinancialPeriod& period,
                          const std::optional<FinancialPeriod>& prior, const FirmProfile& profile) {
  PeriodScores scores;
  scores.period = period;
  scores.prior = prior;
  const FinancialPeriod* before = prior ? &*prior : nullptr;
  scores.ratios = all_ratios(period, before);
  scores.altman = altman_z_for(period, profile);
  if (prior) {
    scores.piotroski = piotroski_f_score(period, *prior);
    scores.beneish = beneish_m_score(period, *prior);
    scores.ohlson = ohlson_o_score(period, *prior, kOhlsonPriceLevel);
  }
  scores.health = health_score(period, before);
  return scores;
}

namespace {

using core::JsonWriter;

constexpr std::string_view kNeedsPrior = "needs the statements of the period before";

void reason_member(JsonWriter& json, std::string_view reason) {
  json.key("reason_if_null");
  if (reason.empty()) {
    json.null();
  } else {
    json.value(reason);
  }
}

void names_member(JsonWriter& json, std::string_view name, const std::vector<std::string>& names) {
  json.key(name);
  json.begin_array();
  for (const std::string& item : names) json.value(item);
  json.end_array();
}

void period_member(JsonWriter& json, std::string_view name,
                   const std::optional<FinancialPeriod>& period) {
  json.key(name);
  if (!period) {
    json.null();
    return;
  }
  json.begin_object();
  json.member("end", format_date(period->period_end));
  json.member("length", to_string(period->length));
  json.end_object();
}

void components_member(JsonWriter& json, const std::vector<ScoreComponent>& components) {
  json.key("components");
  json.begin_array();
  for (const ScoreComponent& component : components) {
    json.begin_object();
    json.member("name", component.name);
    json.key("coefficient");
    json.number(component.coefficient);
    json.number_member("value", component.value);
    reason_member(json, component.reason_if_null);
    names_member(json, "inputs", component.inputs);
    json.end_object();
  }
  json.end_array();
}

void write_ratios(JsonWriter& json, const std::vector<Ratio>& ratios) {
  json.key("ratios");
  json.begin_array();
  for (const Ratio& ratio : ratios) {
    json.begin_object();
    json.member("name", ratio.name);
    json.number_member("value", ratio.value);
    reason_member(json, ratio.reason_if_null);
    names_member(json, "inputs", ratio.inputs);
    json.end_object();
  }
  json.end_array();
}

void write_altman(JsonWriter& json, const AltmanScore& altman) {
  json.key("altman");
  json.begin_object();
  json.member("variant", to_string(altman.variant));
  json.member("choice_reason", altman.choice_reason);
  json.number_member("score", altman.score);
  json.key("zone");
  if (altman.zone) {
    json.value(to_string(*altman.zone));
  } else {
    json.null();
  }
  reason_member(json, altman.reason_if_null);
  components_member(json, altman.components);
  names_member(json, "missing_inputs", altman.missing_inputs);
  json.end_object();
}

// {"score":null,"reason_if_null":…} for a two-period score without the prior period.
void write_needs_prior(JsonWriter& json, std::string_view name) {
  json.key(name);
  json.begin_object();
  json.key("score");
  json.null();
  reason_member(json, kNeedsPrior);
  json.end_object();
}

void write_piotroski(JsonWriter& json, const std::optional<PiotroskiScore>& piotroski) {
  if (!piotroski) return write_needs_prior(json, "piotroski");
  json.key("piotroski");
  json.begin_object();
  json.key("score");
  if (piotroski->score) {
    json.value(static_cast<std::int64_t>(*piotroski->score));
  } else {
    json.null();
  }
  json.member("signals_passed", static_cast<std::int64_t>(piotroski->signals_passed));
  json.member("signals_available", static_cast<std::int64_t>(piotroski->signals_available));
  reason_member(json, piotroski->reason_if_null);
  json.key("signals");
  json.begin_array();
  for (const PiotroskiSignal& signal : piotroski->signals) {
    json.begin_object();
    json.member("name", signal.name);
    json.member_or_null("passed", signal.passed);
    json.number_member("value", signal.value);
    reason_member(json, signal.reason_if_null);
    names_member(json, "inputs", signal.inputs);
    json.end_object();
  }
  json.end_array();
  names_member(json, "missing_inputs", piotroski->missing_inputs);
  json.end_object();
}

void write_beneish(JsonWriter& json, const std::optional<BeneishScore>& beneish) {
  if (!beneish) return write_needs_prior(json, "beneish");
  json.key("beneish");
  json.begin_object();
  json.number_member("score", beneish->score);
  json.key("threshold");
  json.number(kBeneishThreshold);
  json.member_or_null("likely_manipulator", beneish->likely_manipulator);
  reason_member(json, beneish->reason_if_null);
  components_member(json, beneish->components);
  names_member(json, "missing_inputs", beneish->missing_inputs);
  json.end_object();
}

void write_ohlson(JsonWriter& json, const std::optional<OhlsonScore>& ohlson) {
  if (!ohlson) return write_needs_prior(json, "ohlson");
  json.key("ohlson");
  json.begin_object();
  json.number_member("score", ohlson->score);
  json.number_member("probability", ohlson->probability);
  json.key("total_assets_unit");
  json.number(ohlson->price_level_index);
  reason_member(json, ohlson->reason_if_null);
  components_member(json, ohlson->components);
  names_member(json, "missing_inputs", ohlson->missing_inputs);
  json.end_object();
}

void write_health(JsonWriter& json, const HealthScore& health) {
  json.key("health");
  json.begin_object();
  json.number_member("score", health.score);
  json.key("band");
  if (health.band.empty()) {
    json.null();
  } else {
    json.value(health.band);
  }
  json.key("confidence");
  json.number(health.confidence);
  reason_member(json, health.reason_if_null);
  json.key("pillars");
  json.begin_array();
  for (const HealthPillar& pillar : health.pillars) {
    json.begin_object();
    json.member("name", pillar.name);
    json.key("weight");
    json.number(pillar.weight);
    json.number_member("score", pillar.score);
    json.key("confidence");
    json.number(pillar.confidence);
    json.key("drivers");
    json.begin_array();
    for (const HealthDriver& driver : pillar.drivers) {
      json.begin_object();
      json.member("ratio", driver.ratio);
      json.number_member("value", driver.value);
      json.number_member("score", driver.score);
      json.key("weak");
      json.number(driver.weak);
      json.key("strong");
      json.number(driver.strong);
      json.key("note");
      if (driver.note.empty()) {
        json.null();
      } else {
        json.value(driver.note);
      }
      reason_member(json, driver.reason_if_null);
      names_member(json, "inputs", driver.inputs);
      json.end_object();
    }
    json.end_array();
    names_member(json, "missing_inputs", pillar.missing_inputs);
    json.end_object();
  }
  json.end_array();
  names_member(json, "missing_inputs", health.missing_inputs);
  json.end_object();
}

}  // namespace

std::string to_json(const PeriodScores& scores) {
  std::string out;
  JsonWriter json(out);
  json.begin_object();
  write_scores_members(json, scores);
  json.end_object();
  return out;
}

void write_scores_members(JsonWriter& json, const PeriodScores& scores) {
  period_member(json, "period", scores.period);
  period_member(json, "prior_period", scores.prior);
  write_ratios(json, scores.ratios);
  write_altman(json, scores.altman);
  write_piotroski(json, scores.piotroski);
  write_beneish(json, scores.beneish);
  write_ohlson(json, scores.ohlson);
  write_health(json, scores.health);
}

}  // namespace aic::finance
