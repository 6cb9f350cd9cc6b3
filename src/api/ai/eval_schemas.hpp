// The JSON Schemas of the evaluation routes' bodies (api/ai/eval_routes.hpp), as OpenAPI
// components. Closed: members the server does not read or write are not allowed.
#pragma once

#include <vector>

#include "api/openapi.hpp"

namespace aic::api::ai {

std::vector<NamedSchema> eval_schemas();

}  // namespace aic::api::ai
