#include "core/config.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace aic::core {
namespace {

std::filesystem::path write_file(const std::string& name, const std::string& text) {
  auto path =
      std::filesystem::temp_directory_path() / (name + "-" + std::to_string(::getpid()) + ".toml");
  std::ofstream(path) << text;
  return path;
}

const ConfigIssue* find_issue(const LoadedConfig& loaded, std::string_view key) {
  for (const auto& issue : loaded.issues) {
    if (issue.key == key) return &issue;
  }
  return nullptr;
}

TEST(Config, DefaultsWorkWithoutFileOrEnvironment) {
  auto loaded = load_config(std::nullopt, {});
  EXPECT_TRUE(loaded.issues.empty());
  EXPECT_EQ(loaded.config.server.listen, "127.0.0.1:8080");
  EXPECT_EQ(loaded.config.server.max_body_bytes, 1024u * 1024u);
  EXPECT_EQ(loaded.config.server.shutdown_grace, std::chrono::seconds(20));
  EXPECT_EQ(loaded.config.database.url, "sqlite://./var/aic.db");
  EXPECT_TRUE(loaded.config.database.migrate_on_start);
}

TEST(Config, FileValuesApply) {
  auto path = write_file("valid", R"(
[server]
listen = "0.0.0.0:9000"
max_body_bytes = "4MiB"
header_timeout = "250ms"
io_threads = 3

[database]
url = "postgres://aic@db:5432/aic"

[cors]
allowed_origins = ["https://app.example.com"]
)");
  auto loaded = load_config(path, {});
  ASSERT_TRUE(loaded.issues.empty()) << loaded.issues.front().reason;
  EXPECT_EQ(loaded.config.server.listen, "0.0.0.0:9000");
  EXPECT_EQ(loaded.config.server.max_body_bytes, 4u * 1024 * 1024);
  EXPECT_EQ(loaded.config.server.header_timeout, std::chrono::milliseconds(250));
  EXPECT_EQ(loaded.config.server.io_threads, 3u);
  EXPECT_EQ(loaded.config.database.url, "postgres://aic@db:5432/aic");
  ASSERT_EQ(loaded.config.cors.allowed_origins.size(), 1u);
  std::filesystem::remove(path);
}

TEST(Config, EveryInvalidKeyIsListedWithLocationAndReason) {
  auto path = write_file("invalid", R"([server]
listen = "nonsense"
max_connections = 0
idle_timeout = 30
lisen = "typo"

[log]
level = "loud"
)");
  auto loaded = load_config(path, {});
  ASSERT_EQ(loaded.issues.size(), 5u);
  const auto* listen = find_issue(loaded, "server.listen");
  ASSERT_NE(listen, nullptr);
  EXPECT_EQ(listen->source, path.string() + ":2:10");
  EXPECT_NE(listen->reason.find("host:port"), std::string::npos);
  EXPECT_NE(find_issue(loaded, "server.max_connections"), nullptr);
  ASSERT_NE(find_issue(loaded, "server.idle_timeout"), nullptr);
  EXPECT_NE(find_issue(loaded, "server.idle_timeout")->reason.find("duration"), std::string::npos);
  ASSERT_NE(find_issue(loaded, "server.lisen"), nullptr);
  EXPECT_EQ(find_issue(loaded, "server.lisen")->reason, "unknown key");
  ASSERT_NE(find_issue(loaded, "log.level"), nullptr);
  EXPECT_NE(find_issue(loaded, "log.level")->reason.find("one of"), std::string::npos);
  // Valid keys still load around the bad ones.
  EXPECT_EQ(loaded.config.server.listen, "127.0.0.1:8080");
  std::filesystem::remove(path);
}

TEST(Config, SyntaxErrorNamesLineAndColumn) {
  auto path = write_file("syntax", "[server]\nlisten = \"unterminated\n");
  auto loaded = load_config(path, {});
  ASSERT_EQ(loaded.issues.size(), 1u);
  EXPECT_NE(loaded.issues[0].source.find(path.string() + ":2:"), std::string::npos);
  std::filesystem::remove(path);
}

TEST(Config, EnvironmentOverridesFile) {
  auto path = write_file("env", "[server]\nlisten = \"127.0.0.1:1111\"\n");
  Environment env{{"AIC_LISTEN", "127.0.0.1:2222"},
                  {"AIC_DATABASE_URL", "sqlite:///tmp/x.db"},
                  {"AIC_MAX_BODY_BYTES", "2048"},
                  {"AIC_LOG_ACCESS", "false"},
                  {"AIC_CORS_ALLOWED_ORIGINS", "https://a.example, https://b.example"},
                  {"AIC_SHUTDOWN_GRACE", "5s"}};
  auto loaded = load_config(path, env);
  ASSERT_TRUE(loaded.issues.empty()) << loaded.issues.front().reason;
  EXPECT_EQ(loaded.config.server.listen, "127.0.0.1:2222");
  EXPECT_EQ(loaded.config.database.url, "sqlite:///tmp/x.db");
  EXPECT_EQ(loaded.config.server.max_body_bytes, 2048u);
  EXPECT_FALSE(loaded.config.log.access);
  EXPECT_EQ(loaded.config.cors.allowed_origins,
            (std::vector<std::string>{"https://a.example", "https://b.example"}));
  EXPECT_EQ(loaded.config.server.shutdown_grace, std::chrono::seconds(5));
  std::filesystem::remove(path);
}

TEST(Config, BadEnvironmentValueNamesTheVariable) {
  auto loaded = load_config(std::nullopt, {{"AIC_IO_THREADS", "many"}});
  ASSERT_EQ(loaded.issues.size(), 1u);
  EXPECT_EQ(loaded.issues[0].key, "server.io_threads");
  EXPECT_EQ(loaded.issues[0].source, "env AIC_IO_THREADS");
}

TEST(Config, CrossKeyRules) {
  auto loaded = load_config(std::nullopt, {{"AIC_TLS_CERT_FILE", "/nonexistent/cert.pem"},
                                           {"AIC_CORS_ALLOWED_ORIGINS", "*,example.com"},
                                           {"AIC_CORS_ALLOW_CREDENTIALS", "true"}});
  EXPECT_NE(find_issue(loaded, "tls.key_file"), nullptr);            // set together
  EXPECT_NE(find_issue(loaded, "tls.cert_file"), nullptr);           // unreadable
  EXPECT_NE(find_issue(loaded, "cors.allowed_origins"), nullptr);    // not an origin
  EXPECT_NE(find_issue(loaded, "cors.allow_credentials"), nullptr);  // with "*"
}

TEST(Config, EveryKeyHasEnvironmentNameAndDescription) {
  for (const auto& key : config_keys()) {
    EXPECT_TRUE(key.env.starts_with("AIC_")) << key.path;
    EXPECT_FALSE(key.description.empty()) << key.path;
  }
}

TEST(Config, DurationsAndSizes) {
  EXPECT_EQ(parse_duration("250ms"), Duration(250));
  EXPECT_EQ(parse_duration("2m"), Duration(120000));
  EXPECT_EQ(parse_duration("1h"), Duration(3600000));
  EXPECT_FALSE(parse_duration("30"));
  EXPECT_FALSE(parse_duration("-1s"));
  EXPECT_FALSE(parse_duration("1 s"));
  EXPECT_EQ(parse_size("64KiB"), 65536u);
  EXPECT_EQ(parse_size("1MB"), 1000000u);
  EXPECT_EQ(parse_size("17"), 17u);
  EXPECT_FALSE(parse_size("1XB"));
  EXPECT_FALSE(parse_size("99999999999999999999GiB"));
}

TEST(Config, HostPort) {
  EXPECT_EQ(parse_host_port("127.0.0.1:8080")->port, 8080);
  EXPECT_EQ(parse_host_port("[::1]:0")->host, "::1");
  EXPECT_FALSE(parse_host_port("::1:80"));
  EXPECT_FALSE(parse_host_port("host:99999"));
  EXPECT_FALSE(parse_host_port(":80"));
}

TEST(Config, RedactsPasswords) {
  EXPECT_EQ(redact_url("postgres://aic:s3cret@db:5432/aic"), "postgres://aic:***@db:5432/aic");
  EXPECT_EQ(redact_url("postgres://aic@db/aic"), "postgres://aic@db/aic");
  EXPECT_EQ(redact_url("sqlite://./var/aic.db"), "sqlite://./var/aic.db");
}

}  // namespace
}  // namespace aic::core
