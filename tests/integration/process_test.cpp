// The real `aic` binary as an operator runs it: CLI commands, exit codes, and a graceful
// shutdown on a real SIGTERM.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <fstream>
#include <map>
#include <set>

#include "core/random.hpp"
#include "raw_client.hpp"
#include "store/database.hpp"
#include "store/migrations.hpp"
#include "store_test_support.hpp"
#include "test_server.hpp"
#include "webhook_receiver.hpp"

extern char** environ;  // NOLINT: POSIX

namespace aic::test {
namespace {

using namespace std::chrono_literals;

struct Child {
  pid_t pid = -1;
  int output = -1;  // stdout and stderr, merged
  std::string captured;

  // Reads output until `needle` appears; returns the text read so far.
  bool read_until(std::string_view needle, std::chrono::milliseconds timeout = 20s) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (captured.find(needle) == std::string::npos) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      pollfd descriptor{output, POLLIN, 0};
      if (::poll(&descriptor, 1, static_cast<int>(left.count())) <= 0) return false;
      char buffer[4096];
      ssize_t got = ::read(output, buffer, sizeof buffer);
      if (got <= 0) return captured.find(needle) != std::string::npos;
      captured.append(buffer, static_cast<std::size_t>(got));
    }
    return true;
  }

  // Waits for exit, draining output; returns the exit code, or -1 on timeout/signal.
  int wait(std::chrono::milliseconds timeout = 30s) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      int status = 0;
      pid_t done = ::waitpid(pid, &status, WNOHANG);
      char buffer[4096];
      ssize_t got;
      while ((got = ::read(output, buffer, sizeof buffer)) > 0) {
        captured.append(buffer, static_cast<std::size_t>(got));
      }
      if (done == pid) {
        pid = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      if (std::chrono::steady_clock::now() > deadline) return -1;
      std::this_thread::sleep_for(10ms);
    }
  }

  ~Child() {
    if (pid > 0) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
    if (output >= 0) ::close(output);
  }
};

std::unique_ptr<Child> spawn_aic(const std::vector<std::string>& args,
                                 const std::vector<std::string>& extra_env = {}) {
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDERR_FILENO);
  std::vector<std::string> argv_storage{AIC_BINARY_PATH};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& arg : argv_storage) argv.push_back(arg.data());
  argv.push_back(nullptr);
  // The child sees no AIC_* variables of ours, only the ones the test passes.
  std::vector<std::string> env_storage;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    if (std::string_view(*entry).starts_with("AIC_")) continue;
    env_storage.emplace_back(*entry);
  }
  env_storage.insert(env_storage.end(), extra_env.begin(), extra_env.end());
  std::vector<char*> envp;
  for (auto& entry : env_storage) envp.push_back(entry.data());
  envp.push_back(nullptr);
  auto child = std::make_unique<Child>();
  int spawned =
      posix_spawn(&child->pid, AIC_BINARY_PATH, &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[1]);
  child->output = pipe_fds[0];
  ::fcntl(child->output, F_SETFL, O_NONBLOCK);
  if (spawned != 0) throw std::runtime_error("posix_spawn failed");
  return child;
}

std::uint16_t listening_port(Child& child) {
  const std::string marker = "listening on http://127.0.0.1:";
  if (!child.read_until(marker)) return 0;
  child.read_until("\n");
  auto at = child.captured.find(marker) + marker.size();
  return static_cast<std::uint16_t>(std::stoi(child.captured.substr(at)));
}

TEST(Process, VersionAsJson) {
  auto child = spawn_aic({"version", "--json"});
  ASSERT_EQ(child->wait(), 0) << child->captured;
  auto body = boost::json::parse(child->captured).as_object();
  EXPECT_TRUE(body.contains("version"));
  EXPECT_TRUE(body.contains("commit"));
  EXPECT_TRUE(body.contains("build_time"));
}

TEST(Process, HelpEverywhere) {
  for (auto args : std::vector<std::vector<std::string>>{
           {"--help"}, {"serve", "--help"}, {"migrate", "--help"}, {"config", "check", "--help"}}) {
    auto child = spawn_aic(args);
    EXPECT_EQ(child->wait(), 0) << child->captured;
    EXPECT_NE(child->captured.find("Usage"), std::string::npos) << child->captured;
  }
}

TEST(Process, ConfigCheckListsEveryProblem) {
  TempDir dir;
  auto file = dir.path() / "aic.toml";
  std::ofstream(file) << "[server]\nlisten = \"nowhere\"\nmax_body_bytes = \"lots\"\n"
                         "[database]\nurl = \"mysql://x\"\n[typo]\nkey = 1\n";
  auto child = spawn_aic({"config", "check", "--config", file.string()}, {"AIC_IO_THREADS=-4"});
  EXPECT_EQ(child->wait(), 1);
  const auto& out = child->captured;
  for (auto key : {"server.listen", "server.max_body_bytes", "database.url", "typo.key",
                   "server.io_threads", "env AIC_IO_THREADS", "aic.toml:2:"}) {
    EXPECT_NE(out.find(key), std::string::npos) << key << "\n" << out;
  }
  auto valid = spawn_aic({"config", "check"});
  EXPECT_EQ(valid->wait(), 0) << valid->captured;
}

TEST(Process, OperationsGuideListsEveryConfigKey) {
  auto child = spawn_aic({"config", "reference"});
  ASSERT_EQ(child->wait(), 0);
  std::ifstream guide(std::string(AIC_SOURCE_DIR) + "/docs/operations.md");
  std::string text((std::istreambuf_iterator<char>(guide)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find(child->captured), std::string::npos)
      << "docs/operations.md is out of date; paste the output of `aic config reference`:\n"
      << child->captured;
}

TEST(Process, EventsGuideListsEveryEventType) {
  auto child = spawn_aic({"events", "reference"});
  ASSERT_EQ(child->wait(), 0);
  std::ifstream guide(std::string(AIC_SOURCE_DIR) + "/docs/events.md");
  std::string text((std::istreambuf_iterator<char>(guide)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find(child->captured), std::string::npos)
      << "docs/events.md is out of date; paste the output of `aic events reference`:\n"
      << child->captured;
}

TEST(Process, MigrateDryRunThenApply) {
  TempDir dir;
  std::string url = "AIC_DATABASE_URL=sqlite://" + (dir.path() / "aic.db").string();
  auto dry = spawn_aic({"migrate", "--dry-run"}, {url});
  ASSERT_EQ(dry->wait(), 0) << dry->captured;
  EXPECT_NE(dry->captured.find("would apply 1 create_instance"), std::string::npos)
      << dry->captured;
  EXPECT_NE(dry->captured.find("would apply 2 create_identity"), std::string::npos)
      << dry->captured;
  auto apply = spawn_aic({"migrate"}, {url});
  ASSERT_EQ(apply->wait(), 0) << apply->captured;
  std::string applied =
      "applied " + std::to_string(store::builtin_migrations().size()) + " migration";
  EXPECT_NE(apply->captured.find(applied), std::string::npos) << apply->captured;
  auto again = spawn_aic({"migrate"}, {url});
  ASSERT_EQ(again->wait(), 0);
  EXPECT_NE(again->captured.find("nothing to migrate"), std::string::npos);
}

TEST(Process, ServeRefusesNewerSchema) {
  TempDir dir;
  std::string path = (dir.path() / "aic.db").string();
  {
    auto database = store::open_database({.url = "sqlite://" + path});
    ASSERT_TRUE(database);
    ASSERT_TRUE(store::apply_migrations(**database, store::builtin_migrations()));
    auto inserted = (*database)->transact(store::Access::kReadWrite, [](store::Transaction& tx) {
      return tx.execute(
                   "INSERT INTO schema_migrations (version, name, checksum, applied_at) "
                   "VALUES (999, 'from_the_future', 'x', '2030-01-01T00:00:00Z')")
                     .has_value()
                 ? core::Status{}
                 : core::Status{core::Error::make(core::ErrorCode::kInternal, "insert")};
    });
    ASSERT_TRUE(inserted);
  }
  auto child =
      spawn_aic({"serve"}, {"AIC_DATABASE_URL=sqlite://" + path, "AIC_LISTEN=127.0.0.1:0"});
  EXPECT_EQ(child->wait(), 1) << child->captured;
  EXPECT_NE(child->captured.find("newer"), std::string::npos) << child->captured;
}

TEST(Process, SigtermDrainsInFlightRequestsAndExitsZero) {
  TempDir dir;
  auto child = spawn_aic(
      {"serve"}, {"AIC_DATABASE_URL=sqlite://" + (dir.path() / "aic.db").string(),
                  "AIC_LISTEN=127.0.0.1:0", "AIC_SHUTDOWN_DELAY=300ms", "AIC_SHUTDOWN_GRACE=10s"});
  std::uint16_t port = listening_port(*child);
  ASSERT_NE(port, 0) << child->captured;
  EXPECT_EQ(http_request(port, "GET", "/readyz")->status, 200);

  RawClient idle(port);  // served once, then idle on keep-alive
  idle.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_EQ(idle.read_response()->status, 200);
  RawClient in_flight(port);  // mid-request: half of its body sent
  ASSERT_TRUE(
      in_flight.send("POST /v1/version HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nab"));

  ASSERT_EQ(::kill(child->pid, SIGTERM), 0);
  // During shutdown_delay the listener is open but readiness already fails.
  bool saw_not_ready = eventually(
      [&] {
        try {
          auto ready = http_request(port, "GET", "/readyz");
          return ready && ready->status == 503;
        } catch (const std::runtime_error&) {
          return false;  // the listener closed already
        }
      },
      5s);
  EXPECT_TRUE(saw_not_ready);
  EXPECT_TRUE(idle.wait_closed());    // idle connections are closed by the drain
  ASSERT_TRUE(in_flight.send("cd"));  // the in-flight request completes
  auto answer = in_flight.read_response();
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 405);
  EXPECT_EQ(answer->header("Connection"), "close");
  EXPECT_EQ(child->wait(), 0) << child->captured;
  EXPECT_NE(child->captured.find("stopped cleanly"), std::string::npos) << child->captured;
  EXPECT_THROW(RawClient late(port), std::runtime_error);  // nothing listens any more
}

}  // namespace
}  // namespace aic::test

namespace aic::test {
namespace {

// The newcomer's path: seed-demo, serve, and the printed key reads the demo companies'
// insights (computed while seeding).
TEST(Process, SeedDemoThenReadInsights) {
  TempDir dir;
  std::string url = "AIC_DATABASE_URL=sqlite://" + (dir.path() / "aic.db").string();
  auto seeded = spawn_aic({"admin", "seed-demo", "--json"}, {url});
  ASSERT_EQ(seeded->wait(), 0) << seeded->captured;
  auto demo = boost::json::parse(seeded->captured).as_object();
  const std::string key(demo["owner_api_key"].as_string());
  const auto& entities = demo["entities"].as_array();
  ASSERT_EQ(entities.size(), 3u);
  auto again = spawn_aic({"admin", "seed-demo"}, {url});
  EXPECT_EQ(again->wait(), 3) << again->captured;

  auto server = spawn_aic({"serve"}, {url, "AIC_LISTEN=127.0.0.1:0"});
  std::uint16_t port = listening_port(*server);
  ASSERT_NE(port, 0) << server->captured;
  for (const auto& entity : entities) {
    const std::string id(entity.as_object().at("id").as_string());
    for (const char* length : {"annual", "quarter"}) {
      auto insights = http_request(port, "GET", "/v1/entities/" + id + "/insights?length=" + length,
                                   "", {{"Authorization", "Bearer " + key}});
      ASSERT_TRUE(insights);
      ASSERT_EQ(insights->status, 200) << insights->body;
      auto document = boost::json::parse(insights->body).as_object();
      EXPECT_TRUE(document["scores"].is_object()) << id << " " << length;
      EXPECT_TRUE(document["risk"].as_object()["runway"].is_object()) << id;
      EXPECT_TRUE(document["sentiment"].is_object()) << id;
      EXPECT_EQ(document["risk"]
                    .as_object()["forecasts"]
                    .as_object()["revenue"]
                    .as_object()["points"]
                    .as_array()
                    .size(),
                4u)
          << insights->body;
    }
  }
}

// The first-run path an operator follows: bootstrap, create a tenant, serve, use the key.
TEST(Process, AdminBootstrapCreateTenantThenServe) {
  TempDir dir;
  std::string url = "AIC_DATABASE_URL=sqlite://" + (dir.path() / "aic.db").string();
  auto bootstrap = spawn_aic({"admin", "bootstrap", "--json"}, {url});
  ASSERT_EQ(bootstrap->wait(), 0) << bootstrap->captured;
  auto operator_key = boost::json::parse(bootstrap->captured).as_object();
  EXPECT_TRUE(operator_key["operator_api_key"].as_string().starts_with("aic_live_"));

  auto again = spawn_aic({"admin", "bootstrap", "--json"}, {url});
  EXPECT_EQ(again->wait(), 3) << again->captured;
  EXPECT_NE(again->captured.find("--new-key"), std::string::npos);

  auto bad =
      spawn_aic({"admin", "create-tenant", "--name", "Acme", "--owner-email", "nope"}, {url});
  EXPECT_EQ(bad->wait(), 1);
  EXPECT_NE(bad->captured.find("/owner_email"), std::string::npos) << bad->captured;

  auto tenant = spawn_aic(
      {"admin", "create-tenant", "--name", "Acme Ltd", "--owner-email", "o@acme.example", "--json"},
      {url});
  ASSERT_EQ(tenant->wait(), 0) << tenant->captured;
  auto created = boost::json::parse(tenant->captured).as_object();
  EXPECT_EQ(created["slug"], "acme-ltd");
  std::string owner_key(created["owner_api_key"].as_string());

  auto server = spawn_aic({"serve"}, {url, "AIC_LISTEN=127.0.0.1:0"});
  std::uint16_t port = listening_port(*server);
  ASSERT_NE(port, 0) << server->captured;
  auto keys =
      http_request(port, "GET", "/v1/api-keys", "", {{"Authorization", "Bearer " + owner_key}});
  ASSERT_TRUE(keys);
  EXPECT_EQ(keys->status, 200) << keys->body;
  auto tenants = http_request(
      port, "GET", "/v1/tenants", "",
      {{"Authorization", "Bearer " + std::string(operator_key["operator_api_key"].as_string())}});
  ASSERT_TRUE(tenants);
  EXPECT_EQ(tenants->status, 200);
  EXPECT_NE(tenants->body.find("acme-ltd"), std::string::npos);
  ASSERT_EQ(::kill(server->pid, SIGTERM), 0);
  EXPECT_EQ(server->wait(), 0);
}

// Durability of webhook deliveries across a real crash: kill -9 the server while deliveries
// are in flight and events are still waiting to be fanned out, start it again on the same
// database, and every committed event reaches the receiver.
TEST(Process, WebhookDeliveriesSurviveKillNine) {
  TempDir dir;
  std::string url = "AIC_DATABASE_URL=sqlite://" + (dir.path() / "aic.db").string();
  ASSERT_EQ(spawn_aic({"admin", "bootstrap"}, {url})->wait(), 0);
  auto tenant = spawn_aic({"admin", "create-tenant", "--name", "Durable", "--owner-email",
                           "o@durable.example", "--json"},
                          {url});
  ASSERT_EQ(tenant->wait(), 0) << tenant->captured;
  std::string owner_key(
      boost::json::parse(tenant->captured).as_object()["owner_api_key"].as_string());
  const std::vector<std::string> env = {url,
                                        "AIC_LISTEN=127.0.0.1:0",
                                        "AIC_WEBHOOKS_ALLOW_ADDRESSES=127.0.0.0/8",
                                        "AIC_WEBHOOKS_POLL_INTERVAL=20ms",
                                        "AIC_WEBHOOKS_TIMEOUT=4s",
                                        "AIC_WEBHOOKS_LEASE=6s"};
  auto bearer = std::vector<std::pair<std::string, std::string>>{
      {"Authorization", "Bearer " + owner_key}, {"Content-Type", "application/json"}};

  WebhookReceiver receiver;
  receiver.answer(204, 3s);  // slow: the first deliveries are still in flight at the kill
  auto first = spawn_aic({"serve"}, env);
  std::uint16_t port = listening_port(*first);
  ASSERT_NE(port, 0) << first->captured;
  auto endpoint =
      http_request(port, "POST", "/v1/webhook-endpoints",
                   R"({"url":")" + receiver.url() + R"(","event_types":["api_key.*"]})", bearer);
  ASSERT_TRUE(endpoint);
  ASSERT_EQ(endpoint->status, 201) << endpoint->body;
  constexpr int kEvents = 20;
  for (int i = 0; i < kEvents; ++i) {
    auto key =
        http_request(port, "POST", "/v1/api-keys",
                     R"({"name":"durable-)" + std::to_string(i) + R"(","role":"viewer"})", bearer);
    ASSERT_TRUE(key);
    ASSERT_EQ(key->status, 201) << key->body;
  }
  ASSERT_FALSE(receiver.wait_for(1).empty()) << "no delivery started before the kill";
  ASSERT_EQ(::kill(first->pid, SIGKILL), 0);
  first->wait();
  // Whatever reached the receiver so far got no answer back to the dead server: it was never
  // recorded as delivered, so it must come again.
  const std::size_t before_restart = receiver.deliveries().size();
  std::map<std::string, std::string> id_of_name;  // a retry keeps its webhook-id
  for (const auto& delivery : receiver.deliveries()) {
    auto event = boost::json::parse(delivery.body).as_object();
    id_of_name.emplace(std::string(event["data"].as_object()["name"].as_string()),
                       header_of(delivery, "webhook-id"));
  }

  receiver.answer(204);
  auto second = spawn_aic({"serve"}, env);
  ASSERT_NE(listening_port(*second), 0) << second->captured;
  // Every event reaches the receiver (some twice: at least once, same webhook-id).
  std::set<std::string> names;
  bool complete = eventually(
      [&] {
        auto deliveries = receiver.deliveries();
        for (std::size_t i = before_restart; i < deliveries.size(); ++i) {
          const auto& delivery = deliveries[i];
          auto event = boost::json::parse(delivery.body).as_object();
          std::string name(event["data"].as_object()["name"].as_string());
          names.insert(name);
          auto [at, inserted] = id_of_name.emplace(name, header_of(delivery, "webhook-id"));
          EXPECT_EQ(at->second, header_of(delivery, "webhook-id")) << name;
        }
        return names.size() == kEvents;
      },
      40s);
  EXPECT_TRUE(complete) << names.size() << " of " << kEvents << " events delivered";
  ASSERT_EQ(::kill(second->pid, SIGTERM), 0);
  EXPECT_EQ(second->wait(), 0) << second->captured;
}

// Two `aic serve` processes on one PostgreSQL database deliver the same webhooks: claims are
// row-locked (FOR UPDATE SKIP LOCKED), so each message is sent by exactly one of them.
TEST(Process, TwoServersOnOnePostgresDeliverEachMessageOnce) {
  auto server_url = store::testing::postgres_server_url();
  ASSERT_TRUE(server_url) << "needs the test PostgreSQL server (run through ctest)";
  const std::string name = "aic_two_servers_" + core::random_hex(core::system_random(), 6);
  ASSERT_FALSE(store::testing::admin_exec(*server_url, "CREATE DATABASE " + name));
  const std::string url = "AIC_DATABASE_URL=" + store::testing::with_database(*server_url, name);
  ASSERT_EQ(spawn_aic({"admin", "bootstrap"}, {url})->wait(), 0);
  auto tenant = spawn_aic(
      {"admin", "create-tenant", "--name", "Twins", "--owner-email", "o@twins.example", "--json"},
      {url});
  ASSERT_EQ(tenant->wait(), 0) << tenant->captured;
  std::string owner_key(
      boost::json::parse(tenant->captured).as_object()["owner_api_key"].as_string());
  const std::vector<std::string> env = {url, "AIC_LISTEN=127.0.0.1:0",
                                        "AIC_WEBHOOKS_ALLOW_ADDRESSES=127.0.0.0/8",
                                        "AIC_WEBHOOKS_POLL_INTERVAL=10ms"};
  auto bearer = std::vector<std::pair<std::string, std::string>>{
      {"Authorization", "Bearer " + owner_key}, {"Content-Type", "application/json"}};

  WebhookReceiver receiver;
  auto first = spawn_aic({"serve"}, env);
  auto second = spawn_aic({"serve"}, env);
  const std::uint16_t ports[] = {listening_port(*first), listening_port(*second)};
  ASSERT_NE(ports[0], 0) << first->captured;
  ASSERT_NE(ports[1], 0) << second->captured;
  auto endpoint =
      http_request(ports[0], "POST", "/v1/webhook-endpoints",
                   R"({"url":")" + receiver.url() + R"(","event_types":["api_key.*"]})", bearer);
  ASSERT_TRUE(endpoint);
  ASSERT_EQ(endpoint->status, 201) << endpoint->body;
  constexpr int kEvents = 200;
  for (int i = 0; i < kEvents; ++i) {
    // Alternate servers, so both are woken by their own commits and compete for the work.
    auto key =
        http_request(ports[i % 2], "POST", "/v1/api-keys",
                     R"({"name":"twin-)" + std::to_string(i) + R"(","role":"viewer"})", bearer);
    ASSERT_TRUE(key);
    ASSERT_EQ(key->status, 201) << key->body;
  }
  // Once every message is recorded as delivered, nothing is sent again: then count.
  std::string endpoint_id(boost::json::parse(endpoint->body).as_object()["id"].as_string());
  EXPECT_TRUE(eventually(
      [&] {
        auto page = http_request(
            ports[1], "GET",
            "/v1/webhook-endpoints/" + endpoint_id + "/messages?status=delivered&limit=200", "",
            bearer);
        return page && page->status == 200 &&
               boost::json::parse(page->body).as_object()["data"].as_array().size() ==
                   static_cast<std::size_t>(kEvents);
      },
      30s));
  auto deliveries = receiver.deliveries();
  std::map<std::string, int> sent;
  for (const auto& delivery : deliveries) {
    ++sent[header_of(delivery, "webhook-id")];
    // Only keys made after the endpoint: not the owner's, which predates it.
    auto event = boost::json::parse(delivery.body).as_object();
    EXPECT_TRUE(event["data"].as_object()["name"].as_string().starts_with("twin-"))
        << delivery.body;
  }
  EXPECT_EQ(sent.size(), static_cast<std::size_t>(kEvents));
  for (const auto& [id, times] : sent) EXPECT_EQ(times, 1) << id << " was delivered twice";

  for (auto* server : {first.get(), second.get()}) {
    ASSERT_EQ(::kill(server->pid, SIGTERM), 0);
    EXPECT_EQ(server->wait(), 0) << server->captured;
  }
  store::testing::admin_exec(*server_url, "DROP DATABASE " + name + " WITH (FORCE)");
}

// The audit chain as an auditor checks it: intact after real CLI work, then broken by an edit
// made directly in the database file, the first bad event named.
TEST(Process, AuditVerifyNamesTheFirstTamperedEvent) {
  TempDir dir;
  std::string path = (dir.path() / "aic.db").string();
  std::string url = "AIC_DATABASE_URL=sqlite://" + path;
  ASSERT_EQ(spawn_aic({"admin", "bootstrap"}, {url})->wait(), 0);
  auto tenant = spawn_aic(
      {"admin", "create-tenant", "--name", "Acme Ltd", "--owner-email", "o@acme.example", "--json"},
      {url});
  ASSERT_EQ(tenant->wait(), 0) << tenant->captured;
  std::string tenant_id(boost::json::parse(tenant->captured).as_object()["tenant_id"].as_string());

  auto intact = spawn_aic({"audit", "verify", "--json"}, {url});
  ASSERT_EQ(intact->wait(), 0) << intact->captured;
  auto report = boost::json::parse(intact->captured).as_object();
  EXPECT_EQ(report["intact"], true);
  EXPECT_EQ(report["chains"].as_array().size(), 2u);  // the platform's and the tenant's

  {
    auto database = store::open_database({.url = "sqlite://" + path});
    ASSERT_TRUE(database);
    auto status = (*database)->transact(store::Access::kReadWrite, [&](store::Transaction& tx) {
      if (auto dropped = tx.execute_script("DROP TRIGGER audit_events_no_update"); !dropped) {
        return dropped;
      }
      auto changed = tx.execute(
          "UPDATE audit_events SET actor_id = 'someone-else' WHERE chain = 'platform' AND seq = 2");
      if (!changed) return core::Status(std::move(changed).error());
      return core::Status();
    });
    ASSERT_TRUE(status) << status.error().message;
  }
  auto broken = spawn_aic({"audit", "verify"}, {url});
  EXPECT_EQ(broken->wait(), 4) << broken->captured;
  EXPECT_NE(broken->captured.find("platform: BROKEN at event 2"), std::string::npos)
      << broken->captured;
  // The tenant's own chain is untouched and still verifies on its own.
  EXPECT_EQ(spawn_aic({"audit", "verify", "--tenant", tenant_id}, {url})->wait(), 0);
}

}  // namespace
}  // namespace aic::test
