// A model provider's wire format: how a ChatRequest becomes the provider's HTTP request and
// how its answers (whole, streamed or failed) become ChatResponse, StreamEvents and
// UpstreamError. One implementation per format: OpenAI Chat Completions (also Azure OpenAI
// and every OpenAI-compatible server), Anthropic Messages, Google Gemini.
//
// Pure translation: no sockets. The gateway sends the OutboundRequest with its HTTP client
// and feeds the bytes back. Implementations are immutable and safe to share between threads;
// a ChatStreamDecoder belongs to one stream.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ai/chat.hpp"
#include "ai/embedding.hpp"
#include "core/result.hpp"

namespace aic::ai {

enum class ProviderKind { kOpenAi, kAzureOpenAi, kAnthropic, kGemini };
std::string_view to_string(ProviderKind kind);  // "openai", "azure-openai", "anthropic", "gemini"

// Where and how to reach one provider account.
struct ProviderEndpoint {
  std::string name;  // the operator's name for it, used in error messages ("openai-main")
  ProviderKind kind = ProviderKind::kOpenAi;
  std::string base_url;  // "https://api.example.com/v1" (no trailing slash)
  std::string api_key;   // empty for local servers that need none
  // Azure: api-version query parameter; Anthropic: anthropic-version header. Empty: the
  // translator's default.
  std::string api_version;
  std::vector<std::pair<std::string, std::string>> extra_headers;
  // The tenant that configured it through the API; "" for the operator's config file. A
  // tenant's providers are reached only through the gateway's address-restricted client.
  std::string owner;
};

struct OutboundRequest {
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;  // auth and content type included
  std::string body;
};

// Turns a provider's streamed answer (the raw bytes of its event stream, in pieces of any
// size) into StreamEvents.
class ChatStreamDecoder {
 public:
  virtual ~ChatStreamDecoder() = default;
  // Appends the events completed by `bytes` to `out`. An error (malformed event, or an error
  // event from the provider, reported as kUnavailable with the provider's message) ends the
  // stream.
  virtual core::Status feed(std::string_view bytes, std::vector<StreamEvent>& out) = 0;
  // The provider closed the stream. An error when it ended before its final event (a
  // truncated stream).
  virtual core::Status finish(std::vector<StreamEvent>& out) = 0;
};

class ProviderAdapter {
 public:
  virtual ~ProviderAdapter() = default;
  virtual ProviderKind kind() const = 0;

  // The HTTP request asking `endpoint` for `request` answered by `upstream_model` (the
  // provider's own model id), streamed when request.stream. kInvalidArgument naming the
  // request field when the provider cannot express something the request asks for.
  virtual core::Result<OutboundRequest> chat_request(const ChatRequest& request,
                                                     std::string_view upstream_model,
                                                     const ProviderEndpoint& endpoint) const = 0;
  // A 2xx non-streamed answer. kUnavailable when it is not what the format promises.
  virtual core::Result<ChatResponse> chat_response(std::string_view body) const = 0;
  virtual std::unique_ptr<ChatStreamDecoder> chat_stream() const = 0;
  // A non-2xx answer: the provider's message and type in the OpenAI vocabulary.
  virtual UpstreamError error(int status, std::string_view body) const = 0;

  // Embeddings; kInvalidArgument naming `model` for a provider without an embeddings API.
  virtual core::Result<OutboundRequest> embedding_request(
      const EmbeddingRequest& request, std::string_view upstream_model,
      const ProviderEndpoint& endpoint) const = 0;
  virtual core::Result<EmbeddingResponse> embedding_response(std::string_view body) const = 0;
};

// The adapter for `kind`; adapters are stateless singletons.
const ProviderAdapter& provider_adapter(ProviderKind kind);

}  // namespace aic::ai
