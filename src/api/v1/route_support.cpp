#include "api/v1/route_support.hpp"

#include <boost/json/serialize.hpp>

#include "api/form.hpp"
#include "http/problem.hpp"
#include "identity/jwt.hpp"

namespace aic::api::v1 {

namespace json = boost::json;

http::Response json_response(int status, const json::object& body) {
  return http::Response::json(status, json::serialize(body));
}

http::Response list_response(json::array items, const std::optional<std::string>& next_cursor) {
  return json_response(
      200, {{"data", std::move(items)},
            {"next_cursor", next_cursor ? json::value(*next_cursor) : json::value(nullptr)}});
}

core::Result<identity::PageRequest> page_request(const http::RequestContext& context) {
  auto params = FormFields::parse(context.request.query(), {"limit", "cursor"});
  if (!params) return std::move(params).error();
  auto limit = params->integer("limit", 50, 1, 200);
  if (!limit) return std::move(limit).error();
  identity::PageRequest page;
  page.limit = static_cast<std::size_t>(*limit);
  if (const std::string* cursor = params->get("cursor")) {
    auto decoded = identity::base64url_decode(*cursor);
    std::size_t space = decoded ? decoded->find(' ') : std::string::npos;
    if (space == std::string::npos || !identity::is_utc_timestamp(decoded->substr(0, space))) {
      return core::Error::invalid("is not a cursor this API returned", "cursor");
    }
    page.after.emplace(decoded->substr(0, space), decoded->substr(space + 1));
  }
  return page;
}

std::string page_cursor(std::string_view created_at, std::string_view id) {
  std::string text(created_at);
  text += ' ';
  text += id;
  return identity::base64url_encode(text);
}

http::Response error_response(const core::Error& error, const http::RequestContext& context) {
  return http::problem_response(error, context.request_id);
}

const core::Principal* actor_of(const http::RequestContext& context) {
  return context.principal ? &*context.principal : nullptr;
}

http::Response no_actor(const http::RequestContext& context) {
  return error_response(
      core::Error::make(core::ErrorCode::kUnauthenticated, "this resource needs a credential"),
      context);
}

}  // namespace aic::api::v1
