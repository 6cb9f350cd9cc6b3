// Result<T>: the value of an operation that can fail in an expected way (bad input, missing
// row, busy database). Exceptions are reserved for programmer errors and start-up failures.
//
// Error carries a stable code, a human-readable message and, where it applies, what was at
// fault (a field, a header, a line/column). The http layer maps codes to status codes and
// RFC 9457 problem documents in one place (http/problem.cpp).
#pragma once

#include <cassert>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace aic::core {

enum class ErrorCode {
  kInvalidArgument,       // a field, header or parameter has a bad value
  kMalformedRequest,      // the request cannot be parsed at all
  kUnsupportedMediaType,  // the body is not in a format the route accepts
  kNotFound,
  kMethodNotAllowed,
  kConflict,
  kPreconditionFailed,  // If-Match named a version that is no longer current
  kIdempotencyKeyReused,  // an Idempotency-Key sent again with a different request
  kUnauthenticated,
  kPermissionDenied,
  kPayloadTooLarge,
  kHeadersTooLarge,
  kRequestTimeout,  // the client was too slow sending its request
  kQuotaExceeded,
  kDeadlineExceeded,  // the server could not finish within the request deadline
  kOverloaded,        // a bounded queue or connection limit is full
  kUnavailable,       // a dependency (e.g. the database) cannot be reached
  kInternal,          // a bug; the detail never leaks internals
};

// Stable machine-readable name ("invalid-argument"); used in problem `type` URIs and logs.
std::string_view error_code_name(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  std::string field;   // request field, config key or query parameter at fault
  std::string header;  // HTTP header at fault
  std::optional<std::int64_t> line;
  std::optional<std::int64_t> column;

  static Error invalid(std::string message, std::string field = {}) {
    return Error{ErrorCode::kInvalidArgument, std::move(message), std::move(field), {}, {}, {}};
  }
  static Error make(ErrorCode code, std::string message) {
    return Error{code, std::move(message), {}, {}, {}, {}};
  }
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}      // NOLINT
  Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool has_value() const { return state_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  // REQUIRES: has_value()
  T& value() & {
    assert(has_value());
    return std::get<0>(state_);
  }
  const T& value() const& {
    assert(has_value());
    return std::get<0>(state_);
  }
  T&& value() && {
    assert(has_value());
    return std::get<0>(std::move(state_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  // REQUIRES: !has_value()
  const Error& error() const& {
    assert(!has_value());
    return std::get<1>(state_);
  }
  Error&& error() && {
    assert(!has_value());
    return std::get<1>(std::move(state_));
  }

 private:
  std::variant<T, Error> state_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)) {}  // NOLINT

  bool has_value() const { return !error_.has_value(); }
  explicit operator bool() const { return has_value(); }
  const Error& error() const& {
    assert(error_);
    return *error_;
  }
  Error&& error() && {
    assert(error_);
    return std::move(*error_);
  }

 private:
  std::optional<Error> error_;
};

using Status = Result<void>;

}  // namespace aic::core
