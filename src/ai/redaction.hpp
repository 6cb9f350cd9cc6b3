// What the gateway's request log may show of a request or an answer body (ai.log_bodies):
// the body with secrets and personal data replaced, cut to a length.
//
// JSON bodies are walked value by value: a member whose name says it holds a secret
// ("api_key", "authorization", "password", "secret", "token" and their spellings) loses its
// value; every string is then scanned for credentials by shape (sk-…, aic_live_…, whsec_…,
// AKIA…, JWTs, a Bearer token, any 32+ character run mixing letters and digits), e-mail
// addresses, and runs of 12 or more digits (card and account numbers; spaces and dashes
// between groups allowed). Text that is not JSON gets the string scan alone. Pure; a
// heuristic that errs towards hiding, not a guarantee.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace aic::ai {

// `text` with credentials, e-mail addresses and long digit runs replaced by "[credential]",
// "[email]" and "[number]".
std::string redact_text(std::string_view text);

// A JSON or text body redacted as above, then cut to at most `limit` bytes at a character
// boundary (json::body_excerpt).
std::string redacted_excerpt(std::string_view body, std::size_t limit = 4096);

}  // namespace aic::ai
