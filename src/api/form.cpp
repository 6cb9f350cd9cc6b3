#include "api/form.hpp"

#include <algorithm>
#include <charconv>

namespace aic::api {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Form decoding: '+' is a space, %XX a byte. nullopt for a broken escape or a decoded NUL.
std::optional<std::string> form_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      int high = hex_value(text[i + 1]);
      int low = hex_value(text[i + 2]);
      if (high < 0 || low < 0 || (high == 0 && low == 0)) return std::nullopt;
      out += static_cast<char>(high * 16 + low);
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

core::Result<FormFields> FormFields::parse(std::string_view text,
                                           std::initializer_list<std::string_view> allowed) {
  return parse(text, std::span<const std::string_view>(allowed.begin(), allowed.size()));
}

core::Result<FormFields> FormFields::parse(std::string_view text,
                                           std::span<const std::string_view> allowed) {
  FormFields form;
  while (!text.empty()) {
    std::size_t end = std::min(text.find('&'), text.size());
    std::string_view pair = text.substr(0, end);
    text.remove_prefix(std::min(end + 1, text.size()));
    if (pair.empty()) continue;  // "a=1&&b=2" and a trailing '&' are harmless
    std::size_t equals = pair.find('=');
    std::optional<std::string> name = form_decode(pair.substr(0, equals));
    if (!name)
      return core::Error::invalid("has a broken %-escape", std::string(pair.substr(0, equals)));
    std::optional<std::string> value =
        equals == std::string_view::npos ? std::string() : form_decode(pair.substr(equals + 1));
    if (!value) return core::Error::invalid("has a broken %-escape", *name);
    if (std::find(allowed.begin(), allowed.end(), *name) == allowed.end()) {
      return core::Error::invalid("is not a parameter of this operation", *name);
    }
    if (form.get(*name) != nullptr) return core::Error::invalid("is given more than once", *name);
    form.fields_.emplace_back(std::move(*name), std::move(*value));
  }
  return form;
}

const std::string* FormFields::get(std::string_view name) const {
  for (const auto& [field, value] : fields_) {
    if (field == name) return &value;
  }
  return nullptr;
}

core::Result<std::int64_t> FormFields::integer(std::string_view name, std::int64_t fallback,
                                               std::int64_t minimum, std::int64_t maximum) const {
  const std::string* text = get(name);
  if (text == nullptr) return fallback;
  std::int64_t value = 0;
  auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (error != std::errc() || end != text->data() + text->size() || value < minimum ||
      value > maximum) {
    return core::Error::invalid(
        "must be an integer from " + std::to_string(minimum) + " to " + std::to_string(maximum),
        std::string(name));
  }
  return value;
}

}  // namespace aic::api
