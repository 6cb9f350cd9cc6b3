// Reading a JSON request body the same way on every route: the media type must be JSON, the
// body one object, every member known, required ones present and of the right type. Each
// failure is a core::Error naming the field as a JSON pointer ("/owner_email"), which the
// HTTP layer turns into a 400 (415 for the media type).
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"
#include "http/message.hpp"

namespace aic::api {

class JsonBody {
 public:
  // `fields`: the members a client may send. `server_owned`: members that exist on the
  // resource but only the server sets (id, tenant_id, created_at, …); sending one is refused
  // rather than silently ignored, so a client cannot believe it set them.
  static core::Result<JsonBody> parse(const http::Request& request,
                                      std::initializer_list<std::string_view> fields,
                                      std::initializer_list<std::string_view> server_owned = {});

  // Each reads string member `name` into `out`. The first failure is kept in first_error()
  // and later reads do nothing, so a handler reads every field and then checks once.
  JsonBody& required(std::string_view name, std::string& out);
  // Leaves `out` as it is (its default) when the member is absent or null.
  JsonBody& optional(std::string_view name, std::string& out);
  JsonBody& optional(std::string_view name, std::optional<std::string>& out);
  // An array of strings.
  JsonBody& required(std::string_view name, std::vector<std::string>& out);
  // An integer member (a JSON number without fraction or exponent that fits in 64 bits).
  JsonBody& optional(std::string_view name, std::optional<std::int64_t>& out);
  // An array of integers; `out` stays empty when the member is absent or null.
  JsonBody& optional(std::string_view name, std::optional<std::vector<std::int64_t>>& out);
  // A boolean member (true or false, not a string or number).
  JsonBody& optional(std::string_view name, std::optional<bool>& out);
  // An array of strings; `out` stays empty when the member is absent or null.
  JsonBody& optional(std::string_view name, std::optional<std::vector<std::string>>& out);
  // An object whose members are all strings, in the order sent.
  JsonBody& optional(std::string_view name,
                     std::optional<std::vector<std::pair<std::string, std::string>>>& out);
  // Whether the member was sent, and whether it was sent as null (to clear a setting).
  bool contains(std::string_view name) const { return object_.contains(name); }
  bool is_null(std::string_view name) const {
    const boost::json::value* value = object_.if_contains(name);
    return value != nullptr && value->is_null();
  }
  const std::optional<core::Error>& first_error() const { return first_error_; }
  // The whole body, for members of a nested shape that a domain parser reads itself (their
  // errors name their own pointers). Top-level members are already checked by parse().
  const boost::json::object& object() const { return object_; }

  // For operations whose fields are all optional: an empty body (no Content-Type needed)
  // reads as `{}`; anything else is parsed as above.
  static core::Result<JsonBody> parse_optional(
      const http::Request& request, std::initializer_list<std::string_view> fields,
      std::initializer_list<std::string_view> server_owned = {});

 private:
  explicit JsonBody(boost::json::object object) : object_(std::move(object)) {}
  // The member as a string; nullptr when absent or null. Records a type error.
  const boost::json::string* string_member(std::string_view name);

  boost::json::object object_;
  std::optional<core::Error> first_error_;
};

}  // namespace aic::api
