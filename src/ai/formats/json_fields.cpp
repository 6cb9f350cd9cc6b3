#include "ai/formats/json_fields.hpp"

#include "core/utf8.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/parser.hpp>
#include <boost/json/serialize.hpp>
#include <cmath>
#include <limits>

namespace aic::ai::json {

namespace {

core::Error wrong_type(std::string_view key, std::string_view parent, std::string_view expected) {
  std::string path = member_path(parent, key);
  return core::Error::invalid("`" + path + "` must be " + std::string(expected), path);
}

const boost::json::value* find_present(const boost::json::object& object, std::string_view key) {
  const boost::json::value* found = object.if_contains(key);
  return found == nullptr || found->is_null() ? nullptr : found;
}

// One complete JSON text into `storage`; `used` says how far parsing got. The parser's own
// working stack starts in a local buffer as well.
boost::json::value parse_into(std::string_view text, boost::json::storage_ptr storage,
                              boost::system::error_code& error, std::size_t& used) {
  unsigned char scratch[1024];
  boost::json::parser parser({}, {}, scratch, sizeof scratch);
  parser.reset(std::move(storage));
  used = parser.write(text.data(), text.size(), error);
  if (error) return nullptr;
  return parser.release();
}

}  // namespace

std::string member_path(std::string_view parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  std::string path;
  path.reserve(parent.size() + 1 + key.size());
  path.append(parent).push_back('.');
  path.append(key);
  return path;
}

std::string index_path(std::string_view parent, std::size_t index) {
  return std::string(parent) + "[" + std::to_string(index) + "]";
}

core::Result<boost::json::object> parse_object(std::string_view text,
                                               boost::json::storage_ptr storage) {
  boost::system::error_code error;
  std::size_t used = 0;
  boost::json::value value = parse_into(text, std::move(storage), error, used);
  if (error) {
    core::Error problem = core::Error::make(core::ErrorCode::kMalformedRequest,
                                            "the body is not valid JSON (" + error.message() +
                                                " at byte " + std::to_string(used) + ")");
    return problem;
  }
  if (!value.is_object()) return core::Error::invalid("the body must be a JSON object");
  return std::move(value.as_object());
}

boost::json::value parse_value(std::string_view text, boost::json::storage_ptr storage,
                               boost::system::error_code& error) {
  std::size_t used = 0;
  return parse_into(text, std::move(storage), error, used);
}

core::Result<const boost::json::string*> get_string(const boost::json::object& object,
                                                    std::string_view key, std::string_view parent) {
  const boost::json::value* found = find_present(object, key);
  if (found == nullptr) return static_cast<const boost::json::string*>(nullptr);
  if (!found->is_string()) return wrong_type(key, parent, "a string");
  return &found->get_string();
}

core::Result<const boost::json::object*> get_object(const boost::json::object& object,
                                                    std::string_view key, std::string_view parent) {
  const boost::json::value* found = find_present(object, key);
  if (found == nullptr) return static_cast<const boost::json::object*>(nullptr);
  if (!found->is_object()) return wrong_type(key, parent, "an object");
  return &found->get_object();
}

core::Result<const boost::json::array*> get_array(const boost::json::object& object,
                                                  std::string_view key, std::string_view parent) {
  const boost::json::value* found = find_present(object, key);
  if (found == nullptr) return static_cast<const boost::json::array*>(nullptr);
  if (!found->is_array()) return wrong_type(key, parent, "an array");
  return &found->get_array();
}

core::Result<const boost::json::value*> get_number(const boost::json::object& object,
                                                   std::string_view key, std::string_view parent) {
  const boost::json::value* found = find_present(object, key);
  if (found == nullptr) return static_cast<const boost::json::value*>(nullptr);
  if (!found->is_number()) return wrong_type(key, parent, "a number");
  return found;
}

core::Result<const boost::json::value*> get_bool(const boost::json::object& object,
                                                 std::string_view key, std::string_view parent) {
  const boost::json::value* found = find_present(object, key);
  if (found == nullptr) return static_cast<const boost::json::value*>(nullptr);
  if (!found->is_bool()) return wrong_type(key, parent, "true or false");
  return found;
}

core::Result<std::optional<std::int64_t>> get_integer(const boost::json::object& object,
                                                      std::string_view key,
                                                      std::string_view parent) {
  const boost::json::value* found = find_present(object, key);
  if (found == nullptr) return std::optional<std::int64_t>();
  if (found->is_int64()) return std::optional<std::int64_t>(found->get_int64());
  if (found->is_uint64() && found->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
    return std::optional<std::int64_t>(static_cast<std::int64_t>(found->get_uint64()));
  }
  if (found->is_double()) {
    double number = found->get_double();
    if (std::isfinite(number) && std::trunc(number) == number && std::fabs(number) < 9.2e18) {
      return std::optional<std::int64_t>(static_cast<std::int64_t>(number));
    }
  }
  return wrong_type(key, parent, "an integer");
}

std::int64_t count_or_zero(const boost::json::object& object, std::string_view key) {
  constexpr std::int64_t kMaxCount = 1'000'000'000'000'000;
  const boost::json::value* value = object.if_contains(key);
  if (value == nullptr) return 0;
  if (value->is_int64()) return std::clamp<std::int64_t>(value->get_int64(), 0, kMaxCount);
  if (value->is_uint64()) return std::min<std::uint64_t>(value->get_uint64(), kMaxCount);
  if (value->is_double()) {
    double number = value->get_double();
    if (!(number > 0)) return 0;  // negative or NaN
    return number >= static_cast<double>(kMaxCount) ? kMaxCount : static_cast<std::int64_t>(number);
  }
  return 0;
}

core::Status only_known_members(const boost::json::object& object,
                                std::initializer_list<std::string_view> known,
                                std::string_view parent) {
  for (const auto& member : object) {
    std::string_view key(member.key().data(), member.key().size());
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      std::string field = member_path(parent, key);
      return core::Error::invalid("`" + field + "` is not supported by the gateway", field);
    }
  }
  return core::Status();
}

double as_double(const boost::json::value& number) {
  if (number.is_int64()) return static_cast<double>(number.get_int64());
  if (number.is_uint64()) return static_cast<double>(number.get_uint64());
  if (number.is_double()) return number.get_double();
  return std::numeric_limits<double>::quiet_NaN();
}

std::string_view view(const boost::json::string& text) { return {text.data(), text.size()}; }

std::string to_text(const boost::json::value& value) { return boost::json::serialize(value); }

namespace {

std::string_view trim_space(std::string_view text) {
  auto space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
  };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  return text;
}

std::optional<boost::json::value> parse_whole(std::string_view text) {
  boost::system::error_code code;
  boost::json::value value = boost::json::parse(text, code);
  if (code) return std::nullopt;
  return value;
}

}  // namespace

std::string_view unfenced(std::string_view answer) {
  std::string_view text = trim_space(answer);
  if (!text.starts_with("```")) return text;
  std::size_t line_end = text.find('\n');
  if (line_end == std::string_view::npos) return text;
  text.remove_prefix(line_end + 1);
  text = trim_space(text);
  if (text.ends_with("```")) text.remove_suffix(3);
  return trim_space(text);
}

std::optional<boost::json::value> answer_json(std::string_view answer) {
  std::string_view text = unfenced(answer);
  if (auto whole = parse_whole(text)) return whole;
  std::size_t first = text.find_first_of("{[");
  if (first == std::string_view::npos) return std::nullopt;
  char closing = text[first] == '{' ? '}' : ']';
  std::size_t last = text.rfind(closing);
  if (last == std::string_view::npos || last < first) return std::nullopt;
  return parse_whole(text.substr(first, last - first + 1));
}

std::string body_excerpt(std::string_view body, std::size_t limit) {
  std::size_t start = body.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos) return {};
  body.remove_prefix(start);
  std::string text;
  text.reserve(std::min(body.size(), limit) + 3);
  std::size_t at = 0;
  while (at < body.size()) {
    std::size_t length = core::utf8_sequence_length(body, at);
    std::size_t width = length == 0 ? 1 : length;
    if (text.size() + (length == 0 ? 3 : length) > limit) break;
    if (length == 0) {
      text += "\xEF\xBF\xBD";  // U+FFFD
    } else if (length == 1 && static_cast<unsigned char>(body[at]) < 0x20) {
      text.push_back(' ');
    } else {
      text.append(body.substr(at, length));
    }
    at += width;
  }
  while (!text.empty() && text.back() == ' ') text.pop_back();
  if (at < body.size()) text += "\xE2\x80\xA6";  // …
  return text;
}

}  // namespace aic::ai::json
