#include "cli/ai_gateway.hpp"

#include <cstdlib>

#include "core/random.hpp"

namespace aic::cli {

std::optional<std::string> environment_variable(std::string_view name) {
  const char* value = std::getenv(std::string(name).c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

std::unique_ptr<AiGateway> AiGateway::create(const core::Config& config, core::Registry& registry,
                                             store::Database& database, core::WorkerPool& workers,
                                             std::vector<core::ConfigIssue>& issues) {
  ai::Catalog catalog = ai::Catalog::load(config.ai, environment_variable, issues);
  return std::unique_ptr<AiGateway>(
      new AiGateway(config, registry, database, workers, std::move(catalog)));
}

AiGateway::AiGateway(const core::Config& config, core::Registry& registry,
                     store::Database& database, core::WorkerPool& workers, ai::Catalog catalog)
    : config_(config.ai),
      catalog_(std::move(catalog)),
      health_(static_cast<int>(config.ai.breaker_failures),
              std::chrono::duration_cast<std::chrono::milliseconds>(config.ai.breaker_cooldown)),
      usage_(database, core::system_random()),
      cache_(config.ai.cache_max_bytes,
             std::chrono::duration_cast<std::chrono::milliseconds>(config.ai.cache_ttl)) {
  http::ClientOptions options;
  options.connect_timeout =
      std::chrono::duration_cast<std::chrono::milliseconds>(config.ai.connect_timeout);
  options.total_timeout =
      std::chrono::duration_cast<std::chrono::milliseconds>(config.ai.request_timeout);
  // Providers are the operator's own configuration, and local model servers on loopback or
  // the private network are a normal case: no address policy applies to them.
  options.address_policy = http::AddressPolicy::allow_all();
  options.max_idle_per_host = 256;
  options.idle_timeout = std::chrono::seconds(60);
  options.io_threads = 1;
  options.user_agent = "aic-gateway";
  client_ = std::make_unique<http::HttpClient>(std::move(options));
  dependencies_ = std::make_unique<api::ai::GatewayDependencies>(api::ai::GatewayDependencies{
      catalog_, health_, *client_, config_, registry, usage_, cache_, workers});
}

AiGateway::~AiGateway() = default;

}  // namespace aic::cli
