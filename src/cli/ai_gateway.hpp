// The AI gateway as the server runs it: the catalogue from the configuration, target health,
// and an outbound HTTP client for the providers, bundled as the routes' dependencies.
#pragma once

#include <memory>
#include <vector>

#include "ai/budget.hpp"
#include "ai/budget_store.hpp"
#include "ai/catalog.hpp"
#include "ai/evals/eval_store.hpp"
#include "ai/prompts/prompt_store.hpp"
#include "ai/tenant_catalog.hpp"
#include "ai/usage_log.hpp"
#include "api/ai/eval_routes.hpp"
#include "api/ai/gateway_routes.hpp"
#include "api/ai/prompt_routes.hpp"
#include "api/idempotency.hpp"
#include "audit/audit_log.hpp"
#include "core/config.hpp"
#include "core/metrics.hpp"
#include "core/worker_pool.hpp"
#include "events/event_log.hpp"
#include "store/database.hpp"

namespace aic::cli {

// Provider keys named by api_key_env, from the process environment.
std::optional<std::string> environment_variable(std::string_view name);

// What the gateway shares with the rest of the server.
struct AiGatewayServices {
  store::Database& database;
  core::WorkerPool& workers;  // database calls of the routes
  audit::AuditLog& audit;
  events::EventLog& events;
  api::Idempotency& idempotency;  // Idempotency-Key on the POSTs of the prompt routes
};

class AiGateway {
 public:
  // Problems in the [[ai.*]] tables are appended to `issues`; the gateway keeps the valid
  // entries.
  static std::unique_ptr<AiGateway> create(const core::Config& config, core::Registry& registry,
                                           const AiGatewayServices& services,
                                           std::vector<core::ConfigIssue>& issues);
  ~AiGateway();

  api::ai::GatewayDependencies& dependencies() { return *dependencies_; }
  const ai::Catalog& catalog() const { return *catalog_; }
  ai::TenantCatalogs& tenant_catalogs() { return tenant_catalogs_; }
  ai::UsageLog& usage() { return usage_; }
  ai::BudgetLedger& budgets() { return budgets_; }
  ai::ResponseCache& cache() { return cache_; }
  ai::PromptStore& prompts() { return prompts_; }
  api::ai::PromptDependencies& prompt_dependencies() { return *prompt_dependencies_; }
  ai::evals::EvalStore& evals() { return eval_store_; }
  api::ai::EvalDependencies& eval_dependencies() { return *eval_dependencies_; }

 private:
  AiGateway(const core::Config& config, core::Registry& registry, const AiGatewayServices& services,
            ai::Catalog catalog, std::vector<http::Cidr> tenant_allowed);

  core::AiConfig config_;
  std::shared_ptr<const ai::Catalog> catalog_;  // the operator's
  ai::TenantCatalogStore tenant_catalog_store_;
  ai::TenantCatalogs tenant_catalogs_;
  ai::TargetHealth health_;
  ai::BudgetLedger budgets_;
  ai::BudgetStore budget_store_;
  ai::UsageLog usage_;  // after the budgets: its writer thread uses them
  ai::ResponseCache cache_;
  ai::PromptStore prompts_;
  ai::evals::EvalStore eval_store_;
  std::unique_ptr<http::HttpClient> client_;         // the operator's providers
  std::unique_ptr<http::HttpClient> tenant_client_;  // tenants' providers: address-restricted
  std::unique_ptr<api::ai::GatewayDependencies> dependencies_;
  std::unique_ptr<api::ai::PromptDependencies> prompt_dependencies_;
  // After the store: on destruction it marks the runs the server stopped executing failed.
  std::unique_ptr<api::ai::EvalRunner> eval_runner_;
  std::unique_ptr<api::ai::EvalDependencies> eval_dependencies_;
};

}  // namespace aic::cli
