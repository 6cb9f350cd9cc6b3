// libFuzzer target for everything that reads client-controlled bytes before a handler runs:
// the HTTP/1.1 parser configured as the server configures it, writing into http::Request,
// routing with percent-decoding, X-Request-Id validation and traceparent parsing, and the
// problem document for a parse failure.
#include <boost/asio/buffer.hpp>

#include "http/connection_impl.hpp"
#include "http/filters.hpp"

namespace {

using namespace aic::http;

Handler noop() {
  return
      [](RequestContext&) -> boost::asio::awaitable<Response> { co_return Response::empty(204); };
}

// The production ops and /v1 templates plus parameterised ones like later APIs use.
const Router& fuzz_router() {
  static const Router router = [] {
    Router r;
    r.add(Method::kGet, "/healthz", noop());
    r.add(Method::kGet, "/readyz", noop());
    r.add(Method::kGet, "/metrics", noop());
    r.add(Method::kGet, "/v1/version", noop());
    r.add(Method::kGet, "/v1/things", noop());
    r.add(Method::kPost, "/v1/things", noop());
    r.add(Method::kGet, "/v1/things/{id}", noop());
    r.add(Method::kDelete, "/v1/things/{id}", noop());
    r.add(Method::kGet, "/v1/things/export", noop());
    r.add(Method::kPost, "/v1/things/{id}/parts/{part}", noop());
    return r;
  }();
  return router;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace bhttp = boost::beast::http;
  const auto& router = fuzz_router();
  aic::core::ServerConfig limits;

  // Several requests may be pipelined in one input: parse them one after another.
  boost::asio::const_buffer input(data, size);
  for (int requests = 0; requests < 8 && input.size() > 0; ++requests) {
    RequestContext context;
    aic::http::detail::RequestParser parser(context.request);
    parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
    parser.body_limit(limits.max_body_bytes);
    parser.eager(true);
    boost::beast::error_code ec;
    std::size_t used = parser.put(input, ec);
    if (ec && ec != bhttp::error::need_more) {
      auto error = aic::http::detail::read_error(ec, false, parser.is_header_done(), limits,
                                                 limits.max_body_bytes);
      auto response = problem_response(error, "fuzz");
      if (response.status < 400) __builtin_trap();
      return 0;
    }
    if (!parser.is_header_done()) return 0;
    aic::http::detail::route_request(router, context);
    if (auto id = context.request.headers.get("X-Request-Id")) (void)valid_request_id(*id);
    if (auto header = context.request.headers.get("traceparent")) {
      if (auto trace = parse_traceparent(*header); trace && trace->trace_id.size() != 32) {
        __builtin_trap();
      }
    }
    for (const auto& [name, value] : context.path_params) {
      if (name.empty() || value.find('\0') != std::string::npos) __builtin_trap();
    }
    if (used == 0) return 0;
    input += used;
  }
  return 0;
}
