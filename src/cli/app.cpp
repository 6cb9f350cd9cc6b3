#include "cli/app.hpp"

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <iostream>

#include "ai/catalog.hpp"
#include "cli/ai_gateway.hpp"
#include "core/build_info.hpp"
#include "core/logging.hpp"
#include "events/catalogue.hpp"
#include "store/database.hpp"
#include "store/migrations.hpp"

namespace aic::cli {
namespace {

// Loads the configuration or prints every problem and returns nullopt.
std::optional<core::Config> load_or_report(const std::string& config_path) {
  std::optional<std::filesystem::path> file;
  if (!config_path.empty()) file = config_path;
  auto loaded = core::load_config(file, core::process_environment());
  // The AI gateway's [[ai.*]] tables are checked here too, so `aic config check` and every
  // command report them.
  ai::Catalog::load(loaded.config.ai, environment_variable, loaded.issues);
  if (loaded.issues.empty()) return std::move(loaded.config);
  std::cerr << "aic: invalid configuration (" << loaded.issues.size() << " problem"
            << (loaded.issues.size() == 1 ? "" : "s") << "):\n";
  for (const auto& issue : loaded.issues) {
    std::cerr << "  " << (issue.key.empty() ? "<file>" : issue.key);
    if (!issue.source.empty()) std::cerr << " (" << issue.source << ")";
    std::cerr << ": " << issue.reason << "\n";
  }
  return std::nullopt;
}

int migrate(const core::Config& config, bool dry_run) {
  auto database = store::open_database(store::database_options(config.database));
  if (!database) {
    std::cerr << "aic: cannot open database " << core::redact_url(config.database.url) << ": "
              << database.error().message << "\n";
    return 1;
  }
  auto known = store::builtin_migrations();
  auto status = store::migration_status(**database, known);
  if (!status) {
    std::cerr << "aic: " << status.error().message << "\n";
    return 1;
  }
  std::cout << "schema version " << status->current_version << " of " << status->latest_version
            << "\n";
  if (status->up_to_date()) {
    std::cout << "nothing to migrate\n";
    return 0;
  }
  for (const auto& migration : status->pending) {
    std::cout << (dry_run ? "would apply " : "pending ") << migration.version << " "
              << migration.name << "\n";
  }
  if (dry_run) return 0;
  auto applied = store::apply_migrations(**database, known);
  if (!applied) {
    std::cerr << "aic: migration failed: " << applied.error().message << "\n";
    return 1;
  }
  std::cout << "applied " << applied->size() << " migration(s)\n";
  return 0;
}

int check_config(const std::string& config_path) {
  auto config = load_or_report(config_path);
  if (!config) return 1;
  std::cout << "configuration OK";
  if (!config_path.empty()) std::cout << " (" << config_path << ")";
  std::cout << "\n";
  return 0;
}

// The configuration reference as a Markdown table; docs/operations.md embeds this output
// and a test keeps the two identical.
int config_reference() {
  std::cout << "| key | environment | type | default | description |\n"
               "| --- | --- | --- | --- | --- |\n";
  for (const auto& key : core::config_keys()) {
    std::cout << "| `" << key.path << "` | `" << key.env << "` | " << key.type << " | `"
              << key.default_value << "` | " << key.description
              << (key.secret ? " Treated as a secret: never logged." : "") << " |\n";
  }
  return 0;
}

// The event catalogue as Markdown; docs/events.md embeds this output (a test compares them).
int events_reference() {
  for (const auto& type : events::catalogue()) {
    std::cout << "### `" << type.name << "`\n\n"
              << type.description << "\n\n"
              << "`data` schema:\n\n```json\n"
              << type.data_schema << "\n```\n\n";
  }
  return 0;
}

int version(bool json) {
  const auto& info = core::build_info();
  if (json) {
    boost::json::object body{
        {"version", info.version}, {"commit", info.commit}, {"build_time", info.build_time}};
    std::cout << boost::json::serialize(body) << "\n";
  } else {
    std::cout << "aic " << info.version << " (commit " << info.commit << ", built "
              << info.build_time << ")\n";
  }
  return 0;
}

}  // namespace

int run(int argc, char** argv) {
  CLI::App app{"aic — AIC Platform server"};
  app.require_subcommand(1);
  app.fallthrough();
  std::string config_path;
  app.add_option("-c,--config", config_path, "TOML configuration file")
      ->envname("AIC_CONFIG")
      ->check(CLI::ExistingFile);

  auto* serve_command = app.add_subcommand("serve", "Run the HTTP server");
  std::string listen;
  bool no_migrate = false;
  serve_command->add_option("--listen", listen, "host:port to listen on (overrides config)");
  serve_command->add_flag("--no-migrate", no_migrate,
                          "Do not apply pending migrations on start (refuse if any)");

  auto* migrate_command = app.add_subcommand("migrate", "Apply pending database migrations");
  bool dry_run = false;
  migrate_command->add_flag("--dry-run", dry_run, "List pending migrations, apply nothing");

  auto* config_command = app.add_subcommand("config", "Inspect the configuration");
  config_command->require_subcommand(1);
  config_command->add_subcommand("check", "Validate the configuration and list every problem");
  auto* reference_command =
      config_command->add_subcommand("reference", "Print every configuration key as Markdown");

  auto* admin_command = app.add_subcommand("admin", "Operator tasks on the database");
  admin_command->require_subcommand(1);
  auto* bootstrap_command = admin_command->add_subcommand(
      "bootstrap", "Create the platform operator's API key (printed once)");
  bool new_key = false;
  bool admin_json = false;
  bootstrap_command->add_flag("--new-key", new_key,
                              "Issue another operator key even though one exists");
  bootstrap_command->add_flag("--json", admin_json, "Print as JSON");
  auto* tenant_command = admin_command->add_subcommand(
      "create-tenant", "Create a tenant, its owner and the owner's first API key");
  std::string tenant_name, owner_email, tenant_slug, tenant_plan;
  tenant_command->add_option("--name", tenant_name, "Display name")->required();
  tenant_command->add_option("--owner-email", owner_email, "The owner's email")->required();
  tenant_command->add_option("--slug", tenant_slug, "Unique slug (default: from the name)");
  tenant_command->add_option("--plan", tenant_plan, "free, standard (default) or enterprise");
  tenant_command->add_flag("--json", admin_json, "Print as JSON");

  auto* seed_demo_command = admin_command->add_subcommand(
      "seed-demo",
      "Create a demo tenant with fictional companies (statements, bank file, prices, news) and "
      "print its owner's key and URLs to try");
  seed_demo_command->add_flag("--json", admin_json, "Print as JSON");

  auto* audit_command = app.add_subcommand("audit", "Audit log tasks");
  audit_command->require_subcommand(1);
  auto* verify_command =
      audit_command->add_subcommand("verify", "Check that no audit event was changed or removed");
  std::string audit_tenant;
  bool audit_json = false;
  verify_command->add_option("--tenant", audit_tenant,
                             "Only this tenant's chain (tenant id, or 'platform')");
  verify_command->add_flag("--json", audit_json, "Print as JSON");

  auto* openapi_command = app.add_subcommand(
      "openapi", "Print the HTTP API's OpenAPI 3.1 description (no server or database needed)");
  std::string openapi_output;
  openapi_command->add_option("-o,--output", openapi_output, "Write it to this file instead");

  auto* rotate_command = admin_command->add_subcommand(
      "rotate-signing-key",
      "Sign access tokens with a new key; the old one verifies until its tokens expire");
  rotate_command->add_flag("--json", admin_json, "Print as JSON");

  auto* events_command = app.add_subcommand("events", "The domain events the platform publishes");
  events_command->require_subcommand(1);
  auto* events_reference_command = events_command->add_subcommand(
      "reference", "Print every event type with its data schema as Markdown");

  auto* finance_command =
      app.add_subcommand("finance", "The financial engine, offline (no server or database)");
  finance_command->require_subcommand(1);
  auto* finance_parse_command = finance_command->add_subcommand(
      "parse",
      "Read a bank file (MT940/MT942, camt.053, BAI2, OFX/QFX, QIF) and print its statements");
  std::string finance_format, finance_file;
  bool finance_json = false;
  finance_parse_command
      ->add_option("--format", finance_format, "mt940, mt942, camt053, bai2, ofx, qfx or qif")
      ->required();
  finance_parse_command->add_option("FILE", finance_file, "The bank file")->required();
  finance_parse_command->add_flag("--json", finance_json, "Print the statements as JSON");
  auto* finance_score_command = finance_command->add_subcommand(
      "score", "Compute ratios and scores from an SEC EDGAR companyfacts file");
  ScoreOptions score_options;
  finance_score_command->add_option("--edgar", score_options.edgar_file, "companyfacts JSON")
      ->required();
  finance_score_command->add_option("--period-end", score_options.period_end,
                                    "The period's last day, YYYY-MM-DD (default: the latest)");
  finance_score_command->add_flag("--quarterly", score_options.quarterly,
                                  "Score quarters instead of fiscal years");
  finance_score_command->add_flag("--private", score_options.is_private,
                                  "The company's shares do not trade (Altman Z' instead of Z)");
  finance_score_command->add_flag("--manufacturing", score_options.manufacturing,
                                  "The company makes goods (Altman Z or Z' instead of Z'')");
  finance_score_command->add_flag("--json", score_options.json, "Print as JSON");
  auto* finance_sentiment_command = finance_command->add_subcommand(
      "sentiment", "Score the sentiment of a financial text (our own lexicon and rules)");
  std::string sentiment_text;
  bool sentiment_json = false;
  finance_sentiment_command->add_option("TEXT", sentiment_text, "A headline or sentence")
      ->required();
  finance_sentiment_command->add_flag("--json", sentiment_json, "Print as JSON");
  auto* finance_eval_sentiment_command = finance_command->add_subcommand(
      "eval-sentiment", "Measure the sentiment scorer on a file of sentence@label lines");
  std::string eval_sentiment_file;
  bool eval_sentiment_json = false;
  bool eval_sentiment_errors = false;
  finance_eval_sentiment_command
      ->add_option("FILE", eval_sentiment_file,
                   "One sentence@label per line (positive, negative or neutral)")
      ->required();
  finance_eval_sentiment_command->add_flag("--json", eval_sentiment_json, "Print as JSON");
  finance_eval_sentiment_command->add_flag("--errors", eval_sentiment_errors,
                                           "Also list the misclassified lines");

  auto* version_command = app.add_subcommand("version", "Print version and build information");
  bool version_json = false;
  version_command->add_flag("--json", version_json, "Print as JSON");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error);
  }

  if (version_command->parsed()) return version(version_json);
  if (events_reference_command->parsed()) return events_reference();
  if (finance_parse_command->parsed()) {
    return finance_parse(finance_format, finance_file, finance_json);
  }
  if (finance_score_command->parsed()) {
    return finance_score(score_options);
  }
  if (finance_sentiment_command->parsed()) {
    return finance_sentiment(sentiment_text, sentiment_json);
  }
  if (finance_eval_sentiment_command->parsed()) {
    return finance_eval_sentiment(eval_sentiment_file, eval_sentiment_json, eval_sentiment_errors);
  }
  if (openapi_command->parsed()) return print_openapi(openapi_output);
  if (reference_command->parsed()) return config_reference();
  if (config_command->parsed()) return check_config(config_path);

  auto config = load_or_report(config_path);
  if (!config) return 2;
  if (migrate_command->parsed()) return migrate(*config, dry_run);
  if (rotate_command->parsed()) return admin_rotate_signing_key(*config, admin_json);
  if (seed_demo_command->parsed()) return admin_seed_demo(*config, admin_json);
  if (verify_command->parsed()) return audit_verify(*config, audit_tenant, audit_json);
  if (bootstrap_command->parsed()) return admin_bootstrap(*config, new_key, admin_json);
  if (tenant_command->parsed()) {
    return admin_create_tenant(*config, tenant_name, owner_email, tenant_slug, tenant_plan,
                               admin_json);
  }
  if (serve_command->parsed()) {
    if (!listen.empty()) {
      if (!core::parse_host_port(listen)) {
        std::cerr << "aic: --listen: expected host:port\n";
        return 2;
      }
      config->server.listen = listen;
    }
    if (no_migrate) config->database.migrate_on_start = false;
    return serve(*config);
  }
  return 2;
}

}  // namespace aic::cli
