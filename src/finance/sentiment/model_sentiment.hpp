// Sentiment of financial English classified by a language model through the AI gateway,
// beside the lexicon scorer (sentiment.hpp): the request to send and the reading of its
// answer. Pure functions; the caller runs the request (ai::ChatRunner).
//
// All texts of one call go in one request as a JSON array, each with its index, and the
// answer must be JSON of a fixed schema with one verdict per index (structured output, which
// every provider the gateway speaks can express). An answer that is not — a missing or
// repeated index, an unknown label — is refused as a whole rather than guessed at.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ai/chat.hpp"
#include "core/result.hpp"
#include "finance/sentiment/sentiment.hpp"

namespace aic::finance::sentiment {

// What the model said about one text.
struct ModelVerdict {
  Label label = Label::kNeutral;
  double score = 0;                   // −1 (very negative) to 1 (very positive), clamped
  std::vector<std::string> evidence;  // phrases of the text that decided it, at most 5
};

// The chat request that classifies `texts` with `model` (a model, alias or route; "auto"
// picks by the tenant's evaluation scores for the task "sentiment").
ai::ChatRequest model_sentiment_request(const std::vector<std::string>& texts, std::string model);

// Reads the model's answer to model_sentiment_request for `count` texts: one verdict per
// text, in request order. kUnavailable saying what was wrong when the answer is not the
// requested JSON.
core::Result<std::vector<ModelVerdict>> read_model_sentiment(std::string_view answer,
                                                             std::size_t count);

}  // namespace aic::finance::sentiment
