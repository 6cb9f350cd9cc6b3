// The API's description of itself, both public:
//   GET /v1/openapi.json  the OpenAPI 3.1 document of every route on the router
//   GET /docs             the same as a readable HTML page (docs_page.hpp)
// Both are rendered on the first request to either, when every route is registered, and then
// served from memory.
#pragma once

#include "api/openapi.hpp"
#include "http/router.hpp"

namespace aic::api::docs {

// This server's API: title, version (the build's), description, tags and the schemas of
// api/v1/schemas.hpp.
ApiInfo api_info();

// Registers the two routes on `router`.
// REQUIRES: `router` is not moved afterwards (the routes describe it through its address) and
// every route is added before the first request.
void add_docs_routes(http::Router& router);

}  // namespace aic::api::docs
