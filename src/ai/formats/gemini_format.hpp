// Google Gemini generateContent / streamGenerateContent / batchEmbedContents as a provider.
#pragma once

#include "ai/providers/provider.hpp"

namespace aic::ai {

const ProviderAdapter& gemini_adapter();

}  // namespace aic::ai
