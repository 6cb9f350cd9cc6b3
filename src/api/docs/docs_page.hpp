// The API description as one readable HTML page: operations grouped by tag, each with its
// permission, parameters, request body and responses, then every schema with its members.
// Self-contained (inline CSS, no scripts, no external resources), so it works offline and
// under a Content-Security-Policy of `default-src 'none'; style-src 'unsafe-inline'`.
#pragma once

#include <string>
#include <string_view>

namespace aic::api::docs {

// The page for an OpenAPI document as openapi_document() writes it. Every text from the
// document is HTML-escaped. Throws std::invalid_argument when `openapi_json` is not a JSON
// object.
std::string docs_page(std::string_view openapi_json);

// `text` with & < > " ' replaced by character references.
std::string html_escape(std::string_view text);

}  // namespace aic::api::docs
