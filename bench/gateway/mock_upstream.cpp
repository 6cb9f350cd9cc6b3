// aic_gateway_mock_upstream: the model provider of bench/gateway/run.sh, and the "direct"
// baseline every gateway is compared with. It answers POST /v1/chat/completions with the same
// small OpenAI chat.completion (usage included) every time, after a fixed delay; a request
// whose body says "stream": true gets an SSE stream of N chunks, a usage chunk and
// `data: [DONE]`, with a fixed gap between events. Nothing in the request is parsed beyond
// finding "stream": true, so the mock costs as little as our HTTP server allows.
//
// Usage: aic_gateway_mock_upstream PORT [--delay-ms MS] [--chunks N] [--gap-ms MS]
//                                       [--threads N]
//   --delay-ms  wait before the answer's headers (default 0; fractions allowed: 0.5)
//   --chunks    content chunks of a stream (default 16); the last carries finish_reason
//   --gap-ms    wait before each stream event after the first (default 0). With 0 the
//               events go out as one body with Content-Length, which keeps the connection
//               open for the next request as providers do; with a gap they go out as chunks,
//               and our HTTP server closes the connection after a chunked stream.
//   --threads   I/O threads (default 1)
// Prints "listening on http://127.0.0.1:PORT" once it accepts requests; runs until SIGTERM
// or SIGINT.
#include <pthread.h>
#include <signal.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.hpp"
#include "core/logging.hpp"
#include "core/metrics.hpp"
#include "http/filters.hpp"
#include "http/message.hpp"
#include "http/pipeline.hpp"
#include "http/router.hpp"
#include "http/server.hpp"

namespace {

namespace asio = boost::asio;
using std::chrono::microseconds;

struct Options {
  int port = 0;
  microseconds delay{0};
  int chunks = 16;
  microseconds gap{0};
  unsigned threads = 1;
};

constexpr std::string_view kCompletion =
    R"({"id":"chatcmpl-bench","object":"chat.completion","created":1700000000,)"
    R"("model":"bench-model","choices":[{"index":0,"message":{"role":"assistant",)"
    R"("content":"The quick brown fox jumps over the lazy dog."},"finish_reason":"stop"}],)"
    R"("usage":{"prompt_tokens":12,"completion_tokens":10,"total_tokens":22}})";

constexpr std::string_view kChunkHead =
    R"(data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1700000000,)"
    R"("model":"bench-model","choices":[)";

// The events of every stream, rendered once: `chunks` content chunks (the first with the
// role, the last with finish_reason), the usage chunk and [DONE].
std::vector<std::string> stream_events(int chunks) {
  std::vector<std::string> events;
  for (int i = 0; i < chunks; ++i) {
    std::string event(kChunkHead);
    event += R"({"index":0,"delta":{)";
    if (i == 0) event += R"("role":"assistant",)";
    event += R"("content":"tok )" + std::to_string(i) + R"("},"finish_reason":)";
    event += i + 1 == chunks ? R"("stop")" : "null";
    event += "}]}\n\n";
    events.push_back(std::move(event));
  }
  std::string usage(kChunkHead);
  usage += R"(],"usage":{"prompt_tokens":12,"completion_tokens":)" + std::to_string(chunks) +
           R"(,"total_tokens":)" + std::to_string(12 + chunks) + "}}\n\n";
  events.push_back(std::move(usage));
  events.emplace_back("data: [DONE]\n\n");
  return events;
}

// True when the JSON body has the member "stream" with the value true (whitespace allowed
// around the colon). "stream_options" does not match: the closing quote is part of the key.
bool wants_stream(std::string_view body) {
  constexpr std::string_view kKey = R"("stream")";
  for (auto at = body.find(kKey); at != std::string_view::npos; at = body.find(kKey, at + 1)) {
    std::size_t i = at + kKey.size();
    while (i < body.size() && (body[i] == ' ' || body[i] == '\n' || body[i] == '\t')) ++i;
    if (i >= body.size() || body[i] != ':') continue;
    ++i;
    while (i < body.size() && (body[i] == ' ' || body[i] == '\n' || body[i] == '\t')) ++i;
    return body.substr(i).starts_with("true");
  }
  return false;
}

// One stream: the shared events in order, `gap` before each after the first.
class MockStream final : public aic::http::BodyStream {
 public:
  MockStream(const std::vector<std::string>& events, microseconds gap)
      : events_(events), gap_(gap) {}

  asio::awaitable<std::optional<std::string>> next() override {
    if (stopped_ || next_ >= events_.size()) co_return std::nullopt;
    if (next_ > 0 && gap_.count() > 0) {
      if (!timer_) timer_.emplace(co_await asio::this_coro::executor);
      timer_->expires_after(gap_);
      co_await timer_->async_wait(asio::as_tuple(asio::use_awaitable));
      if (stopped_) co_return std::nullopt;
    }
    co_return events_[next_++];
  }

  void stop() override {
    stopped_ = true;
    if (timer_) timer_->cancel();
  }

 private:
  const std::vector<std::string>& events_;  // owned by main(), outlives the server
  microseconds gap_;
  std::optional<asio::steady_timer> timer_;
  std::size_t next_ = 0;
  bool stopped_ = false;
};

asio::awaitable<aic::http::Response> answer(const aic::http::RequestContext& context,
                                            const Options& options,
                                            const std::vector<std::string>& events,
                                            const std::string& whole_stream) {
  if (options.delay.count() > 0) {
    asio::steady_timer timer(co_await asio::this_coro::executor, options.delay);
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  if (!wants_stream(context.request.body)) {
    co_return aic::http::Response::json(200, std::string(kCompletion));
  }
  if (options.gap.count() == 0) {
    aic::http::Response response =
        aic::http::Response::make(200, whole_stream, "text/event-stream");
    response.headers.set("Cache-Control", "no-cache");
    co_return response;
  }
  aic::http::Response response;
  response.status = 200;
  response.headers.set("Content-Type", "text/event-stream");
  response.headers.set("Cache-Control", "no-cache");
  response.stream = std::make_shared<MockStream>(events, options.gap);
  co_return response;
}

microseconds parse_milliseconds(const char* text) {
  return microseconds(static_cast<std::int64_t>(std::strtod(text, nullptr) * 1000.0));
}

std::optional<Options> parse_options(int argc, char** argv) {
  if (argc < 2) return std::nullopt;
  Options options;
  options.port = std::atoi(argv[1]);
  if (options.port <= 0 || options.port > 65535) return std::nullopt;
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string_view name = argv[i];
    const char* value = argv[i + 1];
    if (name == "--delay-ms") {
      options.delay = parse_milliseconds(value);
    } else if (name == "--gap-ms") {
      options.gap = parse_milliseconds(value);
    } else if (name == "--chunks") {
      options.chunks = std::atoi(value);
    } else if (name == "--threads") {
      options.threads = static_cast<unsigned>(std::atoi(value));
    } else {
      return std::nullopt;
    }
  }
  if (argc % 2 != 0 || options.chunks < 1 || options.threads < 1) return std::nullopt;
  return options;
}

}  // namespace

int main(int argc, char** argv) {
  std::optional<Options> options = parse_options(argc, argv);
  if (!options) {
    std::fprintf(stderr,
                 "usage: %s PORT [--delay-ms MS] [--chunks N] [--gap-ms MS] [--threads N]\n",
                 argv[0]);
    return 2;
  }
  // Blocked before any thread exists, so only the sigwait below receives them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  aic::core::LogConfig log;
  log.level = "warn";
  log.format = "text";
  aic::core::configure_logging(log);
  try {
    const std::vector<std::string> events = stream_events(options->chunks);
    std::string whole_stream;
    for (const auto& event : events) whole_stream += event;
    aic::core::Config config;
    config.server.listen = "127.0.0.1:" + std::to_string(options->port);
    config.server.io_threads = options->threads;
    config.server.shutdown_grace = std::chrono::milliseconds(500);
    config.server.shutdown_delay = std::chrono::milliseconds(0);
    aic::core::Registry registry;
    aic::http::HttpMetrics metrics(registry);
    aic::http::Router router;
    router.add(aic::http::Method::kPost, "/v1/chat/completions",
               [&](aic::http::RequestContext& context) {
                 return answer(context, *options, events, whole_stream);
               },
               {.permission = std::string(aic::http::kPublic)});
    aic::http::Pipeline pipeline(std::vector<std::unique_ptr<aic::http::Filter>>{}, router);
    aic::http::Server server(config, pipeline, metrics);
    if (auto started = server.start(); !started) {
      std::fprintf(stderr, "aic_gateway_mock_upstream: %s\n", started.error().message.c_str());
      return 1;
    }
    std::cout << "listening on http://127.0.0.1:" << server.port() << std::endl;
    int received = 0;
    sigwait(&stop_signals, &received);
    server.begin_shutdown();
    server.wait();
  } catch (const std::exception& error) {
    std::fprintf(stderr, "aic_gateway_mock_upstream: %s\n", error.what());
    return 1;
  }
  return 0;
}
