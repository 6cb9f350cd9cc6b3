#include "api/auth/rate_limit_filter.hpp"

#include "http/problem.hpp"

namespace aic::api {
namespace {

constexpr std::chrono::seconds kMinute{60};

void append_decision(std::string& out, std::string_view policy,
                     const ratelimit::Decision& decision) {
  if (!out.empty()) out += ", ";
  out += ratelimit::rate_limit_header(policy, decision);
}

void append_policy(std::string& out, std::string_view policy, const ratelimit::Limit& limit) {
  if (!out.empty()) out += ", ";
  out += ratelimit::rate_limit_policy_header(policy, limit);
}

}  // namespace

ratelimit::Limit RateLimitFilter::plan_limit(const core::Principal& principal) const {
  std::int64_t per_minute = limits_.standard;
  if (principal.is_operator()) {
    per_minute = limits_.platform_operator;
  } else if (principal.plan == "free") {
    per_minute = limits_.free;
  } else if (principal.plan == "enterprise") {
    per_minute = limits_.enterprise;
  }
  return ratelimit::Limit{per_minute, kMinute};
}

std::optional<http::Response> RateLimitFilter::on_request(http::RequestContext& context) {
  if (context.rejection || !context.principal) return std::nullopt;
  const core::Principal& principal = *context.principal;
  const auto now = ratelimit::Clock::now();

  std::string policy_header;
  std::string state_header;
  std::optional<ratelimit::Decision> denied;

  // The key's own limit first: a key over its limit should not spend the tenant's budget.
  if (principal.rate_limit_per_minute > 0) {
    ratelimit::Limit limit{principal.rate_limit_per_minute, kMinute};
    std::string bucket = "key:" + principal.credential_id;
    ratelimit::Decision decision = limiter_.acquire(bucket, limit, now);
    append_policy(policy_header, "key", limit);
    append_decision(state_header, "key", decision);
    if (!decision.allowed) denied = decision;
  }
  if (!denied) {
    ratelimit::Limit limit = plan_limit(principal);
    std::string bucket = principal.is_operator() ? "operator" : "tenant:" + principal.tenant_id;
    ratelimit::Decision decision = limiter_.acquire(bucket, limit, now);
    // The tenant policy is listed first: it is the one every key of the tenant shares.
    std::string policy = ratelimit::rate_limit_policy_header("tenant", limit);
    if (!policy_header.empty()) policy += ", " + policy_header;
    policy_header = std::move(policy);
    std::string state = ratelimit::rate_limit_header("tenant", decision);
    if (!state_header.empty()) state += ", " + state_header;
    state_header = std::move(state);
    if (!decision.allowed) denied = decision;
  }
  context.response_headers.set("RateLimit-Policy", policy_header);
  context.response_headers.set("RateLimit", state_header);
  if (!denied) return std::nullopt;

  context.response_headers.set("Retry-After", std::to_string(denied->retry_after.count()));
  return http::problem_response(
      core::Error::make(core::ErrorCode::kQuotaExceeded,
                        "rate limit of " + std::to_string(denied->limit) +
                            " requests per minute reached; retry in " +
                            std::to_string(denied->retry_after.count()) + " s"),
      context.request_id);
}

}  // namespace aic::api
