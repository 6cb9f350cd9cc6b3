#include "http/io_thread.hpp"

#include <algorithm>

namespace aic::http {

namespace {
thread_local IoThread* current_thread = nullptr;
}  // namespace

IoThread* IoThread::current() { return current_thread; }

void IoThread::set_current(IoThread* thread) { current_thread = thread; }

IoThread::HookId IoThread::add_stop_hook(std::function<void()> hook) {
  std::lock_guard lock(mutex_);
  if (stopped_) return 0;
  HookId id = next_id_++;
  hooks_.emplace_back(id, std::move(hook));
  return id;
}

void IoThread::remove_stop_hook(HookId id) {
  std::lock_guard lock(mutex_);
  std::erase_if(hooks_, [id](const auto& entry) { return entry.first == id; });
}

void IoThread::run_stop_hooks() {
  std::vector<std::pair<HookId, std::function<void()>>> hooks;
  {
    std::lock_guard lock(mutex_);
    stopped_ = true;
    hooks.swap(hooks_);
  }
  for (auto hook = hooks.rbegin(); hook != hooks.rend(); ++hook) hook->second();
}

}  // namespace aic::http
