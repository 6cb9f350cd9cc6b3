#include "finance/news/news.hpp"

#include <boost/json.hpp>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <optional>

namespace aic::finance {

namespace {

std::optional<int> digits_at(std::string_view text, std::size_t at, std::size_t count) {
  if (at + count > text.size()) return std::nullopt;
  int value = 0;
  for (std::size_t i = at; i < at + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

core::Error error_at(std::string pointer, std::string message) {
  return core::Error::invalid(std::move(message), std::move(pointer));
}

}  // namespace

std::optional<std::string> rfc3339_to_utc(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)
  if (text.size() < 20 || text[4] != '-' || text[7] != '-' ||
      (text[10] != 'T' && text[10] != 't' && text[10] != ' ') || text[13] != ':' ||
      text[16] != ':') {
    return std::nullopt;
  }
  auto year = digits_at(text, 0, 4);
  auto month = digits_at(text, 5, 2);
  auto day = digits_at(text, 8, 2);
  auto hour = digits_at(text, 11, 2);
  auto minute = digits_at(text, 14, 2);
  auto second = digits_at(text, 17, 2);
  if (!year || !month || !day || !hour || !minute || !second || *hour > 23 || *minute > 59 ||
      *second > 60) {
    return std::nullopt;
  }
  const std::chrono::year_month_day date{std::chrono::year(*year),
                                         std::chrono::month(static_cast<unsigned>(*month)),
                                         std::chrono::day(static_cast<unsigned>(*day))};
  if (!date.ok()) return std::nullopt;
  std::size_t at = 19;
  if (at < text.size() && text[at] == '.') {
    ++at;
    const std::size_t first = at;
    while (at < text.size() && text[at] >= '0' && text[at] <= '9') ++at;
    if (at == first) return std::nullopt;
  }
  int offset_minutes = 0;
  if (at < text.size() && (text[at] == 'Z' || text[at] == 'z')) {
    ++at;
  } else if (at < text.size() && (text[at] == '+' || text[at] == '-')) {
    auto offset_hours = digits_at(text, at + 1, 2);
    auto offset_mins = digits_at(text, at + 4, 2);
    if (!offset_hours || !offset_mins || at + 3 >= text.size() || text[at + 3] != ':' ||
        *offset_hours > 23 || *offset_mins > 59) {
      return std::nullopt;
    }
    offset_minutes = (*offset_hours * 60 + *offset_mins) * (text[at] == '-' ? -1 : 1);
    at += 6;
  } else {
    return std::nullopt;
  }
  if (at != text.size()) return std::nullopt;
  // A leap second is read as the last second of its minute.
  const auto local = std::chrono::sys_days(date) + std::chrono::hours(*hour) +
                     std::chrono::minutes(*minute) + std::chrono::seconds(std::min(*second, 59));
  const auto utc = local - std::chrono::minutes(offset_minutes);
  const auto days = std::chrono::floor<std::chrono::days>(utc);
  const std::chrono::year_month_day utc_date{days};
  const std::chrono::hh_mm_ss time{utc - days};
  char out[32];
  std::snprintf(out, sizeof out, "%04d-%02u-%02uT%02d:%02d:%02dZ",
                static_cast<int>(utc_date.year()), static_cast<unsigned>(utc_date.month()),
                static_cast<unsigned>(utc_date.day()), static_cast<int>(time.hours().count()),
                static_cast<int>(time.minutes().count()), static_cast<int>(time.seconds().count()));
  return std::string(out);
}

core::Result<NewsFile> parse_news_json(std::string_view input) {
  boost::system::error_code error;
  boost::json::parse_options options;
  options.max_depth = 64;
  const boost::json::value document = boost::json::parse(input, error, {}, options);
  if (error) return error_at("", "the file is not JSON: " + error.message());
  const boost::json::array* items = nullptr;
  std::string prefix;
  if (document.is_array()) {
    items = &document.get_array();
  } else if (document.is_object()) {
    const boost::json::value* inner = document.get_object().if_contains("items");
    if (inner != nullptr && inner->is_array()) items = &inner->get_array();
    prefix = "/items";
  }
  if (items == nullptr) {
    return error_at(prefix, "expected an array of news items (or an object with \"items\")");
  }
  NewsFile file;
  file.items.reserve(items->size());
  for (std::size_t i = 0; i < items->size(); ++i) {
    const std::string pointer = prefix + "/" + std::to_string(i);
    const boost::json::value& value = (*items)[i];
    if (!value.is_object()) return error_at(pointer, "a news item must be an object");
    const boost::json::object& object = value.get_object();
    NewsItem item;
    auto text_member = [&](std::string_view name, std::string& out, bool required) -> core::Status {
      const boost::json::value* member = object.if_contains(name);
      if (member == nullptr || member->is_null()) {
        if (required) return error_at(pointer + "/" + std::string(name), "is required");
        return {};
      }
      if (!member->is_string()) {
        return error_at(pointer + "/" + std::string(name), "must be a string");
      }
      out.assign(member->get_string().data(), member->get_string().size());
      return {};
    };
    std::string published;
    for (auto status :
         {text_member("headline", item.headline, true), text_member("body", item.body, false),
          text_member("published_at", published, true), text_member("source", item.source, false),
          text_member("url", item.url, false), text_member("id", item.external_id, false)}) {
      if (!status) return std::move(status).error();
    }
    if (item.headline.find_first_not_of(" \t\r\n") == std::string::npos) {
      return error_at(pointer + "/headline", "must not be empty");
    }
    auto utc = rfc3339_to_utc(published);
    if (!utc) {
      return error_at(
          pointer + "/published_at",
          "\"" + published + "\" is not an RFC 3339 time with an offset (2026-03-02T14:30:00Z)");
    }
    item.published_at = std::move(*utc);
    file.items.push_back(std::move(item));
  }
  if (file.items.empty()) file.warnings.push_back("the file holds no news items");
  return file;
}

}  // namespace aic::finance
