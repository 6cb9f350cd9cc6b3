// `aic admin …`: operations an operator runs against the database directly, before any
// credential exists (bootstrap) or from a shell on the host.
#include <boost/json.hpp>
#include <iostream>

#include "audit/audit_log.hpp"
#include "cli/app.hpp"
#include "core/random.hpp"
#include "events/event_log.hpp"
#include "finance/demo/demo_data.hpp"
#include "finance/entity_store.hpp"
#include "identity/identity_store.hpp"
#include "identity/permissions.hpp"
#include "identity/token_service.hpp"
#include "store/database.hpp"
#include "store/migrations.hpp"

namespace aic::cli {
namespace {

// The database, migrated to this binary's schema; nullptr after printing why not.
std::unique_ptr<store::Database> open_migrated(const core::Config& config) {
  auto database = store::open_database(store::database_options(config.database));
  if (!database) {
    std::cerr << "aic: cannot open database " << core::redact_url(config.database.url) << ": "
              << database.error().message << "\n";
    return nullptr;
  }
  auto applied = store::apply_migrations(**database, store::builtin_migrations());
  if (!applied) {
    std::cerr << "aic: migrations: " << applied.error().message << "\n";
    return nullptr;
  }
  return std::move(*database);
}

// Where CLI actions come from, for the audit log.
audit::Origin cli_origin(std::string_view command) {
  return audit::Origin{"local", "aic " + std::string(command), ""};
}

int report(const core::Error& error) {
  std::cerr << "aic: " << error.message;
  if (!error.field.empty()) std::cerr << " (" << error.field << ")";
  std::cerr << "\n";
  return error.code == core::ErrorCode::kConflict ? 3 : 1;
}

}  // namespace

int admin_bootstrap(const core::Config& config, bool new_key, bool json) {
  auto database = open_migrated(config);
  if (!database) return 1;
  audit::AuditLog audit(*database, core::system_random());
  events::EventLog events(*database, core::system_random());
  identity::IdentityStore identities(*database, core::system_random(), audit, events);
  auto issued = identities.bootstrap_operator(new_key, cli_origin("admin bootstrap"));
  if (!issued) return report(issued.error());
  if (json) {
    std::cout << boost::json::serialize(boost::json::object{{"key_id", issued->key.id},
                                                            {"operator_api_key", issued->token}})
              << "\n";
  } else {
    std::cout << "platform operator API key (shown once, store it now):\n" << issued->token << "\n";
  }
  return 0;
}

int admin_create_tenant(const core::Config& config, const std::string& name,
                        const std::string& owner_email, const std::string& slug,
                        const std::string& plan, bool json) {
  auto database = open_migrated(config);
  if (!database) return 1;
  audit::AuditLog audit(*database, core::system_random());
  events::EventLog events(*database, core::system_random());
  identity::IdentityStore identities(*database, core::system_random(), audit, events);
  identity::NewTenant request;
  request.name = name;
  request.owner_email = owner_email;
  request.slug = slug;
  if (!plan.empty()) request.plan = plan;
  // Someone with a shell on the host and the database acts as the platform operator.
  core::Principal operator_on_host;
  operator_on_host.kind = core::Principal::Kind::kOperator;
  operator_on_host.id = "operator";
  operator_on_host.role = "platform_operator";
  auto created =
      identities.create_tenant(operator_on_host, request, cli_origin("admin create-tenant"));
  if (!created) return report(created.error());
  if (json) {
    std::cout << boost::json::serialize(
                     boost::json::object{{"tenant_id", created->tenant.id},
                                         {"slug", created->tenant.slug},
                                         {"owner_user_id", created->owner_user_id},
                                         {"owner_api_key", created->owner_key.token}})
              << "\n";
  } else {
    std::cout << "tenant " << created->tenant.id << " (" << created->tenant.slug << ")\n"
              << "owner API key (shown once, store it now):\n"
              << created->owner_key.token << "\n";
  }
  return 0;
}

int admin_seed_demo(const core::Config& config, bool json) {
  auto database = open_migrated(config);
  if (!database) return 1;
  audit::AuditLog audit(*database, core::system_random());
  events::EventLog events(*database, core::system_random());
  identity::IdentityStore identities(*database, core::system_random(), audit, events);
  finance::EntityStore entities(*database, core::system_random(), audit, events);
  identity::NewTenant request;
  request.name = "AIC Demo";
  request.slug = "aic-demo";
  request.owner_email = "demo-owner@example.com";
  core::Principal operator_on_host;
  operator_on_host.kind = core::Principal::Kind::kOperator;
  operator_on_host.id = "operator";
  operator_on_host.role = "platform_operator";
  const audit::Origin origin = cli_origin("admin seed-demo");
  auto created = identities.create_tenant(operator_on_host, request, origin);
  if (!created) {
    if (created.error().code == core::ErrorCode::kConflict) {
      std::cerr << "aic: the demo tenant (slug aic-demo) exists already; its data is there\n";
      return 3;
    }
    return report(created.error());
  }
  // The demo's owner, as the imports run on their behalf.
  core::Principal owner;
  owner.kind = core::Principal::Kind::kUser;
  owner.id = created->owner_user_id;
  owner.tenant_id = created->tenant.id;
  owner.role = "owner";
  if (const auto* permissions = identity::role_permissions("owner")) {
    owner.permissions = *permissions;
  }

  boost::json::array listed;
  for (const finance::DemoCompany& company : finance::demo_companies()) {
    finance::NewEntity entity;
    entity.name = company.name;
    entity.industry_code = company.industry_code;
    entity.country = company.country;
    entity.currency = company.currency;
    entity.is_public = company.is_public;
    entity.manufacturing = company.manufacturing;
    auto stored = entities.create_entity(owner, entity, origin);
    if (!stored) return report(stored.error());
    const std::string& id = stored->id;
    auto imported = entities.import_statements_csv(owner, id, company.statements_csv, origin);
    if (imported) {
      imported = entities.import_bank_file(owner, id, finance::BankFormat::kMt940, "mt940",
                                           company.bank_mt940, origin);
    }
    if (imported && !company.prices_csv.empty()) {
      imported = entities.import_prices_csv(owner, id, company.prices_csv, origin);
    }
    if (imported) imported = entities.import_news_json(owner, id, company.news_json, origin);
    if (!imported) return report(imported.error());
    for (auto length : {finance::PeriodLength::kAnnual, finance::PeriodLength::kQuarter}) {
      if (auto refreshed = entities.refresh_insights(owner, id, length); !refreshed) {
        return report(refreshed.error());
      }
    }
    listed.push_back(boost::json::object{{"id", id}, {"name", company.name}});
  }

  auto host = core::parse_host_port(config.server.listen);
  std::string base = std::string(config.tls.enabled() ? "https" : "http") + "://" +
                     (host ? host->host + ":" + std::to_string(host->port) : config.server.listen);
  if (json) {
    std::cout << boost::json::serialize(
                     boost::json::object{{"tenant_id", created->tenant.id},
                                         {"owner_api_key", created->owner_key.token},
                                         {"base_url", base},
                                         {"entities", listed}})
              << "\n";
    return 0;
  }
  const std::string& key = created->owner_key.token;
  std::cout << "demo tenant " << created->tenant.id << " with " << listed.size()
            << " fictional companies\n"
            << "owner API key (shown once, store it now):\n  " << key << "\n\n"
            << "start the server (make run) and try:\n"
            << "  curl -H 'Authorization: Bearer " << key << "' " << base << "/v1/entities\n";
  for (const auto& item : listed) {
    const auto& company = item.as_object();
    std::cout << "  # " << company.at("name").as_string().c_str() << "\n"
              << "  curl -H 'Authorization: Bearer " << key << "' " << base << "/v1/entities/"
              << company.at("id").as_string().c_str() << "/insights\n";
  }
  std::cout << "other views: …/scores, …/risk, …/sentiment, …/benchmark?peer_group=<ids>; the "
               "API reference is at "
            << base << "/docs\n";
  return 0;
}

int admin_rotate_signing_key(const core::Config& config, bool json) {
  auto database = open_migrated(config);
  if (!database) return 1;
  audit::AuditLog audit(*database, core::system_random());
  events::EventLog events(*database, core::system_random());
  identity::IdentityStore identities(*database, core::system_random(), audit, events);
  identity::TokenService tokens(*database, core::system_random(), audit, identities,
                                identity::token_settings(config.auth));
  auto kid = tokens.rotate_signing_key(cli_origin("admin rotate-signing-key"));
  if (!kid) return report(kid.error());
  if (json) {
    std::cout << boost::json::serialize(boost::json::object{{"kid", *kid}}) << "\n";
  } else {
    std::cout << "new signing key " << *kid
              << "; the previous key verifies until its tokens have expired\n";
  }
  return 0;
}

int audit_verify(const core::Config& config, const std::string& tenant, bool json) {
  auto database = open_migrated(config);
  if (!database) return 1;
  audit::AuditLog audit(*database, core::system_random());
  auto reports = audit.verify(tenant);
  if (!reports) return report(reports.error());
  bool intact = true;
  boost::json::array chains;
  for (const auto& chain : *reports) {
    intact = intact && chain.intact();
    if (json) {
      boost::json::object item{{"chain", chain.chain},
                               {"entries", chain.entries},
                               {"head_hash", chain.head_hash},
                               {"intact", chain.intact()}};
      if (!chain.intact()) {
        item["first_bad_seq"] = *chain.first_bad_seq;
        item["problem"] = chain.problem;
      }
      chains.push_back(std::move(item));
    } else if (chain.intact()) {
      std::cout << chain.chain << ": intact, " << chain.entries << " events, head "
                << (chain.head_hash.empty() ? "-" : chain.head_hash) << "\n";
    } else {
      std::cout << chain.chain << ": BROKEN at event " << *chain.first_bad_seq << ": "
                << chain.problem << "\n";
    }
  }
  if (json) {
    std::cout << boost::json::serialize(boost::json::object{{"intact", intact}, {"chains", chains}})
              << "\n";
  }
  return intact ? 0 : 4;
}

}  // namespace aic::cli
