#include "api/concurrency_cap.hpp"

#include "http/problem.hpp"

namespace aic::api {

http::Handler ConcurrencyCap::wrap(std::string name, std::int64_t max_in_flight,
                                   http::Handler handler) {
  return [this, name = std::move(name), max_in_flight, handler = std::move(handler)](
             http::RequestContext& context) -> boost::asio::awaitable<http::Response> {
    std::string key = name + "|";
    key += context.principal ? context.principal->tenant_id : std::string("anonymous");
    auto permit = limiter_.try_acquire(key, max_in_flight);
    if (!permit) {
      http::Response refused = http::problem_response(
          core::Error::make(core::ErrorCode::kQuotaExceeded,
                            "at most " + std::to_string(max_in_flight) +
                                " of these requests may run at once per tenant; retry shortly"),
          context.request_id);
      refused.headers.set("Retry-After", "1");
      co_return refused;
    }
    // The permit is released when this frame ends, after the handler's answer is ready.
    co_return co_await handler(context);
  };
}

}  // namespace aic::api
