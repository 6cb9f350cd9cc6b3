// Prometheus metrics: counters, gauges and histograms with labels, rendered in the
// Prometheus text exposition format (version 0.0.4).
//
// Threading: everything here is thread-safe. Observing a sample is lock-free (atomics);
// looking up a labelled child takes a shared lock, so hot paths should look a child up once
// and keep the reference (children live as long as the Registry).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

namespace aic::core {

using Labels = std::vector<std::pair<std::string, std::string>>;

namespace detail {

// Metrics are written by every I/O thread on every request. Each value is split into
// cache-line-sized cells and each thread writes only its own cell (threads are spread
// round-robin over kMetricShards), so two threads counting the same request do not bounce
// one cache line between their cores. Reading sums the cells.
inline constexpr std::size_t kMetricShards = 8;
std::size_t next_metric_shard();
inline std::size_t metric_shard() {
  thread_local const std::size_t shard = next_metric_shard();
  return shard;
}

template <typename T>
struct alignas(64) MetricCell {
  std::atomic<T> value{0};
};

}  // namespace detail

class Counter {
 public:
  void increment(std::uint64_t by = 1) {
    cells_[detail::metric_shard()].value.fetch_add(by, std::memory_order_relaxed);
  }
  std::uint64_t value() const {
    std::uint64_t total = 0;
    for (const auto& cell : cells_) total += cell.value.load(std::memory_order_relaxed);
    return total;
  }

 private:
  std::array<detail::MetricCell<std::uint64_t>, detail::kMetricShards> cells_;
};

class Gauge {
 public:
  void add(std::int64_t delta) {
    cells_[detail::metric_shard()].value.fetch_add(delta, std::memory_order_relaxed);
  }
  // For gauges that are only ever set, never add()ed: a set racing an add may lose the add.
  void set(std::int64_t value) {
    for (std::size_t i = 1; i < cells_.size(); ++i) {
      cells_[i].value.store(0, std::memory_order_relaxed);
    }
    cells_[0].value.store(value, std::memory_order_relaxed);
  }
  std::int64_t value() const {
    std::int64_t total = 0;
    for (const auto& cell : cells_) total += cell.value.load(std::memory_order_relaxed);
    return total;
  }

 private:
  std::array<detail::MetricCell<std::int64_t>, detail::kMetricShards> cells_;
};

// Buckets are upper bounds in seconds; samples are recorded in microseconds.
class Histogram {
 public:
  explicit Histogram(std::vector<double> bucket_bounds_seconds);
  void observe_microseconds(std::uint64_t microseconds);

  struct Snapshot {
    std::vector<double> bounds;
    std::vector<std::uint64_t> cumulative_counts;  // one per bound, then +Inf
    std::uint64_t count = 0;
    double sum_seconds = 0;
  };
  Snapshot snapshot() const;

 private:
  std::vector<double> bounds_;
  std::vector<std::uint64_t> bounds_us_;
  // Per shard, whole cache lines holding one counter per bound, +Inf, then the sum in
  // microseconds.
  struct alignas(64) Line {
    std::atomic<std::uint64_t> cells[8];
  };
  std::atomic<std::uint64_t>& cell(std::size_t shard, std::size_t index) const {
    std::size_t flat = shard * lines_per_shard_ * 8 + index;
    return lines_[flat / 8].cells[flat % 8];
  }
  std::size_t lines_per_shard_;
  std::unique_ptr<Line[]> lines_;
};

// A named metric with one child per distinct label set.
template <typename Metric>
class Family {
 public:
  Family(std::string name, std::string help, std::vector<std::string> label_names,
         std::vector<double> buckets = {})
      : name_(std::move(name)),
        help_(std::move(help)),
        label_names_(std::move(label_names)),
        buckets_(std::move(buckets)) {}

  // The child for `label_values` (same order as the label names), created on first use.
  Metric& with(const std::vector<std::string>& label_values);

  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  const std::vector<std::string>& label_names() const { return label_names_; }

  // Calls fn(label_values, metric) for every child, in label order.
  template <typename Fn>
  void for_each(Fn&& fn) const {
    std::shared_lock lock(mutex_);
    for (const auto& [values, metric] : children_) fn(values, *metric);
  }

 private:
  std::string name_;
  std::string help_;
  std::vector<std::string> label_names_;
  std::vector<double> buckets_;
  mutable std::shared_mutex mutex_;
  std::map<std::vector<std::string>, std::unique_ptr<Metric>> children_;
};

// Owns all metric families of the process (or of a test).
class Registry {
 public:
  Family<Counter>& counter(std::string name, std::string help,
                           std::vector<std::string> label_names = {});
  Family<Gauge>& gauge(std::string name, std::string help,
                       std::vector<std::string> label_names = {});
  Family<Histogram>& histogram(std::string name, std::string help,
                               std::vector<std::string> label_names, std::vector<double> buckets);

  // The whole registry in Prometheus text format.
  std::string render() const;

 private:
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<Family<Counter>>> counters_;
  std::vector<std::unique_ptr<Family<Gauge>>> gauges_;
  std::vector<std::unique_ptr<Family<Histogram>>> histograms_;
};

// Default latency buckets (seconds), from 100 µs to 10 s.
std::vector<double> default_latency_buckets();

}  // namespace aic::core
