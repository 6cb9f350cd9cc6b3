#include "api/v1/version_routes.hpp"

#include <boost/json.hpp>

#include "core/build_info.hpp"

namespace aic::api::v1 {

void add_version_routes(http::Router& router) {
  router.add(http::Method::kGet, "/v1/version",
             [](http::RequestContext&) -> boost::asio::awaitable<http::Response> {
               const auto& info = core::build_info();
               boost::json::object body{{"version", info.version},
                                        {"commit", info.commit},
                                        {"build_time", info.build_time}};
               co_return http::Response::json(200, boost::json::serialize(body));
             },
             {.permission = std::string(http::kPublic),
              .summary = "Version, source commit and build time of the server.",
              .operation_id = "getVersion",
              .responses = {{.status = 200, .description = "This binary.", .schema = "Version"}}});
}

}  // namespace aic::api::v1
