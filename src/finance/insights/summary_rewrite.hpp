// The insights narrative rewritten by a language model through the AI gateway: the request
// to send and the check of its answer. Pure functions; the caller runs the request
// (ai::ChatRunner) and falls back to the deterministic narrative when the check fails.
//
// The model gets the narrative's sentences as facts and is told to keep every number as
// written. The check holds it to that: a rewrite with a number that is not in the facts (a
// rounded figure, an invented one) is refused, because a finance team must be able to trust
// every figure it reads, and a fluent wrong number is worse than a stiff right one.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ai/chat.hpp"
#include "core/result.hpp"

namespace aic::finance {

// The chat request asking `model` (a model, alias or route; "auto" picks by the tenant's
// evaluation scores for the task "narrative") to rewrite `facts`, the narrative's sentences
// about `entity_name`, as one paragraph of plain English.
ai::ChatRequest summary_rewrite_request(std::string_view entity_name,
                                        const std::vector<std::string>& facts, std::string model);

// The longest rewrite accepted.
inline constexpr std::size_t kMaxRewriteBytes = 4000;

// The rewrite to show: `answer` trimmed. kUnavailable saying why when it is empty, longer
// than kMaxRewriteBytes, or holds a number that none of `facts` (nor the entity's name)
// holds; numbers compare by their digits, ignoring sign and thousands separators.
core::Result<std::string> check_summary_rewrite(std::string_view answer,
                                                std::string_view entity_name,
                                                const std::vector<std::string>& facts);

}  // namespace aic::finance
