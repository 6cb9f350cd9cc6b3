// The OpenAPI 3.1 description of a router's routes, generated from what each route declares
// in http::RouteOptions, so the document can neither list a route that does not exist nor
// miss one that does.
//
// Besides what the route declares, every operation gets what follows from facts the
// generator can see (a route's own ResponseDoc for the same status wins):
//   path parameters   from the template ("{key_id}"): required strings
//   x-aic-permission  the declared permission, or "public"
//   security          a bearer credential (API key or access token); none on public routes
//   401, 403, 429     on protected routes (authentication, authorization, rate limits)
//   400, 413, 415     on routes with a request body; 400 on routes with query or header
//                     parameters
//   404               on routes with a path parameter
//   500, 503          on every route (a bug; overloaded, deadline exceeded or shutting down)
// Every error is an application/problem+json `Problem` (http/problem.hpp); the shared ones
// are components/responses. Protocol-level answers that are not about an operation (404 for
// an unknown path, 405, 408, 431) are described in info.description.
// A status a route describes more than once is one answer in several media types
// (application/json, or text/event-stream when the request asks for a stream): each later
// description adds its content and its description, never headers.
//
// Threading: a pure function of its arguments.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "http/router.hpp"

namespace aic::api {

// components/schemas/<name>: JSON Schema (2020-12) text. References to other components are
// written "#/components/schemas/<name>".
struct NamedSchema {
  std::string name;
  std::string schema;
};

// A group of operations: those whose path is one of `paths` or below one of them.
struct TagDoc {
  std::string name;
  std::string description;
  std::vector<std::string> paths;  // "/v1/api-keys" covers "/v1/api-keys/{key_id}" too
};

struct ApiInfo {
  std::string title;
  std::string version;
  std::string description;           // CommonMark
  std::vector<TagDoc> tags;          // in display order; a route no tag covers is tagged "other"
  std::vector<NamedSchema> schemas;  // must include "Problem"
};

// The document as JSON text (members in a fixed order, so equal inputs give equal bytes).
// Throws std::invalid_argument, a programmer error the tests find, when schema text is not a
// JSON object, a reference names a missing component, two routes share an operation id, or a
// status described again repeats a media type, adds headers or has no body.
std::string openapi_document(const http::Router& router, const ApiInfo& info);

// "#/components/schemas/<name>", for schema text that refers to a component.
std::string schema_ref(std::string_view name);

}  // namespace aic::api
