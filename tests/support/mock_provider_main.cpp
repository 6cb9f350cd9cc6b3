// aic_mock_provider: the mock model provider (mock_provider.hpp) as a process of its own, for
// tests written in other languages (tests/contract). It prints one line,
//   listening on http://127.0.0.1:PORT
// to stdout once it accepts requests, and runs until SIGTERM or SIGINT, or until stdin closes
// (so it ends with a parent that dies; start it with stdin open). Faults are queued with
// POST /__mock/faults. Later stdout lines, if any, are the server's warnings.
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <exception>
#include <iostream>
#include <thread>

#include "core/config.hpp"
#include "core/logging.hpp"
#include "mock_provider.hpp"

int main() {
  // Blocked before any thread exists, so every thread inherits the mask and only the sigwait
  // below receives them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  aic::core::LogConfig log;
  log.level = "warn";
  log.format = "text";
  aic::core::configure_logging(log);
  try {
    aic::test::MockProvider mock;
    std::cout << "listening on " << mock.base_url() << std::endl;

    // End of input stops the mock the same way a signal does.
    std::thread stdin_watch([] {
      char buffer[256];
      while (::read(STDIN_FILENO, buffer, sizeof buffer) > 0) {
      }
      ::kill(::getpid(), SIGTERM);
    });
    stdin_watch.detach();

    int received = 0;
    sigwait(&stop_signals, &received);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "aic_mock_provider: %s\n", error.what());
    return 1;
  }
  return 0;
}
