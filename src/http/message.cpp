#include "http/message.hpp"

#include <algorithm>

namespace aic::http {

std::string_view method_name(Method method) {
  switch (method) {
    case Method::kGet:
      return "GET";
    case Method::kHead:
      return "HEAD";
    case Method::kPost:
      return "POST";
    case Method::kPut:
      return "PUT";
    case Method::kPatch:
      return "PATCH";
    case Method::kDelete:
      return "DELETE";
    case Method::kOptions:
      return "OPTIONS";
    case Method::kOther:
      return "OTHER";
  }
  return "OTHER";
}

Method parse_method(std::string_view text) {
  // Methods are case-sensitive (RFC 9110 §9.1).
  if (text == "GET") return Method::kGet;
  if (text == "HEAD") return Method::kHead;
  if (text == "POST") return Method::kPost;
  if (text == "PUT") return Method::kPut;
  if (text == "PATCH") return Method::kPatch;
  if (text == "DELETE") return Method::kDelete;
  if (text == "OPTIONS") return Method::kOptions;
  return Method::kOther;
}

namespace {

// ASCII only: header names are tokens (RFC 9110 §5.1), and this must not depend on a locale.
constexpr char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

}  // namespace

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i] && ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

std::optional<std::string_view> Headers::get(std::string_view name) const {
  for (std::size_t i = 0; i < spans_.size(); ++i) {
    Entry header = entry(i);
    if (iequals(header.name, name)) return header.value;
  }
  return std::nullopt;
}

void Headers::set(std::string_view name, std::string_view value) {
  remove(name);
  add(name, value);
}

void Headers::add(std::string_view name, std::string_view value) {
  add_with(name, [value](std::string& out) { out.append(value); });
}

void Headers::remove(std::string_view name) {
  // The removed bytes stay in data_ until clear(); headers are few and short-lived.
  auto removed = std::remove_if(spans_.begin(), spans_.end(), [&](const Span& span) {
    return iequals(std::string_view(data_).substr(span.name_at, span.name_size), name);
  });
  spans_.erase(removed, spans_.end());
}

void Request::clear() {
  method = Method::kOther;
  method_text.clear();
  target.clear();
  version = 11;
  headers.clear();
  body.clear();
  remote_address.clear();
}

std::string_view Request::path() const {
  std::string_view view(target);
  return view.substr(0, view.find('?'));
}

std::string_view Request::query() const {
  std::string_view view(target);
  auto mark = view.find('?');
  return mark == std::string_view::npos ? std::string_view() : view.substr(mark + 1);
}

Response Response::make(int status, std::string body, std::string_view content_type) {
  Response response{status, {}, std::move(body)};
  // Room for what the standard filters add (request id, traceparent, CORS), so the header
  // storage is allocated once.
  response.headers.reserve_bytes(256);
  response.headers.add("Content-Type", content_type);
  return response;
}

std::string_view reason_phrase(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 301:
      return "Moved Permanently";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 413:
      return "Content Too Large";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Content";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "";
  }
}

}  // namespace aic::http
