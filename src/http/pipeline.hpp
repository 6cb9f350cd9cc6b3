// The request path after parsing: a chain of small filters around the router, in the style
// of Envoy's HTTP filter chain.
//
//   on_request:  filter[0] → filter[1] → … → handler
//   on_response: … → filter[1] → filter[0]
//
// A filter's on_request may answer by itself (CORS preflight, authentication failure);
// then later filters and the handler are skipped, and on_response runs for the filters whose
// on_request ran. Any exception escaping a filter or handler becomes a 500 problem carrying
// the request id; the server keeps serving.
//
// Most filters only look at the request (ids, metrics, CORS) and are plain function calls.
// A filter that must wait for I/O, such as a credential lookup in the database, says so with
// suspends() and implements on_request_async instead; only such filters cost a coroutine.
//
// Threading: a Pipeline is built at start-up and then shared, read-only, by all I/O threads.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <memory>
#include <optional>
#include <vector>

#include "http/context.hpp"
#include "http/router.hpp"

namespace aic::http {

class Filter {
 public:
  virtual ~Filter() = default;
  // Runs before the handler. Return a response to answer without calling later steps.
  virtual std::optional<Response> on_request(RequestContext& context);
  // True when this filter's request step must wait for I/O for `context` (a credential
  // lookup, say): the pipeline then awaits on_request_async instead of calling on_request.
  virtual bool suspends(const RequestContext&) const { return false; }
  virtual boost::asio::awaitable<std::optional<Response>> on_request_async(RequestContext& context);
  // Runs after the response is known, in reverse order. Must not throw.
  virtual void on_response(RequestContext& context, Response& response);
};

class Pipeline {
 public:
  Pipeline(std::vector<std::unique_ptr<Filter>> filters, const Router& router)
      : filters_(std::move(filters)), router_(router) {}

  boost::asio::awaitable<Response> handle(RequestContext& context) const;

  const Router& router() const { return router_; }

 private:
  // The answer when no handler can run: a rejected request, 404, 405 or OPTIONS.
  std::optional<Response> answer_without_handler(const RequestContext& context) const;

  std::vector<std::unique_ptr<Filter>> filters_;
  const Router& router_;
};

}  // namespace aic::http
