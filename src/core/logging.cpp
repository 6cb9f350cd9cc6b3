#include "core/logging.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <chrono>

#include "core/json_writer.hpp"

namespace aic::core {
namespace {

bool json_format = true;

std::shared_ptr<spdlog::logger>& app_logger() {
  static std::shared_ptr<spdlog::logger> logger = spdlog::stdout_logger_mt("aic");
  return logger;
}

// Access lines are already complete JSON objects; this logger adds nothing around them.
std::shared_ptr<spdlog::logger>& access_logger() {
  static std::shared_ptr<spdlog::logger> logger = [] {
    auto sink = std::make_shared<spdlog::sinks::stdout_sink_mt>();
    auto created = std::make_shared<spdlog::logger>("access", sink);
    created->set_pattern("%v");
    return created;
  }();
  return logger;
}

void log_line(spdlog::level::level_enum level, std::string_view message) {
  auto& logger = app_logger();
  if (!logger->should_log(level)) return;
  if (!json_format) {
    logger->log(level, "{}", message);
    return;
  }
  std::string escaped;
  append_json_escaped(escaped, message);
  logger->log(level, "{}", escaped);
}

}  // namespace

void configure_logging(const LogConfig& config) {
  json_format = config.format == "json";
  auto level = spdlog::level::from_str(config.level);
  app_logger()->set_level(level);
  access_logger()->set_level(spdlog::level::info);
  if (json_format) {
    // The message is pre-escaped by log_line.
    app_logger()->set_pattern(R"({"ts":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l","msg":"%v"})",
                              spdlog::pattern_time_type::utc);
  } else {
    app_logger()->set_pattern("%Y-%m-%dT%H:%M:%S.%fZ %-5l %v", spdlog::pattern_time_type::utc);
  }
  app_logger()->flush_on(spdlog::level::info);
}

void log_info(std::string_view message) { log_line(spdlog::level::info, message); }
void log_warn(std::string_view message) { log_line(spdlog::level::warn, message); }
void log_error(std::string_view message) { log_line(spdlog::level::err, message); }

void write_access_log(std::string_view json_line) { access_logger()->info("{}", json_line); }

}  // namespace aic::core
