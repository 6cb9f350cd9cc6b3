#include "cli/ai_gateway.hpp"

#include <cstdlib>

#include "core/random.hpp"
#include "core/secret_box.hpp"
#include "http/client/address_policy.hpp"

namespace aic::cli {

std::optional<std::string> environment_variable(std::string_view name) {
  const char* value = std::getenv(std::string(name).c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

std::unique_ptr<AiGateway> AiGateway::create(const core::Config& config, core::Registry& registry,
                                             const AiGatewayServices& services,
                                             std::vector<core::ConfigIssue>& issues) {
  ai::Catalog catalog = ai::Catalog::load(config.ai, environment_variable, issues);
  std::vector<http::Cidr> tenant_allowed;
  for (const std::string& range : config.ai.tenant_allow_addresses) {
    if (auto cidr = http::parse_cidr(range)) {
      tenant_allowed.push_back(*cidr);
    } else {
      issues.push_back({"ai.tenant_allow_addresses", "",
                        "\"" + range + "\" is not an address range like 10.0.0.0/8"});
    }
  }
  return std::unique_ptr<AiGateway>(
      new AiGateway(config, registry, services, std::move(catalog), std::move(tenant_allowed)));
}

namespace {

// The master key that seals tenants' provider keys, or null when none is configured.
std::shared_ptr<const core::SecretBox> master_key_of(const core::Config& config) {
  if (config.auth.master_key.empty()) return nullptr;
  auto box = core::SecretBox::from_hex(config.auth.master_key, "auth.master_key");
  if (!box) return nullptr;  // reported by config validation; serve does not start
  return std::make_shared<const core::SecretBox>(std::move(*box));
}

http::ClientOptions client_options(const core::AiConfig& config, http::AddressPolicy policy) {
  http::ClientOptions options;
  options.connect_timeout =
      std::chrono::duration_cast<std::chrono::milliseconds>(config.connect_timeout);
  options.total_timeout =
      std::chrono::duration_cast<std::chrono::milliseconds>(config.request_timeout);
  options.address_policy = std::move(policy);
  options.max_idle_per_host = 256;
  options.idle_timeout = std::chrono::seconds(60);
  // Provider calls run on the server thread whose handler awaits them; the client's own
  // thread serves callers elsewhere (none today, but the runner interface allows it).
  options.run_on_server_threads = true;
  options.io_threads = 1;
  options.user_agent = "aic-gateway";
  return options;
}

}  // namespace

AiGateway::AiGateway(const core::Config& config, core::Registry& registry,
                     const AiGatewayServices& services, ai::Catalog catalog,
                     std::vector<http::Cidr> tenant_allowed)
    : config_(config.ai),
      catalog_(std::make_shared<const ai::Catalog>(std::move(catalog))),
      tenant_catalog_store_(
          services.database, core::system_random(), services.audit,
          ai::TenantCatalogOptions{
              catalog_, master_key_of(config),
              [allowed = http::AddressPolicy::public_only(tenant_allowed),
               public_only = http::AddressPolicy::public_only()](std::string_view host) {
                // Plain http:// only to an address literal in a range the operator allowed.
                return !allowed.refusal(host) && public_only.refusal(host).has_value();
              }}),
      tenant_catalogs_(tenant_catalog_store_, std::chrono::duration_cast<std::chrono::milliseconds>(
                                                  config.ai.tenant_refresh)),
      health_(static_cast<int>(config.ai.breaker_failures),
              std::chrono::duration_cast<std::chrono::milliseconds>(config.ai.breaker_cooldown)),
      budgets_(std::chrono::duration_cast<std::chrono::milliseconds>(config.ai.tenant_refresh)),
      budget_store_(services.database, core::system_random(), services.audit, services.events),
      usage_(services.database, core::system_random(), &budget_store_, &budgets_),
      cache_(config.ai.cache_max_bytes,
             std::chrono::duration_cast<std::chrono::milliseconds>(config.ai.cache_ttl)),
      prompts_(services.database, core::system_random(), services.audit),
      eval_store_(services.database, core::system_random(), services.audit) {
  // The operator's providers are its own configuration, and local model servers on loopback
  // or the private network are a normal case: no address policy applies to them. Tenants'
  // providers could otherwise point the server at its own network (SSRF).
  client_ = std::make_unique<http::HttpClient>(
      client_options(config.ai, http::AddressPolicy::allow_all()));
  tenant_client_ = std::make_unique<http::HttpClient>(
      client_options(config.ai, http::AddressPolicy::public_only(std::move(tenant_allowed))));
  dependencies_ = std::make_unique<api::ai::GatewayDependencies>(api::ai::GatewayDependencies{
      tenant_catalogs_, tenant_catalog_store_, health_, *client_, *tenant_client_, config_,
      registry, usage_, cache_, services.workers, budgets_, budget_store_});
  dependencies_->prompts = &prompts_;
  // model "auto" and quality floors read the tenant's evaluation leaderboard.
  dependencies_->quality_scores =
      [this](const std::string& tenant_id,
             const std::string& task) -> core::Result<std::vector<ai::QualityScore>> {
    auto board = eval_store_.leaderboard(tenant_id, task);
    if (!board) return std::move(board).error();
    std::vector<ai::QualityScore> scores;
    for (const auto& entry : *board) scores.push_back({entry.model, entry.score});
    return scores;
  };
  prompt_dependencies_ = std::make_unique<api::ai::PromptDependencies>(
      api::ai::PromptDependencies{prompts_, services.workers, services.idempotency});
  // `model: "auto"` ranks by the evaluation leaderboard of the request's task.
  dependencies_->quality_scores =
      [this](const std::string& tenant_id,
             const std::string& task) -> core::Result<std::vector<ai::QualityScore>> {
    auto ranked = eval_store_.leaderboard(tenant_id, task);
    if (!ranked) return std::move(ranked).error();
    std::vector<ai::QualityScore> scores;
    for (const auto& each : *ranked) scores.push_back({each.model, each.score});
    return scores;
  };
  eval_runner_ = std::make_unique<api::ai::EvalRunner>(eval_store_, services.workers);
  eval_dependencies_ = std::make_unique<api::ai::EvalDependencies>(
      api::ai::EvalDependencies{*dependencies_, eval_store_, *eval_runner_, services.idempotency});
}

AiGateway::~AiGateway() = default;

}  // namespace aic::cli
