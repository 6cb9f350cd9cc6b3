// The HTTP request and response as handlers see them: plain values, no Beast types, so
// api/ handlers and their tests compile without the networking headers.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/container/small_vector.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace aic::http {

enum class Method { kGet, kHead, kPost, kPut, kPatch, kDelete, kOptions, kOther };

std::string_view method_name(Method method);
Method parse_method(std::string_view text);

// Header names compare case-insensitively; order and duplicates are preserved.
//
// All names and values live back to back in one string, indexed by a small inline array:
// a response with a handful of headers costs one allocation, and clear() keeps the capacity,
// so a connection parsing request after request into the same Headers stops allocating once
// it has seen its largest request. Views returned by get() and entry() are valid until the
// next change.
class Headers {
 public:
  struct Entry {
    std::string_view name;
    std::string_view value;
  };

  // The first value of `name`, if present.
  std::optional<std::string_view> get(std::string_view name) const;
  bool contains(std::string_view name) const { return get(name).has_value(); }
  // Replaces every value of `name` with `value`.
  void set(std::string_view name, std::string_view value);
  void add(std::string_view name, std::string_view value);
  // Appends `name` with the value that append_value(std::string& out) appends to `out`,
  // which saves building the value in a temporary first.
  template <typename AppendValue>
  void add_with(std::string_view name, AppendValue&& append_value) {
    std::size_t name_at = data_.size();
    data_.append(name);
    std::size_t value_at = data_.size();
    append_value(data_);
    spans_.push_back(Span{
        static_cast<std::uint32_t>(name_at), static_cast<std::uint32_t>(name.size()),
        static_cast<std::uint32_t>(value_at), static_cast<std::uint32_t>(data_.size() - value_at)});
  }
  void remove(std::string_view name);
  void clear() {
    data_.clear();
    spans_.clear();
  }

  std::size_t size() const { return spans_.size(); }
  bool empty() const { return spans_.empty(); }
  Entry entry(std::size_t index) const {
    const Span& span = spans_[index];
    return {std::string_view(data_).substr(span.name_at, span.name_size),
            std::string_view(data_).substr(span.value_at, span.value_size)};
  }
  // Room for `bytes` of names and values without reallocating.
  void reserve_bytes(std::size_t bytes) { data_.reserve(bytes); }

 private:
  struct Span {
    std::uint32_t name_at, name_size, value_at, value_size;
  };
  std::string data_;
  boost::container::small_vector<Span, 8> spans_;
};

bool iequals(std::string_view a, std::string_view b);

struct Request {
  Method method = Method::kOther;
  std::string method_text;         // as sent, for logs ("GET", "PROPFIND")
  std::string target;              // path and query as sent
  std::string_view path() const;   // target before '?'
  std::string_view query() const;  // target after '?', without it
  unsigned version = 11;           // 10 or 11
  Headers headers;
  std::string body;
  std::string remote_address;  // client IP, without port

  // Empties every field, keeping allocated capacity for the next request.
  void clear();
};

// A body produced over time (Server-Sent Events): the connection writes the head, then asks
// for pieces one at a time and writes each as an HTTP/1.1 chunk before asking for the next, so
// a slow client holds at most one piece in memory; a client too slow to take a piece within
// server.request_timeout is disconnected. The connection closes after the stream.
//
// Threading: every call is made on the connection's I/O thread.
class BodyStream {
 public:
  virtual ~BodyStream() = default;
  // The next piece (may wait for one); nullopt ends the body.
  virtual boost::asio::awaitable<std::optional<std::string>> next() = 0;
  // The server is shutting down: the next (or the pending) next() should end the body soon.
  virtual void stop() = 0;
};

struct Response {
  int status = 200;
  Headers headers;
  std::string body;
  // When set, the body comes from here instead of `body` (which must be empty).
  std::shared_ptr<BodyStream> stream;

  // A response with `body` and Content-Type `content_type`.
  static Response make(int status, std::string body, std::string_view content_type);
  static Response json(int status, std::string body) {
    return make(status, std::move(body), "application/json");
  }
  static Response empty(int status) { return Response{status, {}, {}}; }
};

// The standard reason phrase for `status` ("Not Found"), or "" for unknown codes.
std::string_view reason_phrase(int status);

}  // namespace aic::http
