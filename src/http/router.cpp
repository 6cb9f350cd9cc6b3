#include "http/router.hpp"

#include <stdexcept>

namespace aic::http {
namespace {

bool is_parameter(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

// Splits "/a/b/c" into {"a","b","c"}. Returns false for an empty segment ("//", trailing
// "/" except on the root) or a path not starting with '/'.
bool split_path(std::string_view path, std::vector<std::string_view>& out) {
  out.clear();
  if (path.empty() || path.front() != '/') return false;
  if (path.size() == 1) return true;
  std::size_t start = 1;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (end == start) return false;
    out.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return true;
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

void Router::add(Method method, std::string path_template, Handler handler, RouteOptions options) {
  std::vector<std::string_view> parts;
  if (!split_path(path_template, parts)) {
    throw std::invalid_argument("malformed route template: " + path_template);
  }
  auto route = std::make_unique<Route>();
  route->method = method;
  for (auto part : parts) {
    bool braces = part.find_first_of("{}") != std::string_view::npos;
    if (braces && !is_parameter(part)) {
      throw std::invalid_argument("malformed parameter in route template: " + path_template);
    }
    route->segments.emplace_back(part);
  }
  for (const auto& existing : routes_) {
    if (existing->method == method && existing->path_template == path_template) {
      throw std::invalid_argument("duplicate route: " + std::string(method_name(method)) + " " +
                                  path_template);
    }
  }
  route->path_template = std::move(path_template);
  route->handler = std::move(handler);
  route->options = std::move(options);
  routes_.push_back(std::move(route));
}

Router::Match Router::match(Method method, std::string_view path) const {
  Match result;
  std::vector<std::string_view> parts;
  if (!split_path(path, parts)) return result;

  // Among templates that match the path, the most specific wins: compare segment by
  // segment, a literal beating a parameter at the first difference.
  const std::vector<std::string>* best_segments = nullptr;
  auto more_specific = [](const std::vector<std::string>& a, const std::vector<std::string>& b) {
    for (std::size_t i = 0; i < a.size(); ++i) {
      bool a_param = is_parameter(a[i]);
      bool b_param = is_parameter(b[i]);
      if (a_param != b_param) return !a_param;
    }
    return false;
  };
  for (const auto& route : routes_) {
    const auto& segments = route->segments;
    if (segments.size() != parts.size()) continue;
    bool matches = true;
    for (std::size_t i = 0; i < parts.size() && matches; ++i) {
      matches = is_parameter(segments[i]) || segments[i] == parts[i];
    }
    if (!matches) continue;
    if (best_segments == nullptr || more_specific(segments, *best_segments)) {
      best_segments = &segments;
    }
  }
  if (best_segments == nullptr) return result;

  // Every route of the winning template shares its segments; pick by method.
  const Route* get_route = nullptr;
  for (const auto& route : routes_) {
    if (route->segments != *best_segments) continue;
    append_allow(result.allow, method_name(route->method));
    if (route->method == Method::kGet) append_allow(result.allow, "HEAD");
    if (route->method == method) result.route = route.get();
    if (route->method == Method::kGet) get_route = route.get();
  }
  append_allow(result.allow, "OPTIONS");
  if (result.route == nullptr && method == Method::kHead) result.route = get_route;
  if (result.route == nullptr) return result;

  for (std::size_t i = 0; i < parts.size(); ++i) {
    const auto& segment = result.route->segments[i];
    if (!is_parameter(segment)) continue;
    auto decoded = percent_decode(parts[i]);
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

}  // namespace aic::http
