#include "ai/redaction.hpp"

#include <array>
#include <boost/json.hpp>

#include "ai/formats/json_fields.hpp"

namespace aic::ai {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
// Characters of a token: what API keys, JWTs and ids are made of.
bool is_token_char(char c) {
  return is_digit(c) || is_alpha(c) || c == '_' || c == '-' || c == '.' || c == '+' || c == '/' ||
         c == '=';
}
bool is_email_local(char c) {
  return is_digit(c) || is_alpha(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}
bool is_email_domain(char c) { return is_digit(c) || is_alpha(c) || c == '.' || c == '-'; }

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool starts_with_ci(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (lower(text[i]) != prefix[i]) return false;
  }
  return true;
}

// Whether a token (a maximal run of token characters) is a credential by its shape.
bool looks_like_credential(std::string_view token) {
  static constexpr std::array<std::string_view, 7> kPrefixes = {
      "sk-", "sk_", "aic_live_", "aic_test_", "whsec_", "xoxb-", "ghp_"};
  for (std::string_view prefix : kPrefixes) {
    if (token.size() >= prefix.size() + 8 && token.starts_with(prefix)) return true;
  }
  if (token.size() >= 20 && token.starts_with("AKIA")) return true;
  if (token.size() >= 20 && token.starts_with("eyJ") && token.find('.') != std::string_view::npos)
    return true;  // a JWT
  if (token.size() < 32) return false;
  bool letters = false;
  bool digits = false;
  for (char c : token) {
    letters = letters || is_alpha(c);
    digits = digits || is_digit(c);
  }
  return letters && digits;
}

// The e-mail address whose '@' is at `at`: [begin, end) or {at, at} when there is none.
std::pair<std::size_t, std::size_t> email_around(std::string_view text, std::size_t at) {
  std::size_t begin = at;
  while (begin > 0 && is_email_local(text[begin - 1])) --begin;
  std::size_t end = at + 1;
  while (end < text.size() && is_email_domain(text[end])) ++end;
  while (end > at + 1 && (text[end - 1] == '.' || text[end - 1] == '-')) --end;
  std::string_view domain = text.substr(at + 1, end - at - 1);
  if (begin == at || domain.find('.') == std::string_view::npos) return {at, at};
  return {begin, end};
}

// The digit run starting at `at` (groups joined by one space or dash): its end and its
// number of digits.
std::pair<std::size_t, std::size_t> digit_run(std::string_view text, std::size_t at) {
  std::size_t end = at;
  std::size_t digits = 0;
  while (end < text.size()) {
    if (is_digit(text[end])) {
      ++digits;
      ++end;
    } else if ((text[end] == ' ' || text[end] == '-') && end + 1 < text.size() &&
               is_digit(text[end + 1])) {
      ++end;
    } else {
      break;
    }
  }
  return {end, digits};
}

bool is_secret_name(std::string_view name) {
  static constexpr std::array<std::string_view, 12> kNames = {
      "api_key", "apikey", "api-key", "x-api-key",    "authorization", "password",
      "passwd",  "secret", "token",   "access_token", "refresh_token", "client_secret"};
  for (std::string_view candidate : kNames) {
    if (name.size() == candidate.size() && starts_with_ci(name, candidate)) return true;
  }
  return false;
}

void redact_value(boost::json::value& value) {
  if (value.is_string()) {
    value = redact_text(json::view(value.get_string()));
  } else if (value.is_array()) {
    for (auto& item : value.get_array()) redact_value(item);
  } else if (value.is_object()) {
    for (auto& member : value.get_object()) {
      std::string_view name(member.key().data(), member.key().size());
      if (is_secret_name(name) && !member.value().is_null()) {
        member.value() = "[redacted]";
      } else {
        redact_value(member.value());
      }
    }
  }
}

}  // namespace

std::string redact_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t at = 0;
  while (at < text.size()) {
    const char c = text[at];
    if (starts_with_ci(text.substr(at), "bearer ") && (at == 0 || !is_token_char(text[at - 1]))) {
      std::size_t end = at + 7;
      while (end < text.size() && is_token_char(text[end])) ++end;
      if (end > at + 7) {
        out.append(text.substr(at, 7)).append("[credential]");
        at = end;
        continue;
      }
    }
    if (is_token_char(c) && (at == 0 || !is_token_char(text[at - 1]))) {
      std::size_t end = at;
      while (end < text.size() && is_token_char(text[end])) ++end;
      std::string_view token = text.substr(at, end - at);
      // An e-mail address starts inside a token: that check comes at its '@'.
      if (end >= text.size() || text[end] != '@') {
        if (looks_like_credential(token)) {
          out += "[credential]";
          at = end;
          continue;
        }
      }
    }
    if (c == '@') {
      auto [begin, end] = email_around(text, at);
      const std::string_view local = text.substr(begin, at - begin);
      // The local part was copied already, unchanged unless something in it was replaced
      // (then the address is left as its replacements plus "[email]").
      if (end > at && std::string_view(out).ends_with(local)) {
        out.resize(out.size() - local.size());
        out += "[email]";
        at = end;
        continue;
      }
      if (end > at) {
        out += "[email]";
        at = end;
        continue;
      }
    }
    if (is_digit(c) && (at == 0 || !is_digit(text[at - 1]))) {
      auto [end, digits] = digit_run(text, at);
      if (digits >= 12) {
        out += "[number]";
        at = end;
        continue;
      }
      out.append(text.substr(at, end - at));
      at = end;
      continue;
    }
    out += c;
    ++at;
  }
  return out;
}

std::string redacted_excerpt(std::string_view body, std::size_t limit) {
  boost::system::error_code error;
  boost::json::value document = boost::json::parse(body, error);
  std::string redacted;
  if (error) {
    redacted = redact_text(body);
  } else {
    redact_value(document);
    redacted = boost::json::serialize(document);
  }
  return json::body_excerpt(redacted, limit);
}

}  // namespace aic::ai
