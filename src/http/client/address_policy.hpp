// Which IP addresses outbound requests may connect to: the guard against server-side request
// forgery (a customer's webhook URL that points at the metadata service, a database on the
// private network, or the server itself).
//
// The HTTP client asks the policy about every address a host name resolves to, and connects
// only to addresses it permits, so the check is on the address actually connected to.
//
// Threading: an AddressPolicy is an immutable value; const calls are safe from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"

namespace aic::http {

// An address range. An IPv4 range keeps its network address in bytes[0..3] and counts
// prefix_bits out of 32; an IPv6 range uses all 16 bytes and counts out of 128.
struct Cidr {
  std::array<std::uint8_t, 16> bytes{};
  int prefix_bits = 0;
  bool v4 = true;

  // The range in text, "10.0.0.0/8" or "fd00::/8".
  std::string to_string() const;
};

// Parses "10.0.0.0/8", "2001:db8::/32" or a single address ("127.0.0.1" is 127.0.0.1/32).
// Errors (kInvalidArgument): not an address, a prefix out of range, or bits set beyond the
// prefix ("10.0.0.1/8"), which usually means a typo.
core::Result<Cidr> parse_cidr(std::string_view text);

class AddressPolicy {
 public:
  // Permits every address. For tests and deployments that opt out explicitly.
  static AddressPolicy allow_all();
  // Permits public unicast addresses only (the default): refuses unspecified, loopback,
  // private (RFC 1918, unique-local), shared (100.64/10), link-local, cloud metadata,
  // multicast, reserved, broadcast, benchmarking and IETF protocol addresses, and the IPv6
  // discard, Teredo, site-local and local-use NAT64 ranges. IPv4-mapped,
  // IPv4-compatible, NAT64 (64:ff9b::/96) and 6to4 addresses are judged by the IPv4 address
  // inside them. Ranges in `allowlist` are permitted even if they fall in a refused range.
  static AddressPolicy public_only(std::vector<Cidr> allowlist = {});

  // Why `ip` (textual IPv4 or IPv6, an IPv6 zone suffix "%eth0" is ignored) may not be
  // connected to, e.g. "127.0.0.1 is a loopback address"; nullopt when it is permitted.
  // Text that is not an IP address is refused.
  std::optional<std::string> refusal(std::string_view ip) const;

 private:
  AddressPolicy(bool public_only, std::vector<Cidr> allowlist)
      : public_only_(public_only), allowlist_(std::move(allowlist)) {}

  bool public_only_ = true;
  std::vector<Cidr> allowlist_;
};

}  // namespace aic::http
