// UTF-8 validation and repair. Text from outside (bank files, provider answers, uploaded
// sentences) is not always UTF-8, and every JSON the server writes must be.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace aic::core {

// Length of the UTF-8 sequence starting at `text[at]`, or 0 when it is not a valid one
// (overlong forms, surrogates and code points above U+10FFFF are invalid).
// REQUIRES: at < text.size().
std::size_t utf8_sequence_length(std::string_view text, std::size_t at);

// True when all of `text` is valid UTF-8.
bool is_utf8(std::string_view text);

// `text` with every byte that is not part of valid UTF-8 replaced by U+FFFD.
std::string valid_utf8(std::string_view text);

inline constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";  // U+FFFD

}  // namespace aic::core
