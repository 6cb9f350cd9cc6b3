// Process logging on spdlog. Two formats: "json" (one object per line, for log shippers)
// and "text" (for a terminal). Call configure_logging() once at start-up, before threads.
//
// Secrets never reach the log: callers log URLs through core::redact_url, and request
// headers are never logged whole.
#pragma once

#include <string>
#include <string_view>

#include "core/config.hpp"

namespace aic::core {

void configure_logging(const LogConfig& config);

// Messages from the program (not per-request lines). Thread-safe.
void log_info(std::string_view message);
void log_warn(std::string_view message);
void log_error(std::string_view message);

// Writes one pre-rendered JSON object as a line on the access log. Thread-safe.
void write_access_log(std::string_view json_line);

}  // namespace aic::core
