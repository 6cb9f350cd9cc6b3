// The SSE reader and the stream accumulator.
#include <gtest/gtest.h>

#include "ai/chat.hpp"
#include "ai/sse.hpp"

namespace aic::ai {
namespace {

std::vector<SseEvent> read_all(std::string_view text, std::size_t piece) {
  SseReader reader;
  std::vector<SseEvent> events;
  for (std::size_t i = 0; i < text.size(); i += piece) {
    EXPECT_TRUE(reader.feed(text.substr(i, piece), events));
  }
  return events;
}

TEST(SseReader, ReadsEventsWhateverThePieceSize) {
  std::string_view text =
      "\xEF\xBB\xBF: comment\r\n"
      "event: message_start\r\n"
      "data: {\"a\":1}\r\n\r\n"
      "data: line one\n"
      "data: line two\n"
      "id: 7\n\n"
      "event: ping\rdata:{}\r\r"
      "retry: 10\n\n"  // no data: not dispatched
      "data: [DONE]\n\n";
  for (std::size_t piece : {text.size(), std::size_t{1}, std::size_t{2}, std::size_t{5}}) {
    auto events = read_all(text, piece);
    ASSERT_EQ(events.size(), 4u) << "piece " << piece;
    EXPECT_EQ(events[0].event, "message_start");
    EXPECT_EQ(events[0].data, "{\"a\":1}");
    EXPECT_EQ(events[1].event, "");
    EXPECT_EQ(events[1].data, "line one\nline two");
    EXPECT_EQ(events[1].id, "7");
    EXPECT_EQ(events[2].event, "ping");
    EXPECT_EQ(events[2].data, "{}");
    EXPECT_EQ(events[3].data, "[DONE]");
  }
}

TEST(SseReader, ReportsAPartialEventAndRefusesOversizedOnes) {
  SseReader reader;
  std::vector<SseEvent> events;
  ASSERT_TRUE(reader.feed("data: {\"cut", events));
  EXPECT_TRUE(events.empty());
  EXPECT_TRUE(reader.has_partial_event());

  SseReader small(16);
  EXPECT_FALSE(small.feed("data: 0123456789abcdefghij\n", events));
  SseReader split(16);
  EXPECT_TRUE(split.feed("data: 0123456789", events));
  EXPECT_FALSE(split.feed("abcdefghij", events));
}

TEST(StreamAccumulator, AddsUpInterleavedToolCalls) {
  StreamAccumulator accumulator;
  auto add = [&](StreamEvent::Kind kind, int index, std::string text, std::string id = {},
                 std::string name = {}) {
    StreamEvent event;
    event.kind = kind;
    event.index = index;
    event.text = std::move(text);
    event.id = std::move(id);
    event.name = std::move(name);
    accumulator.add(event);
  };
  add(StreamEvent::Kind::kStart, 0, "", "chatcmpl-1", "gpt-test");
  add(StreamEvent::Kind::kTextDelta, 0, "Hel");
  add(StreamEvent::Kind::kTextDelta, 0, "lo");
  add(StreamEvent::Kind::kToolCallStart, 0, "{\"a\"", "call_a", "first");
  add(StreamEvent::Kind::kToolCallStart, 1, "", "call_b", "second");
  add(StreamEvent::Kind::kToolCallDelta, 0, ":1}");
  add(StreamEvent::Kind::kToolCallDelta, 1, "{}");
  StreamEvent finish;
  finish.kind = StreamEvent::Kind::kFinish;
  finish.finish_reason = FinishReason::kToolCalls;
  accumulator.add(finish);
  StreamEvent usage;
  usage.kind = StreamEvent::Kind::kUsage;
  usage.usage.input_tokens = 10;
  usage.usage.output_tokens = 4;
  accumulator.add(usage);

  const ChatResponse& response = accumulator.response();
  EXPECT_TRUE(accumulator.finished());
  EXPECT_EQ(response.id, "chatcmpl-1");
  EXPECT_EQ(response.model, "gpt-test");
  EXPECT_EQ(response.text, "Hello");
  ASSERT_EQ(response.tool_calls.size(), 2u);
  EXPECT_EQ(response.tool_calls[0].id, "call_a");
  EXPECT_EQ(response.tool_calls[0].arguments, "{\"a\":1}");
  EXPECT_EQ(response.tool_calls[1].name, "second");
  EXPECT_EQ(response.tool_calls[1].arguments, "{}");
  EXPECT_EQ(response.finish_reason, FinishReason::kToolCalls);
  ASSERT_TRUE(response.usage);
  EXPECT_EQ(response.usage->total_tokens(), 14);
}

}  // namespace
}  // namespace aic::ai
