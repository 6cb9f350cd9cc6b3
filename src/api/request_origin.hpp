// The audit log's view of where a request came from.
#pragma once

#include "audit/audit_log.hpp"
#include "http/context.hpp"

namespace aic::api {

// Client address, User-Agent (at most 512 bytes of it) and request id.
audit::Origin origin_of(const http::RequestContext& context);

}  // namespace aic::api
