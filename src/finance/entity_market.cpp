// EntityStore, third part: share prices and news about an entity.
#include <map>

#include "core/utc_time.hpp"
#include "finance/entity_store.hpp"
#include "finance/entity_store_support.hpp"
#include "finance/news/news.hpp"
#include "finance/sentiment/sentiment.hpp"

namespace aic::finance {

using namespace detail;

namespace {

using core::Result;
using store::Access;
using store::Transaction;
using store::Value;

Value optional_value(const std::optional<std::int64_t>& value) {
  return value ? Value(*value) : Value(nullptr);
}

std::optional<std::int64_t> optional_integer(const store::QueryResult& rows, std::size_t row,
                                             std::size_t column) {
  if (rows.is_null(row, column)) return std::nullopt;
  return rows.integer(row, column);
}

constexpr std::string_view kPriceColumns =
    "price_date, open_micros, high_micros, low_micros, close_micros, volume";

PriceBar price_from_row(store::QueryResult& rows, std::size_t row) {
  PriceBar bar;
  bar.date = parse_iso_date(rows.take_text(row, 0)).value_or(Date{});
  bar.open = optional_integer(rows, row, 1);
  bar.high = optional_integer(rows, row, 2);
  bar.low = optional_integer(rows, row, 3);
  bar.close = rows.integer(row, 4);
  bar.volume = optional_integer(rows, row, 5);
  return bar;
}

bool same_prices(const PriceBar& a, const PriceBar& b) {
  return a.open == b.open && a.high == b.high && a.low == b.low && a.close == b.close &&
         a.volume == b.volume;
}

struct NewsSentiment {
  std::string_view label;
  double score = 0.0;
};

// A story's sentiment from its headline and the start of its body: the lead carries the news,
// and a long body must not make an import slow.
NewsSentiment score_news(const NewsItem& item) {
  constexpr std::size_t kBodyBytes = 2000;
  std::string text = item.headline;
  if (!item.body.empty()) {
    text += ". ";
    text.append(item.body, 0, std::min(item.body.size(), kBodyBytes));
  }
  const sentiment::SentimentResult result = sentiment::score(text);
  return NewsSentiment{sentiment::to_string(result.label), result.score};
}

}  // namespace

Result<std::vector<PriceBar>> detail::read_prices(Transaction& tx, const std::string& entity_id) {
  auto rows = tx.execute("SELECT " + std::string(kPriceColumns) +
                             " FROM share_prices WHERE entity_id = $1 ORDER BY price_date",
                         {entity_id});
  if (!rows) return std::move(rows).error();
  std::vector<PriceBar> bars;
  bars.reserve(rows->rows.size());
  for (std::size_t row = 0; row < rows->rows.size(); ++row) {
    bars.push_back(price_from_row(*rows, row));
  }
  return bars;
}

Result<ImportReport> EntityStore::import_prices_csv(const core::Principal& actor,
                                                    std::string_view entity_id,
                                                    std::string_view file,
                                                    const audit::Origin& origin) {
  if (auto ok = require_tenant(actor); !ok) return std::move(ok).error();
  if (auto entity = get_entity(actor, entity_id); !entity) return std::move(entity).error();
  auto parsed = parse_prices_csv(file);
  if (!parsed) return std::move(parsed).error();
  ImportReport report = new_report(entity_id, kPricesCsv, "share_prices", file);
  report.records = static_cast<std::int64_t>(parsed->bars.size());
  report.warnings = std::move(parsed->warnings);

  auto status = database_.transact(Access::kReadWrite, [&](Transaction& tx) -> core::Status {
    report.id = core::time_ordered_id("imp_", random_);
    report.created_at = core::utc_now_millis();
    report.added = report.updated = report.duplicates = 0;
    auto entity = find_entity(tx, actor.tenant_id, entity_id);
    if (!entity) return std::move(entity).error();
    // One read of what is stored, then only the new and the changed days are written.
    auto stored = read_prices(tx, entity->id);
    if (!stored) return std::move(stored).error();
    std::map<Date, const PriceBar*> by_date;
    for (const PriceBar& bar : *stored) by_date.emplace(bar.date, &bar);
    std::vector<const PriceBar*> fresh;
    for (const PriceBar& bar : parsed->bars) {
      auto found = by_date.find(bar.date);
      if (found == by_date.end()) {
        fresh.push_back(&bar);
      } else if (same_prices(*found->second, bar)) {
        ++report.duplicates;
      } else {
        auto updated = tx.execute(
            "UPDATE share_prices SET open_micros = $1, high_micros = $2, low_micros = $3, "
            "close_micros = $4, volume = $5, import_id = $6 WHERE entity_id = $7 AND "
            "price_date = $8",
            {optional_value(bar.open), optional_value(bar.high), optional_value(bar.low), bar.close,
             optional_value(bar.volume), report.id, entity->id, format_date(bar.date)});
        if (!updated) return std::move(updated).error();
        ++report.updated;
      }
    }
    auto inserted = store::insert_rows(
        tx,
        "INSERT INTO share_prices (tenant_id, entity_id, price_date, open_micros, high_micros, "
        "low_micros, close_micros, volume, import_id) VALUES ",
        9, fresh.size(), [&](std::size_t i, std::vector<Value>& params) {
          const PriceBar& bar = *fresh[i];
          params.emplace_back(entity->tenant_id);
          params.emplace_back(entity->id);
          params.emplace_back(format_date(bar.date));
          params.push_back(optional_value(bar.open));
          params.push_back(optional_value(bar.high));
          params.push_back(optional_value(bar.low));
          params.emplace_back(bar.close);
          params.push_back(optional_value(bar.volume));
          params.emplace_back(report.id);
        });
    if (!inserted) return std::move(inserted).error();
    report.added = *inserted;
    return record_import(tx, audit_, events_, actor, origin, *entity, report);
  });
  if (!status) return std::move(status).error();
  return report;
}

Result<std::vector<PriceBar>> EntityStore::list_prices(const core::Principal& actor,
                                                       std::string_view entity_id) {
  if (auto ok = require_tenant(actor); !ok) return std::move(ok).error();
  std::vector<PriceBar> bars;
  auto status = database_.transact(Access::kReadOnly, [&](Transaction& tx) -> core::Status {
    auto entity = find_entity(tx, actor.tenant_id, entity_id);
    if (!entity) return std::move(entity).error();
    auto read = read_prices(tx, entity->id);
    if (!read) return std::move(read).error();
    bars = std::move(*read);
    return {};
  });
  if (!status) return std::move(status).error();
  return bars;
}

Result<ImportReport> EntityStore::import_news_json(const core::Principal& actor,
                                                   std::string_view entity_id,
                                                   std::string_view file,
                                                   const audit::Origin& origin) {
  if (auto ok = require_tenant(actor); !ok) return std::move(ok).error();
  if (auto entity = get_entity(actor, entity_id); !entity) return std::move(entity).error();
  auto parsed = parse_news_json(file);
  if (!parsed) return std::move(parsed).error();
  ImportReport report = new_report(entity_id, kNewsJson, "news_items", file);
  report.records = static_cast<std::int64_t>(parsed->items.size());
  report.warnings = std::move(parsed->warnings);
  // Scored once, outside the transaction: the score is kept with the item.
  std::vector<NewsSentiment> scores;
  scores.reserve(parsed->items.size());
  for (const NewsItem& item : parsed->items) scores.push_back(score_news(item));

  auto status = database_.transact(Access::kReadWrite, [&](Transaction& tx) -> core::Status {
    report.id = core::time_ordered_id("imp_", random_);
    report.created_at = core::utc_now_millis();
    report.added = report.updated = report.duplicates = 0;
    auto entity = find_entity(tx, actor.tenant_id, entity_id);
    if (!entity) return std::move(entity).error();
    auto inserted = store::insert_rows(
        tx,
        "INSERT INTO news_items (id, tenant_id, entity_id, published_at, headline, body, source, "
        "url, sentiment_label, sentiment_score, dedupe_key, import_id, created_at) VALUES ",
        13, parsed->items.size(),
        [&](std::size_t i, std::vector<Value>& params) {
          const NewsItem& item = parsed->items[i];
          params.emplace_back(core::time_ordered_id("nws_", random_));
          params.emplace_back(entity->tenant_id);
          params.emplace_back(entity->id);
          params.emplace_back(item.published_at);
          params.emplace_back(item.headline);
          params.emplace_back(item.body);
          params.emplace_back(item.source);
          params.emplace_back(item.url);
          params.emplace_back(std::string(scores[i].label));
          params.emplace_back(scores[i].score);
          // The feed's own id when it has one; otherwise what makes a story itself.
          params.emplace_back(
              item.external_id.empty()
                  ? "h:" + sha256_hex(item.source + "\n" + item.published_at + "\n" + item.headline)
                  : "id:" + item.external_id);
          params.emplace_back(report.id);
          params.emplace_back(report.created_at);
        },
        " ON CONFLICT (entity_id, dedupe_key) DO NOTHING");
    if (!inserted) return std::move(inserted).error();
    report.added = *inserted;
    report.duplicates = report.records - report.added;
    return record_import(tx, audit_, events_, actor, origin, *entity, report);
  });
  if (!status) return std::move(status).error();
  return report;
}

}  // namespace aic::finance
