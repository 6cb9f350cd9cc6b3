// Anthropic Messages: as a provider (the gateway calls /v1/messages) and as an ingress
// (Anthropic clients call the gateway's POST /v1/messages).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "ai/chat.hpp"
#include "ai/formats/stream_writer.hpp"
#include "ai/providers/provider.hpp"
#include "core/result.hpp"

namespace aic::ai {

const ProviderAdapter& anthropic_adapter();

// A Messages API request body → ChatRequest. kMalformedRequest for a body that is not JSON;
// kInvalidArgument naming the field ("messages[1].content[0].source.media_type") for
// anything invalid or not supported by the gateway.
core::Result<ChatRequest> parse_messages_request(std::string_view body);
// A complete answer as a Messages API response body.
std::string write_messages_response(const ChatResponse& response);
// A streamed answer as Messages API events (message_start … message_stop).
std::unique_ptr<ChatStreamWriter> messages_stream_writer();
// {"type":"error","error":{"type":…,"message":…}} with Anthropic's error type for `status`.
std::string write_messages_error(int status, std::string_view message);

}  // namespace aic::ai
