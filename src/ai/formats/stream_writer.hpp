// Writes a streamed answer in a client's wire format (OpenAI chunks, Anthropic events) from
// the gateway's StreamEvents. One writer per stream: it remembers what the format needs
// across events (the answer id, which content blocks are open).
#pragma once

#include <string>

#include "ai/chat.hpp"

namespace aic::ai {

class ChatStreamWriter {
 public:
  virtual ~ChatStreamWriter() = default;
  // Appends the event-stream bytes for `event` to `out` (possibly none).
  virtual void event(const StreamEvent& event, std::string& out) = 0;
  // The stream failed after it started: an error event in the format's shape.
  virtual void error(const UpstreamError& error, std::string& out) = 0;
  // The stream's last bytes after a complete answer ("data: [DONE]", message_stop).
  virtual void end(std::string& out) = 0;
};

}  // namespace aic::ai
