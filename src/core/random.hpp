// Randomness for identifiers. Random is an interface so tests can inject a deterministic
// source; the default draws from the kernel CSPRNG (getrandom) through a per-thread buffer,
// so request and trace ids are unpredictable without a syscall per id.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace aic::core {

class Random {
 public:
  virtual ~Random() = default;
  // Fills `out` with random bytes. Thread-safe.
  virtual void fill(std::span<std::uint8_t> out) = 0;
};

// The process-wide kernel-backed source. Thread-safe; never null.
Random& system_random();

// Lower-case hex encoding of `bytes`.
std::string to_hex(std::span<const std::uint8_t> bytes);
// The same, written into `out` (replacing its contents, reusing its capacity).
void assign_hex(std::span<const std::uint8_t> bytes, std::string& out);

// `byte_count` random bytes as lower-case hex (2 × byte_count characters).
std::string random_hex(Random& random, std::size_t byte_count);
// "<prefix><12 hex digits of unix milliseconds><16 random hex digits>": ids of one kind sort
// roughly by creation time.
std::string time_ordered_id(std::string_view prefix, Random& random);
// The same, written into `out` (replacing its contents, reusing its capacity).
void assign_random_hex(Random& random, std::size_t byte_count, std::string& out);

}  // namespace aic::core
