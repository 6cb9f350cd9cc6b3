#include "api/v1/finance_ai.hpp"

#include <boost/json.hpp>

#include "api/v1/route_support.hpp"
#include "core/json_writer.hpp"
#include "core/logging.hpp"
#include "core/utc_time.hpp"
#include "finance/insights/summary_rewrite.hpp"
#include "finance/sentiment/model_sentiment.hpp"
#include "http/problem.hpp"
#include "identity/permissions.hpp"

namespace aic::api::v1 {
namespace {

namespace asio = boost::asio;
using core::Error;
using core::ErrorCode;

std::shared_ptr<aic::ai::ChatRunner> runner_of(const EntityDependencies& deps) {
  return deps.chat != nullptr ? *deps.chat : nullptr;
}

core::Status may_call_models(const core::Principal& actor, std::string_view what) {
  if (actor.has(identity::permission::kAiInvoke)) return {};
  return Error::make(ErrorCode::kPermissionDenied,
                     std::string(what) + " calls the AI gateway and needs the permission " +
                         std::string(identity::permission::kAiInvoke));
}

// The gateway's errors that the caller must fix — an unknown model, one of the wrong type,
// "auto" without evaluation scores for the task — as a 400 naming the request's model field.
// nullopt for the rest (providers failing, budgets, timeouts).
std::optional<Error> caller_fault(const Error& error, const ModelCall& call, std::string_view task,
                                  std::string_view config_key) {
  const bool about_model = error.code == ErrorCode::kNotFound ||
                           (error.code == ErrorCode::kInvalidArgument &&
                            (error.field == "model" || error.field.starts_with("metadata.aic_")));
  if (!about_model) return std::nullopt;
  std::string message = error.message;
  if (!call.model_named && call.model == "auto") {
    message = "no model is set for the task " + std::string(task) + " (" + error.message +
              "): name one here, set " + std::string(config_key) +
              ", or run an evaluation for the task " + std::string(task) +
              " so that \"auto\" can choose";
  }
  return Error::invalid(std::move(message), call.model_field);
}

// 502 upstream-failed, as the gateway's own routes answer it, with the reason in the detail:
// the providers' messages and what was wrong with a model's answer are the client's to see.
http::Response upstream_failed(std::string_view detail, const http::RequestContext& context) {
  std::string body;
  core::JsonWriter json(body);
  json.begin_object();
  json.member("type", "urn:aic:problem:upstream-failed");
  json.member("title", "Model provider failed");
  json.member("status", std::int64_t{502});
  json.member("detail", detail);
  json.member("request_id", context.request_id);
  json.end_object();
  return http::Response::make(502, std::move(body), http::kProblemContentType);
}

}  // namespace

asio::awaitable<http::Response> model_sentiment(const EntityDependencies& deps,
                                                const ModelCall& call,
                                                const std::vector<std::string>& texts,
                                                const http::RequestContext& context) {
  if (auto allowed = may_call_models(call.actor, "method \"llm\""); !allowed)
    co_return error_response(allowed.error(), context);
  std::shared_ptr<aic::ai::ChatRunner> runner = runner_of(deps);
  if (!runner) co_return upstream_failed("the AI gateway is not running on this server", context);
  auto done = co_await runner->complete(
      call.actor, finance::sentiment::model_sentiment_request(texts, call.model), call.request_id,
      call.deadline);
  if (!done) {
    const Error& error = done.error();
    if (auto fault = caller_fault(error, call, "sentiment", "ai.sentiment_model"))
      co_return error_response(*fault, context);
    if (error.code == ErrorCode::kUnavailable) co_return upstream_failed(error.message, context);
    co_return error_response(error, context);
  }
  if (!done->response.refusal.empty()) {
    co_return upstream_failed("the model refused to classify the texts: " + done->response.refusal,
                              context);
  }
  auto verdicts = finance::sentiment::read_model_sentiment(done->response.text, texts.size());
  if (!verdicts) co_return upstream_failed(verdicts.error().message, context);

  std::string out;
  core::JsonWriter json(out);
  json.begin_object();
  json.member("method", "llm");
  json.member("model", done->model);
  json.member("route", done->route);
  json.member("cost_microdollars", done->cost_microdollars);
  json.key("results");
  json.begin_array();
  for (const finance::sentiment::ModelVerdict& verdict : *verdicts) {
    json.begin_object();
    json.member("label", finance::sentiment::to_string(verdict.label));
    json.key("score");
    json.number(verdict.score, 3);
    json.key("evidence");
    json.begin_array();
    for (const std::string& phrase : verdict.evidence) {
      json.begin_object();
      json.member("terms", phrase);
      json.end_object();
    }
    json.end_array();
    json.end_object();
  }
  json.end_array();
  json.end_object();
  co_return http::Response::json(200, std::move(out));
}

asio::awaitable<core::Result<std::string>> with_summary_rewrite(const EntityDependencies& deps,
                                                                const ModelCall& call,
                                                                std::string_view entity_id,
                                                                finance::PeriodLength length,
                                                                std::string insights) {
  if (auto allowed = may_call_models(call.actor, "narrative=ai"); !allowed)
    co_return std::move(allowed).error();

  // What the rewrite starts from: our own document, so its shape is known.
  boost::system::error_code parse_error;
  boost::json::value document = boost::json::parse(insights, parse_error);
  if (parse_error || !document.is_object()) {
    co_return Error::make(ErrorCode::kInternal, "the insights document is not a JSON object");
  }
  const boost::json::object& members = document.get_object();
  auto text_of = [&](std::string_view key) {
    const boost::json::value* value = members.if_contains(key);
    return value != nullptr && value->is_string() ? std::string(value->get_string()) : "";
  };
  const std::string name = text_of("name");
  const std::string data_version = text_of("data_version");
  const std::string deterministic = text_of("summary");
  std::vector<std::string> facts;
  if (const boost::json::value* narrative = members.if_contains("narrative");
      narrative != nullptr && narrative->is_array()) {
    for (const boost::json::value& message : narrative->get_array()) {
      if (!message.is_object()) continue;
      if (const boost::json::value* text = message.get_object().if_contains("text");
          text != nullptr && text->is_string()) {
        facts.emplace_back(text->get_string());
      }
    }
  }

  auto kept = co_await deps.workers.run(call.deadline, [&] {
    return deps.entities.kept_summary_rewrite(call.actor, entity_id, length, call.model,
                                              data_version);
  });
  if (!kept) co_return std::move(kept).error();

  std::optional<finance::EntityStore::SummaryRewrite> rewrite = std::move(*kept);
  const bool was_kept = rewrite.has_value();
  std::string reason;  // why the deterministic summary stands, when it does
  std::shared_ptr<aic::ai::ChatRunner> runner = runner_of(deps);
  if (!rewrite && facts.empty()) {
    reason = "the analysis has no sentences to rewrite";
  } else if (!rewrite && !runner) {
    reason = "the AI gateway is not running on this server";
  } else if (!rewrite) {
    auto done = co_await runner->complete(call.actor,
                                          finance::summary_rewrite_request(name, facts, call.model),
                                          call.request_id, call.deadline);
    if (!done) {
      if (auto fault = caller_fault(done.error(), call, "narrative", "ai.narrative_model"))
        co_return std::move(*fault);
      reason = done.error().message;
    } else if (!done->response.refusal.empty()) {
      reason = "the model refused: " + done->response.refusal;
    } else if (auto checked = finance::check_summary_rewrite(done->response.text, name, facts);
               !checked) {
      reason = checked.error().message;
    } else {
      rewrite = finance::EntityStore::SummaryRewrite{data_version, std::move(*checked), done->model,
                                                     done->route, core::utc_now_millis()};
      auto stored = co_await deps.workers.run(call.deadline, [&] {
        return deps.entities.keep_summary_rewrite(call.actor, entity_id, length, call.model,
                                                  *rewrite);
      });
      // Not kept: the next request pays for another rewrite; this one is still good.
      if (!stored) core::log_warn("summary rewrite not kept: " + stored.error().message);
    }
  }

  std::string member;
  core::JsonWriter json(member);
  json.begin_object();
  json.member("requested_model", call.model);
  if (rewrite) {
    json.member("status", "rewritten");
    json.member("text", rewrite->text);
    json.member("model", rewrite->model);
    json.member("route", rewrite->route);
    json.member("written_at", rewrite->written_at);
    json.member("kept", was_kept);
  } else {
    json.member("status", "fallback");
    json.member("text", deterministic);
    json.member("reason", reason);
  }
  json.end_object();
  // The document is our own object: the new member goes before its closing brace.
  const std::size_t end = insights.rfind('}');
  if (end == std::string::npos) {
    co_return Error::make(ErrorCode::kInternal, "the insights document is not a JSON object");
  }
  insights.insert(end, ",\"ai_summary\":" + member);
  co_return insights;
}

}  // namespace aic::api::v1
