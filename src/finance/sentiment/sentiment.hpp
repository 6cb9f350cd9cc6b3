// Sentiment of financial English — company news, press releases, headlines — scored offline
// by our own lexicon and rules (lexicon.hpp; the method is in docs/finance/methods.md,
// "Sentiment"). No model, no I/O, no network.
//
// The heart of it is direction × object: "rose", "narrowed", "cut" applied to a good thing
// (sales, profit, orders) or a bad thing (costs, losses, debt), so "loss narrowed" and
// "sales rose" are positive, "costs rose" and "profit fell" negative; figures compared with
// an earlier one ("EUR 9.0 mn, up from EUR 7.4 mn", "EUR 5 mn (EUR 3 mn)") count the same way.
// Then changes of state ("swung to a loss"), deals won, polar words, and negation,
// intensifiers, hedges and concessions around them. Text is neutral unless the evidence adds
// up to at least kPolarThreshold either way: most company news is plain fact.
//
// Thread-safe: score() keeps its working buffers per thread and allocates only for the
// evidence it returns.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/json_writer.hpp"

namespace aic::finance::sentiment {

enum class Label { kPositive, kNegative, kNeutral };

// "positive", "negative", "neutral".
std::string_view to_string(Label label);

// How a piece of evidence was found.
enum class Rule {
  kLexicon,          // a word or phrase that is good or bad news on its own ("profit warning")
  kDirectionObject,  // a direction applied to a good or bad thing ("costs rose")
  kComparison,       // a figure against an earlier one ("EUR 5 mn, compared to EUR 3 mn")
  kStateChange,      // "swung to a loss", "returned to profit"
  kEvent,            // a deal won, a facility opened or closed ("won an order")
};

// "lexicon", "direction_object", "comparison", "state_change", "event".
std::string_view to_string(Rule rule);

struct Evidence {
  // The lexicon's words that matched, in text order, e.g. "operating profit rose",
  // "cut … jobs" (an ellipsis where other words lie between).
  std::string terms;
  Rule rule = Rule::kLexicon;
  double weight = 0;        // signed weight of the rule before modifiers
  double contribution = 0;  // what it added to the sum, after the modifiers below
  std::string negated_by;   // the negation in whose scope it is ("not", "failed to"), or empty
  // The intensifiers, diminishers, hedges and concessions that scaled it, comma-separated
  // ("sharply", "despite"), or empty.
  std::string scaled_by;
};

struct SentimentResult {
  Label label = Label::kNeutral;
  // tanh of the evidence's sum: in (-1, 1), 0 without evidence. The label is positive when
  // the sum is ≥ kPolarThreshold, negative when it is ≤ −kPolarThreshold.
  double score = 0;
  double sum = 0;                  // the contributions added up
  std::vector<Evidence> evidence;  // in text order
};

// The evidence a text needs, either way, to leave neutral: one weak word (0.2–0.4) is not
// enough, one clear statement ("sales rose", 1.0) is.
inline constexpr double kPolarThreshold = 0.5;

// Scores one text (a sentence, a headline, or a headline and body). Any bytes are accepted;
// text that is not UTF-8 is read byte by byte. Never fails.
SentimentResult score(std::string_view text);

// {"label":"positive","score":0.83,"sum":1.2,"evidence":[{"terms":"operating profit rose",
//  "rule":"direction_object","weight":1.2,"contribution":1.2,"negated_by":null,
//  "scaled_by":null}]}
void write_json(core::JsonWriter& json, const SentimentResult& result);
std::string to_json(const SentimentResult& result);

}  // namespace aic::finance::sentiment
