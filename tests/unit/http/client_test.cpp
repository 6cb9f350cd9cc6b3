// The outbound HTTP client against real sockets on 127.0.0.1, and its address policy.
//
// The test server is plain blocking sockets: one thread accepts, one thread per connection
// reads requests and answers as the test's responder says.
#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <unistd.h>
#include <csignal>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "http/client/address_policy.hpp"
#include "http/client/http_client.hpp"

namespace aic::http {
namespace {

// The TLS test server writes with SSL_write on a plain descriptor, which raises SIGPIPE when
// the client has already hung up (aic serve ignores SIGPIPE for the same reason).
[[maybe_unused]] const bool kSigpipeIgnored = [] {
  std::signal(SIGPIPE, SIG_IGN);
  return true;
}();

using namespace std::chrono_literals;

// Polls `condition` until it holds or `limit` passes; returns whether it held.
bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds limit = 20s) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

struct ReceivedRequest {
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  std::optional<std::string> header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
      if (iequals(key, name)) return value;
    }
    return std::nullopt;
  }
};

struct Reply {
  enum Kind {
    kAnswer,          // send `bytes`, keep the connection
    kAnswerAndClose,  // send `bytes`, then close
    kHold,            // never answer; wait for the client to go away
    kClose,           // close without answering
  };
  Kind kind = kAnswer;
  std::string bytes;
};

Reply answer(int status, std::string_view body, std::string_view extra_headers = "") {
  std::string text = "HTTP/1.1 " + std::to_string(status) +
                     " X\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" +
                     std::string(extra_headers) + "\r\n";
  text.append(body);
  return Reply{Reply::kAnswer, std::move(text)};
}

// Bytes in and out of one accepted connection, plain or TLS.
class ServerSide {
 public:
  ServerSide(int fd, SSL* ssl) : fd_(fd), ssl_(ssl) {}
  ~ServerSide() {
    if (ssl_ != nullptr) SSL_free(ssl_);
  }
  long read(char* buffer, std::size_t size) {
    if (ssl_ != nullptr) return SSL_read(ssl_, buffer, static_cast<int>(size));
    return ::recv(fd_, buffer, size, 0);
  }
  bool write_all(std::string_view bytes) {
    while (!bytes.empty()) {
      long sent = ssl_ != nullptr ? SSL_write(ssl_, bytes.data(), static_cast<int>(bytes.size()))
                                  : ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (sent <= 0) return false;
      bytes.remove_prefix(static_cast<std::size_t>(sent));
    }
    return true;
  }

 private:
  int fd_;
  SSL* ssl_;
};

class TestServer {
 public:
  // `respond` gets each request and its index on its connection (0 for the first).
  using Responder = std::function<Reply(const ReceivedRequest&, int index_on_connection)>;

  explicit TestServer(Responder respond, SSL_CTX* tls = nullptr)
      : respond_(std::move(respond)), tls_(tls) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    EXPECT_EQ(::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    EXPECT_EQ(::listen(listen_fd_, 512), 0);
    socklen_t length = sizeof address;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
  }

  ~TestServer() {
    stopping_ = true;
    ::shutdown(listen_fd_, SHUT_RDWR);
    acceptor_.join();
    ::close(listen_fd_);
    std::vector<std::thread> threads;
    {
      std::lock_guard lock(mutex_);
      // Connection threads only shut their sockets down; descriptors are closed here, after
      // the threads are done, so no number is reused while a thread may still use it.
      for (int fd : connection_fds_) ::shutdown(fd, SHUT_RDWR);
      threads.swap(connection_threads_);
    }
    for (auto& thread : threads) thread.join();
    for (int fd : connection_fds_) ::close(fd);
  }

  std::uint16_t port() const { return port_; }
  std::string url(std::string_view path = "/") const {
    return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
  }
  int accepts() const { return accepts_.load(); }
  // Connections on which the server saw the client close (or reset) while reading.
  int client_closes() const { return client_closes_.load(); }
  std::vector<ReceivedRequest> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  std::size_t request_count() const {
    std::lock_guard lock(mutex_);
    return requests_.size();
  }

 private:
  void accept_loop() {
    while (!stopping_) {
      int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) {
        if (stopping_) return;
        continue;
      }
      accepts_.fetch_add(1);
      std::lock_guard lock(mutex_);
      connection_fds_.push_back(fd);
      connection_threads_.emplace_back([this, fd] { serve(fd); });
    }
  }

  void serve(int fd) {
    SSL* ssl = nullptr;
    if (tls_ != nullptr) {
      ssl = SSL_new(tls_);
      SSL_set_fd(ssl, fd);
      if (SSL_accept(ssl) != 1) {
        SSL_free(ssl);
        ::shutdown(fd, SHUT_RDWR);
        return;
      }
    }
    ServerSide side(fd, ssl);
    std::string pending;
    char buffer[16384];
    auto fill = [&]() {
      long got = side.read(buffer, sizeof buffer);
      if (got <= 0) {
        client_closes_.fetch_add(1);
        return false;
      }
      pending.append(buffer, static_cast<std::size_t>(got));
      return true;
    };
    for (int index = 0;; ++index) {
      std::size_t head_end;
      while ((head_end = pending.find("\r\n\r\n")) == std::string::npos) {
        if (!fill()) {
          ::shutdown(fd, SHUT_RDWR);
          return;
        }
      }
      ReceivedRequest request = parse_head(pending.substr(0, head_end));
      pending.erase(0, head_end + 4);
      std::size_t length = std::stoul(request.header("Content-Length").value_or("0"));
      while (pending.size() < length) {
        if (!fill()) {
          ::shutdown(fd, SHUT_RDWR);
          return;
        }
      }
      request.body = pending.substr(0, length);
      pending.erase(0, length);
      Reply reply = respond_(request, index);
      {
        std::lock_guard lock(mutex_);
        requests_.push_back(std::move(request));
      }
      if (reply.kind == Reply::kHold) {
        while (fill()) {
        }
        ::shutdown(fd, SHUT_RDWR);
        return;
      }
      if (reply.kind == Reply::kClose) {
        ::shutdown(fd, SHUT_RDWR);
        return;
      }
      if (!side.write_all(reply.bytes) || reply.kind == Reply::kAnswerAndClose) {
        if (ssl != nullptr) SSL_shutdown(ssl);
        ::shutdown(fd, SHUT_RDWR);
        return;
      }
    }
  }

  static ReceivedRequest parse_head(const std::string& head) {
    ReceivedRequest request;
    std::size_t line_end = head.find("\r\n");
    std::string request_line = head.substr(0, line_end);
    std::size_t first_space = request_line.find(' ');
    std::size_t second_space = request_line.find(' ', first_space + 1);
    request.method = request_line.substr(0, first_space);
    request.target = request_line.substr(first_space + 1, second_space - first_space - 1);
    std::size_t at = line_end == std::string::npos ? head.size() : line_end + 2;
    while (at < head.size()) {
      std::size_t end = head.find("\r\n", at);
      if (end == std::string::npos) end = head.size();
      std::string line = head.substr(at, end - at);
      std::size_t colon = line.find(':');
      std::string value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      request.headers.emplace_back(line.substr(0, colon), value);
      at = end + 2;
    }
    return request;
  }

  Responder respond_;
  SSL_CTX* tls_;
  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> accepts_{0};
  std::atomic<int> client_closes_{0};
  std::thread acceptor_;
  mutable std::mutex mutex_;
  std::vector<int> connection_fds_;              // GUARDED_BY(mutex_)
  std::vector<std::thread> connection_threads_;  // GUARDED_BY(mutex_)
  std::vector<ReceivedRequest> requests_;        // GUARDED_BY(mutex_)
};

// Options for tests: the loopback server is permitted, timeouts are test-sized.
ClientOptions loopback_options() {
  ClientOptions options;
  options.address_policy = AddressPolicy::public_only({*parse_cidr("127.0.0.0/8")});
  options.user_agent = "aic-test";
  options.connect_timeout = 5s;
  options.total_timeout = 20s;
  return options;
}

ClientRequest get(std::string url) {
  ClientRequest request;
  request.method = Method::kGet;
  request.url = std::move(url);
  return request;
}

// A scratch directory removed at the end of the test.
class ScratchDir {
 public:
  ScratchDir() {
    std::random_device random;
    path_ = std::filesystem::temp_directory_path() /
            ("aic-client-test-" + std::to_string(random()) + std::to_string(::getpid()));
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// A self-signed P-256 certificate for IP address 127.0.0.1 (subjectAltName), written as
// PEM to `cert_path`, and a server context that presents it.
std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> make_server_tls(
    const std::filesystem::path& cert_path) {
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> context(SSL_CTX_new(TLS_server_method()),
                                                            SSL_CTX_free);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("aic client test"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  X509V3_CTX extension_context;
  X509V3_set_ctx(&extension_context, cert.get(), cert.get(), nullptr, nullptr, 0);
  X509_EXTENSION* alt_names =
      X509V3_EXT_conf_nid(nullptr, &extension_context, NID_subject_alt_name, "IP:127.0.0.1");
  EXPECT_NE(alt_names, nullptr);
  X509_add_ext(cert.get(), alt_names, -1);
  X509_EXTENSION_free(alt_names);
  EXPECT_GT(X509_sign(cert.get(), key.get(), EVP_sha256()), 0);
  FILE* cert_file = std::fopen(cert_path.c_str(), "w");
  PEM_write_X509(cert_file, cert.get());
  std::fclose(cert_file);
  EXPECT_EQ(SSL_CTX_use_certificate(context.get(), cert.get()), 1);
  EXPECT_EQ(SSL_CTX_use_PrivateKey(context.get(), key.get()), 1);
  return context;
}

TEST(HttpClient, ReadsBackStatusHeadersAndBody) {
  TestServer server([](const ReceivedRequest&, int) {
    return answer(200, "hello", "Content-Type: text/plain\r\nX-Answer: yes\r\n");
  });
  HttpClient client(loopback_options());
  ClientResponse response = client.send_and_wait(get(server.url("/hello")));
  EXPECT_EQ(response.error_kind, ClientErrorKind::kNone) << response.error;
  EXPECT_EQ(response.error, "");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "hello");
  EXPECT_FALSE(response.body_truncated);
  EXPECT_EQ(response.headers.get("content-type").value_or(""), "text/plain");
  EXPECT_EQ(response.headers.get("X-Answer").value_or(""), "yes");
  EXPECT_EQ(response.remote_address, "127.0.0.1");
  EXPECT_GT(response.elapsed.count(), 0);
}

TEST(HttpClient, RequestArrivesExactlyAsSent) {
  TestServer server([](const ReceivedRequest&, int) { return answer(204, ""); });
  HttpClient client(loopback_options());
  ClientRequest request;
  request.method = Method::kPut;
  request.url = server.url("/path/x?q=1&r=%20two#fragment");
  request.headers.add("Content-Type", "application/json");
  request.headers.add("X-Custom", "a value");
  request.headers.add("Host", "evil.example");  // the client sets Host itself
  request.body = R"({"a":1})";
  ClientResponse response = client.send_and_wait(std::move(request));
  ASSERT_EQ(response.error_kind, ClientErrorKind::kNone) << response.error;
  EXPECT_EQ(response.status, 204);

  auto received = server.requests();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].method, "PUT");
  EXPECT_EQ(received[0].target, "/path/x?q=1&r=%20two");
  EXPECT_EQ(received[0].header("Host").value_or(""), "127.0.0.1:" + std::to_string(server.port()));
  EXPECT_EQ(received[0].header("Content-Type").value_or(""), "application/json");
  EXPECT_EQ(received[0].header("X-Custom").value_or(""), "a value");
  EXPECT_EQ(received[0].header("Content-Length").value_or(""), "7");
  EXPECT_EQ(received[0].header("User-Agent").value_or(""), "aic-test");
  EXPECT_EQ(received[0].body, R"({"a":1})");
  int host_headers = 0;
  for (const auto& [name, value] : received[0].headers) host_headers += iequals(name, "Host");
  EXPECT_EQ(host_headers, 1);
}

TEST(HttpClient, SequentialRequestsReuseOneConnection) {
  TestServer server([](const ReceivedRequest&, int) { return answer(200, "ok"); });
  HttpClient client(loopback_options());
  ClientResponse first = client.send_and_wait(get(server.url("/one")));
  ClientResponse second = client.send_and_wait(get(server.url("/two")));
  EXPECT_EQ(first.status, 200) << first.error;
  EXPECT_EQ(second.status, 200) << second.error;
  EXPECT_FALSE(first.reused_connection);
  EXPECT_TRUE(second.reused_connection);
  EXPECT_EQ(server.accepts(), 1);
  EXPECT_EQ(server.request_count(), 2u);
}

TEST(HttpClient, ServerConnectionCloseIsRespected) {
  TestServer server([](const ReceivedRequest&, int) {
    Reply reply = answer(200, "ok", "Connection: close\r\n");
    reply.kind = Reply::kAnswerAndClose;
    return reply;
  });
  HttpClient client(loopback_options());
  EXPECT_EQ(client.send_and_wait(get(server.url())).status, 200);
  ClientResponse second = client.send_and_wait(get(server.url()));
  EXPECT_EQ(second.status, 200) << second.error;
  EXPECT_FALSE(second.reused_connection);
  EXPECT_EQ(server.accepts(), 2);
}

TEST(HttpClient, IdleConnectionsAreClosedAfterTheIdleTimeout) {
  TestServer server([](const ReceivedRequest&, int) { return answer(200, "ok"); });
  ClientOptions options = loopback_options();
  options.idle_timeout = 1s;
  HttpClient client(options);
  ASSERT_EQ(client.send_and_wait(get(server.url())).status, 200);
  EXPECT_TRUE(eventually([&] { return server.client_closes() == 1; }, 20s));
  ClientResponse second = client.send_and_wait(get(server.url()));
  EXPECT_EQ(second.status, 200) << second.error;
  EXPECT_FALSE(second.reused_connection);
  EXPECT_EQ(server.accepts(), 2);
}

TEST(HttpClient, WithoutIdleConnectionsRequestsAskToClose) {
  TestServer server([](const ReceivedRequest&, int) { return answer(200, "ok"); });
  ClientOptions options = loopback_options();
  options.max_idle_per_host = 0;
  HttpClient client(options);
  EXPECT_EQ(client.send_and_wait(get(server.url())).status, 200);
  EXPECT_EQ(client.send_and_wait(get(server.url())).status, 200);
  EXPECT_EQ(server.accepts(), 2);
  auto received = server.requests();
  ASSERT_EQ(received.size(), 2u);
  EXPECT_EQ(received[0].header("Connection").value_or(""), "close");
}

TEST(HttpClient, StaleKeptAliveConnectionIsRetriedOnceOnANewOne) {
  // The server answers the first request on each connection and drops the connection when a
  // second request arrives on it, as a server does whose idle timeout just ran out.
  TestServer server([](const ReceivedRequest&, int index) {
    return index == 0 ? answer(200, "fresh") : Reply{Reply::kClose, ""};
  });
  HttpClient client(loopback_options());
  ASSERT_EQ(client.send_and_wait(get(server.url())).status, 200);
  ClientResponse second = client.send_and_wait(get(server.url()));
  EXPECT_EQ(second.error_kind, ClientErrorKind::kNone) << second.error;
  EXPECT_EQ(second.status, 200);
  EXPECT_EQ(second.body, "fresh");
  EXPECT_FALSE(second.reused_connection);
  EXPECT_EQ(server.accepts(), 2);
  EXPECT_EQ(server.request_count(), 3u);
}

TEST(HttpClient, NewConnectionClosedWithoutAnswerIsNotRetried) {
  TestServer server([](const ReceivedRequest&, int) { return Reply{Reply::kClose, ""}; });
  HttpClient client(loopback_options());
  ClientResponse response = client.send_and_wait(get(server.url()));
  EXPECT_EQ(response.error_kind, ClientErrorKind::kProtocol);
  EXPECT_EQ(response.status, 0);
  EXPECT_NE(response.error.find("127.0.0.1"), std::string::npos) << response.error;
  EXPECT_EQ(server.accepts(), 1);
  EXPECT_EQ(server.request_count(), 1u);
}

TEST(HttpClient, RedirectIsReturnedNotFollowed) {
  TestServer server(
      [&](const ReceivedRequest&, int) { return answer(302, "", "Location: /elsewhere\r\n"); });
  HttpClient client(loopback_options());
  ClientResponse response = client.send_and_wait(get(server.url("/start")));
  EXPECT_EQ(response.status, 302);
  EXPECT_EQ(response.headers.get("Location").value_or(""), "/elsewhere");
  EXPECT_EQ(server.request_count(), 1u);
}

TEST(HttpClient, ChunkedBodyIsReadBack) {
  TestServer server([](const ReceivedRequest&, int) {
    return Reply{Reply::kAnswer,
                 "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                 "5\r\nhello\r\n7\r\n, world\r\n0\r\n\r\n"};
  });
  HttpClient client(loopback_options());
  ClientResponse response = client.send_and_wait(get(server.url()));
  EXPECT_EQ(response.status, 200) << response.error;
  EXPECT_EQ(response.body, "hello, world");
}

TEST(HttpClient, HeadAnswerHasNoBodyAndKeepsTheConnection) {
  TestServer server([](const ReceivedRequest& request, int) {
    if (request.method == "HEAD") {
      return Reply{Reply::kAnswer, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"};
    }
    return answer(200, "after");
  });
  HttpClient client(loopback_options());
  ClientRequest head = get(server.url());
  head.method = Method::kHead;
  ClientResponse first = client.send_and_wait(std::move(head));
  EXPECT_EQ(first.status, 200) << first.error;
  EXPECT_EQ(first.body, "");
  ClientResponse second = client.send_and_wait(get(server.url()));
  EXPECT_EQ(second.body, "after") << second.error;
  EXPECT_EQ(server.accepts(), 1);
}

TEST(HttpClient, InterimAnswerIsSkipped) {
  TestServer server([](const ReceivedRequest&, int) {
    return Reply{
        Reply::kAnswer,
        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok"};
  });
  HttpClient client(loopback_options());
  ClientResponse response = client.send_and_wait(get(server.url()));
  EXPECT_EQ(response.status, 201) << response.error;
  EXPECT_EQ(response.body, "ok");
}

TEST(HttpClient, ServerThatNeverAnswersTimesOut) {
  TestServer server([](const ReceivedRequest&, int) { return Reply{Reply::kHold, ""}; });
  ClientOptions options = loopback_options();
  options.total_timeout = 300ms;
  HttpClient client(options);
  ClientResponse response = client.send_and_wait(get(server.url()));
  EXPECT_EQ(response.error_kind, ClientErrorKind::kTimeout);
  EXPECT_EQ(response.status, 0);
  EXPECT_NE(response.error.find("total_timeout (300 ms)"), std::string::npos) << response.error;
  EXPECT_GE(response.elapsed, 300ms);
}

TEST(HttpClient, SilentTlsHandshakeHitsTheConnectTimeout) {
  // A plain server that reads the ClientHello as an unfinished request head and says nothing.
  TestServer server([](const ReceivedRequest&, int) { return Reply{Reply::kHold, ""}; });
  ClientOptions options = loopback_options();
  options.connect_timeout = 200ms;
  HttpClient client(options);
  ClientResponse response =
      client.send_and_wait(get("https://127.0.0.1:" + std::to_string(server.port()) + "/"));
  EXPECT_EQ(response.error_kind, ClientErrorKind::kTimeout);
  EXPECT_NE(response.error.find("connect_timeout (200 ms)"), std::string::npos) << response.error;
}

TEST(HttpClient, RefusedPortIsAConnectError) {
  // Bound but not listening: connecting gets a reset, and no one else takes the port.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  std::uint16_t port = ntohs(address.sin_port);

  HttpClient client(loopback_options());
  ClientResponse response =
      client.send_and_wait(get("http://127.0.0.1:" + std::to_string(port) + "/"));
  ::close(fd);
  EXPECT_EQ(response.error_kind, ClientErrorKind::kConnect);
  EXPECT_EQ(response.status, 0);
  EXPECT_NE(response.error.find("127.0.0.1"), std::string::npos) << response.error;
}

TEST(HttpClient, DefaultPolicyRefusesLoopbackBeforeConnecting) {
  TestServer server([](const ReceivedRequest&, int) { return answer(200, "no"); });
  ClientOptions options;  // public_only() without an allowlist
  HttpClient client(options);
  std::string port = std::to_string(server.port());

  ClientResponse by_address = client.send_and_wait(get("http://127.0.0.1:" + port + "/"));
  EXPECT_EQ(by_address.error_kind, ClientErrorKind::kBlockedAddress);
  EXPECT_EQ(by_address.status, 0);
  EXPECT_NE(by_address.error.find("127.0.0.1 is a loopback address"), std::string::npos)
      << by_address.error;
  EXPECT_EQ(by_address.remote_address, "");

  ClientResponse by_name = client.send_and_wait(get("http://localhost:" + port + "/"));
  EXPECT_EQ(by_name.error_kind, ClientErrorKind::kBlockedAddress) << by_name.error;
  EXPECT_NE(by_name.error.find("localhost"), std::string::npos) << by_name.error;
  EXPECT_NE(by_name.error.find("is a loopback address"), std::string::npos) << by_name.error;

  ClientResponse v6 = client.send_and_wait(get("http://[::1]:" + port + "/"));
  EXPECT_EQ(v6.error_kind, ClientErrorKind::kBlockedAddress);
  EXPECT_NE(v6.error.find("::1 is a loopback address"), std::string::npos) << v6.error;

  ClientResponse mapped = client.send_and_wait(get("http://[::ffff:127.0.0.1]:" + port + "/"));
  EXPECT_EQ(mapped.error_kind, ClientErrorKind::kBlockedAddress) << mapped.error;

  EXPECT_EQ(server.accepts(), 0);
}

TEST(HttpClient, BodyBeyondTheCapIsTruncatedAndTheConnectionNotReused) {
  std::string big(100 * 1024, 'x');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + i % 26);
  TestServer server([&](const ReceivedRequest&, int) { return answer(200, big); });
  ClientOptions options = loopback_options();
  options.max_response_bytes = 1000;
  HttpClient client(options);
  ClientResponse response = client.send_and_wait(get(server.url()));
  EXPECT_EQ(response.error_kind, ClientErrorKind::kNone) << response.error;
  EXPECT_EQ(response.status, 200);
  EXPECT_TRUE(response.body_truncated);
  EXPECT_EQ(response.body, big.substr(0, 1000));

  ClientResponse again = client.send_and_wait(get(server.url()));
  EXPECT_TRUE(again.body_truncated);
  EXPECT_EQ(server.accepts(), 2);
}

TEST(HttpClient, ChunkedBodyBeyondTheCapIsTruncated) {
  TestServer server([](const ReceivedRequest&, int) {
    std::string chunk(4000, 'y');
    std::string text = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 5; ++i) text += "fa0\r\n" + chunk + "\r\n";
    text += "0\r\n\r\n";
    return Reply{Reply::kAnswer, text};
  });
  ClientOptions options = loopback_options();
  options.max_response_bytes = 10000;
  HttpClient client(options);
  ClientResponse response = client.send_and_wait(get(server.url()));
  EXPECT_EQ(response.status, 200) << response.error;
  EXPECT_TRUE(response.body_truncated);
  EXPECT_EQ(response.body, std::string(10000, 'y'));
}

TEST(HttpClient, HundredsOfConcurrentRequestsAllComplete) {
  TestServer server([](const ReceivedRequest& request, int) { return answer(200, request.body); });
  HttpClient client(loopback_options());
  constexpr int kRequests = 300;
  std::mutex mutex;
  std::vector<ClientResponse> responses(kRequests);
  std::atomic<int> completed{0};
  for (int i = 0; i < kRequests; ++i) {
    ClientRequest request;
    request.url = server.url("/echo");
    request.body = "request " + std::to_string(i);
    client.send(std::move(request), [&, i](ClientResponse response) {
      std::lock_guard lock(mutex);
      responses[static_cast<std::size_t>(i)] = std::move(response);
      completed.fetch_add(1);
    });
  }
  ASSERT_TRUE(eventually([&] { return completed.load() == kRequests; }, 50s));
  std::lock_guard lock(mutex);
  for (int i = 0; i < kRequests; ++i) {
    const ClientResponse& response = responses[static_cast<std::size_t>(i)];
    EXPECT_EQ(response.status, 200) << response.error;
    EXPECT_EQ(response.body, "request " + std::to_string(i));
  }
}

TEST(HttpClient, SeveralIoThreadsShareTheWork) {
  TestServer server([](const ReceivedRequest& request, int) { return answer(200, request.body); });
  ClientOptions options = loopback_options();
  options.io_threads = 2;
  HttpClient client(options);
  constexpr int kRequests = 50;
  std::atomic<int> answered{0};
  std::atomic<int> completed{0};
  for (int i = 0; i < kRequests; ++i) {
    ClientRequest request;
    request.url = server.url();
    request.body = std::to_string(i);
    client.send(std::move(request), [&, i](ClientResponse response) {
      if (response.status == 200 && response.body == std::to_string(i)) answered.fetch_add(1);
      completed.fetch_add(1);
    });
  }
  ASSERT_TRUE(eventually([&] { return completed.load() == kRequests; }));
  EXPECT_EQ(answered.load(), kRequests);
}

TEST(HttpClient, HttpsWithTheCertificateAsCaFileSucceeds) {
  ScratchDir files;
  auto cert = files.path() / "cert.pem";
  auto tls = make_server_tls(cert);
  TestServer server([](const ReceivedRequest&, int) { return answer(200, "secure"); }, tls.get());
  ClientOptions options = loopback_options();
  options.ca_file = cert.string();
  HttpClient client(options);
  std::string url = "https://127.0.0.1:" + std::to_string(server.port()) + "/";
  ClientResponse response = client.send_and_wait(get(url));
  EXPECT_EQ(response.error_kind, ClientErrorKind::kNone) << response.error;
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "secure");
  ClientResponse second = client.send_and_wait(get(url));
  EXPECT_EQ(second.body, "secure") << second.error;
  EXPECT_TRUE(second.reused_connection);
  EXPECT_EQ(server.accepts(), 1);
}

TEST(HttpClient, HttpsWithTheDefaultCasRejectsASelfSignedCertificate) {
  ScratchDir files;
  auto tls = make_server_tls(files.path() / "cert.pem");
  TestServer server([](const ReceivedRequest&, int) { return answer(200, "secure"); }, tls.get());
  HttpClient client(loopback_options());
  ClientResponse response =
      client.send_and_wait(get("https://127.0.0.1:" + std::to_string(server.port()) + "/"));
  EXPECT_EQ(response.error_kind, ClientErrorKind::kTls);
  EXPECT_EQ(response.status, 0);
  EXPECT_NE(response.error.find("certificate"), std::string::npos) << response.error;
  EXPECT_EQ(server.request_count(), 0u);
}

TEST(HttpClient, HttpsToANameTheCertificateDoesNotCoverFails) {
  ScratchDir files;
  auto cert = files.path() / "cert.pem";
  auto tls = make_server_tls(cert);
  TestServer server([](const ReceivedRequest&, int) { return answer(200, "secure"); }, tls.get());
  ClientOptions options = loopback_options();
  options.ca_file = cert.string();
  HttpClient client(options);
  // The certificate names IP 127.0.0.1, not "localhost".
  ClientResponse response =
      client.send_and_wait(get("https://localhost:" + std::to_string(server.port()) + "/"));
  EXPECT_EQ(response.error_kind, ClientErrorKind::kTls) << response.error;
  EXPECT_EQ(server.request_count(), 0u);
}

TEST(HttpClient, DestructionCancelsARequestInFlight) {
  TestServer server([](const ReceivedRequest&, int) { return Reply{Reply::kHold, ""}; });
  std::mutex mutex;
  std::optional<ClientResponse> outcome;
  int calls = 0;
  {
    HttpClient client(loopback_options());
    client.send(get(server.url()), [&](ClientResponse response) {
      std::lock_guard lock(mutex);
      outcome = std::move(response);
      ++calls;
    });
    ASSERT_TRUE(eventually([&] { return server.request_count() == 1; }));
  }
  std::lock_guard lock(mutex);
  EXPECT_EQ(calls, 1);
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(outcome->error_kind, ClientErrorKind::kCancelled);
  EXPECT_EQ(outcome->status, 0);
}

TEST(HttpClient, BadInputIsAnAnswerNotAnException) {
  HttpClient client(loopback_options());
  ClientResponse bad_url = client.send_and_wait(get("ftp://example.com/"));
  EXPECT_EQ(bad_url.error_kind, ClientErrorKind::kBadUrl);
  EXPECT_NE(bad_url.error.find("http or https"), std::string::npos) << bad_url.error;

  ClientRequest injected = get("http://127.0.0.1:1/");
  injected.headers.add("X-Bad", "value\r\nX-Injected: 1");
  ClientResponse bad_header = client.send_and_wait(std::move(injected));
  EXPECT_EQ(bad_header.error_kind, ClientErrorKind::kBadRequest);
  EXPECT_NE(bad_header.error.find("X-Bad"), std::string::npos) << bad_header.error;

  ClientRequest bad_name = get("http://127.0.0.1:1/");
  bad_name.headers.add("Bad Name", "x");
  EXPECT_EQ(client.send_and_wait(std::move(bad_name)).error_kind, ClientErrorKind::kBadRequest);
}

TEST(HttpClient, UnknownHostIsAResolveError) {
  HttpClient client(loopback_options());
  ClientResponse response = client.send_and_wait(get("http://does-not-exist.invalid/"));
  EXPECT_EQ(response.error_kind, ClientErrorKind::kResolve) << response.error;
  EXPECT_NE(response.error.find("does-not-exist.invalid"), std::string::npos) << response.error;
}

TEST(HttpClient, CallbackRunsOnAClientThreadWhereSendAndWaitIsRefused) {
  TestServer server([](const ReceivedRequest&, int) { return answer(200, "ok"); });
  HttpClient client(loopback_options());
  std::atomic<bool> done{false};
  ClientResponse nested;
  client.send(get(server.url()), [&](ClientResponse) {
    nested = client.send_and_wait(get(server.url()));
    done = true;
  });
  ASSERT_TRUE(eventually([&] { return done.load(); }));
  EXPECT_EQ(nested.error_kind, ClientErrorKind::kBadRequest);
}

TEST(ParseUrl, SplitsSchemeHostPortAndTarget) {
  auto plain = parse_url("http://Example.COM/a/b?c=d#frag");
  ASSERT_TRUE(plain) << plain.error().message;
  EXPECT_FALSE(plain->tls);
  EXPECT_EQ(plain->host, "example.com");
  EXPECT_EQ(plain->port, 80);
  EXPECT_EQ(plain->target, "/a/b?c=d");
  EXPECT_FALSE(plain->host_is_ip);

  auto secure = parse_url("HTTPS://10.1.2.3:8443");
  ASSERT_TRUE(secure);
  EXPECT_TRUE(secure->tls);
  EXPECT_EQ(secure->port, 8443);
  EXPECT_EQ(secure->target, "/");
  EXPECT_TRUE(secure->host_is_ip);

  auto v6 = parse_url("https://[2001:DB8::1]/x");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "2001:db8::1");
  EXPECT_EQ(v6->port, 443);
  EXPECT_TRUE(v6->host_is_ip);

  auto query_only = parse_url("http://h?x=1");
  ASSERT_TRUE(query_only);
  EXPECT_EQ(query_only->target, "/?x=1");
}

TEST(ParseUrl, RefusesWhatItCannotSendSafely) {
  for (const char* text : {"",
                           "example.com/path",
                           "ftp://example.com/",
                           "http://",
                           "http:///path",
                           "http://user:pass@example.com/",
                           "http://example.com:0/",
                           "http://example.com:65536/",
                           "http://example.com:/",
                           "http://example.com:80x/",
                           "http://[::1/",
                           "http://[::1]x/",
                           "http://[not-v6]/",
                           "http://[fe80::1%25eth0]/",
                           "http://exa mple.com/",
                           "http://example.com/a b",
                           "http://example.com/\r\nX: y",
                           "http://ex%61mple.com/",
                           "http://.example.com/",
                           "http://example.com/caf\xc3\xa9"}) {
    auto url = parse_url(text);
    EXPECT_FALSE(url) << text;
    if (!url) {
      EXPECT_EQ(url.error().field, "url");
      EXPECT_FALSE(url.error().message.empty());
    }
  }
}

TEST(AddressPolicy, PublicOnlyRefusesEveryNonPublicRange) {
  AddressPolicy policy = AddressPolicy::public_only();
  struct Case {
    const char* ip;
    const char* reason;
  };
  for (const Case& refused : {
           Case{"0.0.0.0", "unspecified"},
           Case{"0.1.2.3", "unspecified"},
           Case{"127.0.0.1", "loopback"},
           Case{"127.255.255.254", "loopback"},
           Case{"10.0.0.1", "private"},
           Case{"10.255.255.255", "private"},
           Case{"172.16.0.1", "private"},
           Case{"172.31.255.255", "private"},
           Case{"192.168.0.1", "private"},
           Case{"192.168.255.255", "private"},
           Case{"100.64.0.1", "carrier-grade NAT"},
           Case{"100.127.255.255", "carrier-grade NAT"},
           Case{"169.254.0.1", "link-local"},
           Case{"169.254.169.254", "metadata"},
           Case{"100.100.100.200", "metadata"},
           Case{"224.0.0.1", "multicast"},
           Case{"239.255.255.255", "multicast"},
           Case{"240.0.0.1", "reserved"},
           Case{"255.255.255.254", "reserved"},
           Case{"255.255.255.255", "broadcast"},
           Case{"192.0.0.8", "IETF protocol"},
           Case{"198.18.0.1", "benchmarking"},
           Case{"198.19.255.255", "benchmarking"},
           Case{"::", "unspecified"},
           Case{"::1", "loopback"},
           Case{"fe80::1", "link-local"},
           Case{"febf:ffff::1", "link-local"},
           Case{"fe80::1%eth0", "link-local"},
           Case{"fc00::1", "unique-local"},
           Case{"fdff:1234::1", "unique-local"},
           Case{"fd00:ec2::254", "metadata"},
           Case{"ff02::1", "multicast"},
           Case{"ff0e::1", "multicast"},
           Case{"fec0::1", "site-local"},
           Case{"100::1", "discard"},
           Case{"64:ff9b:1::1", "NAT64"},
       }) {
    auto reason = policy.refusal(refused.ip);
    ASSERT_TRUE(reason.has_value()) << refused.ip;
    EXPECT_EQ(reason->rfind(std::string(refused.ip) + " is ", 0), 0u) << *reason;
    EXPECT_NE(reason->find(refused.reason), std::string::npos) << *reason;
  }
  EXPECT_EQ(policy.refusal("127.0.0.1").value_or(""), "127.0.0.1 is a loopback address");
}

TEST(AddressPolicy, PublicOnlyPermitsPublicAndDocumentationAddresses) {
  AddressPolicy policy = AddressPolicy::public_only();
  for (const char* ip : {"8.8.8.8",
                         "1.1.1.1",
                         "93.184.216.34",
                         "9.255.255.255",
                         "11.0.0.0",
                         "100.63.255.255",
                         "100.128.0.0",
                         "126.255.255.255",
                         "128.0.0.0",
                         "169.253.255.255",
                         "169.255.0.0",
                         "172.15.255.255",
                         "172.32.0.0",
                         "192.0.1.0",
                         "192.0.2.1",
                         "192.167.255.255",
                         "192.169.0.0",
                         "198.17.255.255",
                         "198.20.0.0",
                         "223.255.255.255",
                         "2606:4700::1111",
                         "2001:db8::1",
                         "2a00:1450:4001::200e",
                         "::ffff:8.8.8.8",
                         "64:ff9b::808:808",
                         "2002:808:808::1",
                         "fbff::1",
                         "fe7f::1"}) {
    EXPECT_EQ(policy.refusal(ip), std::nullopt) << ip;
  }
}

TEST(AddressPolicy, EmbeddedIpv4AddressesAreJudgedByTheirIpv4Part) {
  AddressPolicy policy = AddressPolicy::public_only();
  struct Case {
    const char* ip;
    const char* reason;
  };
  for (const Case& refused : {
           Case{"::ffff:127.0.0.1", "loopback"},
           Case{"::ffff:7f00:1", "loopback"},
           Case{"::ffff:10.1.2.3", "private"},
           Case{"::ffff:169.254.169.254", "metadata"},
           Case{"::ffff:0.0.0.0", "unspecified"},
           Case{"::127.0.0.1", "loopback"},
           Case{"::10.0.0.1", "private"},
           Case{"64:ff9b::7f00:1", "loopback"},
           Case{"64:ff9b::169.254.169.254", "metadata"},
           Case{"64:ff9b::c0a8:101", "private"},
           Case{"2002:7f00:1::", "loopback"},
           Case{"2002:a00:1::1", "private"},
       }) {
    auto reason = policy.refusal(refused.ip);
    ASSERT_TRUE(reason.has_value()) << refused.ip;
    EXPECT_NE(reason->find(refused.ip), std::string::npos) << *reason;
    EXPECT_NE(reason->find(refused.reason), std::string::npos) << *reason;
  }
  EXPECT_NE(policy.refusal("64:ff9b::7f00:1").value_or("").find("127.0.0.1"), std::string::npos);
}

TEST(AddressPolicy, AllowlistOverridesTheRefusals) {
  AddressPolicy policy = AddressPolicy::public_only(
      {*parse_cidr("127.0.0.0/8"), *parse_cidr("fd00::/8"), *parse_cidr("10.1.2.3")});
  EXPECT_EQ(policy.refusal("127.0.0.1"), std::nullopt);
  EXPECT_EQ(policy.refusal("127.9.9.9"), std::nullopt);
  EXPECT_EQ(policy.refusal("::ffff:127.0.0.1"), std::nullopt);
  EXPECT_EQ(policy.refusal("fd12::1"), std::nullopt);
  EXPECT_EQ(policy.refusal("10.1.2.3"), std::nullopt);
  EXPECT_EQ(policy.refusal("64:ff9b::a01:203"), std::nullopt);
  EXPECT_NE(policy.refusal("10.1.2.4"), std::nullopt);
  EXPECT_NE(policy.refusal("fc00::1"), std::nullopt);
  EXPECT_NE(policy.refusal("::1"), std::nullopt);
  EXPECT_NE(policy.refusal("169.254.169.254"), std::nullopt);
}

TEST(AddressPolicy, AllowAllPermitsEveryAddressButNotGarbage) {
  AddressPolicy policy = AddressPolicy::allow_all();
  for (const char* ip : {"127.0.0.1", "10.0.0.1", "169.254.169.254", "::1", "fd00:ec2::254"}) {
    EXPECT_EQ(policy.refusal(ip), std::nullopt) << ip;
  }
  EXPECT_NE(policy.refusal("localhost"), std::nullopt);
}

TEST(AddressPolicy, TextThatIsNotAnAddressIsRefused) {
  AddressPolicy policy = AddressPolicy::public_only();
  for (const char* text :
       {"", "localhost", "1.2.3", "1.2.3.4.5", "01.2.3.4", "::1::", "1.2.3.4 "}) {
    auto reason = policy.refusal(text);
    ASSERT_TRUE(reason.has_value()) << text;
    EXPECT_NE(reason->find("not an IP address"), std::string::npos) << *reason;
  }
}

TEST(ParseCidr, ReadsRangesAndSingleAddresses) {
  auto private_range = parse_cidr("10.0.0.0/8");
  ASSERT_TRUE(private_range);
  EXPECT_TRUE(private_range->v4);
  EXPECT_EQ(private_range->prefix_bits, 8);
  EXPECT_EQ(private_range->bytes[0], 10);
  EXPECT_EQ(private_range->to_string(), "10.0.0.0/8");

  auto loopback6 = parse_cidr("::1/128");
  ASSERT_TRUE(loopback6);
  EXPECT_FALSE(loopback6->v4);
  EXPECT_EQ(loopback6->prefix_bits, 128);
  EXPECT_EQ(loopback6->bytes[15], 1);

  auto host = parse_cidr("127.0.0.1");
  ASSERT_TRUE(host);
  EXPECT_EQ(host->prefix_bits, 32);
  EXPECT_EQ(host->to_string(), "127.0.0.1/32");

  auto host6 = parse_cidr("2001:db8::5");
  ASSERT_TRUE(host6);
  EXPECT_EQ(host6->prefix_bits, 128);

  auto everything = parse_cidr("0.0.0.0/0");
  ASSERT_TRUE(everything);
  EXPECT_EQ(everything->prefix_bits, 0);

  auto odd_prefix = parse_cidr("172.16.0.0/12");
  ASSERT_TRUE(odd_prefix);
  EXPECT_EQ(odd_prefix->to_string(), "172.16.0.0/12");

  auto mapped = parse_cidr("::ffff:10.0.0.0/104");
  ASSERT_TRUE(mapped);
  EXPECT_TRUE(mapped->v4);
  EXPECT_EQ(mapped->to_string(), "10.0.0.0/8");
}

TEST(ParseCidr, RefusesMalformedRanges) {
  for (const char* text :
       {"", "/8", "10.0.0.0/", "10.0.0.0/33", "::/129", "10.0.0.0/-1", "10.0.0.0/8x",
        "10.0.0.0/8/8", "10.0.0/8", "abc", "10.0.0.1/8", "fd00::1/8", " 10.0.0.0/8", "10.0.0.0 /8",
        "10.0.0.0/ 8", "10.0.0.0/+8"}) {
    auto range = parse_cidr(text);
    EXPECT_FALSE(range) << text;
    if (!range) {
      EXPECT_EQ(range.error().code, core::ErrorCode::kInvalidArgument);
      EXPECT_FALSE(range.error().message.empty());
    }
  }
}

}  // namespace
}  // namespace aic::http
