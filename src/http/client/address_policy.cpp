#include "http/client/address_policy.hpp"

#include <arpa/inet.h>

#include <cassert>
#include <charconv>

namespace aic::http {
namespace {

// An address in the same layout as Cidr: IPv4 in bytes[0..3], IPv6 in all 16.
struct Address {
  std::array<std::uint8_t, 16> bytes{};
  bool v4 = true;
};

std::optional<Address> parse_address(std::string_view text) {
  // inet_pton wants a terminated string; the longest IPv6 text is 45 characters.
  char buffer[64];
  if (text.empty() || text.size() >= sizeof buffer) return std::nullopt;
  text.copy(buffer, text.size());
  buffer[text.size()] = '\0';
  Address address;
  if (::inet_pton(AF_INET, buffer, address.bytes.data()) == 1) return address;
  if (::inet_pton(AF_INET6, buffer, address.bytes.data()) == 1) {
    address.v4 = false;
    return address;
  }
  return std::nullopt;
}

// `text` in double quotes. Built by appending: GCC 12 at -O3 misreports the equivalent
// `"\"" + std::string(text)` as an overlapping memcpy (-Wrestrict).
std::string quoted(std::string_view text) {
  std::string result;
  result.reserve(text.size() + 2);
  result.push_back('"');
  result.append(text);
  result.push_back('"');
  return result;
}

std::string address_text(const Address& address) {
  char buffer[INET6_ADDRSTRLEN];
  const char* text =
      ::inet_ntop(address.v4 ? AF_INET : AF_INET6, address.bytes.data(), buffer, sizeof buffer);
  return text != nullptr ? std::string(text) : std::string("?");
}

bool starts_with_bytes(const Address& address, std::initializer_list<std::uint8_t> prefix) {
  std::size_t index = 0;
  for (std::uint8_t byte : prefix) {
    if (address.bytes[index++] != byte) return false;
  }
  return true;
}

Address ipv4_from(const Address& address, std::size_t offset) {
  Address v4;
  for (std::size_t i = 0; i < 4; ++i) v4.bytes[i] = address.bytes[offset + i];
  return v4;
}

// ::ffff:a.b.c.d is the IPv4 address a.b.c.d on a dual-stack socket: the same address.
Address unmap(const Address& address) {
  if (!address.v4 && starts_with_bytes(address, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff})) {
    return ipv4_from(address, 12);
  }
  return address;
}

// The IPv4 address that a translating or tunnelling IPv6 address reaches: IPv4-compatible
// (::a.b.c.d, but not :: or ::1), NAT64 well-known prefix (64:ff9b::/96) and 6to4
// (2002:aabb:ccdd::/48).
std::optional<Address> embedded_ipv4(const Address& address) {
  if (address.v4) return std::nullopt;
  if (starts_with_bytes(address, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})) {
    bool unspecified_or_loopback = address.bytes[12] == 0 && address.bytes[13] == 0 &&
                                   address.bytes[14] == 0 && address.bytes[15] <= 1;
    if (unspecified_or_loopback) return std::nullopt;
    return ipv4_from(address, 12);
  }
  if (starts_with_bytes(address, {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0})) {
    return ipv4_from(address, 12);
  }
  if (starts_with_bytes(address, {0x20, 0x02})) return ipv4_from(address, 2);
  return std::nullopt;
}

bool contains(const Cidr& range, const Address& address) {
  if (range.v4 != address.v4) return false;
  int whole_bytes = range.prefix_bits / 8;
  for (int i = 0; i < whole_bytes; ++i) {
    if (range.bytes[i] != address.bytes[i]) return false;
  }
  int rest = range.prefix_bits % 8;
  if (rest == 0) return true;
  auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
  return (range.bytes[whole_bytes] & mask) == (address.bytes[whole_bytes] & mask);
}

struct RefusedRange {
  Cidr range;
  const char* description;  // completes "<address> is ..."
};

std::vector<RefusedRange> build_ranges(
    std::initializer_list<std::pair<const char*, const char*>> entries) {
  std::vector<RefusedRange> ranges;
  for (const auto& [text, description] : entries) {
    auto range = parse_cidr(text);
    assert(range.has_value());
    ranges.push_back(RefusedRange{*range, description});
  }
  return ranges;
}

// The first matching entry names the reason, so specific entries come before the ranges
// that contain them.
const std::vector<RefusedRange>& refused_ipv4() {
  static const std::vector<RefusedRange> ranges = build_ranges({
      {"169.254.169.254/32", "a cloud metadata address (link-local)"},
      {"100.100.100.200/32", "a cloud metadata address (shared address space)"},
      {"192.0.0.192/32", "a cloud metadata address (IETF protocol assignments)"},
      {"0.0.0.0/8", "an unspecified (\"this network\") address"},
      {"10.0.0.0/8", "a private (RFC 1918) address"},
      {"100.64.0.0/10", "a shared (carrier-grade NAT) address"},
      {"127.0.0.0/8", "a loopback address"},
      {"169.254.0.0/16", "a link-local address"},
      {"172.16.0.0/12", "a private (RFC 1918) address"},
      {"192.0.0.0/24", "an IETF protocol assignment address"},
      {"192.168.0.0/16", "a private (RFC 1918) address"},
      {"198.18.0.0/15", "a benchmarking address"},
      {"224.0.0.0/4", "a multicast address"},
      {"255.255.255.255/32", "the broadcast address"},
      {"240.0.0.0/4", "a reserved address"},
  });
  return ranges;
}

const std::vector<RefusedRange>& refused_ipv6() {
  static const std::vector<RefusedRange> ranges = build_ranges({
      {"::/128", "an unspecified address"},
      {"::1/128", "a loopback address"},
      {"fd00:ec2::254/128", "a cloud metadata address (unique-local)"},
      {"64:ff9b:1::/48", "a local-use NAT64 address"},
      {"100::/64", "a discard-only address"},
      {"2001::/32", "a Teredo tunnel address"},
      {"2001:2::/48", "a benchmarking address"},
      {"fc00::/7", "a unique-local (private) address"},
      {"fe80::/10", "a link-local address"},
      {"fec0::/10", "a site-local address"},
      {"ff00::/8", "a multicast address"},
  });
  return ranges;
}

const char* refused_description(const Address& address) {
  for (const RefusedRange& entry : address.v4 ? refused_ipv4() : refused_ipv6()) {
    if (contains(entry.range, address)) return entry.description;
  }
  return nullptr;
}

}  // namespace

std::string Cidr::to_string() const {
  Address network;
  network.bytes = bytes;
  network.v4 = v4;
  return address_text(network) + "/" + std::to_string(prefix_bits);
}

core::Result<Cidr> parse_cidr(std::string_view text) {
  std::string_view address_part = text;
  std::optional<int> prefix;
  if (std::size_t slash = text.find('/'); slash != std::string_view::npos) {
    address_part = text.substr(0, slash);
    std::string_view digits = text.substr(slash + 1);
    int value = -1;
    auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (digits.empty() || error != std::errc() || end != digits.data() + digits.size()) {
      return core::Error::invalid(quoted(text) + " has no prefix length after '/'");
    }
    prefix = value;
  }
  auto address = parse_address(address_part);
  if (!address) {
    return core::Error::invalid(quoted(address_part) + " is not an IP address");
  }
  int max_bits = address->v4 ? 32 : 128;
  int prefix_bits = prefix.value_or(max_bits);
  if (prefix_bits < 0 || prefix_bits > max_bits) {
    return core::Error::invalid(quoted(text) + " has a prefix length outside 0 to " +
                                std::to_string(max_bits));
  }
  Cidr range{address->bytes, prefix_bits, address->v4};
  // An IPv4-mapped range (::ffff:10.0.0.0/104) is the IPv4 range: the policy judges mapped
  // addresses as IPv4.
  if (!address->v4 && prefix_bits >= 96 &&
      starts_with_bytes(*address, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff})) {
    range = Cidr{ipv4_from(*address, 12).bytes, prefix_bits - 96, true};
  }
  // Bits beyond the prefix must be zero: "10.0.0.1/8" is more likely a typo than a range.
  Cidr host{address->bytes, max_bits, address->v4};
  for (int bit = prefix_bits; bit < max_bits; ++bit) {
    if ((host.bytes[bit / 8] >> (7 - bit % 8)) & 1) {
      return core::Error::invalid(quoted(text) + " has address bits set beyond the prefix length");
    }
  }
  return range;
}

AddressPolicy AddressPolicy::allow_all() { return AddressPolicy(false, {}); }

AddressPolicy AddressPolicy::public_only(std::vector<Cidr> allowlist) {
  return AddressPolicy(true, std::move(allowlist));
}

std::optional<std::string> AddressPolicy::refusal(std::string_view ip) const {
  std::string_view without_zone = ip;
  if (std::size_t percent = ip.find('%');
      percent != std::string_view::npos && ip.find(':') != std::string_view::npos) {
    without_zone = ip.substr(0, percent);
  }
  auto parsed = parse_address(without_zone);
  if (!parsed) return quoted(ip) + " is not an IP address";
  if (!public_only_) return std::nullopt;

  Address address = unmap(*parsed);
  std::optional<Address> inner = embedded_ipv4(address);
  for (const Cidr& range : allowlist_) {
    if (contains(range, address) || (inner && contains(range, *inner))) return std::nullopt;
  }
  if (inner) {
    if (const char* description = refused_description(*inner)) {
      return std::string(ip) + " is " + description + " (it reaches " + address_text(*inner) + ")";
    }
  }
  if (const char* description = refused_description(address)) {
    return std::string(ip) + " is " + description;
  }
  return std::nullopt;
}

}  // namespace aic::http
