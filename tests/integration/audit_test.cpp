// The audit log over real HTTP: what a tenant's owner and the platform operator see, the
// security events the filters record, pagination, and an export a third party can re-verify.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <sstream>

#include "audit/audit_log.hpp"
#include "tenant_world.hpp"

namespace aic::test {
namespace {

// Every event of `token`'s chain, newest first, following next_cursor with small pages.
std::vector<json::object> all_events(World& world, const std::string& token,
                                     const std::string& filter = "") {
  std::vector<json::object> events;
  std::string target = "/v1/audit-events?limit=2" + filter;
  for (int page = 0; page < 100; ++page) {
    auto response = world.call("GET", target, token);
    EXPECT_TRUE(response);
    if (!response) break;
    EXPECT_EQ(response->status, 200) << response->body;
    auto body = body_of(*response);
    for (auto& item : body["data"].as_array()) events.push_back(item.as_object());
    if (body["next_cursor"].is_null()) break;
    target = "/v1/audit-events?limit=2" + filter +
             "&cursor=" + std::string(body["next_cursor"].as_string());
  }
  return events;
}

std::vector<std::string> actions(const std::vector<json::object>& events) {
  std::vector<std::string> out;
  for (const auto& event : events) out.emplace_back(event.at("action").as_string());
  return out;
}

// The stored record behind one exported line, to recompute its hash independently.
audit::Record record_from_json(const json::object& line, const std::string& chain) {
  audit::Record record;
  record.chain = chain;
  record.seq = line.at("seq").as_int64();
  record.id = line.at("id").as_string();
  record.occurred_at = line.at("occurred_at").as_string();
  audit::Event& event = record.event;
  event.action = line.at("action").as_string();
  event.outcome = line.at("outcome").as_string();
  const auto& actor = line.at("actor").as_object();
  event.actor_kind = actor.at("type").as_string();
  event.actor_id = actor.at("id").as_string();
  event.credential_id = actor.at("credential_id").as_string();
  const auto& target = line.at("target").as_object();
  event.target_type = target.at("type").as_string();
  event.target_id = target.at("id").as_string();
  event.origin.client_address = line.at("client_address").as_string();
  event.origin.user_agent = line.at("user_agent").as_string();
  event.origin.request_id = line.at("request_id").as_string();
  // Details were written compactly with string members, so serializing reproduces them.
  event.details = json::serialize(line.at("details"));
  record.prev_hash = line.at("prev_hash").as_string();
  record.hash = line.at("hash").as_string();
  return record;
}

TEST(Audit, StateChangesAndSecurityEventsAreRecordedWithTheirOrigin) {
  World world;
  auto [key_id, viewer] = world.create_key(world.owner_a, "viewer");
  auto revoke = http_request(world.server.port(), "DELETE", "/v1/api-keys/" + key_id, "",
                             {{"Authorization", "Bearer " + world.owner_a},
                              {"X-Request-Id", "req-revoke-1"},
                              {"User-Agent", "audit-test/1.0"}});
  ASSERT_TRUE(revoke);
  ASSERT_EQ(revoke->status, 200);
  auto [analyst_id, analyst] = world.create_key(world.owner_a, "analyst");
  // An analyst may not manage keys: a denied permission.
  auto denied = world.call("GET", "/v1/api-keys", analyst);
  ASSERT_TRUE(denied);
  EXPECT_EQ(denied->status, 403);
  // A forged secret for a real key id: a failed authentication.
  std::string forged = analyst.substr(0, analyst.size() - 1) + (analyst.ends_with("A") ? "B" : "A");
  EXPECT_EQ(world.call("GET", "/v1/api-keys", forged)->status, 401);
  world.server.security_events().flush();

  auto events = all_events(world, world.owner_a);
  EXPECT_EQ(actions(events),
            (std::vector<std::string>{"authorization.denied", "api_key.created", "api_key.revoked",
                                      "api_key.created", "tenant.created"}));
  const json::object& revoked = events[2];
  EXPECT_EQ(revoked.at("target").at("id").as_string(), key_id);
  EXPECT_EQ(revoked.at("outcome"), "success");
  EXPECT_EQ(revoked.at("request_id"), "req-revoke-1");
  EXPECT_EQ(revoked.at("user_agent"), "audit-test/1.0");
  EXPECT_EQ(revoked.at("client_address"), "127.0.0.1");
  EXPECT_EQ(revoked.at("actor").at("type"), "user");
  EXPECT_EQ(revoked.at("details").at("role"), "viewer");
  EXPECT_EQ(events[0].at("outcome"), "denied");
  EXPECT_EQ(events[0].at("target").at("id"), "GET /v1/api-keys");
  EXPECT_EQ(events[0].at("actor").at("credential_id").as_string(), analyst_id);
  // Sequence numbers count down without gaps, newest first.
  for (std::size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(events[i].at("seq").as_int64(), static_cast<std::int64_t>(events.size() - i));
  }

  // Tenant B sees only its own chain.
  EXPECT_EQ(actions(all_events(world, world.owner_b)),
            (std::vector<std::string>{"tenant.created"}));

  // The operator sees the platform chain: its own actions and failed authentications.
  auto platform = all_events(world, world.operator_key);
  EXPECT_EQ(actions(platform),
            (std::vector<std::string>{"authentication.failed", "tenant.created", "tenant.created",
                                      "operator.key_created"}));
  EXPECT_EQ(platform[0].at("target").at("id").as_string(),
            analyst_id);  // the public id, never the secret
  EXPECT_EQ(platform[0].at("outcome"), "failure");
  EXPECT_EQ(platform[0].at("actor").at("type"), "anonymous");

  // Filters.
  EXPECT_EQ(actions(all_events(world, world.owner_a, "&action=api_key.*&outcome=success")),
            (std::vector<std::string>{"api_key.created", "api_key.revoked", "api_key.created"}));
  EXPECT_EQ(all_events(world, world.owner_a, "&target_id=" + key_id).size(), 2u);
  EXPECT_TRUE(all_events(world, world.owner_a, "&since=2999-01-01T00:00:00Z").empty());
}

TEST(Audit, ExportIsJsonLinesThatReVerify) {
  World world;
  for (int i = 0; i < 3; ++i) world.create_key(world.owner_a, "viewer");
  auto exported = world.call("GET", "/v1/audit-events/export", world.owner_a);
  ASSERT_TRUE(exported);
  ASSERT_EQ(exported->status, 200) << exported->body;
  EXPECT_EQ(exported->header("Content-Type"), "application/jsonl");
  std::istringstream lines(exported->body);
  std::string line;
  std::string previous(64, '0');
  std::int64_t expected_seq = 1;
  while (std::getline(lines, line)) {
    auto record = record_from_json(json::parse(line).as_object(), world.tenant_a);
    EXPECT_EQ(record.seq, expected_seq++);
    EXPECT_EQ(record.prev_hash, previous);
    EXPECT_EQ(audit::chain_hash(record), record.hash) << line;
    previous = record.hash;
  }
  EXPECT_EQ(expected_seq, 5);  // tenant.created and three keys

  // Paged export: the header says where the next part starts.
  auto first = world.call("GET", "/v1/audit-events/export?limit=3", world.owner_a);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->header("Aic-Next-After"), "3");
  auto rest = world.call("GET", "/v1/audit-events/export?after=3", world.owner_a);
  ASSERT_TRUE(rest);
  EXPECT_EQ(std::count(rest->body.begin(), rest->body.end(), '\n'), 1);
  EXPECT_FALSE(rest->header("Aic-Next-After"));
}

TEST(Audit, BadQueryParametersNameTheParameter) {
  World world;
  for (const auto& [query, parameter] :
       std::vector<std::pair<std::string, std::string>>{{"limit=0", "limit"},
                                                        {"limit=201", "limit"},
                                                        {"limit=ten", "limit"},
                                                        {"cursor=-1", "cursor"},
                                                        {"since=yesterday", "since"},
                                                        {"outcome=maybe", "outcome"},
                                                        {"colour=blue", "colour"},
                                                        {"limit=1&limit=2", "limit"},
                                                        {"action=%zz", "action"}}) {
    auto response = world.call("GET", "/v1/audit-events?" + query, world.owner_a);
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 400) << query << " " << response->body;
    EXPECT_EQ(problem_field(*response), parameter) << query;
  }
  auto viewer = world.create_key(world.owner_a, "viewer").second;
  EXPECT_EQ(world.call("GET", "/v1/audit-events", viewer)->status, 403);
  EXPECT_EQ(world.call("GET", "/v1/audit-events/export", viewer)->status, 403);
}

}  // namespace
}  // namespace aic::test
