// Prompt templates in the database: named prompts of a tenant, their immutable numbered
// versions and movable labels ("production" → version 3).
//
// A prompt is created with its first version; each new version gets the next number (the
// prompt row's counter, incremented under its row lock, so concurrent writers never share a
// number). Versions are never changed or deleted, except with their prompt. A label names one
// version and moves when set again; "latest" is reserved and always means the newest version.
//
// Tenant isolation as in identity/: every function takes the acting Principal, and another
// tenant's prompt is kNotFound. Every change appends its audit event in its own transaction.
//
// Threading: thread-safe; every call blocks on the database (run it on the worker pool).
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ai/prompts/prompt_template.hpp"
#include "audit/audit_log.hpp"
#include "core/principal.hpp"
#include "core/random.hpp"
#include "core/result.hpp"
#include "store/database.hpp"
#include "store/page.hpp"

namespace aic::ai {

// The label a render without label or version uses when the prompt has it.
inline constexpr std::string_view kProductionLabel = "production";
// Means the newest version; cannot be set or deleted.
inline constexpr std::string_view kLatestLabel = "latest";
inline constexpr std::size_t kMaxLabelsPerPrompt = 50;

struct PromptLabel {
  std::string name;
  std::int64_t version = 0;
  std::string updated_at;
};

struct Prompt {
  std::string id;  // "prm_…"
  std::string tenant_id;
  std::string name;
  std::string description;
  std::int64_t latest_version = 0;
  std::vector<PromptLabel> labels;  // by name
  std::string created_at;
  std::string updated_at;  // the last version added or label moved
};

struct PromptVersion {
  std::string prompt_name;
  std::int64_t version = 0;
  PromptTemplate content;           // empty messages and variables in list summaries
  std::vector<std::string> labels;  // the labels naming this version, by name
  std::string created_at;
  std::string created_by;  // the principal's id
};

// A prompt with its newest version, as created and as read by name.
struct PromptWithLatest {
  Prompt prompt;
  PromptVersion latest;
};

struct NewPrompt {
  std::string name;  // ^[a-z0-9][a-z0-9._-]{0,99}$, unique in the tenant
  std::string description;
  PromptTemplate first_version;
};

// Which version to render: a label, a version number, or neither ("production" when the
// prompt has that label, else the newest version). Not both.
struct PromptSelector {
  std::optional<std::string> label;
  std::optional<std::int64_t> version;
};

struct RenderedPrompt {
  std::string name;
  std::int64_t version = 0;          // the version that was rendered
  std::optional<std::string> model;  // the version's model, when it names one
  std::vector<PromptMessage> messages;
};

// Field checks; errors name the JSON pointer at fault ("/name", "/description").
core::Status validate_prompt_name(std::string_view name);
core::Status validate_prompt_description(std::string_view description);
// "label" (the path parameter) at fault; "latest" is refused.
core::Status validate_label_name(std::string_view label);

class PromptStore {
 public:
  PromptStore(store::Database& database, core::Random& random, audit::AuditLog& audit);
  PromptStore(const PromptStore&) = delete;
  PromptStore& operator=(const PromptStore&) = delete;

  // validate_prompt_template() on the first version; kConflict when the tenant has a prompt
  // of that name.
  core::Result<PromptWithLatest> create_prompt(const core::Principal& actor,
                                               const NewPrompt& request,
                                               const audit::Origin& origin);
  // Oldest first, with their labels.
  core::Result<store::PageOf<Prompt>> list_prompts(const core::Principal& actor,
                                                   const store::PageRequest& page);
  core::Result<PromptWithLatest> get_prompt(const core::Principal& actor, std::string_view name);
  // kNotFound unless the actor's tenant has a prompt `name` (a cheaper get_prompt()).
  core::Status require_prompt(const core::Principal& actor, std::string_view name);
  // Deletes the prompt with all its versions and labels.
  core::Status delete_prompt(const core::Principal& actor, std::string_view name,
                             const audit::Origin& origin);

  // Saves `content` as the next version (validate_prompt_template() first; kNotFound wins).
  core::Result<PromptVersion> add_version(const core::Principal& actor, std::string_view name,
                                          const PromptTemplate& content,
                                          const audit::Origin& origin);
  // Summaries (no messages or variables) in version order. `page.after` is the
  // (created_at, version) of the last item of the previous page.
  core::Result<store::PageOf<PromptVersion>> list_versions(const core::Principal& actor,
                                                           std::string_view name,
                                                           const store::PageRequest& page);
  core::Result<PromptVersion> get_version(const core::Principal& actor, std::string_view name,
                                          std::int64_t version);

  // Points `label` at `version` (creating the label or moving it). kInvalidArgument naming
  // "/version" when the prompt has no such version.
  core::Result<PromptLabel> set_label(const core::Principal& actor, std::string_view name,
                                      std::string_view label, std::int64_t version,
                                      const audit::Origin& origin);
  core::Status delete_label(const core::Principal& actor, std::string_view name,
                            std::string_view label, const audit::Origin& origin);

  // Renders the selected version with `variables` (render_prompt()). Errors: kNotFound for
  // the prompt, its label or version; kInvalidArgument naming "/label", "/version" or
  // "/variables/<name>" (pointers relative to the selector and variables' parent object).
  core::Result<RenderedPrompt> render(const core::Principal& actor, std::string_view name,
                                      const PromptSelector& selector,
                                      const boost::json::object& variables);

 private:
  store::Database& database_;
  core::Random& random_;
  audit::AuditLog& audit_;
};

}  // namespace aic::ai
