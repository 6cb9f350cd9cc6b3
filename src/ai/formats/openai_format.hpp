// OpenAI Chat Completions and Embeddings: as a provider (OpenAI, Azure OpenAI and every
// OpenAI-compatible server) and as the gateway's main ingress (POST /v1/chat/completions,
// POST /v1/embeddings).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "ai/chat.hpp"
#include "ai/embedding.hpp"
#include "ai/formats/stream_writer.hpp"
#include "ai/providers/provider.hpp"
#include "core/result.hpp"

namespace aic::ai {

const ProviderAdapter& openai_adapter();
// Azure OpenAI: {base_url}/openai/deployments/{model}/chat/completions?api-version=…, the key
// in an `api-key` header.
const ProviderAdapter& azure_openai_adapter();

// A Chat Completions request body → ChatRequest. kMalformedRequest for a body that is not
// JSON; kInvalidArgument naming the field ("messages[2].tool_calls[0].function.name").
core::Result<ChatRequest> parse_chat_request(std::string_view body);
std::string write_chat_response(const ChatResponse& response);
// The request in one canonical text, whatever format it came in and whether it streams: the
// response cache's key. Equal for requests that ask for the same answer.
core::Result<std::string> canonical_chat_request(const ChatRequest& request);
// Chunks ("data: {…}\n\n") ending in "data: [DONE]"; with include_usage a last chunk with
// empty choices carries the usage. `created` (Unix seconds) is stamped on every chunk.
std::unique_ptr<ChatStreamWriter> chat_stream_writer(bool include_usage, std::int64_t created);

core::Result<EmbeddingRequest> parse_embedding_request(std::string_view body);
std::string write_embedding_response(const EmbeddingResponse& response, bool base64);

// OpenAI's error type for an HTTP status ("rate_limit_error" for 429, …).
std::string_view openai_error_type(int status);
// {"message","type","param","code"}: OpenAI's error object (empty param/code are null).
std::string openai_error_object(std::string_view message, std::string_view type,
                                std::string_view param, std::string_view code);
// {"error":{"message","type","param","code"}}.
std::string write_openai_error(std::string_view message, std::string_view type,
                               std::string_view param, std::string_view code);

}  // namespace aic::ai
