#include "api/v1/route_support.hpp"

#include <algorithm>
#include <charconv>

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
  return page_request(*params);
}

core::Result<identity::PageRequest> page_request(const FormFields& params_in) {
  const FormFields* params = &params_in;
  auto limit = params->integer("limit", 50, 1, 200);
  if (!limit) return std::move(limit).error();
  identity::PageRequest page;
  page.limit = static_cast<std::size_t>(*limit);
  if (const std::string* cursor = params->get("cursor")) {
    auto decoded = identity::base64url_decode(*cursor);
    std::size_t space = decoded ? decoded->find(' ') : std::string::npos;
    if (space == std::string::npos || !audit::normalize_time(decoded->substr(0, space))) {
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

namespace aic::api::v1 {

http::RouteOptions route_options(std::string_view permission, std::string summary,
                                 http::RouteOptions doc) {
  doc.permission = std::string(permission);
  doc.summary = std::move(summary);
  return doc;
}

http::RouteOptions idempotent(http::RouteOptions doc) {
  doc.headers.push_back({.name = "Idempotency-Key",
                         .description =
                             "Makes a retry safe: the same key with the same request replays the "
                             "first answer (with `Idempotent-Replayed: true`) for 24 hours."});
  constexpr std::string_view kRunning = "A request with this Idempotency-Key is still running.";
  auto conflict =
      std::find_if(doc.responses.begin(), doc.responses.end(),
                   [](const http::ResponseDoc& answer) { return answer.status == 409; });
  if (conflict != doc.responses.end()) {
    conflict->description += " Or: " + std::string(kRunning);
  } else {
    doc.responses.push_back({.status = 409, .description = std::string(kRunning)});
  }
  doc.responses.push_back(
      {.status = 422, .description = "This Idempotency-Key was used for a different request."});
  return doc;
}

const std::vector<http::ParamDoc>& page_params() {
  static const std::vector<http::ParamDoc> params = {
      {.name = "limit",
       .description = "Items per page.",
       .schema = R"({"type":"integer","minimum":1,"maximum":200,"default":50})"},
      {.name = "cursor", .description = "`next_cursor` of the previous page."}};
  return params;
}

std::string strong_etag(std::int64_t version) {
  std::string tag(1, '"');
  tag.append(std::to_string(version)).push_back('"');
  return tag;
}

core::Result<std::optional<std::int64_t>> if_match_version(const http::RequestContext& context,
                                                           std::string_view what) {
  auto header = context.request.headers.get("If-Match");
  if (!header || *header == "*") return std::optional<std::int64_t>();
  std::string_view value = *header;
  std::int64_t version = 0;
  bool valid = value.size() >= 3 && value.front() == '"' && value.back() == '"';
  if (valid) {
    std::string_view digits = value.substr(1, value.size() - 2);
    auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), version);
    valid = error == std::errc() && end == digits.data() + digits.size() && version > 0;
  }
  if (!valid) {
    core::Error error = core::Error::invalid("must be the ETag of the " + std::string(what) +
                                             " as returned by the API, like \"3\"");
    error.header = "If-Match";
    return error;
  }
  return std::optional<std::int64_t>(version);
}

}  // namespace aic::api::v1
