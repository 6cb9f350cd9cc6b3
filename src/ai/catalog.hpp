// What the gateway can call: provider accounts, the models clients may name (with aliases and
// prices) and routes that spread one name over several models. Read from the operator's
// config file:
//
//   [[ai.providers]]
//   name = "openai-main"          # referred to by models
//   kind = "openai"               # openai | azure-openai | anthropic | gemini
//   base_url = "https://…/v1"
//   api_key_env = "OPENAI_API_KEY"  # or api_key = "…" (then keep the file private)
//   api_version = ""              # Azure api-version, Anthropic anthropic-version
//   headers = { "OpenAI-Organization" = "org-…" }
//
//   [[ai.models]]
//   name = "gpt-4o-mini"          # what clients send as `model`
//   provider = "openai-main"
//   upstream_model = "gpt-4o-mini-2024-07-18"   # default: name
//   aliases = ["fast"]
//   type = "chat"                 # chat | embeddings
//   input_price = 0.15            # USD per million tokens
//   cached_input_price = 0.075
//   output_price = 0.60
//
//   [[ai.routes]]
//   name = "smart"                # also a `model` clients may send
//   strategy = "fallback"         # fallback | weighted | least-latency | cheapest
//   targets = ["gpt-4o", "claude-sonnet"]
//   weights = [3, 1]              # weighted only
//
// Immutable after loading; safe to share between threads.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ai/chat.hpp"
#include "ai/providers/provider.hpp"
#include "core/config.hpp"

namespace aic::ai {

// Prices in micro-dollars (millionths of a US dollar) per million tokens: integers, so costs
// add up exactly.
struct Prices {
  std::int64_t input = 0;
  std::int64_t cached_input = 0;  // defaults to `input` when not configured
  std::int64_t output = 0;
  bool known = false;  // any price was configured

  // The cost of `usage` in micro-dollars, rounded half up once per request.
  std::int64_t cost(const Usage& usage) const;
};

enum class ModelType { kChat, kEmbeddings };

struct ModelEntry {
  std::string name;
  std::string provider;
  std::string upstream_model;
  std::vector<std::string> aliases;
  ModelType type = ModelType::kChat;
  Prices prices;
};

enum class RouteStrategy { kFallback, kWeighted, kLeastLatency, kCheapest };
std::string_view to_string(RouteStrategy strategy);

struct RouteEntry {
  std::string name;
  RouteStrategy strategy = RouteStrategy::kFallback;
  std::vector<std::string> targets;   // model names
  std::vector<std::int64_t> weights;  // kWeighted: one per target
  // kCheapest with a quality floor: only targets whose evaluation score for `task` reaches
  // `min_quality` (0–1), cheapest first. Empty task: price alone.
  std::string task;
  double min_quality = 0;
};

// Looks up an environment variable (provider keys named by api_key_env).
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;

class Catalog {
 public:
  // Reads AiConfig::catalog_json. Every mistake is an issue naming its path
  // ("ai.models[2].provider"); the catalog keeps the entries that are valid.
  static Catalog load(const core::AiConfig& config, const EnvLookup& env,
                      std::vector<core::ConfigIssue>& issues);
  // `base` with a tenant's own providers, models and routes from `tenant_json` (the same
  // shape as catalog_json; api_key only, no api_key_env). Issues name paths "tenant.models[1]
  // .name"; names the base already uses are issues, so the operator's entries always win.
  // The tenant's providers get `owner` = `tenant_id`.
  static Catalog extend(const Catalog& base, std::string_view tenant_json,
                        const std::string& tenant_id, std::vector<core::ConfigIssue>& issues);

  const ProviderEndpoint* provider(std::string_view name) const;
  // A model by its name or one of its aliases.
  const ModelEntry* model(std::string_view name) const;
  const RouteEntry* route(std::string_view name) const;

  const std::vector<ProviderEndpoint>& providers() const { return providers_; }
  const std::vector<ModelEntry>& models() const { return models_; }
  const std::vector<RouteEntry>& routes() const { return routes_; }
  bool empty() const { return models_.empty(); }

 private:
  std::vector<ProviderEndpoint> providers_;
  std::vector<ModelEntry> models_;
  std::vector<RouteEntry> routes_;
  std::map<std::string, std::size_t, std::less<>> model_index_;  // names and aliases

  struct Reader;
  // Adds the tables of `root` to `catalog`; `prefix` starts the issues' paths ("ai").
  static void add(Catalog& catalog, const boost::json::object& root, Reader& read,
                  const EnvLookup* env, const std::string& owner, const std::string& prefix);
};

}  // namespace aic::ai
