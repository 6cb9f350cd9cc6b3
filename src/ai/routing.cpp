#include "ai/routing.hpp"

#include <algorithm>
#include <cstdio>
#include <numeric>

namespace aic::ai {

namespace {

constexpr double kLatencyWeight = 0.2;  // weight of the newest sample in the moving average

std::string describe_targets(const std::vector<Target>& targets) {
  std::string text;
  for (const auto& target : targets) {
    if (!text.empty()) text += ", ";
    text += target.model->name;
  }
  return text;
}

}  // namespace

core::Result<RoutePlan> plan_route(const Catalog& catalog, std::string_view requested,
                                   ModelType type, const TargetHealth& health, std::uint64_t draw) {
  auto target_of = [&](const ModelEntry& model) {
    return Target{&model, catalog.provider(model.provider)};
  };
  auto wrong_type = [&](std::string_view name) {
    return core::Error::invalid(
        "`model` \"" + std::string(name) + "\" is " +
            (type == ModelType::kChat ? "an embedding model, not a chat model"
                                      : "a chat model, not an embedding model"),
        "model");
  };
  RoutePlan plan;
  if (const ModelEntry* model = catalog.model(requested)) {
    if (model->type != type) return wrong_type(requested);
    plan.targets.push_back(target_of(*model));
    plan.reason = model->name == requested
                      ? "model " + model->name
                      : "alias " + std::string(requested) + " of " + model->name;
    return plan;
  }
  const RouteEntry* route = catalog.route(requested);
  if (route == nullptr) {
    return core::Error{
        core::ErrorCode::kNotFound,
        "`model` \"" + std::string(requested) +
            "\" is not a model, alias or route of this gateway (GET /v1/models lists them)",
        "model",
        {},
        {},
        {}};
  }
  plan.route = route->name;
  plan.strategy = route->strategy;
  for (const auto& name : route->targets) {
    const ModelEntry* model = catalog.model(name);
    if (model->type != type) return wrong_type(requested);
    plan.targets.push_back(target_of(*model));
  }
  std::string why;
  switch (route->strategy) {
    case RouteStrategy::kFallback:
      why = "in the configured order";
      break;
    case RouteStrategy::kWeighted: {
      // Draw the first target by weight; the others follow by weight, heaviest first.
      std::int64_t total =
          std::accumulate(route->weights.begin(), route->weights.end(), std::int64_t{0});
      std::int64_t point = static_cast<std::int64_t>(draw % static_cast<std::uint64_t>(total));
      std::size_t chosen = 0;
      for (; chosen + 1 < route->weights.size() && point >= route->weights[chosen]; ++chosen) {
        point -= route->weights[chosen];
      }
      std::vector<std::size_t> order(plan.targets.size());
      std::iota(order.begin(), order.end(), 0);
      std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        if ((a == chosen) != (b == chosen)) return a == chosen;
        return route->weights[a] > route->weights[b];
      });
      std::vector<Target> ordered;
      for (std::size_t index : order) ordered.push_back(plan.targets[index]);
      plan.targets = std::move(ordered);
      why = "drawn by weight (" + std::to_string(route->weights[chosen]) + " of " +
            std::to_string(total) + ")";
      break;
    }
    case RouteStrategy::kLeastLatency: {
      std::stable_sort(
          plan.targets.begin(), plan.targets.end(), [&](const Target& a, const Target& b) {
            return health.latency_us(a.key()).value_or(0) < health.latency_us(b.key()).value_or(0);
          });
      auto first = health.latency_us(plan.targets.front().key());
      why = first ? "lowest average latency (" +
                        std::to_string(static_cast<std::int64_t>(*first / 1000)) + " ms)"
                  : "not measured yet";
      break;
    }
    case RouteStrategy::kCheapest: {
      auto price = [](const Target& target) {
        return target.model->prices.input + target.model->prices.output;
      };
      std::stable_sort(plan.targets.begin(), plan.targets.end(),
                       [&](const Target& a, const Target& b) { return price(a) < price(b); });
      why = "lowest price (input + output per million tokens)";
      break;
    }
  }
  // Targets whose breaker is open go last: still a fallback if everything else fails.
  std::stable_partition(plan.targets.begin(), plan.targets.end(),
                        [&](const Target& target) { return !health.is_open(target.key()); });
  plan.reason = "route " + route->name + " (" + std::string(to_string(route->strategy)) +
                "): " + plan.targets.front().model->name + " " + why + "; order " +
                describe_targets(plan.targets);
  return plan;
}

core::Result<RoutePlan> plan_auto(const Catalog& catalog, std::string_view task,
                                  const std::vector<QualityScore>& scores, double floor,
                                  const TargetHealth& health) {
  struct Candidate {
    Target target;
    double score = 0;
  };
  std::vector<Candidate> scored;
  for (const QualityScore& quality : scores) {
    const ModelEntry* model = catalog.model(quality.model);
    if (model == nullptr || model->type != ModelType::kChat || model->name != quality.model)
      continue;
    const ProviderEndpoint* provider = catalog.provider(model->provider);
    if (provider == nullptr) continue;
    scored.push_back({Target{model, provider}, quality.score});
  }
  if (scored.empty()) {
    return core::Error::invalid("no model this caller may use has evaluation results for task \"" +
                                    std::string(task) +
                                    "\": run an evaluation of that task (POST /v1/ai/evals) "
                                    "or name a model",
                                "metadata.aic_task");
  }
  std::vector<Candidate> eligible;
  const Candidate* best = &scored.front();
  for (const Candidate& candidate : scored) {
    if (candidate.score > best->score) best = &candidate;
    if (candidate.score >= floor) eligible.push_back(candidate);
  }
  char number[32];
  auto format = [&](double value) {
    std::snprintf(number, sizeof number, "%.2f", value);
    return std::string(number);
  };
  if (eligible.empty()) {
    return core::Error::invalid("no model reaches quality " + format(floor) + " for task \"" +
                                    std::string(task) + "\" (the best is " +
                                    best->target.model->name + " at " + format(best->score) + ")",
                                "metadata.aic_min_quality");
  }
  auto price = [](const Candidate& candidate) {
    return candidate.target.model->prices.input + candidate.target.model->prices.output;
  };
  std::stable_sort(eligible.begin(), eligible.end(), [&](const Candidate& a, const Candidate& b) {
    if (price(a) != price(b)) return price(a) < price(b);
    if (a.score != b.score) return a.score > b.score;
    return health.latency_us(a.target.key()).value_or(0) <
           health.latency_us(b.target.key()).value_or(0);
  });
  std::stable_partition(eligible.begin(), eligible.end(), [&](const Candidate& candidate) {
    return !health.is_open(candidate.target.key());
  });
  RoutePlan plan;
  plan.route = "auto";
  plan.strategy = RouteStrategy::kCheapest;
  for (const Candidate& candidate : eligible) plan.targets.push_back(candidate.target);
  const Candidate& chosen = eligible.front();
  plan.reason = "auto for task " + std::string(task) + ": " + std::to_string(eligible.size()) +
                " of " + std::to_string(scored.size()) + " evaluated models reach quality " +
                format(floor) + "; " + chosen.target.model->name + " (score " +
                format(chosen.score) + ") is the cheapest; order " + describe_targets(plan.targets);
  return plan;
}

bool TargetHealth::admit(const std::string& key, Clock::time_point now, std::string& why) {
  std::lock_guard lock(mutex_);
  auto found = states_.find(key);
  if (found == states_.end() || !found->second.open_until) return true;
  State& state = found->second;
  if (now < *state.open_until) {
    why = "circuit open after " + std::to_string(state.consecutive_failures) +
          " consecutive failures";
    return false;
  }
  if (state.probing) {
    why = "circuit half-open, a probe request is in flight";
    return false;
  }
  state.probing = true;
  return true;
}

void TargetHealth::succeeded(const std::string& key, std::chrono::microseconds latency) {
  std::lock_guard lock(mutex_);
  State& state = states_[key];
  state.consecutive_failures = 0;
  state.open_until.reset();
  state.probing = false;
  double sample = static_cast<double>(latency.count());
  state.latency_us =
      state.latency_us ? *state.latency_us + kLatencyWeight * (sample - *state.latency_us) : sample;
}

void TargetHealth::release(const std::string& key) {
  std::lock_guard lock(mutex_);
  auto found = states_.find(key);
  if (found != states_.end()) found->second.probing = false;
}

void TargetHealth::failed(const std::string& key, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  State& state = states_[key];
  ++state.consecutive_failures;
  if (state.probing || state.consecutive_failures >= failures_to_open_) {
    state.open_until = now + cooldown_;
  }
  state.probing = false;
}

std::optional<double> TargetHealth::latency_us(const std::string& key) const {
  std::lock_guard lock(mutex_);
  auto found = states_.find(key);
  return found == states_.end() ? std::nullopt : found->second.latency_us;
}

bool TargetHealth::is_open(const std::string& key) const {
  std::lock_guard lock(mutex_);
  auto found = states_.find(key);
  return found != states_.end() && found->second.open_until.has_value();
}

}  // namespace aic::ai
