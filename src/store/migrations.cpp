#include "store/migrations.hpp"

#include <openssl/evp.h>

#include <array>
#include <chrono>
#include <ctime>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

#include "core/random.hpp"

namespace aic::store {
namespace {

using core::Error;
using core::ErrorCode;

// Key of the PostgreSQL advisory lock that serialises migrations across processes: the bytes
// of "aic_migr". Any constant works as long as nothing else in the database uses it.
constexpr std::int64_t kMigrationLockKey = 0x6169635f6d696772;

// The same SQL on both backends: INTEGER PRIMARY KEY and TEXT mean the same in each.
constexpr std::string_view kCreateMigrationsTable = R"sql(
CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  checksum TEXT NOT NULL,
  applied_at TEXT NOT NULL
))sql";

// Migration 2 is the same SQL on both backends.
constexpr std::string_view kCreateIdentity = R"sql(
CREATE TABLE tenants (
  id TEXT PRIMARY KEY,
  slug TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  plan TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE users (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants (id),
  email TEXT NOT NULL,
  role TEXT NOT NULL,
  password_hash TEXT,
  created_at TEXT NOT NULL,
  UNIQUE (tenant_id, email)
);
CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  tenant_id TEXT REFERENCES tenants (id),
  principal_kind TEXT NOT NULL,
  principal_id TEXT NOT NULL,
  name TEXT NOT NULL,
  role TEXT NOT NULL,
  secret_hash TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT,
  revoked_at TEXT
);
CREATE INDEX api_keys_tenant ON api_keys (tenant_id, created_at);
)sql";

// Migration 3: the audit log. Tables are the same on both backends; only the triggers that
// refuse UPDATE and DELETE on events differ in syntax.
constexpr std::string_view kCreateAuditTables = R"sql(
CREATE TABLE audit_chains (
  chain TEXT PRIMARY KEY,
  last_seq INTEGER NOT NULL,
  last_hash TEXT NOT NULL
);
CREATE TABLE audit_events (
  chain TEXT NOT NULL,
  seq INTEGER NOT NULL,
  id TEXT NOT NULL UNIQUE,
  occurred_at TEXT NOT NULL,
  action TEXT NOT NULL,
  outcome TEXT NOT NULL,
  actor_kind TEXT NOT NULL,
  actor_id TEXT NOT NULL,
  credential_id TEXT NOT NULL,
  target_type TEXT NOT NULL,
  target_id TEXT NOT NULL,
  client_address TEXT NOT NULL,
  user_agent TEXT NOT NULL,
  request_id TEXT NOT NULL,
  details TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL,
  PRIMARY KEY (chain, seq)
);
CREATE INDEX audit_events_time ON audit_events (chain, occurred_at);
)sql";

constexpr std::string_view kAuditAppendOnlySqlite = R"sql(
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
)sql";

constexpr std::string_view kAuditAppendOnlyPostgres = R"sql(
CREATE FUNCTION aic_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'audit events are append-only'; END $$;
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
FOR EACH ROW EXECUTE FUNCTION aic_audit_append_only();
)sql";

// Migration 4, the same on both backends: API key rotation, last use and per-key limits.
constexpr std::string_view kApiKeyRotationAndLimits = R"sql(
ALTER TABLE api_keys ADD COLUMN last_used_at TEXT;
ALTER TABLE api_keys ADD COLUMN replaced_by TEXT;
ALTER TABLE api_keys ADD COLUMN rate_limit_per_minute INTEGER;
)sql";

// Migration 5, the same on both backends: OAuth2 clients and the keys that sign their
// tokens; users get a version (for ETag/If-Match) and can be disabled.
constexpr std::string_view kCreateClientsAndSigningKeys = R"sql(
CREATE TABLE service_accounts (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants (id),
  name TEXT NOT NULL,
  role TEXT NOT NULL,
  secret_hash TEXT NOT NULL,
  created_at TEXT NOT NULL,
  disabled_at TEXT
);
CREATE INDEX service_accounts_tenant ON service_accounts (tenant_id, created_at);
CREATE TABLE signing_keys (
  kid TEXT PRIMARY KEY,
  private_pem TEXT NOT NULL,
  created_at TEXT NOT NULL,
  retired_at TEXT
);
ALTER TABLE users ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE users ADD COLUMN disabled_at TEXT;
)sql";

// Migration 6, the same on both backends: answers kept for Idempotency-Key retries
// (api/idempotency.hpp). status is NULL while the first attempt runs.
constexpr std::string_view kCreateIdempotencyKeys = R"sql(
CREATE TABLE idempotency_keys (
  scope TEXT NOT NULL,
  idempotency_key TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  status INTEGER,
  content_type TEXT,
  etag TEXT,
  body TEXT,
  created_at TEXT NOT NULL,
  PRIMARY KEY (scope, idempotency_key)
);
CREATE INDEX idempotency_keys_age ON idempotency_keys (scope, created_at);
)sql";

// Migration 7, the same on both backends: a tenant's own roles. permissions is the sorted,
// space-separated list.
constexpr std::string_view kCreateCustomRoles = R"sql(
CREATE TABLE custom_roles (
  tenant_id TEXT NOT NULL REFERENCES tenants (id),
  name TEXT NOT NULL,
  description TEXT NOT NULL,
  permissions TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (tenant_id, name)
);
)sql";

// Migration 8, the same on both backends: kept answers are sealed from now on and keyed by
// credential (api/idempotency.hpp). Answers kept before could hold one-time secrets (new API
// keys, client secrets) in plain text, and their scope no longer matches anything: drop them.
// created_at gets an index of its own for the purge of old answers across all scopes.
constexpr std::string_view kSealIdempotencyAnswers = R"sql(
DELETE FROM idempotency_keys;
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
)sql";

// Migration 9 is the same SQL on both backends. Times the dispatcher schedules by are
// BIGINT milliseconds since the Unix epoch; times shown to users are RFC 3339 text.
constexpr std::string_view kCreateEventsAndWebhooks = R"sql(
CREATE TABLE event_streams (
  tenant_id TEXT PRIMARY KEY REFERENCES tenants (id),
  last_seq BIGINT NOT NULL
);
CREATE TABLE events (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants (id),
  seq BIGINT NOT NULL,
  type TEXT NOT NULL,
  occurred_at TEXT NOT NULL,
  data TEXT NOT NULL,
  fanned_out BIGINT NOT NULL DEFAULT 0,
  UNIQUE (tenant_id, seq)
);
CREATE INDEX events_to_fan_out ON events (occurred_at) WHERE fanned_out = 0;
CREATE TABLE webhook_endpoints (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants (id),
  url TEXT NOT NULL,
  description TEXT NOT NULL,
  event_types TEXT NOT NULL,
  headers TEXT NOT NULL,
  rate_limit_per_second BIGINT,
  secret TEXT NOT NULL,
  previous_secret TEXT,
  previous_secret_until BIGINT,
  disabled_at TEXT,
  disabled_reason TEXT,
  failing_since BIGINT,
  version BIGINT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX webhook_endpoints_tenant ON webhook_endpoints (tenant_id, id);
CREATE TABLE webhook_messages (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  endpoint_id TEXT NOT NULL,
  event_id TEXT NOT NULL,
  event_type TEXT NOT NULL,
  payload TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts BIGINT NOT NULL,
  next_attempt_at BIGINT NOT NULL,
  lease_until BIGINT NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  finished_at TEXT
);
CREATE INDEX webhook_messages_due ON webhook_messages (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_messages_endpoint ON webhook_messages (endpoint_id, status, created_at);
CREATE TABLE webhook_attempts (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  endpoint_id TEXT NOT NULL,
  message_id TEXT NOT NULL,
  attempt BIGINT NOT NULL,
  attempted_at TEXT NOT NULL,
  succeeded BIGINT NOT NULL,
  status_code BIGINT,
  latency_ms BIGINT NOT NULL,
  response_body TEXT NOT NULL,
  error TEXT NOT NULL
);
CREATE INDEX webhook_attempts_endpoint ON webhook_attempts (endpoint_id, attempted_at, id);
)sql";

// Migration 10: fan-out keeps one cursor per tenant instead of flagging every event. Flipping
// events.fanned_out rewrote each event row with new index entries (the flag was in a partial
// index), the largest cost of delivery on PostgreSQL. A tenant's events become visible in
// number order (publish() holds the counter row until commit), so "every event up to n has
// its messages" is exact. The seed takes the first event not yet fanned out; an event after
// it that a replica had already fanned out (possible only mid-claim) is fanned out again.
constexpr std::string_view kFanOutByCursor = R"sql(
CREATE TABLE event_fan_out (
  tenant_id TEXT PRIMARY KEY REFERENCES tenants (id),
  seq BIGINT NOT NULL
);
INSERT INTO event_fan_out (tenant_id, seq)
SELECT s.tenant_id,
       COALESCE((SELECT MIN(e.seq) - 1 FROM events e
                 WHERE e.tenant_id = s.tenant_id AND e.fanned_out = 0), s.last_seq)
FROM event_streams s;
DROP INDEX events_to_fan_out;
ALTER TABLE events DROP COLUMN fanned_out;
)sql";

// Migration 11: the companies a tenant analyses and the bank data imported for them. Amounts
// are integer minor units of the account's currency; dates are ISO 8601 calendar dates.
// dedupe_key makes a re-imported entry a no-op (see finance::EntityStore::import_bank_file).
// financial_periods holds one fiscal period's statement values per row; `items` is a JSON
// object of canonical item → value in the reporting currency (finance::period_items()).
// bank_accounts.balance is the latest closing balance a statement gave (at balance_date).
// share_prices are millionths of the currency unit (finance::kPriceDecimals); news_items keep
// the sentiment computed when they were imported. entity_insights caches the insights
// document of an entity per period length, valid while data_version is current.
constexpr std::string_view kCreateEntitiesAndBankData = R"sql(
CREATE TABLE entities (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants (id),
  name TEXT NOT NULL,
  cik TEXT,
  lei TEXT,
  ticker TEXT,
  industry_code TEXT,
  country TEXT,
  currency TEXT NOT NULL,
  is_public BIGINT NOT NULL,
  manufacturing BIGINT NOT NULL,
  version BIGINT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX entities_tenant ON entities (tenant_id, created_at, id);
CREATE TABLE bank_accounts (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants (id),
  entity_id TEXT NOT NULL REFERENCES entities (id),
  account TEXT NOT NULL,
  bank_id TEXT NOT NULL,
  currency TEXT NOT NULL,
  balance BIGINT,
  balance_date TEXT,
  created_at TEXT NOT NULL,
  UNIQUE (entity_id, account, currency)
);
CREATE TABLE imports (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants (id),
  entity_id TEXT NOT NULL REFERENCES entities (id),
  format TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  bytes BIGINT NOT NULL,
  report TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX imports_entity ON imports (entity_id, created_at, id);
CREATE TABLE bank_transactions (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants (id),
  entity_id TEXT NOT NULL REFERENCES entities (id),
  account_id TEXT NOT NULL REFERENCES bank_accounts (id),
  import_id TEXT NOT NULL REFERENCES imports (id) DEFERRABLE INITIALLY DEFERRED,
  booking_date TEXT NOT NULL,
  value_date TEXT,
  amount BIGINT NOT NULL,
  reference TEXT NOT NULL,
  customer_reference TEXT NOT NULL,
  type_code TEXT NOT NULL,
  description TEXT NOT NULL,
  counterparty_name TEXT NOT NULL,
  counterparty_account TEXT NOT NULL,
  dedupe_key TEXT NOT NULL,
  created_at TEXT NOT NULL,
  UNIQUE (account_id, dedupe_key)
);
CREATE INDEX bank_transactions_entity ON bank_transactions (entity_id, created_at, id);
CREATE TABLE financial_periods (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants (id),
  entity_id TEXT NOT NULL REFERENCES entities (id),
  period_end TEXT NOT NULL,
  length TEXT NOT NULL,
  fiscal_year BIGINT NOT NULL,
  fiscal_period TEXT NOT NULL,
  currency TEXT NOT NULL,
  source TEXT NOT NULL,
  source_ref TEXT NOT NULL,
  items TEXT NOT NULL,
  import_id TEXT NOT NULL REFERENCES imports (id) DEFERRABLE INITIALLY DEFERRED,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (entity_id, length, period_end)
);
CREATE TABLE share_prices (
  tenant_id TEXT NOT NULL REFERENCES tenants (id),
  entity_id TEXT NOT NULL REFERENCES entities (id),
  price_date TEXT NOT NULL,
  open_micros BIGINT,
  high_micros BIGINT,
  low_micros BIGINT,
  close_micros BIGINT NOT NULL,
  volume BIGINT,
  import_id TEXT NOT NULL REFERENCES imports (id) DEFERRABLE INITIALLY DEFERRED,
  PRIMARY KEY (entity_id, price_date)
);
CREATE TABLE news_items (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants (id),
  entity_id TEXT NOT NULL REFERENCES entities (id),
  published_at TEXT NOT NULL,
  headline TEXT NOT NULL,
  body TEXT NOT NULL,
  source TEXT NOT NULL,
  url TEXT NOT NULL,
  sentiment_label TEXT NOT NULL,
  sentiment_score DOUBLE PRECISION NOT NULL,
  dedupe_key TEXT NOT NULL,
  import_id TEXT NOT NULL REFERENCES imports (id) DEFERRABLE INITIALLY DEFERRED,
  created_at TEXT NOT NULL,
  UNIQUE (entity_id, dedupe_key)
);
CREATE INDEX news_items_entity ON news_items (entity_id, published_at);
CREATE TABLE entity_insights (
  tenant_id TEXT NOT NULL REFERENCES tenants (id),
  entity_id TEXT NOT NULL REFERENCES entities (id),
  length TEXT NOT NULL,
  data_version TEXT NOT NULL,
  body TEXT NOT NULL,
  computed_at TEXT NOT NULL,
  PRIMARY KEY (entity_id, length)
);
)sql";

// The AI gateway's usage records: one row per answered (or failed) request, summed per
// tenant, key, model and day by GET /v1/ai/usage.
constexpr std::string_view kCreateAiUsage = R"sql(
CREATE TABLE ai_usage (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants (id),
  credential_id TEXT NOT NULL,
  model TEXT NOT NULL,
  provider TEXT NOT NULL,
  route TEXT NOT NULL,
  outcome TEXT NOT NULL,
  stream INTEGER NOT NULL,
  input_tokens BIGINT NOT NULL,
  output_tokens BIGINT NOT NULL,
  cached_input_tokens BIGINT NOT NULL,
  reasoning_tokens BIGINT NOT NULL,
  cost_microdollars BIGINT NOT NULL,
  duration_us BIGINT NOT NULL,
  request_id TEXT NOT NULL,
  day TEXT NOT NULL,
  occurred_at TEXT NOT NULL
);
CREATE INDEX ai_usage_by_tenant_day ON ai_usage (tenant_id, day);
)sql";

// Migration 13, the same on both backends: prompt templates. A prompt's versions are
// immutable (body is the version as JSON); latest_version is the counter that numbers them,
// incremented under the prompt row's lock. A label names one version of its prompt.
constexpr std::string_view kCreateAiPrompts = R"sql(
CREATE TABLE ai_prompts (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants (id),
  name TEXT NOT NULL,
  description TEXT NOT NULL,
  latest_version BIGINT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (tenant_id, name)
);
CREATE INDEX ai_prompts_by_tenant ON ai_prompts (tenant_id, created_at, id);
CREATE TABLE ai_prompt_versions (
  prompt_id TEXT NOT NULL REFERENCES ai_prompts (id),
  tenant_id TEXT NOT NULL REFERENCES tenants (id),
  version BIGINT NOT NULL,
  description TEXT NOT NULL,
  model TEXT,
  body TEXT NOT NULL,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL,
  PRIMARY KEY (prompt_id, version)
);
CREATE TABLE ai_prompt_labels (
  prompt_id TEXT NOT NULL REFERENCES ai_prompts (id),
  tenant_id TEXT NOT NULL REFERENCES tenants (id),
  label TEXT NOT NULL,
  version BIGINT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (prompt_id, label),
  FOREIGN KEY (prompt_id, version) REFERENCES ai_prompt_versions (prompt_id, version)
);
)sql";

// Migration 14: AI budgets and tenants' own AI providers. A budget limits a tenant's, an API key's
// or a service account's spend per calendar month (UTC); `subject_id` is '' for the tenant.
// ai_spend holds the month's spend per scope, added to by the usage writer in the transaction that
// records the requests, so every replica reads the same totals; it starts from the usage recorded
// so far. ai_budget_alerts remembers which thresholds have sent their event this month. Also a
// tenant's own AI providers and routes (/v1/ai/providers, /v1/ai/routes): each row holds the table
// as the config file would (JSON, without the key); a provider's API key is sealed with the master
// key.
constexpr std::string_view kCreateAiBudgets = R"sql(
CREATE TABLE ai_budgets (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants (id),
  scope TEXT NOT NULL,
  subject_id TEXT NOT NULL,
  monthly_limit_microdollars BIGINT NOT NULL,
  thresholds TEXT NOT NULL,
  version BIGINT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (tenant_id, subject_id)
);
CREATE INDEX ai_budgets_by_tenant ON ai_budgets (tenant_id, created_at);
CREATE TABLE ai_spend (
  tenant_id TEXT NOT NULL,
  scope TEXT NOT NULL,
  month TEXT NOT NULL,
  cost_microdollars BIGINT NOT NULL,
  requests BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, scope, month)
);
CREATE TABLE ai_budget_alerts (
  budget_id TEXT NOT NULL,
  month TEXT NOT NULL,
  threshold_percent INTEGER NOT NULL,
  event_id TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (budget_id, month, threshold_percent)
);
INSERT INTO ai_spend (tenant_id, scope, month, cost_microdollars, requests)
  SELECT tenant_id, '', substr(day, 1, 7), SUM(cost_microdollars), COUNT(*)
  FROM ai_usage GROUP BY tenant_id, substr(day, 1, 7);
INSERT INTO ai_spend (tenant_id, scope, month, cost_microdollars, requests)
  SELECT tenant_id, credential_id, substr(day, 1, 7), SUM(cost_microdollars), COUNT(*)
  FROM ai_usage WHERE credential_id <> '' AND credential_id NOT LIKE 'tok\_%' ESCAPE '\'
  GROUP BY tenant_id, credential_id, substr(day, 1, 7);
CREATE TABLE ai_tenant_providers (
  tenant_id TEXT NOT NULL REFERENCES tenants (id),
  name TEXT NOT NULL,
  config TEXT NOT NULL,
  api_key TEXT NOT NULL,
  version BIGINT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (tenant_id, name)
);
CREATE TABLE ai_tenant_routes (
  tenant_id TEXT NOT NULL REFERENCES tenants (id),
  name TEXT NOT NULL,
  config TEXT NOT NULL,
  version BIGINT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (tenant_id, name)
);
)sql";

// Migration 15, the same on both backends: evaluations. An eval keeps its dataset (JSON Lines)
// as sent; a run's models are a JSON array; results are one row per model and item, and a
// run's summaries one row per model, written when it ends. heartbeat_at (Unix milliseconds) is
// touched by the process executing a run: a queued or running run whose heartbeat is old
// belonged to a process that stopped (ai/evals/eval_store.hpp).
constexpr std::string_view kCreateAiEvals = R"sql(
CREATE TABLE ai_evals (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants (id),
  name TEXT NOT NULL,
  task TEXT NOT NULL,
  description TEXT NOT NULL,
  grader TEXT NOT NULL,
  parameters TEXT NOT NULL,
  dataset TEXT NOT NULL,
  dataset_sha256 TEXT NOT NULL,
  dataset_bytes BIGINT NOT NULL,
  item_count BIGINT NOT NULL,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL,
  UNIQUE (tenant_id, name)
);
CREATE INDEX ai_evals_by_tenant ON ai_evals (tenant_id, created_at, id);
CREATE INDEX ai_evals_by_task ON ai_evals (tenant_id, task);
CREATE TABLE ai_eval_runs (
  id TEXT PRIMARY KEY,
  eval_id TEXT NOT NULL REFERENCES ai_evals (id),
  tenant_id TEXT NOT NULL REFERENCES tenants (id),
  models TEXT NOT NULL,
  status TEXT NOT NULL,
  concurrency BIGINT NOT NULL,
  item_count BIGINT NOT NULL,
  completed BIGINT NOT NULL,
  error TEXT NOT NULL,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL,
  started_at TEXT,
  finished_at TEXT,
  heartbeat_at BIGINT NOT NULL
);
CREATE INDEX ai_eval_runs_by_eval ON ai_eval_runs (eval_id, created_at, id);
CREATE INDEX ai_eval_runs_by_status ON ai_eval_runs (tenant_id, status);
CREATE TABLE ai_eval_results (
  run_id TEXT NOT NULL REFERENCES ai_eval_runs (id),
  model TEXT NOT NULL,
  item_index BIGINT NOT NULL,
  item_id TEXT NOT NULL,
  answer TEXT NOT NULL,
  answered_by TEXT NOT NULL,
  score DOUBLE PRECISION NOT NULL,
  passed BIGINT NOT NULL,
  reason TEXT NOT NULL,
  latency_us BIGINT NOT NULL,
  input_tokens BIGINT NOT NULL,
  output_tokens BIGINT NOT NULL,
  cost_microdollars BIGINT NOT NULL,
  judge_cost_microdollars BIGINT NOT NULL,
  error TEXT NOT NULL,
  PRIMARY KEY (run_id, item_index, model)
);
CREATE TABLE ai_eval_summaries (
  run_id TEXT NOT NULL REFERENCES ai_eval_runs (id),
  model TEXT NOT NULL,
  position BIGINT NOT NULL,
  items BIGINT NOT NULL,
  answered BIGINT NOT NULL,
  passed BIGINT NOT NULL,
  errors BIGINT NOT NULL,
  mean_score DOUBLE PRECISION NOT NULL,
  latency_p50_us BIGINT NOT NULL,
  latency_p95_us BIGINT NOT NULL,
  input_tokens BIGINT NOT NULL,
  output_tokens BIGINT NOT NULL,
  cost_microdollars BIGINT NOT NULL,
  judge_cost_microdollars BIGINT NOT NULL,
  PRIMARY KEY (run_id, model)
);
)sql";

// Migration 16, the same on both backends: the insights narrative rewritten by a language
// model, kept per entity, period length and requested model for the data version it was
// written from (a rewrite costs a provider call; data changes make it stale, not wrong).
constexpr std::string_view kCreateEntitySummaryRewrites = R"sql(
CREATE TABLE entity_summary_rewrites (
  tenant_id TEXT NOT NULL REFERENCES tenants (id),
  entity_id TEXT NOT NULL REFERENCES entities (id),
  length TEXT NOT NULL,
  requested_model TEXT NOT NULL,
  data_version TEXT NOT NULL,
  text TEXT NOT NULL,
  model TEXT NOT NULL,
  route TEXT NOT NULL,
  written_at TEXT NOT NULL,
  PRIMARY KEY (entity_id, length, requested_model)
);
)sql";

// Migration 17, PostgreSQL only: more free room on each new page of webhook_messages. A claim
// gives every message it takes a new row version, and it takes rows that were inserted
// together, so they share pages; the old versions cannot be pruned before the claim commits.
// At fillfactor 70 about half of the new versions did not fit on their page, and each of those
// was a full update with new entries in all three indexes (25 µs a row in the bench against
// 6 µs). At 50 every claim is a HOT update, and marking a message delivered (never HOT:
// status is indexed) fell from 35 to 11–19 µs a row. The price is disk: fresh pages are half
// full instead of 70 %. Pages already written keep their layout.
constexpr std::string_view kWebhookMessagesRoomForUpdates = R"sql(
ALTER TABLE webhook_messages SET (fillfactor = 50);
)sql";

// Migration 18: ai_usage stored in the order it is read and written, by tenant, day and id.
// Before, each usage row went into three B-trees (the rowid table, the id key, the tenant-day
// index), and the usage writer inserts one row per gateway request: keyed this way SQLite
// needs 24 % fewer instructions per row (bench/gateway/usage_log_bench.cpp under callgrind).
// Keyed (tenant_id, day, id), a row is written once, a tenant's rows for a day are
// adjacent for GET /v1/ai/usage, and time-ordered ids keep inserts at the end of each
// tenant's day. SQLite cannot change a primary key in place, so its table is rebuilt as a
// WITHOUT ROWID table (rows are ~200 bytes, small enough to live in the key's B-tree);
// PostgreSQL swaps its key and drops the index the key now covers. Ids stay unique per tenant
// and day (they are random and time-ordered; nothing looks a row up by id alone).
constexpr std::string_view kAiUsageByTenantDaySqlite = R"sql(
CREATE TABLE ai_usage_keyed (
  id TEXT NOT NULL,
  tenant_id TEXT NOT NULL REFERENCES tenants (id),
  credential_id TEXT NOT NULL,
  model TEXT NOT NULL,
  provider TEXT NOT NULL,
  route TEXT NOT NULL,
  outcome TEXT NOT NULL,
  stream INTEGER NOT NULL,
  input_tokens BIGINT NOT NULL,
  output_tokens BIGINT NOT NULL,
  cached_input_tokens BIGINT NOT NULL,
  reasoning_tokens BIGINT NOT NULL,
  cost_microdollars BIGINT NOT NULL,
  duration_us BIGINT NOT NULL,
  request_id TEXT NOT NULL,
  day TEXT NOT NULL,
  occurred_at TEXT NOT NULL,
  PRIMARY KEY (tenant_id, day, id)
) WITHOUT ROWID;
INSERT INTO ai_usage_keyed (id, tenant_id, credential_id, model, provider, route, outcome, stream,
    input_tokens, output_tokens, cached_input_tokens, reasoning_tokens, cost_microdollars,
    duration_us, request_id, day, occurred_at)
  SELECT id, tenant_id, credential_id, model, provider, route, outcome, stream, input_tokens,
    output_tokens, cached_input_tokens, reasoning_tokens, cost_microdollars, duration_us,
    request_id, day, occurred_at
  FROM ai_usage;
DROP TABLE ai_usage;
ALTER TABLE ai_usage_keyed RENAME TO ai_usage;
)sql";

constexpr std::string_view kAiUsageByTenantDayPostgres = R"sql(
ALTER TABLE ai_usage DROP CONSTRAINT ai_usage_pkey;
ALTER TABLE ai_usage ADD PRIMARY KEY (tenant_id, day, id);
DROP INDEX ai_usage_by_tenant_day;
)sql";

// An endpoint receives the events numbered above this: those published after it was created
// or last enabled. Before, the subscription was matched when an event was fanned out, so an
// endpoint created while fan-out lagged behind also got events from before it existed.
// Existing endpoints keep 0, which is what they had.
constexpr std::string_view kWebhookEndpointsEventsAfterSeq = R"sql(
ALTER TABLE webhook_endpoints ADD COLUMN events_after_seq BIGINT NOT NULL DEFAULT 0;
)sql";

const std::vector<Migration>& migrations() {
  // Released migrations never change: their checksums are recorded in every database they
  // ran on. Fix a mistake with a new migration.
  static const std::vector<Migration> kMigrations = {
      {
          1,
          "create_instance",
          // The instance row identifies this installation (in support requests, telemetry,
          // licence checks). The unique index on a constant allows one row at most.
          R"sql(
CREATE TABLE instance (
  id TEXT PRIMARY KEY NOT NULL,
  created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX instance_single_row ON instance ((0));
INSERT INTO instance (id, created_at)
VALUES (lower(hex(randomblob(16))), strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));
)sql",
          // gen_random_uuid() draws from the server's strong random source but fixes 6 of its
          // 128 bits; hashing two of them gives 16 uniformly random bytes.
          R"sql(
CREATE TABLE instance (
  id TEXT PRIMARY KEY NOT NULL,
  created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX instance_single_row ON instance ((0));
INSERT INTO instance (id, created_at)
VALUES (
  substr(encode(sha256(convert_to(gen_random_uuid()::text || gen_random_uuid()::text, 'UTF8')),
                'hex'), 1, 32),
  to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
);
)sql",
      },
      {
          2,
          "create_identity",
          // Tenants, their users and API keys (tenant_id NULL: the platform operator's).
          // Timestamps are RFC 3339 UTC text, which orders correctly on both backends.
          std::string(kCreateIdentity),
          std::string(kCreateIdentity),
      },
      {
          3,
          "create_audit_log",
          // Hash-chained audit events (audit/audit_log.hpp). The triggers are a guard against
          // mistakes and casual edits, not against the database owner, who can drop them;
          // the hash chain is what detects that.
          std::string(kCreateAuditTables) + std::string(kAuditAppendOnlySqlite),
          std::string(kCreateAuditTables) + std::string(kAuditAppendOnlyPostgres),
      },
      {
          4,
          "api_key_rotation_and_limits",
          std::string(kApiKeyRotationAndLimits),
          std::string(kApiKeyRotationAndLimits),
      },
      {
          5,
          "create_clients_and_signing_keys",
          // Service accounts are OAuth2 clients (id = client_id; the secret is stored as its
          // SHA-256). A signing key signs new tokens until retired_at, then only verifies
          // tokens until the last one it signed has expired.
          std::string(kCreateClientsAndSigningKeys),
          std::string(kCreateClientsAndSigningKeys),
      },
      {
          6,
          "create_idempotency_keys",
          std::string(kCreateIdempotencyKeys),
          std::string(kCreateIdempotencyKeys),
      },
      {
          7,
          "create_custom_roles",
          std::string(kCreateCustomRoles),
          std::string(kCreateCustomRoles),
      },
      {
          8,
          "seal_idempotency_answers",
          std::string(kSealIdempotencyAnswers),
          std::string(kSealIdempotencyAnswers),
      },
      {
          9,
          "create_events_and_webhooks",
          std::string(kCreateEventsAndWebhooks),
          // Room on every page, so that claiming a message (a change of lease_until, which no
          // index covers) rewrites the row in place instead of adding index entries.
          std::string(kCreateEventsAndWebhooks) +
              "ALTER TABLE webhook_messages SET (fillfactor = 70);\n",
      },
      {
          10,
          "fan_out_by_cursor",
          std::string(kFanOutByCursor),
          std::string(kFanOutByCursor),
      },
      {
          11,
          "create_entities_and_bank_data",
          std::string(kCreateEntitiesAndBankData),
          std::string(kCreateEntitiesAndBankData),
      },
      {
          12,
          "create_ai_usage",
          std::string(kCreateAiUsage),
          std::string(kCreateAiUsage),
      },
      {
          13,
          "create_ai_prompts",
          std::string(kCreateAiPrompts),
          std::string(kCreateAiPrompts),
      },
      {
          14,
          "create_ai_budgets_and_tenant_providers",
          std::string(kCreateAiBudgets),
          std::string(kCreateAiBudgets),
      },
      {
          15,
          "create_ai_evals",
          std::string(kCreateAiEvals),
          std::string(kCreateAiEvals),
      },
      {
          16,
          "create_entity_summary_rewrites",
          std::string(kCreateEntitySummaryRewrites),
          std::string(kCreateEntitySummaryRewrites),
      },
      {
          17,
          "webhook_messages_room_for_updates",
          // SQLite has no fillfactor; its script is a comment so that both backends reach 17.
          "-- webhook_messages: page fill is a PostgreSQL setting (migration 17)\n",
          std::string(kWebhookMessagesRoomForUpdates),
      },
      {
          18,
          "ai_usage_keyed_by_tenant_day",
          std::string(kAiUsageByTenantDaySqlite),
          std::string(kAiUsageByTenantDayPostgres),
      },
      {
          19,
          "webhook_endpoints_events_after_seq",
          std::string(kWebhookEndpointsEventsAfterSeq),
          std::string(kWebhookEndpointsEventsAfterSeq),
      },
  };
  return kMigrations;
}

// A broken migration list is a bug in this binary, found by the first test that runs it.
void validate_known(std::span<const Migration> known) {
  for (std::size_t i = 0; i < known.size(); ++i) {
    if (known[i].version != static_cast<int>(i) + 1) {
      throw std::logic_error("migration versions must be 1, 2, 3 … without gaps; position " +
                             std::to_string(i + 1) + " has version " +
                             std::to_string(known[i].version));
    }
    if (known[i].name.empty()) {
      throw std::logic_error("migration " + std::to_string(known[i].version) + " has no name");
    }
  }
}

const std::string& script_for(const Migration& migration, Backend backend) {
  return backend == Backend::kSqlite ? migration.sqlite_sql : migration.postgres_sql;
}

// Lower-case hex SHA-256 of the script this backend runs for `migration`.
std::string checksum(const Migration& migration, Backend backend) {
  const std::string& script = script_for(migration, backend);
  std::array<std::uint8_t, EVP_MAX_MD_SIZE> digest{};
  unsigned int digest_size = 0;
  if (EVP_Digest(script.data(), script.size(), digest.data(), &digest_size, EVP_sha256(),
                 nullptr) != 1) {
    throw std::runtime_error("SHA-256 failed in OpenSSL");
  }
  return core::to_hex(std::span<const std::uint8_t>(digest.data(), digest_size));
}

std::string utc_now_rfc3339() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  std::array<char, 32> buffer{};
  const std::size_t size = std::strftime(buffer.data(), buffer.size(), "%Y-%m-%dT%H:%M:%SZ", &utc);
  return std::string(buffer.data(), size);
}

Error conflict(std::string message) {
  return Error::make(ErrorCode::kConflict, std::move(message));
}

// Serialises migrating processes on PostgreSQL until the transaction ends. SQLite needs
// nothing: read-write transactions there start with BEGIN IMMEDIATE, which already excludes
// every other writer.
Status lock_migrations(Transaction& transaction) {
  if (transaction.backend() != Backend::kPostgres) return {};
  Result<QueryResult> locked =
      transaction.execute("SELECT pg_advisory_xact_lock($1)", {Value{kMigrationLockKey}});
  if (!locked) return std::move(locked).error();
  return {};
}

Result<bool> migrations_table_exists(Transaction& transaction) {
  const std::string_view sql =
      transaction.backend() == Backend::kSqlite
          ? "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
          : "SELECT 1 FROM information_schema.tables "
            "WHERE table_schema = current_schema() AND table_name = 'schema_migrations'";
  Result<QueryResult> found = transaction.execute(sql);
  if (!found) return std::move(found).error();
  return !found->rows.empty();
}

// Compares the applied versions (read inside `transaction`) with `known`.
Result<MigrationStatus> compare_with_database(Transaction& transaction,
                                              std::span<const Migration> known) {
  MigrationStatus status;
  status.latest_version = known.empty() ? 0 : known.back().version;
  Result<bool> exists = migrations_table_exists(transaction);
  if (!exists) return std::move(exists).error();
  if (!*exists) {
    status.pending.assign(known.begin(), known.end());
    return status;
  }

  Result<QueryResult> applied =
      transaction.execute("SELECT version, name, checksum FROM schema_migrations ORDER BY version");
  if (!applied) return std::move(applied).error();
  const std::size_t applied_count = applied->rows.size();
  if (applied_count > 0) {
    status.current_version = static_cast<int>(applied->integer(applied_count - 1, 0));
  }
  // Checked first: a newer binary may have rewritten anything this one would compare.
  if (status.current_version > status.latest_version) {
    return conflict("database schema version " + std::to_string(status.current_version) +
                    " is newer than this binary supports (" +
                    std::to_string(status.latest_version) + "); upgrade aic");
  }
  for (std::size_t row = 0; row < applied_count; ++row) {
    const std::int64_t version = applied->integer(row, 0);
    if (version != static_cast<std::int64_t>(row) + 1) {
      return conflict("schema_migrations is inconsistent: expected version " +
                      std::to_string(row + 1) + ", found " + std::to_string(version));
    }
    const Migration& migration = known[row];
    const std::string expected = checksum(migration, transaction.backend());
    const std::string recorded = applied->text(row, 2);
    if (recorded != expected) {
      return conflict("migration " + std::to_string(version) + " (" + migration.name +
                      ") differs from the one applied to this database (checksum " + recorded +
                      ", this binary has " + expected + "); released migrations must never change");
    }
  }
  status.pending.assign(known.begin() + static_cast<std::ptrdiff_t>(applied_count), known.end());
  return status;
}

Status create_migrations_table(Database& database) {
  return database.transact(Access::kReadWrite, [](Transaction& transaction) -> Status {
    // Under the lock: concurrent CREATE TABLE IF NOT EXISTS can still collide on PostgreSQL.
    if (Status locked = lock_migrations(transaction); !locked) return locked;
    Result<QueryResult> created = transaction.execute(kCreateMigrationsTable);
    if (!created) return std::move(created).error();
    return {};
  });
}

}  // namespace

std::span<const Migration> builtin_migrations() { return migrations(); }

Result<MigrationStatus> migration_status(Database& database, std::span<const Migration> known) {
  validate_known(known);
  std::optional<MigrationStatus> status;
  Status read = database.transact(Access::kReadOnly, [&](Transaction& transaction) -> Status {
    Result<MigrationStatus> compared = compare_with_database(transaction, known);
    if (!compared) return std::move(compared).error();
    status = std::move(compared).value();
    return {};
  });
  if (!read) return std::move(read).error();
  return std::move(*status);
}

Result<std::vector<int>> apply_migrations(Database& database, std::span<const Migration> known) {
  validate_known(known);
  if (Status created = create_migrations_table(database); !created) {
    return std::move(created).error();
  }
  Result<MigrationStatus> status = migration_status(database, known);
  if (!status) return std::move(status).error();

  std::vector<int> applied;
  for (const Migration& migration : status->pending) {
    bool applied_now = false;
    Status done = database.transact(Access::kReadWrite, [&](Transaction& transaction) -> Status {
      applied_now = false;  // this callback may run more than once
      if (Status locked = lock_migrations(transaction); !locked) return locked;
      // Another process may have migrated since the status was read; under the lock the
      // answer is final.
      Result<MigrationStatus> current = compare_with_database(transaction, known);
      if (!current) return std::move(current).error();
      if (current->current_version >= migration.version) return {};

      const Backend backend = transaction.backend();
      if (Status ran = transaction.execute_script(script_for(migration, backend)); !ran) {
        return ran;
      }
      Result<QueryResult> recorded = transaction.execute(
          "INSERT INTO schema_migrations (version, name, checksum, applied_at) "
          "VALUES ($1, $2, $3, $4)",
          {Value{std::int64_t{migration.version}}, Value{migration.name},
           Value{checksum(migration, backend)}, Value{utc_now_rfc3339()}});
      if (!recorded) return std::move(recorded).error();
      applied_now = true;
      return {};
    });
    if (!done) {
      Error error = std::move(done).error();
      error.message = "migration " + std::to_string(migration.version) + " (" + migration.name +
                      "): " + error.message;
      return error;
    }
    if (applied_now) applied.push_back(migration.version);
  }
  return applied;
}

}  // namespace aic::store
