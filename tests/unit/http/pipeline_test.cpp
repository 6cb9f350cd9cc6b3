// The filter chain without sockets: order of on_request/on_response, short-circuiting,
// and exception mapping.
#include "http/pipeline.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>

#include "http/filters.hpp"

namespace aic::http {
namespace {

class Recording final : public Filter {
 public:
  Recording(std::string name, std::vector<std::string>& log, bool answer = false)
      : name_(std::move(name)), log_(log), answer_(answer) {}
  std::optional<Response> on_request(RequestContext&) override {
    log_.push_back(name_ + ".request");
    if (answer_) return Response::empty(299);
    return std::nullopt;
  }
  void on_response(RequestContext&, Response&) override { log_.push_back(name_ + ".response"); }

 private:
  std::string name_;
  std::vector<std::string>& log_;
  bool answer_;
};

// A filter that waits for the event loop (as a credential lookup would) before deciding.
class Waiting final : public Filter {
 public:
  Waiting(std::vector<std::string>& log, bool answer) : log_(log), answer_(answer) {}
  bool suspends(const RequestContext&) const override { return true; }
  boost::asio::awaitable<std::optional<Response>> on_request_async(RequestContext&) override {
    auto executor = co_await boost::asio::this_coro::executor;
    co_await boost::asio::post(executor, boost::asio::use_awaitable);
    log_.push_back("waiting.request");
    if (answer_) co_return Response::empty(401);
    co_return std::nullopt;
  }
  std::optional<Response> on_request(RequestContext&) override {
    log_.push_back("waiting.sync-called");  // must never happen for a suspending filter
    return std::nullopt;
  }
  void on_response(RequestContext&, Response&) override { log_.push_back("waiting.response"); }

 private:
  std::vector<std::string>& log_;
  bool answer_;
};

class Throwing final : public Filter {
 public:
  std::optional<Response> on_request(RequestContext&) override {
    throw std::logic_error("filter bug");
  }
};

Response run(const Pipeline& pipeline, RequestContext& context) {
  boost::asio::io_context io;
  auto future = boost::asio::co_spawn(io, pipeline.handle(context), boost::asio::use_future);
  io.run();
  return future.get();
}

RequestContext context_for(const Router& router, Method method, std::string path) {
  RequestContext context;
  context.request.method = method;
  context.request.method_text = std::string(method_name(method));
  context.request.target = std::move(path);
  auto match = router.match(method, context.request.path());
  context.route = match.route;
  context.allow = match.allow;
  context.request_id = "rid";
  return context;
}

TEST(Pipeline, RunsFiltersInOrderAndResponsesInReverse) {
  std::vector<std::string> log;
  Router router;
  router.add(Method::kGet, "/x", [&log](RequestContext&) -> boost::asio::awaitable<Response> {
    log.push_back("handler");
    co_return Response::empty(200);
  });
  std::vector<std::unique_ptr<Filter>> filters;
  filters.push_back(std::make_unique<Recording>("a", log));
  filters.push_back(std::make_unique<Recording>("b", log));
  Pipeline pipeline(std::move(filters), router);
  auto context = context_for(router, Method::kGet, "/x");
  EXPECT_EQ(run(pipeline, context).status, 200);
  EXPECT_EQ(log, (std::vector<std::string>{"a.request", "b.request", "handler", "b.response",
                                           "a.response"}));
}

TEST(Pipeline, FilterCanAnswerAndSkipTheRest) {
  std::vector<std::string> log;
  Router router;
  router.add(Method::kGet, "/x", [&log](RequestContext&) -> boost::asio::awaitable<Response> {
    log.push_back("handler");
    co_return Response::empty(200);
  });
  std::vector<std::unique_ptr<Filter>> filters;
  filters.push_back(std::make_unique<Recording>("a", log));
  filters.push_back(std::make_unique<Recording>("b", log, /*answer=*/true));
  filters.push_back(std::make_unique<Recording>("c", log));
  Pipeline pipeline(std::move(filters), router);
  auto context = context_for(router, Method::kGet, "/x");
  EXPECT_EQ(run(pipeline, context).status, 299);
  EXPECT_EQ(log, (std::vector<std::string>{"a.request", "b.request", "b.response", "a.response"}));
}

TEST(Pipeline, SuspendingFilterIsAwaitedInItsPlace) {
  std::vector<std::string> log;
  Router router;
  router.add(Method::kGet, "/x", [&log](RequestContext&) -> boost::asio::awaitable<Response> {
    log.push_back("handler");
    co_return Response::empty(200);
  });
  for (bool answer : {false, true}) {
    log.clear();
    std::vector<std::unique_ptr<Filter>> filters;
    filters.push_back(std::make_unique<Recording>("a", log));
    filters.push_back(std::make_unique<Waiting>(log, answer));
    filters.push_back(std::make_unique<Recording>("c", log));
    Pipeline pipeline(std::move(filters), router);
    auto context = context_for(router, Method::kGet, "/x");
    auto response = run(pipeline, context);
    if (answer) {
      EXPECT_EQ(response.status, 401);
      EXPECT_EQ(log, (std::vector<std::string>{"a.request", "waiting.request", "waiting.response",
                                               "a.response"}));
    } else {
      EXPECT_EQ(response.status, 200);
      EXPECT_EQ(log,
                (std::vector<std::string>{"a.request", "waiting.request", "c.request", "handler",
                                          "c.response", "waiting.response", "a.response"}));
    }
  }
}

TEST(Pipeline, ExceptionInFilterBecomes500AndOuterFiltersStillSeeTheResponse) {
  std::vector<std::string> log;
  Router router;
  router.add(Method::kGet, "/x", [](RequestContext&) -> boost::asio::awaitable<Response> {
    co_return Response::empty(200);
  });
  std::vector<std::unique_ptr<Filter>> filters;
  filters.push_back(std::make_unique<Recording>("a", log));
  filters.push_back(std::make_unique<Throwing>());
  Pipeline pipeline(std::move(filters), router);
  auto context = context_for(router, Method::kGet, "/x");
  EXPECT_EQ(run(pipeline, context).status, 500);
  EXPECT_EQ(log, (std::vector<std::string>{"a.request", "a.response"}));
}

TEST(Pipeline, ExceptionBecomes500ProblemWithRequestId) {
  Router router;
  router.add(Method::kGet, "/boom", [](RequestContext&) -> boost::asio::awaitable<Response> {
    throw std::runtime_error("secret internal detail");
    co_return Response::empty(200);
  });
  Pipeline pipeline({}, router);
  auto context = context_for(router, Method::kGet, "/boom");
  auto response = run(pipeline, context);
  EXPECT_EQ(response.status, 500);
  auto body = boost::json::parse(response.body).as_object();
  EXPECT_EQ(body["request_id"], "rid");
  EXPECT_EQ(response.body.find("secret"), std::string::npos);  // internals never leak
}

TEST(Pipeline, NotFoundMethodNotAllowedAndOptions) {
  Router router;
  router.add(Method::kGet, "/x", [](RequestContext&) -> boost::asio::awaitable<Response> {
    co_return Response::empty(200);
  });
  Pipeline pipeline({}, router);
  auto missing = context_for(router, Method::kGet, "/y");
  EXPECT_EQ(run(pipeline, missing).status, 404);
  auto wrong = context_for(router, Method::kPost, "/x");
  auto response = run(pipeline, wrong);
  EXPECT_EQ(response.status, 405);
  EXPECT_EQ(response.headers.get("Allow"), "GET, HEAD, OPTIONS");
  auto options = context_for(router, Method::kOptions, "/x");
  auto answer = run(pipeline, options);
  EXPECT_EQ(answer.status, 204);
  EXPECT_EQ(answer.headers.get("Allow"), "GET, HEAD, OPTIONS");
}

TEST(Pipeline, CorsPreflightAndDecoration) {
  Router router;
  router.add(Method::kGet, "/x", [](RequestContext&) -> boost::asio::awaitable<Response> {
    co_return Response::json(200, "{}");
  });
  core::CorsConfig cors;
  cors.allowed_origins = {"https://app.example"};
  std::vector<std::unique_ptr<Filter>> filters;
  filters.push_back(std::make_unique<CorsFilter>(cors));
  Pipeline pipeline(std::move(filters), router);

  auto preflight = context_for(router, Method::kOptions, "/x");
  preflight.request.headers.add("Origin", "https://app.example");
  preflight.request.headers.add("Access-Control-Request-Method", "GET");
  auto answer = run(pipeline, preflight);
  EXPECT_EQ(answer.status, 204);
  EXPECT_EQ(answer.headers.get("Access-Control-Allow-Origin"), "https://app.example");
  EXPECT_EQ(answer.headers.get("Access-Control-Allow-Methods"), "GET, HEAD, OPTIONS");
  EXPECT_TRUE(answer.headers.get("Access-Control-Allow-Headers"));

  auto foreign = context_for(router, Method::kOptions, "/x");
  foreign.request.headers.add("Origin", "https://evil.example");
  foreign.request.headers.add("Access-Control-Request-Method", "GET");
  auto refused = run(pipeline, foreign);
  EXPECT_EQ(refused.status, 403);
  EXPECT_FALSE(refused.headers.get("Access-Control-Allow-Origin"));

  auto simple = context_for(router, Method::kGet, "/x");
  simple.request.headers.add("Origin", "https://app.example");
  auto decorated = run(pipeline, simple);
  EXPECT_EQ(decorated.headers.get("Access-Control-Allow-Origin"), "https://app.example");
  EXPECT_EQ(decorated.headers.get("Vary"), "Origin");
}

}  // namespace
}  // namespace aic::http
