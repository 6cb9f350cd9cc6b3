// The JSON Schemas (2020-12) of the bodies the API sends and accepts, as the named components
// of the OpenAPI document (api/openapi.hpp). They mirror the handlers' JSON member for member:
// objects the server sends forbid other members (additionalProperties: false) and require
// every member they always carry, so the contract test (tests/contract) fails as soon as a
// handler and its schema disagree. Change both together.
//
//   Problem                         every error (http/problem.cpp)
//   Health, Readiness, Version      /healthz, /readyz, /v1/version
//   Tenant, TenantCreated           /v1/tenants
//   ApiKey, ApiKeyCreated, ApiKeyRotated   /v1/api-keys (only new keys carry the token)
//   User                            /v1/users
//   ServiceAccount, ServiceAccountCreated   /v1/service-accounts (only new ones carry the secret)
//   TokenRequest, AccessToken, OAuthProblem, JsonWebKeySet   /oauth/token, /.well-known/jwks.json
//   AuditEvent                      /v1/audit-events
//   WebhookEndpoint(Created), WebhookMessage, WebhookAttempt, WebhookReplay
//                                   /v1/webhook-endpoints
//   ListOf<Items>                   {"data": [...], "next_cursor": …}
//   Create…Request, RotateApiKeyRequest   request bodies
#pragma once

#include <vector>

#include "api/openapi.hpp"

namespace aic::api::v1 {

// Every component schema, in documentation order.
std::vector<NamedSchema> component_schemas();

}  // namespace aic::api::v1
