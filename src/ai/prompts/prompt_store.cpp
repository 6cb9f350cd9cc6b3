#include "ai/prompts/prompt_store.hpp"

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <charconv>
#include <cstdio>

#include "core/utc_time.hpp"

namespace aic::ai {
namespace {

using core::Error;
using core::ErrorCode;
using core::Result;
using store::Access;
using store::Transaction;
using store::Value;

constexpr std::string_view kPromptColumns =
    "id, tenant_id, name, description, latest_version, created_at, updated_at";

bool lower_alphanumeric(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

bool has_control_characters(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    auto byte = static_cast<unsigned char>(c);
    return (byte < 0x20 && c != '\t' && c != '\n' && c != '\r') || byte == 0x7f;
  });
}

Error prompt_not_found(std::string_view name) {
  return Error::make(ErrorCode::kNotFound, "prompt `" + std::string(name) + "` not found");
}

core::Status require_tenant(const core::Principal& actor) {
  if (actor.tenant_id.empty()) {
    return Error::make(ErrorCode::kPermissionDenied,
                       "prompts belong to a tenant; the platform operator has none");
  }
  return {};
}

Prompt prompt_from_row(store::QueryResult& result, std::size_t row) {
  Prompt prompt;
  prompt.id = result.take_text(row, 0);
  prompt.tenant_id = result.take_text(row, 1);
  prompt.name = result.take_text(row, 2);
  prompt.description = result.take_text(row, 3);
  prompt.latest_version = result.integer(row, 4);
  prompt.created_at = result.take_text(row, 5);
  prompt.updated_at = result.take_text(row, 6);
  return prompt;
}

// The prompt `name` of `tenant_id`, or kNotFound. On PostgreSQL `for_update` holds its row
// until the transaction ends, which serialises the writers of one prompt (SQLite has one
// writer at a time anyway).
Result<Prompt> find_prompt(Transaction& tx, const std::string& tenant_id, std::string_view name,
                           bool for_update) {
  if (!validate_prompt_name(name)) return prompt_not_found(name);  // cannot exist
  std::string sql = "SELECT " + std::string(kPromptColumns) +
                    " FROM ai_prompts WHERE tenant_id = $1 AND name = $2";
  if (for_update && tx.backend() == store::Backend::kPostgres) sql += " FOR UPDATE";
  auto rows = tx.execute(sql, {tenant_id, std::string(name)});
  if (!rows) return std::move(rows).error();
  if (rows->rows.empty()) return prompt_not_found(name);
  return prompt_from_row(*rows, 0);
}

core::Status load_labels(Transaction& tx, Prompt& prompt) {
  auto rows = tx.execute(
      "SELECT label, version, updated_at FROM ai_prompt_labels WHERE prompt_id = $1 "
      "ORDER BY label",
      {prompt.id});
  if (!rows) return std::move(rows).error();
  prompt.labels.clear();
  for (std::size_t i = 0; i < rows->rows.size(); ++i) {
    prompt.labels.push_back(
        PromptLabel{rows->take_text(i, 0), rows->integer(i, 1), rows->take_text(i, 2)});
  }
  return {};
}

std::vector<std::string> labels_of(const Prompt& prompt, std::int64_t version) {
  std::vector<std::string> out;
  for (const auto& label : prompt.labels) {
    if (label.version == version) out.push_back(label.name);
  }
  return out;
}

Error no_version(std::string_view name, std::int64_t version) {
  return Error::make(ErrorCode::kNotFound, "prompt `" + std::string(name) + "` has no version " +
                                               std::to_string(version));
}

// Version `version` of `prompt` (whose labels are loaded), with its content.
Result<PromptVersion> load_version(Transaction& tx, const Prompt& prompt, std::int64_t version) {
  auto rows = tx.execute(
      "SELECT body, created_at, created_by FROM ai_prompt_versions "
      "WHERE prompt_id = $1 AND version = $2",
      {prompt.id, version});
  if (!rows) return std::move(rows).error();
  if (rows->rows.empty()) return no_version(prompt.name, version);
  auto content = read_stored_prompt_template(rows->text(0, 0));
  if (!content) return std::move(content).error();
  PromptVersion out;
  out.prompt_name = prompt.name;
  out.version = version;
  out.content = std::move(*content);
  out.labels = labels_of(prompt, version);
  out.created_at = rows->take_text(0, 1);
  out.created_by = rows->take_text(0, 2);
  return out;
}

core::Status insert_version(Transaction& tx, const Prompt& prompt, const PromptVersion& version) {
  const PromptTemplate& content = version.content;
  auto inserted = tx.execute(
      "INSERT INTO ai_prompt_versions (prompt_id, tenant_id, version, description, model, body, "
      "created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
      {prompt.id, prompt.tenant_id, version.version, content.description,
       content.model ? Value(*content.model) : Value(nullptr),
       boost::json::serialize(to_json(content)), version.created_at, version.created_by});
  if (!inserted) return std::move(inserted).error();
  return {};
}

core::Status append_audit(audit::AuditLog& log, Transaction& tx, const core::Principal& actor,
                          const audit::Origin& origin, std::string action,
                          const std::string& prompt_id, std::string details) {
  audit::Event event = audit::event_by(actor, origin, std::move(action));
  event.target_type = "ai_prompt";
  event.target_id = prompt_id;
  event.details = std::move(details);
  auto appended = log.append(tx, event);
  if (!appended) return std::move(appended).error();
  return {};
}

core::Status touch(Transaction& tx, const Prompt& prompt, const std::string& now) {
  auto updated =
      tx.execute("UPDATE ai_prompts SET updated_at = $2 WHERE id = $1", {prompt.id, now});
  if (!updated) return std::move(updated).error();
  return {};
}

}  // namespace

core::Status validate_prompt_name(std::string_view name) {
  bool valid = !name.empty() && name.size() <= 100 && lower_alphanumeric(name.front()) &&
               std::all_of(name.begin(), name.end(), [](char c) {
                 return lower_alphanumeric(c) || c == '.' || c == '_' || c == '-';
               });
  if (!valid) {
    return Error::invalid(
        "must be 1 to 100 of a-z, 0-9, '.', '_' and '-', starting with a letter or digit", "/name");
  }
  return {};
}

core::Status validate_prompt_description(std::string_view description) {
  if (description.size() > 500 || has_control_characters(description)) {
    return Error::invalid("must be at most 500 bytes without control characters", "/description");
  }
  return {};
}

core::Status validate_label_name(std::string_view label) {
  if (label == kLatestLabel) {
    return Error::invalid("`latest` always means the newest version and cannot be set or deleted",
                          "label");
  }
  bool valid = !label.empty() && label.size() <= 32 && label.front() >= 'a' &&
               label.front() <= 'z' && std::all_of(label.begin(), label.end(), [](char c) {
                 return lower_alphanumeric(c) || c == '_' || c == '-';
               });
  if (!valid) {
    return Error::invalid("must be 1 to 32 of a-z, 0-9, '_' and '-', starting with a letter",
                          "label");
  }
  return {};
}

PromptStore::PromptStore(store::Database& database, core::Random& random, audit::AuditLog& audit)
    : database_(database), random_(random), audit_(audit) {}

Result<PromptWithLatest> PromptStore::create_prompt(const core::Principal& actor,
                                                    const NewPrompt& request,
                                                    const audit::Origin& origin) {
  if (auto ok = require_tenant(actor); !ok) return std::move(ok).error();
  if (auto ok = validate_prompt_name(request.name); !ok) return std::move(ok).error();
  if (auto ok = validate_prompt_description(request.description); !ok) {
    return std::move(ok).error();
  }
  if (auto ok = validate_prompt_template(request.first_version); !ok) {
    return std::move(ok).error();
  }
  PromptWithLatest created;
  Prompt& prompt = created.prompt;
  prompt.id = core::time_ordered_id("prm_", random_);
  prompt.tenant_id = actor.tenant_id;
  prompt.name = request.name;
  prompt.description = request.description;
  prompt.latest_version = 1;
  prompt.created_at = prompt.updated_at = core::utc_now_millis();
  PromptVersion& version = created.latest;
  version.prompt_name = prompt.name;
  version.version = 1;
  version.content = request.first_version;
  version.created_at = prompt.created_at;
  version.created_by = actor.id;

  auto status = database_.transact(Access::kReadWrite, [&](Transaction& tx) -> core::Status {
    auto inserted = tx.execute(
        "INSERT INTO ai_prompts (id, tenant_id, name, description, latest_version, created_at, "
        "updated_at) VALUES ($1, $2, $3, $4, 1, $5, $5)",
        {prompt.id, prompt.tenant_id, prompt.name, prompt.description, prompt.created_at});
    if (!inserted) {
      if (inserted.error().code != ErrorCode::kConflict) return std::move(inserted).error();
      Error taken = Error::make(ErrorCode::kConflict,
                                "a prompt named `" + prompt.name +
                                    "` exists; add a version to it or choose another name");
      taken.field = "/name";
      return taken;
    }
    if (auto ok = insert_version(tx, prompt, version); !ok) return ok;
    return append_audit(audit_, tx, actor, origin, "ai_prompt.created", prompt.id,
                        audit::details_json({{"name", prompt.name}, {"version", "1"}}));
  });
  if (!status) return std::move(status).error();
  return created;
}

Result<store::PageOf<Prompt>> PromptStore::list_prompts(const core::Principal& actor,
                                                        const store::PageRequest& page) {
  if (auto ok = require_tenant(actor); !ok) return std::move(ok).error();
  std::string sql =
      "SELECT " + std::string(kPromptColumns) + " FROM ai_prompts WHERE tenant_id = $1";
  std::vector<Value> params{actor.tenant_id};
  store::append_page(page, sql, params);
  store::PageOf<Prompt> prompts;
  auto status = database_.transact(Access::kReadOnly, [&](Transaction& tx) -> core::Status {
    if (auto ok = store::read_page(tx, sql, params, page.limit, prompt_from_row, prompts); !ok) {
      return ok;
    }
    if (prompts.items.empty()) return {};
    std::string labels_sql =
        "SELECT prompt_id, label, version, updated_at FROM ai_prompt_labels "
        "WHERE tenant_id = $1 AND prompt_id IN (";
    std::vector<Value> label_params{actor.tenant_id};
    for (const auto& prompt : prompts.items) {
      if (label_params.size() > 1) labels_sql += ", ";
      label_params.emplace_back(prompt.id);
      labels_sql += "$" + std::to_string(label_params.size());
    }
    labels_sql += ") ORDER BY prompt_id, label";
    auto rows = tx.execute(labels_sql, label_params);
    if (!rows) return std::move(rows).error();
    for (std::size_t i = 0; i < rows->rows.size(); ++i) {
      std::string prompt_id = rows->text(i, 0);
      auto owner = std::find_if(prompts.items.begin(), prompts.items.end(),
                                [&](const Prompt& prompt) { return prompt.id == prompt_id; });
      if (owner == prompts.items.end()) continue;
      owner->labels.push_back(
          PromptLabel{rows->take_text(i, 1), rows->integer(i, 2), rows->take_text(i, 3)});
    }
    return {};
  });
  if (!status) return std::move(status).error();
  return prompts;
}

Result<PromptWithLatest> PromptStore::get_prompt(const core::Principal& actor,
                                                 std::string_view name) {
  if (auto ok = require_tenant(actor); !ok) return std::move(ok).error();
  std::optional<PromptWithLatest> found;
  auto status = database_.transact(Access::kReadOnly, [&](Transaction& tx) -> core::Status {
    auto prompt = find_prompt(tx, actor.tenant_id, name, false);
    if (!prompt) return std::move(prompt).error();
    if (auto ok = load_labels(tx, *prompt); !ok) return ok;
    auto latest = load_version(tx, *prompt, prompt->latest_version);
    if (!latest) return std::move(latest).error();
    found = PromptWithLatest{std::move(*prompt), std::move(*latest)};
    return {};
  });
  if (!status) return std::move(status).error();
  return std::move(*found);
}

core::Status PromptStore::require_prompt(const core::Principal& actor, std::string_view name) {
  if (auto ok = require_tenant(actor); !ok) return ok;
  return database_.transact(Access::kReadOnly, [&](Transaction& tx) -> core::Status {
    auto prompt = find_prompt(tx, actor.tenant_id, name, false);
    if (!prompt) return std::move(prompt).error();
    return {};
  });
}

core::Status PromptStore::delete_prompt(const core::Principal& actor, std::string_view name,
                                        const audit::Origin& origin) {
  if (auto ok = require_tenant(actor); !ok) return ok;
  return database_.transact(Access::kReadWrite, [&](Transaction& tx) -> core::Status {
    auto prompt = find_prompt(tx, actor.tenant_id, name, true);
    if (!prompt) return std::move(prompt).error();
    // Labels refer to versions, versions to the prompt: deleted in that order.
    for (std::string_view table : {"ai_prompt_labels", "ai_prompt_versions"}) {
      auto deleted = tx.execute(
          "DELETE FROM " + std::string(table) + " WHERE tenant_id = $1 AND prompt_id = $2",
          {actor.tenant_id, prompt->id});
      if (!deleted) return std::move(deleted).error();
    }
    auto deleted = tx.execute("DELETE FROM ai_prompts WHERE tenant_id = $1 AND id = $2",
                              {actor.tenant_id, prompt->id});
    if (!deleted) return std::move(deleted).error();
    return append_audit(
        audit_, tx, actor, origin, "ai_prompt.deleted", prompt->id,
        audit::details_json(
            {{"name", prompt->name}, {"versions", std::to_string(prompt->latest_version)}}));
  });
}

Result<PromptVersion> PromptStore::add_version(const core::Principal& actor, std::string_view name,
                                               const PromptTemplate& content,
                                               const audit::Origin& origin) {
  if (auto ok = require_tenant(actor); !ok) return std::move(ok).error();
  if (auto ok = validate_prompt_template(content); !ok) {
    // Another tenant's prompt is not found, whatever is wrong with the version.
    if (auto exists = require_prompt(actor, name); !exists) return std::move(exists).error();
    return std::move(ok).error();
  }
  PromptVersion version;
  version.content = content;
  version.created_by = actor.id;
  auto status = database_.transact(Access::kReadWrite, [&](Transaction& tx) -> core::Status {
    auto prompt = find_prompt(tx, actor.tenant_id, name, true);
    if (!prompt) return std::move(prompt).error();
    // The row is held: the next number is ours alone. The primary key (prompt_id, version)
    // would refuse a duplicate anyway.
    version.prompt_name = prompt->name;
    version.version = prompt->latest_version + 1;
    version.created_at = core::utc_now_millis();
    auto counted =
        tx.execute("UPDATE ai_prompts SET latest_version = $2, updated_at = $3 WHERE id = $1",
                   {prompt->id, version.version, version.created_at});
    if (!counted) return std::move(counted).error();
    if (auto ok = insert_version(tx, *prompt, version); !ok) return ok;
    return append_audit(audit_, tx, actor, origin, "ai_prompt.version_created", prompt->id,
                        audit::details_json({{"name", prompt->name},
                                             {"version", std::to_string(version.version)}}));
  });
  if (!status) return std::move(status).error();
  return version;
}

Result<store::PageOf<PromptVersion>> PromptStore::list_versions(const core::Principal& actor,
                                                                std::string_view name,
                                                                const store::PageRequest& page) {
  if (auto ok = require_tenant(actor); !ok) return std::move(ok).error();
  std::int64_t after = 0;
  if (page.after) {
    const std::string& text = page.after->second;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), after);
    if (error != std::errc() || end != text.data() + text.size() || after < 0) {
      return Error::invalid("is not a cursor this API returned", "cursor");
    }
  }
  store::PageOf<PromptVersion> versions;
  auto status = database_.transact(Access::kReadOnly, [&](Transaction& tx) -> core::Status {
    auto prompt = find_prompt(tx, actor.tenant_id, name, false);
    if (!prompt) return std::move(prompt).error();
    if (auto ok = load_labels(tx, *prompt); !ok) return ok;
    auto rows = tx.execute(
        "SELECT version, description, model, created_at, created_by FROM ai_prompt_versions "
        "WHERE prompt_id = $1 AND version > $2 ORDER BY version LIMIT " +
            std::to_string(page.limit + 1),
        {prompt->id, after});
    if (!rows) return std::move(rows).error();
    for (std::size_t i = 0; i < rows->rows.size() && i < page.limit; ++i) {
      PromptVersion version;
      version.prompt_name = prompt->name;
      version.version = rows->integer(i, 0);
      version.content.description = rows->take_text(i, 1);
      if (!rows->is_null(i, 2)) version.content.model = rows->take_text(i, 2);
      version.labels = labels_of(*prompt, version.version);
      version.created_at = rows->take_text(i, 3);
      version.created_by = rows->take_text(i, 4);
      versions.items.push_back(std::move(version));
    }
    versions.more = rows->rows.size() > page.limit;
    return {};
  });
  if (!status) return std::move(status).error();
  return versions;
}

Result<PromptVersion> PromptStore::get_version(const core::Principal& actor, std::string_view name,
                                               std::int64_t version) {
  if (auto ok = require_tenant(actor); !ok) return std::move(ok).error();
  std::optional<PromptVersion> found;
  auto status = database_.transact(Access::kReadOnly, [&](Transaction& tx) -> core::Status {
    auto prompt = find_prompt(tx, actor.tenant_id, name, false);
    if (!prompt) return std::move(prompt).error();
    if (auto ok = load_labels(tx, *prompt); !ok) return ok;
    auto loaded = load_version(tx, *prompt, version);
    if (!loaded) return std::move(loaded).error();
    found = std::move(*loaded);
    return {};
  });
  if (!status) return std::move(status).error();
  return std::move(*found);
}

Result<PromptLabel> PromptStore::set_label(const core::Principal& actor, std::string_view name,
                                           std::string_view label, std::int64_t version,
                                           const audit::Origin& origin) {
  if (auto ok = require_tenant(actor); !ok) return std::move(ok).error();
  if (auto ok = validate_label_name(label); !ok) return std::move(ok).error();
  if (version < 1) return Error::invalid("must be a version number (1 or more)", "/version");
  PromptLabel result;
  auto status = database_.transact(Access::kReadWrite, [&](Transaction& tx) -> core::Status {
    auto prompt = find_prompt(tx, actor.tenant_id, name, true);
    if (!prompt) return std::move(prompt).error();
    if (version > prompt->latest_version) {
      return Error::invalid("prompt `" + prompt->name + "` has no version " +
                                std::to_string(version) + "; its newest is " +
                                std::to_string(prompt->latest_version),
                            "/version");
    }
    if (auto ok = load_labels(tx, *prompt); !ok) return ok;
    auto existing = std::find_if(prompt->labels.begin(), prompt->labels.end(),
                                 [&](const PromptLabel& each) { return each.name == label; });
    if (existing != prompt->labels.end() && existing->version == version) {
      result = *existing;  // already there: nothing changes, nothing to audit
      return {};
    }
    if (existing == prompt->labels.end() && prompt->labels.size() >= kMaxLabelsPerPrompt) {
      return Error::invalid("a prompt has at most 50 labels; delete one first", "label");
    }
    result = PromptLabel{std::string(label), version, core::utc_now_millis()};
    auto written = tx.execute(
        "INSERT INTO ai_prompt_labels (prompt_id, tenant_id, label, version, updated_at) "
        "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (prompt_id, label) "
        "DO UPDATE SET version = excluded.version, updated_at = excluded.updated_at",
        {prompt->id, prompt->tenant_id, result.name, version, result.updated_at});
    if (!written) return std::move(written).error();
    if (auto ok = touch(tx, *prompt, result.updated_at); !ok) return ok;
    std::string previous =
        existing == prompt->labels.end() ? std::string() : std::to_string(existing->version);
    return append_audit(audit_, tx, actor, origin, "ai_prompt.label_set", prompt->id,
                        audit::details_json({{"name", prompt->name},
                                             {"label", result.name},
                                             {"version", std::to_string(version)},
                                             {"previous_version", previous}}));
  });
  if (!status) return std::move(status).error();
  return result;
}

core::Status PromptStore::delete_label(const core::Principal& actor, std::string_view name,
                                       std::string_view label, const audit::Origin& origin) {
  if (auto ok = require_tenant(actor); !ok) return ok;
  if (auto ok = validate_label_name(label); !ok) return ok;
  return database_.transact(Access::kReadWrite, [&](Transaction& tx) -> core::Status {
    auto prompt = find_prompt(tx, actor.tenant_id, name, true);
    if (!prompt) return std::move(prompt).error();
    auto found =
        tx.execute("SELECT version FROM ai_prompt_labels WHERE prompt_id = $1 AND label = $2",
                   {prompt->id, std::string(label)});
    if (!found) return std::move(found).error();
    if (found->rows.empty()) {
      return Error::make(ErrorCode::kNotFound,
                         "prompt `" + prompt->name + "` has no label `" + std::string(label) + "`");
    }
    const std::int64_t version = found->integer(0, 0);
    auto deleted = tx.execute("DELETE FROM ai_prompt_labels WHERE prompt_id = $1 AND label = $2",
                              {prompt->id, std::string(label)});
    if (!deleted) return std::move(deleted).error();
    if (auto ok = touch(tx, *prompt, core::utc_now_millis()); !ok) return ok;
    return append_audit(audit_, tx, actor, origin, "ai_prompt.label_deleted", prompt->id,
                        audit::details_json({{"name", prompt->name},
                                             {"label", std::string(label)},
                                             {"version", std::to_string(version)}}));
  });
}

Result<RenderedPrompt> PromptStore::render(const core::Principal& actor, std::string_view name,
                                           const PromptSelector& selector,
                                           const boost::json::object& variables) {
  if (auto ok = require_tenant(actor); !ok) return std::move(ok).error();
  if (selector.label && selector.version) {
    return Error::invalid("give `label` or `version`, not both", "/version");
  }
  if (selector.version && *selector.version < 1) {
    return Error::invalid("must be a version number (1 or more)", "/version");
  }
  if (selector.label && *selector.label != kLatestLabel) {
    if (auto ok = validate_label_name(*selector.label); !ok) {
      Error error = std::move(ok).error();
      error.field = "/label";
      return error;
    }
  }
  // Without a selector: "production" if the prompt has it, else the newest version.
  const std::string label =
      selector.label ? *selector.label
                     : (selector.version ? std::string() : std::string(kProductionLabel));

  RenderedPrompt rendered;
  std::string body;
  auto status = database_.transact(Access::kReadOnly, [&](Transaction& tx) -> core::Status {
    if (!validate_prompt_name(name)) return prompt_not_found(name);
    auto chosen = tx.execute(
        "SELECT p.id, p.name, p.latest_version, l.version FROM ai_prompts p "
        "LEFT JOIN ai_prompt_labels l ON l.prompt_id = p.id AND l.label = $3 "
        "WHERE p.tenant_id = $1 AND p.name = $2",
        {actor.tenant_id, std::string(name), label});
    if (!chosen) return std::move(chosen).error();
    if (chosen->rows.empty()) return prompt_not_found(name);
    const std::string prompt_id = chosen->text(0, 0);
    rendered.name = chosen->take_text(0, 1);
    const std::int64_t latest = chosen->integer(0, 2);
    const bool labelled = !chosen->is_null(0, 3);
    if (selector.version) {
      if (*selector.version > latest) return no_version(rendered.name, *selector.version);
      rendered.version = *selector.version;
    } else if (label == kLatestLabel || (!selector.label && !labelled)) {
      rendered.version = latest;
    } else if (!labelled) {
      return Error::make(ErrorCode::kNotFound,
                         "prompt `" + rendered.name + "` has no label `" + label + "`");
    } else {
      rendered.version = chosen->integer(0, 3);
    }
    auto rows =
        tx.execute("SELECT body FROM ai_prompt_versions WHERE prompt_id = $1 AND version = $2",
                   {prompt_id, rendered.version});
    if (!rows) return std::move(rows).error();
    if (rows->rows.empty()) return no_version(rendered.name, rendered.version);
    body = rows->take_text(0, 0);
    return {};
  });
  if (!status) return std::move(status).error();

  // Rendered after the transaction: CPU work holds no connection.
  auto content = read_stored_prompt_template(body);
  if (!content) return std::move(content).error();
  auto messages = render_prompt(*content, variables);
  if (!messages) return std::move(messages).error();
  rendered.model = std::move(content->model);
  rendered.messages = std::move(*messages);
  return rendered;
}

}  // namespace aic::ai
