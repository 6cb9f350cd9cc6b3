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
  virtual boost::asio::awaitable<std::optional<Response>> on_request(RequestContext& context);
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
  boost::asio::awaitable<Response> dispatch(RequestContext& context) const;

  std::vector<std::unique_ptr<Filter>> filters_;
  const Router& router_;
};

}  // namespace aic::http
