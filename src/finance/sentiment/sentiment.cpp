#include "finance/sentiment/sentiment.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>

#include "finance/sentiment/lexicon.hpp"
#include "finance/sentiment/tokenizer.hpp"

namespace aic::finance::sentiment {

namespace {

// Weights of the rules and modifiers; docs/finance/methods.md explains each.
constexpr double kNegationFactor = -0.8;   // "did not rise": reversed, and a little weaker
constexpr double kHedgeFactor = 0.7;       // applied once, however many hedges
constexpr double kConcessionFactor = 0.4;  // "despite higher sales"
constexpr double kStateWeight = 1.2;       // "swung to a loss"
constexpr double kDealWonWeight = 0.8;     // "won an order"
constexpr double kDealSignedWeight = 0.7;  // "signed an agreement"
constexpr double kOrderedWeight = 0.7;     // "ordered … from <the company>"
constexpr double kClosureWeight = -0.8;    // "close its plant"
constexpr double kOpeningWeight = 0.6;     // "open three new stores"
constexpr double kTargetMetWeight = 0.7;   // "met its targets"

constexpr int kForwardWindow = 5;          // units a direction looks ahead for its object
constexpr int kBackwardWindow = 8;         // … and back
constexpr int kAdverbBackwardWindow = 12;  // "profit … totalled EUR 9 mn, up from EUR 7 mn"
constexpr int kNegationScope = 5;          // units after a negation that it reverses
constexpr int kModifierReach = 2;          // units around a term where an intensifier counts
constexpr int kHedgeReach = 4;             // units before a term where a hedge counts
constexpr int kDealReach = 6;              // units between "won" and "contract"
constexpr int kFacilityReach = 4;          // units between "close" and "plant"

const Entry kNoEntry{};

struct Unit {
  std::uint32_t first = 0;  // token range
  std::uint32_t last = 0;
  TokenKind kind = TokenKind::kWord;
  const LexiconItem* item = nullptr;
  std::string_view text;  // the lexicon's text, or the token's
  double value = 0;
  bool percent = false;
  bool year = false;
};

struct Frame {
  Rule rule = Rule::kLexicon;
  double weight = 0;
  std::array<int, 3> anchors{};  // units; anchors[0] is where modifiers are looked for
  int anchor_count = 0;
  std::string terms;
};

// Working buffers, one set per thread, reused from call to call.
struct Scratch {
  TokenizedText tokenized;
  std::vector<Unit> units;
  std::vector<std::uint8_t> consumed;
  std::vector<int> negated_by;   // the negation whose scope a unit is in, or -1
  std::vector<int> conceded_by;  // the concession whose scope a unit is in, or -1
  std::vector<Frame> frames;
};

class Scorer {
 public:
  explicit Scorer(Scratch& scratch) : s_(scratch), units_(scratch.units), frames_(scratch.frames) {
    frames_.clear();
  }

  SentimentResult run(std::string_view text) {
    tokenize(text, s_.tokenized);
    build_units();
    const std::size_t count = units_.size();
    s_.consumed.assign(count, 0);
    s_.negated_by.assign(count, -1);
    s_.conceded_by.assign(count, -1);
    mark_scopes();
    for (int i = 0; i < size(); ++i) state_change_at(i);
    for (int i = 0; i < size(); ++i) direction_at(i);
    for (int i = 0; i < size(); ++i) comparison_at(i);
    for (int i = 0; i < size(); ++i) event_at(i);
    for (int i = 0; i < size(); ++i) lexicon_at(i);
    std::stable_sort(frames_.begin(), frames_.end(),
                     [](const Frame& a, const Frame& b) { return first(a) < first(b); });
    SentimentResult result;
    result.evidence.reserve(frames_.size());
    for (Frame& frame : frames_) result.evidence.push_back(evaluate(frame));
    for (const Evidence& evidence : result.evidence) result.sum += evidence.contribution;
    result.score = std::tanh(result.sum);
    if (result.sum >= kPolarThreshold) {
      result.label = Label::kPositive;
    } else if (result.sum <= -kPolarThreshold) {
      result.label = Label::kNegative;
    }
    return result;
  }

 private:
  static int first(const Frame& frame) {
    return *std::min_element(frame.anchors.begin(), frame.anchors.begin() + frame.anchor_count);
  }

  int size() const { return static_cast<int>(units_.size()); }
  const Entry& entry(int i) const {
    return units_[i].item != nullptr ? units_[i].item->entry : kNoEntry;
  }
  bool has(int i, std::uint32_t role) const { return (entry(i).roles & role) != 0; }
  bool is_punct(int i) const { return units_[i].kind == TokenKind::kPunct; }
  bool is_punct(int i, char mark) const { return is_punct(i) && units_[i].text[0] == mark; }
  bool is_hard_boundary(int i) const {
    if (!is_punct(i)) return false;
    const char mark = units_[i].text[0];
    return mark == '.' || mark == ';' || mark == '!' || mark == '?' || mark == ':';
  }
  bool is_amount(int i) const { return units_[i].kind == TokenKind::kNumber && !units_[i].year; }
  bool is_word(int i, std::string_view word) const {
    return units_[i].kind == TokenKind::kWord && units_[i].text == word;
  }

  // A good or bad thing. "shares" after "of", "new" or a number is a count of shares.
  bool is_object(int i) const {
    if (entry(i).object == 0) return false;
    if (i > 0 && (units_[i].text == "shares" || units_[i].text == "stock")) {
      if (units_[i - 1].kind == TokenKind::kNumber || has(i - 1, kNotObject)) return false;
    }
    return true;
  }

  // Tokens to units: the longest lexicon phrase at each word, else the word itself.
  void build_units() {
    const std::vector<Token>& tokens = s_.tokenized.tokens;
    units_.clear();
    std::size_t at = 0;
    while (at < tokens.size()) {
      const Token& token = tokens[at];
      Unit unit;
      unit.first = unit.last = static_cast<std::uint32_t>(at);
      unit.kind = token.kind;
      unit.text = token.text;
      if (token.kind == TokenKind::kNumber) {
        unit.value = token.value;
        unit.percent = token.percent;
        unit.year = token.year;
      } else if (token.kind == TokenKind::kWord) {
        const LexiconItem* phrase = longest_phrase(at);
        if (phrase != nullptr) {
          unit.item = phrase;
          unit.last = static_cast<std::uint32_t>(at + phrase->words.size() - 1);
        } else {
          unit.item = find_word(token.text);
          // "third-quarter", "Vaasa-based": an unknown compound reads as its last part.
          const std::size_t hyphen = token.text.rfind('-');
          if (unit.item == nullptr && hyphen != std::string_view::npos &&
              hyphen + 1 < token.text.size()) {
            unit.item = find_word(token.text.substr(hyphen + 1));
          }
        }
        if (unit.item != nullptr) unit.text = unit.item->text;
      }
      at = unit.last + 1;
      units_.push_back(unit);
    }
  }

  const LexiconItem* longest_phrase(std::size_t at) const {
    const std::vector<Token>& tokens = s_.tokenized.tokens;
    for (const LexiconItem* phrase : phrases_starting_with(tokens[at].text)) {
      const std::size_t length = phrase->words.size();
      if (at + length > tokens.size()) continue;
      bool match = true;
      for (std::size_t k = 1; k < length && match; ++k) {
        const Token& next = tokens[at + k];
        match = next.kind == TokenKind::kWord && next.text == phrase->words[k];
      }
      if (match) return phrase;
    }
    return nullptr;
  }

  // Negation reaches a few units ahead, to "despite" or "which" at most; a concession to the
  // end of its clause. Both stop at punctuation and at "but"/"while".
  void mark_scopes() {
    for (int i = 0; i < size(); ++i) {
      const bool negator = has(i, kNegator);
      const bool concession = has(i, kConcession);
      if (!negator && !concession) continue;
      for (int k = i + 1; k < size(); ++k) {
        if ((is_punct(k) && !is_punct(k, '-')) || has(k, kContrast)) break;
        // The next concession takes over, so every unit is visited once: linear time.
        if (concession && !negator && has(k, kConcession)) break;
        if (negator) {
          // "did not win the contract despite strong demand": the negation ends at a new clause.
          if (k - i > kNegationScope || has(k, kConcession | kClauseStart)) break;
          s_.negated_by[k] = i;
        } else {
          s_.conceded_by[k] = i;
        }
      }
    }
  }

  void add(Rule rule, double weight, std::initializer_list<int> anchors) {
    Frame frame;
    frame.rule = rule;
    frame.weight = weight;
    for (int anchor : anchors) {
      frame.anchors[frame.anchor_count++] = anchor;
      s_.consumed[anchor] = 1;
    }
    // Terms in text order; an ellipsis where other words lie between.
    std::array<int, 3> order = frame.anchors;
    for (int a = 1; a < frame.anchor_count; ++a) {  // at most three: an insertion sort
      for (int b = a; b > 0 && order[b - 1] > order[b]; --b) std::swap(order[b - 1], order[b]);
    }
    for (int k = 0; k < frame.anchor_count; ++k) {
      if (k > 0) frame.terms += order[k] == order[k - 1] + 1 ? " " : " … ";
      frame.terms += units_[order[k]].text;
    }
    frames_.push_back(std::move(frame));
  }

  // "swung to a loss", "returned to profit", "slipped into the red", "swung back to profit".
  void state_change_at(int i) {
    if (s_.consumed[i] || (!has(i, kTransition) && entry(i).direction == 0)) return;
    int k = i + 1;
    if (k < size() && is_word(k, "back")) ++k;
    // Directly only a state phrase ("slipped into the red"); "weakened profitability" is a
    // direction and its object.
    if (k < size() && (entry(k).state == 0 || entry(k).object != 0)) {
      if (!is_word(k, "to") && !is_word(k, "into")) return;
      ++k;
      for (int skipped = 0; k < size() && skipped < 3 && has(k, kFiller); ++skipped) ++k;
    }
    if (k >= size() || entry(k).state == 0 || s_.consumed[k]) return;
    // "growth" is a state only after a verb of change ("returned to growth").
    if (entry(k).direction != 0 && !has(i, kTransition)) return;
    const double weight = entry(k).state * kStateWeight;
    add(Rule::kStateChange, weight, {i, k});
    consume_prior_state(k);
  }

  // The earlier state a change or comparison names ("… from a profit of EUR 2 mn", "after a
  // loss") is the past, not news of its own.
  void consume_prior_state(int from) {
    for (int k = from + 1; k < size() && k <= from + 12; ++k) {
      if (is_hard_boundary(k)) return;
      if (!is_prior_marker(k)) continue;
      for (int j = k + 1; j < size() && j <= k + 4; ++j) {
        if (entry(j).state != 0) {
          s_.consumed[j] = 1;
          return;
        }
      }
      return;
    }
  }

  // A direction other than "up"/"down", which only restate the comparison ("up from").
  bool moves(int i) const { return entry(i).direction != 0 && entry(i).style != Style::kAdverb; }

  bool is_prior_marker(int i) const {
    return has(i, kComparisonMarker) || is_punct(i, '(') || is_word(i, "after") ||
           is_word(i, "than") || is_word(i, "following");
  }

  // "up" and "down" are directions next to a figure or a comparison ("up 5 %", "down from",
  // "sales were down"), not in "set up", "down payment" or "up to".
  bool adverb_applies(int i) const {
    if (i + 1 < size()) {
      const int next = i + 1;
      if (units_[next].kind == TokenKind::kNumber) return true;
      if (has(next, kComparisonMarker | kIntensifier | kDiminisher)) return true;
      if (is_word(next, "by") || is_word(next, "on") || is_word(next, "year-on-year") ||
          is_word(next, "year-over-year") || is_word(next, "yoy")) {
        return true;
      }
    }
    if (i > 0 && (units_[i - 1].kind == TokenKind::kNumber || has(i - 1, kCopula))) return true;
    return false;
  }

  int find_object_ahead(int i) const {
    int k = i + 1;
    if (k < size() && has(k, kNounLink)) ++k;  // "increase in sales"
    const bool reaches_past = has(i, kReachesPast);
    const int window = reaches_past ? kForwardWindow + 4 : kForwardWindow;
    for (int steps = 0; k < size() && steps < window; ++k, ++steps) {
      if (is_punct(k)) return -1;
      if (reaches_past && is_word(k, "to")) continue;  // "add EUR 20 mn to sales"
      if (is_object(k)) {
        // The head of a compound: "production costs", "personnel expenses".
        while (k + 1 < size() && is_object(k + 1)) ++k;
        return k;
      }
      if (entry(k).direction != 0) return -1;
      if (has(k, kStop) && !has(k, kFiller)) return -1;
    }
    return -1;
  }

  int find_object_behind(int i) const {
    if (entry(i).style == Style::kAdjective) {
      // Only through a copula: "costs were (slightly) higher".
      int k = i - 1;
      while (k >= 0 && has(k, kIntensifier | kDiminisher | kFiller)) --k;
      if (k < 0 || !has(k, kCopula)) return -1;
    }
    const int window = entry(i).style == Style::kAdverb ? kAdverbBackwardWindow : kBackwardWindow;
    for (int k = i - 1; k >= 0 && i - k <= window; --k) {
      if (is_hard_boundary(k) || has(k, kContrast | kClauseStart)) return -1;
      if (is_object(k)) return k;
    }
    return -1;
  }

  // A direction and the good or bad thing it moves: "costs rose", "cut 180 jobs".
  void direction_at(int i) {
    const Entry& direction = entry(i);
    if (direction.direction == 0 || s_.consumed[i]) return;
    if (direction.style == Style::kAdverb && !adverb_applies(i)) return;
    // "sales growth slowed": "growth" is what "slowed" moves.
    if (direction.object != 0 && i + 1 < size() && entry(i + 1).direction != 0) return;
    int object = -1;
    if (direction.style != Style::kAdverb) object = find_object_ahead(i);
    if (object < 0) object = find_object_behind(i);
    if (object < 0 || object == i || s_.consumed[object]) return;
    const Entry& thing = entry(object);
    const double sign = direction.evaluative
                            ? direction.direction
                            : static_cast<double>(direction.direction) * thing.object;
    add(Rule::kDirectionObject, sign * thing.object_weight, {i, object});
  }

  // A figure against an earlier one: "EUR 9.0 mn, up from EUR 7.4 mn" has its direction, but
  // "EUR 5.2 mn, compared to EUR 4.1 mn", "EUR 5 mn (EUR 3 mn)" and "EUR 5 mn, compared to a
  // loss of EUR 1 mn" do not.
  void comparison_at(int i) {
    if (s_.consumed[i] || !is_object(i)) return;
    int current = -1;
    for (int k = i + 1; k < size() && k <= i + 10; ++k) {
      if (is_hard_boundary(k) || has(k, kContrast) || is_object(k) || moves(k)) return;
      if (is_amount(k)) {
        current = k;
        break;
      }
    }
    if (current < 0) return;
    int marker = -1;
    for (int k = current + 1; k < size() && k <= current + 5; ++k) {
      if (is_prior_marker(k) && !is_word(k, "after") && !is_word(k, "following")) {
        marker = k;
        break;
      }
      if (is_hard_boundary(k) || is_amount(k) || is_object(k) || moves(k)) return;
    }
    if (marker < 0) return;
    int prior = -1;
    int prior_state = -1;
    for (int k = marker + 1; k < size() && k <= marker + 6; ++k) {
      if (is_hard_boundary(k) || moves(k)) return;
      if (entry(k).state != 0) prior_state = k;
      if (is_amount(k)) {
        prior = k;
        break;
      }
    }
    if (prior < 0 || units_[prior].percent != units_[current].percent) return;
    const Entry& thing = entry(i);
    const int now_state = thing.state != 0 ? thing.state : thing.object;
    double weight = 0;
    if (prior_state >= 0 && entry(prior_state).state != now_state) {
      weight = now_state * kStateWeight;  // a profit after a loss, or a loss after a profit
    } else {
      const double change = units_[current].value - units_[prior].value;
      if (change == 0 || std::isnan(change)) return;
      weight = (change > 0 ? 1.0 : -1.0) * thing.object * thing.object_weight;
    }
    add(Rule::kComparison, weight, {i, current, prior});
    if (prior_state >= 0) s_.consumed[prior_state] = 1;
  }

  // Deals won and facilities opened or closed.
  void event_at(int i) {
    if (s_.consumed[i]) return;
    if (has(i, kReceiptVerb)) {
      // Either order: "won a contract", "the order was received".
      int noun = deal_noun_between(i + 1, std::min(size() - 1, i + kDealReach), 1);
      if (noun < 0) noun = deal_noun_between(i - 1, std::max(0, i - kDealReach), -1);
      if (noun >= 0) add(Rule::kEvent, kDealWonWeight, {i, noun});
      return;
    }
    if (has(i, kAchieveVerb)) {
      // "met its targets"; negated, "did not reach its sales target".
      for (int k = i + 1; k < size() && k <= i + 4 && !is_punct(k); ++k) {
        if (has(k, kTarget)) {
          add(Rule::kEvent, kTargetMetWeight, {i, k});
          return;
        }
      }
    }
    if (has(i, kSigningVerb)) {
      // Only "signed an agreement": "the agreement was signed by …" is a formality.
      const int noun = deal_noun_between(i + 1, std::min(size() - 1, i + kDealReach), 1);
      if (noun >= 0) add(Rule::kEvent, kDealSignedWeight, {i, noun});
      return;
    }
    if (has(i, kOrderedVerb)) {
      for (int k = i + 1; k < size() && k <= i + 10 && !is_hard_boundary(k); ++k) {
        if (is_word(k, "from")) {
          add(Rule::kEvent, kOrderedWeight, {i});
          return;
        }
      }
      return;
    }
    const bool closes = has(i, kCloseVerb);
    if (!closes && !has(i, kOpenVerb)) return;
    for (int k = i + 1; k < size() && k <= i + kFacilityReach; ++k) {
      if (is_punct(k) || (has(k, kStop) && !has(k, kNounLink | kFiller))) return;
      if (has(k, kFacility)) {
        add(Rule::kEvent, closes ? kClosureWeight : kOpeningWeight, {i, k});
        return;
      }
    }
  }

  int deal_noun_between(int from, int to, int step) const {
    for (int k = from; step > 0 ? k <= to : k >= to; k += step) {
      if (is_hard_boundary(k) || has(k, kContrast)) return -1;
      if (has(k, kDealNoun) && !s_.consumed[k]) return k;
    }
    return -1;
  }

  // Words that are good or bad news on their own.
  void lexicon_at(int i) {
    if (s_.consumed[i] || entry(i).polarity == 0) return;
    // "… compared to a loss of EUR 1 mn": the earlier state, not news.
    if (entry(i).state != 0) {
      for (int k = std::max(0, i - 3); k < i; ++k) {
        if (is_prior_marker(k)) return;
      }
    }
    add(Rule::kLexicon, entry(i).polarity, {i});
  }

  // The frame's contribution after negation, intensifiers, hedges and concessions.
  Evidence evaluate(Frame& frame) const {
    Evidence evidence;
    evidence.terms = std::move(frame.terms);
    evidence.rule = frame.rule;
    evidence.weight = frame.weight;
    double factor = 1;
    const std::span<const int> anchors(frame.anchors.data(), frame.anchor_count);
    for (int anchor : anchors) {
      const int negator = s_.negated_by[anchor];
      if (negator >= 0) {
        factor *= kNegationFactor;
        evidence.negated_by = units_[negator].text;
        break;
      }
    }
    const int head = anchors[0];
    const int scaler = nearest_scaler(head);
    if (scaler >= 0) {
      factor *= entry(scaler).scale;
      append(evidence.scaled_by, units_[scaler].text);
    }
    // A hedge before the first term or between the terms: "may rise", "sales may decline".
    const int start = *std::min_element(anchors.begin(), anchors.end());
    const int end = *std::max_element(anchors.begin(), anchors.end());
    for (int k = end - 1; k >= 0 && start - k <= kHedgeReach && !is_punct(k); --k) {
      if (has(k, kHedge)) {
        factor *= kHedgeFactor;
        append(evidence.scaled_by, units_[k].text);
        break;
      }
    }
    const int concession = s_.conceded_by[head];
    if (concession >= 0) {
      factor *= kConcessionFactor;
      append(evidence.scaled_by, units_[concession].text);
    }
    evidence.contribution = frame.weight * factor;
    return evidence;
  }

  // The closest intensifier or diminisher within reach of `at`, not across punctuation.
  int nearest_scaler(int at) const {
    for (int distance = 1; distance <= kModifierReach; ++distance) {
      for (int k : {at + distance, at - distance}) {
        if (k < 0 || k >= size()) continue;
        bool blocked = false;
        for (int j = std::min(k, at) + 1; j < std::max(k, at); ++j) blocked |= is_punct(j);
        if (!blocked && has(k, kIntensifier | kDiminisher)) return k;
      }
    }
    return -1;
  }

  static void append(std::string& list, std::string_view item) {
    if (!list.empty()) list += ", ";
    list += item;
  }

  Scratch& s_;
  std::vector<Unit>& units_;
  std::vector<Frame>& frames_;
};

void text_or_null(core::JsonWriter& json, std::string_view name, const std::string& text) {
  json.key(name);
  if (text.empty()) {
    json.null();
  } else {
    json.value(text);
  }
}

}  // namespace

std::string_view to_string(Label label) {
  switch (label) {
    case Label::kPositive:
      return "positive";
    case Label::kNegative:
      return "negative";
    case Label::kNeutral:
      return "neutral";
  }
  return "neutral";
}

std::string_view to_string(Rule rule) {
  switch (rule) {
    case Rule::kLexicon:
      return "lexicon";
    case Rule::kDirectionObject:
      return "direction_object";
    case Rule::kComparison:
      return "comparison";
    case Rule::kStateChange:
      return "state_change";
    case Rule::kEvent:
      return "event";
  }
  return "lexicon";
}

SentimentResult score(std::string_view text) {
  thread_local Scratch scratch;
  return Scorer(scratch).run(text);
}

void write_json(core::JsonWriter& json, const SentimentResult& result) {
  json.begin_object();
  json.member("label", to_string(result.label));
  json.number_member("score", result.score, 4);
  json.number_member("sum", result.sum, 4);
  json.key("evidence");
  json.begin_array();
  for (const Evidence& evidence : result.evidence) {
    json.begin_object();
    json.member("terms", evidence.terms);
    json.member("rule", to_string(evidence.rule));
    json.number_member("weight", evidence.weight, 4);
    json.number_member("contribution", evidence.contribution, 4);
    text_or_null(json, "negated_by", evidence.negated_by);
    text_or_null(json, "scaled_by", evidence.scaled_by);
    json.end_object();
  }
  json.end_array();
  json.end_object();
}

std::string to_json(const SentimentResult& result) {
  std::string out;
  core::JsonWriter json(out);
  write_json(json, result);
  return out;
}

}  // namespace aic::finance::sentiment
