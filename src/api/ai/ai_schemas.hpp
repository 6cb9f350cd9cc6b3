// The JSON Schemas of the AI gateway's bodies, as OpenAPI components. The request and answer
// shapes are OpenAI's and Anthropic's (their SDKs are the clients); the schemas describe the
// members the gateway reads and writes.
#pragma once

#include <vector>

#include "api/openapi.hpp"

namespace aic::api::ai {

std::vector<NamedSchema> ai_schemas();

}  // namespace aic::api::ai
