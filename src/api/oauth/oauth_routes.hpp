// The OAuth2 endpoints (outside /v1: their paths and formats are fixed by the RFCs):
//
//   POST /oauth/token              client credentials grant (RFC 6749 §4.4), form-encoded;
//                                  the client authenticates with HTTP Basic or with
//                                  client_id/client_secret in the body, never both
//   GET  /.well-known/jwks.json    the public keys that verify access tokens (RFC 7517)
//
// Token endpoint errors carry RFC 6749 §5.2's `error` and `error_description` inside an RFC
// 9457 problem document, so both OAuth2 client libraries and our own clients read them.
// Failed client authentications count against the client address's failure budget
// (failure_throttle.hpp); past it the endpoint answers 429 without checking the secret.
#pragma once

#include "api/auth/failure_throttle.hpp"
#include "core/worker_pool.hpp"
#include "http/router.hpp"
#include "identity/token_service.hpp"

namespace aic::api {

struct OAuthDependencies {
  identity::TokenService& tokens;
  core::WorkerPool& workers;
  FailureThrottle& failures;  // failed client authentications, shared with API credentials
};

// `dependencies` must outlive the router.
void add_oauth_routes(http::Router& router, const OAuthDependencies& dependencies);

}  // namespace aic::api
