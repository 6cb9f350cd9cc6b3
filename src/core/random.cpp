#include "core/random.hpp"

#include <sys/random.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "core/utc_time.hpp"

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

namespace {

// The two hex digits of every byte value, so encoding is one table copy per byte.
constexpr std::array<char, 512> kHexPairs = [] {
  constexpr char kDigits[] = "0123456789abcdef";
  std::array<char, 512> pairs{};
  for (std::size_t value = 0; value < 256; ++value) {
    pairs[2 * value] = kDigits[value >> 4];
    pairs[2 * value + 1] = kDigits[value & 0x0f];
  }
  return pairs;
}();

void write_hex(std::span<const std::uint8_t> bytes, char* out) {
  for (std::uint8_t byte : bytes) {
    std::memcpy(out, &kHexPairs[2 * std::size_t{byte}], 2);
    out += 2;
  }
}

}  // namespace

std::string to_hex(std::span<const std::uint8_t> bytes) {
  std::string out(bytes.size() * 2, '0');
  write_hex(bytes, out.data());
  return out;
}

void assign_hex(std::span<const std::uint8_t> bytes, std::string& out) {
  out.resize(bytes.size() * 2);
  write_hex(bytes, out.data());
}

void assign_random_hex(Random& random, std::size_t byte_count, std::string& out) {
  out.resize(byte_count * 2);
  std::array<std::uint8_t, 64> chunk;
  char* cursor = out.data();
  while (byte_count > 0) {
    std::size_t take = std::min(byte_count, chunk.size());
    random.fill(std::span(chunk.data(), take));
    write_hex(std::span<const std::uint8_t>(chunk.data(), take), cursor);
    cursor += 2 * take;
    byte_count -= take;
  }
}

std::string time_ordered_id(std::string_view prefix, Random& random) {
  // Six bytes of milliseconds, big-endian (12 hex digits until the year 10889), then eight
  // random bytes, hexed in one pass into a string sized once. The usage writer makes one per
  // gateway request; formatting with snprintf and concatenating cost 1,900 instructions each.
  std::array<std::uint8_t, 14> bytes;
  auto millis = static_cast<std::uint64_t>(unix_millis(std::chrono::system_clock::now()));
  for (std::size_t i = 6; i-- > 0; millis >>= 8) bytes[i] = static_cast<std::uint8_t>(millis);
  random.fill(std::span(bytes).subspan(6));
  std::string id(prefix.size() + 2 * bytes.size(), '\0');
  std::memcpy(id.data(), prefix.data(), prefix.size());
  write_hex(bytes, id.data() + prefix.size());
  return id;
}

std::string random_hex(Random& random, std::size_t byte_count) {
  std::string out;
  assign_random_hex(random, byte_count, out);
  return out;
}

}  // namespace aic::core
