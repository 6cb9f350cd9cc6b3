// The HTTP request and response as handlers see them: plain values, no Beast types, so
// api/ handlers and their tests compile without the networking headers.
#pragma once

#include <chrono>
#include <cstdint>
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
// clear() keeps the strings of removed entries for reuse, so a connection that parses one
// request after another into the same Headers stops allocating once it has seen its largest
// request.
class Headers {
 public:
  using Entry = std::pair<std::string, std::string>;

  // The first value of `name`, if present.
  std::optional<std::string_view> get(std::string_view name) const;
  bool contains(std::string_view name) const { return get(name).has_value(); }
  // Replaces every value of `name` with `value`.
  void set(std::string_view name, std::string_view value);
  void add(std::string_view name, std::string_view value);
  // Appends `name` with an empty value and returns the value for the caller to fill in place
  // (saves building the value in a temporary and copying it). Valid until the next change.
  std::string& add_empty(std::string_view name);
  void remove(std::string_view name);
  void clear() { size_ = 0; }

  std::span<const Entry> entries() const { return {slots_.data(), size_}; }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  void reserve(std::size_t count) { slots_.reserve(count); }

 private:
  std::vector<Entry> slots_;  // [0, size_) are the headers; the rest are spare strings
  std::size_t size_ = 0;
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

struct Response {
  int status = 200;
  Headers headers;
  std::string body;

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
