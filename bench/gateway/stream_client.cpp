// aic_gateway_stream_client: the streaming half of bench/gateway/run.sh, which wrk cannot
// measure (wrk times whole responses, not their first event).
//
//   aic_gateway_stream_client sequential PORT REQUESTS [options]
//     REQUESTS streamed chat completions one after another on one keep-alive connection;
//     for each, the time from writing the request to the first `data:` event of the body
//     (time to first token, TTFT) and to the end of the answer, and the aic-overhead-us
//     header when the answer has one. Prints percentiles.
//   aic_gateway_stream_client concurrent PORT STREAMS [options]
//     STREAMS connections, each sends one streamed request at once, all read together
//     (epoll, one thread). Prints how many completed, the spread of their durations and the
//     longest silence between two reads of any stream (a stall shows up there).
// Options:
//   --header 'Name: value'   added to every request (repeatable)
//   --model NAME             the body's model (default "mock")
//   --plain 1                not streamed ("stream" left out): times whole answers
//   --warmup N               sequential: requests before the measured ones (default 200)
//   --timeout-s S            concurrent: give up after S seconds (default 60)
//   --dump FILE              sequential: one line per measured request, `start_us ttft_us
//                            whole_us overhead_us` (start from the first measured request),
//                            to see when the slow ones happened
// The last line is machine-readable: `result key=value …` (times in microseconds).
// Exit status 0 when every answer was a complete 200 stream ending in `data: [DONE]` (with
// --plain: a 200 chat.completion).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

std::int64_t micros(Clock::duration duration) {
  return std::chrono::duration_cast<std::chrono::microseconds>(duration).count();
}

bool iequals_prefix(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char a = text[i];
    char b = prefix[i];
    if (a >= 'A' && a <= 'Z') a = static_cast<char>(a - 'A' + 'a');
    if (b >= 'A' && b <= 'Z') b = static_cast<char>(b - 'A' + 'a');
    if (a != b) return false;
  }
  return true;
}

// Incremental reader of one HTTP/1.1 response: Content-Length or chunked framing, no
// trailers. feed() consumes bytes and says when the response is complete.
class ResponseReader {
 public:
  enum class State { kHead, kChunkSize, kChunkData, kChunkEnd, kFinalCrlf, kLength, kDone, kError };

  // Parses what it can of `bytes`; returns the state afterwards.
  State feed(std::string_view bytes) {
    pending_.append(bytes);
    for (;;) {
      switch (state_) {
        case State::kHead: {
          auto end = pending_.find("\r\n\r\n");
          if (end == std::string::npos) return state_;
          head_ = pending_.substr(0, end + 2);
          pending_.erase(0, end + 4);
          if (!parse_head()) return state_ = State::kError;
          break;
        }
        case State::kChunkSize: {
          auto end = pending_.find("\r\n");
          if (end == std::string::npos) return state_;
          remaining_ = std::strtoull(pending_.c_str(), nullptr, 16);
          pending_.erase(0, end + 2);
          state_ = remaining_ == 0 ? State::kFinalCrlf : State::kChunkData;
          break;
        }
        case State::kChunkData:
        case State::kLength: {
          if (pending_.empty() && remaining_ > 0) return state_;
          std::size_t take = std::min(remaining_, pending_.size());
          body_.append(pending_, 0, take);
          pending_.erase(0, take);
          remaining_ -= take;
          if (remaining_ > 0) return state_;
          state_ = state_ == State::kLength ? State::kDone : State::kChunkEnd;
          break;
        }
        case State::kChunkEnd:
        case State::kFinalCrlf: {
          if (pending_.size() < 2) return state_;
          if (pending_.compare(0, 2, "\r\n") != 0) return state_ = State::kError;
          pending_.erase(0, 2);
          state_ = state_ == State::kFinalCrlf ? State::kDone : State::kChunkSize;
          break;
        }
        case State::kDone:
        case State::kError:
          return state_;
      }
    }
  }

  int status() const { return status_; }
  const std::string& body() const { return body_; }
  // The value of header `name` (case-insensitive), or "" when absent.
  std::string header(std::string_view name) const {
    std::size_t at = 0;
    while ((at = head_.find("\r\n", at)) != std::string::npos) {
      at += 2;
      std::string_view line(head_.data() + at, head_.size() - at);
      if (iequals_prefix(line, name) && line.size() > name.size() && line[name.size()] == ':') {
        std::size_t start = name.size() + 1;
        while (start < line.size() && line[start] == ' ') ++start;
        return std::string(line.substr(start, line.find("\r\n") - start));
      }
    }
    return {};
  }

 private:
  bool parse_head() {
    if (!head_.starts_with("HTTP/1.1 ") || head_.size() < 12) return false;
    status_ = std::atoi(head_.c_str() + 9);
    if (iequals_prefix(header("transfer-encoding"), "chunked")) {
      state_ = State::kChunkSize;
      return true;
    }
    std::string length = header("content-length");
    if (length.empty()) return false;  // a benchmark server always frames its answers
    remaining_ = std::strtoull(length.c_str(), nullptr, 10);
    state_ = remaining_ == 0 ? State::kDone : State::kLength;
    return true;
  }

  State state_ = State::kHead;
  std::string pending_;
  std::string head_;
  std::string body_;
  std::size_t remaining_ = 0;
  int status_ = 0;
};

struct Options {
  std::string mode;
  int port = 0;
  int count = 0;
  std::vector<std::string> headers;
  std::string model = "mock";
  int warmup = 200;
  int timeout_s = 60;
  bool plain = false;
  std::string dump;
};

std::string request_text(const Options& options) {
  std::string body = R"({"model":")" + options.model + "\"" +
                     (options.plain ? "" : R"(,"stream":true)") +
                     R"(,"messages":[{"role":"user","content":"Say hello."}]})";
  std::string text =
      "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(options.port) +
      "\r\nContent-Type: application/json\r\n";
  for (const auto& header : options.headers) text += header + "\r\n";
  text += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  return text;
}

int connect_to(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return -1;
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t written = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (written <= 0) {
      if (written < 0 && errno == EINTR) continue;
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(written));
  }
  return true;
}

// A complete, successful answer: status 200 and `data: [DONE]` at the end of a stream, or a
// chat.completion when not streamed.
bool complete_answer(const ResponseReader& reader, bool plain) {
  return reader.status() == 200 &&
         reader.body().find(plain ? R"("chat.completion")" : "data: [DONE]") != std::string::npos;
}

std::int64_t percentile(std::vector<std::int64_t> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  auto index = static_cast<std::size_t>(p / 100.0 * static_cast<double>(values.size() - 1) + 0.5);
  return values[std::min(index, values.size() - 1)];
}

int run_sequential(const Options& options) {
  int fd = connect_to(options.port);
  if (fd < 0) {
    std::fprintf(stderr, "cannot connect to 127.0.0.1:%d\n", options.port);
    return 1;
  }
  const std::string request = request_text(options);
  std::vector<std::int64_t> first_event, whole, overhead;
  char buffer[65536];
  std::vector<std::int64_t> connects;  // measured requests that had to connect first
  std::vector<std::int64_t> starts;    // when each measured request was sent
  Clock::time_point measuring_since;
  for (int i = 0; i < options.warmup + options.count; ++i) {
    ResponseReader reader;
    Clock::time_point sent = Clock::now();
    // A server that closed the connection after the last answer (aic does after a stream)
    // costs the client a new connection: that time counts, as it would for any client.
    if (fd < 0) {
      fd = connect_to(options.port);
      if (fd < 0) {
        std::fprintf(stderr, "request %d: cannot connect\n", i);
        return 1;
      }
      if (i >= options.warmup) connects.push_back(micros(Clock::now() - sent));
    }
    if (!write_all(fd, request)) {
      std::fprintf(stderr, "request %d: write failed\n", i);
      return 1;
    }
    std::optional<Clock::time_point> first;
    ResponseReader::State state = ResponseReader::State::kHead;
    while (state != ResponseReader::State::kDone && state != ResponseReader::State::kError) {
      ssize_t got = ::recv(fd, buffer, sizeof buffer, 0);
      if (got <= 0) {
        std::fprintf(stderr, "request %d: the server closed the connection\n", i);
        return 1;
      }
      state = reader.feed(std::string_view(buffer, static_cast<std::size_t>(got)));
      if (!first && (options.plain ? state == ResponseReader::State::kDone
                                   : reader.body().find("data:") != std::string::npos)) {
        first = Clock::now();
      }
    }
    Clock::time_point done = Clock::now();
    if (iequals_prefix(reader.header("connection"), "close")) {
      ::close(fd);
      fd = -1;
    }
    if (state == ResponseReader::State::kError || !complete_answer(reader, options.plain) ||
        !first) {
      std::fprintf(stderr, "request %d: not a complete answer (status %d): %.300s\n", i,
                   reader.status(), reader.body().c_str());
      return 1;
    }
    if (i < options.warmup) continue;
    if (i == options.warmup) measuring_since = sent;
    starts.push_back(micros(sent - measuring_since));
    first_event.push_back(micros(*first - sent));
    whole.push_back(micros(done - sent));
    std::string header = reader.header("aic-overhead-us");
    overhead.push_back(header.empty() ? -1 : std::atoll(header.c_str()));
  }
  if (!options.dump.empty()) {
    std::FILE* file = std::fopen(options.dump.c_str(), "w");
    if (file == nullptr) {
      std::fprintf(stderr, "cannot write %s\n", options.dump.c_str());
      return 1;
    }
    for (std::size_t i = 0; i < starts.size(); ++i) {
      std::fprintf(file, "%lld %lld %lld %lld\n", static_cast<long long>(starts[i]),
                   static_cast<long long>(first_event[i]), static_cast<long long>(whole[i]),
                   static_cast<long long>(overhead[i]));
    }
    std::fclose(file);
  }
  std::erase(overhead, -1);
  if (fd >= 0) ::close(fd);
  std::printf(
      "%d sequential answers: first event p50 %lld us, p90 %lld us, p99 %lld us, max %lld us; "
      "whole answer p50 %lld us, p99 %lld us; %zu new connections (connect p50 %lld us)\n",
      options.count, static_cast<long long>(percentile(first_event, 50)),
      static_cast<long long>(percentile(first_event, 90)),
      static_cast<long long>(percentile(first_event, 99)),
      static_cast<long long>(percentile(first_event, 100)),
      static_cast<long long>(percentile(whole, 50)), static_cast<long long>(percentile(whole, 99)),
      connects.size(), static_cast<long long>(percentile(connects, 50)));
  std::printf(
      "result requests=%d ttft_p50=%lld ttft_p90=%lld ttft_p99=%lld ttft_max=%lld "
      "whole_p50=%lld whole_p99=%lld overhead_header_p50=%lld overhead_header_p99=%lld "
      "connects=%zu connect_p50=%lld\n",
      options.count, static_cast<long long>(percentile(first_event, 50)),
      static_cast<long long>(percentile(first_event, 90)),
      static_cast<long long>(percentile(first_event, 99)),
      static_cast<long long>(percentile(first_event, 100)),
      static_cast<long long>(percentile(whole, 50)), static_cast<long long>(percentile(whole, 99)),
      static_cast<long long>(overhead.empty() ? -1 : percentile(overhead, 50)),
      static_cast<long long>(overhead.empty() ? -1 : percentile(overhead, 99)), connects.size(),
      static_cast<long long>(percentile(connects, 50)));
  return 0;
}

struct Stream {
  int fd = -1;
  ResponseReader reader;
  Clock::time_point sent;
  std::optional<Clock::time_point> first;
  Clock::time_point last_read;
  std::optional<Clock::time_point> done;
  std::int64_t longest_silence_us = 0;  // between two reads once the body has started
  bool failed = false;
};

int run_concurrent(const Options& options) {
  const std::string request = request_text(options);
  std::vector<Stream> streams(static_cast<std::size_t>(options.count));
  int epoll = ::epoll_create1(0);
  for (std::size_t i = 0; i < streams.size(); ++i) {
    streams[i].fd = connect_to(options.port);
    if (streams[i].fd < 0) {
      std::fprintf(stderr, "stream %zu: cannot connect\n", i);
      return 1;
    }
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u64 = i;
    ::epoll_ctl(epoll, EPOLL_CTL_ADD, streams[i].fd, &event);
  }
  // Every connection is open before the first request goes out, so the requests start as
  // close together as one thread can write them.
  Clock::time_point started = Clock::now();
  for (auto& stream : streams) {
    stream.sent = Clock::now();
    stream.last_read = stream.sent;
    if (!write_all(stream.fd, request)) stream.failed = true;
  }
  std::size_t open = streams.size();
  for (auto& stream : streams) open -= stream.failed ? 1 : 0;
  Clock::time_point deadline = started + std::chrono::seconds(options.timeout_s);
  std::vector<epoll_event> ready(256);
  char buffer[65536];
  while (open > 0 && Clock::now() < deadline) {
    int count = ::epoll_wait(epoll, ready.data(), static_cast<int>(ready.size()), 100);
    for (int r = 0; r < count; ++r) {
      Stream& stream = streams[ready[static_cast<std::size_t>(r)].data.u64];
      if (stream.done || stream.failed) continue;
      ssize_t got = ::recv(stream.fd, buffer, sizeof buffer, 0);
      Clock::time_point now = Clock::now();
      if (got <= 0) {
        stream.failed = true;
        --open;
        continue;
      }
      if (stream.first) {
        stream.longest_silence_us =
            std::max(stream.longest_silence_us, micros(now - stream.last_read));
      }
      stream.last_read = now;
      auto state = stream.reader.feed(std::string_view(buffer, static_cast<std::size_t>(got)));
      if (!stream.first && stream.reader.body().find("data:") != std::string::npos) {
        stream.first = now;
      }
      if (state == ResponseReader::State::kDone) {
        stream.done = now;
        if (!complete_answer(stream.reader, options.plain)) stream.failed = true;
        --open;
      } else if (state == ResponseReader::State::kError) {
        stream.failed = true;
        --open;
      }
    }
  }
  Clock::time_point finished = Clock::now();
  std::vector<std::int64_t> durations, first_events, silences;
  int completed = 0, failed = 0, unfinished = 0;
  for (auto& stream : streams) {
    ::close(stream.fd);
    if (stream.failed) {
      ++failed;
    } else if (!stream.done) {
      ++unfinished;
    } else {
      ++completed;
      durations.push_back(micros(*stream.done - stream.sent));
      first_events.push_back(micros(*stream.first - stream.sent));
      silences.push_back(stream.longest_silence_us);
    }
  }
  ::close(epoll);
  std::printf(
      "%d concurrent streams: %d complete, %d failed, %d unfinished after %lld ms; "
      "duration min %lld us, p50 %lld us, max %lld us; TTFT p50 %lld us, max %lld us; "
      "longest silence within a stream %lld us\n",
      options.count, completed, failed, unfinished,
      static_cast<long long>(micros(finished - started) / 1000),
      static_cast<long long>(percentile(durations, 0)),
      static_cast<long long>(percentile(durations, 50)),
      static_cast<long long>(percentile(durations, 100)),
      static_cast<long long>(percentile(first_events, 50)),
      static_cast<long long>(percentile(first_events, 100)),
      static_cast<long long>(percentile(silences, 100)));
  std::printf(
      "result streams=%d complete=%d failed=%d unfinished=%d duration_min=%lld "
      "duration_p50=%lld duration_max=%lld ttft_p50=%lld ttft_max=%lld "
      "longest_silence=%lld\n",
      options.count, completed, failed, unfinished,
      static_cast<long long>(percentile(durations, 0)),
      static_cast<long long>(percentile(durations, 50)),
      static_cast<long long>(percentile(durations, 100)),
      static_cast<long long>(percentile(first_events, 50)),
      static_cast<long long>(percentile(first_events, 100)),
      static_cast<long long>(percentile(silences, 100)));
  return completed == options.count ? 0 : 1;
}

std::optional<Options> parse_options(int argc, char** argv) {
  if (argc < 4) return std::nullopt;
  Options options;
  options.mode = argv[1];
  options.port = std::atoi(argv[2]);
  options.count = std::atoi(argv[3]);
  if ((options.mode != "sequential" && options.mode != "concurrent") || options.port <= 0 ||
      options.count <= 0) {
    return std::nullopt;
  }
  for (int i = 4; i + 1 < argc; i += 2) {
    std::string_view name = argv[i];
    if (name == "--header") {
      options.headers.emplace_back(argv[i + 1]);
    } else if (name == "--model") {
      options.model = argv[i + 1];
    } else if (name == "--warmup") {
      options.warmup = std::atoi(argv[i + 1]);
    } else if (name == "--plain") {
      options.plain = std::string_view(argv[i + 1]) == "1";
    } else if (name == "--dump") {
      options.dump = argv[i + 1];
    } else if (name == "--timeout-s") {
      options.timeout_s = std::atoi(argv[i + 1]);
    } else {
      return std::nullopt;
    }
  }
  if (argc % 2 != 0) return std::nullopt;
  return options;
}

}  // namespace

int main(int argc, char** argv) {
  std::optional<Options> options = parse_options(argc, argv);
  if (!options) {
    std::fprintf(stderr,
                 "usage: %s sequential|concurrent PORT COUNT [--header 'Name: value']... "
                 "[--model NAME] [--plain 1] [--warmup N] [--timeout-s S]\n",
                 argv[0]);
    return 2;
  }
  return options->mode == "sequential" ? run_sequential(*options) : run_concurrent(*options);
}
