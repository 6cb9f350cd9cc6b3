// What every /v1 handler does the same way: JSON responses, list envelopes, problem answers
// and the acting principal.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/form.hpp"
#include "core/principal.hpp"
#include "http/context.hpp"
#include "http/message.hpp"
#include "http/router.hpp"
#include "identity/identity_store.hpp"

namespace aic::api::v1 {

http::Response json_response(int status, const boost::json::object& body);

// A list page: {"data": [...], "next_cursor": "…" or null}.
http::Response list_response(boost::json::array items,
                             const std::optional<std::string>& next_cursor);

// `limit` (1–200, default 50) and `cursor` from the query string of a list in creation
// order. Other query parameters are refused, naming them.
core::Result<identity::PageRequest> page_request(const http::RequestContext& context);
// The same from query parameters a route parsed itself (because it reads more of them).
core::Result<identity::PageRequest> page_request(const FormFields& params);
// The opaque cursor that continues after the item created at `created_at` with `id`.
std::string page_cursor(std::string_view created_at, std::string_view id);

// The permission and summary of a route, then what the OpenAPI document says about it.
http::RouteOptions route_options(std::string_view permission, std::string summary,
                                 http::RouteOptions doc = {});
// `doc` with what a POST wrapped by Idempotency::wrap adds: the Idempotency-Key header and
// its 409 and 422 answers.
http::RouteOptions idempotent(http::RouteOptions doc);
// The query parameters every list reads (page_request()).
const std::vector<http::ParamDoc>& page_params();

// The ETag of a resource at `version`: `"N"`.
std::string strong_etag(std::int64_t version);

// The version an `If-Match: "N"` header names; nullopt without the header (or for `*`, which
// any existing `what` matches). kInvalidArgument naming the header for anything else.
core::Result<std::optional<std::int64_t>> if_match_version(const http::RequestContext& context,
                                                           std::string_view what);

http::Response error_response(const core::Error& error, const http::RequestContext& context);

// The acting principal. The authorization filter guarantees one on protected routes; in a
// chain without that filter, handlers refuse (no_actor) rather than act for nobody.
const core::Principal* actor_of(const http::RequestContext& context);
http::Response no_actor(const http::RequestContext& context);

}  // namespace aic::api::v1
