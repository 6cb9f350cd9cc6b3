// Maps (method, path) to a route declared with a path template such as
// "/v1/things/{id}". Literal segments win over parameters when both match. Templates of the
// same shape ("/a/{id}" and "/a/{key}") are one path; registering a method twice on it is an
// error. Paths have at most Router::kMaxSegments segments.
//
// Unmatched requests carry enough for a correct answer: 404 when no template matches the
// path, 405 with `Allow` when one does but not for this method. HEAD is answered by a GET
// route when no HEAD route exists, and OPTIONS by the pipeline from `allow`.
//
// Threading: add() during start-up only; match() is then safe from any thread.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "http/context.hpp"
#include "http/message.hpp"

namespace aic::http {

using Handler = std::function<boost::asio::awaitable<Response>(RequestContext&)>;

// The permission of a route anyone may call without a credential.
inline constexpr std::string_view kPublic = "public";

// A query parameter or header the handler reads, or a header it sends.
struct ParamDoc {
  std::string name;
  std::string description;
  std::string schema = R"({"type":"string"})";  // component name or JSON Schema text
  bool required = false;                        // for a response header: always sent
};

// One answer of a route, for the API description (api/openapi.hpp).
struct ResponseDoc {
  int status = 200;
  std::string description;
  // The body's JSON Schema: a component name ("ApiKey"), schema text ("{\"type\":\"string\"}")
  // or empty. Empty on an error status (>= 400) means the shared Problem schema, else no body.
  std::string schema;
  // Empty: application/json, or application/problem+json on an error status. For JSON Lines
  // (application/jsonl) `schema` describes one line.
  std::string media_type;
  std::vector<ParamDoc> headers;  // response headers worth naming (ETag, …)
};

struct RouteOptions {
  std::optional<std::size_t> max_body_bytes;  // overrides server.max_body_bytes
  // What the caller must hold ("api_keys:manage"), or kPublic. Enforced by the authorization
  // filter; the composition root refuses to start with a route that declares none.
  std::string permission;
  std::string summary;  // one line for the API description

  // The rest only describes the route in the OpenAPI document; none of it changes how a
  // request is handled. Errors the filters produce (401, 403, 429, 400/413/415 for a body, …)
  // are added by the generator; list here what the handler itself answers.
  std::string operation_id;            // unique, camelCase: "createApiKey"
  std::string request_schema;          // the body (as ResponseDoc::schema); empty: none
  std::string request_media_type;      // empty: application/json
  bool request_body_optional = false;  // an empty body is accepted too
  std::vector<ParamDoc> query;         // empty: the handler reads no query parameters
  std::vector<ParamDoc> headers;       // request headers it reads (If-Match, …)
  std::vector<ResponseDoc> responses;  // at least the success answer

  // Errors answered before the handler runs (the filters' 401, 403, 413, 429 …, a rejected
  // body) rewritten into the route's own error format, for clients that only read that format
  // (the AI gateway's OpenAI and Anthropic routes). Empty: problem+json as everywhere. The
  // API description then documents those answers with `error_schema` in `error_media_type`.
  std::function<void(Response&)> shape_error;
  std::string error_schema;
  std::string error_media_type;

  // The handler may wait long on something the client can abandon (a model provider): the
  // session watches the connection while it runs and tells it when the client leaves
  // (RequestContext::client_gone, on_client_gone). Off by default: the watch costs about a
  // thousand instructions per request, a tenth of a /healthz.
  bool watch_client = false;

  // The credential may also arrive as `x-api-key: <API key>` (for Anthropic's clients, which
  // send their key that way); `Authorization` wins when both are sent.
  bool api_key_header = false;
};

struct Route {
  Method method;
  std::string path_template;
  Handler handler;
  RouteOptions options;
  std::vector<std::string> segments;  // "{id}" for parameters
};

class Router {
 public:
  Router();
  ~Router();
  Router(Router&&) noexcept;
  Router& operator=(Router&&) noexcept;

  // Registers a route. Throws std::invalid_argument for a malformed template or a duplicate
  // (method, template) — both are programmer errors found at start-up.
  void add(Method method, std::string path_template, Handler handler, RouteOptions options = {});

  static constexpr std::size_t kMaxSegments = 32;

  struct Match {
    const Route* route = nullptr;
    std::vector<std::pair<std::string, std::string>> params;
    std::string_view allow;     // non-empty when the path matched some route; owned by the router
    bool bad_encoding = false;  // a parameter had invalid %-encoding
  };
  Match match(Method method, std::string_view path) const;

  // Every registered route, in registration order.
  std::vector<const Route*> routes() const;

 private:
  // A segment trie: literal children are tried before the parameter child, which makes
  // "a literal beats a parameter at the first difference" fall out of a depth-first search.
  struct Node;
  std::vector<std::unique_ptr<Route>> routes_;
  std::unique_ptr<Node> root_;
};

// Decodes %XX escapes. Returns nullopt for a truncated or non-hex escape or a decoded NUL.
std::optional<std::string> percent_decode(std::string_view text);

}  // namespace aic::http
