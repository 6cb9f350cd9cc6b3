#include "http/router.hpp"

#include <algorithm>
#include <array>
#include <iterator>
#include <stdexcept>

namespace aic::http {
namespace {

bool is_parameter(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

using Segments = std::array<std::string_view, Router::kMaxSegments>;

// Splits "/a/b/c" into {"a","b","c"} and returns the count. Returns nullopt for an empty
// segment ("//", trailing "/" except on the root), a path not starting with '/', or more
// than kMaxSegments segments.
std::optional<std::size_t> split_path(std::string_view path, Segments& out) {
  if (path.empty() || path.front() != '/') return std::nullopt;
  if (path.size() == 1) return 0;
  std::size_t count = 0;
  std::size_t start = 1;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (end == start || count == out.size()) return std::nullopt;
    out[count++] = path.substr(start, end - start);
    start = end + 1;
  }
  return count;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void append_allow(std::string& allow, std::string_view method) {
  if (allow.find(method) != std::string::npos) return;
  if (!allow.empty()) allow += ", ";
  allow += method;
}

}  // namespace

std::optional<std::string> percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    int high = hex_value(text[i + 1]);
    int low = hex_value(text[i + 2]);
    if (high < 0 || low < 0) return std::nullopt;
    char decoded = static_cast<char>(high * 16 + low);
    if (decoded == '\0') return std::nullopt;
    out += decoded;
    i += 2;
  }
  return out;
}

struct Router::Node {
  std::vector<std::pair<std::string, std::unique_ptr<Node>>> literals;
  std::unique_ptr<Node> parameter;
  std::vector<const Route*> routes;  // templates ending here, in registration order
  std::string allow;                 // their methods, for Allow and CORS preflights

  const Node* find(std::span<const std::string_view> parts) const {
    if (parts.empty()) return routes.empty() ? nullptr : this;
    for (const auto& [literal, child] : literals) {
      if (literal != parts.front()) continue;
      if (const Node* found = child->find(parts.subspan(1))) return found;
      break;
    }
    return parameter ? parameter->find(parts.subspan(1)) : nullptr;
  }
};

Router::Router() : root_(std::make_unique<Node>()) {}
Router::~Router() = default;
Router::Router(Router&&) noexcept = default;
Router& Router::operator=(Router&&) noexcept = default;

void Router::add(Method method, std::string path_template, Handler handler, RouteOptions options) {
  Segments parts;
  auto count = split_path(path_template, parts);
  if (!count) throw std::invalid_argument("malformed route template: " + path_template);
  auto route = std::make_unique<Route>();
  route->method = method;
  Node* node = root_.get();
  for (auto part : std::span(parts.data(), *count)) {
    bool braces = part.find_first_of("{}") != std::string_view::npos;
    if (braces && !is_parameter(part)) {
      throw std::invalid_argument("malformed parameter in route template: " + path_template);
    }
    route->segments.emplace_back(part);
    if (braces) {
      if (!node->parameter) node->parameter = std::make_unique<Node>();
      node = node->parameter.get();
      continue;
    }
    auto it = std::find_if(node->literals.begin(), node->literals.end(),
                           [part](const auto& child) { return child.first == part; });
    if (it == node->literals.end()) {
      node->literals.emplace_back(std::string(part), std::make_unique<Node>());
      it = std::prev(node->literals.end());
    }
    node = it->second.get();
  }
  for (const Route* existing : node->routes) {
    if (existing->method == method) {
      throw std::invalid_argument("duplicate route: " + std::string(method_name(method)) + " " +
                                  path_template + " (already " + existing->path_template + ")");
    }
  }
  route->path_template = std::move(path_template);
  route->handler = std::move(handler);
  route->options = std::move(options);
  node->routes.push_back(route.get());
  node->allow.clear();
  for (const Route* each : node->routes) {
    append_allow(node->allow, method_name(each->method));
    if (each->method == Method::kGet) append_allow(node->allow, "HEAD");
  }
  append_allow(node->allow, "OPTIONS");
  routes_.push_back(std::move(route));
}

Router::Match Router::match(Method method, std::string_view path) const {
  Match result;
  Segments parts;
  auto count = split_path(path, parts);
  if (!count) return result;
  std::span<const std::string_view> segments(parts.data(), *count);
  const Node* node = root_->find(segments);
  if (node == nullptr) return result;

  result.allow = node->allow;
  const Route* get_route = nullptr;
  for (const Route* route : node->routes) {
    if (route->method == method) result.route = route;
    if (route->method == Method::kGet) get_route = route;
  }
  if (result.route == nullptr && method == Method::kHead) result.route = get_route;
  if (result.route == nullptr) return result;

  for (std::size_t i = 0; i < segments.size(); ++i) {
    const auto& segment = result.route->segments[i];
    if (!is_parameter(segment)) continue;
    auto decoded = percent_decode(segments[i]);
    if (!decoded) {
      result.bad_encoding = true;
      return result;
    }
    result.params.emplace_back(segment.substr(1, segment.size() - 2), std::move(*decoded));
  }
  return result;
}

std::vector<const Route*> Router::routes() const {
  std::vector<const Route*> out;
  for (const auto& route : routes_) out.push_back(route.get());
  return out;
}

std::string_view RequestContext::param(std::string_view name) const {
  for (const auto& [key, value] : path_params) {
    if (key == name) return value;
  }
  return {};
}

std::string_view RequestContext::route_label() const {
  return route != nullptr ? std::string_view(route->path_template) : "unmatched";
}

std::string TraceContext::traceparent() const {
  std::string out;
  append_traceparent(out);
  return out;
}

void TraceContext::append_traceparent(std::string& out) const {
  out += "00-";
  out += trace_id;
  out += '-';
  out += span_id;
  out += '-';
  out += flags;
}

void RequestContext::recycle() {
  // Field by field, so strings keep their capacity. The size check is a reminder that a
  // field added to RequestContext must be reset here too, or it would leak one request's
  // state into the next on the same connection.
  static_assert(sizeof(RequestContext) == kRecycledSize,
                "RequestContext changed: reset the new field in recycle(), then update the size");
  request.clear();
  route = nullptr;
  path_params.clear();
  allow = {};
  bad_path_encoding = false;
  request_id.clear();
  trace.trace_id.clear();
  trace.parent_id.clear();
  trace.span_id.clear();
  trace.flags.assign("00");
  principal.reset();
  started = {};
  deadline = core::kNoDeadline;
  rejection.reset();
  client_gone = false;
  on_client_gone = nullptr;
  response_headers.clear();
}

}  // namespace aic::http
