// The AI gateway as the server runs it: the catalogue from the configuration, target health,
// and an outbound HTTP client for the providers, bundled as the routes' dependencies.
#pragma once

#include <memory>
#include <vector>

#include "ai/catalog.hpp"
#include "ai/usage_log.hpp"
#include "api/ai/gateway_routes.hpp"
#include "core/config.hpp"
#include "core/metrics.hpp"
#include "core/worker_pool.hpp"
#include "store/database.hpp"

namespace aic::cli {

// Provider keys named by api_key_env, from the process environment.
std::optional<std::string> environment_variable(std::string_view name);

class AiGateway {
 public:
  // Problems in the [[ai.*]] tables are appended to `issues`; the gateway keeps the valid
  // entries.
  static std::unique_ptr<AiGateway> create(const core::Config& config, core::Registry& registry,
                                           store::Database& database, core::WorkerPool& workers,
                                           std::vector<core::ConfigIssue>& issues);
  ~AiGateway();

  api::ai::GatewayDependencies& dependencies() { return *dependencies_; }
  const ai::Catalog& catalog() const { return catalog_; }
  ai::UsageLog& usage() { return usage_; }
  ai::ResponseCache& cache() { return cache_; }

 private:
  AiGateway(const core::Config& config, core::Registry& registry, store::Database& database,
            core::WorkerPool& workers, ai::Catalog catalog);

  core::AiConfig config_;
  ai::Catalog catalog_;
  ai::TargetHealth health_;
  ai::UsageLog usage_;
  ai::ResponseCache cache_;
  std::unique_ptr<http::HttpClient> client_;
  std::unique_ptr<api::ai::GatewayDependencies> dependencies_;
};

}  // namespace aic::cli
