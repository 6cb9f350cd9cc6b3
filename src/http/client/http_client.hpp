// The outbound HTTP/1.1 client: webhook deliveries, later the AI providers.
//
// One HttpClient owns its I/O thread(s), one TLS context and a keep-alive pool per I/O thread.
// Requests are asynchronous and cheap to start, so thousands may be in flight at once. The
// client never follows redirects, connects only to addresses its AddressPolicy permits (the
// check is on each resolved address, the one actually connected to), verifies TLS peers
// against the system's CAs or ClientOptions::ca_file including the host name or IP literal,
// and never buffers more than max_response_bytes of a response body.
//
// Threading: send() and send_and_wait() may be called from any thread; callbacks run on a
// client I/O thread and should be quick (hand long work to another thread). The destructor
// must not run on a client thread or concurrently with send().
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "http/client/address_policy.hpp"
#include "http/message.hpp"

namespace aic::http {

struct ClientRequest {
  Method method = Method::kPost;  // kOther cannot be sent (kBadRequest)
  // http://host[:port]/path?query or https://…; host is a name, an IPv4 literal or [IPv6].
  // No user info ("user@host"); a fragment is dropped.
  std::string url;
  // Host, Content-Length, Transfer-Encoding and Connection are the client's: values given
  // here are replaced. User-Agent defaults to ClientOptions::user_agent.
  Headers headers;
  std::string body;
};

enum class ClientErrorKind {
  kNone,            // an HTTP answer arrived (any status)
  kBadUrl,          // the URL cannot be parsed or is not http(s)
  kBadRequest,      // a header name or value that would break the framing, or Method::kOther
  kBlockedAddress,  // the AddressPolicy refused every address of the host
  kResolve,         // the host name did not resolve
  kConnect,         // no permitted address accepted a TCP connection
  kTls,             // the TLS handshake failed (certificate, host name, protocol)
  kTimeout,         // connect_timeout or total_timeout passed (the message says which)
  kProtocol,        // the connection failed or the answer was malformed after connecting
  kCancelled,       // the client was destroyed first
};

std::string_view client_error_kind_name(ClientErrorKind kind);

struct ClientResponse {
  int status = 0;  // 0 when no HTTP answer arrived (see error)
  Headers headers;
  std::string body;  // at most ClientOptions::max_response_bytes
  bool body_truncated = false;
  ClientErrorKind error_kind = ClientErrorKind::kNone;
  std::string error;                     // names the host and address at fault; empty on an answer
  std::string remote_address;            // IP actually connected to ("" if none)
  bool reused_connection = false;        // sent on a kept-alive connection
  std::chrono::microseconds elapsed{0};  // from send() to the callback
};

struct ClientOptions {
  std::chrono::milliseconds connect_timeout{5000};  // resolve + TCP connect + TLS handshake
  std::chrono::milliseconds total_timeout{15000};   // from send() to the complete answer
  // The body beyond this is not read: the answer keeps the first bytes, body_truncated is
  // set and the connection is closed rather than reused.
  std::size_t max_response_bytes = 64 * 1024;
  std::size_t max_response_header_bytes = 64 * 1024;  // status line and headers
  // Idle keep-alive connections kept per scheme, host and port (per I/O thread); 0 turns
  // keep-alive off (requests say Connection: close).
  std::size_t max_idle_per_host = 64;
  std::chrono::seconds idle_timeout{30};  // idle connections older than this are closed
  AddressPolicy address_policy = AddressPolicy::public_only();
  std::string user_agent = "aic";
  std::string ca_file;  // PEM bundle to trust instead of the system's default CA paths
  int io_threads = 1;
};

// The parts of a request URL the client uses.
struct Url {
  bool tls = false;
  std::string host;  // lower case; an IPv6 literal without brackets
  std::uint16_t port = 0;
  std::string target;  // path and query, "/" at least
  bool host_is_ip = false;
};

// Parses an absolute http(s) URL. Errors (kInvalidArgument) say what is wrong: another
// scheme, user info, an empty or malformed host, a bad port, spaces or control characters.
core::Result<Url> parse_url(std::string_view url);

class HttpClient {
 public:
  // Starts the I/O thread(s). Throws std::runtime_error when ca_file cannot be loaded (a
  // start-up failure).
  explicit HttpClient(ClientOptions options);
  // Cancels requests in flight (their callbacks run with kCancelled), closes idle
  // connections and joins the I/O threads. A host name still resolving delays this until
  // the resolver returns.
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  using Callback = std::function<void(ClientResponse)>;
  // Sends `request`; `done` runs exactly once, on a client thread. Never throws on bad
  // input: every failure is a ClientResponse with error_kind set.
  void send(ClientRequest request, Callback done);
  // Sends and waits for the answer. REQUIRES: not called on a client thread (it would wait
  // for itself; such a call returns kBadRequest at once).
  ClientResponse send_and_wait(ClientRequest request);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace aic::http
