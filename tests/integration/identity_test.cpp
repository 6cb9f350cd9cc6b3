// Credentials, permissions and tenant isolation over real HTTP, named after the OWASP API
// Security Top 10 (2023) items they cover.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>
#include <tuple>

#include "identity/api_keys.hpp"
#include "identity/permissions.hpp"
#include "tenant_world.hpp"

namespace aic::test {
namespace {

namespace json = boost::json;

TEST(ApiKeyToken, RoundTripsAndRejectsLookalikes) {
  auto key = identity::generate_api_key(core::system_random());
  std::string token = key.token();
  EXPECT_TRUE(token.starts_with("aic_live_"));
  auto parsed = identity::parse_api_key(token);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->id, key.id);
  EXPECT_EQ(parsed->secret, key.secret);
  EXPECT_TRUE(identity::secret_matches(key.secret, identity::hash_secret(key.secret)));
  EXPECT_FALSE(identity::secret_matches(key.secret + "x", identity::hash_secret(key.secret)));
  EXPECT_FALSE(identity::parse_api_key(""));
  EXPECT_FALSE(identity::parse_api_key("aic_test_" + token.substr(9)));
  EXPECT_FALSE(identity::parse_api_key(token + "A"));
  EXPECT_FALSE(identity::parse_api_key(token.substr(0, token.size() - 1) + "!"));
  std::string upper = token;
  upper[9] = 'A';  // ids are lower-case hex
  EXPECT_FALSE(identity::parse_api_key(upper));
}

TEST(Identity, BootstrapRefusesASecondOperatorKeyUnlessAsked) {
  TestServer server;
  ASSERT_TRUE(server.identities().bootstrap_operator(false, {}));
  auto again = server.identities().bootstrap_operator(false, {});
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, core::ErrorCode::kConflict);
  EXPECT_TRUE(server.identities().bootstrap_operator(true, {}));
}

// API2: broken authentication.
TEST(Owasp_API2_BrokenAuthentication, MissingMalformedForgedRevokedAndExpiredCredentials) {
  World world;
  auto missing = http_request(world.server.port(), "GET", "/v1/api-keys");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 401);
  EXPECT_EQ(missing->header("WWW-Authenticate"), "Bearer realm=\"aic\"");
  EXPECT_EQ(missing->header("Content-Type"), "application/problem+json");

  std::vector<std::string> malformed = {"Basic dXNlcjpwYXNz", "Bearer", "Bearer not-a-key",
                                        "Bearer aic_live_0000000000000000_" + std::string(43, 'A')};
  for (const std::string& header : malformed) {
    auto response =
        http_request(world.server.port(), "GET", "/v1/api-keys", "", {{"Authorization", header}});
    ASSERT_TRUE(response) << header;
    EXPECT_EQ(response->status, 401) << header;
    EXPECT_EQ(response->header("WWW-Authenticate"), "Bearer realm=\"aic\", error=\"invalid_token\"")
        << header;
    EXPECT_EQ(body_of(*response)["header"], "Authorization") << header;
  }

  // A real key id with a forged secret.
  auto [key_id, token] = world.create_key(world.owner_a, "viewer");
  std::string forged =
      token.substr(0, token.size() - 4) + (token.ends_with("AAAA") ? "BBBB" : "AAAA");
  auto forged_response = world.call("GET", "/v1/api-keys", forged);
  ASSERT_TRUE(forged_response);
  EXPECT_EQ(forged_response->status, 401);

  // Revoked: the key stops working at once.
  auto revoke = world.call("DELETE", "/v1/api-keys/" + key_id, world.owner_a);
  ASSERT_TRUE(revoke);
  EXPECT_EQ(revoke->status, 200) << revoke->body;
  EXPECT_FALSE(body_of(*revoke)["revoked_at"].is_null());
  auto after = world.call("POST", "/v1/api-keys", token, R"({"name":"x","role":"viewer"})");
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 401);
  EXPECT_NE(after->body.find("revoked"), std::string::npos);

  // Expired.
  auto [expiring_id, expiring] = world.create_key(world.owner_a, "admin");
  ASSERT_TRUE(world.server.database().transact(
      store::Access::kReadWrite, [&](store::Transaction& tx) -> core::Status {
        auto updated = tx.execute(
            "UPDATE api_keys SET expires_at = '2000-01-01T00:00:00Z' WHERE id = $1", {expiring_id});
        if (!updated) return std::move(updated).error();
        return {};
      }));
  auto expired = world.call("GET", "/v1/api-keys", expiring);
  ASSERT_TRUE(expired);
  EXPECT_EQ(expired->status, 401);
  EXPECT_NE(expired->body.find("expired"), std::string::npos);
}

// API5: broken function-level authorization.
TEST(Owasp_API5_FunctionLevelAuthorization, RolesOnlyReachTheirRoutes) {
  World world;
  auto [viewer_id, viewer] = world.create_key(world.owner_a, "viewer");
  auto list = world.call("GET", "/v1/api-keys", viewer);
  ASSERT_TRUE(list);
  EXPECT_EQ(list->status, 403);
  EXPECT_EQ(list->header("Content-Type"), "application/problem+json");
  auto create = world.call("POST", "/v1/api-keys", viewer, R"({"name":"x","role":"viewer"})");
  ASSERT_TRUE(create);
  EXPECT_EQ(create->status, 403);

  // Tenant owners do not manage tenants; the operator does not read tenant data.
  auto tenants = world.call("GET", "/v1/tenants", world.owner_a);
  ASSERT_TRUE(tenants);
  EXPECT_EQ(tenants->status, 403);
  auto keys = world.call("GET", "/v1/api-keys", world.operator_key);
  ASSERT_TRUE(keys);
  EXPECT_EQ(keys->status, 403);
  auto all = world.call("GET", "/v1/tenants", world.operator_key);
  ASSERT_TRUE(all);
  EXPECT_EQ(all->status, 200);
  EXPECT_EQ(body_of(*all)["data"].as_array().size(), 2u);
}

// API3: broken object property level authorization (mass assignment) and role escalation.
TEST(Owasp_API3_PropertyLevelAuthorization, ServerOwnedFieldsAndEscalationAreRefused) {
  World world;
  auto with_tenant =
      world.call("POST", "/v1/api-keys", world.owner_a,
                 R"({"name":"x","role":"viewer","tenant_id":")" + world.tenant_b + "\"}");
  ASSERT_TRUE(with_tenant);
  EXPECT_EQ(with_tenant->status, 400);
  EXPECT_EQ(problem_field(*with_tenant), "/tenant_id");

  auto unknown = world.call("POST", "/v1/api-keys", world.owner_a,
                            R"({"name":"x","role":"viewer","is_admin":true})");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 400);
  EXPECT_EQ(problem_field(*unknown), "/is_admin");

  auto [admin_id, admin] = world.create_key(world.owner_a, "admin");
  auto escalate = world.call("POST", "/v1/api-keys", admin, R"({"name":"x","role":"owner"})");
  ASSERT_TRUE(escalate);
  EXPECT_EQ(escalate->status, 403) << escalate->body;
  auto operator_role = world.call("POST", "/v1/api-keys", world.owner_a,
                                  R"({"name":"x","role":"platform_operator"})");
  ASSERT_TRUE(operator_role);
  EXPECT_EQ(operator_role->status, 400);
  EXPECT_EQ(problem_field(*operator_role), "/role");
}

TEST(Identity, BadBodiesAreAnsweredWithTheFieldAtFault) {
  World world;
  struct Case {
    std::string body;
    std::string content_type;
    int status;
    std::string field;
  };
  std::vector<Case> cases = {
      {R"({"name":"x"})", "application/json", 400, "/owner_email"},
      {R"({"owner_email":"a@b.example"})", "application/json", 400, "/name"},
      {R"({"name":7,"owner_email":"a@b.example"})", "application/json", 400, "/name"},
      {R"({"name":"x","owner_email":"not-an-email"})", "application/json", 400, "/owner_email"},
      {R"({"name":"x","owner_email":"a@b.example","plan":"gold"})", "application/json", 400,
       "/plan"},
      {R"({"name":"x","owner_email":"a@b.example","slug":"-bad-"})", "application/json", 400,
       "/slug"},
      {R"({"name":"x","owner_email":"a@b.example","id":"ten_mine"})", "application/json", 400,
       "/id"},
      {R"({"name":"Alpha Bank","owner_email":"a@b.example"})", "application/json", 409, "/slug"},
      {R"({"name":)", "application/json", 400, ""},
      {R"([1,2])", "application/json", 400, ""},
      {R"({"name":"x","owner_email":"a@b.example"})", "text/plain", 415, ""},
  };
  for (const auto& test : cases) {
    auto response = http_request(
        world.server.port(), "POST", "/v1/tenants", test.body,
        {{"Authorization", "Bearer " + world.operator_key}, {"Content-Type", test.content_type}});
    ASSERT_TRUE(response) << test.body;
    EXPECT_EQ(response->status, test.status) << test.body << " → " << response->body;
    EXPECT_EQ(response->header("Content-Type"), "application/problem+json") << test.body;
    EXPECT_EQ(problem_field(*response), test.field) << test.body;
  }

  // An expiry must be a real moment in the future.
  for (const std::string expires_at :
       {"2030-02-31T00:00:00Z", "2031-13-01T00:00:00Z", "2030-01-01T24:00:00Z",
        "9999-12-31T23:59:59Z", "2001-01-01T00:00:00Z", "2030-01-01 00:00:00"}) {
    auto response =
        world.call("POST", "/v1/api-keys", world.owner_a,
                   R"({"name":"x","role":"viewer","expires_at":")" + expires_at + R"("})");
    ASSERT_TRUE(response) << expires_at;
    EXPECT_EQ(response->status, 400) << expires_at << " → " << response->body;
    EXPECT_EQ(problem_field(*response), "/expires_at") << expires_at;
  }
}

// API1: broken object level authorization. Walks every registered route with tenant B's
// owner credential, filling path parameters with tenant A's objects: nothing of A may be
// read, changed or even confirmed to exist.
TEST(Owasp_API1_ObjectLevelAuthorization, EveryRouteRefusesAnotherTenantsObjects) {
  World world;
  auto [a_key_id, a_key] = world.create_key(world.owner_a, "viewer");
  auto account = world.call("POST", "/v1/service-accounts", world.owner_a,
                            R"({"name":"alpha sync","role":"viewer"})");
  ASSERT_TRUE(account);
  ASSERT_EQ(account->status, 201) << account->body;
  std::string a_account_id(body_of(*account)["id"].as_string());
  auto user = world.call("POST", "/v1/users", world.owner_a,
                         R"({"email":"analyst@alpha.example","role":"analyst"})");
  ASSERT_TRUE(user);
  ASSERT_EQ(user->status, 201) << user->body;
  std::string a_user_id(body_of(*user)["id"].as_string());
  auto role = world.call("POST", "/v1/roles", world.owner_a,
                         R"({"name":"alpha_auditor","permissions":["audit:read"]})");
  ASSERT_TRUE(role);
  ASSERT_EQ(role->status, 201) << role->body;
  auto endpoint = world.call("POST", "/v1/webhook-endpoints", world.owner_a,
                             R"({"url":"https://hooks.alpha.example/in"})");
  ASSERT_TRUE(endpoint);
  ASSERT_EQ(endpoint->status, 201) << endpoint->body;
  std::string a_endpoint_id(body_of(*endpoint)["id"].as_string());
  auto entity = world.call("POST", "/v1/entities", world.owner_a,
                           R"({"name":"Alpha Holdings","currency":"EUR"})");
  ASSERT_TRUE(entity);
  ASSERT_EQ(entity->status, 201) << entity->body;
  std::string a_entity_id(body_of(*entity)["id"].as_string());
  auto prompt = world.call("POST", "/v1/ai/prompts", world.owner_a,
                           R"({"name":"alpha-risk-memo","description":"Alpha prompt text",
                               "messages":[{"role":"user","content":"Alpha memo"}]})");
  ASSERT_TRUE(prompt);
  ASSERT_EQ(prompt->status, 201) << prompt->body;
  auto label = world.call("PUT", "/v1/ai/prompts/alpha-risk-memo/labels/production", world.owner_a,
                          R"({"version":1})");
  ASSERT_TRUE(label);
  ASSERT_EQ(label->status, 200) << label->body;
  auto budget = world.call("POST", "/v1/ai/budgets", world.owner_a,
                           R"({"scope":"tenant","monthly_limit_microdollars":777000})");
  ASSERT_TRUE(budget);
  ASSERT_EQ(budget->status, 201) << budget->body;
  std::string a_budget_id(body_of(*budget)["id"].as_string());
  // A provider and a route with the prompt's name, so {name} finds an object of A on each.
  auto provider = world.call(
      "POST", "/v1/ai/providers", world.owner_a,
      R"({"name":"alpha-risk-memo","kind":"openai","base_url":"https://llm.alpha.example/v1",
          "models":[{"name":"alpha-model"}]})");
  ASSERT_TRUE(provider);
  ASSERT_EQ(provider->status, 201) << provider->body;
  auto ai_route = world.call("POST", "/v1/ai/routes", world.owner_a,
                             R"({"name":"alpha-risk-memo","targets":["alpha-model"]})");
  ASSERT_TRUE(ai_route);
  ASSERT_EQ(ai_route->status, 201) << ai_route->body;
  // An eval and a run of it, so {eval_id} and {run_id} find objects of A. The run is made in
  // the store (never executed): this world has no AI catalogue for the route to check models.
  auto eval = world.call("POST", "/v1/ai/evals", world.owner_a,
                         R"({"name":"alpha-risk-memo","task":"classify",
                             "description":"Alpha prompt text","grader":{"kind":"contains"},
                             "dataset":"{\"input\":\"Alpha memo\",\"expected\":\"Alpha\"}"})");
  ASSERT_TRUE(eval);
  ASSERT_EQ(eval->status, 201) << eval->body;
  std::string a_eval_id(body_of(*eval)["id"].as_string());
  core::Principal alpha_owner;
  alpha_owner.id = "usr_alpha";
  alpha_owner.tenant_id = world.tenant_a;
  auto eval_run = world.server.gateway().evals().create_run(alpha_owner, a_eval_id,
                                                            ai::evals::NewRun{{"gpt-test"}, 1}, {});
  ASSERT_TRUE(eval_run) << eval_run.error().message;
  std::string a_run_id = eval_run->run.id;
  std::map<std::string, std::string> a_objects = {{"budget_id", a_budget_id},
                                                  {"endpoint_id", a_endpoint_id},
                                                  {"key_id", a_key_id},
                                                  {"tenant_id", world.tenant_a},
                                                  {"account_id", a_account_id},
                                                  {"user_id", a_user_id},
                                                  {"role_name", "alpha_auditor"},
                                                  {"entity_id", a_entity_id},
                                                  {"name", "alpha-risk-memo"},
                                                  {"version", "1"},
                                                  {"label", "production"},
                                                  {"eval_id", a_eval_id},
                                                  {"run_id", a_run_id}};

  for (const http::Route* route : world.server.router().routes()) {
    // A live stream never ends; that B's stream carries none of A's events is tested in
    // webhooks_test.cpp (EventStream.AnotherTenantsEventsNeverShow).
    if (route->path_template == "/v1/events/stream") continue;
    std::string path;
    bool has_parameter = false;
    for (const auto& segment : route->segments) {
      path += "/";
      if (segment.size() > 2 && segment.front() == '{') {
        std::string name = segment.substr(1, segment.size() - 2);
        ASSERT_TRUE(a_objects.contains(name))
            << route->path_template << ": teach this test an object for {" << name << "}";
        path += a_objects[name];
        has_parameter = true;
      } else {
        path += segment;
      }
    }
    if (path.empty()) path = "/";
    std::string method(http::method_name(route->method));
    bool has_body = route->method == http::Method::kPost || route->method == http::Method::kPatch ||
                    route->method == http::Method::kPut;
    std::string body = has_body ? "{}" : "";
    auto response = world.call(method, path, world.owner_b, body);
    ASSERT_TRUE(response) << method << " " << path;
    SCOPED_TRACE(method + " " + path + " → " + std::to_string(response->status) + " " +
                 response->body);
    // Whatever B may do on this route, nothing of A's shows in the answer: not its data, and
    // not its identifiers unless B itself put them in the request (a 404 names what was asked).
    EXPECT_EQ(response->body.find("Alpha Bank"), std::string::npos);
    EXPECT_EQ(response->body.find("viewer key"), std::string::npos);
    EXPECT_EQ(response->body.find("alpha sync"), std::string::npos);
    EXPECT_EQ(response->body.find("analyst@alpha.example"), std::string::npos);
    if (!has_parameter) {
      EXPECT_EQ(response->body.find("alpha_auditor"), std::string::npos);
    }
    EXPECT_EQ(response->body.find("owner@alpha.example"), std::string::npos);
    EXPECT_EQ(response->body.find("hooks.alpha.example"), std::string::npos);
    EXPECT_EQ(response->body.find("Alpha Holdings"), std::string::npos);
    EXPECT_EQ(response->body.find("Alpha prompt text"), std::string::npos);
    EXPECT_EQ(response->body.find("Alpha memo"), std::string::npos);
    EXPECT_EQ(response->body.find("llm.alpha.example"), std::string::npos);
    EXPECT_EQ(response->body.find("alpha-model"), std::string::npos);
    EXPECT_EQ(response->body.find("777000"), std::string::npos);
    if (!has_parameter) {
      EXPECT_EQ(response->body.find(a_key_id), std::string::npos);
      EXPECT_EQ(response->body.find(world.tenant_a), std::string::npos);
      EXPECT_EQ(response->body.find(a_account_id), std::string::npos);
      EXPECT_EQ(response->body.find(a_user_id), std::string::npos);
      EXPECT_EQ(response->body.find(a_endpoint_id), std::string::npos);
      EXPECT_EQ(response->body.find(a_entity_id), std::string::npos);
      EXPECT_EQ(response->body.find(a_budget_id), std::string::npos);
      EXPECT_EQ(response->body.find("alpha-risk-memo"), std::string::npos);
      EXPECT_EQ(response->body.find(a_eval_id), std::string::npos);
      EXPECT_EQ(response->body.find(a_run_id), std::string::npos);
    } else {
      // Another tenant's object is "not found" (or the route is not B's to call at all).
      EXPECT_TRUE(response->status == 404 || response->status == 403);
    }
  }

  // And A's key is untouched.
  auto still = world.call("GET", "/v1/api-keys/" + a_key_id, world.owner_a);
  ASSERT_TRUE(still);
  EXPECT_EQ(still->status, 200);
  EXPECT_TRUE(body_of(*still)["revoked_at"].is_null());
}

TEST(Identity, OwnerManagesKeysAndTheSecretIsShownOnce) {
  World world;
  auto [key_id, token] = world.create_key(world.owner_a, "analyst");
  auto list = world.call("GET", "/v1/api-keys", world.owner_a);
  ASSERT_TRUE(list);
  ASSERT_EQ(list->status, 200);
  auto items = body_of(*list)["data"].as_array();
  EXPECT_EQ(items.size(), 2u);  // the owner key and the new one
  EXPECT_EQ(list->body.find(token.substr(token.rfind('_') + 1)), std::string::npos);
  auto one = world.call("GET", "/v1/api-keys/" + key_id, world.owner_a);
  ASSERT_TRUE(one);
  EXPECT_EQ(one->status, 200);
  EXPECT_EQ(body_of(*one)["role"], "analyst");
  EXPECT_FALSE(body_of(*one).contains("token"));
  auto missing = world.call("GET", "/v1/api-keys/0000000000000000", world.owner_a);
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
}

TEST(Users, ETagsPreventLostUpdatesAndTheLastOwnerStays) {
  World world;
  auto created = world.call("POST", "/v1/users", world.owner_a,
                            R"({"email":"ana@alpha.example","role":"analyst",)"
                            R"("password":"correct horse battery staple"})");
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 201) << created->body;
  auto user = body_of(*created);
  std::string id(user["id"].as_string());
  EXPECT_EQ(user["has_password"], true);
  EXPECT_EQ(created->body.find("horse"), std::string::npos);
  EXPECT_EQ(created->header("ETag"), "\"1\"");

  auto duplicate = world.call("POST", "/v1/users", world.owner_a,
                              R"({"email":"ana@alpha.example","role":"viewer"})");
  ASSERT_TRUE(duplicate);
  EXPECT_EQ(duplicate->status, 409);
  EXPECT_EQ(problem_field(*duplicate), "/email");
  auto short_password =
      world.call("POST", "/v1/users", world.owner_a,
                 R"({"email":"bo@alpha.example","role":"viewer","password":"x"})");
  ASSERT_TRUE(short_password);
  EXPECT_EQ(short_password->status, 400);
  EXPECT_EQ(problem_field(*short_password), "/password");

  auto patch = [&](const std::string& target, const std::string& body, const std::string& etag) {
    Headers headers = bearer(world.owner_a, true);
    if (!etag.empty()) headers.emplace_back("If-Match", etag);
    return http_request(world.server.port(), "PATCH", target, body, headers);
  };
  auto promoted = patch("/v1/users/" + id, R"({"role":"admin"})", "\"1\"");
  ASSERT_TRUE(promoted);
  ASSERT_EQ(promoted->status, 200) << promoted->body;
  EXPECT_EQ(promoted->header("ETag"), "\"2\"");
  // A writer still holding version 1 loses, instead of silently undoing the promotion.
  auto stale = patch("/v1/users/" + id, R"({"role":"viewer"})", "\"1\"");
  ASSERT_TRUE(stale);
  EXPECT_EQ(stale->status, 412) << stale->body;
  EXPECT_EQ(body_of(*stale)["type"], "urn:aic:problem:precondition-failed");
  auto garbage = patch("/v1/users/" + id, R"({"role":"viewer"})", "version-1");
  ASSERT_TRUE(garbage);
  EXPECT_EQ(garbage->status, 400);
  EXPECT_EQ(body_of(*garbage)["header"], "If-Match");
  auto server_owned = patch("/v1/users/" + id, R"({"email":"x@y.example"})", "");
  ASSERT_TRUE(server_owned);
  EXPECT_EQ(server_owned->status, 400);
  EXPECT_EQ(problem_field(*server_owned), "/email");

  // The owner is the only owner: it can be neither demoted nor disabled.
  auto owner_id = [&] {
    auto users = world.call("GET", "/v1/users", world.owner_a);
    auto listed = body_of(*users);
    for (auto& item : listed["data"].as_array()) {
      if (item.at("role") == "owner") return std::string(item.at("id").as_string());
    }
    return std::string();
  }();
  ASSERT_FALSE(owner_id.empty());
  EXPECT_EQ(patch("/v1/users/" + owner_id, R"({"role":"viewer"})", "")->status, 409);
  EXPECT_EQ(world.call("DELETE", "/v1/users/" + owner_id, world.owner_a)->status, 409);

  // With a second owner, demoting the first shrinks what its existing key can do at once.
  ASSERT_EQ(patch("/v1/users/" + id, R"({"role":"owner"})", "")->status, 200);
  ASSERT_EQ(patch("/v1/users/" + owner_id, R"({"role":"viewer"})", "")->status, 200);
  auto after_demotion =
      world.call("POST", "/v1/api-keys", world.owner_a, R"({"name":"x","role":"viewer"})");
  ASSERT_TRUE(after_demotion);
  EXPECT_EQ(after_demotion->status, 403) << after_demotion->body;
}

TEST(Users, DisablingAUserRevokesTheirKeys) {
  World world;
  // A second owner, so the first may be disabled.
  auto second = world.call("POST", "/v1/users", world.owner_a,
                           R"({"email":"second@alpha.example","role":"owner"})");
  ASSERT_TRUE(second);
  ASSERT_EQ(second->status, 201);
  auto users = world.call("GET", "/v1/users", world.owner_a);
  auto listed = body_of(*users);
  std::string first_owner;
  for (auto& item : listed["data"].as_array()) {
    if (item.at("email") == "owner@alpha.example") first_owner = item.at("id").as_string();
  }
  ASSERT_FALSE(first_owner.empty());
  auto disabled = world.call("DELETE", "/v1/users/" + first_owner, world.owner_a);
  ASSERT_TRUE(disabled);
  ASSERT_EQ(disabled->status, 200) << disabled->body;
  EXPECT_FALSE(body_of(*disabled)["disabled_at"].is_null());
  EXPECT_EQ(world.call("GET", "/v1/api-keys", world.owner_a)->status, 401);
}

TEST(Roles, CustomRolesGrantExactlyTheirPermissions) {
  World world;
  auto created = world.call("POST", "/v1/roles", world.owner_a,
                            R"({"name":"auditor","description":"Reads the audit log.",)"
                            R"("permissions":["audit:read","tenant:read","audit:read"]})");
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 201) << created->body;
  EXPECT_EQ(json::serialize(body_of(*created)["permissions"]), R"(["audit:read","tenant:read"])");

  auto listed = world.call("GET", "/v1/roles", world.owner_a);
  ASSERT_TRUE(listed);
  auto roles = body_of(*listed)["data"].as_array();
  EXPECT_EQ(roles.size(), identity::builtin_roles().size() + 1);
  EXPECT_EQ(roles.back().at("name"), "auditor");
  EXPECT_EQ(roles.back().at("builtin"), false);
  // Tenant B does not see A's role and cannot use it.
  auto other = world.call("GET", "/v1/roles", world.owner_b);
  EXPECT_EQ(other->body.find("auditor"), std::string::npos);
  auto borrowed =
      world.call("POST", "/v1/api-keys", world.owner_b, R"({"name":"x","role":"auditor"})");
  EXPECT_EQ(borrowed->status, 400);

  auto [key_id, auditor] = world.create_key(world.owner_a, "auditor");
  EXPECT_EQ(world.call("GET", "/v1/audit-events", auditor)->status, 200);
  EXPECT_EQ(world.call("GET", "/v1/api-keys", auditor)->status, 403);

  for (const auto& [body, status, field] : std::vector<std::tuple<std::string, int, std::string>>{
           {R"({"name":"x","permissions":["audit:write"]})", 400, "/permissions"},
           {R"({"name":"x","permissions":["tenants:manage"]})", 400, "/permissions"},
           {R"({"name":"x","permissions":[]})", 400, "/permissions"},
           {R"({"name":"x","permissions":"audit:read"})", 400, "/permissions"},
           {R"({"name":"x","permissions":[1]})", 400, "/permissions/0"},
           {R"({"name":"owner","permissions":["audit:read"]})", 400, "/name"},
           {R"({"name":"Has Spaces","permissions":["audit:read"]})", 400, "/name"},
           {R"({"name":"auditor","permissions":["audit:read"]})", 409, "/name"},
           {R"({"name":"x","permissions":["audit:read"],"builtin":true})", 400, "/builtin"}}) {
    auto response = world.call("POST", "/v1/roles", world.owner_a, body);
    ASSERT_TRUE(response) << body;
    EXPECT_EQ(response->status, status) << body << " " << response->body;
    EXPECT_EQ(problem_field(*response), field) << body;
  }
  // An admin cannot create a role with a permission it lacks (billing:read).
  auto admin = world.create_key(world.owner_a, "admin").second;
  auto escalation =
      world.call("POST", "/v1/roles", admin, R"({"name":"payer","permissions":["billing:read"]})");
  ASSERT_TRUE(escalation);
  EXPECT_EQ(escalation->status, 403);

  // A role someone holds cannot be deleted; once nobody does, it can.
  EXPECT_EQ(world.call("DELETE", "/v1/roles/auditor", world.owner_a)->status, 409);
  ASSERT_EQ(world.call("DELETE", "/v1/api-keys/" + key_id, world.owner_a)->status, 200);
  EXPECT_EQ(world.call("DELETE", "/v1/roles/auditor", world.owner_a)->status, 200);
  EXPECT_EQ(world.call("DELETE", "/v1/roles/auditor", world.owner_a)->status, 404);
  EXPECT_EQ(world.call("DELETE", "/v1/roles/owner", world.owner_a)->status, 404);
}

}  // namespace
}  // namespace aic::test
