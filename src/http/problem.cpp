#include "http/problem.hpp"

#include <boost/json.hpp>

#include "core/logging.hpp"

namespace aic::http {

int status_for(core::ErrorCode code) {
  using core::ErrorCode;
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return 400;
    case ErrorCode::kMalformedRequest:
      return 400;
    case ErrorCode::kUnsupportedMediaType:
      return 415;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kMethodNotAllowed:
      return 405;
    case ErrorCode::kConflict:
      return 409;
    case ErrorCode::kPreconditionFailed:
      return 412;
    case ErrorCode::kIdempotencyKeyReused:
      return 422;
    case ErrorCode::kUnauthenticated:
      return 401;
    case ErrorCode::kPermissionDenied:
      return 403;
    case ErrorCode::kPayloadTooLarge:
      return 413;
    case ErrorCode::kHeadersTooLarge:
      return 431;
    case ErrorCode::kRequestTimeout:
      return 408;
    case ErrorCode::kQuotaExceeded:
      return 429;
    case ErrorCode::kDeadlineExceeded:
      return 503;
    case ErrorCode::kOverloaded:
      return 503;
    case ErrorCode::kUnavailable:
      return 503;
    case ErrorCode::kInternal:
      return 500;
  }
  return 500;
}

namespace {

std::string_view title_for(core::ErrorCode code) {
  using core::ErrorCode;
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return "Invalid request";
    case ErrorCode::kMalformedRequest:
      return "Malformed HTTP request";
    case ErrorCode::kUnsupportedMediaType:
      return "Unsupported media type";
    case ErrorCode::kNotFound:
      return "Not found";
    case ErrorCode::kMethodNotAllowed:
      return "Method not allowed";
    case ErrorCode::kConflict:
      return "Conflict";
    case ErrorCode::kPreconditionFailed:
      return "Precondition failed";
    case ErrorCode::kIdempotencyKeyReused:
      return "Idempotency key reused";
    case ErrorCode::kUnauthenticated:
      return "Authentication required";
    case ErrorCode::kPermissionDenied:
      return "Permission denied";
    case ErrorCode::kPayloadTooLarge:
      return "Request body too large";
    case ErrorCode::kHeadersTooLarge:
      return "Request headers too large";
    case ErrorCode::kRequestTimeout:
      return "Request timeout";
    case ErrorCode::kQuotaExceeded:
      return "Quota exceeded";
    case ErrorCode::kDeadlineExceeded:
      return "Request deadline exceeded";
    case ErrorCode::kOverloaded:
      return "Server overloaded";
    case ErrorCode::kUnavailable:
      return "Service unavailable";
    case ErrorCode::kInternal:
      return "Internal server error";
  }
  return "Internal server error";
}

}  // namespace

Response problem_response(const core::Error& error, std::string_view request_id) {
  int status = status_for(error.code);
  boost::json::object body;
  body["type"] = "urn:aic:problem:" + std::string(core::error_code_name(error.code));
  body["title"] = title_for(error.code);
  body["status"] = status;
  if (error.code == core::ErrorCode::kInternal || error.code == core::ErrorCode::kUnavailable) {
    // These messages come from the database, OpenSSL or the operating system and may name
    // hosts, paths or queries: the operator's log gets them, the client the request id.
    core::log_error("request " + std::string(request_id) + " failed: " + error.message);
    body["detail"] = error.code == core::ErrorCode::kInternal
                         ? "The server failed to carry out the request; the operator's log has "
                           "the cause under this request_id."
                         : "A service the server depends on is unavailable; retry shortly. The "
                           "operator's log has the cause under this request_id.";
  } else {
    body["detail"] = error.message;
  }
  if (!request_id.empty()) body["request_id"] = request_id;
  if (!error.field.empty()) body["field"] = error.field;
  if (!error.header.empty()) body["header"] = error.header;
  if (error.line) body["line"] = *error.line;
  if (error.column) body["column"] = *error.column;
  Response response = Response::make(status, boost::json::serialize(body), kProblemContentType);
  if (error.code == core::ErrorCode::kOverloaded || error.code == core::ErrorCode::kUnavailable) {
    response.headers.add("Retry-After", "1");
  }
  return response;
}

}  // namespace aic::http
