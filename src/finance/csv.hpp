// A reader of comma-separated values (RFC 4180) for the CSV imports: statements, prices.
//
// Fields are views into the input where possible: an unquoted field, or a quoted one without
// doubled quotes, is a view of the input; a field with doubled quotes ("say ""hi""") is
// unescaped into storage the reader owns. The views stay valid until the next call of next().
// Accepts CRLF or LF line ends, a UTF-8 byte-order mark, and line breaks inside quotes.
// Not thread-safe; the input must outlive the reader.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace aic::finance {

class CsvReader {
 public:
  CsvReader(std::string_view input, char delimiter = ',');

  // Reads the next record into `fields` (cleared first); false at the end of the input. Blank
  // lines are skipped. Errors (kInvalidArgument with line and column): a quote that is never
  // closed, or text after a closing quote.
  core::Result<bool> next(std::vector<std::string_view>& fields);

  // The 1-based line the last record returned by next() started on.
  std::int64_t line() const { return record_line_; }

 private:
  std::string_view input_;
  std::size_t position_ = 0;
  char delimiter_;
  std::int64_t line_ = 1;
  std::int64_t record_line_ = 0;
  std::deque<std::string> unescaped_;  // deque: adding one keeps the others' views valid
};

// `text` without leading and trailing spaces and tabs.
std::string_view trim_blanks(std::string_view text);
// ASCII case-insensitive equality.
bool equals_ignoring_case(std::string_view a, std::string_view b);

}  // namespace aic::finance
