// The `aic` command line: serve, migrate, config check, admin, audit, openapi, events, finance,
// version.
#pragma once

#include <string>

#include "core/config.hpp"

namespace aic::cli {

// Parses argv and runs the chosen command; returns the process exit code.
int run(int argc, char** argv);

// `aic serve`: runs the server until SIGTERM/SIGINT, then drains. Returns the exit code.
// REQUIRES: called on the main thread before any other thread was started.
int serve(const core::Config& config);

// `aic admin bootstrap`: creates the platform operator's API key and prints it once.
int admin_bootstrap(const core::Config& config, bool new_key, bool json);
// `aic admin seed-demo`: a demo tenant with fictional companies and their data.
int admin_seed_demo(const core::Config& config, bool json);

// `aic admin create-tenant`: a tenant, its owner and the owner's first API key.
int admin_create_tenant(const core::Config& config, const std::string& name,
                        const std::string& owner_email, const std::string& slug,
                        const std::string& plan, bool json);
// `aic openapi`: writes the OpenAPI 3.1 document of every route `aic serve` registers to
// `output_path` (stdout when empty or "-"), without a configuration or a database.
int print_openapi(const std::string& output_path);
// `aic admin rotate-signing-key`: a new key signs access tokens from now on; the old one
// verifies until its tokens have expired.
int admin_rotate_signing_key(const core::Config& config, bool json);
// `aic audit verify`: checks every audit chain (or one tenant's). Exit 0 when intact, 4 when
// an event was changed, deleted or reordered (the first bad one is named).
int audit_verify(const core::Config& config, const std::string& tenant, bool json);

// `aic finance parse`: reads a bank file offline and prints its normalised statements (JSON
// with `json`). Exit 0, 1 when the file cannot be read or parsed, 2 for an unknown format.
int finance_parse(const std::string& format, const std::string& path, bool json);

struct ScoreOptions {
  std::string edgar_file;
  std::string period_end;  // YYYY-MM-DD; empty for the latest
  bool quarterly = false;
  bool is_private = false;
  bool manufacturing = false;
  bool json = false;
};
// `aic finance score`: the scores of one period of a companyfacts file, offline. Exit 1 when
// the file cannot be read or has no such period, 2 for a bad --period-end.
int finance_score(const ScoreOptions& options);

// `aic finance sentiment`: the sentiment of one text with its evidence, offline (JSON with
// `json`). Exit 0.
int finance_sentiment(const std::string& text, bool json);
// `aic finance eval-sentiment`: scores a file of `sentence@label` lines and prints accuracy,
// per-class precision, recall and F1, macro-F1 and the confusion matrix (with `errors`, every
// misclassified line). Exit 1 when the file cannot be read or a line is malformed.
int finance_eval_sentiment(const std::string& path, bool json, bool errors);

}  // namespace aic::cli
