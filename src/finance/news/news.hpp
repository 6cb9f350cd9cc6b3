// News about a company from a JSON file (news-json): the input of its sentiment.
//
//   [{"headline": "…", "body": "…", "published_at": "2026-03-02T14:30:00+01:00",
//     "source": "Reuters", "url": "https://…", "id": "…"}, …]
//
// or the same array under "items". Pure function; no I/O.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace aic::finance {

struct NewsItem {
  std::string headline;
  std::string body;          // may be empty
  std::string published_at;  // RFC 3339 UTC with seconds, converted from the file's offset
  std::string source;        // the publisher, may be empty
  std::string url;           // may be empty
  std::string external_id;   // the file's "id", may be empty
};

struct NewsFile {
  std::vector<NewsItem> items;  // in file order
  std::vector<std::string> warnings;
};

// Reads the file. headline (non-empty) and published_at (RFC 3339 with "Z" or an offset) are
// required; body, source, url and id are optional strings; other members are ignored (feeds
// carry more than we read). Errors (kInvalidArgument, field = JSON pointer such as
// "/items/3/published_at"): not JSON, not an array of objects, a missing or mistyped member.
core::Result<NewsFile> parse_news_json(std::string_view input);

// "2026-03-02T14:30:00+01:00" (fractions of a second allowed and dropped) as UTC,
// "2026-03-02T13:30:00Z"; nullopt when it is not an RFC 3339 date-time with an offset.
std::optional<std::string> rfc3339_to_utc(std::string_view text);

}  // namespace aic::finance
