#include "core/json_writer.hpp"

#include "core/utf8.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace aic::core {

void append_json_escaped(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  auto needs_escape = [](unsigned char byte) {
    return byte < 0x20 || byte == 0x7f || byte == '"' || byte == '\\';
  };
  // Runs of ordinary characters are copied in one append; most strings are one run.
  std::size_t run_start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte >= 0x80) {
      // JSON text is UTF-8: a valid sequence is copied, anything else becomes U+FFFD, so
      // bytes from outside (a provider's error page, a file) never make the output invalid.
      const std::size_t length = utf8_sequence_length(text, i);
      if (length != 0) {
        i += length - 1;
        continue;
      }
      out.append(text.data() + run_start, i - run_start);
      out += kReplacementCharacter;
      run_start = i + 1;
      continue;
    }
    if (!needs_escape(byte)) continue;
    out.append(text.data() + run_start, i - run_start);
    run_start = i + 1;
    switch (byte) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += "\\u00";
        out += kHex[byte >> 4];
        out += kHex[byte & 0x0f];
    }
  }
  out.append(text.data() + run_start, text.size() - run_start);
}

void JsonWriter::open(char bracket) {
  separate();
  out_ += bracket;
  comma_needed_ = false;
}

void JsonWriter::close(char bracket) {
  out_ += bracket;
  comma_needed_ = true;
}

namespace {

// Whether `text` is printable ASCII without '"' or '\\', so it can be copied between quotes
// as it is. Eight bytes at a time: for each test, (w - ones * n) & ~w & high is non-zero
// exactly when some byte of w is below n (n <= 0x80), and a byte equal to c is a zero byte
// of w ^ (ones * c). Non-ASCII bytes take the slow path, which checks that they are UTF-8.
bool copies_verbatim(std::string_view text) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
  constexpr std::uint64_t kHigh = 0x8080808080808080ULL;
  auto has_byte_below = [](std::uint64_t word, std::uint64_t n) {
    return ((word - kOnes * n) & ~word & kHigh) != 0;
  };
  auto plain = [&](const char* at) {
    std::uint64_t word;
    std::memcpy(&word, at, sizeof word);
    return (word & kHigh) == 0 && !has_byte_below(word, 0x20) &&
           !has_byte_below(word ^ (kOnes * 0x7f), 1) && !has_byte_below(word ^ (kOnes * '"'), 1) &&
           !has_byte_below(word ^ (kOnes * '\\'), 1);
  };
  const std::size_t size = text.size();
  if (size >= 8) {
    for (std::size_t at = 0; at + 8 < size; at += 8) {
      if (!plain(text.data() + at)) return false;
    }
    return plain(text.data() + size - 8);  // the last eight, overlapping what was checked
  }
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte >= 0x7f || byte == '"' || byte == '\\') return false;
  }
  return true;
}

}  // namespace

void JsonWriter::quoted(std::string_view text, bool is_key) {
  separate();
  out_ += '"';
  if (copies_verbatim(text)) {
    out_.append(text);  // the common case: nothing to escape
  } else {
    append_json_escaped(out_, text);
  }
  out_ += '"';
  if (is_key) out_ += ':';
  comma_needed_ = !is_key;
}

void JsonWriter::key(std::string_view name) { quoted(name, true); }

void JsonWriter::value(std::string_view text) { quoted(text, false); }

void JsonWriter::raw(std::string_view json) {
  separate();
  out_.append(json);
  comma_needed_ = true;
}

void JsonWriter::value(std::int64_t number) {
  separate();
  char digits[24];
  auto [end, error] = std::to_chars(digits, digits + sizeof digits, number);
  (void)error;  // 24 characters hold any 64-bit integer
  out_.append(digits, end);
  comma_needed_ = true;
}

void JsonWriter::value(bool flag) {
  separate();
  out_ += flag ? "true" : "false";
  comma_needed_ = true;
}

void JsonWriter::null() {
  separate();
  out_ += "null";
  comma_needed_ = true;
}

void JsonWriter::number(double value) {
  if (!std::isfinite(value)) {
    null();
    return;
  }
  char text[32];
  const auto written = std::to_chars(text, text + sizeof text, value);
  raw(std::string_view(text, static_cast<std::size_t>(written.ptr - text)));
}

void JsonWriter::number(double value, int decimals) {
  if (!std::isfinite(value)) {
    null();
    return;
  }
  const double scale = std::pow(10.0, decimals);
  // Beyond 2^53 the value has no fractional digits left to round.
  if (std::abs(value) * scale < 9007199254740992.0) value = std::round(value * scale) / scale;
  if (value == 0.0) value = 0.0;  // no "-0"
  number(value);
}

void JsonWriter::number_member(std::string_view name, const std::optional<double>& value,
                               int decimals) {
  key(name);
  if (!value) {
    null();
  } else if (decimals < 0) {
    number(*value);
  } else {
    number(*value, decimals);
  }
}

}  // namespace aic::core
