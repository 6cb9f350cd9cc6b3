// GET /v1/version: {"version", "commit", "build_time"} of this binary.
#pragma once

#include "http/router.hpp"

namespace aic::api::v1 {

void add_version_routes(http::Router& router);

}  // namespace aic::api::v1
