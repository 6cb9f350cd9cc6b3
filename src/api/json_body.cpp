#include "api/json_body.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>

namespace aic::api {
namespace {

// Built by appending: GCC 12 at -O3 reports a false -Wrestrict on `"/" + std::string(name)`.
std::string pointer(std::string_view name) {
  std::string out;
  out.reserve(name.size() + 1);
  out += '/';
  out += name;
  return out;
}

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

core::Result<JsonBody> JsonBody::parse_optional(
    const http::Request& request, std::initializer_list<std::string_view> fields,
    std::initializer_list<std::string_view> server_owned) {
  if (request.body.empty()) return JsonBody(boost::json::object());
  return parse(request, fields, server_owned);
}

const boost::json::string* JsonBody::string_member(std::string_view name) {
  if (first_error_) return nullptr;
  const boost::json::value* value = object_.if_contains(name);
  if (value == nullptr || value->is_null()) return nullptr;
  if (!value->is_string()) {
    first_error_ = core::Error::invalid("must be a string", pointer(name));
    return nullptr;
  }
  return &value->as_string();
}

JsonBody& JsonBody::required(std::string_view name, std::string& out) {
  const boost::json::string* text = string_member(name);
  if (text != nullptr) {
    out.assign(text->data(), text->size());
  } else if (!first_error_) {
    first_error_ = core::Error::invalid("is required", pointer(name));
  }
  return *this;
}

JsonBody& JsonBody::optional(std::string_view name, std::string& out) {
  if (const boost::json::string* text = string_member(name)) out.assign(text->data(), text->size());
  return *this;
}

JsonBody& JsonBody::required(std::string_view name, std::vector<std::string>& out) {
  if (first_error_) return *this;
  const boost::json::value* value = object_.if_contains(name);
  if (value == nullptr || value->is_null()) {
    first_error_ = core::Error::invalid("is required", pointer(name));
    return *this;
  }
  if (!value->is_array()) {
    first_error_ = core::Error::invalid("must be an array of strings", pointer(name));
    return *this;
  }
  out.clear();
  const auto& items = value->as_array();
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (!items[i].is_string()) {
      first_error_ =
          core::Error::invalid("must be a string", pointer(name) + "/" + std::to_string(i));
      return *this;
    }
    out.emplace_back(items[i].as_string().data(), items[i].as_string().size());
  }
  return *this;
}

JsonBody& JsonBody::optional(std::string_view name, std::optional<std::int64_t>& out) {
  if (first_error_) return *this;
  const boost::json::value* value = object_.if_contains(name);
  if (value == nullptr || value->is_null()) return *this;
  if (value->is_int64()) {
    out = value->as_int64();
  } else if (value->is_uint64()) {
    first_error_ = core::Error::invalid("is too large", pointer(name));
  } else {
    first_error_ = core::Error::invalid("must be an integer", pointer(name));
  }
  return *this;
}

JsonBody& JsonBody::optional(std::string_view name, std::optional<std::vector<std::int64_t>>& out) {
  if (first_error_) return *this;
  const boost::json::value* value = object_.if_contains(name);
  if (value == nullptr || value->is_null()) return *this;
  if (!value->is_array()) {
    first_error_ = core::Error::invalid("must be an array of integers", pointer(name));
    return *this;
  }
  std::vector<std::int64_t> items;
  const auto& array = value->as_array();
  for (std::size_t i = 0; i < array.size(); ++i) {
    if (!array[i].is_int64()) {
      first_error_ =
          core::Error::invalid("must be an integer", pointer(name) + "/" + std::to_string(i));
      return *this;
    }
    items.push_back(array[i].as_int64());
  }
  out = std::move(items);
  return *this;
}

JsonBody& JsonBody::optional(std::string_view name, std::optional<bool>& out) {
  if (first_error_) return *this;
  const boost::json::value* value = object_.if_contains(name);
  if (value == nullptr || value->is_null()) return *this;
  if (value->is_bool()) {
    out = value->as_bool();
  } else {
    first_error_ = core::Error::invalid("must be true or false", pointer(name));
  }
  return *this;
}

JsonBody& JsonBody::optional(std::string_view name, std::optional<std::vector<std::string>>& out) {
  if (first_error_) return *this;
  const boost::json::value* value = object_.if_contains(name);
  if (value == nullptr || value->is_null()) return *this;
  std::vector<std::string> items;
  required(name, items);
  if (!first_error_) out = std::move(items);
  return *this;
}

JsonBody& JsonBody::optional(std::string_view name,
                             std::optional<std::vector<std::pair<std::string, std::string>>>& out) {
  if (first_error_) return *this;
  const boost::json::value* value = object_.if_contains(name);
  if (value == nullptr || value->is_null()) return *this;
  if (!value->is_object()) {
    first_error_ = core::Error::invalid("must be an object of strings", pointer(name));
    return *this;
  }
  std::vector<std::pair<std::string, std::string>> members;
  for (const auto& member : value->as_object()) {
    if (!member.value().is_string()) {
      first_error_ =
          core::Error::invalid("must be a string", pointer(name) + "/" + std::string(member.key()));
      return *this;
    }
    members.emplace_back(std::string(member.key()), std::string(member.value().as_string()));
  }
  out = std::move(members);
  return *this;
}

JsonBody& JsonBody::optional(std::string_view name, std::optional<std::string>& out) {
  if (const boost::json::string* text = string_member(name))
    out.emplace(text->data(), text->size());
  return *this;
}

}  // namespace aic::api
