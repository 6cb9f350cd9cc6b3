#include "ai/catalog.hpp"

#include <boost/json/parse.hpp>
#include <cmath>
#include <set>

#include "ai/formats/json_fields.hpp"

namespace aic::ai {

struct Catalog::Reader {
  std::vector<core::ConfigIssue>& issues;
  const std::string& source;

  void issue(std::string path, std::string reason) {
    issues.push_back({std::move(path), source, std::move(reason)});
  }

  // A string member; "" when absent. Wrong types are issues.
  std::string text(const boost::json::object& table, std::string_view key, const std::string& path,
                   bool required) {
    const auto* value = table.if_contains(key);
    std::string member = path + "." + std::string(key);
    if (value == nullptr) {
      if (required) issue(member, "is required");
      return {};
    }
    if (!value->is_string() || (required && value->get_string().empty())) {
      issue(member, "must be a non-empty string");
      return {};
    }
    return std::string(json::view(value->get_string()));
  }

  std::vector<std::string> texts(const boost::json::object& table, std::string_view key,
                                 const std::string& path) {
    std::vector<std::string> items;
    const auto* value = table.if_contains(key);
    if (value == nullptr) return items;
    if (!value->is_array()) {
      issue(path + "." + std::string(key), "must be an array of strings");
      return items;
    }
    for (const auto& item : value->get_array()) {
      if (!item.is_string() || item.get_string().empty()) {
        issue(path + "." + std::string(key), "must be an array of non-empty strings");
        return {};
      }
      items.emplace_back(json::view(item.get_string()));
    }
    return items;
  }

  // USD per million tokens → micro-dollars per million tokens.
  std::optional<std::int64_t> price(const boost::json::object& table, std::string_view key,
                                    const std::string& path) {
    const auto* value = table.if_contains(key);
    if (value == nullptr) return std::nullopt;
    double usd = value->is_number() ? json::as_double(*value) : -1;
    if (!(usd >= 0 && usd < 1e6)) {
      issue(path + "." + std::string(key), "must be a price in USD per million tokens (0 or more)");
      return std::nullopt;
    }
    return static_cast<std::int64_t>(std::llround(usd * 1e6));
  }

  const boost::json::array* tables(const boost::json::object& root, std::string_view key,
                                   const std::string& prefix) {
    const auto* value = root.if_contains(key);
    if (value == nullptr) return nullptr;
    if (!value->is_array()) {
      issue(prefix + "." + std::string(key), "must be an array of tables");
      return nullptr;
    }
    return &value->get_array();
  }
};

namespace {

std::optional<ProviderKind> provider_kind(std::string_view text) {
  if (text == "openai") return ProviderKind::kOpenAi;
  if (text == "azure-openai") return ProviderKind::kAzureOpenAi;
  if (text == "anthropic") return ProviderKind::kAnthropic;
  if (text == "gemini") return ProviderKind::kGemini;
  return std::nullopt;
}

std::optional<RouteStrategy> route_strategy(std::string_view text) {
  if (text == "fallback") return RouteStrategy::kFallback;
  if (text == "weighted") return RouteStrategy::kWeighted;
  if (text == "least-latency") return RouteStrategy::kLeastLatency;
  if (text == "cheapest") return RouteStrategy::kCheapest;
  return std::nullopt;
}

}  // namespace

std::int64_t Prices::cost(const Usage& usage) const {
  std::int64_t cached = std::min(usage.cached_input_tokens, usage.input_tokens);
  // Micro-dollars × tokens, then one division: exact for any real request (a million tokens
  // at $1,000 per million is 1e15). Absurd counts from a provider saturate instead of
  // overflowing.
  std::int64_t scaled = 0;
  bool overflow = false;
  for (auto [tokens, price] :
       {std::pair{usage.input_tokens - cached, input}, std::pair{cached, cached_input},
        std::pair{usage.output_tokens, output}}) {
    std::int64_t term = 0;
    overflow = overflow || __builtin_mul_overflow(tokens, price, &term) ||
               __builtin_add_overflow(scaled, term, &scaled);
  }
  if (overflow) return INT64_MAX / 1'000'000;
  return (scaled + 500'000) / 1'000'000;
}

std::string_view to_string(RouteStrategy strategy) {
  switch (strategy) {
    case RouteStrategy::kFallback:
      return "fallback";
    case RouteStrategy::kWeighted:
      return "weighted";
    case RouteStrategy::kLeastLatency:
      return "least-latency";
    case RouteStrategy::kCheapest:
      return "cheapest";
  }
  return "fallback";
}

Catalog Catalog::load(const core::AiConfig& config, const EnvLookup& env,
                      std::vector<core::ConfigIssue>& issues) {
  Catalog catalog;
  if (config.catalog_json.empty()) return catalog;
  Reader read{issues, config.catalog_source};
  boost::system::error_code error;
  boost::json::value parsed = boost::json::parse(config.catalog_json, error);
  if (error || !parsed.is_object()) {
    read.issue("ai", "the [[ai.*]] tables could not be read");
    return catalog;
  }
  add(catalog, parsed.get_object(), read, &env, "", "ai");
  return catalog;
}

Catalog Catalog::extend(const Catalog& base, std::string_view tenant_json,
                        const std::string& tenant_id, std::vector<core::ConfigIssue>& issues) {
  Catalog catalog = base;
  const std::string source = "tenant " + tenant_id;
  Reader read{issues, source};
  boost::system::error_code error;
  boost::json::value parsed = boost::json::parse(tenant_json, error);
  if (error || !parsed.is_object()) {
    read.issue("tenant", "the tenant's providers and routes could not be read");
    return catalog;
  }
  add(catalog, parsed.get_object(), read, nullptr, tenant_id, "tenant");
  return catalog;
}

void Catalog::add(Catalog& catalog, const boost::json::object& root, Reader& read,
                  const EnvLookup* env, const std::string& owner, const std::string& prefix) {
  if (const auto* providers = read.tables(root, "providers", prefix)) {
    for (std::size_t i = 0; i < providers->size(); ++i) {
      std::string path = prefix + ".providers[" + std::to_string(i) + "]";
      if (!(*providers)[i].is_object()) continue;
      const auto& table = (*providers)[i].get_object();
      ProviderEndpoint endpoint;
      endpoint.name = read.text(table, "name", path, true);
      std::string kind = read.text(table, "kind", path, true);
      endpoint.base_url = read.text(table, "base_url", path, true);
      endpoint.api_version = read.text(table, "api_version", path, false);
      std::string key_env = env != nullptr ? read.text(table, "api_key_env", path, false) : "";
      endpoint.api_key = read.text(table, "api_key", path, false);
      for (const auto& [key, value] : table) {
        static const std::set<std::string, std::less<>> kKnown = {
            "name", "kind", "base_url", "api_version", "api_key_env", "api_key", "headers"};
        std::string_view name(key.data(), key.size());
        if (!kKnown.contains(name) || (env == nullptr && name == "api_key_env")) {
          read.issue(path + "." + std::string(key.data(), key.size()), "unknown key");
        }
      }
      auto parsed_kind = provider_kind(kind);
      if (!kind.empty() && !parsed_kind) {
        read.issue(path + ".kind", "must be openai, azure-openai, anthropic or gemini");
      }
      while (endpoint.base_url.ends_with('/')) endpoint.base_url.pop_back();
      if (!endpoint.base_url.empty() && !endpoint.base_url.starts_with("http://") &&
          !endpoint.base_url.starts_with("https://")) {
        read.issue(path + ".base_url", "must be an http:// or https:// URL");
        continue;
      }
      if (!key_env.empty()) {
        if (!endpoint.api_key.empty()) {
          read.issue(path + ".api_key_env", "set api_key or api_key_env, not both");
        } else if (auto value = (*env)(key_env); value && !value->empty()) {
          endpoint.api_key = *value;
        } else {
          read.issue(path + ".api_key_env", "the environment variable " + key_env + " is not set");
        }
      }
      if (const auto* headers = table.if_contains("headers")) {
        if (!headers->is_object()) {
          read.issue(path + ".headers", "must be a table of header names and values");
        } else {
          for (const auto& [name, value] : headers->get_object()) {
            if (!value.is_string()) {
              read.issue(path + ".headers." + std::string(name.data(), name.size()),
                         "must be a string");
              continue;
            }
            endpoint.extra_headers.emplace_back(std::string(name.data(), name.size()),
                                                std::string(json::view(value.get_string())));
          }
        }
      }
      if (endpoint.name.empty() || !parsed_kind || endpoint.base_url.empty()) continue;
      if (catalog.provider(endpoint.name) != nullptr) {
        read.issue(path + ".name", "provider \"" + endpoint.name + "\" is defined twice");
        continue;
      }
      endpoint.kind = *parsed_kind;
      endpoint.owner = owner;
      catalog.providers_.push_back(std::move(endpoint));
    }
  }

  if (const auto* models = read.tables(root, "models", prefix)) {
    for (std::size_t i = 0; i < models->size(); ++i) {
      std::string path = prefix + ".models[" + std::to_string(i) + "]";
      if (!(*models)[i].is_object()) continue;
      const auto& table = (*models)[i].get_object();
      ModelEntry model;
      model.name = read.text(table, "name", path, true);
      model.provider = read.text(table, "provider", path, true);
      model.upstream_model = read.text(table, "upstream_model", path, false);
      if (model.upstream_model.empty()) model.upstream_model = model.name;
      model.aliases = read.texts(table, "aliases", path);
      std::string type = read.text(table, "type", path, false);
      if (type == "embeddings") {
        model.type = ModelType::kEmbeddings;
      } else if (!type.empty() && type != "chat") {
        read.issue(path + ".type", "must be chat or embeddings");
      }
      auto input = read.price(table, "input_price", path);
      auto cached = read.price(table, "cached_input_price", path);
      auto output = read.price(table, "output_price", path);
      model.prices.known = input || cached || output;
      model.prices.input = input.value_or(0);
      model.prices.cached_input = cached.value_or(model.prices.input);
      model.prices.output = output.value_or(0);
      for (const auto& [key, value] : table) {
        static const std::set<std::string, std::less<>> kKnown = {
            "name", "provider",    "upstream_model",     "aliases",
            "type", "input_price", "cached_input_price", "output_price"};
        if (!kKnown.contains(std::string_view(key.data(), key.size()))) {
          read.issue(path + "." + std::string(key.data(), key.size()), "unknown key");
        }
      }
      if (model.name.empty() || model.provider.empty()) continue;
      const ProviderEndpoint* provider = catalog.provider(model.provider);
      if (provider == nullptr) {
        read.issue(path + ".provider", "no provider is named \"" + model.provider + "\"");
        continue;
      }
      if (provider->owner != owner) {
        // A tenant's models run on its own providers only (they carry its keys).
        read.issue(path + ".provider",
                   "the provider \"" + model.provider + "\" is not the tenant's");
        continue;
      }
      bool clash = false;
      std::vector<std::string> names = model.aliases;
      names.push_back(model.name);
      for (const auto& name : names) {
        if (name == "auto" || catalog.model_index_.contains(name)) {
          read.issue(path + ".name", "the model name or alias \"" + name + "\" is already taken");
          clash = true;
        }
      }
      if (clash) continue;
      for (const auto& name : names) catalog.model_index_.emplace(name, catalog.models_.size());
      catalog.models_.push_back(std::move(model));
    }
  }

  if (const auto* routes = read.tables(root, "routes", prefix)) {
    for (std::size_t i = 0; i < routes->size(); ++i) {
      std::string path = prefix + ".routes[" + std::to_string(i) + "]";
      if (!(*routes)[i].is_object()) continue;
      const auto& table = (*routes)[i].get_object();
      RouteEntry route;
      route.name = read.text(table, "name", path, true);
      std::string strategy = read.text(table, "strategy", path, false);
      route.targets = read.texts(table, "targets", path);
      if (auto parsed_strategy = route_strategy(strategy.empty() ? "fallback" : strategy)) {
        route.strategy = *parsed_strategy;
      } else {
        read.issue(path + ".strategy", "must be fallback, weighted, least-latency or cheapest");
        continue;
      }
      bool valid = !route.name.empty();
      if (route.targets.empty()) {
        read.issue(path + ".targets", "must name at least one model");
        valid = false;
      }
      std::optional<ModelType> type;
      for (const auto& target : route.targets) {
        const ModelEntry* model = catalog.model(target);
        if (model == nullptr) {
          read.issue(path + ".targets", "no model is named \"" + target + "\"");
          valid = false;
        } else if (type && *type != model->type) {
          read.issue(path + ".targets", "mixes chat and embedding models");
          valid = false;
        } else {
          type = model->type;
        }
      }
      if (const auto* task = table.if_contains("task")) {
        route.task = read.text(table, "task", path, false);
        const auto* floor = table.if_contains("min_quality");
        double value = floor != nullptr && floor->is_number() ? json::as_double(*floor) : -1;
        if (route.strategy != RouteStrategy::kCheapest) {
          read.issue(path + ".task", "a quality floor needs the cheapest strategy");
          valid = false;
        } else if (route.task.empty() || !task->is_string()) {
          valid = false;
        } else if (!(value >= 0 && value <= 1)) {
          read.issue(path + ".min_quality", "must be a score from 0 to 1 (with task)");
          valid = false;
        } else {
          route.min_quality = value;
        }
      } else if (table.contains("min_quality")) {
        read.issue(path + ".min_quality", "needs task: the evaluations' task it is measured on");
        valid = false;
      }
      if (const auto* weights = table.if_contains("weights")) {
        bool ok = weights->is_array() && weights->get_array().size() == route.targets.size();
        if (ok) {
          for (const auto& weight : weights->get_array()) {
            ok = ok && weight.is_int64() && weight.get_int64() > 0;
            if (ok) route.weights.push_back(weight.get_int64());
          }
        }
        if (!ok) {
          read.issue(path + ".weights", "must be one positive integer per target");
          valid = false;
        }
      } else if (route.strategy == RouteStrategy::kWeighted) {
        read.issue(path + ".weights", "is required for the weighted strategy");
        valid = false;
      }
      if (!valid) continue;
      if (route.name == "auto" || catalog.model_index_.contains(route.name) ||
          catalog.route(route.name) != nullptr) {
        read.issue(path + ".name", "the name \"" + route.name + "\" is already taken");
        continue;
      }
      catalog.routes_.push_back(std::move(route));
    }
  }
}

const ProviderEndpoint* Catalog::provider(std::string_view name) const {
  for (const auto& provider : providers_) {
    if (provider.name == name) return &provider;
  }
  return nullptr;
}

const ModelEntry* Catalog::model(std::string_view name) const {
  auto found = model_index_.find(name);
  return found == model_index_.end() ? nullptr : &models_[found->second];
}

const RouteEntry* Catalog::route(std::string_view name) const {
  for (const auto& route : routes_) {
    if (route.name == name) return &route;
  }
  return nullptr;
}

}  // namespace aic::ai
