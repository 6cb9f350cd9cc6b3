// The outbound HTTP/1.1 client: webhook deliveries and the AI providers' (streamed) answers.
//
// One HttpClient owns its I/O thread(s), one TLS context and a keep-alive pool per I/O thread.
// Requests are asynchronous and cheap to start, so thousands may be in flight at once. The
// client never follows redirects, connects only to addresses its AddressPolicy permits (the
// check is on each resolved address, the one actually connected to), verifies TLS peers
// against the system's CAs or ClientOptions::ca_file including the host name or IP literal,
// and never buffers more than max_response_bytes of a response body. A streamed answer
// (send_streaming) is handed over piece by piece as it is read and not buffered at all.
//
// Threading: send(), send_streaming() and send_and_wait() may be called from any thread;
// callbacks and stream handlers run on a client I/O thread (or the sending server thread,
// see ClientOptions::run_on_server_threads) and should be quick (hand long work to another
// thread): while one runs, no other request on that thread makes progress.
// ClientCall::cancel() may be called from any thread at any time. The destructor must not
// run on a client thread or concurrently with a send.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "http/client/address_policy.hpp"
#include "http/message.hpp"

namespace aic::http {

// Limits for one request; an unset one falls back to ClientOptions or does not apply. Each
// that passes ends the request with kTimeout and a message naming it, its value and the host.
struct RequestTimeouts {
  // Resolve + TCP connect + TLS handshake; default ClientOptions::connect_timeout.
  std::optional<std::chrono::milliseconds> connect;
  // From the request fully written to the first byte of the answer (a model still thinking
  // may be slow here and quick afterwards); none by default.
  std::optional<std::chrono::milliseconds> first_byte;
  // The longest silence between two reads once the answer has started (a stalled stream);
  // none by default.
  std::optional<std::chrono::milliseconds> between_bytes;
  // From send() to the complete answer, for a stream its last byte; default
  // ClientOptions::total_timeout.
  std::optional<std::chrono::milliseconds> total;
};

struct ClientRequest {
  Method method = Method::kPost;  // kOther cannot be sent (kBadRequest)
  // http://host[:port]/path?query or https://…; host is a name, an IPv4 literal or [IPv6].
  // No user info ("user@host"); a fragment is dropped.
  std::string url;
  // Host, Content-Length, Transfer-Encoding and Connection are the client's: values given
  // here are replaced. User-Agent defaults to ClientOptions::user_agent.
  Headers headers;
  std::string body;
  RequestTimeouts timeouts;
};

enum class ClientErrorKind {
  kNone,            // an HTTP answer arrived (any status)
  kBadUrl,          // the URL cannot be parsed or is not http(s)
  kBadRequest,      // a header name or value that would break the framing, or Method::kOther
  kBlockedAddress,  // the AddressPolicy refused every address of the host
  kResolve,         // the host name did not resolve
  kConnect,         // no permitted address accepted a TCP connection
  kTls,             // the TLS handshake failed (certificate, host name, protocol)
  kTimeout,         // a timeout of RequestTimeouts passed (the message says which)
  kProtocol,        // the connection failed or the answer was malformed after connecting
  kCancelled,       // ClientCall::cancel(), a throwing stream handler, or the client went first
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
  std::chrono::microseconds elapsed{0};  // from send() to the callback (or to on_head)
};

// A request in flight, as send() and send_streaming() return it; callers may drop it.
// HttpClient's calls stay safe to cancel after the request completed and after the client
// was destroyed.
class ClientCall {
 public:
  virtual ~ClientCall() = default;
  // Safe from any thread, at any time, also from the request's own callbacks; idempotent.
  // If the exchange has not finished it is aborted: its connection is closed (never pooled)
  // and its callback (on_done) runs once with kCancelled, "cancelled by the caller". Once
  // the callback has started, does nothing.
  virtual void cancel() = 0;
};

// What send_streaming() calls, in this order, each on a client I/O thread; any may be empty.
// They may start before send_streaming() has returned the ClientCall, so a handler that
// cancels through it must wait for (synchronise with) that handle. A handler that throws
// cancels the call (kCancelled, the message names the handler).
struct StreamHandlers {
  // The status line and headers arrived (the final answer, not 1xx). `head.body` is empty.
  std::function<void(const ClientResponse& head)> on_head;
  // The next piece of the body, after chunked decoding, as soon as it is read. The view is
  // valid only during the call.
  std::function<void(std::string_view piece)> on_body;
  // Exactly once, last: the body ended (error_kind kNone, status and headers as in on_head),
  // or the request failed, timed out or was cancelled (error_kind set, status 0; possibly
  // after on_head and some on_body). `end.body` is empty.
  std::function<void(ClientResponse end)> on_done;
};

struct ClientOptions {
  // Defaults for RequestTimeouts::connect and ::total.
  std::chrono::milliseconds connect_timeout{5000};  // resolve + TCP connect + TLS handshake
  std::chrono::milliseconds total_timeout{15000};   // from send() to the complete answer
  // The body beyond this is not read: the answer keeps the first bytes, body_truncated is
  // set and the connection is closed rather than reused. Streamed bodies are not capped:
  // RequestTimeouts::total and ::between_bytes bound them.
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
  // A request sent from a server I/O thread (http::IoThread::current()) runs on that thread,
  // with a keep-alive pool of its own there, instead of on the client's threads: a handler
  // that awaits the answer then costs no hand-off to another thread and back. Callbacks
  // then run on that thread too. The client's own threads serve every other sender. When
  // the server stops a thread, requests still running on it are aborted and end with it
  // (their callbacks may not run); the client must not be destroyed while a server it runs
  // on is stopping.
  bool run_on_server_threads = false;
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
  // Sends `request`; `done` runs exactly once, on a client thread, with the whole answer.
  // Never throws on bad input: every failure is a ClientResponse with error_kind set.
  std::shared_ptr<ClientCall> send(ClientRequest request, Callback done);
  // Sends `request` and hands the answer over as it arrives (Server-Sent Events from a
  // model provider): see StreamHandlers. The body is neither buffered nor capped by
  // max_response_bytes; a stream that ends cleanly returns its connection to the pool like
  // send(). Failures are reported as with send(), through on_done.
  std::shared_ptr<ClientCall> send_streaming(ClientRequest request, StreamHandlers handlers);
  // Sends and waits for the answer. REQUIRES: not called on a client thread (it would wait
  // for itself; such a call returns kBadRequest at once).
  ClientResponse send_and_wait(ClientRequest request);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace aic::http
