// Webhooks end to end: the real server delivers over real sockets to a receiver on loopback,
// signs per Standard Webhooks, retries, gives up, refuses private targets, and streams
// events live. (Signatures are also checked by the npm `standardwebhooks` package in
// tests/contract; durability across kill -9 is in process_test.cpp.)
#include <gtest/gtest.h>

#include <thread>

#include "raw_client.hpp"
#include "tenant_world.hpp"
#include "webhook_receiver.hpp"
#include "webhooks/signature.hpp"

namespace aic::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Delivery on, loopback allowed (the receiver lives there), quick polling and timeouts.
TestServer::Configure deliveries_to_loopback(milliseconds timeout = milliseconds(2000)) {
  return [timeout](core::Config& config) {
    config.webhooks.deliver = true;
    config.webhooks.allow_addresses = {"127.0.0.0/8"};
    config.webhooks.poll_interval = milliseconds(20);
    config.webhooks.timeout = timeout;
    config.webhooks.lease = timeout + seconds(5);
    config.events.stream_heartbeat = milliseconds(200);
  };
}

struct CreatedEndpoint {
  std::string id;
  std::string secret;
};

CreatedEndpoint create_endpoint(World& world, const std::string& url,
                                const std::string& types = R"(["*"])") {
  auto created = world.call("POST", "/v1/webhook-endpoints", world.owner_a,
                            R"({"url":")" + url + R"(","event_types":)" + types + "}");
  EXPECT_TRUE(created);
  EXPECT_EQ(created->status, 201) << created->body;
  auto body = body_of(*created);
  return {std::string(body["id"].as_string()), std::string(body["secret"].as_string())};
}

// Polls `path` until `done(body)` holds or 20 s pass; returns the last body.
json::object poll(World& world, const std::string& path,
                  const std::function<bool(const json::object&)>& done) {
  auto deadline = std::chrono::steady_clock::now() + seconds(20);
  json::object body;
  while (std::chrono::steady_clock::now() < deadline) {
    auto response = world.call("GET", path, world.owner_a);
    if (response && response->status == 200) {
      body = body_of(*response);
      if (done(body)) break;
    }
    std::this_thread::sleep_for(milliseconds(20));
  }
  return body;
}

TEST(Webhooks, AChangeIsDeliveredSignedToTheReceiver) {
  WebhookReceiver receiver;
  World world(deliveries_to_loopback());
  auto endpoint = create_endpoint(world, receiver.url(), R"(["api_key.*"])");
  auto [key_id, token] = world.create_key(world.owner_a, "viewer");

  auto deliveries = receiver.wait_for(1);
  ASSERT_EQ(deliveries.size(), 1u);
  const auto& delivery = deliveries[0];
  auto event = json::parse(delivery.body).as_object();
  EXPECT_EQ(event["type"], "api_key.created");
  EXPECT_EQ(event["tenant_id"].as_string(), world.tenant_a);
  EXPECT_EQ(event["data"].as_object()["id"].as_string(), key_id);
  EXPECT_EQ(delivery.body.find(token), std::string::npos) << "a secret in an event";
  EXPECT_EQ(header_of(delivery, "Content-Type"), "application/json");

  auto key = webhooks::secret_key(endpoint.secret);
  ASSERT_TRUE(key);
  std::string id = header_of(delivery, "webhook-id");
  std::int64_t timestamp = std::stoll(header_of(delivery, "webhook-timestamp"));
  EXPECT_EQ(header_of(delivery, "webhook-signature"),
            webhooks::sign(*key, id, timestamp, delivery.body));
  EXPECT_LE(std::abs(timestamp - std::time(nullptr)), 60);

  auto attempts =
      poll(world, "/v1/webhook-endpoints/" + endpoint.id + "/attempts",
           [](const json::object& body) { return !body.at("data").as_array().empty(); });
  auto& first = attempts["data"].as_array()[0].as_object();
  EXPECT_EQ(first["succeeded"], true);
  EXPECT_EQ(first["status_code"], 204);
  EXPECT_EQ(first["message_id"].as_string(), id);
}

TEST(Webhooks, GoneDisablesTheEndpointAndReplaySendsTheDeadLettersLater) {
  WebhookReceiver receiver;
  receiver.answer(410);
  World world(deliveries_to_loopback());
  auto endpoint = create_endpoint(world, receiver.url());
  world.create_key(world.owner_a, "viewer");
  receiver.wait_for(1);

  auto disabled = poll(world, "/v1/webhook-endpoints/" + endpoint.id,
                       [](const json::object& body) { return body.at("enabled") == false; });
  EXPECT_EQ(disabled["enabled"], false);
  EXPECT_EQ(disabled["disabled_reason"], "the endpoint answered 410 Gone");
  auto dead = poll(world, "/v1/webhook-endpoints/" + endpoint.id + "/messages?status=failed",
                   [](const json::object& body) { return !body.at("data").as_array().empty(); });
  ASSERT_EQ(dead["data"].as_array().size(), 1u);
  std::string message_id(dead["data"].as_array()[0].as_object()["id"].as_string());

  // Back in service: enable, replay, delivered with the same webhook-id.
  receiver.answer(200);
  auto enabled =
      world.call("POST", "/v1/webhook-endpoints/" + endpoint.id + "/enable", world.owner_a, "");
  ASSERT_TRUE(enabled);
  ASSERT_EQ(enabled->status, 200) << enabled->body;
  auto replayed = world.call("POST", "/v1/webhook-endpoints/" + endpoint.id + "/replay",
                             world.owner_a, R"({"message_id":")" + message_id + R"("})");
  ASSERT_TRUE(replayed);
  ASSERT_EQ(replayed->status, 200) << replayed->body;
  EXPECT_EQ(body_of(*replayed)["replayed"], 1);
  auto deliveries = receiver.wait_for(2);
  ASSERT_EQ(deliveries.size(), 2u);
  EXPECT_EQ(header_of(deliveries[1], "webhook-id"), message_id);
  EXPECT_EQ(deliveries[1].body, deliveries[0].body);
}

TEST(Webhooks, ASlowReceiverTimesOutAndTheFailureIsRecorded) {
  WebhookReceiver receiver;
  receiver.answer(200, milliseconds(3000));
  World world(deliveries_to_loopback(milliseconds(300)));
  auto endpoint = create_endpoint(world, receiver.url());
  world.create_key(world.owner_a, "viewer");
  auto attempts =
      poll(world, "/v1/webhook-endpoints/" + endpoint.id + "/attempts",
           [](const json::object& body) { return !body.at("data").as_array().empty(); });
  ASSERT_FALSE(attempts["data"].as_array().empty());
  auto& attempt = attempts["data"].as_array()[0].as_object();
  EXPECT_EQ(attempt["succeeded"], false);
  EXPECT_TRUE(attempt["status_code"].is_null());
  EXPECT_NE(std::string(attempt["error"].as_string()).find("timeout"), std::string::npos)
      << attempt["error"];
  // The message waits for its next attempt (5 s later, ±10 %).
  auto messages = poll(world, "/v1/webhook-endpoints/" + endpoint.id + "/messages",
                       [](const json::object&) { return true; });
  auto& message = messages["data"].as_array()[0].as_object();
  EXPECT_EQ(message["status"], "pending");
  EXPECT_EQ(message["attempts"], 1);
}

TEST(Webhooks, PrivateAndLoopbackTargetsAreRefusedByDefault) {
  WebhookReceiver receiver;
  World world([](core::Config& config) {
    config.webhooks.deliver = true;
    config.webhooks.poll_interval = milliseconds(20);
  });
  auto endpoint = create_endpoint(world, receiver.url());
  world.create_key(world.owner_a, "viewer");
  auto attempts =
      poll(world, "/v1/webhook-endpoints/" + endpoint.id + "/attempts",
           [](const json::object& body) { return !body.at("data").as_array().empty(); });
  ASSERT_FALSE(attempts["data"].as_array().empty());
  std::string error(attempts["data"].as_array()[0].as_object()["error"].as_string());
  EXPECT_NE(error.find("127.0.0.1"), std::string::npos) << error;
  EXPECT_NE(error.find("loopback"), std::string::npos) << error;
  EXPECT_TRUE(receiver.deliveries().empty());
}

TEST(Webhooks, EndpointsOfAnotherTenantAreNotFound) {
  WebhookReceiver receiver;
  World world;
  auto endpoint = create_endpoint(world, receiver.url());
  auto [tenant_b, owner_b] = world.create_tenant("Beta Bank", "owner@beta.example");
  for (const std::string suffix : {"", "/attempts", "/messages"}) {
    auto response = world.call("GET", "/v1/webhook-endpoints/" + endpoint.id + suffix, owner_b);
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 404) << suffix;
  }
  auto listed = world.call("GET", "/v1/webhook-endpoints", owner_b);
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->body.find(endpoint.id), std::string::npos);
  // A viewer may not manage endpoints.
  auto [viewer_id, viewer] = world.create_key(world.owner_a, "viewer");
  auto refused =
      world.call("POST", "/v1/webhook-endpoints", viewer, R"({"url":"https://hooks.example/in"})");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 403);
}

TEST(EventStream, StreamsNewEventsAndResumesAfterLastEventId) {
  World world(deliveries_to_loopback());
  RawClient stream(world.server.port());
  stream.send(
      "GET /v1/events/stream?types=api_key.* HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
      world.owner_a + "\r\n\r\n");
  std::string text = stream.read_until("retry:");
  ASSERT_NE(text.find("200 OK"), std::string::npos) << text;
  EXPECT_NE(text.find("Content-Type: text/event-stream"), std::string::npos) << text;
  EXPECT_NE(text.find("Transfer-Encoding: chunked"), std::string::npos) << text;
  world.create_key(world.owner_a, "viewer");
  world.call("POST", "/v1/users", world.owner_a,
             R"({"email":"filtered@alpha.example","role":"viewer"})");  // not api_key.*
  world.create_key(world.owner_a, "analyst");
  text += stream.read_until("\"analyst\"");
  text += stream.read_until(": heartbeat");
  EXPECT_NE(text.find("event: api_key.created"), std::string::npos) << text;
  EXPECT_EQ(text.find("user.created"), std::string::npos) << text;
  EXPECT_NE(text.find(": heartbeat"), std::string::npos) << text;  // 200 ms while idle

  // Resuming after the first key's event gives the second one and nothing before it.
  auto first_id = text.find("id: ");
  ASSERT_NE(first_id, std::string::npos);
  std::string id = text.substr(first_id + 4, text.find('\n', first_id) - first_id - 4);
  RawClient resumed(world.server.port());
  resumed.send("GET /v1/events/stream HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
               world.owner_a + "\r\nLast-Event-ID: " + id + "\r\n\r\n");
  std::string again = resumed.read_until("\"analyst\"");
  EXPECT_NE(again.find("user.created"), std::string::npos) << again;
  EXPECT_EQ(again.find("id: " + id + "\n"), std::string::npos) << again;
}

TEST(EventStream, AnotherTenantsEventsNeverShow) {
  World world(deliveries_to_loopback());
  auto [tenant_b, owner_b] = world.create_tenant("Beta Bank", "owner@beta.example");
  RawClient stream(world.server.port());
  stream.send(
      "GET /v1/events/stream?last_event_id=0 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
      owner_b + "\r\n\r\n");
  std::string text = stream.read_until("retry:");
  world.create_key(world.owner_a, "viewer");
  // B's own history (its owner's key) and heartbeats, never A's.
  text += stream.read_until(": heartbeat");
  text += stream.read_until(": heartbeat");
  EXPECT_NE(text.find(tenant_b), std::string::npos) << text;
  EXPECT_EQ(text.find(world.tenant_a), std::string::npos) << text;
}

}  // namespace
}  // namespace aic::test
