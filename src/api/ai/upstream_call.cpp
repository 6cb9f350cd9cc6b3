#include "api/ai/upstream_call.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace aic::api::ai {

namespace asio = boost::asio;

std::shared_ptr<UpstreamCall> UpstreamCall::start(http::HttpClient& client,
                                                  http::ClientRequest request,
                                                  asio::any_io_executor executor,
                                                  std::size_t max_backlog) {
  std::shared_ptr<UpstreamCall> call(new UpstreamCall(std::move(executor), max_backlog));
  // The handlers hold the call weakly: once its owner drops it, what still arrives is
  // discarded (and the destructor has cancelled the request).
  std::weak_ptr<UpstreamCall> weak = call;
  http::StreamHandlers handlers;
  handlers.on_head = [weak](const http::ClientResponse& head) {
    if (auto self = weak.lock()) {
      {
        std::lock_guard lock(self->mutex_);
        self->head_ = head;
      }
      self->wake();
    }
  };
  handlers.on_body = [weak](std::string_view piece) {
    auto self = weak.lock();
    if (!self) return;
    std::shared_ptr<http::ClientCall> overflowing;
    {
      std::lock_guard lock(self->mutex_);
      if (self->overflowed_) return;
      self->backlog_ += piece.size();
      if (self->backlog_ > self->max_backlog_) {
        // Cancelled here, or by start() if this runs before it has the handle.
        self->overflowed_ = true;
        overflowing = self->call_;
      } else if (!self->pieces_.empty() && self->pieces_.back().size() < 16 * 1024) {
        self->pieces_.back().append(piece);  // fewer, larger pieces for a slow consumer
      } else {
        self->pieces_.emplace_back(piece);
      }
    }
    if (overflowing) {
      overflowing->cancel();
      return;
    }
    self->wake();
  };
  handlers.on_done = [weak](http::ClientResponse end) {
    if (auto self = weak.lock()) {
      {
        std::lock_guard lock(self->mutex_);
        if (self->overflowed_) {
          end.error_kind = http::ClientErrorKind::kCancelled;
          end.error = "the answer arrived faster than it could be passed on (over " +
                      std::to_string(self->max_backlog_) + " bytes waiting)";
        }
        if (!self->head_ && end.error_kind == http::ClientErrorKind::kNone) self->head_ = end;
        self->end_ = std::move(end);
      }
      self->wake();
    }
  };
  call->signal_.expires_at(asio::steady_timer::time_point::max());
  // The handlers may run before send_streaming() returns: the handle is published under the
  // lock, and an overflow that came first is acted on here.
  auto handle = client.send_streaming(std::move(request), std::move(handlers));
  bool overflowed = false;
  {
    std::lock_guard lock(call->mutex_);
    call->call_ = handle;
    overflowed = call->overflowed_;
  }
  if (overflowed) handle->cancel();
  return call;
}

UpstreamCall::~UpstreamCall() {
  if (call_) call_->cancel();
}

void UpstreamCall::cancel() {
  if (call_) call_->cancel();
}

void UpstreamCall::wake() {
  // Timers are not thread-safe: the cancel runs on the awaiting coroutine's executor. A wake
  // with nobody waiting is harmless, because the consumer checks the queue before waiting.
  // One wake in flight at a time: a small answer's head, body and end usually arrive in one
  // burst on the client thread, and each cross-thread post may cost a wake-up of the I/O
  // thread. The flag is cleared before the cancel, so what arrives after that posts again.
  {
    std::lock_guard lock(mutex_);
    if (wake_pending_) return;
    wake_pending_ = true;
  }
  asio::post(signal_.get_executor(), [weak = weak_from_this()] {
    if (auto self = weak.lock()) {
      {
        std::lock_guard lock(self->mutex_);
        self->wake_pending_ = false;
      }
      self->signal_.cancel();
    }
  });
}

asio::awaitable<void> UpstreamCall::wait() {
  signal_.expires_at(asio::steady_timer::time_point::max());
  co_await signal_.async_wait(asio::as_tuple(asio::use_awaitable));
}

asio::awaitable<http::ClientResponse> UpstreamCall::head() {
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (head_) co_return *head_;
      if (end_) co_return *end_;
    }
    co_await wait();
  }
}

asio::awaitable<UpstreamCall::Piece> UpstreamCall::next() {
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (!pieces_.empty()) {
        Piece piece{std::move(pieces_.front()), false};
        pieces_.pop_front();
        backlog_ -= piece.bytes.size();
        co_return piece;
      }
      if (end_) {
        ending_ = *end_;
        co_return Piece{{}, true};
      }
    }
    co_await wait();
  }
}

asio::awaitable<std::string> UpstreamCall::read_all(std::size_t limit) {
  std::string body;
  for (;;) {
    Piece piece = co_await next();
    if (piece.end) break;
    if (body.size() + piece.bytes.size() > limit) {
      cancel();
      body.append(piece.bytes, 0, limit - body.size());
      // Drain to the end so ending() is set.
      while (!(co_await next()).end) {
      }
      ending_.error_kind = http::ClientErrorKind::kProtocol;
      ending_.error = "the answer exceeds " + std::to_string(limit) + " bytes";
      break;
    }
    body += piece.bytes;
  }
  co_return body;
}

}  // namespace aic::api::ai
