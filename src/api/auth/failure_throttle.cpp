#include "api/auth/failure_throttle.hpp"

#include "http/problem.hpp"

namespace aic::api {
namespace {

std::string bucket_of(const http::RequestContext& context) {
  return "auth-failures:" + context.request.remote_address;
}

}  // namespace

std::optional<http::Response> FailureThrottle::refuse(const http::RequestContext& context) {
  ratelimit::Decision decision = limiter_.peek(bucket_of(context), limit_, ratelimit::Clock::now());
  if (decision.allowed) return std::nullopt;
  core::Error error =
      core::Error::make(core::ErrorCode::kQuotaExceeded,
                        "too many failed authentications from this address; retry in " +
                            std::to_string(decision.retry_after.count()) + " s");
  error.header = "Authorization";
  http::Response response = http::problem_response(error, context.request_id);
  response.headers.set("Retry-After", std::to_string(decision.retry_after.count()));
  return response;
}

void FailureThrottle::record_failure(const http::RequestContext& context) {
  (void)limiter_.acquire(bucket_of(context), limit_, ratelimit::Clock::now());
}

}  // namespace aic::api
