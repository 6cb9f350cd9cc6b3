// Tokeniser of financial English for the sentiment scorer: lower-case words, numbers with
// their scale ("EUR 13.1 mn" is 13,100,000) and percent sign, and punctuation. Bytes that are
// not ASCII stay inside words as they are (names such as "Metsäniitty"), so any input, valid
// UTF-8 or not, gives tokens; only "€", "£", "¥" and "$" become currency words, typographic
// apostrophes and dashes become their ASCII forms, and "n't" becomes the word "not".
// Pure and allocation-free once `TokenizedText` has grown to the size of the texts it sees.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace aic::finance::sentiment {

enum class TokenKind : std::uint8_t { kWord, kNumber, kPunct };

struct Token {
  TokenKind kind = TokenKind::kWord;
  // Words: the lower-cased text. Punctuation: the one character (". , ; : ( ) ! ? % -").
  // Numbers: the digits as written.
  std::string_view text;
  double value = 0;             // numbers: the value times its scale ("mn", "bn", "thousand")
  bool percent = false;         // numbers followed by "%", "percent", "per cent" or "pct"
  bool year = false;            // a bare whole number from 1900 to 2099: a year, not an amount
  bool after_currency = false;  // numbers written after a currency ("EUR 5", "$5"): an amount
  std::uint32_t offset = 0;     // byte offset of the token in the input
};

// The tokens of one text and the lower-cased copy their `text` points into. Reusing one
// object (per thread) keeps tokenising free of allocations. Words made up by the tokeniser
// ("not" from "n't", "eur" from "€") point to static storage.
struct TokenizedText {
  std::string lowered;
  std::vector<Token> tokens;
};

// Replaces `out` with the tokens of `text`. Never fails; texts longer than 4 GiB are cut.
void tokenize(std::string_view text, TokenizedText& out);

// True for the three-letter currency codes the tokeniser splits from a number ("eur193.3").
bool is_currency_code(std::string_view word);

}  // namespace aic::finance::sentiment
