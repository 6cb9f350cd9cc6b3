#include "events/catalogue.hpp"

#include <algorithm>
#include <array>

namespace aic::events {
namespace {

constexpr std::string_view kApiKeyData =
    R"({"type":"object","required":["id","name","role","principal_kind","principal_id"],"properties":{"id":{"type":"string"},"name":{"type":"string"},"role":{"type":"string"},"principal_kind":{"type":"string","enum":["user","service_account"]},"principal_id":{"type":"string"},"expires_at":{"type":["string","null"],"format":"date-time"}}})";

constexpr std::array
    kCatalogue =
        {
            EventType{"api_key.created",
                      "An API key was created (its secret is never part of an event).",
                      kApiKeyData},
            EventType{
                "api_key.rotated",
                "An API key was rotated: `id` is the new key, `replaces` the old one, which keeps "
                "working until `grace_until`.",
                R"({"type":"object","required":["id","replaces","grace_until"],"properties":{"id":{"type":"string"},"replaces":{"type":"string"},"grace_until":{"type":"string","format":"date-time"}}})"},
            EventType{
                "api_key.revoked", "An API key was revoked and no longer authenticates.",
                R"({"type":"object","required":["id"],"properties":{"id":{"type":"string"}}})"},
            EventType{
                "user.created", "A user was added to the tenant.",
                R"({"type":"object","required":["id","email","role"],"properties":{"id":{"type":"string"},"email":{"type":"string"},"role":{"type":"string"}}})"},
            EventType{
                "user.updated", "A user's role or password changed.",
                R"({"type":"object","required":["id","role"],"properties":{"id":{"type":"string"},"role":{"type":"string"},"password_changed":{"type":"boolean"}}})"},
            EventType{
                "user.disabled", "A user was disabled; their API keys were revoked.",
                R"({"type":"object","required":["id"],"properties":{"id":{"type":"string"}}})"},
            EventType{
                "service_account.created", "A service account (machine client) was created.",
                R"({"type":"object","required":["id","name","role"],"properties":{"id":{"type":"string"},"name":{"type":"string"},"role":{"type":"string"}}})"},
            EventType{
                "service_account.disabled",
                "A service account was disabled; its API keys were revoked.",
                R"({"type":"object","required":["id"],"properties":{"id":{"type":"string"}}})"},
            EventType{
                "role.created", "The tenant defined a custom role.",
                R"({"type":"object","required":["name","permissions"],"properties":{"name":{"type":"string"},"permissions":{"type":"array","items":{"type":"string"}}}})"},
            EventType{
                "role.deleted", "A custom role was deleted.",
                R"({"type":"object","required":["name"],"properties":{"name":{"type":"string"}}})"},
            EventType{
                "webhook.test",
                "Sent on request to one endpoint (`POST /v1/webhook-endpoints/{id}/test`) to check "
                "that it receives and verifies deliveries.",
                R"({"type":"object","required":["endpoint_id"],"properties":{"endpoint_id":{"type":"string"}}})"},
            EventType{
                "entity.created", "A company was added to the tenant's entities.",
                R"({"type":"object","required":["entity_id","name"],"properties":{"entity_id":{"type":"string"},"name":{"type":"string"}}})"},
            EventType{
                "import.completed",
                "A file was imported for an entity (all of it: imports are atomic). `kind` says "
                "what "
                "it held; records already stored count as duplicates and are not added again.",
                R"({"type":"object","required":["entity_id","import_id","format","kind","added","updated","duplicates"],"properties":{"entity_id":{"type":"string"},"import_id":{"type":"string"},"format":{"type":"string"},"kind":{"enum":["bank_transactions","financial_periods","share_prices","news_items"]},"added":{"type":"integer","minimum":0},"updated":{"type":"integer","minimum":0},"duplicates":{"type":"integer","minimum":0}}})"},
            EventType{
                "insights.updated",
                "An entity's insights were computed for new data (after an import), one event per "
                "period length; GET /v1/entities/{id}/insights returns the new document.",
                R"({"type":"object","required":["entity_id","length","data_version","health_score","summary"],"properties":{"entity_id":{"type":"string"},"length":{"enum":["annual","quarter"]},"data_version":{"type":"string"},"health_score":{"type":["number","null"]},"summary":{"type":"string"}}})"},
            EventType{
                "webhook.endpoint.disabled",
                "An endpoint was disabled by the platform: it answered 410 Gone, or every delivery "
                "to it failed for 5 days. Its undelivered messages wait in the dead-letter view.",
                R"({"type":"object","required":["endpoint_id","url","reason"],"properties":{"endpoint_id":{"type":"string"},"url":{"type":"string"},"reason":{"type":"string"}}})"},
            EventType{
                "ai.budget.threshold_reached",
                "An AI budget's spend this month reached one of its thresholds (once per budget, "
                "month and threshold; at 100 % further requests are refused with 402 until the "
                "month "
                "ends or the limit is raised).",
                R"({"type":"object","required":["budget_id","scope","subject_id","month","threshold_percent","limit_microdollars","spent_microdollars"],"properties":{"budget_id":{"type":"string"},"scope":{"enum":["tenant","api_key","service_account"]},"subject_id":{"type":["string","null"]},"month":{"type":"string","pattern":"^[0-9]{4}-[0-9]{2}$"},"threshold_percent":{"type":"integer","minimum":1,"maximum":100},"limit_microdollars":{"type":"integer","minimum":0},"spent_microdollars":{"type":"integer","minimum":0}}})"},
};

bool word_character(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; }

// Lower-case words separated by single dots.
bool valid_dotted_name(std::string_view name) {
  if (name.empty() || name.size() > 100 || name.front() == '.' || name.back() == '.') return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (name[i] == '.') {
      if (name[i - 1] == '.') return false;
    } else if (!word_character(name[i])) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::span<const EventType> catalogue() { return kCatalogue; }

const EventType* find_event_type(std::string_view name) {
  auto it = std::find_if(kCatalogue.begin(), kCatalogue.end(),
                         [&](const EventType& type) { return type.name == name; });
  return it == kCatalogue.end() ? nullptr : &*it;
}

bool type_matches(std::string_view type, std::string_view filter) {
  if (filter == "*") return true;
  if (filter.size() >= 2 && filter.substr(filter.size() - 2) == ".*") {
    std::string_view prefix = filter.substr(0, filter.size() - 1);  // keeps the dot
    return type.size() > prefix.size() && type.substr(0, prefix.size()) == prefix;
  }
  return type == filter;
}

bool valid_type_filter(std::string_view filter) {
  if (filter == "*") return true;
  if (filter.size() >= 2 && filter.substr(filter.size() - 2) == ".*") {
    return valid_dotted_name(filter.substr(0, filter.size() - 2));
  }
  return valid_dotted_name(filter);
}

}  // namespace aic::events
