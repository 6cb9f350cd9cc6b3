#include "api/v1/route_support.hpp"

#include <boost/json/serialize.hpp>

#include "http/problem.hpp"

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
