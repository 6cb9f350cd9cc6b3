// The one place where a core::Error becomes an HTTP answer: an RFC 9457
// `application/problem+json` document with a stable `type` URI per error code
// (`urn:aic:problem:<code name>`, catalogued in docs/api/problems.md), the matching status,
// a title, the detail, the request id, and the field/header/position at fault when known.
#pragma once

#include <string_view>

#include "core/result.hpp"
#include "http/message.hpp"

namespace aic::http {

// HTTP status for an error code (kInvalidArgument → 400, kNotFound → 404, …).
int status_for(core::ErrorCode code);

// A complete problem+json response. `request_id` may be empty.
Response problem_response(const core::Error& error, std::string_view request_id);

inline constexpr std::string_view kProblemContentType = "application/problem+json";

}  // namespace aic::http
