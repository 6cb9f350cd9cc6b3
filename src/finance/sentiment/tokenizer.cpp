#include "finance/sentiment/tokenizer.hpp"

#include <algorithm>
#include <array>
#include <limits>

namespace aic::finance::sentiment {

namespace {

constexpr std::string_view kNot = "not";
constexpr std::string_view kEur = "eur";
constexpr std::string_view kUsd = "usd";
constexpr std::string_view kGbp = "gbp";
constexpr std::string_view kJpy = "jpy";
constexpr std::string_view kDashMark = "-";

bool is_alpha(unsigned char byte) {
  return (byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z');
}
bool is_digit(unsigned char byte) { return byte >= '0' && byte <= '9'; }

// UTF-8 sequences that are not part of a word: what they become, and their length.
enum class Special : std::uint8_t { kNone, kCurrency, kApostrophe, kDash, kMinus, kSpace, kQuote };
struct SpecialMatch {
  Special kind = Special::kNone;
  std::size_t length = 0;
  std::string_view word;  // the currency word
};

SpecialMatch special_at(std::string_view text, std::size_t at) {
  const auto byte = [&](std::size_t i) {
    return at + i < text.size() ? static_cast<unsigned char>(text[at + i]) : 0;
  };
  if (byte(0) == 0xC2) {
    if (byte(1) == 0xA3) return {Special::kCurrency, 2, kGbp};  // £
    if (byte(1) == 0xA5) return {Special::kCurrency, 2, kJpy};  // ¥
    if (byte(1) == 0xA0) return {Special::kSpace, 2, {}};       // no-break space
    return {};
  }
  if (byte(0) != 0xE2) return {};
  if (byte(1) == 0x82 && byte(2) == 0xAC) return {Special::kCurrency, 3, kEur};  // €
  if (byte(1) == 0x88 && byte(2) == 0x92) return {Special::kMinus, 3, {}};       // −
  if (byte(1) != 0x80) return {};
  switch (byte(2)) {
    case 0x98:  // ‘
    case 0x99:  // ’
      return {Special::kApostrophe, 3, {}};
    case 0x93:  // –
    case 0x94:  // —
      return {Special::kDash, 3, {}};
    case 0x9C:  // “
    case 0x9D:  // ”
      return {Special::kQuote, 3, {}};
    case 0xAF:  // narrow no-break space
      return {Special::kSpace, 3, {}};
    default:
      return {};
  }
}

bool is_word_byte(std::string_view text, std::size_t at) {
  const auto byte = static_cast<unsigned char>(text[at]);
  if (is_alpha(byte) || is_digit(byte)) return true;
  return byte >= 0x80 && special_at(text, at).kind == Special::kNone;
}

// Length of the apostrophe at `at` (ASCII or typographic), 0 when there is none.
std::size_t apostrophe_at(std::string_view text, std::size_t at) {
  if (at >= text.size()) return 0;
  if (text[at] == '\'') return 1;
  const SpecialMatch special = special_at(text, at);
  return special.kind == Special::kApostrophe ? special.length : 0;
}

double scale_of(std::string_view word) {
  static constexpr std::array<std::pair<std::string_view, double>, 14> kScales{{
      {"m", 1e6},
      {"mn", 1e6},
      {"mln", 1e6},
      {"mio", 1e6},
      {"million", 1e6},
      {"millions", 1e6},
      {"bn", 1e9},
      {"b", 1e9},
      {"billion", 1e9},
      {"billions", 1e9},
      {"k", 1e3},
      {"thousand", 1e3},
      {"tn", 1e12},
      {"trillion", 1e12},
  }};
  for (const auto& [name, scale] : kScales) {
    if (name == word) return scale;
  }
  return 0;
}

class Tokenizer {
 public:
  Tokenizer(std::string_view text, TokenizedText& out) : text_(text), out_(out) {}

  void run() {
    std::size_t at = 0;
    while (at < text_.size()) at = step(at);
  }

 private:
  std::size_t step(std::size_t at) {
    const auto byte = static_cast<unsigned char>(text_[at]);
    if (is_digit(byte)) return number(at, at, false);
    if ((byte == '-' || byte == '+') && sign_allowed(at) && at + 1 < text_.size() &&
        is_digit(static_cast<unsigned char>(text_[at + 1]))) {
      return number(at, at + 1, byte == '-');
    }
    if (is_alpha(byte)) return word(at);
    if (byte >= 0x80) {
      const SpecialMatch special = special_at(text_, at);
      switch (special.kind) {
        case Special::kNone:
          return word(at);
        case Special::kCurrency:
          emit_word(special.word, at);
          return at + special.length;
        case Special::kMinus:
          if (at + special.length < text_.size() &&
              is_digit(static_cast<unsigned char>(text_[at + special.length])) &&
              sign_allowed(at)) {
            return number(at, at + special.length, true);
          }
          emit_punct(kDashMark, at);
          return at + special.length;
        case Special::kDash:
          emit_punct(kDashMark, at);
          return at + special.length;
        case Special::kApostrophe:
          return skip_possessive(at, special.length);
        case Special::kSpace:
        case Special::kQuote:
          return at + special.length;
      }
    }
    switch (byte) {
      case '$':
        emit_word(kUsd, at);
        return at + 1;
      case '%':
        if (!out_.tokens.empty() && out_.tokens.back().kind == TokenKind::kNumber) {
          mark_percent(out_.tokens.back());
        } else {
          emit_punct(text_.substr(at, 1), at);
        }
        return at + 1;
      case '\'':
        return skip_possessive(at, 1);
      case '.':
      case ',':
      case ';':
      case ':':
      case '(':
      case ')':
      case '!':
      case '?':
      case '-':
        emit_punct(text_.substr(at, 1), at);
        return at + 1;
      default:
        return at + 1;  // spaces, quotes, slashes and other symbols separate words
    }
  }

  // A sign starts a number only at the start of a word: "EUR -2.4 mn", not "2010-2013".
  bool sign_allowed(std::size_t at) const {
    if (at == 0) return true;
    const auto before = static_cast<unsigned char>(text_[at - 1]);
    return before == ' ' || before == '\t' || before == '(' || before == '\n';
  }

  // "'s" after a word or on its own (as in "company 's") is dropped; any other apostrophe too.
  std::size_t skip_possessive(std::size_t at, std::size_t length) {
    const std::size_t next = at + length;
    if (next < text_.size() && text_[next] == 's' &&
        (next + 1 == text_.size() || !is_word_byte(text_, next + 1))) {
      return next + 1;
    }
    return next;
  }

  std::size_t word(std::size_t start) {
    std::size_t at = start;
    bool letters_only = true;
    while (at < text_.size()) {
      const auto byte = static_cast<unsigned char>(text_[at]);
      if (is_digit(byte)) {
        // "eur193.3": the currency, then the number.
        if (letters_only && at - start == 3 && is_currency_code(text_.substr(start, 3))) break;
        letters_only = false;
        ++at;
        continue;
      }
      if (is_word_byte(text_, at)) {
        ++at;
        continue;
      }
      if ((byte == '-' || byte == '&') && at > start && at + 1 < text_.size() &&
          is_word_byte(text_, at + 1)) {
        letters_only = false;
        ++at;
        continue;
      }
      break;
    }
    if (at == start) return start + 1;
    std::string_view lowered(out_.lowered.data() + start, at - start);
    // "didn't", "isn't", and "n't" written apart: the word without its "n", then "not".
    const std::size_t apostrophe = apostrophe_at(text_, at);
    if (apostrophe > 0 && !lowered.empty() && lowered.back() == 'n') {
      const std::size_t after = at + apostrophe;
      if (after < text_.size() && out_.lowered[after] == 't' &&
          (after + 1 == text_.size() || !is_word_byte(text_, after + 1))) {
        lowered.remove_suffix(1);
        if (!lowered.empty()) emit_word(lowered, start);
        emit_word(kNot, at - 1);
        return after + 1;
      }
    }
    emit_word(lowered, start);
    if (apostrophe > 0) return skip_possessive(at, apostrophe);
    return at;
  }

  std::size_t number(std::size_t start, std::size_t digits, bool negative) {
    const std::string_view s = out_.lowered;
    std::size_t at = digits;
    double value = 0;
    int integer_digits = 0;
    bool grouped = false;
    bool fraction = false;
    const auto digit_at = [&](std::size_t i) {
      return i < s.size() && is_digit(static_cast<unsigned char>(s[i]));
    };
    while (at < s.size()) {
      if (digit_at(at)) {
        if (value < 1e300) value = value * 10 + (s[at] - '0');
        ++integer_digits;
        ++at;
        continue;
      }
      // "1,000,000": a comma followed by exactly three digits groups thousands.
      if (s[at] == ',' && digit_at(at + 1) && digit_at(at + 2) && digit_at(at + 3) &&
          !digit_at(at + 4)) {
        grouped = true;
        ++at;
        continue;
      }
      break;
    }
    // "EUR6 .5 m": a decimal point written apart, as some news feeds' tokenisers leave it.
    if (at + 2 < s.size() && s[at] == ' ' && s[at + 1] == '.' && digit_at(at + 2)) ++at;
    if (at + 1 < s.size() && (s[at] == '.' || s[at] == ',') && digit_at(at + 1)) {
      fraction = true;
      ++at;
      double place = 0.1;
      while (digit_at(at)) {
        value += (s[at] - '0') * place;
        place /= 10;
        ++at;
      }
    }
    // Letters stuck to the number: a scale ("43.1m", "12bn"), else the whole run is a word
    // ("3g", "2nd", "100mw").
    double scale = 1;
    if (at < s.size() && is_alpha(static_cast<unsigned char>(s[at]))) {
      std::size_t end = at;
      while (end < s.size() && is_alpha(static_cast<unsigned char>(s[end]))) ++end;
      const double attached = scale_of(s.substr(at, end - at));
      if (attached == 0 || (end < s.size() && is_word_byte(text_, end))) {
        if (start != digits) emit_punct(kDashMark, start);  // "-3g": the sign is a dash
        return word(digits);
      }
      scale = attached;
      at = end;
    }
    Token token;
    token.kind = TokenKind::kNumber;
    token.text = s.substr(start, at - start);
    token.value = (negative ? -value : value) * scale;
    token.offset = static_cast<std::uint32_t>(start);
    token.after_currency = !out_.tokens.empty() && out_.tokens.back().kind == TokenKind::kWord &&
                           is_currency_code(out_.tokens.back().text);
    token.year = !negative && !grouped && !fraction && scale == 1 && integer_digits == 4 &&
                 value >= 1900 && value <= 2099 && !token.after_currency;
    scaled_ = scale != 1;
    out_.tokens.push_back(token);
    // "5 %" and "5%".
    std::size_t next = at;
    while (next < s.size() && (s[next] == ' ' || s[next] == '\t')) ++next;
    if (next < s.size() && s[next] == '%') {
      mark_percent(out_.tokens.back());
      return next + 1;
    }
    return at;
  }

  void mark_percent(Token& number) {
    number.percent = true;
    number.year = false;
  }

  void emit_word(std::string_view word, std::size_t offset) {
    std::vector<Token>& tokens = out_.tokens;
    if (!tokens.empty() && tokens.back().kind == TokenKind::kNumber) {
      Token& number = tokens.back();
      // "13.1 mn", "2 billion": the scale joins the number.
      if (!scaled_ && !number.percent) {
        const double scale = scale_of(word);
        if (scale != 0) {
          number.value *= scale;
          number.year = false;
          scaled_ = true;
          return;
        }
      }
      if (word == "percent" || word == "pct" || word == "percentage") {
        mark_percent(number);
        return;
      }
    }
    // "5 per cent".
    if (word == "cent" && tokens.size() >= 2 && tokens.back().kind == TokenKind::kWord &&
        tokens.back().text == "per" && tokens[tokens.size() - 2].kind == TokenKind::kNumber) {
      tokens.pop_back();
      mark_percent(tokens.back());
      return;
    }
    Token token;
    token.kind = TokenKind::kWord;
    token.text = word;
    token.offset = static_cast<std::uint32_t>(offset);
    tokens.push_back(token);
  }

  void emit_punct(std::string_view mark, std::size_t offset) {
    Token token;
    token.kind = TokenKind::kPunct;
    token.text = mark;
    token.offset = static_cast<std::uint32_t>(offset);
    out_.tokens.push_back(token);
  }

  std::string_view text_;
  TokenizedText& out_;
  bool scaled_ = false;  // the last number already has its scale
};

}  // namespace

bool is_currency_code(std::string_view word) {
  static constexpr std::array<std::string_view, 24> kCodes{
      "aud", "brl", "cad", "chf", "cny", "czk", "dkk", "eek", "eur", "gbp", "hkd", "huf",
      "inr", "isk", "jpy", "krw", "ltl", "lvl", "nok", "pln", "rmb", "rub", "sek", "usd"};
  return word.size() == 3 && std::binary_search(kCodes.begin(), kCodes.end(), word);
}

void tokenize(std::string_view text, TokenizedText& out) {
  if (text.size() > std::numeric_limits<std::uint32_t>::max()) {
    text = text.substr(0, std::numeric_limits<std::uint32_t>::max());
  }
  out.tokens.clear();
  out.lowered.resize(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    out.lowered[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  // Every view below points into `out.lowered`, which is not resized again.
  Tokenizer(out.lowered, out).run();
}

}  // namespace aic::finance::sentiment
