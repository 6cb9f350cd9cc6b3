#include "core/thread_name.hpp"

#include <pthread.h>

#include <algorithm>
#include <array>
#include <cstring>

namespace aic::core {

void name_this_thread(std::string_view name) {
  std::array<char, 16> text{};  // 15 bytes and the terminating NUL
  const std::size_t length = std::min(name.size(), text.size() - 1);
  std::memcpy(text.data(), name.data(), length);
  pthread_setname_np(pthread_self(), text.data());  // only fails for a name over 15 bytes
}

}  // namespace aic::core
