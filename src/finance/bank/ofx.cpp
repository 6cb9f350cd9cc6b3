#include "finance/bank/ofx.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "finance/money.hpp"

namespace aic::finance {

namespace {

// OFX aggregates nest about ten deep. Elements this parser does not know are pushed too (in
// SGML an empty leaf looks like the start of an aggregate), so leave room for those, but stop
// input that only nests (a fuzzer's favourite) long before it costs anything.
constexpr std::size_t kMaxDepth = 128;

bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_blank(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_blank(text.back())) text.remove_suffix(1);
  return text;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

char to_upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }

// Tag names compare without regard to case: OFX writes them upper-case, some banks do not.
bool same_name(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a == b) return true;  // the usual case, and a fast one
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (to_upper(a[i]) != to_upper(b[i])) return false;
  }
  return true;
}

// A short, printable excerpt of input for error messages (the input may be binary garbage).
std::string excerpt(std::string_view text) {
  constexpr std::size_t kMaxLength = 24;
  std::string out;
  for (std::size_t i = 0; i < text.size() && i < kMaxLength; ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    out += (byte >= 0x20 && byte < 0x7F) ? static_cast<char>(byte) : '?';
  }
  if (text.size() > kMaxLength) out += "...";
  return "'" + out + "'";
}

// The elements the parser acts on; every other element is kOther and only nests.
enum class Tag : std::uint8_t {
  kOther,
  // Aggregates: they hold elements, never text, and always have an end tag.
  kOfx,
  kStmtRs,
  kCcStmtRs,
  kInvStmtRs,
  kBankAcctFrom,
  kCcAcctFrom,
  kBankAcctTo,
  kCcAcctTo,
  kBankTranList,
  kStmtTrn,
  kPayee,
  kCurrency,
  kOrigCurrency,
  kLedgerBal,
  kAvailBal,
  kStatus,
  // Leaves: they hold text; in SGML their end tag is optional.
  kCurDef,
  kBankId,
  kAcctId,
  kTrnType,
  kDtPosted,
  kDtAvail,
  kTrnAmt,
  kFitId,
  kCheckNum,
  kRefNum,
  kName,
  kMemo,
  kCurSym,
  kBalAmt,
  kDtAsOf,
  kCode,
  kMessage,
};

struct KnownTag {
  std::string_view name;
  Tag tag;
};

constexpr std::array<KnownTag, 33> kKnownTags = {{
    {"OFX", Tag::kOfx},
    {"STMTRS", Tag::kStmtRs},
    {"CCSTMTRS", Tag::kCcStmtRs},
    {"INVSTMTRS", Tag::kInvStmtRs},
    {"BANKACCTFROM", Tag::kBankAcctFrom},
    {"CCACCTFROM", Tag::kCcAcctFrom},
    {"BANKACCTTO", Tag::kBankAcctTo},
    {"CCACCTTO", Tag::kCcAcctTo},
    {"BANKTRANLIST", Tag::kBankTranList},
    {"STMTTRN", Tag::kStmtTrn},
    {"PAYEE", Tag::kPayee},
    {"CURRENCY", Tag::kCurrency},
    {"ORIGCURRENCY", Tag::kOrigCurrency},
    {"LEDGERBAL", Tag::kLedgerBal},
    {"AVAILBAL", Tag::kAvailBal},
    {"STATUS", Tag::kStatus},
    {"CURDEF", Tag::kCurDef},
    {"BANKID", Tag::kBankId},
    {"ACCTID", Tag::kAcctId},
    {"TRNTYPE", Tag::kTrnType},
    {"DTPOSTED", Tag::kDtPosted},
    {"DTAVAIL", Tag::kDtAvail},
    {"TRNAMT", Tag::kTrnAmt},
    {"FITID", Tag::kFitId},
    {"CHECKNUM", Tag::kCheckNum},
    {"REFNUM", Tag::kRefNum},
    {"NAME", Tag::kName},
    {"MEMO", Tag::kMemo},
    {"CURSYM", Tag::kCurSym},
    {"BALAMT", Tag::kBalAmt},
    {"DTASOF", Tag::kDtAsOf},
    {"CODE", Tag::kCode},
    {"MESSAGE", Tag::kMessage},
}};

// Called for every start tag, so it compares the upper-cased name with only the known names
// of its length and first letter.
Tag tag_of(std::string_view name) {
  constexpr std::size_t kLongest = 12;  // BANKACCTFROM, BANKTRANLIST, ORIGCURRENCY
  if (name.size() > kLongest) return Tag::kOther;
  std::array<char, kLongest> upper{};
  std::transform(name.begin(), name.end(), upper.begin(), to_upper);
  const std::string_view key(upper.data(), name.size());
  for (const KnownTag& known : kKnownTags) {
    if (known.name.size() == key.size() && known.name.front() == key.front() && known.name == key) {
      return known.tag;
    }
  }
  return Tag::kOther;
}

bool is_aggregate(Tag tag) { return tag >= Tag::kOfx && tag <= Tag::kStatus; }
bool is_leaf(Tag tag) { return tag > Tag::kStatus; }

// --- Text values --------------------------------------------------------------------------

void append_utf8(std::string& out, std::uint32_t code_point) {
  if (code_point < 0x80) {
    out += static_cast<char>(code_point);
  } else if (code_point < 0x800) {
    out += static_cast<char>(0xC0 | (code_point >> 6));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else if (code_point < 0x10000) {
    out += static_cast<char>(0xE0 | (code_point >> 12));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code_point >> 18));
    out += static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  }
}

// The character an entity's name ("amp", "#233", "#xE9") stands for, or nullopt.
std::optional<std::uint32_t> entity_value(std::string_view name) {
  if (name == "amp") return '&';
  if (name == "lt") return '<';
  if (name == "gt") return '>';
  if (name == "quot") return '"';
  if (name == "apos") return '\'';
  if (name.size() < 2 || name[0] != '#') return std::nullopt;
  const bool hex = name[1] == 'x' || name[1] == 'X';
  const std::string_view digits = name.substr(hex ? 2 : 1);
  if (digits.empty()) return std::nullopt;
  std::uint32_t value = 0;
  for (char c : digits) {
    std::uint32_t digit = 0;
    if (is_digit(c)) {
      digit = static_cast<std::uint32_t>(c - '0');
    } else if (hex && to_upper(c) >= 'A' && to_upper(c) <= 'F') {
      digit = static_cast<std::uint32_t>(to_upper(c) - 'A' + 10);
    } else {
      return std::nullopt;
    }
    value = value * (hex ? 16u : 10u) + digit;
    if (value > 0x10FFFF) return std::nullopt;
  }
  if (value == 0 || (value >= 0xD800 && value <= 0xDFFF)) return std::nullopt;
  return value;
}

// Appends `raw` with its entities decoded. SGML files often write a bare '&' ("AT&T"), so an
// '&' that starts no known entity stays as written rather than failing the file.
void append_decoded(std::string& out, std::string_view raw) {
  constexpr std::size_t kLongestEntity = 10;  // "#x10FFFF;" and a little slack
  std::size_t position = 0;
  for (std::size_t amp = raw.find('&'); amp != std::string_view::npos;
       amp = raw.find('&', position)) {
    out.append(raw.substr(position, amp - position));
    const std::size_t semicolon = raw.substr(amp + 1, kLongestEntity).find(';');
    std::optional<std::uint32_t> value;
    if (semicolon != std::string_view::npos) value = entity_value(raw.substr(amp + 1, semicolon));
    if (value) {
      append_utf8(out, *value);
      position = amp + semicolon + 2;
    } else {
      out += '&';
      position = amp + 1;
    }
  }
  out.append(raw.substr(position));
}

// YYYYMMDD, optionally followed by HHMMSS (or HHMM), milliseconds after '.' (some banks
// write ':') and a time zone "[-5:EST]". Only the calendar date is kept, as the bank wrote it:
// no conversion to UTC, like every other format's dates.
std::optional<Date> parse_date(std::string_view text) {
  if (text.size() < 8) return std::nullopt;
  for (std::size_t i = 0; i < 8; ++i) {
    if (!is_digit(text[i])) return std::nullopt;
  }
  const auto number = [&](std::size_t at, std::size_t length) {
    int value = 0;
    for (std::size_t i = at; i < at + length; ++i) value = value * 10 + (text[i] - '0');
    return value;
  };
  std::optional<Date> date = make_date(number(0, 4), number(4, 2), number(6, 2));
  if (!date) return std::nullopt;
  std::size_t at = 8;
  std::size_t time_digits = 0;
  while (at + time_digits < text.size() && is_digit(text[at + time_digits])) ++time_digits;
  if (time_digits != 0 && time_digits != 4 && time_digits != 6) return std::nullopt;
  if (time_digits >= 4 && (number(at, 2) > 24 || number(at + 2, 2) > 59)) return std::nullopt;
  if (time_digits == 6 && number(at + 4, 2) > 60) return std::nullopt;  // 60: a leap second
  at += time_digits;
  if (time_digits == 6 && at < text.size() && (text[at] == '.' || text[at] == ':')) {
    const std::size_t digits_start = ++at;
    while (at < text.size() && is_digit(text[at])) ++at;
    if (at == digits_start) return std::nullopt;
  }
  while (at < text.size() && is_blank(text[at])) ++at;
  if (at < text.size() && text[at] == '[') {
    const std::size_t close = text.find(']', at);
    if (close == std::string_view::npos) return std::nullopt;
    at = close + 1;
  }
  if (at != text.size()) return std::nullopt;
  return date;
}

// OFX amounts use '.', but some banks write a decimal comma: a single ',' with no '.' is
// read as one. Thousands separators are not OFX and are refused.
core::Result<std::int64_t> parse_amount(std::string_view text, int exponent) {
  DecimalFormat format;
  if (text.find('.') == std::string_view::npos) {
    const std::size_t comma = text.find(',');
    if (comma != std::string_view::npos && text.find(',', comma + 1) == std::string_view::npos) {
      format.decimal_separator = ',';
    }
  }
  return parse_minor_units(text, exponent, format);
}

// --- Tokenizer ----------------------------------------------------------------------------

// Positions are byte offsets into the input; an error turns its offset into a line number.
// Counting lines only then keeps the common path a plain scan for '<'.
struct Token {
  enum class Kind : std::uint8_t { kOpen, kClose, kText, kEnd, kError };
  Kind kind = Kind::kEnd;
  std::string_view name;      // kOpen, kClose
  std::string_view text;      // kText: as written, entities not decoded
  std::size_t at = 0;         // offset of its '<' (of its first non-blank byte for text)
  bool self_closing = false;  // <NAME/>
  bool cdata = false;         // kText from <![CDATA[…]]>: no entities to decode
};

bool is_name_start(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }

bool is_name_char(char c) {
  return is_name_start(c) || is_digit(c) || c == '.' || c == '-' || c == ':';
}

bool is_name(std::string_view name) {
  if (name.empty() || !is_name_start(name.front())) return false;
  return std::all_of(name.begin(), name.end(), is_name_char);
}

// Splits OFX 1.x SGML and 2.x XML alike into start tags, end tags and text. It knows nothing
// of which end tags are optional: the parser decides that. Text that is only white space is
// dropped, and so are comments, processing instructions (<?xml …?>, <?OFX …?>) and
// declarations.
class Tokenizer {
 public:
  Tokenizer(std::string_view input, std::size_t position) : input_(input), position_(position) {}

  Token next() {
    while (position_ < input_.size()) {
      if (input_[position_] != '<') {
        std::optional<Token> text = read_text();
        if (text) return *text;
        continue;
      }
      const std::string_view rest = input_.substr(position_);
      if (rest.starts_with("<!--")) {
        if (!skip_past("-->", 4)) return fail("a comment (<!--) that never ends");
      } else if (rest.starts_with("<![CDATA[")) {
        return read_cdata();
      } else if (rest.starts_with("<?")) {
        if (!skip_past("?>", 2)) return fail("a processing instruction (<?) that never ends");
      } else if (rest.starts_with("<!")) {
        if (!skip_past(">", 2)) return fail("a declaration (<!) that never ends");
      } else {
        return read_tag();
      }
    }
    return Token{Token::Kind::kEnd, {}, {}, input_.size(), false, false};
  }

  // After a kError token: what is wrong (the token's `at` says where).
  const std::string& error() const { return error_; }

 private:
  // Moves past the next `terminator` at least `skip` bytes on; false when there is none.
  bool skip_past(std::string_view terminator, std::size_t skip) {
    const std::size_t end = input_.find(terminator, position_ + skip);
    if (end == std::string_view::npos) return false;
    position_ = end + terminator.size();
    return true;
  }

  Token fail(std::string message) {
    error_ = std::move(message) + ": " + excerpt(input_.substr(position_));
    const std::size_t at = position_;
    position_ = input_.size();
    return Token{Token::Kind::kError, {}, {}, at, false, false};
  }

  // Text up to the next '<', or nullopt when it is only white space.
  std::optional<Token> read_text() {
    std::size_t end = input_.find('<', position_);
    if (end == std::string_view::npos) end = input_.size();
    const std::string_view text = input_.substr(position_, end - position_);
    std::size_t first = 0;
    while (first < text.size() && is_blank(text[first])) ++first;
    const std::size_t at = position_ + first;
    position_ = end;
    if (first == text.size()) return std::nullopt;
    return Token{Token::Kind::kText, {}, text, at, false, false};
  }

  Token read_cdata() {
    constexpr std::size_t kOpenLength = 9;  // <![CDATA[
    const std::size_t end = input_.find("]]>", position_ + kOpenLength);
    if (end == std::string_view::npos) return fail("a CDATA section that never ends");
    const std::size_t at = position_;
    const std::string_view text =
        input_.substr(position_ + kOpenLength, end - position_ - kOpenLength);
    position_ = end + 3;
    return Token{Token::Kind::kText, {}, text, at, false, true};
  }

  // <NAME>, </NAME> or <NAME/>. Attributes (OFX has none) are skipped.
  Token read_tag() {
    const std::size_t end = input_.find('>', position_ + 1);
    if (end == std::string_view::npos) return fail("a tag that never ends");
    std::string_view inside = input_.substr(position_ + 1, end - position_ - 1);
    const bool closing = !inside.empty() && inside.front() == '/';
    if (closing) inside.remove_prefix(1);
    const bool self_closing = !closing && !inside.empty() && inside.back() == '/';
    if (self_closing) inside.remove_suffix(1);
    std::size_t name_end = 0;
    while (name_end < inside.size() && !is_blank(inside[name_end])) ++name_end;
    const std::string_view name = inside.substr(0, name_end);
    if (!is_name(name) || (closing && !trim(inside.substr(name_end)).empty())) {
      return fail("a '<' that starts no tag (write '&lt;' for '<' in text)");
    }
    const std::size_t at = position_;
    position_ = end + 1;
    return Token{
        closing ? Token::Kind::kClose : Token::Kind::kOpen, name, {}, at, self_closing, false};
  }

  std::string_view input_;
  std::size_t position_;
  std::string error_;
};

// --- Parser -------------------------------------------------------------------------------

// An element whose end tag has not been seen yet.
struct OpenElement {
  std::string_view name;
  Tag tag = Tag::kOther;
  Tag context = Tag::kOther;  // the innermost known aggregate, this element included
  std::size_t at = 0;
};

// An amount as written, parsed once its currency's decimals are known.
struct AmountText {
  std::string text;
  std::size_t at = 0;
};

struct PendingBalance {
  Tag tag = Tag::kOther;  // kLedgerBal or kAvailBal
  std::size_t at = 0;
  std::optional<AmountText> amount;
  std::optional<Date> date;
  bool has_date_text = false;
};

struct PendingTransaction {
  BankTransaction transaction;
  std::size_t at = 0;
  std::optional<AmountText> amount;
  bool has_posted = false;
  std::string payee_name;  // PAYEE/NAME, used when there is no NAME
  std::string check_number;
  std::string reference_number;
  std::string currency_symbol;  // CURRENCY/CURSYM: the amount is not in CURDEF
};

// TRNAMT of transaction `index`, read before CURDEF said how many decimals it has.
struct DeferredAmount {
  std::size_t index = 0;
  AmountText amount;
};

// CURRENCY/CURSYM of transaction `index`.
struct TransactionCurrency {
  std::size_t index = 0;
  std::string symbol;
};

struct PendingStatement {
  BankStatement statement;
  Tag tag = Tag::kOther;  // kStmtRs or kCcStmtRs
  std::size_t at = 0;
  std::optional<int> exponent;  // once CURDEF has named the currency
  std::vector<DeferredAmount> deferred;
  std::vector<TransactionCurrency> currencies;
  std::optional<PendingBalance> ledger;
  std::optional<PendingBalance> available;
};

std::string_view name_of(Tag tag) {
  for (const KnownTag& known : kKnownTags) {
    if (known.tag == tag) return known.name;
  }
  return "?";
}

std::string upper_case(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), to_upper);
  return out;
}

class Parser {
 public:
  explicit Parser(std::string_view input) : input_(input), tokenizer_(input, 0) {}

  core::Result<std::vector<BankStatement>> run() {
    core::Result<void> started = start();
    if (!started) return std::move(started).error();
    while (!stack_.empty()) {
      const Token token = next();
      core::Result<void> done;
      switch (token.kind) {
        case Token::Kind::kError:
          return error_at(token.at, tokenizer_.error());
        case Token::Kind::kEnd:
          return unterminated();
        case Token::Kind::kText:
          // Values follow their start tag; text anywhere else is not OFX.
          return error_at(token.at, "text outside any element: " + excerpt(token.text));
        case Token::Kind::kOpen:
          done = open(token);
          break;
        case Token::Kind::kClose:
          done = close(token.name, token.at);
          break;
      }
      if (!done) return std::move(done).error();
    }
    // Whatever follows </OFX> (padding, a second copy) is not read.
    return finish();
  }

 private:
  // The 1-based line of byte `at`: counted only for errors.
  std::int64_t line_at(std::size_t at) const {
    const std::string_view before = input_.substr(0, std::min(at, input_.size()));
    return 1 + std::count(before.begin(), before.end(), '\n');
  }

  core::Error error_at(std::size_t at, std::string message) const {
    return error_at_line(line_at(at), std::move(message));
  }

  // Skips the OFX 1.x header ("OFXHEADER:100" … "NEWFILEUID:NONE", CRLF or LF lines) and
  // reads the root element, which must be <OFX>. OFX 2.x's <?xml?> and <?OFX?> headers are
  // processing instructions, which the tokenizer skips.
  core::Result<void> start() {
    std::size_t position = 0;
    if (input_.starts_with("\xEF\xBB\xBF")) position = 3;  // a UTF-8 byte order mark
    while (position < input_.size() && is_blank(input_[position])) ++position;
    if (position == input_.size()) return error_at(position, "the input is empty: not OFX");
    const std::string_view rest = input_.substr(position);
    if (rest.starts_with("OFXHEADER")) {
      const std::size_t tag = input_.find('<', position);
      if (tag == std::string_view::npos) {
        return error_at(position, "an OFX header with no <OFX> element after it");
      }
      position = tag;
    } else if (rest.front() != '<') {
      return error_at(position,
                      "not OFX: neither an OFX header (OFXHEADER:100) nor <OFX>: " + excerpt(rest));
    }
    tokenizer_ = Tokenizer(input_, position);
    const Token root = next();
    if (root.kind == Token::Kind::kError) return error_at(root.at, tokenizer_.error());
    if (root.kind != Token::Kind::kOpen || tag_of(root.name) != Tag::kOfx) {
      std::string found = "the end of the input";
      if (root.kind == Token::Kind::kOpen) found = "<" + std::string(root.name.substr(0, 24)) + ">";
      if (root.kind == Token::Kind::kClose)
        found = "</" + std::string(root.name.substr(0, 24)) + ">";
      if (root.kind == Token::Kind::kText) found = excerpt(trim(root.text));
      return error_at(root.at, "not OFX: the first element must be <OFX>, found " + found);
    }
    root_at_ = root.at;
    return push(root.name, Tag::kOfx, root.at);
  }

  Token next() {
    if (peeked_) {
      const Token token = *peeked_;
      peeked_.reset();
      return token;
    }
    return tokenizer_.next();
  }

  const Token& peek() {
    if (!peeked_) peeked_ = tokenizer_.next();
    return *peeked_;
  }

  // A start tag. What follows decides what it is: text makes it a leaf; its own end tag makes
  // it an empty element; anything else makes it an aggregate, unless it is a leaf this parser
  // knows (then it is an SGML leaf left empty). An unknown element with no text is pushed: it
  // may be an aggregate, or an empty SGML leaf that a later end tag closes implicitly.
  core::Result<void> open(const Token& token) {
    const Tag tag = tag_of(token.name);
    if (token.self_closing) {
      if (!is_aggregate(tag)) return leaf(tag, "", token.at);
      core::Result<void> pushed = push(token.name, tag, token.at);
      if (!pushed) return pushed;
      return close(token.name, token.at);
    }
    const Token& following = peek();
    if (following.kind == Token::Kind::kError) return error_at(following.at, tokenizer_.error());
    if (following.kind == Token::Kind::kText) {
      if (is_aggregate(tag)) {
        return error_at(following.at,
                        "<" + std::string(token.name) +
                            "> holds elements, not text: " + excerpt(trim(following.text)));
      }
      const std::string_view value = read_value();
      core::Result<void> handled = leaf(tag, value, token.at);
      if (!handled) return handled;
      if (peek().kind == Token::Kind::kClose && same_name(peek().name, token.name)) next();
      return {};
    }
    const bool closes_itself =
        following.kind == Token::Kind::kClose && same_name(following.name, token.name);
    if (is_leaf(tag) || (closes_itself && tag == Tag::kOther)) {
      if (closes_itself) next();
      return leaf(tag, "", token.at);
    }
    return push(token.name, tag, token.at);
  }

  // The text after a start tag (several pieces when CDATA sections are mixed in), entities
  // decoded, surrounding white space removed. The view is valid until the next call.
  std::string_view read_value() {
    const Token first = next();
    if (!first.cdata && peek().kind != Token::Kind::kText) {
      const std::string_view raw = trim(first.text);
      if (raw.find('&') == std::string_view::npos) return raw;  // the common case: no copy
    }
    value_.clear();
    for (Token piece = first;;) {
      if (piece.cdata) {
        value_.append(piece.text);
      } else {
        append_decoded(value_, piece.text);
      }
      if (peek().kind != Token::Kind::kText) break;
      piece = next();
    }
    return trim(value_);
  }

  core::Result<void> push(std::string_view name, Tag tag, std::size_t at) {
    if (stack_.size() >= kMaxDepth) {
      return error_at(at, "elements nest more than " + std::to_string(kMaxDepth) + " deep at <" +
                              std::string(name.substr(0, 24)) + ">");
    }
    const Tag context = is_aggregate(tag) ? tag
                        : stack_.empty()  ? Tag::kOther
                                          : stack_.back().context;
    stack_.push_back(OpenElement{name, tag, context, at});
    return opened(tag, at);
  }

  // An end tag closes the element of that name and, implicitly, the unknown elements opened
  // after it (empty SGML leaves). An aggregate is never closed implicitly: its end tag is
  // required in both OFX versions, so one missing means a broken or cut file.
  core::Result<void> close(std::string_view name, std::size_t at) {
    std::size_t index = stack_.size();
    while (index > 0 && !same_name(stack_[index - 1].name, name)) --index;
    if (index == 0) {
      const OpenElement& innermost = stack_.back();
      return error_at(at, "</" + std::string(name) +
                              "> closes no open element; the innermost open one is <" +
                              std::string(innermost.name) + "> from line " +
                              std::to_string(line_at(innermost.at)));
    }
    for (std::size_t i = stack_.size(); i > index; --i) {
      const OpenElement& inner = stack_[i - 1];
      if (is_aggregate(inner.tag)) {
        return error_at(at, "</" + std::string(name) + "> before </" + std::string(inner.name) +
                                ">: <" + std::string(inner.name) + "> from line " +
                                std::to_string(line_at(inner.at)) + " is not closed");
      }
    }
    stack_.resize(index);
    const OpenElement element = stack_.back();
    stack_.pop_back();
    return closed(element);
  }

  // The input ended inside an element: name the innermost aggregate still open.
  core::Error unterminated() const {
    for (std::size_t i = stack_.size(); i > 0; --i) {
      const OpenElement& element = stack_[i - 1];
      if (!is_aggregate(element.tag)) continue;
      return error_at(element.at, "<" + std::string(element.name) +
                                      "> is never closed: the input ends before </" +
                                      std::string(element.name) + ">");
    }
    return error_at(root_at_, "<OFX> is never closed");
  }

  // --- What the elements mean --------------------------------------------------------------

  core::Result<void> opened(Tag tag, std::size_t at) {
    switch (tag) {
      case Tag::kStmtRs:
      case Tag::kCcStmtRs:
        if (statement_) {
          return error_at(at, "<" + std::string(name_of(tag)) + "> inside the <" +
                                  std::string(name_of(statement_->tag)) + "> from line " +
                                  std::to_string(line_at(statement_->at)));
        }
        statement_.emplace();
        statement_->tag = tag;
        statement_->at = at;
        return {};
      case Tag::kInvStmtRs:
        if (investment_statements_++ == 0) first_investment_at_ = at;
        return {};
      case Tag::kStmtTrn:
        if (transaction_) {
          return error_at(at, "<STMTTRN> inside the <STMTTRN> from line " +
                                  std::to_string(line_at(transaction_->at)) +
                                  " (is its </STMTTRN> missing?)");
        }
        // STMTTRN also appears in investment statements (INVBANKTRAN), which are not read.
        if (statement_) {
          transaction_.emplace();
          transaction_->at = at;
        }
        return {};
      case Tag::kLedgerBal:
      case Tag::kAvailBal:
        if (statement_ && !transaction_) {
          balance_.emplace();
          balance_->tag = tag;
          balance_->at = at;
        }
        return {};
      case Tag::kStatus:
        status_code_.clear();
        status_message_.clear();
        return {};
      default:
        return {};
    }
  }

  core::Result<void> closed(const OpenElement& element) {
    switch (element.tag) {
      case Tag::kStmtRs:
      case Tag::kCcStmtRs:
        return statement_ ? finish_statement() : core::Result<void>{};
      case Tag::kStmtTrn:
        return transaction_ ? finish_transaction() : core::Result<void>{};
      case Tag::kLedgerBal:
      case Tag::kAvailBal:
        return balance_ ? finish_balance() : core::Result<void>{};
      case Tag::kStatus:
        // Kept to explain a file without statements (a failed sign-on, a server error).
        if (!status_code_.empty() && status_code_ != "0" && failed_status_.empty()) {
          failed_status_ = "CODE " + status_code_;
          if (!status_message_.empty()) failed_status_ += " " + excerpt(status_message_);
        }
        return {};
      default:
        return {};
    }
  }

  // A leaf's value, by the innermost aggregate it is in. Leaves elsewhere (sign-on, lists of
  // securities, investment statements) are not needed.
  core::Result<void> leaf(Tag tag, std::string_view value, std::size_t at) {
    switch (stack_.back().context) {
      case Tag::kStmtRs:
      case Tag::kCcStmtRs:
        return statement_ && tag == Tag::kCurDef ? currency(value, at) : core::Result<void>{};
      case Tag::kBankAcctFrom:
      case Tag::kCcAcctFrom:
        if (statement_ && !transaction_) {
          if (tag == Tag::kAcctId) statement_->statement.account.assign(value);
          if (tag == Tag::kBankId) statement_->statement.bank_id.assign(value);
        }
        return {};
      case Tag::kBankAcctTo:
      case Tag::kCcAcctTo:
        if (transaction_ && tag == Tag::kAcctId) {
          transaction_->transaction.counterparty_account.assign(value);
        }
        return {};
      case Tag::kStmtTrn:
        return transaction_ ? transaction_leaf(tag, value, at) : core::Result<void>{};
      case Tag::kPayee:
        if (transaction_ && tag == Tag::kName) transaction_->payee_name.assign(value);
        return {};
      case Tag::kCurrency:
        // CURRENCY (not ORIGCURRENCY, whose amounts are already converted to CURDEF) says the
        // transaction's amount is in another currency.
        if (transaction_ && tag == Tag::kCurSym) transaction_->currency_symbol.assign(value);
        return {};
      case Tag::kLedgerBal:
      case Tag::kAvailBal:
        return balance_ ? balance_leaf(tag, value, at) : core::Result<void>{};
      case Tag::kStatus:
        if (tag == Tag::kCode) status_code_.assign(value);
        if (tag == Tag::kMessage) status_message_.assign(value);
        return {};
      default:
        return {};
    }
  }

  // CURDEF. Empty in some files: then the currency is settled when the statement ends.
  core::Result<void> currency(std::string_view value, std::size_t at) {
    if (value.empty()) return {};
    std::string code = upper_case(value);
    if (!is_currency_code(code)) {
      return error_at(at, "CURDEF is not a currency code: " + excerpt(value));
    }
    BankStatement& statement = statement_->statement;
    if (statement_->exponent && code != statement.currency) {
      return error_at(at,
                      "a second CURDEF (" + code + ") in the " + statement.currency + " statement");
    }
    statement.currency = std::move(code);
    statement_->exponent = currency_exponent(statement.currency);
    return {};
  }

  core::Result<void> transaction_leaf(Tag tag, std::string_view value, std::size_t at) {
    BankTransaction& transaction = transaction_->transaction;
    switch (tag) {
      case Tag::kTrnType:
        transaction.type_code.assign(value);
        return {};
      case Tag::kDtPosted: {
        const std::optional<Date> date = parse_date(value);
        if (!date) return bad_date("DTPOSTED", value, at);
        transaction.booking_date = *date;
        transaction_->has_posted = true;
        return {};
      }
      case Tag::kDtAvail: {
        if (value.empty() || value.starts_with("00000000")) return {};  // "no date"
        const std::optional<Date> date = parse_date(value);
        if (!date) return bad_date("DTAVAIL", value, at);
        transaction.value_date = *date;
        return {};
      }
      case Tag::kTrnAmt:
        transaction_->amount = AmountText{std::string(value), at};
        return {};
      case Tag::kFitId:
        transaction.reference.assign(value);
        return {};
      case Tag::kCheckNum:
        transaction_->check_number.assign(value);
        return {};
      case Tag::kRefNum:
        transaction_->reference_number.assign(value);
        return {};
      case Tag::kName:
        transaction.counterparty_name.assign(value);
        return {};
      case Tag::kMemo:
        transaction.description.assign(value);
        return {};
      default:
        return {};
    }
  }

  core::Result<void> balance_leaf(Tag tag, std::string_view value, std::size_t at) {
    if (tag == Tag::kBalAmt) {
      balance_->amount = AmountText{std::string(value), at};
    } else if (tag == Tag::kDtAsOf) {
      balance_->has_date_text = !value.empty();
      if (value.empty()) return {};
      balance_->date = parse_date(value);
      if (!balance_->date)
        return bad_date(std::string(name_of(balance_->tag)) + "/DTASOF", value, at);
    }
    return {};
  }

  core::Error bad_date(std::string_view field, std::string_view value, std::size_t at) const {
    if (value.empty()) return error_at(at, std::string(field) + " is empty");
    return error_at(at, std::string(field) +
                            " is not a date (YYYYMMDD[HHMMSS[.XXX]][[TZ]]): " + excerpt(value));
  }

  core::Result<std::int64_t> amount_of(const AmountText& amount, std::string_view field,
                                       int exponent) const {
    core::Result<std::int64_t> parsed = parse_amount(trim(amount.text), exponent);
    if (!parsed) return error_at(amount.at, std::string(field) + ": " + parsed.error().message);
    return parsed;
  }

  core::Result<void> finish_transaction() {
    PendingTransaction& pending = *transaction_;
    BankTransaction& transaction = pending.transaction;
    if (!pending.has_posted || !pending.amount) {
      const std::string id = transaction.reference.empty()
                                 ? std::string()
                                 : " (FITID " + transaction.reference.substr(0, 32) + ")";
      return error_at(pending.at, "the transaction" + id + " has no " +
                                      (pending.has_posted ? "TRNAMT" : "DTPOSTED"));
    }
    if (transaction.counterparty_name.empty()) {
      transaction.counterparty_name = std::move(pending.payee_name);
    }
    transaction.customer_reference = !pending.check_number.empty()
                                         ? std::move(pending.check_number)
                                         : std::move(pending.reference_number);
    PendingStatement& statement = *statement_;
    const std::size_t index = statement.statement.transactions.size();
    if (statement.exponent) {
      core::Result<std::int64_t> amount = amount_of(*pending.amount, "TRNAMT", *statement.exponent);
      if (!amount) return std::move(amount).error();
      transaction.amount = *amount;
    } else {
      statement.deferred.push_back(DeferredAmount{index, std::move(*pending.amount)});
    }
    if (!pending.currency_symbol.empty()) {
      statement.currencies.push_back(
          TransactionCurrency{index, upper_case(pending.currency_symbol)});
    }
    statement.statement.transactions.push_back(std::move(transaction));
    transaction_.reset();
    return {};
  }

  core::Result<void> finish_balance() {
    PendingBalance balance = std::move(*balance_);
    balance_.reset();
    const std::string name(name_of(balance.tag));
    const bool has_amount = balance.amount && !trim(balance.amount->text).empty();
    if (!has_amount && !balance.has_date_text) {
      // Some banks send an empty balance aggregate: there is simply no balance.
      statement_->statement.warnings.push_back(
          name + " is empty: no " + (balance.tag == Tag::kLedgerBal ? "closing" : "available") +
          " balance");
      return {};
    }
    if (!has_amount) {
      return error_at(balance.amount ? balance.amount->at : balance.at,
                      name + (balance.amount ? "/BALAMT is empty" : " has no BALAMT"));
    }
    if (!balance.date) return error_at(balance.at, name + " has no DTASOF");
    (balance.tag == Tag::kLedgerBal ? statement_->ledger : statement_->available) =
        std::move(balance);
    return {};
  }

  // Without a CURDEF, the one currency every transaction names in CURRENCY/CURSYM, if any.
  static void settle_missing_currency(PendingStatement& pending) {
    BankStatement& statement = pending.statement;
    const std::vector<TransactionCurrency>& named = pending.currencies;
    const bool one_currency =
        !named.empty() && named.size() == statement.transactions.size() &&
        std::all_of(named.begin(), named.end(), [&](const TransactionCurrency& currency) {
          return currency.symbol == named.front().symbol;
        });
    if (one_currency && is_currency_code(named.front().symbol)) {
      statement.currency = named.front().symbol;
      statement.warnings.push_back("CURDEF is empty or missing: the currency " +
                                   statement.currency +
                                   " is taken from the transactions' CURRENCY");
    } else {
      statement.warnings.push_back("CURDEF is empty or missing: the currency is unknown");
    }
  }

  core::Result<void> finish_statement() {
    PendingStatement pending = std::move(*statement_);
    statement_.reset();
    BankStatement& statement = pending.statement;
    if (statement.account.empty()) {
      return error_at(pending.at, pending.tag == Tag::kStmtRs
                                      ? "the statement has no BANKACCTFROM/ACCTID"
                                      : "the statement has no CCACCTFROM/ACCTID");
    }
    if (statement.currency.empty()) settle_missing_currency(pending);
    const int exponent = currency_exponent(statement.currency);
    for (const DeferredAmount& deferred : pending.deferred) {
      core::Result<std::int64_t> amount = amount_of(deferred.amount, "TRNAMT", exponent);
      if (!amount) return std::move(amount).error();
      statement.transactions[deferred.index].amount = *amount;
    }
    warn_about_foreign_currencies(pending);
    if (pending.ledger) {
      core::Result<std::int64_t> amount =
          amount_of(*pending.ledger->amount, "LEDGERBAL/BALAMT", exponent);
      if (!amount) return std::move(amount).error();
      statement.closing = Balance{*pending.ledger->date, *amount};
    }
    if (pending.available) {
      core::Result<std::int64_t> amount =
          amount_of(*pending.available->amount, "AVAILBAL/BALAMT", exponent);
      if (!amount) return std::move(amount).error();
      statement.available = Balance{*pending.available->date, *amount};
    }
    // OFX has no opening balance, so this only matters if one is ever derived.
    check_balances(statement);
    statements_.push_back(std::move(statement));
    return {};
  }

  // By the OFX spec a transaction with CURRENCY has its amount in CURSYM, to be converted
  // with CURRATE. Amounts are imported as written (converting would round), so say so.
  static void warn_about_foreign_currencies(PendingStatement& pending) {
    BankStatement& statement = pending.statement;
    std::size_t count = 0;
    const TransactionCurrency* first = nullptr;
    for (const TransactionCurrency& currency : pending.currencies) {
      if (currency.symbol == statement.currency) continue;
      if (count++ == 0) first = &currency;
    }
    if (count == 0) return;
    const std::string& reference = statement.transactions[first->index].reference;
    statement.warnings.push_back(
        std::to_string(count) + " transaction(s) name a CURRENCY other than " +
        (statement.currency.empty() ? std::string("the statement's") : statement.currency) +
        " (the first: " + excerpt(first->symbol) +
        (reference.empty() ? std::string() : " for FITID " + excerpt(reference)) +
        "); their TRNAMT is imported as written, not converted");
  }

  core::Result<std::vector<BankStatement>> finish() {
    if (statements_.empty()) {
      if (investment_statements_ > 0) {
        return error_at(first_investment_at_,
                        "investment statements (INVSTMTRS) are not supported; only bank and "
                        "credit-card statements are imported");
      }
      std::string message = "the file has no bank or credit-card statement (STMTRS or CCSTMTRS)";
      if (!failed_status_.empty()) message += "; the bank reports " + failed_status_;
      return error_at(root_at_, std::move(message));
    }
    if (investment_statements_ > 0) {
      statements_.front().warnings.push_back(
          "the file also has " + std::to_string(investment_statements_) +
          " investment statement(s) (INVSTMTRS), which are not imported");
    }
    return std::move(statements_);
  }

  std::string_view input_;
  Tokenizer tokenizer_;
  std::optional<Token> peeked_;
  std::vector<OpenElement> stack_;
  std::string value_;  // a value whose entities were decoded, reused
  std::size_t root_at_ = 0;

  std::optional<PendingStatement> statement_;
  std::optional<PendingTransaction> transaction_;
  std::optional<PendingBalance> balance_;
  std::vector<BankStatement> statements_;

  std::int64_t investment_statements_ = 0;
  std::size_t first_investment_at_ = 0;
  std::string status_code_;
  std::string status_message_;
  std::string failed_status_;  // the first STATUS that was not a success, for errors
};

}  // namespace

core::Result<std::vector<BankStatement>> parse_ofx(std::string_view input) {
  return Parser(input).run();
}

}  // namespace aic::finance
