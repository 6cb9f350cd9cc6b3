// A bounded pool of database connections, shared by the SQLite and PostgreSQL backends.
// Private to src/store.
//
// Connections are created lazily, up to `capacity`, by a factory that runs outside the pool's
// lock (connecting can take seconds). A caller that finds every connection leased waits up to
// `wait_timeout`, then gets kUnavailable. A Lease returns its connection on destruction; a
// connection that reports !reusable() (or whose lease called discard()) is closed instead, and
// its slot becomes free for a new one, so a broken connection is replaced on the next acquire.
//
// trim_idle() lends connections that sat idle for a while to a function that gives back their
// memory (caches a busy connection needs, an idle one does not).
//
// Threading: acquire(), Lease destruction and trim_idle() are thread-safe. A leased connection
// belongs to the lease holder alone. The pool must outlive every Lease it handed out.
#pragma once

#include <algorithm>
#include <cassert>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <iterator>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "core/result.hpp"

namespace aic::store {

// Connection must provide `bool reusable() const`: false once it cannot serve another
// transaction (connection lost, transaction left open).
template <typename Connection>
class ConnectionPool {
 public:
  using Factory = std::function<core::Result<std::unique_ptr<Connection>>()>;

  class Lease {
   public:
    Lease(Lease&& other) noexcept
        : pool_(std::exchange(other.pool_, nullptr)),
          connection_(std::move(other.connection_)),
          discard_(other.discard_) {}
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease() {
      if (pool_ != nullptr) pool_->release(std::move(connection_), discard_);
    }

    Connection& operator*() const { return *connection_; }
    Connection* operator->() const { return connection_.get(); }

    // Closes the connection on release instead of returning it to the pool.
    void discard() { discard_ = true; }

   private:
    friend class ConnectionPool;
    Lease(ConnectionPool& pool, std::unique_ptr<Connection> connection)
        : pool_(&pool), connection_(std::move(connection)) {}

    ConnectionPool* pool_;
    std::unique_ptr<Connection> connection_;
    bool discard_ = false;
  };

  // REQUIRES: capacity > 0. `exhausted_message` is the kUnavailable message of a timed-out wait.
  ConnectionPool(std::size_t capacity, std::chrono::milliseconds wait_timeout, Factory factory,
                 std::string exhausted_message)
      : capacity_(capacity),
        wait_timeout_(wait_timeout),
        factory_(std::move(factory)),
        exhausted_message_(std::move(exhausted_message)) {
    assert(capacity_ > 0);
  }

  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  ~ConnectionPool() {
    std::lock_guard lock(mutex_);
    assert(open_count_ == idle_.size() && "a Lease outlived its ConnectionPool");
  }

  // An idle connection, a new one, or — when `capacity` are leased — the first one returned
  // within `wait_timeout`. Errors: kUnavailable on timeout; the factory's error when a new
  // connection cannot be opened.
  core::Result<Lease> acquire() {
    const auto deadline = std::chrono::steady_clock::now() + wait_timeout_;
    std::unique_lock lock(mutex_);
    while (true) {
      if (!idle_.empty()) {
        // Most recently used first: it is the likeliest to be alive and warm.
        std::unique_ptr<Connection> connection = std::move(idle_.back().connection);
        idle_.pop_back();
        return Lease(*this, std::move(connection));
      }
      if (open_count_ < capacity_) {
        ++open_count_;  // reserves the slot while the factory runs unlocked
        lock.unlock();
        return open_reserved();
      }
      if (available_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
          open_count_ >= capacity_) {
        return core::Error::make(core::ErrorCode::kUnavailable, exhausted_message_);
      }
    }
  }

  // Runs `trim` on every connection that has been idle for at least `idle_for` and was not
  // trimmed since it was last leased; returns how many it trimmed. `trim` runs outside the
  // pool's lock with the connection to itself, so an acquire() meanwhile waits for it (or
  // takes another idle connection). Trimmed connections go back as the least recently used.
  std::size_t trim_idle(std::chrono::steady_clock::duration idle_for,
                        const std::function<void(Connection&)>& trim) {
    const auto cutoff = std::chrono::steady_clock::now() - idle_for;
    std::vector<Idle> cold;
    {
      std::lock_guard lock(mutex_);
      auto keep = std::stable_partition(idle_.begin(), idle_.end(), [&](const Idle& idle) {
        return idle.trimmed || idle.since > cutoff;
      });
      std::move(keep, idle_.end(), std::back_inserter(cold));
      idle_.erase(keep, idle_.end());
    }
    if (cold.empty()) return 0;
    for (Idle& idle : cold) {
      trim(*idle.connection);
      idle.trimmed = true;
    }
    {
      std::lock_guard lock(mutex_);
      idle_.insert(idle_.begin(), std::make_move_iterator(cold.begin()),
                   std::make_move_iterator(cold.end()));
    }
    available_.notify_all();
    return cold.size();
  }

 private:
  struct Idle {
    std::unique_ptr<Connection> connection;
    std::chrono::steady_clock::time_point since;  // when it was last given back
    bool trimmed = false;                         // trim_idle() ran since then
  };

  // Runs the factory for a slot acquire() reserved, and gives the slot back when no
  // connection comes of it (an error, or an exception from the factory).
  core::Result<Lease> open_reserved() {
    struct SlotGuard {
      ConnectionPool& pool;
      bool taken = false;
      ~SlotGuard() {
        if (!taken) pool.give_back_slot();
      }
    } slot{*this};
    core::Result<std::unique_ptr<Connection>> created = factory_();
    if (!created) return std::move(created).error();
    slot.taken = true;
    return Lease(*this, std::move(created).value());
  }

  void give_back_slot() {
    {
      std::lock_guard lock(mutex_);
      --open_count_;
    }
    available_.notify_one();
  }

  void release(std::unique_ptr<Connection> connection, bool discard) {
    const bool keep = !discard && connection->reusable();
    const auto now = std::chrono::steady_clock::now();
    {
      std::lock_guard lock(mutex_);
      if (keep) {
        idle_.push_back({std::move(connection), now});
      } else {
        --open_count_;
      }
    }
    available_.notify_one();
    // A discarded connection (if any) closes here, outside the lock.
  }

  const std::size_t capacity_;
  const std::chrono::milliseconds wait_timeout_;
  const Factory factory_;
  const std::string exhausted_message_;

  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<Idle> idle_;      // least recently used first; GUARDED_BY(mutex_)
  std::size_t open_count_ = 0;  // idle + leased + being opened; GUARDED_BY(mutex_)
};

}  // namespace aic::store
