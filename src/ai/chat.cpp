#include "ai/chat.hpp"

namespace aic::ai {

std::string_view to_string(Role role) {
  switch (role) {
    case Role::kSystem:
      return "system";
    case Role::kUser:
      return "user";
    case Role::kAssistant:
      return "assistant";
    case Role::kTool:
      return "tool";
  }
  return "user";
}

std::string_view to_string(FinishReason reason) {
  switch (reason) {
    case FinishReason::kStop:
      return "stop";
    case FinishReason::kLength:
      return "length";
    case FinishReason::kToolCalls:
      return "tool_calls";
    case FinishReason::kContentFilter:
      return "content_filter";
  }
  return "stop";
}

std::string Message::text() const {
  if (content.size() == 1 && content.front().kind == ContentPart::Kind::kText) {
    return content.front().text;
  }
  std::string joined;
  for (const auto& part : content) {
    if (part.kind == ContentPart::Kind::kText) joined += part.text;
  }
  return joined;
}

void StreamAccumulator::add(const StreamEvent& event) {
  switch (event.kind) {
    case StreamEvent::Kind::kStart:
      response_.id = event.id;
      response_.model = event.name;
      break;
    case StreamEvent::Kind::kTextDelta:
      response_.text += event.text;
      break;
    case StreamEvent::Kind::kRefusalDelta:
      response_.refusal += event.text;
      break;
    case StreamEvent::Kind::kToolCallStart:
    case StreamEvent::Kind::kToolCallDelta: {
      // Calls are identified by index; a provider may send the pieces of calls interleaved.
      ToolCall* call = nullptr;
      for (auto& existing : call_index_) {
        if (existing.first == event.index) call = &response_.tool_calls[existing.second];
      }
      if (call == nullptr) {
        call_index_.emplace_back(event.index, response_.tool_calls.size());
        call = &response_.tool_calls.emplace_back();
      }
      if (event.kind == StreamEvent::Kind::kToolCallStart) {
        call->id = event.id;
        call->name = event.name;
      }
      call->arguments += event.text;
      break;
    }
    case StreamEvent::Kind::kFinish:
      response_.finish_reason = event.finish_reason;
      finished_ = true;
      break;
    case StreamEvent::Kind::kUsage:
      response_.usage = event.usage;
      break;
  }
}

std::vector<StreamEvent> stream_events(const ChatResponse& response) {
  std::vector<StreamEvent> events;
  auto add = [&](StreamEvent::Kind kind) -> StreamEvent& {
    StreamEvent& event = events.emplace_back();
    event.kind = kind;
    return event;
  };
  StreamEvent& start = add(StreamEvent::Kind::kStart);
  start.id = response.id;
  start.name = response.model;
  if (!response.text.empty()) add(StreamEvent::Kind::kTextDelta).text = response.text;
  if (!response.refusal.empty()) add(StreamEvent::Kind::kRefusalDelta).text = response.refusal;
  for (std::size_t i = 0; i < response.tool_calls.size(); ++i) {
    StreamEvent& call = add(StreamEvent::Kind::kToolCallStart);
    call.index = static_cast<int>(i);
    call.id = response.tool_calls[i].id;
    call.name = response.tool_calls[i].name;
    call.text = response.tool_calls[i].arguments;
  }
  add(StreamEvent::Kind::kFinish).finish_reason = response.finish_reason;
  if (response.usage) add(StreamEvent::Kind::kUsage).usage = *response.usage;
  return events;
}

}  // namespace aic::ai
