// Chat completions for callers inside the server (evaluation runs, the financial engine's
// sentiment and narrative rewrites): the same routing, retries, fail-over, budgets and usage
// records as POST /v1/chat/completions, without an HTTP request. The gateway implements it
// (api/ai/gateway_routes.cpp); callers see only this interface.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <string>

#include "ai/chat.hpp"
#include "core/principal.hpp"
#include "core/result.hpp"
#include "core/worker_pool.hpp"

namespace aic::ai {

// A chat completion's answer and what it took.
struct Completion {
  ChatResponse response;
  std::string model;     // the catalogue's model that answered
  std::string provider;  // the provider account
  std::string route;     // what answered and why, as in the aic-route header
  std::int64_t cost_microdollars = 0;
  std::int64_t duration_us = 0;
};

class ChatRunner {
 public:
  virtual ~ChatRunner() = default;
  // Never streams. Errors: kNotFound (unknown model), kInvalidArgument (the request or a
  // provider refused it), kQuotaExceeded (a budget, a provider's rate limit), kUnavailable
  // (every target failed), kDeadlineExceeded.
  virtual boost::asio::awaitable<core::Result<Completion>> complete(const core::Principal& actor,
                                                                    ChatRequest request,
                                                                    std::string request_id,
                                                                    core::Deadline deadline) = 0;
};

}  // namespace aic::ai
