// libFuzzer target for the AI gateway's translators, on any bytes. The first byte chooses
// what the rest is: a client's request (OpenAI or Anthropic), a provider's answer, a
// provider's error body or a provider's event stream (split into two pieces at the second
// byte). Parsing either fails with an error or succeeds; whatever succeeds is translated on
// (to every provider's request, to every client format), and everything the gateway writes
// must be valid JSON.
#include <boost/json/parse.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "ai/formats/anthropic_format.hpp"
#include "ai/formats/openai_format.hpp"
#include "ai/providers/provider.hpp"

namespace {

using namespace aic::ai;

void check(bool condition) {
  if (!condition) __builtin_trap();
}

void check_json(std::string_view json) {
  boost::system::error_code error;
  (void)boost::json::parse(json, error);
  check(!error);
}

// Every `data:` payload of an event stream the gateway wrote is JSON (or [DONE]).
void check_stream(const std::string& text) {
  std::size_t at = 0;
  while ((at = text.find("data: ", at)) != std::string::npos) {
    std::size_t end = text.find("\n\n", at);
    check(end != std::string::npos);
    std::string_view payload(text.data() + at + 6, end - at - 6);
    if (payload != "[DONE]") check_json(payload);
    at = end;
  }
}

constexpr ProviderKind kKinds[] = {ProviderKind::kOpenAi, ProviderKind::kAzureOpenAi,
                                   ProviderKind::kAnthropic, ProviderKind::kGemini};

void translate(const ChatRequest& request) {
  for (ProviderKind kind : kKinds) {
    ProviderEndpoint endpoint{"fuzz", kind, "http://127.0.0.1:1/v1", "key", "", {}};
    auto outbound = provider_adapter(kind).chat_request(request, "model-1", endpoint);
    if (outbound) check_json(outbound.value().body);
  }
}

void write_answer(const ChatResponse& response) {
  check_json(write_chat_response(response));
  check_json(write_messages_response(response));
}

void decode_stream(ProviderKind kind, std::string_view bytes, std::size_t split) {
  auto decoder = provider_adapter(kind).chat_stream();
  auto openai = chat_stream_writer(true, 0);
  auto anthropic = messages_stream_writer();
  std::vector<StreamEvent> events;
  std::string out_openai;
  std::string out_anthropic;
  auto fed = decoder->feed(bytes.substr(0, split), events);
  if (fed) fed = decoder->feed(bytes.substr(split), events);
  if (fed) fed = decoder->finish(events);
  for (const auto& event : events) {
    openai->event(event, out_openai);
    anthropic->event(event, out_anthropic);
  }
  if (fed) {
    openai->end(out_openai);
    anthropic->end(out_anthropic);
  } else {
    UpstreamError error{502, "api_error", fed.error().message, "", "", false};
    openai->error(error, out_openai);
    anthropic->error(error, out_anthropic);
  }
  check_stream(out_openai);
  check_stream(out_anthropic);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::uint8_t selector = data[0];
  const std::size_t split = data[1];
  std::string_view input(reinterpret_cast<const char*>(data) + 2, size - 2);
  ProviderKind kind = kKinds[(selector / 8) % 4];
  switch (selector % 8) {
    case 0: {
      auto request = parse_chat_request(input);
      if (request) translate(request.value());
      break;
    }
    case 1: {
      auto request = parse_messages_request(input);
      if (request) translate(request.value());
      break;
    }
    case 2: {
      auto response = provider_adapter(kind).chat_response(input);
      if (response) write_answer(response.value());
      break;
    }
    case 3: {
      UpstreamError error = provider_adapter(kind).error(400 + split, input);
      check_json(write_openai_error(error.message, error.type, error.param, error.code));
      check_json(write_messages_error(error.status, error.message));
      break;
    }
    case 4:
      decode_stream(kind, input, std::min(split, input.size()));
      break;
    case 5: {
      auto request = parse_embedding_request(input);
      if (request) {
        for (ProviderKind target : kKinds) {
          ProviderEndpoint endpoint{"fuzz", target, "http://127.0.0.1:1/v1", "key", "", {}};
          auto outbound =
              provider_adapter(target).embedding_request(request.value(), "m", endpoint);
          if (outbound) check_json(outbound.value().body);
        }
      }
      break;
    }
    case 6: {
      auto response = provider_adapter(kind).embedding_response(input);
      if (response) {
        check_json(write_embedding_response(response.value(), false));
        check_json(write_embedding_response(response.value(), true));
      }
      break;
    }
    default:
      break;
  }
  return 0;
}
