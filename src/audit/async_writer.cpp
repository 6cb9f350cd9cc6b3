#include "audit/async_writer.hpp"

namespace aic::audit {
namespace {

// Events per transaction: large enough that a burst costs few commits, small enough that one
// transaction does not hold SQLite's single writer for long.
constexpr std::size_t kBatchSize = 256;

}  // namespace

AsyncWriter::AsyncWriter(AuditLog& log, std::size_t queue_limit)
    : writer_("audit: security events", "aic-audit", kBatchSize, queue_limit,
              [&log](const std::vector<Event>& batch) { return log.record_all(batch); }) {}

}  // namespace aic::audit
