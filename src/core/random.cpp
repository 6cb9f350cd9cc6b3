#include "core/random.hpp"

#include <sys/random.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace aic::core {
namespace {

void getrandom_exact(std::uint8_t* out, std::size_t size) {
  while (size > 0) {
    ssize_t got = ::getrandom(out, size, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error("getrandom failed: " + std::string(std::strerror(errno)));
    }
    out += got;
    size -= static_cast<std::size_t>(got);
  }
}

class SystemRandom final : public Random {
 public:
  void fill(std::span<std::uint8_t> out) override {
    // A per-thread refill buffer amortises the syscall over many small ids.
    thread_local std::array<std::uint8_t, 4096> buffer;
    thread_local std::size_t available = 0;
    std::size_t written = 0;
    while (written < out.size()) {
      if (available == 0) {
        getrandom_exact(buffer.data(), buffer.size());
        available = buffer.size();
      }
      std::size_t take = std::min(available, out.size() - written);
      std::memcpy(out.data() + written, buffer.data() + (buffer.size() - available), take);
      // Never hand out the same bytes twice.
      std::memset(buffer.data() + (buffer.size() - available), 0, take);
      available -= take;
      written += take;
    }
  }
};

}  // namespace

Random& system_random() {
  static SystemRandom instance;
  return instance;
}

std::string to_hex(std::span<const std::uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(bytes.size() * 2, '0');
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    out[2 * i] = kDigits[bytes[i] >> 4];
    out[2 * i + 1] = kDigits[bytes[i] & 0x0f];
  }
  return out;
}

std::string random_hex(Random& random, std::size_t byte_count) {
  std::array<std::uint8_t, 64> stack_bytes;
  std::string out;
  while (byte_count > 0) {
    std::size_t take = std::min(byte_count, stack_bytes.size());
    random.fill(std::span(stack_bytes.data(), take));
    out += to_hex(std::span<const std::uint8_t>(stack_bytes.data(), take));
    byte_count -= take;
  }
  return out;
}

}  // namespace aic::core
