#include "api/idempotency.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <ctime>
#include <vector>

#include "core/random.hpp"
#include "http/problem.hpp"

namespace aic::api {
namespace {

using core::Error;
using core::ErrorCode;
using store::Access;
using store::Transaction;
using store::Value;

constexpr std::chrono::hours kKeepFor{24};
// Added to the request timeout before a running first attempt counts as abandoned: the
// answer is written after the handler returns, and clocks of replicas differ a little.
constexpr std::chrono::seconds kAbandonMargin{30};
constexpr std::chrono::seconds kMinAbandonedAfter{60};
// Old answers of every scope are purged at most this often per process.
constexpr std::chrono::seconds kPurgeEvery{60};
// How long writing the answer may wait for a worker and the database, whatever is left of
// the request's own deadline: the change is done and a lost answer means a 409 on retry.
constexpr std::chrono::seconds kCompletionBudget{10};
constexpr std::size_t kMaxKeyLength = 255;

std::string utc(std::chrono::system_clock::time_point time) {
  std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm parts{};
  gmtime_r(&seconds, &parts);
  char buffer[32];
  std::size_t length = std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &parts);
  return std::string(buffer, length);
}

// Hex SHA-256 of `parts`, each followed by a newline.
std::string sha256_hex(std::initializer_list<std::string_view> parts) {
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  std::array<std::uint8_t, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  bool ok = context != nullptr && EVP_DigestInit_ex(context, EVP_sha256(), nullptr) == 1;
  for (std::string_view part : parts) {
    ok = ok && EVP_DigestUpdate(context, part.data(), part.size()) == 1 &&
         EVP_DigestUpdate(context, "\n", 1) == 1;
  }
  ok = ok && EVP_DigestFinal_ex(context, digest.data(), &length) == 1;
  EVP_MD_CTX_free(context);
  if (!ok) throw std::runtime_error("SHA-256 failed in OpenSSL");
  return core::to_hex(std::span<const std::uint8_t>(digest.data(), length));
}

std::string request_hash(const http::Request& request) {
  return sha256_hex({request.method_text, request.path(), request.body});
}

// Whose key this is: the tenant, the principal, and what its credential may do.
std::string scope_of(const core::Principal& principal) {
  std::vector<std::string> permissions = principal.permissions;
  std::sort(permissions.begin(), permissions.end());
  std::string joined;
  for (const auto& permission : permissions) joined += permission + " ";
  return (principal.tenant_id.empty() ? std::string("platform") : principal.tenant_id) + "/" +
         principal.id + "/" + sha256_hex({joined}).substr(0, 32);
}

bool valid_key(std::string_view key) {
  if (key.empty() || key.size() > kMaxKeyLength) return false;
  for (char c : key) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

// What the first look at the key found.
struct Begun {
  bool proceed = false;  // run the handler; otherwise replay `stored`
  http::Response stored;
};

}  // namespace

Idempotency::Idempotency(store::Database& database, core::WorkerPool& workers, core::Random& random,
                         IdempotencyOptions options)
    : database_(database),
      workers_(workers),
      random_(random),
      box_(options.master_key
               ? std::move(options.master_key)
               : std::make_shared<const core::SecretBox>(core::SecretBox::generate(random))),
      abandoned_after_(std::max(
          kMinAbandonedAfter,
          std::chrono::ceil<std::chrono::seconds>(options.request_timeout) + kAbandonMargin)) {}

http::Handler Idempotency::wrap(http::Handler handler) {
  return [this, handler = std::move(handler)](http::RequestContext& context) {
    return handle(handler, context);
  };
}

boost::asio::awaitable<http::Response> Idempotency::handle(const http::Handler& handler,
                                                           http::RequestContext& context) {
  auto header = context.request.headers.get("Idempotency-Key");
  if (!header) co_return co_await handler(context);
  auto fail = [&](core::Error error) {
    error.header = "Idempotency-Key";
    return http::problem_response(error, context.request_id);
  };
  if (!valid_key(*header)) {
    co_return fail(Error::invalid("must be 1 to 255 visible ASCII characters"));
  }
  if (!context.principal) {
    co_return fail(Error::make(ErrorCode::kUnauthenticated, "idempotency keys need a credential"));
  }
  const std::string scope = scope_of(*context.principal);
  const std::string key(*header);
  const std::string hash = request_hash(context.request);
  // The sealed answer opens only for this scope and key.
  const std::string seal_context = "idempotency:" + scope + "\n" + key;

  auto begun = co_await workers_.run(context.deadline, [&]() -> core::Result<Begun> {
    Begun result;
    const auto now = std::chrono::system_clock::now();
    const std::int64_t now_seconds =
        std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
    std::int64_t due = next_purge_.load(std::memory_order_relaxed);
    bool purge = now_seconds >= due &&
                 next_purge_.compare_exchange_strong(due, now_seconds + kPurgeEvery.count());
    auto status = database_.transact(Access::kReadWrite, [&](Transaction& tx) -> core::Status {
      result = Begun{};
      if (purge) {
        auto purged =
            tx.execute("DELETE FROM idempotency_keys WHERE created_at < $1", {utc(now - kKeepFor)});
        if (!purged) return std::move(purged).error();
      }
      auto rows = tx.execute(
          "SELECT request_hash, status, content_type, etag, body, created_at "
          "FROM idempotency_keys WHERE scope = $1 AND idempotency_key = $2",
          {scope, key});
      if (!rows) return std::move(rows).error();
      const bool expired = !rows->rows.empty() && rows->text(0, 5) < utc(now - kKeepFor);
      if (!rows->rows.empty() && !expired) {
        if (rows->text(0, 0) != hash) {
          return Error::make(ErrorCode::kIdempotencyKeyReused,
                             "this Idempotency-Key was used for a different request");
        }
        bool running = rows->is_null(0, 1);
        if (running && rows->text(0, 5) >= utc(now - abandoned_after_)) {
          return Error::make(ErrorCode::kConflict,
                             "a request with this Idempotency-Key is still in progress");
        }
        if (!running) {
          auto body = box_->open(rows->text(0, 4), seal_context);
          if (!body) {
            return Error::make(ErrorCode::kConflict,
                               "the request with this Idempotency-Key was carried out, but its "
                               "answer was kept by another server process and cannot be "
                               "replayed here (set auth.master_key so that every process can)");
          }
          http::Response stored = http::Response::make(static_cast<int>(rows->integer(0, 1)),
                                                       std::move(*body), rows->text(0, 2));
          if (!rows->is_null(0, 3)) stored.headers.set("ETag", rows->text(0, 3));
          result.stored = std::move(stored);
          return {};
        }
      }
      // A first visit, an abandoned attempt, or an answer past its 24 hours (not purged yet).
      if (!rows->rows.empty()) {
        auto dropped = tx.execute(
            "DELETE FROM idempotency_keys WHERE scope = $1 AND idempotency_key = $2", {scope, key});
        if (!dropped) return std::move(dropped).error();
      }
      auto reserved = tx.execute(
          "INSERT INTO idempotency_keys (scope, idempotency_key, request_hash, created_at) "
          "VALUES ($1, $2, $3, $4)",
          {scope, key, hash, utc(now)});
      if (!reserved) return std::move(reserved).error();
      result.proceed = true;
      return {};
    });
    if (!status) return std::move(status).error();
    return result;
  });
  if (!begun) {
    core::Error error = begun.error();
    co_return error.code == ErrorCode::kConflict || error.code == ErrorCode::kIdempotencyKeyReused
        ? fail(std::move(error))
        : http::problem_response(error, context.request_id);
  }
  if (!begun->proceed) {
    http::Response replay = std::move(begun->stored);
    replay.headers.set("Idempotent-Replayed", "true");
    co_return replay;
  }

  http::Response response = co_await handler(context);
  std::string content_type(response.headers.get("Content-Type").value_or(""));
  std::optional<std::string> etag;
  if (auto value = response.headers.get("ETag")) etag.emplace(*value);
  std::string sealed =
      response.status >= 500 ? std::string() : box_->seal(response.body, seal_context, random_);
  auto stored = co_await workers_.run(
      std::chrono::steady_clock::now() + kCompletionBudget, [&]() -> core::Status {
        return database_.transact(Access::kReadWrite, [&](Transaction& tx) -> core::Status {
          // A server error is not an answer worth keeping: let the retry run again.
          auto done = response.status >= 500
                          ? tx.execute(
                                "DELETE FROM idempotency_keys WHERE scope = $1 AND "
                                "idempotency_key = $2",
                                {scope, key})
                          : tx.execute(
                                "UPDATE idempotency_keys SET status = $3, content_type = $4, "
                                "etag = $5, body = $6 WHERE scope = $1 AND idempotency_key = $2",
                                {scope, key, static_cast<std::int64_t>(response.status),
                                 content_type, etag ? Value(*etag) : Value(nullptr), sealed});
          if (!done) return std::move(done).error();
          return {};
        });
      });
  // The change itself is done and its answer is on its way; a key that could not be
  // completed becomes "abandoned" (see abandoned_after_) and a retry then runs again.
  (void)stored;
  co_return response;
}

}  // namespace aic::api
