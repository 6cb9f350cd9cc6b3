// The financial engine's model-based paths, run through the AI gateway (ai::ChatRunner) with
// the caller's credential, so routing, budgets and usage records apply as for any chat
// completion:
//
//   - sentiment classified by a model (POST /v1/sentiment/score, method "llm");
//   - the insights narrative rewritten by a model (GET /v1/entities/{id}/insights?narrative=ai),
//     checked number by number and kept per data version; the deterministic text is the
//     fallback whenever the model fails, refuses, is over budget or changes a figure.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>
#include <vector>

#include "api/v1/entity_routes.hpp"
#include "core/principal.hpp"
#include "core/result.hpp"
#include "finance/analytics/period.hpp"
#include "http/message.hpp"
#include "http/router.hpp"

namespace aic::api::v1 {

struct ModelCall {
  const core::Principal& actor;
  std::string model;         // as the caller named it, or the configured default
  bool model_named = false;  // the caller named it (errors then point at `model_field`)
  std::string model_field;   // "/model" or "model" (a query parameter)
  std::string request_id;
  core::Deadline deadline;
};

// The answer to POST /v1/sentiment/score with method "llm": 200 with one verdict per text;
// 400 naming the model field (unknown model, no model for the task); 403 without ai:invoke;
// 502 upstream-failed when every provider failed or the model's answer is not the requested
// JSON (the detail says which); the gateway's 429 and 503 otherwise.
boost::asio::awaitable<http::Response> model_sentiment(const EntityDependencies& deps,
                                                       const ModelCall& call,
                                                       const std::vector<std::string>& texts,
                                                       const http::RequestContext& context);

// `insights` (the insights document of `entity_id`) with an "ai_summary" member: the kept or
// a new rewrite, or the deterministic summary with the reason. Errors only for what the
// caller must fix: kInvalidArgument naming the model field, kPermissionDenied without
// ai:invoke.
boost::asio::awaitable<core::Result<std::string>> with_summary_rewrite(
    const EntityDependencies& deps, const ModelCall& call, std::string_view entity_id,
    finance::PeriodLength length, std::string insights);

}  // namespace aic::api::v1
