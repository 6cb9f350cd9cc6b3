#include "core/metrics.hpp"

#include <fmt/format.h>

#include <cmath>

namespace aic::core {

std::size_t detail::next_metric_shard() {
  static std::atomic<std::size_t> next{0};
  return next.fetch_add(1, std::memory_order_relaxed) % kMetricShards;
}

Histogram::Histogram(std::vector<double> bucket_bounds_seconds)
    : bounds_(std::move(bucket_bounds_seconds)),
      lines_per_shard_((bounds_.size() + 2 + 7) / 8),
      lines_(new Line[lines_per_shard_ * detail::kMetricShards]) {
  for (std::size_t i = 0; i < lines_per_shard_ * detail::kMetricShards; ++i) {
    for (auto& counter : lines_[i].cells) counter.store(0, std::memory_order_relaxed);
  }
  for (double bound : bounds_) {
    bounds_us_.push_back(static_cast<std::uint64_t>(std::llround(bound * 1e6)));
  }
}

void Histogram::observe_microseconds(std::uint64_t microseconds) {
  std::size_t bucket = 0;
  while (bucket < bounds_us_.size() && microseconds > bounds_us_[bucket]) ++bucket;
  std::size_t shard = detail::metric_shard();
  cell(shard, bucket).fetch_add(1, std::memory_order_relaxed);
  cell(shard, bounds_.size() + 1).fetch_add(microseconds, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::snapshot() const {
  Snapshot snapshot;
  snapshot.bounds = bounds_;
  std::uint64_t running = 0;
  for (std::size_t i = 0; i <= bounds_.size(); ++i) {
    for (std::size_t shard = 0; shard < detail::kMetricShards; ++shard) {
      running += cell(shard, i).load(std::memory_order_relaxed);
    }
    snapshot.cumulative_counts.push_back(running);
  }
  snapshot.count = running;
  std::uint64_t sum_us = 0;
  for (std::size_t shard = 0; shard < detail::kMetricShards; ++shard) {
    sum_us += cell(shard, bounds_.size() + 1).load(std::memory_order_relaxed);
  }
  snapshot.sum_seconds = static_cast<double>(sum_us) / 1e6;
  return snapshot;
}

template <typename Metric>
Metric& Family<Metric>::with(const std::vector<std::string>& label_values) {
  {
    std::shared_lock lock(mutex_);
    auto it = children_.find(label_values);
    if (it != children_.end()) return *it->second;
  }
  std::unique_lock lock(mutex_);
  auto& slot = children_[label_values];
  if (!slot) {
    if constexpr (std::is_same_v<Metric, Histogram>) {
      slot = std::make_unique<Histogram>(buckets_);
    } else {
      slot = std::make_unique<Metric>();
    }
  }
  return *slot;
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

Family<Counter>& Registry::counter(std::string name, std::string help,
                                   std::vector<std::string> label_names) {
  std::lock_guard lock(mutex_);
  counters_.push_back(
      std::make_unique<Family<Counter>>(std::move(name), std::move(help), std::move(label_names)));
  return *counters_.back();
}

Family<Gauge>& Registry::gauge(std::string name, std::string help,
                               std::vector<std::string> label_names) {
  std::lock_guard lock(mutex_);
  gauges_.push_back(
      std::make_unique<Family<Gauge>>(std::move(name), std::move(help), std::move(label_names)));
  return *gauges_.back();
}

Family<Histogram>& Registry::histogram(std::string name, std::string help,
                                       std::vector<std::string> label_names,
                                       std::vector<double> buckets) {
  std::lock_guard lock(mutex_);
  histograms_.push_back(std::make_unique<Family<Histogram>>(
      std::move(name), std::move(help), std::move(label_names), std::move(buckets)));
  return *histograms_.back();
}

namespace {

// Label values escape backslash, double quote and newline (exposition format rules).
void append_label_value(std::string& out, std::string_view value) {
  for (char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
}

std::string label_block(const std::vector<std::string>& names,
                        const std::vector<std::string>& values,
                        const std::pair<std::string, std::string>* extra = nullptr) {
  if (names.empty() && extra == nullptr) return {};
  std::string out = "{";
  for (std::size_t i = 0; i < names.size() && i < values.size(); ++i) {
    if (i > 0) out += ',';
    out += names[i];
    out += "=\"";
    append_label_value(out, values[i]);
    out += '"';
  }
  if (extra != nullptr) {
    if (!names.empty()) out += ',';
    out += extra->first;
    out += "=\"";
    out += extra->second;
    out += '"';
  }
  out += '}';
  return out;
}

std::string format_bound(double bound) { return fmt::format("{}", bound); }

template <typename FamilyT>
void append_header(std::string& out, const FamilyT& family, std::string_view type) {
  out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", family.name(), family.help(), family.name(),
                     type);
}

}  // namespace

std::string Registry::render() const {
  std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& family : counters_) {
    append_header(out, *family, "counter");
    family->for_each([&](const std::vector<std::string>& values, const Counter& counter) {
      out += family->name() + label_block(family->label_names(), values) + " " +
             std::to_string(counter.value()) + "\n";
    });
  }
  for (const auto& family : gauges_) {
    append_header(out, *family, "gauge");
    family->for_each([&](const std::vector<std::string>& values, const Gauge& gauge) {
      out += family->name() + label_block(family->label_names(), values) + " " +
             std::to_string(gauge.value()) + "\n";
    });
  }
  for (const auto& family : histograms_) {
    append_header(out, *family, "histogram");
    family->for_each([&](const std::vector<std::string>& values, const Histogram& histogram) {
      auto snapshot = histogram.snapshot();
      for (std::size_t i = 0; i <= snapshot.bounds.size(); ++i) {
        std::pair<std::string, std::string> le{
            "le", i < snapshot.bounds.size() ? format_bound(snapshot.bounds[i]) : "+Inf"};
        out += family->name() + "_bucket" + label_block(family->label_names(), values, &le) + " " +
               std::to_string(snapshot.cumulative_counts[i]) + "\n";
      }
      std::string labels = label_block(family->label_names(), values);
      out +=
          family->name() + "_sum" + labels + " " + fmt::format("{}", snapshot.sum_seconds) + "\n";
      out += family->name() + "_count" + labels + " " + std::to_string(snapshot.count) + "\n";
    });
  }
  return out;
}

std::vector<double> default_latency_buckets() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
          0.05,   0.1,     0.25,   0.5,   1,      2.5,   5,    10};
}

}  // namespace aic::core
