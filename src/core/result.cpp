#include "core/result.hpp"

namespace aic::core {

std::string_view error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return "invalid-argument";
    case ErrorCode::kMalformedRequest:
      return "malformed-request";
    case ErrorCode::kUnsupportedMediaType:
      return "unsupported-media-type";
    case ErrorCode::kNotFound:
      return "not-found";
    case ErrorCode::kMethodNotAllowed:
      return "method-not-allowed";
    case ErrorCode::kConflict:
      return "conflict";
    case ErrorCode::kPreconditionFailed:
      return "precondition-failed";
    case ErrorCode::kIdempotencyKeyReused:
      return "idempotency-key-reused";
    case ErrorCode::kUnauthenticated:
      return "unauthenticated";
    case ErrorCode::kPermissionDenied:
      return "permission-denied";
    case ErrorCode::kPayloadTooLarge:
      return "payload-too-large";
    case ErrorCode::kHeadersTooLarge:
      return "headers-too-large";
    case ErrorCode::kRequestTimeout:
      return "request-timeout";
    case ErrorCode::kQuotaExceeded:
      return "quota-exceeded";
    case ErrorCode::kDeadlineExceeded:
      return "deadline-exceeded";
    case ErrorCode::kOverloaded:
      return "overloaded";
    case ErrorCode::kUnavailable:
      return "unavailable";
    case ErrorCode::kInternal:
      return "internal";
  }
  return "internal";
}

}  // namespace aic::core
