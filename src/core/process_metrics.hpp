// The process's own resources in Prometheus text format, under the names Prometheus client
// libraries use for them (process_resident_memory_bytes, …), so dashboards built for other
// servers work unchanged. Read from /proc/self when /metrics is scraped; nothing is sampled in
// between (reading it costs about 1 µs per open descriptor: call it off the I/O threads). On a
// system without /proc the lines are left out.
//
// When the binary runs on jemalloc, two more gauges say what the allocator holds:
// aic_allocator_allocated_bytes (in live allocations) and aic_allocator_resident_bytes (pages
// it keeps, in use or not yet returned); their gap is what a burst left behind.
#pragma once

#include <string>

namespace aic::core {

// Appends the process metrics to `out`.
void render_process_metrics(std::string& out);

}  // namespace aic::core
