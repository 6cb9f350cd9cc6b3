// Reading a JSON request body the same way on every route: the media type must be JSON, the
// body one object, every member known, required ones present and of the right type. Each
// failure is a core::Error naming the field as a JSON pointer ("/owner_email"), which the
// HTTP layer turns into a 400 (415 for the media type).
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>
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

  core::Result<std::string> required_string(std::string_view name) const;
  core::Result<std::optional<std::string>> optional_string(std::string_view name) const;

 private:
  explicit JsonBody(boost::json::object object) : object_(std::move(object)) {}
  boost::json::object object_;
};

}  // namespace aic::api
