// A stand-in for the model providers in the AI gateway's tests: a real HTTP server on
// 127.0.0.1 (our own http::Server, one I/O thread, port 0) that speaks OpenAI's, Anthropic's
// and Gemini's wire formats at once. The formats are written by hand here, independently of
// src/ai/, so a misunderstanding in the gateway's codecs cannot be mirrored by the mock.
//
// Endpoints (an unknown path is answered 404 by our router and not recorded):
//   OpenAI     POST /v1/chat/completions   (Authorization: Bearer required)
//              POST /v1/embeddings          GET /v1/models
//   Anthropic  POST /v1/messages           (x-api-key, anthropic-version, max_tokens required)
//   Gemini     POST /v1beta/models/{model}:generateContent | :streamGenerateContent[?alt=sse]
//                   | :embedContent | :batchEmbedContents   (x-goog-api-key required)
//   Control    POST /__mock/faults   {"kind":"status","status":429,"retry_after":"0"} queues a
//              fault as push_fault() does, for tests in other processes (aic_mock_provider).
//              kind: status | hang | truncated_stream | malformed_json | mid_stream_error |
//              delay (with "delay_ms") | reply (with "text"); "status" and "retry_after" as in
//              MockFault. Answers 204, or 400 naming the mistake; never recorded and never takes a
//              fault itself.
//
// What it answers, deterministically:
// - text "mock reply: " + the text of the last user message (text parts joined by a space);
// - `{"answer":"mock"}` when JSON output is asked for (OpenAI response_format json_object /
//   json_schema; Anthropic output_format or output_config.format; Gemini responseMimeType
//   application/json, responseSchema or responseJsonSchema);
// - a call of the first declared tool with arguments {"city":"Oslo"} when tools are declared
//   and the last user text contains "CALL_TOOL" (this wins over JSON output);
// - usage: input = whitespace-separated words in every text of the conversation (system
//   prompt included; tool declarations, images and tool results' non-text parts not),
//   output = words of the reply text, or of the arguments text for a tool call (1);
// - the model echoed from the request (Gemini: from the path); ids count up per mock.
// Streams split the reply text at word boundaries, one piece per event, and send each event
// as its own body piece (one HTTP chunk), after set_stream_event_delay() between events.
//
// Threading: every public function may be called from any thread. The destructor ends held
// and delayed requests and open streams at once (within ~20 ms) and waits for the server.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.hpp"
#include "core/metrics.hpp"
#include "http/message.hpp"
#include "http/pipeline.hpp"
#include "http/router.hpp"
#include "http/server.hpp"

namespace aic::test {

namespace detail {
struct MockShared;  // counters shared with open streams, which may outlive the handler
}  // namespace detail

// Scripted misbehaviour for one request (of any endpoint), in the provider's own error shape.
struct MockFault {
  enum class Kind {
    kStatus,  // answer `status` with an error body, and Retry-After when `retry_after` is set
    // Hold the request without answering until the mock is destroyed (then 503) or its
    // client leaves (counted by abandoned_holds()).
    kHang,
    // A stream: the first events, then the body ends without the final event ([DONE],
    // message_stop, the chunk with finishReason). Not streamed: the first half of the JSON.
    kTruncatedStream,
    // 200 and a body (not streamed), or one event after the first ones (streamed), that is not
    // JSON; a stream then ends with its final event.
    kMalformedJson,
    // A stream: the first events, then the provider's in-stream error (OpenAI `data:
    // {"error":…}`, Anthropic `event: error`, Gemini an error chunk), then the end. Not
    // streamed: like kStatus.
    kMidStreamError,
    kDelay,  // answer normally after `delay`
    // Answer normally but with `reply_text` as the model's text (not a tool call), streamed
    // or not: a scripted answer for tests of what the gateway's callers do with it.
    kReply,
  };
  Kind kind = Kind::kStatus;
  int status = 500;                    // kStatus, kMidStreamError: 429, 500, 503, 529, 401, …
  std::string retry_after;             // kStatus: the Retry-After value, when not empty
  std::chrono::milliseconds delay{0};  // kDelay
  std::string reply_text;              // kReply
};

class MockProvider {
 public:
  struct Recorded {
    std::string method;  // "POST"
    std::string target;  // path and query as sent
    http::Headers headers;
    std::string body;
    // The first value of header `name` ("" when absent).
    std::string header(std::string_view name) const;
  };

  // Starts the server. Throws std::runtime_error when it cannot listen.
  MockProvider();
  ~MockProvider();
  MockProvider(const MockProvider&) = delete;
  MockProvider& operator=(const MockProvider&) = delete;

  std::uint16_t port() const;
  std::string base_url() const;  // http://127.0.0.1:<port>, no trailing slash

  // Queues a fault; each request takes the oldest one, if any, and answers normally otherwise.
  void push_fault(MockFault fault);
  // The pause before each stream event after the first (0: none).
  void set_stream_event_delay(std::chrono::milliseconds delay);

  // Every request a route matched, in arrival order (recorded before any fault applies).
  std::vector<Recorded> requests() const;
  std::size_t count() const;
  // Waits up to `timeout` until at least `count` requests arrived; false if they did not.
  bool wait_for(std::size_t count, std::chrono::milliseconds timeout = std::chrono::seconds(20));

  // Requests held by a kHang fault so far (they are held until the mock is destroyed or their
  // client leaves).
  std::size_t hung_requests() const;
  // Streamed answers whose client went away before the stream ended. Our server notices a
  // client leaving only when a write fails, which is the second event written after the close
  // (the first still reaches the kernel), so use a stream long enough to outlast the client
  // (a long last user message and set_stream_event_delay()). Held requests are counted by
  // abandoned_holds() instead.
  std::size_t abandoned_streams() const;
  // Held requests (kHang, kDelay) whose client (the gateway) closed the connection before
  // the answer: the gateway cancelled its call.
  std::size_t abandoned_holds() const;

  // The deterministic embedding of `text`: `dimensions` values in [-1, 1), multiples of
  // 1/512 (so exact as float too). Default dimensions when the request names none: 8.
  static std::vector<double> embedding_of(std::string_view text, std::size_t dimensions);
  static constexpr std::size_t kDefaultDimensions = 8;

 private:
  enum class Endpoint {
    kOpenAiChat,
    kOpenAiEmbeddings,
    kOpenAiModels,
    kAnthropicMessages,
    kGemini
  };
  boost::asio::awaitable<http::Response> handle(Endpoint endpoint, http::RequestContext& context);
  // POST /__mock/faults.
  http::Response control_fault(const http::Request& request);
  // Waits `duration` (forever when negative) in short steps, ending early when stopping.
  // Waits `duration` (negative: until shutdown) or until the client leaves.
  boost::asio::awaitable<void> hold(std::chrono::milliseconds duration,
                                    const http::RequestContext& context);

  mutable std::mutex mutex_;
  std::condition_variable arrived_;
  std::vector<Recorded> requests_;  // GUARDED_BY(mutex_)
  std::deque<MockFault> faults_;    // GUARDED_BY(mutex_)
  std::shared_ptr<detail::MockShared> shared_;

  core::Config config_;
  core::Registry registry_;
  std::unique_ptr<http::HttpMetrics> metrics_;
  http::Router router_;
  std::unique_ptr<http::Pipeline> pipeline_;
  std::unique_ptr<http::Server> server_;
};

}  // namespace aic::test
