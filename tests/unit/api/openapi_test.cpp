#include "api/openapi.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <iterator>
#include <stdexcept>

#include "api/docs/docs_page.hpp"
#include "api/docs/docs_routes.hpp"
#include "api/v1/schemas.hpp"

namespace aic::api {
namespace {

namespace json = boost::json;
using http::Method;

http::Handler ok() {
  return [](http::RequestContext&) -> boost::asio::awaitable<http::Response> {
    co_return http::Response::empty(200);
  };
}

ApiInfo test_info() {
  ApiInfo info;
  info.title = "Test API";
  info.version = "1.2.3";
  info.tags = {{"things", "Things.", {"/v1/things"}}, {"ops", "Operations.", {"/healthz"}}};
  info.schemas = {{"Problem", R"({"type":"object"})"},
                  {"Thing", R"({"type":"object","properties":{"id":{"type":"string"}}})"},
                  {"NewThing", R"({"type":"object"})"}};
  return info;
}

json::object document_of(const http::Router& router, const ApiInfo& info = test_info()) {
  return json::parse(openapi_document(router, info)).as_object();
}

std::vector<std::string> statuses(const json::value& operation) {
  std::vector<std::string> out;
  for (const auto& [status, response] : operation.at("responses").as_object()) {
    out.emplace_back(status);
  }
  return out;
}

http::Router sample_router() {
  http::Router router;
  router.add(Method::kGet, "/healthz", ok(),
             {.permission = std::string(http::kPublic),
              .summary = "Alive.",
              .operation_id = "checkLiveness",
              .responses = {{.status = 200, .description = "Yes.", .schema = "Thing"}}});
  router.add(Method::kPost, "/v1/things/{thing_id}/parts", ok(),
             {.permission = "things:write",
              .summary = "Add a part.",
              .operation_id = "addPart",
              .request_schema = "NewThing",
              .responses = {{.status = 201, .description = "Added.", .schema = "Thing"},
                            {.status = 409, .description = "Already there."}}});
  router.add(Method::kGet, "/v1/things", ok(),
             {.permission = "things:read",
              .summary = "List things.",
              .operation_id = "listThings",
              .query = {{.name = "limit",
                         .description = "Page size.",
                         .schema = R"({"type":"integer","minimum":1})"}},
              .responses = {{.status = 200,
                             .description = "Lines.",
                             .schema = "Thing",
                             .media_type = "application/jsonl"}}});
  return router;
}

TEST(OpenApi, DocumentsEveryRouteWithItsPermission) {
  auto router = sample_router();
  auto document = document_of(router);
  EXPECT_EQ(document["openapi"], "3.1.0");
  EXPECT_EQ(document["info"].at("title"), "Test API");
  EXPECT_EQ(document["info"].at("version"), "1.2.3");
  const auto& paths = document["paths"].as_object();
  EXPECT_EQ(paths.size(), 3u);

  const auto& health = paths.at("/healthz").at("get");
  EXPECT_EQ(health.at("x-aic-permission"), "public");
  EXPECT_TRUE(health.at("security").as_array().empty());
  EXPECT_EQ(health.at("operationId"), "checkLiveness");
  EXPECT_EQ(health.at("tags").as_array().at(0), "ops");

  const auto& add = paths.at("/v1/things/{thing_id}/parts").at("post");
  EXPECT_EQ(add.at("x-aic-permission"), "things:write");
  EXPECT_EQ(add.at("security"), json::parse(R"([{"bearer":[]}])"));
  EXPECT_EQ(add.at("tags").as_array().at(0), "things");
  EXPECT_EQ(add.at("parameters"), json::parse(R"([{"name":"thing_id","in":"path","required":true,)"
                                              R"("schema":{"type":"string"}}])"));
  EXPECT_EQ(add.at("requestBody"),
            json::parse(R"({"required":true,"content":{"application/json":)"
                        R"({"schema":{"$ref":"#/components/schemas/NewThing"}}}})"));
}

TEST(OpenApi, AddsTheErrorsThatFollowFromTheRoute) {
  auto router = sample_router();
  auto document = document_of(router);
  const auto& paths = document["paths"].as_object();

  // Public, no body, no parameters: only what any route may answer.
  EXPECT_EQ(statuses(paths.at("/healthz").at("get")),
            (std::vector<std::string>{"200", "500", "503"}));
  // Protected, body, path parameter; the route's own 409 kept.
  const auto& add = paths.at("/v1/things/{thing_id}/parts").at("post");
  EXPECT_EQ(statuses(add), (std::vector<std::string>{"201", "400", "401", "403", "404", "409",
                                                     "413", "415", "429", "500", "503"}));
  EXPECT_EQ(add.at("responses").at("401"),
            json::parse(R"({"$ref":"#/components/responses/Unauthenticated"})"));
  EXPECT_EQ(add.at("responses").at("409"),
            json::parse(R"({"description":"Already there.","content":{"application/problem+json":)"
                        R"({"schema":{"$ref":"#/components/schemas/Problem"}}}})"));
  // Query parameters can be wrong too.
  EXPECT_EQ(statuses(paths.at("/v1/things").at("get")),
            (std::vector<std::string>{"200", "400", "401", "403", "429", "500", "503"}));

  // Only the shared responses in use are components; each is a Problem.
  const auto& responses = document["components"].at("responses").as_object();
  EXPECT_EQ(responses.size(), 9u);
  EXPECT_TRUE(
      responses.at("Unauthenticated").at("headers").as_object().contains("WWW-Authenticate"));
  EXPECT_EQ(responses.at("QuotaExceeded").at("content").at("application/problem+json"),
            json::parse(R"({"schema":{"$ref":"#/components/schemas/Problem"}})"));
}

TEST(OpenApi, AcceptsParametersLineSchemasAndOptionalBodies) {
  auto router = sample_router();
  router.add(Method::kPost, "/v1/things/{thing_id}/touch", ok(),
             {.permission = "things:write",
              .operation_id = "touchThing",
              .request_schema = R"({"type":"object"})",
              .request_body_optional = true,
              .headers = {{.name = "If-Match", .description = "The version.", .required = true}},
              .responses = {{.status = 204,
                             .description = "Touched.",
                             .headers = {{.name = "ETag", .required = true}}}}});
  auto document = document_of(router);
  const auto& list = document["paths"].at("/v1/things").at("get");
  EXPECT_EQ(list.at("parameters"),
            json::parse(R"([{"name":"limit","in":"query","description":"Page size.",)"
                        R"("required":false,"schema":{"type":"integer","minimum":1}}])"));
  const auto& lines = list.at("responses").at("200").at("content").at("application/jsonl");
  EXPECT_EQ(lines.at("x-aic-item-schema"), json::parse(R"({"$ref":"#/components/schemas/Thing"})"));
  EXPECT_EQ(lines.at("schema").at("type"), "string");

  const auto& touch = document["paths"].at("/v1/things/{thing_id}/touch").at("post");
  EXPECT_EQ(touch.at("requestBody").at("required"), false);
  EXPECT_FALSE(touch.at("responses").at("204").as_object().contains("content"));
  EXPECT_EQ(touch.at("parameters").at(1),
            json::parse(R"({"name":"If-Match","in":"header","description":"The version.",)"
                        R"("required":true,"schema":{"type":"string"}})"));
  EXPECT_EQ(touch.at("responses").at("204").at("headers"),
            json::parse(R"({"ETag":{"required":true,"schema":{"type":"string"}}})"));
}

TEST(OpenApi, DescribesAStatusInSeveralMediaTypes) {
  auto router = sample_router();
  router.add(Method::kPost, "/v1/things/{thing_id}/ask", ok(),
             {.permission = "things:write",
              .operation_id = "askThing",
              .request_schema = "NewThing",
              .responses = {{.status = 200,
                             .description = "The answer.",
                             .schema = "Thing",
                             .headers = {{.name = "aic-route", .required = true}}},
                            {.status = 200,
                             .description = "Streamed on request.",
                             .schema = R"({"type":"string","description":"Events."})",
                             .media_type = "text/event-stream"}}});
  auto document = document_of(router);
  const auto& ask = document["paths"].at("/v1/things/{thing_id}/ask").at("post");
  EXPECT_EQ(ask.at("responses").at("200"),
            json::parse(R"({"description":"The answer. Streamed on request.",)"
                        R"("headers":{"aic-route":{"required":true,"schema":{"type":"string"}}},)"
                        R"("content":{"application/json":)"
                        R"({"schema":{"$ref":"#/components/schemas/Thing"}},)"
                        R"("text/event-stream":)"
                        R"({"schema":{"type":"string","description":"Events."}}}})"));
  // The content keeps the order the route declared, so the bytes stay the same.
  const auto& content = ask.at("responses").at("200").at("content").as_object();
  EXPECT_EQ(content.begin()->key(), "application/json");
  EXPECT_EQ(std::next(content.begin())->key(), "text/event-stream");
}

TEST(OpenApi, UndocumentedRoutesStillProduceAValidOperation) {
  http::Router router;
  router.add(Method::kGet, "/v1/things/{thing_id}", ok(), {.permission = "things:read"});
  router.add(Method::kDelete, "/v2/other", ok(), {.permission = std::string(http::kPublic)});
  auto document = document_of(router);
  const auto& thing = document["paths"].at("/v1/things/{thing_id}").at("get");
  EXPECT_EQ(thing.at("operationId"), "getV1ThingsByThingId");
  EXPECT_EQ(thing.at("responses").at("200"), json::parse(R"({"description":"OK"})"));
  const auto& other = document["paths"].at("/v2/other").at("delete");
  EXPECT_EQ(other.at("tags").as_array().at(0), "other");
  EXPECT_EQ(document["tags"].as_array().back().at("name"), "other");
}

TEST(OpenApi, RefusesBrokenDocumentation) {
  auto with = [](http::RouteOptions options) {
    http::Router router;
    options.permission = "things:read";
    router.add(Method::kGet, "/v1/things", ok(), std::move(options));
    return router;
  };
  EXPECT_THROW(
      openapi_document(with({.responses = {{.status = 200, .schema = "Nope"}}}), test_info()),
      std::invalid_argument);
  EXPECT_THROW(
      openapi_document(with({.responses = {{.status = 200, .schema = "{not json"}}}), test_info()),
      std::invalid_argument);
  EXPECT_THROW(openapi_document(with({.query = {{.name = "q", .schema = R"({"$ref":"#/x"})"}}}),
                                test_info()),
               std::invalid_argument);
  EXPECT_THROW(openapi_document(with({.responses = {{.status = 42}}}), test_info()),
               std::invalid_argument);
  // A status described again: a new media type only, without headers, with a body.
  EXPECT_THROW(openapi_document(with({.responses = {{.status = 200, .schema = "Thing"},
                                                    {.status = 200, .schema = "NewThing"}}}),
                                test_info()),
               std::invalid_argument);
  EXPECT_THROW(openapi_document(with({.responses = {{.status = 200, .schema = "Thing"},
                                                    {.status = 200,
                                                     .schema = R"({"type":"string"})",
                                                     .media_type = "text/event-stream",
                                                     .headers = {{.name = "ETag"}}}}}),
                                test_info()),
               std::invalid_argument);
  EXPECT_THROW(openapi_document(with({.responses = {{.status = 200, .schema = "Thing"},
                                                    {.status = 200, .description = "Again."}}}),
                                test_info()),
               std::invalid_argument);

  http::Router twice;
  twice.add(Method::kGet, "/a", ok(), {.permission = "x", .operation_id = "same"});
  twice.add(Method::kGet, "/b", ok(), {.permission = "x", .operation_id = "same"});
  EXPECT_THROW(openapi_document(twice, test_info()), std::invalid_argument);

  ApiInfo no_problem = test_info();
  no_problem.schemas.erase(no_problem.schemas.begin());
  EXPECT_THROW(openapi_document(sample_router(), no_problem), std::invalid_argument);
  ApiInfo dangling = test_info();
  dangling.schemas.push_back({"Bad", R"({"items":{"$ref":"#/components/schemas/Missing"}})"});
  EXPECT_THROW(openapi_document(sample_router(), dangling), std::invalid_argument);
}

TEST(OpenApi, SameRoutesSameBytes) {
  EXPECT_EQ(openapi_document(sample_router(), test_info()),
            openapi_document(sample_router(), test_info()));
}

TEST(Schemas, EveryComponentIsAJsonSchemaObjectAndResponsesAreClosed) {
  auto schemas = v1::component_schemas();
  ASSERT_FALSE(schemas.empty());
  for (const auto& schema : schemas) {
    auto value = json::parse(schema.schema);
    ASSERT_TRUE(value.is_object()) << schema.name;
    const auto& object = value.as_object();
    EXPECT_EQ(object.at("type"), "object") << schema.name;
    // Undocumented members must fail the contract test, so no schema leaves objects open.
    EXPECT_EQ(object.at("additionalProperties"), false) << schema.name;
  }
  // The generator resolves every reference between them.
  ApiInfo info = docs::api_info();
  EXPECT_NO_THROW(openapi_document(http::Router(), info));
}

TEST(Schemas, ApiKeyCreatedIsApiKeyPlusToken) {
  json::object api_key, created;
  for (const auto& schema : v1::component_schemas()) {
    if (schema.name == "ApiKey") api_key = json::parse(schema.schema).as_object();
    if (schema.name == "ApiKeyCreated") created = json::parse(schema.schema).as_object();
  }
  auto& properties = created["properties"].as_object();
  ASSERT_TRUE(properties.contains("token"));
  properties.erase("token");
  EXPECT_EQ(properties, api_key["properties"]);
}

TEST(DocsPage, ListsOperationsPermissionsAndSchemasEscaped) {
  auto router = sample_router();
  router.add(Method::kGet, "/v1/things/evil", ok(),
             {.permission = "things:read", .summary = "<script>alert(1)</script> & \"quotes\""});
  std::string page = docs::docs_page(openapi_document(router, test_info()));
  EXPECT_TRUE(page.starts_with("<!doctype html>"));
  for (auto expected : {"/v1/things/{thing_id}/parts", "things:write", "things:read",
                        "id=\"schema-Thing\"", "id=\"op-addPart\"", "application/jsonl", "409"}) {
    EXPECT_NE(page.find(expected), std::string::npos) << expected;
  }
  EXPECT_NE(page.find("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;"),
            std::string::npos);
  // Self-contained: nothing to load, nothing to run.
  for (auto forbidden : {"<script", "<link", "src=", "@import", "url("}) {
    EXPECT_EQ(page.find(forbidden), std::string::npos) << forbidden;
  }
}

TEST(DocsPage, RefusesWhatIsNotADocument) {
  EXPECT_THROW(docs::docs_page("[1,2]"), std::invalid_argument);
  EXPECT_THROW(docs::docs_page("{"), std::invalid_argument);
  EXPECT_EQ(docs::html_escape("<a href='x'>&</a>"), "&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;");
}

}  // namespace
}  // namespace aic::api
