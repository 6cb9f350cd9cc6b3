// EntityStore, fourth part: what is computed from all of an entity's data — risk, news
// sentiment, peer benchmarks and the insights document with its cache.
#include <algorithm>
#include <cmath>

#include "core/json_writer.hpp"
#include "core/utc_time.hpp"
#include "finance/entity_store.hpp"
#include "finance/entity_store_support.hpp"
#include "finance/money.hpp"

namespace aic::finance {

using namespace detail;

namespace {

using core::Result;
using store::Access;
using store::Transaction;

// Scores of periods[at] against the period a year before it, with the market value of
// equity from the close at its end when the statements have none.
PeriodScores score_at(const std::vector<StoredPeriod>& periods, std::size_t at,
                      const std::vector<PriceBar>& prices, const FirmProfile& profile,
                      std::optional<PriceBar>* price_used = nullptr) {
  FinancialPeriod values = periods[at].values;
  std::optional<FinancialPeriod> prior;
  for (std::size_t i = 0; i < at; ++i) {
    if (is_year_before(periods[i].values, values)) prior = periods[i].values;
  }
  auto add_market_value = [&](FinancialPeriod& period) -> const PriceBar* {
    if (period.market_value_equity || !period.shares_outstanding) return nullptr;
    const PriceBar* bar = close_on_or_before(prices, period.period_end);
    if (bar == nullptr) return nullptr;
    period.market_value_equity = price_in_units(bar->close) * *period.shares_outstanding;
    return bar;
  };
  const PriceBar* bar = add_market_value(values);
  if (bar != nullptr && price_used != nullptr) *price_used = *bar;
  if (prior) add_market_value(*prior);
  return score_period(values, prior, profile);
}

// Everything the risk report reads, from one read transaction.
struct EntityData {
  Entity entity;
  std::vector<StoredPeriod> periods;
  std::vector<PriceBar> prices;
  RiskInput risk;
  std::vector<SentimentDay> news_days;
  std::string data_version;
};

// The shape of the insights document; a server that writes another shape (a new section, a
// changed narrative) raises it, so documents cached by an older version are computed again.
constexpr int kInsightsFormat = 2;

// The version of everything insights read: the latest import and the entity's own version.
Result<std::string> data_version(Transaction& tx, const Entity& entity) {
  auto rows = tx.execute(
      "SELECT id FROM imports WHERE entity_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1",
      {entity.id});
  if (!rows) return std::move(rows).error();
  const std::string latest = rows->rows.empty() ? "none" : rows->take_text(0, 0);
  return latest + "/v" + std::to_string(entity.version) + "/f" + std::to_string(kInsightsFormat);
}

Result<std::vector<SentimentDay>> read_news_days(Transaction& tx, const std::string& entity_id) {
  auto rows = tx.execute(
      "SELECT substr(published_at, 1, 10) AS day, COUNT(*), "
      "CAST(SUM(CASE WHEN sentiment_label = 'positive' THEN 1 ELSE 0 END) AS BIGINT), "
      "CAST(SUM(CASE WHEN sentiment_label = 'negative' THEN 1 ELSE 0 END) AS BIGINT), "
      "CAST(AVG(sentiment_score) AS DOUBLE PRECISION) FROM news_items WHERE entity_id = $1 GROUP "
      "BY day ORDER BY day",
      {entity_id});
  if (!rows) return std::move(rows).error();
  std::vector<SentimentDay> days;
  days.reserve(rows->rows.size());
  for (std::size_t row = 0; row < rows->rows.size(); ++row) {
    SentimentDay day;
    day.date = parse_iso_date(rows->take_text(row, 0)).value_or(Date{});
    day.items = static_cast<int>(rows->integer(row, 1));
    day.positive = static_cast<int>(rows->integer(row, 2));
    day.negative = static_cast<int>(rows->integer(row, 3));
    day.neutral = day.items - day.positive - day.negative;
    day.mean_score = rows->real(row, 4);
    days.push_back(day);
  }
  return days;
}

Result<EntityData> read_entity_data(Transaction& tx, const std::string& tenant_id,
                                    std::string_view entity_id, PeriodLength length) {
  EntityData data;
  auto entity = find_entity(tx, tenant_id, entity_id);
  if (!entity) return std::move(entity).error();
  data.entity = std::move(*entity);
  auto version = data_version(tx, data.entity);
  if (!version) return std::move(version).error();
  data.data_version = std::move(*version);
  auto periods = read_periods(tx, tenant_id, entity_id, length);
  if (!periods) return std::move(periods).error();
  data.periods = std::move(*periods);
  auto prices = read_prices(tx, data.entity.id);
  if (!prices) return std::move(prices).error();
  data.prices = std::move(*prices);

  RiskInput& risk = data.risk;
  risk.currency = data.entity.currency;
  for (const StoredPeriod& period : data.periods) risk.periods.push_back(period.values);
  // Daily sums in the entity's currency: the runway needs months, not single entries.
  auto flows = tx.execute(
      "SELECT t.booking_date, CAST(SUM(t.amount) AS BIGINT) FROM bank_transactions t JOIN "
      "bank_accounts a ON "
      "a.id = t.account_id WHERE t.entity_id = $1 AND a.currency = $2 GROUP BY t.booking_date "
      "ORDER BY t.booking_date",
      {data.entity.id, data.entity.currency});
  if (!flows) return std::move(flows).error();
  for (std::size_t row = 0; row < flows->rows.size(); ++row) {
    if (auto date = parse_iso_date(flows->take_text(row, 0))) {
      risk.cash_flows.push_back(CashTransaction{*date, flows->integer(row, 1)});
    }
  }
  auto balances = tx.execute(
      "SELECT CAST(SUM(balance) AS BIGINT), MAX(balance_date), COUNT(balance) FROM bank_accounts "
      "WHERE "
      "entity_id = $1 AND currency = $2",
      {data.entity.id, data.entity.currency});
  if (!balances) return std::move(balances).error();
  std::optional<Date> as_of;
  if (!risk.cash_flows.empty()) as_of = risk.cash_flows.back().date;
  if (balances->integer(0, 2) > 0) {
    risk.cash_balance = balances->integer(0, 0);
    const auto balance_date = parse_iso_date(balances->take_text(0, 1));
    if (balance_date && (!as_of || *balance_date > *as_of)) as_of = balance_date;
    risk.cash_balance_source = "closing balances of the bank statements, latest " +
                               (balance_date ? format_date(*balance_date) : std::string("?"));
  } else if (!data.periods.empty() && data.periods.back().values.cash) {
    risk.cash_balance = static_cast<std::int64_t>(std::llround(
        *data.periods.back().values.cash * std::pow(10.0, currency_exponent(risk.currency))));
    risk.cash_balance_source =
        "cash of the statements ending " + format_date(data.periods.back().values.period_end);
  } else {
    risk.cash_balance_source = "none: no bank balance or statement cash is imported";
  }
  // The runway is measured as of the latest bank data, not today: an imported history is
  // judged on its own last months.
  if (!risk.cash_flows.empty()) risk.as_of = as_of;

  auto news = read_news_days(tx, data.entity.id);
  if (!news) return std::move(news).error();
  data.news_days = std::move(*news);
  return data;
}

InsightsInput insights_input(EntityData& data) {
  InsightsInput input;
  input.entity_name = data.entity.name;
  input.currency = data.entity.currency;
  const FirmProfile profile{data.entity.is_public, data.entity.manufacturing};
  if (!data.periods.empty()) {
    const std::size_t last = data.periods.size() - 1;
    input.latest = score_at(data.periods, last, data.prices, profile);
    data.risk.latest_scores = input.latest;
    if (last > 0) input.previous = score_at(data.periods, last - 1, data.prices, profile);
  }
  input.risk = assess_risk(data.risk);
  if (!data.news_days.empty()) {
    input.sentiment = summarize_sentiment(data.news_days, data.news_days.back().date);
  }
  return input;
}

}  // namespace

Result<PeriodScores> detail::scores_of_period(const std::vector<StoredPeriod>& periods,
                                              std::size_t at, const std::vector<PriceBar>& prices,
                                              const FirmProfile& profile,
                                              std::optional<PriceBar>* price_used) {
  return score_at(periods, at, prices, profile, price_used);
}

Result<RiskReport> EntityStore::risk(const core::Principal& actor, std::string_view entity_id,
                                     PeriodLength length) {
  if (auto ok = require_tenant(actor); !ok) return std::move(ok).error();
  std::optional<EntityData> data;
  auto status = database_.transact(Access::kReadOnly, [&](Transaction& tx) -> core::Status {
    auto read = read_entity_data(tx, actor.tenant_id, entity_id, length);
    if (!read) return std::move(read).error();
    data = std::move(*read);
    return {};
  });
  if (!status) return std::move(status).error();
  if (!data->periods.empty()) {
    const FirmProfile profile{data->entity.is_public, data->entity.manufacturing};
    data->risk.latest_scores =
        score_at(data->periods, data->periods.size() - 1, data->prices, profile);
  }
  return assess_risk(data->risk);
}

Result<SentimentSummary> EntityStore::news_sentiment(const core::Principal& actor,
                                                     std::string_view entity_id, int window_days) {
  if (auto ok = require_tenant(actor); !ok) return std::move(ok).error();
  std::vector<SentimentDay> days;
  auto status = database_.transact(Access::kReadOnly, [&](Transaction& tx) -> core::Status {
    auto entity = find_entity(tx, actor.tenant_id, entity_id);
    if (!entity) return std::move(entity).error();
    auto read = read_news_days(tx, entity->id);
    if (!read) return std::move(read).error();
    days = std::move(*read);
    return {};
  });
  if (!status) return std::move(status).error();
  if (days.empty()) {
    return core::Error::make(
        core::ErrorCode::kNotFound,
        "entity " + std::string(entity_id) + " has no news yet; import some with format=news-json");
  }
  return summarize_sentiment(days, days.back().date, window_days);
}

Result<std::string> EntityStore::insights(const core::Principal& actor, std::string_view entity_id,
                                          PeriodLength length) {
  if (auto ok = require_tenant(actor); !ok) return std::move(ok).error();
  // The cached document while nothing it was computed from has changed.
  std::optional<std::string> cached;
  auto status = database_.transact(Access::kReadOnly, [&](Transaction& tx) -> core::Status {
    cached.reset();
    auto entity = find_entity(tx, actor.tenant_id, entity_id);
    if (!entity) return std::move(entity).error();
    auto version = data_version(tx, *entity);
    if (!version) return std::move(version).error();
    auto rows = tx.execute(
        "SELECT body FROM entity_insights WHERE entity_id = $1 AND length = $2 AND "
        "data_version = $3",
        {entity->id, std::string(to_string(length)), *version});
    if (!rows) return std::move(rows).error();
    if (!rows->rows.empty()) cached = rows->take_text(0, 0);
    return {};
  });
  if (!status) return std::move(status).error();
  if (cached) return std::move(*cached);
  return refresh_insights(actor, entity_id, length);
}

Result<std::string> EntityStore::refresh_insights(const core::Principal& actor,
                                                  std::string_view entity_id, PeriodLength length) {
  if (auto ok = require_tenant(actor); !ok) return std::move(ok).error();
  std::optional<EntityData> data;
  auto read = database_.transact(Access::kReadOnly, [&](Transaction& tx) -> core::Status {
    auto entity_data = read_entity_data(tx, actor.tenant_id, entity_id, length);
    if (!entity_data) return std::move(entity_data).error();
    data = std::move(*entity_data);
    return {};
  });
  if (!read) return std::move(read).error();
  const InsightsInput input = insights_input(*data);
  const Insights insights = compose_insights(input);
  const std::string computed_at = core::utc_now_millis();
  std::string body =
      insights_json(input, insights, data->entity.id, data->data_version, computed_at);

  auto written = database_.transact(Access::kReadWrite, [&](Transaction& tx) -> core::Status {
    // Another request may have stored the same version meanwhile: one event per change.
    auto current =
        tx.execute("SELECT data_version FROM entity_insights WHERE entity_id = $1 AND length = $2",
                   {data->entity.id, std::string(to_string(length))});
    if (!current) return std::move(current).error();
    if (!current->rows.empty() && current->take_text(0, 0) == data->data_version) return {};
    auto stored = tx.execute(
        "INSERT INTO entity_insights (tenant_id, entity_id, length, data_version, body, "
        "computed_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (entity_id, length) DO "
        "UPDATE SET data_version = excluded.data_version, body = excluded.body, computed_at = "
        "excluded.computed_at",
        {data->entity.tenant_id, data->entity.id, std::string(to_string(length)),
         data->data_version, body, computed_at});
    if (!stored) return std::move(stored).error();
    std::string event;
    core::JsonWriter json(event);
    json.begin_object();
    json.member("entity_id", data->entity.id);
    json.member("length", to_string(length));
    json.member("data_version", data->data_version);
    json.key("health_score");
    if (input.latest && input.latest->health.score) {
      json.number(*input.latest->health.score, 1);
    } else {
      json.null();
    }
    json.member("summary",
                insights.narrative.empty() ? std::string() : insights.narrative.front().text);
    json.end_object();
    auto published = events_.publish(tx, data->entity.tenant_id, "insights.updated", event);
    if (!published) return std::move(published).error();
    return {};
  });
  if (!written) return std::move(written).error();
  return body;
}

Result<std::optional<EntityStore::SummaryRewrite>> EntityStore::kept_summary_rewrite(
    const core::Principal& actor, std::string_view entity_id, PeriodLength length,
    std::string_view requested_model, std::string_view data_version) {
  if (auto ok = require_tenant(actor); !ok) return std::move(ok).error();
  std::optional<SummaryRewrite> kept;
  auto read = database_.transact(Access::kReadOnly, [&](Transaction& tx) -> core::Status {
    kept.reset();
    auto entity = find_entity(tx, actor.tenant_id, entity_id);
    if (!entity) return std::move(entity).error();
    auto rows = tx.execute(
        "SELECT text, model, route, written_at FROM entity_summary_rewrites WHERE entity_id = "
        "$1 AND length = $2 AND requested_model = $3 AND data_version = $4",
        {entity->id, std::string(to_string(length)), std::string(requested_model),
         std::string(data_version)});
    if (!rows) return std::move(rows).error();
    if (rows->rows.empty()) return {};
    kept = SummaryRewrite{std::string(data_version), rows->take_text(0, 0), rows->take_text(0, 1),
                          rows->take_text(0, 2), rows->take_text(0, 3)};
    return {};
  });
  if (!read) return std::move(read).error();
  return kept;
}

core::Status EntityStore::keep_summary_rewrite(const core::Principal& actor,
                                               std::string_view entity_id, PeriodLength length,
                                               std::string_view requested_model,
                                               const SummaryRewrite& rewrite) {
  if (auto ok = require_tenant(actor); !ok) return std::move(ok).error();
  return database_.transact(Access::kReadWrite, [&](Transaction& tx) -> core::Status {
    auto entity = find_entity(tx, actor.tenant_id, entity_id);
    if (!entity) return std::move(entity).error();
    auto stored = tx.execute(
        "INSERT INTO entity_summary_rewrites (tenant_id, entity_id, length, requested_model, "
        "data_version, text, model, route, written_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
        "$9) ON CONFLICT (entity_id, length, requested_model) DO UPDATE SET data_version = "
        "excluded.data_version, text = excluded.text, model = excluded.model, route = "
        "excluded.route, written_at = excluded.written_at",
        {entity->tenant_id, entity->id, std::string(to_string(length)),
         std::string(requested_model), rewrite.data_version, rewrite.text, rewrite.model,
         rewrite.route, rewrite.written_at});
    if (!stored) return std::move(stored).error();
    return {};
  });
}

}  // namespace aic::finance

namespace aic::finance {

namespace {

// The latest period's scores of an entity, or nullopt when it has no period of `length`.
Result<std::optional<PeriodScores>> latest_scores(Transaction& tx, const Entity& entity,
                                                  PeriodLength length) {
  auto periods = read_periods(tx, entity.tenant_id, entity.id, length);
  if (!periods) return std::move(periods).error();
  if (periods->empty()) return std::optional<PeriodScores>();
  auto prices = read_prices(tx, entity.id);
  if (!prices) return std::move(prices).error();
  return std::optional<PeriodScores>(score_at(*periods, periods->size() - 1, *prices,
                                              FirmProfile{entity.is_public, entity.manufacturing}));
}

std::size_t common_prefix(std::string_view a, std::string_view b) {
  std::size_t n = 0;
  while (n < a.size() && n < b.size() && a[n] == b[n]) ++n;
  return n;
}

}  // namespace

Result<PeerBenchmark> EntityStore::benchmark(const core::Principal& actor,
                                             std::string_view entity_id,
                                             const std::vector<std::string>& peer_ids,
                                             PeriodLength length) {
  if (auto ok = require_tenant(actor); !ok) return std::move(ok).error();
  PeerBenchmark result;
  std::vector<std::pair<Entity, PeriodScores>> peers;
  std::optional<PeriodScores> own;
  auto status = database_.transact(Access::kReadOnly, [&](Transaction& tx) -> core::Status {
    peers.clear();
    result.notes.clear();
    auto entity = find_entity(tx, actor.tenant_id, entity_id);
    if (!entity) return std::move(entity).error();
    result.entity = *entity;
    auto scored = latest_scores(tx, *entity, length);
    if (!scored) return std::move(scored).error();
    own = std::move(*scored);
    std::vector<Entity> candidates;
    if (!peer_ids.empty()) {
      result.peer_group = "explicit";
      for (const std::string& id : peer_ids) {
        if (id == entity->id) continue;
        auto peer = find_entity(tx, actor.tenant_id, id);
        if (!peer) {
          return core::Error::invalid("names " + id + ", which is not an entity of this tenant",
                                      "peer_group");
        }
        candidates.push_back(std::move(*peer));
      }
    } else {
      // Automatic: the entities whose industry code shares the longest prefix (at least two
      // digits, the sector) with this one's that still gives kMinimumPeers peers.
      if (!entity->industry_code) {
        return core::Error::invalid(
            "the entity has no industry_code, so there is no automatic peer group; name the "
            "peers (peer_group=ent_…,ent_…)",
            "peer_group");
      }
      const std::string& code = *entity->industry_code;
      auto sector =
          entities_with_industry_prefix(tx, actor.tenant_id, entity->id, code.substr(0, 2));
      if (!sector) return std::move(sector).error();
      std::size_t prefix = code.size();
      for (; prefix > 2; --prefix) {
        const auto matching = std::count_if(sector->begin(), sector->end(), [&](const Entity& e) {
          return common_prefix(*e.industry_code, code) >= prefix;
        });
        if (matching >= static_cast<std::ptrdiff_t>(kMinimumPeers)) break;
      }
      for (Entity& peer : *sector) {
        if (common_prefix(*peer.industry_code, code) >= prefix)
          candidates.push_back(std::move(peer));
      }
      result.peer_group = "industry " + code.substr(0, prefix);
    }
    for (const Entity& candidate : candidates) {
      auto peer_scores = latest_scores(tx, candidate, length);
      if (!peer_scores) return std::move(peer_scores).error();
      if (*peer_scores) {
        peers.emplace_back(candidate, std::move(**peer_scores));
      } else {
        result.notes.push_back(candidate.id + " has no " + std::string(to_string(length)) +
                               " statements and is left out");
      }
    }
    return {};
  });
  if (!status) return std::move(status).error();

  // The size band: peers within a quarter to four times the entity's total assets, when that
  // leaves enough of them (an automatic group only; named peers are the caller's choice).
  if (result.peer_group != "explicit" && own && own->period.total_assets) {
    const double assets = *own->period.total_assets;
    std::vector<std::pair<Entity, PeriodScores>> banded;
    for (auto& peer : peers) {
      const auto& peer_assets = peer.second.period.total_assets;
      if (peer_assets && *peer_assets >= 0.25 * assets && *peer_assets <= 4.0 * assets) {
        banded.push_back(peer);
      }
    }
    if (banded.size() >= kMinimumPeers) {
      result.peer_group += ", total assets 0.25x to 4x";
      peers = std::move(banded);
    } else {
      result.notes.push_back("the size band (total assets 0.25x to 4x) would leave " +
                             std::to_string(banded.size()) + " peers, so it is not applied");
    }
  }
  if (peers.size() < kMinimumPeers) {
    result.notes.push_back("only " + std::to_string(peers.size()) + " peers; " +
                           std::to_string(kMinimumPeers) + " or more make percentiles meaningful");
  }
  for (const auto& peer : peers) result.peer_ids.push_back(peer.first.id);
  if (own) result.period_end = own->period.period_end;
  const auto own_values =
      own ? metric_values(*own) : std::vector<std::pair<std::string, std::optional<double>>>{};
  std::vector<std::vector<std::pair<std::string, std::optional<double>>>> peer_values;
  for (const auto& peer : peers) peer_values.push_back(metric_values(peer.second));
  // Metric names come from any scored period (they are the same for every period).
  const auto& names = own ? own_values : (peer_values.empty() ? own_values : peer_values.front());
  for (std::size_t m = 0; m < names.size(); ++m) {
    std::vector<double> values;
    for (const auto& peer : peer_values) {
      if (m < peer.size() && peer[m].second) values.push_back(*peer[m].second);
    }
    result.metrics.push_back(
        benchmark_metric(names[m].first, own ? own_values[m].second : std::nullopt, values));
  }
  if (!own) {
    result.notes.push_back("the entity has no " + std::string(to_string(length)) +
                           " statements, so it has no values to compare");
  }
  return result;
}

}  // namespace aic::finance
