// Integration-test scaffolding: a running server with the platform operator and two tenants,
// Alpha Bank (A) and Beta Corp (B), each with an owner key, created over HTTP.
#pragma once

#include <boost/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "raw_client.hpp"
#include "test_server.hpp"

namespace aic::test {

namespace json = boost::json;
using Headers = std::vector<std::pair<std::string, std::string>>;

inline Headers bearer(const std::string& token, bool json_body = false) {
  Headers headers{{"Authorization", "Bearer " + token}};
  if (json_body) headers.emplace_back("Content-Type", "application/json");
  return headers;
}

inline json::object body_of(const RawResponse& response) {
  return json::parse(response.body).as_object();
}

inline std::string problem_field(const RawResponse& response) {
  auto body = body_of(response);
  return body.contains("field") ? std::string(body["field"].as_string()) : "";
}

// Two tenants, each with an owner key, created by the platform operator over HTTP.
struct World {
  TestServer server;
  std::string operator_key;
  std::string tenant_a, owner_a;
  std::string tenant_b, owner_b;

  explicit World(TestServer::Configure configure = {}) : server(std::move(configure)) {
    auto issued = server.identities().bootstrap_operator(false, {});
    if (!issued) throw std::runtime_error(issued.error().message);
    operator_key = issued->token;
    std::tie(tenant_a, owner_a) = create_tenant("Alpha Bank", "owner@alpha.example");
    std::tie(tenant_b, owner_b) = create_tenant("Beta Corp", "owner@beta.example");
  }

  std::pair<std::string, std::string> create_tenant(const std::string& name,
                                                    const std::string& email) {
    json::object request{{"name", name}, {"owner_email", email}};
    auto response = call("POST", "/v1/tenants", operator_key, json::serialize(request));
    if (!response || response->status != 201) {
      throw std::runtime_error("create tenant failed: " +
                               (response ? response->body : "no answer"));
    }
    auto body = body_of(*response);
    return {std::string(body["tenant_id"].as_string()),
            std::string(body["owner_api_key"].as_string())};
  }

  std::optional<RawResponse> call(const std::string& method, const std::string& target,
                                  const std::string& token, const std::string& body = "") {
    return http_request(server.port(), method, target, body, bearer(token, !body.empty()));
  }

  // Creates a key with `role` as `token`'s holder; returns {id, token}.
  std::pair<std::string, std::string> create_key(const std::string& token,
                                                 const std::string& role) {
    json::object request{{"name", role + " key"}, {"role", role}};
    auto response = call("POST", "/v1/api-keys", token, json::serialize(request));
    if (!response || response->status != 201) {
      throw std::runtime_error("create key failed: " + (response ? response->body : "no answer"));
    }
    auto body = body_of(*response);
    return {std::string(body["id"].as_string()), std::string(body["token"].as_string())};
  }
};

}  // namespace aic::test
