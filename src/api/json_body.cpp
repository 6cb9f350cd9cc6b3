#include "api/json_body.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>

namespace aic::api {
namespace {

std::string pointer(std::string_view name) { return "/" + std::string(name); }

}  // namespace

core::Result<JsonBody> JsonBody::parse(const http::Request& request,
                                       std::initializer_list<std::string_view> fields,
                                       std::initializer_list<std::string_view> server_owned) {
  auto type = request.headers.get("Content-Type");
  std::string_view media = type ? type->substr(0, type->find(';')) : std::string_view();
  while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
  if (!http::iequals(media, "application/json")) {
    core::Error error = core::Error::make(core::ErrorCode::kUnsupportedMediaType,
                                          "the body must be JSON (Content-Type: "
                                          "application/json)");
    error.header = "Content-Type";
    return error;
  }
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(request.body, ec);
  if (ec) return core::Error::invalid("the body is not valid JSON: " + ec.message(), "");
  if (!value.is_object()) return core::Error::invalid("the body must be a JSON object", "");
  for (const auto& member : value.as_object()) {
    std::string_view key = member.key();
    if (std::find(fields.begin(), fields.end(), key) != fields.end()) continue;
    if (std::find(server_owned.begin(), server_owned.end(), key) != server_owned.end()) {
      return core::Error::invalid("is set by the server and cannot be sent", pointer(key));
    }
    return core::Error::invalid("is not a field of this request", pointer(key));
  }
  return JsonBody(std::move(value.as_object()));
}

core::Result<std::string> JsonBody::required_string(std::string_view name) const {
  auto value = optional_string(name);
  if (!value) return std::move(value).error();
  if (!*value) return core::Error::invalid("is required", pointer(name));
  return std::move(**value);
}

core::Result<std::optional<std::string>> JsonBody::optional_string(std::string_view name) const {
  const boost::json::value* value = object_.if_contains(name);
  if (value == nullptr || value->is_null()) return std::optional<std::string>();
  if (!value->is_string()) return core::Error::invalid("must be a string", pointer(name));
  return std::optional<std::string>(std::string(value->as_string()));
}

}  // namespace aic::api
