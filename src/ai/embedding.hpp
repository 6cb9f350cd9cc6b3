// Embedding requests and answers in the gateway's own model (see chat.hpp for why).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ai/chat.hpp"

namespace aic::ai {

struct EmbeddingRequest {
  std::string model;                // as the client named it
  std::vector<std::string> inputs;  // one vector per input, in order
  std::optional<std::int64_t> dimensions;
  std::string user;
  // The client wants vectors as base64 of little-endian float32 (OpenAI's
  // encoding_format "base64", the default of its SDKs) rather than JSON numbers.
  bool base64 = false;
};

struct EmbeddingResponse {
  std::string model;
  std::vector<std::vector<double>> vectors;  // vectors[i] embeds inputs[i]
  Usage usage;                               // input_tokens only
};

}  // namespace aic::ai
