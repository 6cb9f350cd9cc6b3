// The sentiment lexicon of financial English, compiled in (lexicon.cpp): what each word or
// phrase means to the scorer. Written by the team for this scorer; see
// docs/finance/methods.md ("Sentiment") for how the scorer combines the entries.
//
// An entry can play several parts at once: "growth" is a weak positive word, a direction
// (up) and a good thing whose slowdown is bad. Lookups are thread-safe; the tables are built
// on first use and never change.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace aic::finance::sentiment {

// What a word does besides carrying polarity, as bit flags.
enum Role : std::uint32_t {
  kNegator = 1u << 0,           // "not", "no", "without", "failed to": flips what follows
  kIntensifier = 1u << 1,       // "sharply", "significantly": scales a nearby term up
  kDiminisher = 1u << 2,        // "slightly", "marginally": scales it down
  kHedge = 1u << 3,             // "may", "could": weakens what follows
  kConcession = 1u << 4,        // "despite", "although": what follows counts less
  kContrast = 1u << 5,          // "but", "while": a clause boundary
  kComparisonMarker = 1u << 6,  // "from", "compared to", "against", "(": a prior value follows
  kFiller = 1u << 7,            // "up to", "about", "more than": skipped when looking ahead
  kStop = 1u << 8,              // prepositions, conjunctions, auxiliaries: end a look-ahead
  kReceiptVerb = 1u << 9,       // "won", "awarded", "received": with a deal noun, a deal won
  kSigningVerb = 1u << 10,      // "signed": a deal won when the deal noun follows it
  kDealNoun = 1u << 11,         // "contract", "order", "agreement"
  kTransition = 1u << 12,       // "swung", "turned", "returned": "… to a profit / loss"
  kCloseVerb = 1u << 13,        // "close", "shut down": with a facility, a closure
  kOpenVerb = 1u << 14,         // "open", "inaugurate": with a facility, an expansion
  kFacility = 1u << 15,         // "plant", "mill", "store"
  kCopula = 1u << 16,           // "was", "were", "remained": lets "up"/"down" be adverbs
  kNounLink = 1u << 17,         // "in", "of": "increase in sales"
  kOrderedVerb = 1u << 18,      // "ordered … from": a customer's order
  kNotObject = 1u << 19,        // "of", "new", "own": "number of shares" is not the share price
  kClauseStart = 1u << 20,      // "which", "because": ends a look back for a direction's object
  kReachesPast = 1u << 21,      // "add": looks past "to" for its object ("add EUR 5 mn to sales")
  kAchieveVerb = 1u << 22,      // "met", "reached": with a target, good news
  kTarget = 1u << 23,           // "target", "goal"
};

// How a direction word finds the thing it moves.
enum class Style : std::uint8_t {
  kNone,
  kForward,    // verbs, adjectives and nouns: the object after it ("cut costs", "higher sales"),
               // else the one before it ("sales rose")
  kAdjective,  // "higher", "strong": the object after it ("higher costs"), or before it only
               // through a copula ("costs were higher")
  kAdverb,     // "up", "down": only next to a number, "from", "by" or after "was"; looks back
};

struct Entry {
  double polarity = 0;        // weight as a word on its own, in [-1, 1]
  std::int8_t object = 0;     // +1: a good thing (sales, profit); -1: a bad thing (costs, loss)
  double object_weight = 0;   // how much its movement counts (profit 1.2, sales 1.0, …)
  std::int8_t state = 0;      // +1 "profit", -1 "loss": the states of "swung to a …"
  std::int8_t direction = 0;  // +1 up ("rose"), -1 down ("fell")
  Style style = Style::kNone;
  bool evaluative = false;  // a direction that is good or bad whatever it moves ("improved")
  double scale = 1;         // intensifiers and diminishers: the factor
  std::uint32_t roles = 0;  // Role flags
};

// One word or phrase of the lexicon with its canonical text ("profit warning").
struct LexiconItem {
  std::string_view text;
  std::span<const std::string_view> words;  // the phrase's words; one for a single word
  Entry entry;
};

// The entry of a single word, nullptr when the word is not in the lexicon.
const LexiconItem* find_word(std::string_view word);

// The phrases whose first word is `word`, longest first; empty when there are none.
std::span<const LexiconItem* const> phrases_starting_with(std::string_view word);

// The number of distinct words and phrases, for tests and documentation.
std::size_t lexicon_size();

}  // namespace aic::finance::sentiment
