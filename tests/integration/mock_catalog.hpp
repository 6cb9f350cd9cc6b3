// The AI catalogue the evaluation and financial-engine tests give the gateway: an OpenAI and
// an Anthropic provider account on the mock provider, a priced chat model on each and an
// embeddings model.
#pragma once

#include <string>

#include "mock_provider.hpp"

namespace aic::test {

inline std::string openai_and_anthropic_catalog(const MockProvider& mock) {
  const std::string base = mock.base_url();
  return R"({
    "providers": [
      {"name": "oa", "kind": "openai", "base_url": ")" +
         base + R"(/v1", "api_key": "sk-upstream"},
      {"name": "an", "kind": "anthropic", "base_url": ")" +
         base + R"(/v1", "api_key": "sk-ant"}
    ],
    "models": [
      {"name": "gpt-test", "provider": "oa", "upstream_model": "gpt-upstream",
       "input_price": 1.0, "output_price": 2.0},
      {"name": "claude-test", "provider": "an", "upstream_model": "claude-upstream"},
      {"name": "embed-test", "provider": "oa", "type": "embeddings"}
    ]
  })";
}

}  // namespace aic::test
