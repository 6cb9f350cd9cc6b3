#include "api/v1/schemas.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <initializer_list>
#include <string_view>
#include <utility>

#include "identity/permissions.hpp"

namespace aic::api::v1 {
namespace {

namespace json = boost::json;
using Members = std::initializer_list<std::pair<std::string_view, json::value>>;

json::object text(std::string_view description) {
  return {{"type", "string"}, {"description", description}};
}

json::object time(std::string_view description) {
  return {{"type", "string"}, {"format", "date-time"}, {"description", description}};
}

json::object optional_time(std::string_view description) {
  return {{"type", json::array{"string", "null"}},
          {"format", "date-time"},
          {"description", description}};
}

json::object one_of(std::initializer_list<std::string_view> values, std::string_view description) {
  json::array allowed;
  for (auto value : values) allowed.emplace_back(value);
  return {{"type", "string"}, {"enum", std::move(allowed)}, {"description", description}};
}

json::object rate_limit(std::string_view description) {
  return {{"type", json::array{"integer", "null"}},
          {"minimum", 1},
          {"maximum", 1'000'000'000},
          {"description", description}};
}

json::object ref(std::string_view name) { return {{"$ref", schema_ref(name)}}; }

// An object with exactly `members`; all of them required except those in `optional`.
json::object closed_object(std::string_view description, Members members,
                           std::initializer_list<std::string_view> optional = {}) {
  json::object properties;
  json::array required;
  for (const auto& [name, schema] : members) {
    properties[name] = schema;
    if (std::find(optional.begin(), optional.end(), name) == optional.end()) {
      required.emplace_back(name);
    }
  }
  json::object out{{"type", "object"}, {"description", description}};
  if (!required.empty()) out["required"] = std::move(required);
  out["properties"] = std::move(properties);
  out["additionalProperties"] = false;
  return out;
}

// `base` (made by closed_object()) with `description` and more members, all required.
json::object extended(json::object base, std::string_view description, Members members) {
  base["description"] = description;
  for (const auto& [name, schema] : members) {
    base["properties"].as_object()[name] = schema;
    base["required"].as_array().emplace_back(name);
  }
  return base;
}

json::object list_of(std::string_view item, std::string_view description) {
  return closed_object(
      description,
      {{"data", json::object{{"type", "array"}, {"items", ref(item)}}},
       {"next_cursor",
        json::object{{"type", json::array{"string", "null"}},
                     {"description", "Pass as `cursor` for the next page; null on the last."}}}});
}

json::object problem() {
  json::object type = text("Stable, safe to branch on: one per error code (docs/api/problems.md).");
  type["pattern"] = "^urn:aic:problem:[a-z][a-z0-9_-]*$";
  json::object position{{"type", "integer"}, {"minimum", 1}};
  return closed_object(
      "An RFC 9457 problem: why the request failed.",
      {{"type", type},
       {"title", text("The short name of the problem type.")},
       {"status", json::object{{"type", "integer"},
                               {"minimum", 400},
                               {"maximum", 599},
                               {"description", "The HTTP status, repeated."}}},
       {"detail", text("What went wrong with this request.")},
       {"request_id", text("Matches the X-Request-Id response header.")},
       {"field", text("The body member (a JSON pointer) or query parameter at fault.")},
       {"header", text("The request header at fault.")},
       {"line", position},
       {"column", position}},
      {"request_id", "field", "header", "line", "column"});
}

json::object oauth_problem() {
  return extended(
      problem(),
      "A problem that also carries RFC 6749 §5.2's `error` and `error_description`, so OAuth2 "
      "client libraries read it too.",
      {{"error", one_of({"invalid_request", "invalid_client", "invalid_grant",
                         "unauthorized_client", "unsupported_grant_type", "invalid_scope"},
                        "The OAuth2 error code.")},
       {"error_description", text("The same as `detail`.")}});
}

json::object service_account() {
  return closed_object(
      "A non-human principal of the tenant: an OAuth2 client that obtains access tokens.",
      {{"id", text("`sa_…`")},
       {"client_id", text("The OAuth2 client id (the same as `id`).")},
       {"name", text("What it is for.")},
       {"role", text("The role whose permissions its tokens carry (at most).")},
       {"created_at", time("When it was created.")},
       {"disabled_at", optional_time("When it was disabled; null: active.")}});
}

json::object json_web_key_set() {
  auto constant = [](std::string_view value) { return json::object{{"const", value}}; };
  return closed_object(
      "The public keys that verify access tokens (RFC 7517).",
      {{"keys",
        json::object{{"type", "array"},
                     {"items", closed_object("An ES256 public key.",
                                             {{"kty", constant("EC")},
                                              {"crv", constant("P-256")},
                                              {"x", text("base64url")},
                                              {"y", text("base64url")},
                                              {"kid", text("Matches the `kid` of a token header.")},
                                              {"use", constant("sig")},
                                              {"alg", constant("ES256")}})}}}});
}

json::object tenant() {
  json::object slug = text("Unique; lower-case letters, digits and inner hyphens.");
  slug["pattern"] = "^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$";
  return closed_object("A customer organisation; everything it owns is isolated from others.",
                       {{"id", text("`ten_…`")},
                        {"slug", slug},
                        {"name", text("Display name.")},
                        {"plan", one_of({"free", "standard", "enterprise"}, "Sets its limits.")},
                        {"created_at", time("When it was created.")}});
}

json::object api_key() {
  return closed_object(
      "An API key's public record; the secret is never shown again after creation.",
      {{"id", text("The public part of the key.")},
       {"name", text("What the key is for.")},
       {"role", text("The role whose permissions the key carries.")},
       {"principal_type", one_of({"operator", "user", "service_account"}, "Who the key acts as.")},
       {"principal_id", text("The user, service account or operator it acts as.")},
       {"created_at", time("When it was created.")},
       {"expires_at", optional_time("When it stops working; null: never.")},
       {"revoked_at", optional_time("When it was revoked; null: not revoked.")},
       {"last_used_at",
        optional_time("When it last authenticated a request, to about a minute; null: never.")},
       {"replaced_by", json::object{{"type", json::array{"string", "null"}},
                                    {"description", "The key that rotated this one out."}}},
       {"rate_limit_per_minute", rate_limit("Its own limit; null: the tenant plan's.")}});
}

json::object audit_event() {
  json::object hash = text("SHA-256, lower-case hex.");
  hash["pattern"] = "^[0-9a-f]{64}$";
  return closed_object(
      "One entry of the tenant's tamper-evident audit chain.",
      {{"id", text("`aud_…`")},
       {"seq", json::object{{"type", "integer"},
                            {"minimum", 1},
                            {"description", "Position in the chain: 1, 2, 3 …"}}},
       {"occurred_at", time("When it happened (milliseconds).")},
       {"action", text("What happened: `api_key.created`, `authentication.failed`, …")},
       {"outcome", one_of({"success", "failure", "denied"}, "How it ended.")},
       {"actor",
        closed_object("Who did it.", {{"type", text("`operator`, `user`, `service_account`, "
                                                    "`anonymous` or `system`.")},
                                      {"id", text("Empty when unknown.")},
                                      {"credential_id", text("The API key used; may be empty.")}})},
       {"target",
        closed_object("What it was done to.", {{"type", text("`api_key`, `tenant`, `route`, …")},
                                               {"id", text("May be empty.")}})},
       {"client_address", text("The client's IP address.")},
       {"user_agent", text("The client's User-Agent.")},
       {"request_id", text("The request that caused it.")},
       {"prev_hash", hash},
       {"hash", hash},
       {"details", json::object{{"type", json::array{"object", "string"}},
                                {"description", "Event-specific facts."}}}});
}

json::object user() {
  return closed_object(
      "A person in the tenant.",
      {{"id", text("`usr_…`")},
       {"email", text("Unique in the tenant.")},
       {"role", text("The role whose permissions the user holds.")},
       {"has_password",
        json::object{{"type", "boolean"}, {"description", "Whether a password is set."}}},
       {"version", json::object{{"type", "integer"},
                                {"minimum", 1},
                                {"description", "Grows with every change; the ETag."}}},
       {"created_at", time("When it was added.")},
       {"disabled_at", optional_time("When it was disabled; null: active.")}});
}

// A built-in role (owner, admin, …) or one of the tenant's custom roles (/v1/roles).
json::object role_of_tenant(std::string_view description) {
  return {{"type", "string"}, {"pattern", "^[a-z][a-z0-9_]{0,47}$"}, {"description", description}};
}

json::object permission_list(std::string_view description) {
  json::array known;
  for (const auto& permission : identity::tenant_permissions()) known.emplace_back(permission);
  return {{"type", "array"},
          {"items", json::object{{"type", "string"}, {"enum", std::move(known)}}},
          {"description", description}};
}

json::object role() {
  return closed_object(
      "A named set of permissions.",
      {{"name", text("Unique in the tenant; built-in names are reserved.")},
       {"description", text("What the role is for.")},
       {"permissions", permission_list("What the role grants, sorted.")},
       {"builtin", json::object{{"type", "boolean"},
                                {"description", "Built in (cannot be deleted) or the tenant's."}}},
       {"created_at", json::object{{"type", json::array{"string", "null"}},
                                   {"format", "date-time"},
                                   {"description", "null for built-in roles."}}}});
}

json::object create_role_request() {
  json::object permissions = permission_list("At least one; none the caller lacks.");
  permissions["minItems"] = 1;
  return closed_object("A custom role for the caller's tenant.",
                       {{"name", role_of_tenant("Not a built-in role's name.")},
                        {"description", text("What the role is for (at most 500 characters).")},
                        {"permissions", permissions}},
                       {"description"});
}

json::object create_user_request() {
  return closed_object(
      "A new user in the caller's tenant.",
      {{"email", json::object{{"type", "string"}, {"format", "email"}}},
       {"role", role_of_tenant("May not grant more than the caller holds.")},
       {"password", json::object{{"type", json::array{"string", "null"}},
                                 {"description", "Absent: the user signs in another way."}}}},
      {"password"});
}

json::object update_user_request() {
  json::object role = role_of_tenant("The new role; may not grant more than the caller holds.");
  role["type"] = json::array{"string", "null"};
  return closed_object("The members to change; absent or null ones stay as they are.",
                       {{"role", role},
                        {"password", json::object{{"type", json::array{"string", "null"}},
                                                  {"description", "A new password."}}}},
                       {"role", "password"});
}

json::object create_service_account_request() {
  return closed_object("A new service account in the caller's tenant.",
                       {{"name", text("What it is for, 1 to 200 characters.")},
                        {"role", role_of_tenant("May not grant more than the caller holds.")}});
}

json::object token_request() {
  return closed_object(
      "The client credentials grant (RFC 6749 §4.4.2), form-encoded. The client authenticates "
      "with HTTP Basic or with `client_id` and `client_secret` here, never both.",
      {{"grant_type", json::object{{"const", "client_credentials"}}},
       {"scope", text("Space-separated permissions, a subset of the account's role; absent: "
                      "the whole role.")},
       {"client_id", text("The service account's id.")},
       {"client_secret", text("Its secret.")}},
      {"scope", "client_id", "client_secret"});
}

json::object create_tenant_request() {
  json::object slug = text("Unique; derived from the name when absent.");
  slug["type"] = json::array{"string", "null"};
  return closed_object(
      "A new tenant with its owner.",
      {{"name", text("Display name, 1 to 200 characters.")},
       {"owner_email", json::object{{"type", "string"}, {"format", "email"}}},
       {"slug", slug},
       {"plan", json::object{{"type", json::array{"string", "null"}},
                             {"enum", json::array{"free", "standard", "enterprise", nullptr}},
                             {"default", "standard"}}}},
      {"slug", "plan"});
}

json::object create_api_key_request() {
  return closed_object(
      "A new API key in the caller's tenant.",
      {{"name", text("What the key is for, 1 to 200 characters.")},
       {"role", role_of_tenant("May not grant more than the caller holds.")},
       {"expires_at", optional_time("A future time, e.g. 2030-01-31T00:00:00Z; null: never.")},
       {"rate_limit_per_minute",
        rate_limit("Requests per minute, below the tenant plan's; null: the plan's.")}},
      {"expires_at", "rate_limit_per_minute"});
}

json::object rotate_api_key_request() {
  return closed_object(
      "How long the old key keeps working; the body may be empty.",
      {{"grace_period_seconds", json::object{{"type", json::array{"integer", "null"}},
                                             {"minimum", 0},
                                             {"maximum", 604800},
                                             {"default", 86400},
                                             {"description", "At most 7 days."}}}},
      {"grace_period_seconds"});
}

json::object integer(std::string_view description, std::int64_t minimum) {
  return {{"type", "integer"}, {"minimum", minimum}, {"description", description}};
}

json::object event_type_filters(std::string_view description) {
  return {{"type", "array"},
          {"minItems", 1},
          {"maxItems", 50},
          {"items", json::object{{"type", "string"},
                                 {"pattern", "^(\\*|[a-z0-9_]+(\\.[a-z0-9_]+)*(\\.\\*)?)$"}}},
          {"description", description}};
}

json::object custom_headers(std::string_view description) {
  return {{"type", "object"},
          {"additionalProperties", json::object{{"type", "string"}}},
          {"description", description}};
}

json::object endpoint_rate_limit(std::string_view description) {
  return {{"type", json::array{"integer", "null"}},
          {"minimum", 1},
          {"maximum", 10'000},
          {"description", description}};
}

json::object nullable_text(std::string_view description) {
  return json::object{{"type", json::array{"string", "null"}}, {"description", description}};
}

json::object boolean(std::string_view description) {
  return json::object{{"type", "boolean"}, {"description", description}};
}

json::object entity() {
  return closed_object(
      "A company the tenant analyses.",
      {{"id", text("`ent_…`")},
       {"name", text("Its name.")},
       {"cik", nullable_text("SEC Central Index Key.")},
       {"lei", nullable_text("ISO 17442 Legal Entity Identifier.")},
       {"ticker", nullable_text("Exchange ticker.")},
       {"industry_code", nullable_text("NAICS or SIC code.")},
       {"country", nullable_text("ISO 3166-1 alpha-2.")},
       {"currency", text("Reporting currency, ISO 4217.")},
       {"is_public", boolean("Listed on an exchange.")},
       {"manufacturing", boolean("A manufacturer (chooses the Altman Z variant).")},
       {"version", integer("Grows with every change.", 1)},
       {"created_at", time("When it was created.")},
       {"updated_at", time("When it last changed.")}});
}

json::object create_entity_request() {
  return closed_object(
      "A new entity.",
      {{"name", text("1 to 200 characters.")},
       {"cik", text("1 to 10 digits.")},
       {"lei", text("20 upper-case letters and digits.")},
       {"ticker", text("1 to 12 upper-case letters, digits, '.' or '-'.")},
       {"industry_code", text("NAICS or SIC: 2 to 6 digits.")},
       {"country", text("ISO 3166-1 alpha-2, e.g. `DE`.")},
       {"currency", text("Reporting currency, ISO 4217, e.g. `EUR`.")},
       {"is_public", boolean("Default false.")},
       {"manufacturing", boolean("Default false.")}},
      {"cik", "lei", "ticker", "industry_code", "country", "is_public", "manufacturing"});
}

json::object import_report() {
  json::object warnings{{"type", "array"},
                        {"items", json::object{{"type", "string"}}},
                        {"description",
                         "Problems that did not stop the import, e.g. a "
                         "statement whose balances do not add up."}};
  return closed_object(
      "What one import did. Imports are atomic: the whole file or nothing.",
      {{"id", text("`imp_…`")},
       {"entity_id", text("The entity.")},
       {"format", text("The format the file was read as.")},
       {"sha256", text("SHA-256 of the file, lower-case hex.")},
       {"bytes", integer("Size of the file.", 0)},
       {"kind", one_of({"bank_transactions", "financial_periods", "share_prices", "news_items"},
                       "What the file holds; the counts are of these records.")},
       {"records", integer("Records in the file.", 0)},
       {"added", integer("Records stored for the first time.", 0)},
       {"updated", integer("Stored records whose values this file changed: a restated period, "
                           "a corrected price.",
                           0)},
       {"duplicates", integer("Records already stored with the same values (the same bank "
                              "reference, period, date or news item), not added again.",
                              0)},
       {"statements", integer("Bank files: statements in the file.", 0)},
       {"accounts_created", integer("Bank files: accounts seen for the first time.", 0)},
       {"warnings", warnings},
       {"created_at", time("When it was imported.")}});
}

json::object financial_period() {
  return closed_object(
      "One fiscal period's statement values, as imported.",
      {{"period_end", text("The period's last day, YYYY-MM-DD.")},
       {"length", one_of({"annual", "quarter"}, "Period length.")},
       {"fiscal_year", integer("The period's fiscal year.", 0)},
       {"fiscal_period", text("\"FY\" or \"Q1\"…\"Q4\".")},
       {"currency", text("ISO 4217 currency of the values.")},
       {"source", text("The import format the values came from.")},
       {"source_ref", text("The filing (accession number) the values came from.")},
       {"items", json::object{{"type", "object"},
                              {"description",
                               "Canonical item (\"total_assets\", \"revenue\", "
                               "…) → value in the currency's units; items the "
                               "filings do not report are absent, never 0."},
                              {"additionalProperties", json::object{{"type", "number"}}}}},
       {"updated_at", time("When an import last changed the period.")}});
}

// The scores document: its top level is fixed, the parts inside are described in
// docs/finance/methods.md and keep room to grow (more ratios, more components).
json::object entity_scores() {
  const json::object period{
      {"type", "object"},
      {"required", json::array{"end", "length"}},
      {"properties", json::object{{"end", text("YYYY-MM-DD.")},
                                  {"length", one_of({"annual", "quarter"}, "Period length.")}}}};
  auto part = [](std::string_view description) {
    return json::object{{"type", "object"}, {"description", description}};
  };
  json::object prior = period;
  prior["type"] = json::array{"object", "null"};
  return closed_object(
      "Every score of one fiscal period against the period before it. A value that cannot be "
      "computed is null, with `reason_if_null` naming the missing input or zero denominator.",
      {{"entity_id", text("The entity.")},
       {"currency", text("ISO 4217 currency of the statements.")},
       {"fiscal_year", integer("The period's fiscal year.", 0)},
       {"fiscal_period", text("\"FY\" or \"Q1\"…\"Q4\".")},
       {"source", text("The import format the values came from.")},
       {"source_ref", text("The filing (accession number) the values came from.")},
       {"period", period},
       {"prior_period", prior},
       {"ratios", json::object{{"type", "array"},
                               {"description",
                                "Liquidity, leverage, profitability, efficiency, "
                                "cash-flow and growth ratios, each with its inputs."},
                               {"items", json::object{{"type", "object"}}}}},
       {"altman", part("Altman Z, Z′ or Z″ (chosen from the entity), zone and components.")},
       {"piotroski", part("Piotroski F-score with its nine signals.")},
       {"beneish", part("Beneish M-score with its eight variables; threshold −1.78.")},
       {"ohlson", part("Ohlson O-score and the probability of distress.")},
       {"health", part("Health score 0–100 with its six pillars, drivers and confidence.")}});
}

// A member that is an object described in prose (its own members are documented in
// docs/finance/methods.md), or null when `nullable`.
json::object described_object(std::string_view description, bool nullable = false) {
  json::object out{{"description", description}};
  out["type"] = nullable ? json::value(json::array{"object", "null"}) : json::value("object");
  return out;
}

json::object entity_risk() {
  return closed_object(
      "Predictive risk of an entity. What cannot be computed is null with a reason.",
      {{"entity_id", text("The entity.")},
       {"length", one_of({"annual", "quarter"}, "The periods read.")},
       {"currency", text("ISO 4217 currency of amounts in minor units.")},
       {"distress", described_object("Ohlson probability of distress (0–1) and Altman Z and "
                                     "zone of the latest period.")},
       {"runway", described_object("Cash runway from the bank transactions: monthly flows, "
                                   "recency-weighted burn, months left with an 80 % range, "
                                   "cash-out date. Null without bank data.",
                                   true)},
       {"runway_reason_if_null", text("Why runway is null; empty otherwise.")},
       {"forecasts", described_object("Revenue and cash for the next four periods with 80 % "
                                      "and 95 % prediction intervals, and the chosen model.")},
       {"revenue_backtest",
        described_object("Rolling-origin backtest of the revenue model (MAE, MAPE, MASE) "
                         "against the naive forecast. Null without a forecast.",
                         true)}});
}

json::object entity_sentiment() {
  return closed_object(
      "Sentiment of an entity's imported news over a window ending on the latest item.",
      {{"entity_id", text("The entity.")},
       {"window_days", integer("Days in the window.", 1)},
       {"as_of", text("The window's last day, YYYY-MM-DD.")},
       {"items", integer("News items in the window.", 0)},
       {"positive", integer("Positive items.", 0)},
       {"negative", integer("Negative items.", 0)},
       {"neutral", integer("Neutral items.", 0)},
       {"mean_score", json::object{{"type", json::array{"number", "null"}},
                                   {"description", "Mean score, −1 to 1."}}},
       {"previous_mean_score", json::object{{"type", json::array{"number", "null"}},
                                            {"description", "The window before it."}}},
       {"label", nullable_text("positive, negative or neutral (mean beyond ±0.1).")},
       {"trend", nullable_text("improving, worsening or steady against the window before.")},
       {"days", json::object{{"type", "array"},
                             {"description", "Per day with news: counts and mean score."},
                             {"items", json::object{{"type", "object"}}}}}});
}

json::object entity_benchmark() {
  return closed_object(
      "An entity's metrics among its peers'.",
      {{"entity_id", text("The entity.")},
       {"length", one_of({"annual", "quarter"}, "The periods compared.")},
       {"peer_group", text("\"explicit\", or how the automatic group was chosen.")},
       {"peer_ids", json::object{{"type", "array"}, {"items", text("`ent_…`")}}},
       {"period_end", nullable_text("The entity's period compared, YYYY-MM-DD.")},
       {"metrics",
        json::object{{"type", "array"},
                     {"description",
                      "Per metric: value, peers, peer_median, peer_mean, best_in_class, "
                      "percentile (0–100, higher is better), z_score, quartile (1 best)."},
                     {"items", json::object{{"type", "object"}}}}},
       {"notes", json::object{{"type", "array"}, {"items", text("A note.")}}}});
}

json::object entity_insights() {
  return closed_object(
      "Scores, risk, sentiment, drivers of change and a narrative in one document.",
      {{"entity_id", text("The entity.")},
       {"name", text("The entity's name.")},
       {"currency", text("Reporting currency.")},
       {"data_version", text("The data the document was computed from; changes on import.")},
       {"computed_at", text("RFC 3339 UTC.")},
       {"scores", described_object("As GET …/scores for the latest period; null without "
                                   "statements.",
                                   true)},
       {"risk", described_object("As GET …/risk, without entity_id.")},
       {"sentiment", described_object("As GET …/sentiment (90 days); null without news.", true)},
       {"drivers", json::object{{"type", "array"},
                                {"description",
                                 "Ratios whose change moved the health score most since the "
                                 "period before: pillar, ratio, before, now, score_change, "
                                 "health_points."},
                                {"items", json::object{{"type", "object"}}}}},
       {"narrative", json::object{{"type", "array"},
                                  {"description",
                                   "Messages: a catalogue key, its parameters and the English "
                                   "text."},
                                  {"items", json::object{{"type", "object"}}}}},
       {"summary", text("The narrative's texts in one paragraph.")},
       {"ai_summary",
        closed_object(
            "With narrative=ai: the summary rewritten by a model, or the deterministic one "
            "with the reason (status fallback).",
            {{"requested_model", text("The model, alias or route called.")},
             {"status", one_of({"rewritten", "fallback"}, "What `text` is.")},
             {"text", text("The rewrite, or the deterministic summary.")},
             {"model", text("rewritten: the catalogue's model that wrote it.")},
             {"route", text("rewritten: what answered and why (aic-route).")},
             {"written_at", text("rewritten: RFC 3339 UTC.")},
             {"kept", json::object{{"type", "boolean"},
                                   {"description",
                                    "rewritten: kept from an earlier request for the same "
                                    "data (no provider call)."}}},
             {"reason", text("fallback: why the deterministic summary stands.")}},
            {"model", "route", "written_at", "kept", "reason"})}},
      {"ai_summary"});
}

json::object bank_transaction() {
  return closed_object(
      "One imported bank transaction.",
      {{"id", text("`btx_…`")},
       {"account_id", text("`bac_…`")},
       {"account", text("The account number or IBAN.")},
       {"currency", text("ISO 4217.")},
       {"booking_date", text("YYYY-MM-DD.")},
       {"value_date", nullable_text("YYYY-MM-DD.")},
       {"amount", text("Decimal, signed: credits positive, debits negative.")},
       {"amount_minor",
        json::object{{"type", "integer"}, {"description", "The amount in minor units."}}},
       {"reference", nullable_text("The bank's reference.")},
       {"customer_reference", nullable_text("The account owner's reference.")},
       {"type_code", nullable_text("The file's transaction code.")},
       {"description", nullable_text("Free text.")},
       {"counterparty_name", nullable_text("The other side.")},
       {"counterparty_account", nullable_text("The other side's account.")},
       {"import_id", text("The import that added it.")},
       {"created_at", time("When it was imported.")}});
}

json::object webhook_endpoint() {
  return closed_object(
      "A URL that receives the tenant's events, signed per Standard Webhooks.",
      {{"id", text("`whe_…`")},
       {"url", text("Where deliveries are POSTed.")},
       {"description", text("What it is for.")},
       {"event_types",
        event_type_filters("Which events it receives, of those published after it was "
                           "created: names, `prefix.*` or `*`.")},
       {"headers", custom_headers("Extra headers sent with every delivery.")},
       {"rate_limit_per_second", endpoint_rate_limit("At most this many deliveries per second; "
                                                     "null: no limit of its own.")},
       {"enabled",
        json::object{{"type", "boolean"}, {"description", "Whether deliveries are being made."}}},
       {"disabled_at", optional_time("When it was disabled; null: enabled.")},
       {"disabled_reason",
        json::object{{"type", json::array{"string", "null"}},
                     {"description", "Why: by a user, 410 Gone, or 5 days of failures."}}},
       {"version", integer("Grows with every change; the ETag.", 1)},
       {"created_at", time("When it was created.")},
       {"updated_at", time("When it last changed.")}});
}

json::object create_webhook_endpoint_request() {
  return closed_object(
      "A new webhook endpoint.",
      {{"url", text("An absolute http or https URL without credentials or fragment.")},
       {"description", text("Up to 500 characters.")},
       {"event_types", event_type_filters("Default `[\"*\"]`: every event.")},
       {"headers", custom_headers("Up to 20; `webhook-*`, Content-Type, Host and other framing "
                                  "headers are the platform's.")},
       {"rate_limit_per_second", endpoint_rate_limit("Default: none.")}},
      {"description", "event_types", "headers", "rate_limit_per_second"});
}

json::object update_webhook_endpoint_request() {
  json::object url = text("A new URL.");
  url["type"] = json::array{"string", "null"};
  json::object description = text("A new description.");
  description["type"] = json::array{"string", "null"};
  json::object types = event_type_filters("New filters.");
  types["type"] = json::array{"array", "null"};
  json::object headers = custom_headers("New custom headers (replacing all).");
  headers["type"] = json::array{"object", "null"};
  return closed_object(
      "The members to change; absent ones stay as they are. `rate_limit_per_second: null` "
      "removes the limit; null elsewhere changes nothing.",
      {{"url", url},
       {"description", description},
       {"event_types", types},
       {"headers", headers},
       {"rate_limit_per_second", endpoint_rate_limit("A new limit, or null for none.")}},
      {"url", "description", "event_types", "headers", "rate_limit_per_second"});
}

json::object webhook_message() {
  return closed_object(
      "One event owed to one endpoint. Its id is the `webhook-id` header of every attempt.",
      {{"id", text("`msg_…`")},
       {"endpoint_id", text("The endpoint.")},
       {"event_id", text("The event (`evt_…`).")},
       {"event_type", text("The event's type.")},
       {"status", one_of({"pending", "delivered", "failed"},
                         "`failed`: every attempt failed or the endpoint was disabled (a dead "
                         "letter; replayable).")},
       {"attempts", integer("Attempts made so far.", 0)},
       {"next_attempt_at", optional_time("When the next attempt is due; null unless pending.")},
       {"created_at", time("When the event occurred.")},
       {"finished_at", optional_time("When it was delivered or given up; null while pending.")}});
}

json::object webhook_attempt() {
  return closed_object(
      "One delivery attempt.",
      {{"id", text("`wha_…`")},
       {"message_id", text("The message.")},
       {"endpoint_id", text("The endpoint.")},
       {"attempt", integer("1 for the first attempt of the message, then 2, 3 …", 1)},
       {"attempted_at", time("When it was sent.")},
       {"succeeded", json::object{{"type", "boolean"}, {"description", "A 2xx answer."}}},
       {"status_code", json::object{{"type", json::array{"integer", "null"}},
                                    {"description", "The answer's status; null: no answer."}}},
       {"latency_ms", integer("From sending to the answer (or the failure).", 0)},
       {"response_body", text("The first 1 KiB of the answer.")},
       {"error", text("Why there was no answer (refused address, timeout, TLS, …), or empty.")}});
}

}  // namespace

std::vector<NamedSchema> component_schemas() {
  std::vector<std::pair<std::string, json::object>> schemas = {
      {"Problem", problem()},
      {"Health",
       closed_object("The process is running.", {{"status", json::object{{"const", "ok"}}}})},
      {"Readiness",
       closed_object("Whether the server can serve, and each check's state.",
                     {{"status", one_of({"ready", "not_ready"}, "Whether every check passed.")},
                      {"checks", closed_object("`ok`, or why not.",
                                               {{"shutdown", text("`ok` or `draining`.")},
                                                {"database", text("`ok` or the error.")},
                                                {"migrations", text("`ok` or the versions.")}})}})},
      {"Version", closed_object("What this server binary is.",
                                {{"version", text("Release version.")},
                                 {"commit", text("Source commit, or `unknown`.")},
                                 {"build_time", time("When it was built (UTC).")}})},
      {"Tenant", tenant()},
      {"TenantCreated",
       closed_object(
           "The new tenant, its owner, and the owner's first API key.",
           {{"tenant_id", text("The new tenant's id.")},
            {"tenant", ref("Tenant")},
            {"owner_user_id", text("`usr_…`")},
            {"owner_api_key", text("The owner's API key; shown in this response only.")}})},
      {"ListOfTenants", list_of("Tenant", "A page of tenants, oldest first.")},
      {"CreateTenantRequest", create_tenant_request()},
      {"ApiKey", api_key()},
      {"ApiKeyCreated",
       extended(api_key(), "A new API key, with its secret.",
                {{"token", text("The secret API key; shown in this response only.")}})},
      {"ApiKeyRotated",
       extended(api_key(), "The key that replaces a rotated one, with its secret.",
                {{"token", text("The new secret API key; shown in this response only.")},
                 {"rotated_from", text("The key it replaces.")}})},
      {"ListOfApiKeys", list_of("ApiKey", "A page of the tenant's API keys, oldest first.")},
      {"CreateApiKeyRequest", create_api_key_request()},
      {"RotateApiKeyRequest", rotate_api_key_request()},
      {"Role", role()},
      {"ListOfRoles", list_of("Role", "The built-in roles, then the tenant's own.")},
      {"CreateRoleRequest", create_role_request()},
      {"User", user()},
      {"ListOfUsers", list_of("User", "A page of the tenant's users, oldest first.")},
      {"CreateUserRequest", create_user_request()},
      {"UpdateUserRequest", update_user_request()},
      {"ServiceAccount", service_account()},
      {"ServiceAccountCreated",
       extended(service_account(), "A new service account, with its client secret.",
                {{"client_secret", text("The client secret; shown in this response only.")}})},
      {"ListOfServiceAccounts",
       list_of("ServiceAccount", "A page of the tenant's service accounts, oldest first.")},
      {"CreateServiceAccountRequest", create_service_account_request()},
      {"TokenRequest", token_request()},
      {"AccessToken",
       closed_object("An access token (RFC 6749 §5.1).",
                     {{"access_token", text("An ES256 JWT; send as `Authorization: Bearer`.")},
                      {"token_type", json::object{{"const", "Bearer"}}},
                      {"expires_in", json::object{{"type", "integer"},
                                                  {"minimum", 1},
                                                  {"description", "Seconds it stays valid."}}},
                      {"scope", text("The space-separated permissions granted.")}})},
      {"OAuthProblem", oauth_problem()},
      {"JsonWebKeySet", json_web_key_set()},
      {"AuditEvent", audit_event()},
      {"ListOfAuditEvents", list_of("AuditEvent", "A page of audit events, newest first.")},
      {"Entity", entity()},
      {"ListOfEntities", list_of("Entity", "A page of the tenant's entities, oldest first.")},
      {"CreateEntityRequest", create_entity_request()},
      {"ImportReport", import_report()},
      {"BankTransaction", bank_transaction()},
      {"EntityScores", entity_scores()},
      {"EntityRisk", entity_risk()},
      {"EntitySentiment", entity_sentiment()},
      {"EntityBenchmark", entity_benchmark()},
      {"EntityInsights", entity_insights()},
      {"ScoreSentimentRequest",
       closed_object("Texts to score.",
                     {{"texts", json::object{{"type", "array"},
                                             {"minItems", 1},
                                             {"maxItems", 100},
                                             {"items", text("Up to 10,000 bytes.")}}},
                      {"method", one_of({"lexicon", "llm"},
                                        "The scorer: the built-in lexicon (default) or a model "
                                        "through the AI gateway.")},
                      {"model", text("With method llm: the model, alias or route to call "
                                     "(default: ai.sentiment_model, \"auto\").")}},
                     {"method", "model"})},
      {"SentimentScores",
       closed_object(
           "The texts' sentiment, in request order.",
           {{"method", text("The scorer used: lexicon or llm.")},
            {"model", text("llm: the catalogue's model that answered.")},
            {"route", text("llm: what answered and why, as in the gateway's aic-route header.")},
            {"cost_microdollars",
             json::object{{"type", "integer"}, {"description", "llm: what the call cost."}}},
            {"results", json::object{{"type", "array"},
                                     {"description",
                                      "Per text: label (positive, negative, neutral), score (−1 "
                                      "to 1) and evidence. lexicon: also sum, and evidence "
                                      "items with terms, rule, weight, contribution, "
                                      "negated_by, scaled_by. llm: evidence items with the "
                                      "phrases (terms) the model quoted."},
                                     {"items", json::object{{"type", "object"}}}}}},
           {"model", "route", "cost_microdollars"})},
      {"FinancialPeriod", financial_period()},
      {"ListOfFinancialPeriods",
       list_of("FinancialPeriod",
               "All of the entity's periods of one length, oldest first, in one page.")},
      {"ListOfBankTransactions",
       list_of("BankTransaction", "A page of bank transactions, in import order.")},
      {"WebhookEndpoint", webhook_endpoint()},
      {"WebhookEndpointCreated",
       extended(webhook_endpoint(),
                "An endpoint with its signing secret (after creation or rotation).",
                {{"secret", text("`whsec_…`: shown in this response only.")}})},
      {"ListOfWebhookEndpoints",
       list_of("WebhookEndpoint", "A page of the tenant's webhook endpoints, oldest first.")},
      {"CreateWebhookEndpointRequest", create_webhook_endpoint_request()},
      {"UpdateWebhookEndpointRequest", update_webhook_endpoint_request()},
      {"WebhookMessage", webhook_message()},
      {"ListOfWebhookMessages", list_of("WebhookMessage", "A page of messages, oldest first.")},
      {"WebhookAttempt", webhook_attempt()},
      {"ListOfWebhookAttempts", list_of("WebhookAttempt", "A page of attempts, oldest first.")},
      {"ReplayWebhookMessagesRequest",
       closed_object("Exactly one of the two.",
                     {{"message_id", text("One dead letter to send again.")},
                      {"since", time("Every dead letter created at or after this time.")}},
                     {"message_id", "since"})},
      {"WebhookReplay", closed_object("What a replay queued.",
                                      {{"replayed", integer("Messages queued again.", 0)}})},
  };
  std::vector<NamedSchema> out;
  for (const auto& [name, schema] : schemas) out.push_back({name, json::serialize(schema)});
  return out;
}

}  // namespace aic::api::v1
