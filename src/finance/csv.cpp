#include "finance/csv.hpp"

namespace aic::finance {

CsvReader::CsvReader(std::string_view input, char delimiter)
    : input_(input), delimiter_(delimiter) {
  if (input_.starts_with("\xEF\xBB\xBF")) position_ = 3;
}

core::Result<bool> CsvReader::next(std::vector<std::string_view>& fields) {
  fields.clear();
  unescaped_.clear();
  // Blank lines between records are not records.
  while (position_ < input_.size() && (input_[position_] == '\n' || input_[position_] == '\r')) {
    if (input_[position_] == '\n') ++line_;
    ++position_;
  }
  if (position_ >= input_.size()) return false;
  record_line_ = line_;
  std::size_t line_start = position_;
  while (true) {
    const std::size_t field_start = position_;
    if (position_ < input_.size() && input_[position_] == '"') {
      const std::int64_t quote_line = line_;
      const std::size_t quote_column = position_ - line_start + 1;
      ++position_;
      const std::size_t content_start = position_;
      bool doubled = false;
      while (true) {
        const std::size_t quote = input_.find('"', position_);
        if (quote == std::string_view::npos) {
          core::Error error = core::Error::invalid("a quoted field is never closed");
          error.line = quote_line;
          error.column = static_cast<std::int64_t>(quote_column);
          return error;
        }
        for (std::size_t i = position_; i < quote; ++i) {
          if (input_[i] == '\n') {
            ++line_;
            line_start = i + 1;
          }
        }
        if (quote + 1 < input_.size() && input_[quote + 1] == '"') {
          doubled = true;
          position_ = quote + 2;
          continue;
        }
        const std::string_view raw = input_.substr(content_start, quote - content_start);
        if (doubled) {
          std::string& text = unescaped_.emplace_back();
          text.reserve(raw.size());
          for (std::size_t i = 0; i < raw.size(); ++i) {
            text.push_back(raw[i]);
            if (raw[i] == '"') ++i;  // the second of a doubled pair
          }
          fields.push_back(text);
        } else {
          fields.push_back(raw);
        }
        position_ = quote + 1;
        break;
      }
      if (position_ < input_.size() && input_[position_] != delimiter_ &&
          input_[position_] != '\n' && input_[position_] != '\r') {
        core::Error error = core::Error::invalid("text after the closing quote of a field");
        error.line = line_;
        error.column = static_cast<std::int64_t>(position_ - line_start + 1);
        return error;
      }
    } else {
      std::size_t end = position_;
      while (end < input_.size() && input_[end] != delimiter_ && input_[end] != '\n' &&
             input_[end] != '\r') {
        ++end;
      }
      fields.push_back(input_.substr(field_start, end - field_start));
      position_ = end;
    }
    if (position_ >= input_.size()) return true;
    const char separator = input_[position_];
    ++position_;
    if (separator == delimiter_) continue;
    if (separator == '\r' && position_ < input_.size() && input_[position_] == '\n') ++position_;
    ++line_;
    return true;
  }
}

std::string_view trim_blanks(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

}  // namespace aic::finance
