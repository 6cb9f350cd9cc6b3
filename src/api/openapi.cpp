#include "api/openapi.hpp"

#include <boost/json.hpp>
#include <cctype>
#include <map>
#include <set>
#include <stdexcept>

#include "http/problem.hpp"

namespace aic::api {
namespace {

namespace json = boost::json;

constexpr std::string_view kSchemasPrefix = "#/components/schemas/";
constexpr std::string_view kResponsesPrefix = "#/components/responses/";
constexpr std::string_view kSecurityScheme = "bearer";
constexpr std::string_view kApiKeyHeaderScheme = "apiKeyHeader";
constexpr std::string_view kUntagged = "other";

// A response every operation of some kind shares: components/responses/<name>.
struct SharedResponse {
  int status;
  std::string_view name;
  std::string_view description;
  // Response headers as name → (description, always sent).
  std::vector<std::tuple<std::string_view, std::string_view, bool>> headers;
};

const std::vector<SharedResponse>& shared_responses() {
  static const std::vector<SharedResponse> responses = {
      {400,
       "BadRequest",
       "A body member or query parameter is missing, unknown or has a bad value; `field` names "
       "it (a JSON pointer such as `/name` for a body member).",
       {}},
      {401,
       "Unauthenticated",
       "No credential, or one that is malformed, unknown, revoked or expired.",
       {{"WWW-Authenticate", "The Bearer challenge (RFC 6750).", true}}},
      {403,
       "PermissionDenied",
       "The credential's role lacks the permission this operation requires "
       "(`x-aic-permission`).",
       {}},
      {404, "NotFound", "No such object, or one that belongs to another tenant.", {}},
      {413, "PayloadTooLarge", "The body is larger than this operation accepts.", {}},
      {415, "UnsupportedMediaType", "The body is not of the media type this operation reads.", {}},
      {429,
       "QuotaExceeded",
       "A rate limit or concurrency cap was reached; retry after `Retry-After` seconds.",
       {{"Retry-After", "Seconds until a retry can succeed.", true},
        {"RateLimit", "The remaining quota of each policy (draft-ietf-httpapi-ratelimit-headers).",
         false},
        {"RateLimit-Policy", "The policies that apply to this credential.", false}}},
      {500,
       "InternalError",
       "A bug on the server's side; quote `request_id` when reporting it.",
       {}},
      {503,
       "Unavailable",
       "The server is overloaded, could not finish within the request deadline, or a "
       "dependency (the database) is unavailable.",
       {{"Retry-After", "Seconds to wait before retrying (when overloaded or unavailable).",
         false}}},
  };
  return responses;
}

const SharedResponse& shared_response(int status) {
  for (const auto& response : shared_responses()) {
    if (response.status == status) return response;
  }
  throw std::logic_error("no shared response for status " + std::to_string(status));
}

// A shared error answer with its body in `schema` (a component) as `media_type` (empty:
// problem+json).
json::object shared_response_object(const SharedResponse& shared, std::string_view schema,
                                    std::string_view media_type) {
  json::object response{{"description", shared.description}};
  if (!shared.headers.empty()) {
    json::object headers;
    for (const auto& [name, description, always] : shared.headers) {
      headers[name] = json::object{
          {"description", description}, {"required", always}, {"schema", {{"type", "string"}}}};
    }
    response["headers"] = std::move(headers);
  }
  std::string type =
      media_type.empty() ? std::string(http::kProblemContentType) : std::string(media_type);
  response["content"] = json::object{{type, {{"schema", {{"$ref", schema_ref(schema)}}}}}};
  return response;
}

std::string route_name(const http::Route& route) {
  return std::string(http::method_name(route.method)) + " " + route.path_template;
}

bool is_parameter(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

// Schema text: a component name, or a JSON Schema object.
json::object schema_value(std::string_view text, const std::string& where) {
  if (text.empty() || text.front() != '{') return json::object{{"$ref", schema_ref(text)}};
  boost::system::error_code error;
  json::value value = json::parse(text, error);
  if (error || !value.is_object()) {
    throw std::invalid_argument(where + ": schema is not a JSON object: " + std::string(text));
  }
  return std::move(value.as_object());
}

// Throws unless every "$ref" in `value` names one of `schemas` (or a shared response, which
// only the generator writes).
void check_references(const json::value& value, const std::set<std::string, std::less<>>& schemas,
                      const std::string& where) {
  if (const auto* object = value.if_object()) {
    for (const auto& [key, member] : *object) {
      if (key == "$ref") {
        std::string_view target = member.is_string() ? std::string_view(member.get_string()) : "";
        if (target.starts_with(kResponsesPrefix)) continue;
        if (!target.starts_with(kSchemasPrefix) ||
            !schemas.contains(target.substr(kSchemasPrefix.size()))) {
          throw std::invalid_argument(
              where + ": reference to an unknown schema: " + json::serialize(member));
        }
      } else {
        check_references(member, schemas, where);
      }
    }
  } else if (const auto* array = value.if_array()) {
    for (const auto& item : *array) check_references(item, schemas, where);
  }
}

bool is_json_lines(std::string_view media_type) {
  return media_type == "application/jsonl" || media_type == "application/x-ndjson";
}

json::object response_object(const http::ResponseDoc& doc, const std::string& where) {
  bool error = doc.status >= 400;
  std::string description = doc.description;
  if (description.empty()) description = http::reason_phrase(doc.status);
  json::object out{{"description", description}};
  if (!doc.headers.empty()) {
    json::object headers;
    for (const auto& header : doc.headers) {
      json::object item;
      if (!header.description.empty()) item["description"] = header.description;
      item["required"] = header.required;
      item["schema"] = schema_value(header.schema, where + " " + header.name);
      headers[header.name] = std::move(item);
    }
    out["headers"] = std::move(headers);
  }
  std::string schema = doc.schema.empty() && error ? "Problem" : doc.schema;
  if (schema.empty()) return out;
  std::string media_type = doc.media_type;
  if (media_type.empty()) {
    media_type = error ? std::string(http::kProblemContentType) : "application/json";
  }
  json::object media;
  if (is_json_lines(media_type)) {
    // OpenAPI 3.1 has no item schema for line-delimited bodies (3.2 adds `itemSchema`).
    media["schema"] = {{"type", "string"},
                       {"description", "One JSON value per line, each as x-aic-item-schema."}};
    media["x-aic-item-schema"] = schema_value(schema, where);
  } else {
    media["schema"] = schema_value(schema, where);
  }
  out["content"] = json::object{{media_type, std::move(media)}};
  return out;
}

// Another ResponseDoc for a status `response` already describes: the same answer in another
// media type (JSON, or with `stream: true` an event stream). It adds its content and its
// description; the headers are the first description's.
void add_media_type(json::object& response, const http::ResponseDoc& doc,
                    const std::string& where) {
  std::string what = where + " " + std::to_string(doc.status);
  if (!doc.headers.empty()) {
    throw std::invalid_argument(what + ": headers belong to the status's first description");
  }
  json::object more = response_object(doc, where);
  json::object* content = more.if_contains("content") ? &more["content"].as_object() : nullptr;
  if (content == nullptr) throw std::invalid_argument(what + ": described twice without a body");
  json::value& into = response["content"];
  if (!into.is_object()) into = json::object();
  for (auto& [media_type, media] : *content) {
    if (into.as_object().contains(media_type)) {
      throw std::invalid_argument(what + ": " + std::string(media_type) + " described twice");
    }
    into.as_object()[media_type] = std::move(media);
  }
  if (!doc.description.empty()) {
    response["description"] =
        std::string(response["description"].as_string()) + " " + doc.description;
  }
}

// "getV1ApiKeysByKeyId" for GET /v1/api-keys/{key_id}, when a route names no operation id.
std::string derived_operation_id(const http::Route& route) {
  std::string out;
  for (char c : http::method_name(route.method)) {
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  for (const auto& segment : route.segments) {
    std::string_view name = segment;
    if (is_parameter(name)) {
      out += "By";
      name = name.substr(1, name.size() - 2);
    }
    bool upper = true;
    for (char c : name) {
      if (!std::isalnum(static_cast<unsigned char>(c))) {
        upper = true;
        continue;
      }
      out += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
      upper = false;
    }
  }
  return out;
}

bool covers(std::string_view tag_path, std::string_view path_template) {
  return path_template == tag_path ||
         (path_template.starts_with(tag_path) && path_template.size() > tag_path.size() &&
          path_template[tag_path.size()] == '/');
}

// The tag whose path covers `path_template` most closely.
std::string tag_of(const ApiInfo& info, std::string_view path_template) {
  std::string_view best = kUntagged;
  std::size_t best_length = 0;
  for (const auto& tag : info.tags) {
    for (const auto& path : tag.paths) {
      if (covers(path, path_template) && path.size() >= best_length) {
        best = tag.name;
        best_length = path.size();
      }
    }
  }
  return std::string(best);
}

class Generator {
 public:
  explicit Generator(const ApiInfo& info) : info_(info) {
    for (const auto& schema : info.schemas) {
      if (!schema_names_.insert(schema.name).second) {
        throw std::invalid_argument("schema " + schema.name + " is declared twice");
      }
    }
    if (!schema_names_.contains("Problem")) {
      throw std::invalid_argument("the API's schemas must include Problem");
    }
  }

  std::string document(const http::Router& router) {
    json::object paths;
    for (const http::Route* route : router.routes()) {
      std::string method(http::method_name(route->method));
      if (route->method == http::Method::kOther) {
        throw std::invalid_argument(route_name(*route) + ": no OpenAPI method");
      }
      for (char& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      json::value& item = paths[route->path_template];
      if (item.is_null()) item = json::object();
      item.as_object()[method] = operation(*route);
    }

    json::object info{{"title", info_.title}, {"version", info_.version}};
    if (!info_.description.empty()) info["description"] = info_.description;
    json::object document{{"openapi", "3.1.0"}, {"info", std::move(info)}};
    document["servers"] = json::array{
        json::object{{"url", "/"}, {"description", "The server that serves this document."}}};
    document["tags"] = tags();
    document["paths"] = std::move(paths);
    document["components"] = components();
    return json::serialize(document);
  }

 private:
  json::object operation(const http::Route& route) {
    const http::RouteOptions& options = route.options;
    const std::string where = route_name(route);
    bool protects = !options.permission.empty() && options.permission != http::kPublic;

    std::string operation_id =
        options.operation_id.empty() ? derived_operation_id(route) : options.operation_id;
    if (!operation_ids_.insert(operation_id).second) {
      throw std::invalid_argument(where + ": operation id " + operation_id + " is used twice");
    }
    std::string tag = tag_of(info_, route.path_template);
    used_tags_.insert(tag);

    json::object out{{"operationId", operation_id}};
    if (!options.summary.empty()) out["summary"] = options.summary;
    out["tags"] = json::array{json::value(tag)};
    out["x-aic-permission"] = protects ? options.permission : std::string(http::kPublic);
    if (protects) {
      out["security"] = json::array{json::object{{kSecurityScheme, json::array()}}};
      if (options.api_key_header) {
        out["security"].as_array().push_back(json::object{{kApiKeyHeaderScheme, json::array()}});
        uses_api_key_header_ = true;
      }
    } else {
      out["security"] = json::array();
    }

    json::array parameters;
    bool has_path_parameter = false;
    for (const auto& segment : route.segments) {
      if (!is_parameter(segment)) continue;
      has_path_parameter = true;
      parameters.push_back(json::object{{"name", segment.substr(1, segment.size() - 2)},
                                        {"in", "path"},
                                        {"required", true},
                                        {"schema", {{"type", "string"}}}});
    }
    for (auto [location, params] :
         {std::pair{"query", &options.query}, std::pair{"header", &options.headers}}) {
      for (const auto& param : *params) {
        json::object parameter{{"name", param.name}, {"in", location}};
        if (!param.description.empty()) parameter["description"] = param.description;
        parameter["required"] = param.required;
        parameter["schema"] = schema_value(param.schema, where + " " + param.name);
        parameters.push_back(std::move(parameter));
      }
    }
    if (!parameters.empty()) out["parameters"] = std::move(parameters);

    bool has_body = !options.request_schema.empty();
    if (has_body) {
      std::string media_type =
          options.request_media_type.empty() ? "application/json" : options.request_media_type;
      out["requestBody"] = json::object{
          {"required", !options.request_body_optional},
          {"content", {{media_type, {{"schema", schema_value(options.request_schema, where)}}}}}};
    }

    std::map<int, json::value> responses;
    for (const auto& doc : options.responses) {
      if (doc.status < 100 || doc.status > 599) {
        throw std::invalid_argument(where + ": bad status " + std::to_string(doc.status));
      }
      if (auto described = responses.find(doc.status); described != responses.end()) {
        add_media_type(described->second.as_object(), doc, where);
      } else {
        responses[doc.status] = response_object(doc, where);
      }
    }
    if (options.responses.empty()) responses[200] = json::object{{"description", "OK"}};
    std::vector<int> implied;
    if (has_body || !options.query.empty() || !options.headers.empty()) implied.push_back(400);
    if (protects) implied.insert(implied.end(), {401, 403, 429});
    if (has_path_parameter) implied.push_back(404);
    if (has_body) implied.insert(implied.end(), {413, 415});
    implied.insert(implied.end(), {500, 503});
    for (int status : implied) {
      if (responses.contains(status)) continue;
      const SharedResponse& shared = shared_response(status);
      if (!options.error_schema.empty()) {
        // The route answers these in its own error format (RouteOptions::shape_error).
        json::object response =
            shared_response_object(shared, options.error_schema, options.error_media_type);
        responses[status] = std::move(response);
        continue;
      }
      used_responses_.insert(shared.status);
      responses[status] =
          json::object{{"$ref", std::string(kResponsesPrefix) + std::string(shared.name)}};
    }
    json::object by_status;
    for (auto& [status, response] : responses) {
      by_status[std::to_string(status)] = std::move(response);
    }
    out["responses"] = std::move(by_status);
    check_references(out, schema_names_, where);
    return out;
  }

  json::array tags() const {
    json::array out;
    for (const auto& tag : info_.tags) {
      if (!used_tags_.contains(tag.name)) continue;
      json::object item{{"name", tag.name}};
      if (!tag.description.empty()) item["description"] = tag.description;
      out.push_back(std::move(item));
    }
    if (used_tags_.contains(kUntagged)) {
      out.push_back(json::object{{"name", kUntagged}, {"description", "Routes no tag covers."}});
    }
    return out;
  }

  json::object components() const {
    json::object schemas;
    for (const auto& schema : info_.schemas) {
      json::object value = schema_value(schema.schema, "schema " + schema.name);
      check_references(value, schema_names_, "schema " + schema.name);
      schemas[schema.name] = std::move(value);
    }
    json::object responses;
    for (const auto& shared : shared_responses()) {
      if (!used_responses_.contains(shared.status)) continue;
      responses[shared.name] = shared_response_object(shared, "Problem", "");
    }
    json::object security{{"type", "http"},
                          {"scheme", "bearer"},
                          {"description",
                           "`Authorization: Bearer <credential>`: an API key (`aic admin "
                           "bootstrap`, `aic admin create-tenant`, `POST /v1/api-keys`) or an "
                           "OAuth2 access token (`POST /oauth/token`)."}};
    json::object schemes{{kSecurityScheme, std::move(security)}};
    if (uses_api_key_header_) {
      schemes[kApiKeyHeaderScheme] = json::object{
          {"type", "apiKey"},
          {"in", "header"},
          {"name", "x-api-key"},
          {"description",
           "An API key in `x-api-key`, as Anthropic's clients send it (this route only)."}};
    }
    return json::object{{"schemas", std::move(schemas)},
                        {"responses", std::move(responses)},
                        {"securitySchemes", std::move(schemes)}};
  }

  const ApiInfo& info_;
  bool uses_api_key_header_ = false;
  std::set<std::string, std::less<>> schema_names_;
  std::set<std::string, std::less<>> operation_ids_;
  std::set<std::string, std::less<>> used_tags_;
  std::set<int> used_responses_;
};

}  // namespace

std::string schema_ref(std::string_view name) {
  return std::string(kSchemasPrefix) + std::string(name);
}

std::string openapi_document(const http::Router& router, const ApiInfo& info) {
  return Generator(info).document(router);
}

}  // namespace aic::api
