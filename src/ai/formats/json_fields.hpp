// Reading the members of a parsed JSON request or answer with errors that name the member's
// path the way a client reads it ("messages[2].content[0].image_url.url").
//
// Each getter returns nullptr when the member is absent or JSON null, the member when it has
// the expected type, and kInvalidArgument naming the path otherwise.
#pragma once

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"

// Declares `target` as the value of a core::Result `expression`, or returns its error from
// the enclosing function (which returns a Result or Status). It declares a variable, so its
// argument cannot be parenthesized.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define AIC_TRY_ASSIGN(target, expression)                         \
  auto target##_result = (expression);                             \
  if (!target##_result) return std::move(target##_result).error(); \
  auto target = std::move(target##_result).value()
// NOLINTEND(bugprone-macro-parentheses)

namespace aic::ai::json {

// "parent.key" ("key" at the top level) and "parent[index]".
std::string member_path(std::string_view parent, std::string_view key);
std::string index_path(std::string_view parent, std::size_t index);

// Memory for one parsed document that is read and dropped (a request or an answer on the
// gateway's hot path): nodes come from an inline buffer, then from blocks freed all at once,
// instead of one heap allocation and free per node. Values parsed into it must not outlive
// it. Not copyable or movable: the values point into it.
class ParseArena {
 public:
  ParseArena() = default;
  ParseArena(const ParseArena&) = delete;
  ParseArena& operator=(const ParseArena&) = delete;

  boost::json::storage_ptr storage() { return boost::json::storage_ptr(&resource_); }

 private:
  unsigned char buffer_[4096];
  boost::json::monotonic_resource resource_{buffer_, sizeof buffer_};
};

// Parses `text` as JSON: kMalformedRequest (message says where parsing stopped) when it is
// not, and kInvalidArgument when it is not an object. The object's nodes use `storage`.
core::Result<boost::json::object> parse_object(std::string_view text,
                                               boost::json::storage_ptr storage = {});
// Parses `text` as any JSON value into `storage`; `error` is set when it is not JSON.
boost::json::value parse_value(std::string_view text, boost::json::storage_ptr storage,
                               boost::system::error_code& error);

core::Result<const boost::json::string*> get_string(const boost::json::object& object,
                                                    std::string_view key, std::string_view parent);
core::Result<const boost::json::object*> get_object(const boost::json::object& object,
                                                    std::string_view key, std::string_view parent);
core::Result<const boost::json::array*> get_array(const boost::json::object& object,
                                                  std::string_view key, std::string_view parent);
// Any JSON number, as a double.
core::Result<const boost::json::value*> get_number(const boost::json::object& object,
                                                   std::string_view key, std::string_view parent);
core::Result<const boost::json::value*> get_bool(const boost::json::object& object,
                                                 std::string_view key, std::string_view parent);
// A number with an integral value that fits an int64 (2.0 is accepted, 2.5 is not).
core::Result<std::optional<std::int64_t>> get_integer(const boost::json::object& object,
                                                      std::string_view key,
                                                      std::string_view parent);

// A count the other side reports (tokens, an index, a timestamp): a non-negative integer
// clamped to 10^15, so sums of counts cannot overflow; 0 when absent or not a number.
std::int64_t count_or_zero(const boost::json::object& object, std::string_view key);

double as_double(const boost::json::value& number);
std::string_view view(const boost::json::string& text);
// kInvalidArgument naming the first member of `object` that is not in `known` ("`logit_bias`
// is not supported by the gateway"; below `parent`: "`output_config.effort` …"): a request
// member the gateway would ignore is refused, so a client never believes a setting took
// effect when it did not.
core::Status only_known_members(const boost::json::object& object,
                                std::initializer_list<std::string_view> known,
                                std::string_view parent = "");

// The value as compact JSON text.
std::string to_text(const boost::json::value& value);

// The start of a body that is not the expected JSON (a proxy's HTML page), safe to put in a
// JSON string: leading whitespace dropped, at most `limit` bytes cut at a character
// boundary (then "…"), control characters as spaces, bytes that are not UTF-8 as U+FFFD.
std::string body_excerpt(std::string_view body, std::size_t limit = 200);

// A model's text answer read as JSON, the way models write it: the text inside a ``` fence
// (its first line, "```json", dropped) or the text itself, trimmed.
std::string_view unfenced(std::string_view answer);
// The answer as JSON: all of it, inside a fence, or its outermost {…} or […]; nullopt when
// none of these parses.
std::optional<boost::json::value> answer_json(std::string_view answer);

}  // namespace aic::ai::json
