// Writes JSON text straight into a string, for response bodies on hot paths: building a
// boost::json::object first costs a hash-table insert per member and a second pass to
// serialize, several times the cost of writing the text directly.
//
//   std::string body;
//   JsonWriter json(body);
//   json.begin_object();
//   json.member("id", key.id);
//   json.member_or_null("expires_at", key.expires_at);
//   json.end_object();
//
// The writer adds the commas; it does not check nesting (a member outside an object is the
// caller's bug). Strings are escaped as JSON requires (quotes, backslashes, control
// characters) and otherwise copied as they are; bytes that are not valid UTF-8 are written as
// U+FFFD, so the output is valid JSON whatever the input.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace aic::core {

// `text` escaped for the inside of a JSON string literal.
void append_json_escaped(std::string& out, std::string_view text);

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  void begin_object() { open('{'); }
  void end_object() { close('}'); }
  void begin_array() { open('['); }
  void end_array() { close(']'); }

  // A member's name; the next value or begin_* is its value.
  void key(std::string_view name);

  void value(std::string_view text);
  void value(const char* text) { value(std::string_view(text)); }
  void value(std::int64_t number);
  void value(bool flag);
  void null();
  // A double in its shortest round-trip form; NaN and infinities are written as null.
  void number(double value);
  // The same rounded to `decimals` places (ratios, percentages, amounts for people); "-0" is 0.
  void number(double value, int decimals);
  // A member whose value is a number, or null when absent; `decimals` < 0: not rounded.
  void number_member(std::string_view name, const std::optional<double>& value, int decimals = -1);
  // A value that is already JSON text (a stored object). REQUIRES: `json` is valid JSON.
  void raw(std::string_view json);

  template <typename T>
  void member(std::string_view name, const T& value_of_member) {
    key(name);
    value(value_of_member);
  }
  // The value, or null when it is absent.
  template <typename T>
  void member_or_null(std::string_view name, const std::optional<T>& value_of_member) {
    key(name);
    if (value_of_member) {
      value(*value_of_member);
    } else {
      null();
    }
  }

 private:
  // `text` as a JSON string, preceded by a comma if one is due; a key is followed by ':'.
  void quoted(std::string_view text, bool is_key);
  void open(char bracket);
  void close(char bracket);
  void separate() {
    if (comma_needed_) out_ += ',';
  }

  std::string& out_;
  bool comma_needed_ = false;  // a value was written at this level and another follows
};

}  // namespace aic::core
