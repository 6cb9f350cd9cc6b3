// The `aic` command line: serve, migrate, config check, version.
#pragma once

#include "core/config.hpp"

namespace aic::cli {

// Parses argv and runs the chosen command; returns the process exit code.
int run(int argc, char** argv);

// `aic serve`: runs the server until SIGTERM/SIGINT, then drains. Returns the exit code.
// REQUIRES: called on the main thread before any other thread was started.
int serve(const core::Config& config);

}  // namespace aic::cli
