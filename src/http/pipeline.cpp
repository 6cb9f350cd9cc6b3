#include "http/pipeline.hpp"

#include "core/logging.hpp"
#include "http/problem.hpp"

namespace aic::http {

std::optional<Response> Filter::on_request(RequestContext&) { return std::nullopt; }

boost::asio::awaitable<std::optional<Response>> Filter::on_request_async(RequestContext& context) {
  co_return on_request(context);
}

void Filter::on_response(RequestContext&, Response&) {}

namespace {

Response internal_error(const RequestContext& context, std::string_view what) {
  std::string message = "unhandled exception on ";
  message += context.request.method_text;
  message += ' ';
  message += context.route_label();
  message += " (request_id ";
  message += context.request_id;
  message += "): ";
  message += what;
  core::log_error(message);
  return problem_response(
      core::Error::make(core::ErrorCode::kInternal,
                        "the server failed to process the request; quote the request id when "
                        "reporting it"),
      context.request_id);
}

}  // namespace

boost::asio::awaitable<Response> Pipeline::handle(RequestContext& context) const {
  std::size_t entered = 0;
  std::optional<Response> response;
  try {
    for (; entered < filters_.size(); ++entered) {
      Filter& filter = *filters_[entered];
      if (filter.suspends(context)) {
        response = co_await filter.on_request_async(context);
      } else {
        response = filter.on_request(context);
      }
      if (response) {
        ++entered;
        break;
      }
    }
    if (!response) response = answer_without_handler(context);
    if (!response) {
      response = co_await context.route->handler(context);
    } else if (context.route != nullptr && context.route->options.shape_error &&
               response->status >= 400) {
      context.route->options.shape_error(*response);
    }
  } catch (const std::exception& error) {
    response = internal_error(context, error.what());
  } catch (...) {
    response = internal_error(context, "unknown exception");
  }
  for (std::size_t i = 0; i < context.response_headers.size(); ++i) {
    auto [name, value] = context.response_headers.entry(i);
    response->headers.set(name, value);
  }
  while (entered > 0) filters_[--entered]->on_response(context, *response);
  co_return std::move(*response);
}

std::optional<Response> Pipeline::answer_without_handler(const RequestContext& context) const {
  if (context.rejection) return problem_response(*context.rejection, context.request_id);
  if (context.bad_path_encoding) {
    return problem_response(
        core::Error::invalid("a path segment has invalid percent-encoding", "path"),
        context.request_id);
  }
  if (context.route == nullptr) {
    if (context.allow.empty()) {
      return problem_response(
          core::Error::make(core::ErrorCode::kNotFound,
                            "no resource at " + std::string(context.request.path())),
          context.request_id);
    }
    if (context.request.method == Method::kOptions) {
      Response response = Response::empty(204);
      response.headers.add("Allow", context.allow);
      return response;
    }
    Response response =
        problem_response(core::Error::make(core::ErrorCode::kMethodNotAllowed,
                                           context.request.method_text + " is not supported on " +
                                               std::string(context.request.path()) +
                                               "; allowed: " + std::string(context.allow)),
                         context.request_id);
    response.headers.add("Allow", context.allow);
    return response;
  }
  return std::nullopt;
}

}  // namespace aic::http
