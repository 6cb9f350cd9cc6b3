#include "ai/providers/provider.hpp"

#include "ai/formats/anthropic_format.hpp"
#include "ai/formats/gemini_format.hpp"
#include "ai/formats/openai_format.hpp"

namespace aic::ai {

std::string_view to_string(ProviderKind kind) {
  switch (kind) {
    case ProviderKind::kOpenAi:
      return "openai";
    case ProviderKind::kAzureOpenAi:
      return "azure-openai";
    case ProviderKind::kAnthropic:
      return "anthropic";
    case ProviderKind::kGemini:
      return "gemini";
  }
  return "openai";
}

const ProviderAdapter& provider_adapter(ProviderKind kind) {
  switch (kind) {
    case ProviderKind::kOpenAi:
      return openai_adapter();
    case ProviderKind::kAzureOpenAi:
      return azure_openai_adapter();
    case ProviderKind::kAnthropic:
      return anthropic_adapter();
    case ProviderKind::kGemini:
      return gemini_adapter();
  }
  return openai_adapter();
}

}  // namespace aic::ai
