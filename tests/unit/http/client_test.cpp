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

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <stdexcept>
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

class ServerSide;

struct Reply {
  enum Kind {
    kAnswer,          // send `bytes`, keep the connection
    kAnswerAndClose,  // send `bytes`, then close
    kHold,            // never answer; wait for the client to go away
    kClose,           // close without answering
    kScript,          // `script` writes the answer at its own pace (see below)
  };
  Kind kind = kAnswer;
  std::string bytes;
  // For kScript: returns whether to keep the connection for the next request; if not, the
  // server waits for the client to go away (counted by client_closes()).
  std::function<bool(ServerSide&)> script;
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
      if (reply.kind == Reply::kScript && reply.script(side)) continue;
      if (reply.kind == Reply::kHold || reply.kind == Reply::kScript) {
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

// The line that opens a chunk of `size` bytes.
std::string chunk_header(std::size_t size) {
  char hex[20];
  std::snprintf(hex, sizeof hex, "%zx", size);
  return std::string(hex) + "\r\n";
}

// One chunk of a chunked body.
std::string chunk(std::string_view data) {
  return chunk_header(data.size()) + std::string(data) + "\r\n";
}

constexpr std::string_view kChunkedEventStreamHead =
    "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n";

// A one-shot signal between a client callback and a server script. wait() gives up after
// `limit` so that a client that never signals fails the test instead of hanging it.
class Signal {
 public:
  void raise() {
    std::lock_guard lock(mutex_);
    if (!raised_) promise_.set_value();
    raised_ = true;
  }
  bool wait(std::chrono::milliseconds limit = 20s) {
    return future_.wait_for(limit) == std::future_status::ready;
  }

 private:
  std::mutex mutex_;
  bool raised_ = false;  // GUARDED_BY(mutex_)
  std::promise<void> promise_;
  std::future<void> future_ = promise_.get_future();
};

// What a streamed request handed over, in order, recorded from the client thread.
class StreamRecord {
 public:
  // `on_body_hook` runs after each piece with the body so far.
  StreamHandlers handlers(std::function<void(const std::string& body)> on_body_hook = {}) {
    StreamHandlers handlers;
    handlers.on_head = [this](const ClientResponse& head) {
      std::lock_guard lock(mutex_);
      events_.push_back("head " + std::to_string(head.status));
      head_ = head;
    };
    handlers.on_body = [this, hook = std::move(on_body_hook)](std::string_view piece) {
      std::string body;
      {
        std::lock_guard lock(mutex_);
        events_.push_back("body");
        body_.append(piece);
        body = body_;
      }
      if (hook) hook(body);
    };
    handlers.on_done = [this](ClientResponse end) {
      std::lock_guard lock(mutex_);
      events_.push_back("done");
      end_ = std::move(end);
      ++done_calls_;
    };
    return handlers;
  }

  bool done() const {
    std::lock_guard lock(mutex_);
    return done_calls_ > 0;
  }
  int done_calls() const {
    std::lock_guard lock(mutex_);
    return done_calls_;
  }
  std::vector<std::string> events() const {
    std::lock_guard lock(mutex_);
    return events_;
  }
  std::string body() const {
    std::lock_guard lock(mutex_);
    return body_;
  }
  std::optional<ClientResponse> head() const {
    std::lock_guard lock(mutex_);
    return head_;
  }
  // REQUIRES: done().
  ClientResponse end() const {
    std::lock_guard lock(mutex_);
    return *end_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> events_;     // GUARDED_BY(mutex_)
  std::string body_;                    // GUARDED_BY(mutex_)
  std::optional<ClientResponse> head_;  // GUARDED_BY(mutex_)
  std::optional<ClientResponse> end_;   // GUARDED_BY(mutex_)
  int done_calls_ = 0;                  // GUARDED_BY(mutex_)
};

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

// A connection back in the pool for less than a second is reused without first peeking at
// its socket; one the server closed meanwhile, without saying so, costs a retry on a new
// connection, never a failed request.
TEST(HttpClient, ConnectionClosedUnannouncedRightAfterItsAnswerIsReplaced) {
  TestServer server([](const ReceivedRequest&, int) {
    Reply reply = answer(200, "ok");
    reply.kind = Reply::kAnswerAndClose;
    return reply;
  });
  HttpClient client(loopback_options());
  for (int i = 0; i < 3; ++i) {
    ClientResponse response = client.send_and_wait(get(server.url()));
    EXPECT_EQ(response.error_kind, ClientErrorKind::kNone) << i << ": " << response.error;
    EXPECT_EQ(response.status, 200) << i;
    EXPECT_FALSE(response.reused_connection) << i;
  }
  EXPECT_EQ(server.accepts(), 3);
  EXPECT_EQ(server.request_count(), 3u);
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

TEST(HttpClient, StreamedChunksArriveAsTheServerWritesThem) {
  // The server writes the next piece only once the client has handed over the previous one,
  // so the test finishes only if pieces are delivered as read, not at the end of the body.
  // The second and third pieces are halves of one chunk: delivery does not wait for a chunk.
  const std::string first = "data: one\n\n";
  const std::string second = "data: tw";
  const std::string third = "o\n\ndata: three\n\n";
  Signal first_seen;
  Signal second_seen;
  std::atomic<bool> server_waited_in_vain{false};
  TestServer server([&](const ReceivedRequest&, int index) {
    if (index > 0) return answer(200, "next");
    Reply reply{Reply::kScript, ""};
    reply.script = [&](ServerSide& side) {
      side.write_all(std::string(kChunkedEventStreamHead) + chunk(first));
      if (!first_seen.wait()) server_waited_in_vain = true;
      side.write_all(chunk_header(second.size() + third.size()) + second);
      if (!second_seen.wait()) server_waited_in_vain = true;
      side.write_all(third + "\r\n0\r\n\r\n");
      return true;
    };
    return reply;
  });
  StreamRecord record;
  HttpClient client(loopback_options());
  client.send_streaming(get(server.url("/events")), record.handlers([&](const std::string& body) {
    if (body == first) first_seen.raise();
    if (body == first + second) second_seen.raise();
  }));
  ASSERT_TRUE(eventually([&] { return record.done(); }));
  EXPECT_FALSE(server_waited_in_vain.load());

  ClientResponse end = record.end();
  EXPECT_EQ(end.error_kind, ClientErrorKind::kNone) << end.error;
  EXPECT_EQ(end.status, 200);
  EXPECT_EQ(end.body, "");
  EXPECT_EQ(end.headers.get("Content-Type").value_or(""), "text/event-stream");
  EXPECT_EQ(record.body(), first + second + third);
  std::vector<std::string> events = record.events();
  ASSERT_GE(events.size(), 5u);
  EXPECT_EQ(events.front(), "head 200");
  EXPECT_EQ(events.back(), "done");
  auto head = record.head();
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->body, "");
  EXPECT_EQ(head->remote_address, "127.0.0.1");

  // The stream ended cleanly on a kept-alive connection: the next request reuses it.
  ClientResponse next = client.send_and_wait(get(server.url()));
  EXPECT_EQ(next.body, "next") << next.error;
  EXPECT_TRUE(next.reused_connection);
  EXPECT_EQ(server.accepts(), 1);
  EXPECT_EQ(record.done_calls(), 1);
}

TEST(HttpClient, StreamedContentLengthBodyIsNeitherBufferedNorCapped) {
  Signal first_half_seen;
  std::atomic<bool> server_waited_in_vain{false};
  TestServer server([&](const ReceivedRequest&, int) {
    Reply reply{Reply::kScript, ""};
    reply.script = [&](ServerSide& side) {
      side.write_all("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n01234");
      if (!first_half_seen.wait()) server_waited_in_vain = true;
      side.write_all("56789");
      return true;
    };
    return reply;
  });
  ClientOptions options = loopback_options();
  options.max_response_bytes = 4;  // caps buffered answers only
  StreamRecord record;
  StreamRecord again;
  HttpClient client(options);
  client.send_streaming(get(server.url()), record.handlers([&](const std::string& body) {
    if (body == "01234") first_half_seen.raise();
  }));
  ASSERT_TRUE(eventually([&] { return record.done(); }));
  EXPECT_FALSE(server_waited_in_vain.load());
  EXPECT_EQ(record.end().error_kind, ClientErrorKind::kNone) << record.end().error;
  EXPECT_EQ(record.end().status, 200);
  EXPECT_FALSE(record.end().body_truncated);
  EXPECT_EQ(record.body(), "0123456789");
  EXPECT_EQ(record.events().back(), "done");

  client.send_streaming(get(server.url()), again.handlers([&](const std::string&) {}));
  ASSERT_TRUE(eventually([&] { return again.done(); }));
  EXPECT_EQ(again.body(), "0123456789") << again.end().error;
  EXPECT_TRUE(again.head()->reused_connection);
  EXPECT_EQ(server.accepts(), 1);
}

TEST(HttpClient, BodyEndingWithTheConnectionIsReadBack) {
  // No Content-Length and not chunked: the end of the connection ends the body.
  TestServer server([](const ReceivedRequest&, int) {
    return Reply{Reply::kAnswerAndClose, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nto the end"};
  });
  StreamRecord record;
  HttpClient client(loopback_options());
  ClientResponse buffered = client.send_and_wait(get(server.url()));
  EXPECT_EQ(buffered.error_kind, ClientErrorKind::kNone) << buffered.error;
  EXPECT_EQ(buffered.body, "to the end");

  client.send_streaming(get(server.url()), record.handlers());
  ASSERT_TRUE(eventually([&] { return record.done(); }));
  EXPECT_EQ(record.end().error_kind, ClientErrorKind::kNone) << record.end().error;
  EXPECT_EQ(record.body(), "to the end");
  EXPECT_EQ(server.accepts(), 2);
}

TEST(HttpClient, HttpsAnswerStreams) {
  ScratchDir files;
  auto cert = files.path() / "cert.pem";
  auto tls = make_server_tls(cert);
  TestServer server(
      [](const ReceivedRequest&, int) {
        return Reply{Reply::kAnswer, std::string(kChunkedEventStreamHead) + chunk("data: one\n\n") +
                                         chunk("data: two\n\n") + "0\r\n\r\n"};
      },
      tls.get());
  ClientOptions options = loopback_options();
  options.ca_file = cert.string();
  StreamRecord first;
  StreamRecord second;
  HttpClient client(options);
  std::string url = "https://127.0.0.1:" + std::to_string(server.port()) + "/";
  client.send_streaming(get(url), first.handlers());
  ASSERT_TRUE(eventually([&] { return first.done(); }));
  EXPECT_EQ(first.end().error_kind, ClientErrorKind::kNone) << first.end().error;
  EXPECT_EQ(first.body(), "data: one\n\ndata: two\n\n");
  client.send_streaming(get(url), second.handlers());
  ASSERT_TRUE(eventually([&] { return second.done(); }));
  EXPECT_EQ(second.body(), "data: one\n\ndata: two\n\n") << second.end().error;
  EXPECT_TRUE(second.end().reused_connection);
  EXPECT_EQ(server.accepts(), 1);
}

TEST(HttpClient, StreamFailingBeforeAnyAnswerReportsOnlyOnDone) {
  StreamRecord record;
  HttpClient client(loopback_options());
  client.send_streaming(get("ftp://example.com/"), record.handlers());
  ASSERT_TRUE(eventually([&] { return record.done(); }));
  EXPECT_EQ(record.end().error_kind, ClientErrorKind::kBadUrl);
  EXPECT_EQ(record.events(), std::vector<std::string>{"done"});
}

TEST(HttpClient, StaleKeptAliveConnectionIsRetriedForAStreamToo) {
  TestServer server([](const ReceivedRequest&, int index) {
    if (index > 0) return Reply{Reply::kClose, ""};
    return Reply{Reply::kAnswer,
                 std::string(kChunkedEventStreamHead) + chunk("data: x\n\n") + "0\r\n\r\n"};
  });
  StreamRecord first;
  StreamRecord second;
  HttpClient client(loopback_options());
  client.send_streaming(get(server.url()), first.handlers());
  ASSERT_TRUE(eventually([&] { return first.done(); }));
  ASSERT_EQ(first.end().error_kind, ClientErrorKind::kNone) << first.end().error;

  client.send_streaming(get(server.url()), second.handlers());
  ASSERT_TRUE(eventually([&] { return second.done(); }));
  EXPECT_EQ(second.end().error_kind, ClientErrorKind::kNone) << second.end().error;
  EXPECT_EQ(second.body(), "data: x\n\n");
  EXPECT_FALSE(second.end().reused_connection);
  EXPECT_EQ(second.events().front(), "head 200");
  EXPECT_EQ(server.accepts(), 2);
  EXPECT_EQ(server.request_count(), 3u);
}

TEST(HttpClient, FirstByteTimeoutFiresWhenTheServerNeverAnswers) {
  TestServer server([](const ReceivedRequest&, int) { return Reply{Reply::kHold, ""}; });
  HttpClient client(loopback_options());
  ClientRequest request = get(server.url());
  request.timeouts.first_byte = 200ms;
  ClientResponse response = client.send_and_wait(std::move(request));
  EXPECT_EQ(response.error_kind, ClientErrorKind::kTimeout);
  EXPECT_EQ(response.status, 0);
  EXPECT_NE(response.error.find("first_byte_timeout (200 ms)"), std::string::npos)
      << response.error;
  EXPECT_NE(response.error.find("127.0.0.1"), std::string::npos) << response.error;
  EXPECT_GE(response.elapsed, 200ms);
  EXPECT_TRUE(eventually([&] { return server.client_closes() == 1; }));
}

TEST(HttpClient, BetweenBytesTimeoutFiresWhenAStreamStalls) {
  TestServer server([](const ReceivedRequest&, int) {
    Reply reply{Reply::kScript, ""};
    reply.script = [](ServerSide& side) {
      side.write_all(std::string(kChunkedEventStreamHead) + chunk("data: one\n\n"));
      return false;  // and say nothing more
    };
    return reply;
  });
  StreamRecord record;
  HttpClient client(loopback_options());
  ClientRequest request = get(server.url());
  request.timeouts.first_byte = 5s;
  request.timeouts.between_bytes = 200ms;
  client.send_streaming(std::move(request), record.handlers());
  ASSERT_TRUE(eventually([&] { return record.done(); }));
  ClientResponse end = record.end();
  EXPECT_EQ(end.error_kind, ClientErrorKind::kTimeout);
  EXPECT_EQ(end.status, 0);
  EXPECT_NE(end.error.find("between_bytes_timeout (200 ms)"), std::string::npos) << end.error;
  EXPECT_NE(end.error.find("127.0.0.1"), std::string::npos) << end.error;
  EXPECT_EQ(record.events(), (std::vector<std::string>{"head 200", "body", "done"}));
  EXPECT_EQ(record.body(), "data: one\n\n");
  EXPECT_TRUE(eventually([&] { return server.client_closes() == 1; }));
}

TEST(HttpClient, BetweenBytesTimeoutStartsWithTheAnswer) {
  // Waiting for the first byte is first_byte's business, however long between_bytes is.
  TestServer server([](const ReceivedRequest&, int) {
    std::this_thread::sleep_for(300ms);
    return answer(200, "late");
  });
  HttpClient client(loopback_options());
  ClientRequest request = get(server.url());
  request.timeouts.between_bytes = 50ms;
  ClientResponse response = client.send_and_wait(std::move(request));
  EXPECT_EQ(response.error_kind, ClientErrorKind::kNone) << response.error;
  EXPECT_EQ(response.body, "late");
}

TEST(HttpClient, TotalTimeoutEndsAStreamThatNeverEnds) {
  TestServer server([](const ReceivedRequest&, int) {
    Reply reply{Reply::kScript, ""};
    reply.script = [](ServerSide& side) {
      bool open = side.write_all(kChunkedEventStreamHead);
      for (int tick = 0; open && tick < 2000; ++tick) {
        open = side.write_all(chunk("data: tick\n\n"));
        std::this_thread::sleep_for(10ms);
      }
      return false;
    };
    return reply;
  });
  StreamRecord record;
  HttpClient client(loopback_options());
  ClientRequest request = get(server.url());
  request.timeouts.between_bytes = 5s;  // met again and again
  request.timeouts.total = 300ms;
  client.send_streaming(std::move(request), record.handlers());
  ASSERT_TRUE(eventually([&] { return record.done(); }));
  ClientResponse end = record.end();
  EXPECT_EQ(end.error_kind, ClientErrorKind::kTimeout);
  EXPECT_NE(end.error.find("total_timeout (300 ms)"), std::string::npos) << end.error;
  EXPECT_GE(end.elapsed, 300ms);
  EXPECT_EQ(record.events().front(), "head 200");
  EXPECT_NE(record.body().find("data: tick\n\n"), std::string::npos);
  EXPECT_EQ(record.events().back(), "done");
  EXPECT_TRUE(eventually([&] { return server.client_closes() == 1; }));
}

TEST(HttpClient, PerRequestTimeoutsOverrideTheClientDefaults) {
  TestServer server([](const ReceivedRequest&, int) { return Reply{Reply::kHold, ""}; });
  HttpClient client(loopback_options());  // total 20 s, connect 5 s

  ClientRequest quick = get(server.url());
  quick.timeouts.total = 250ms;
  ClientResponse response = client.send_and_wait(std::move(quick));
  EXPECT_EQ(response.error_kind, ClientErrorKind::kTimeout);
  EXPECT_NE(response.error.find("total_timeout (250 ms)"), std::string::npos) << response.error;
  EXPECT_GE(response.elapsed, 250ms);
  EXPECT_LT(response.elapsed, 20s);

  // A TLS handshake with a plain server that says nothing.
  ClientRequest handshake = get("https://127.0.0.1:" + std::to_string(server.port()) + "/");
  handshake.timeouts.connect = 150ms;
  ClientResponse silent = client.send_and_wait(std::move(handshake));
  EXPECT_EQ(silent.error_kind, ClientErrorKind::kTimeout);
  EXPECT_NE(silent.error.find("connect_timeout (150 ms)"), std::string::npos) << silent.error;
}

TEST(HttpClient, CancellingAHungStreamClosesItsConnection) {
  Signal piece_seen;
  TestServer server([](const ReceivedRequest& request, int) {
    if (request.target == "/after") return answer(200, "after");
    Reply reply{Reply::kScript, ""};
    reply.script = [](ServerSide& side) {
      side.write_all(std::string(kChunkedEventStreamHead) + chunk("data: one\n\n"));
      return false;
    };
    return reply;
  });
  StreamRecord record;
  HttpClient client(loopback_options());
  std::shared_ptr<ClientCall> call = client.send_streaming(
      get(server.url()), record.handlers([&](const std::string&) { piece_seen.raise(); }));
  ASSERT_TRUE(piece_seen.wait());
  EXPECT_FALSE(record.done());
  call->cancel();  // from the test's thread, while the client thread waits to read
  ASSERT_TRUE(eventually([&] { return record.done(); }));
  ClientResponse end = record.end();
  EXPECT_EQ(end.error_kind, ClientErrorKind::kCancelled);
  EXPECT_EQ(end.error, "cancelled by the caller");
  EXPECT_EQ(end.status, 0);
  EXPECT_TRUE(eventually([&] { return server.client_closes() == 1; }));

  call->cancel();
  // The cancelled connection was not pooled: the next request opens another.
  ClientResponse next = client.send_and_wait(get(server.url("/after")));
  EXPECT_EQ(next.body, "after") << next.error;
  EXPECT_FALSE(next.reused_connection);
  EXPECT_EQ(server.accepts(), 2);
  EXPECT_EQ(record.done_calls(), 1);
  EXPECT_EQ(record.events(), (std::vector<std::string>{"head 200", "body", "done"}));
}

TEST(HttpClient, CancelAfterCompletionDoesNothing) {
  TestServer server([](const ReceivedRequest&, int) { return answer(200, "ok"); });
  HttpClient client(loopback_options());
  std::atomic<int> calls{0};
  std::shared_ptr<ClientCall> call = client.send(get(server.url()), [&](ClientResponse response) {
    EXPECT_EQ(response.error_kind, ClientErrorKind::kNone) << response.error;
    calls.fetch_add(1);
  });
  ASSERT_TRUE(eventually([&] { return calls.load() == 1; }));
  call->cancel();
  call->cancel();
  // The pooled connection is untouched by the late cancel.
  ClientResponse next = client.send_and_wait(get(server.url()));
  EXPECT_EQ(next.body, "ok") << next.error;
  EXPECT_TRUE(next.reused_connection);
  EXPECT_EQ(calls.load(), 1);
}

TEST(HttpClient, CancelFromAStreamHandlerStopsDeliveryAtOnce) {
  Signal call_stored;
  TestServer server([&](const ReceivedRequest&, int) {
    Reply reply{Reply::kScript, ""};
    reply.script = [&](ServerSide& side) {
      call_stored.wait();
      side.write_all(std::string(kChunkedEventStreamHead) + chunk("data: one\n\n") +
                     chunk("data: two\n\n"));
      return false;
    };
    return reply;
  });
  std::mutex mutex;
  std::shared_ptr<ClientCall> call;
  StreamRecord record;
  HttpClient client(loopback_options());
  StreamHandlers handlers = record.handlers([&](const std::string&) {
    std::lock_guard lock(mutex);
    call->cancel();  // on the client thread, inside on_body
  });
  {
    std::lock_guard lock(mutex);
    call = client.send_streaming(get(server.url()), std::move(handlers));
  }
  call_stored.raise();
  ASSERT_TRUE(eventually([&] { return record.done(); }));
  EXPECT_EQ(record.end().error_kind, ClientErrorKind::kCancelled);
  EXPECT_EQ(record.events(), (std::vector<std::string>{"head 200", "body", "done"}));
  EXPECT_TRUE(eventually([&] { return server.client_closes() == 1; }));
}

TEST(HttpClient, ThrowingStreamHandlerCancelsTheCall) {
  TestServer server([](const ReceivedRequest&, int) {
    return Reply{Reply::kAnswer,
                 std::string(kChunkedEventStreamHead) + chunk("data: x\n\n") + "0\r\n\r\n"};
  });
  StreamRecord record;
  HttpClient client(loopback_options());
  StreamHandlers handlers = record.handlers();
  handlers.on_body = [](std::string_view) { throw std::runtime_error("bad event"); };
  client.send_streaming(get(server.url()), std::move(handlers));
  ASSERT_TRUE(eventually([&] { return record.done(); }));
  EXPECT_EQ(record.end().error_kind, ClientErrorKind::kCancelled);
  EXPECT_NE(record.end().error.find("on_body threw (bad event)"), std::string::npos)
      << record.end().error;
}

TEST(HttpClient, CancelRacingCompletionRunsEachCallbackOnce) {
  TestServer server([](const ReceivedRequest&, int) {
    return Reply{Reply::kAnswer,
                 std::string(kChunkedEventStreamHead) + chunk("data: x\n\n") + "0\r\n\r\n"};
  });
  constexpr int kRequests = 100;
  std::mutex mutex;
  std::vector<int> done_calls(kRequests, 0);
  std::vector<ClientErrorKind> kinds(kRequests, ClientErrorKind::kNone);
  std::vector<std::shared_ptr<ClientCall>> calls;
  {
    HttpClient client(loopback_options());
    std::mutex calls_mutex;
    std::condition_variable calls_grew;
    std::thread canceller([&] {
      for (int i = 0; i < kRequests; ++i) {
        std::shared_ptr<ClientCall> call;
        {
          std::unique_lock lock(calls_mutex);
          calls_grew.wait(lock, [&] { return calls.size() > static_cast<std::size_t>(i); });
          call = calls[static_cast<std::size_t>(i)];
        }
        if (i % 2 == 0) call->cancel();
      }
    });
    for (int i = 0; i < kRequests; ++i) {
      StreamHandlers handlers;
      handlers.on_done = [&, i](ClientResponse end) {
        std::lock_guard lock(mutex);
        ++done_calls[static_cast<std::size_t>(i)];
        kinds[static_cast<std::size_t>(i)] = end.error_kind;
      };
      auto call = client.send_streaming(get(server.url()), std::move(handlers));
      std::lock_guard lock(calls_mutex);
      calls.push_back(std::move(call));
      calls_grew.notify_one();
    }
    canceller.join();
    ASSERT_TRUE(eventually([&] {
      std::lock_guard lock(mutex);
      return std::count(done_calls.begin(), done_calls.end(), 1) == kRequests;
    }));
  }
  // Handles outlive the client safely.
  for (auto& call : calls) call->cancel();
  std::lock_guard lock(mutex);
  for (int i = 0; i < kRequests; ++i) {
    EXPECT_EQ(done_calls[static_cast<std::size_t>(i)], 1) << i;
    ClientErrorKind kind = kinds[static_cast<std::size_t>(i)];
    EXPECT_TRUE(kind == ClientErrorKind::kNone || kind == ClientErrorKind::kCancelled)
        << i << ": " << client_error_kind_name(kind);
    if (i % 2 == 1) {
      EXPECT_EQ(kind, ClientErrorKind::kNone) << i;
    }
  }
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
