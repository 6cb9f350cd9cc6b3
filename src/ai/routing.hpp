// Which targets (a model at a provider) answer a request, in which order, and whether a
// target is healthy enough to try.
//
// A request names a model, an alias or a route. A model is one target; a route orders its
// targets by its strategy: fallback (as listed), weighted (one drawn by weight first, the
// rest by weight as fallbacks), least-latency (lowest observed latency first; targets not
// yet measured first, so they get measured), cheapest (lowest price first). The plan says
// why, for the aic-route header and the request log.
//
// TargetHealth is shared by every request: per target a circuit breaker (open after N
// consecutive failures, one probe after the cooldown, closed by a success) and an
// exponentially weighted moving average of latency. Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ai/catalog.hpp"
#include "core/result.hpp"

namespace aic::ai {

struct Target {
  const ModelEntry* model = nullptr;
  const ProviderEndpoint* provider = nullptr;

  // Names the target in health and logs; a tenant's providers are told apart by their owner.
  std::string key() const {
    return (provider->owner.empty() ? "" : provider->owner + ":") + provider->name + "/" +
           model->upstream_model;
  }
};

class TargetHealth;

struct RoutePlan {
  std::vector<Target> targets;  // in the order to try them
  std::string route;            // the route's name, or "" for a single model
  RouteStrategy strategy = RouteStrategy::kFallback;
  std::string reason;  // one line: what was chosen and why
};

// The plan for `requested` (model, alias or route) of `type`. kNotFound naming `model` when
// nothing has the name; kInvalidArgument when it names a model of the other type. `draw` is
// a uniformly random number for the weighted strategy.
core::Result<RoutePlan> plan_route(const Catalog& catalog, std::string_view requested,
                                   ModelType type, const TargetHealth& health, std::uint64_t draw);

// A model's measured quality for one task: its mean score (0–1) in evaluation runs.
struct QualityScore {
  std::string model;  // the catalogue's name
  double score = 0;
};

// The plan for `model: "auto"`: among the chat models with a score for `task`, those at or
// above `floor`, cheapest first (input + output price per million tokens; then the higher
// score, then the lower latency), open breakers last. kInvalidArgument naming
// `metadata.aic_task` when no model of the catalogue has a score for the task, and
// `metadata.aic_min_quality` when none reaches the floor.
core::Result<RoutePlan> plan_auto(const Catalog& catalog, std::string_view task,
                                  const std::vector<QualityScore>& scores, double floor,
                                  const TargetHealth& health);

class TargetHealth {
 public:
  using Clock = std::chrono::steady_clock;

  TargetHealth(int failures_to_open, std::chrono::milliseconds cooldown)
      : failures_to_open_(failures_to_open), cooldown_(cooldown) {}

  // Whether a request may go to `key` now. While the breaker is open: no, until the
  // cooldown has passed; then one caller is let through as the probe (half-open) and the
  // rest wait for its outcome. `why` says why not.
  bool admit(const std::string& key, Clock::time_point now, std::string& why);
  void succeeded(const std::string& key, std::chrono::microseconds latency);
  // An admitted request was not sent after all (the target cannot express it): frees the
  // half-open probe slot without judging the target.
  void release(const std::string& key);
  // A failure that says the target is unwell (connection error, timeout, 429, 5xx).
  void failed(const std::string& key, Clock::time_point now);

  // Latency EWMA in microseconds; nullopt before the first success.
  std::optional<double> latency_us(const std::string& key) const;
  bool is_open(const std::string& key) const;

 private:
  struct State {
    int consecutive_failures = 0;
    std::optional<Clock::time_point> open_until;  // set: the breaker is open
    bool probing = false;                         // the half-open probe is out
    std::optional<double> latency_us;
  };

  int failures_to_open_;
  std::chrono::milliseconds cooldown_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, State> states_;
};

}  // namespace aic::ai
