// libFuzzer target for the text webhooks take from outside: what a tenant configures (the
// endpoint URL as our validator and the outbound client each read it, event-type filters,
// custom headers, allowlist ranges in the configuration) and what a receiver answers
// (Retry-After), plus the address policy's reading of resolved addresses and secret decoding.
// The first byte picks the reader; the rest is its input.
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "events/catalogue.hpp"
#include "http/client/address_policy.hpp"
#include "http/client/http_client.hpp"
#include "webhooks/delivery_policy.hpp"
#include "webhooks/signature.hpp"
#include "webhooks/webhook_store.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 7) {
    case 0: {
      // Both readers of an endpoint URL must agree on what is a usable http(s) URL enough
      // not to crash; the client's reader also decides host, port and target.
      (void)aic::webhooks::validate_url(text);
      auto url = aic::http::parse_url(text);
      if (url && url->target.empty()) __builtin_trap();  // "/" at least
      break;
    }
    case 1:
      (void)aic::events::valid_type_filter(text);
      (void)aic::events::type_matches("api_key.created", text);
      break;
    case 2: {
      // "Name: value" pairs, one per line.
      std::vector<aic::webhooks::Header> headers;
      std::string_view rest = text;
      while (!rest.empty() && headers.size() < 30) {
        auto line_end = std::min(rest.find('\n'), rest.size());
        std::string_view line = rest.substr(0, line_end);
        auto colon = line.find(':');
        headers.emplace_back(
            std::string(line.substr(0, colon)),
            colon == std::string_view::npos ? "" : std::string(line.substr(colon + 1)));
        rest.remove_prefix(std::min(line_end + 1, rest.size()));
      }
      (void)aic::webhooks::validate_headers(headers);
      break;
    }
    case 3:
      if (auto cidr = aic::http::parse_cidr(text)) (void)cidr->to_string();
      break;
    case 4: {
      static const auto policy = aic::http::AddressPolicy::public_only();
      (void)policy.refusal(text);
      break;
    }
    case 5:
      (void)aic::webhooks::parse_retry_after(text, std::chrono::system_clock::now());
      break;
    case 6:
      (void)aic::webhooks::secret_key(text);
      (void)aic::webhooks::base64_decode(text);
      break;
  }
  return 0;
}
