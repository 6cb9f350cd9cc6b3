// Authentication and authorization, as two filters behind the standard ones:
//
//   AuthenticationFilter  a `Authorization: Bearer <API key or access token>` header →
//                         context.principal (API keys from the credential cache or the
//                         database, JWT access tokens verified against the signing keys);
//                         a malformed, unknown, revoked, forged or expired credential → 401
//                         with WWW-Authenticate. An address with too many recent
//                         failures gets 429 instead of a lookup (failure_throttle.hpp).
//   AuthorizationFilter   the route's declared permission: public, or the principal must hold
//                         it (no principal → 401, missing permission → 403).
//
// Failed authentication (a credential was presented and did not check out) and denied
// permissions are security events: both filters hand them to the audit log's asynchronous
// writer, so the I/O thread never waits for the database to write them.
//
// Default deny: check_route_permissions() refuses a router with a route that declares no
// permission, and the composition root calls it before serving.
#pragma once

#include "api/auth/failure_throttle.hpp"
#include "audit/async_writer.hpp"
#include "core/config.hpp"
#include "core/worker_pool.hpp"
#include "http/pipeline.hpp"
#include "identity/identity_store.hpp"
#include "identity/token_service.hpp"
#include "ratelimit/rate_limiter.hpp"

namespace aic::api {

class AuthenticationFilter final : public http::Filter {
 public:
  AuthenticationFilter(identity::IdentityStore& identities, identity::TokenService& tokens,
                       core::WorkerPool& workers, audit::AsyncWriter& security_events,
                       FailureThrottle& failures)
      : identities_(identities),
        tokens_(tokens),
        workers_(workers),
        security_events_(security_events),
        failures_(failures) {}

  // Only requests that carry a credential for a protected route, and whose credential was
  // not verified recently (identity::CredentialCache), wait for the database.
  bool suspends(const http::RequestContext& context) const override;
  std::optional<http::Response> on_request(http::RequestContext& context) override;
  boost::asio::awaitable<std::optional<http::Response>> on_request_async(
      http::RequestContext& context) override;

 private:
  // Records and answers a failure, or sets the principal.
  std::optional<http::Response> finish(http::RequestContext& context, std::string_view token,
                                       core::Result<core::SharedPrincipal> principal);

  identity::IdentityStore& identities_;
  identity::TokenService& tokens_;
  core::WorkerPool& workers_;
  audit::AsyncWriter& security_events_;
  FailureThrottle& failures_;
};

class AuthorizationFilter final : public http::Filter {
 public:
  explicit AuthorizationFilter(audit::AsyncWriter& security_events)
      : security_events_(security_events) {}
  std::optional<http::Response> on_request(http::RequestContext& context) override;

 private:
  audit::AsyncWriter& security_events_;
};

// A 401 problem with the WWW-Authenticate challenge (RFC 6750 §3).
http::Response unauthenticated(const core::Error& error, const http::RequestContext& context,
                               bool credential_presented);

struct AccessControl {
  identity::IdentityStore& identities;
  identity::TokenService& tokens;
  core::WorkerPool& workers;
  audit::AsyncWriter& security_events;
  ratelimit::RateLimiter& limiter;
  const core::RateLimitConfig& limits;
  FailureThrottle& failures;  // shared with the token endpoint
};

// `filters` (the standard chain) followed by authentication, rate limits and authorization.
std::vector<std::unique_ptr<http::Filter>> with_access_control(
    std::vector<std::unique_ptr<http::Filter>> filters, const AccessControl& access);

// kInternal naming the first route without a declared permission.
core::Status check_route_permissions(const http::Router& router);

}  // namespace aic::api
