#include "ai/tenant_catalog.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "core/logging.hpp"
#include "core/utc_time.hpp"

namespace aic::ai {

namespace {

namespace json = boost::json;
using core::Error;
using core::ErrorCode;
using store::Transaction;

constexpr std::size_t kMaxTableBytes = 64 * 1024;

std::string_view table_name(TenantEntryKind kind) {
  return kind == TenantEntryKind::kProvider ? "ai_tenant_providers" : "ai_tenant_routes";
}
std::string_view noun(TenantEntryKind kind) {
  return kind == TenantEntryKind::kProvider ? "provider" : "route";
}

core::Status require_tenant(const core::Principal& actor) {
  if (actor.tenant_id.empty()) {
    return Error::make(ErrorCode::kPermissionDenied,
                       "AI providers and routes belong to a tenant; the platform operator has "
                       "none (configure the operator's in the config file)");
  }
  return {};
}

Error not_found(TenantEntryKind kind, std::string_view name) {
  return Error::make(ErrorCode::kNotFound,
                     std::string(noun(kind)) + " \"" + std::string(name) + "\" not found");
}

bool valid_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  auto allowed = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
  };
  return allowed(name.front()) && name.front() != '.' &&
         std::all_of(name.begin(), name.end(), allowed);
}

// The host of an http(s) URL ("10.0.0.5", "::1", "api.example.com").
std::string host_of(std::string_view url) {
  std::size_t start = url.find("://");
  if (start == std::string_view::npos) return {};
  url.remove_prefix(start + 3);
  url = url.substr(0, url.find_first_of("/?#"));
  if (std::size_t at = url.rfind('@'); at != std::string_view::npos) url.remove_prefix(at + 1);
  if (url.starts_with('[')) return std::string(url.substr(1, url.find(']') - 1));
  return std::string(url.substr(0, url.find(':')));
}

// The sealed key's context: a key opens only for the tenant and provider it was stored for.
std::string key_context(std::string_view tenant_id, std::string_view name) {
  return "ai_provider:" + std::string(tenant_id) + ":" + std::string(name);
}

// "tenant.models[3].aliases" → (models, 3, "aliases"); nullopt for other shapes.
struct IssuePath {
  std::string table;
  std::size_t index = 0;
  std::string rest;  // after the index, as a JSON pointer ("/aliases", "" for the whole)
};
std::optional<IssuePath> split_path(std::string_view path) {
  if (!path.starts_with("tenant.")) return std::nullopt;
  path.remove_prefix(7);
  std::size_t open = path.find('[');
  std::size_t close = path.find(']');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open)
    return std::nullopt;
  IssuePath out;
  out.table = std::string(path.substr(0, open));
  out.index = std::stoul(std::string(path.substr(open + 1, close - open - 1)));
  std::string rest(path.substr(close + 1));
  for (char& c : rest) {
    if (c == '.') c = '/';
  }
  out.rest = rest;
  return out;
}

}  // namespace

struct TenantCatalogStore::Stored {
  TenantEntryKind kind = TenantEntryKind::kProvider;
  TenantEntry entry;
  std::string sealed_key;  // "" when the provider has none
};

TenantCatalogStore::TenantCatalogStore(store::Database& database, core::Random& random,
                                       audit::AuditLog& audit, TenantCatalogOptions options)
    : database_(database), random_(random), audit_(audit), options_(std::move(options)) {}

core::Result<std::vector<TenantCatalogStore::Stored>> TenantCatalogStore::read_all(
    Transaction& tx, const std::string& tenant_id) {
  std::vector<Stored> out;
  for (TenantEntryKind kind : {TenantEntryKind::kProvider, TenantEntryKind::kRoute}) {
    std::string sql = "SELECT name, config, " +
                      std::string(kind == TenantEntryKind::kProvider ? "api_key" : "''") +
                      ", version, created_at, updated_at FROM " + std::string(table_name(kind)) +
                      " WHERE tenant_id = $1 ORDER BY created_at, name";
    auto rows = tx.execute(sql, {tenant_id});
    if (!rows) return std::move(rows).error();
    for (std::size_t i = 0; i < rows->rows.size(); ++i) {
      Stored stored;
      stored.kind = kind;
      stored.entry.name = rows->take_text(i, 0);
      stored.entry.config = rows->take_text(i, 1);
      stored.sealed_key = rows->take_text(i, 2);
      stored.entry.has_api_key = !stored.sealed_key.empty();
      stored.entry.version = rows->integer(i, 3);
      stored.entry.created_at = rows->take_text(i, 4);
      stored.entry.updated_at = rows->take_text(i, 5);
      out.push_back(std::move(stored));
    }
  }
  return out;
}

namespace {

// The tenant's entries as catalogue JSON, and where each entry's tables landed in it.
struct Built {
  std::string json;
  struct Place {
    std::size_t table_index = 0;  // in providers[] or routes[]
    std::size_t first_model = 0;  // providers: their models in models[]
    std::size_t models = 0;
  };
  std::vector<Place> places;  // one per entry
};

template <typename Entries, typename KeyOf>
Built build(const Entries& entries, KeyOf key_of) {
  json::array providers;
  json::array models;
  json::array routes;
  Built built;
  for (const auto& stored : entries) {
    Built::Place place;
    json::value parsed = json::parse(stored.entry.config);
    json::object table = parsed.is_object() ? std::move(parsed.as_object()) : json::object();
    if (stored.kind == TenantEntryKind::kProvider) {
      place.table_index = providers.size();
      place.first_model = models.size();
      if (auto* listed = table.if_contains("models"); listed != nullptr && listed->is_array()) {
        for (auto& model : listed->as_array()) {
          if (model.is_object()) model.as_object()["provider"] = stored.entry.name;
          models.push_back(model);
          ++place.models;
        }
      }
      table.erase("models");
      if (!stored.sealed_key.empty()) table["api_key"] = key_of(stored);
      providers.push_back(std::move(table));
    } else {
      place.table_index = routes.size();
      routes.push_back(std::move(table));
    }
    built.places.push_back(place);
  }
  built.json = json::serialize(
      json::object{{"providers", providers}, {"models", models}, {"routes", routes}});
  return built;
}

}  // namespace

core::Status TenantCatalogStore::check(const std::string& tenant_id,
                                       const std::vector<Stored>& entries,
                                       std::size_t focus) const {
  // Keys are not opened to be checked: any non-empty value loads the same way.
  Built built = build(entries, [](const Stored&) { return std::string("sealed"); });
  std::vector<core::ConfigIssue> issues;
  Catalog::extend(*options_.base, built.json, tenant_id, issues);
  for (const auto& issue : issues) {
    auto path = split_path(issue.key);
    if (focus < entries.size() && path) {
      const Stored& changed = entries[focus];
      const Built::Place& place = built.places[focus];
      bool own_table = (changed.kind == TenantEntryKind::kProvider && path->table == "providers") ||
                       (changed.kind == TenantEntryKind::kRoute && path->table == "routes");
      if (own_table && path->index == place.table_index)
        return Error::invalid(issue.reason, path->rest.empty() ? "/" : path->rest);
      if (changed.kind == TenantEntryKind::kProvider && path->table == "models" &&
          path->index >= place.first_model && path->index < place.first_model + place.models) {
        return Error::invalid(
            issue.reason,
            "/models/" + std::to_string(path->index - place.first_model) + path->rest);
      }
    }
    // The change breaks another entry (a route loses its model, a name clashes).
    std::string where = issue.key;
    if (path && path->table == "routes") {
      for (std::size_t i = 0; i < entries.size(); ++i) {
        if (entries[i].kind == TenantEntryKind::kRoute &&
            built.places[i].table_index == path->index)
          where = "route \"" + entries[i].entry.name + "\"";
      }
    }
    return Error::make(ErrorCode::kConflict, where + ": " + issue.reason);
  }
  return {};
}

core::Status TenantCatalogStore::write(const core::Principal& actor, TenantEntryKind kind,
                                       std::string_view table_text,
                                       std::optional<std::string> replacing,
                                       std::optional<std::int64_t> if_match,
                                       const audit::Origin& origin, TenantEntry& written) {
  if (auto ok = require_tenant(actor); !ok) return ok;
  if (table_text.size() > kMaxTableBytes) return Error::invalid("is larger than 64 KiB", "/");
  boost::system::error_code parse_error;
  json::value parsed = json::parse(table_text, parse_error);
  if (parse_error || !parsed.is_object()) return Error::invalid("must be a JSON object", "/");
  json::object table = std::move(parsed.as_object());
  const json::value* name_value = table.if_contains("name");
  if (name_value == nullptr || !name_value->is_string())
    return Error::invalid("is required", "/name");
  std::string name(name_value->as_string());
  if (!valid_name(name)) {
    return Error::invalid("must be 1 to 64 letters, digits, '-', '_' or '.', not starting with '.'",
                          "/name");
  }
  if (replacing && name != *replacing)
    return Error::invalid("must stay \"" + *replacing + "\" (names cannot change)", "/name");

  std::optional<std::string> new_key;  // set: the table brought a key ("" removes it)
  if (kind == TenantEntryKind::kProvider) {
    if (const auto* key = table.if_contains("api_key")) {
      if (!key->is_string()) return Error::invalid("must be a string", "/api_key");
      new_key = std::string(key->as_string());
      table.erase("api_key");
    }
    if (const auto* url = table.if_contains("base_url"); url != nullptr && url->is_string()) {
      std::string_view text(url->as_string().data(), url->as_string().size());
      if (text.starts_with("http://") &&
          !(options_.plain_http_allowed && options_.plain_http_allowed(host_of(text)))) {
        return Error::invalid(
            "must be an https:// URL (plain http:// only reaches addresses the operator "
            "allowed in ai.tenant_allow_addresses)",
            "/base_url");
      }
    }
    if (const auto* models = table.if_contains("models")) {
      if (!models->is_array()) return Error::invalid("must be an array of models", "/models");
      for (std::size_t i = 0; i < models->as_array().size(); ++i) {
        const auto& model = models->as_array()[i];
        if (!model.is_object())
          return Error::invalid("must be an object", "/models/" + std::to_string(i));
        if (model.as_object().contains("provider")) {
          return Error::invalid("is this provider; leave it out",
                                "/models/" + std::to_string(i) + "/provider");
        }
      }
    }
    if (new_key && !new_key->empty() && !options_.master_key) {
      return Error::make(ErrorCode::kUnavailable,
                         "this server has no master key (auth.master_key), so provider API keys "
                         "cannot be stored encrypted; ask the operator to set one");
    }
  } else if (table.contains("models") || table.contains("api_key")) {
    return Error::invalid("is not a member of a route",
                          table.contains("models") ? "/models" : "/api_key");
  }

  std::string sealed;
  if (new_key && !new_key->empty())
    sealed = options_.master_key->seal(*new_key, key_context(actor.tenant_id, name), random_);
  std::string config = json::serialize(table);
  std::string now = core::utc_now_millis();
  return database_.transact(store::Access::kReadWrite, [&](Transaction& tx) -> core::Status {
    auto entries = read_all(tx, actor.tenant_id);
    if (!entries) return std::move(entries).error();
    std::size_t focus = entries->size();
    std::size_t of_kind = 0;
    for (std::size_t i = 0; i < entries->size(); ++i) {
      if ((*entries)[i].kind != kind) continue;
      ++of_kind;
      if ((*entries)[i].entry.name == name) focus = i;
    }
    Stored changed;
    changed.kind = kind;
    changed.entry.name = name;
    changed.entry.config = config;
    changed.entry.updated_at = now;
    if (!replacing) {
      if (focus < entries->size()) {
        Error error =
            Error::make(ErrorCode::kConflict, std::string(noun(kind)) + " \"" + name +
                                                  "\" exists already (replace it with PUT)");
        error.field = "/name";
        return error;
      }
      if (of_kind >= kMaxEntries) {
        return Error::make(ErrorCode::kConflict,
                           "a tenant has at most 100 " + std::string(noun(kind)) + "s");
      }
      changed.entry.created_at = now;
      changed.sealed_key = sealed;
      entries->push_back(changed);
    } else {
      if (focus == entries->size()) return not_found(kind, name);
      Stored& current = (*entries)[focus];
      if (if_match && *if_match != current.entry.version) {
        Error error = Error::make(ErrorCode::kPreconditionFailed,
                                  std::string(noun(kind)) + " \"" + name + "\" is at version " +
                                      std::to_string(current.entry.version) + ", not " +
                                      std::to_string(*if_match));
        error.header = "If-Match";
        return error;
      }
      changed.entry.created_at = current.entry.created_at;
      changed.entry.version = current.entry.version + 1;
      changed.sealed_key = new_key ? sealed : current.sealed_key;
      current = changed;
    }
    if (auto ok = check(actor.tenant_id, *entries, focus); !ok) return ok;
    changed.entry.has_api_key = !changed.sealed_key.empty();
    core::Result<store::QueryResult> saved = store::QueryResult{};
    if (replacing && kind == TenantEntryKind::kProvider) {
      saved = tx.execute(
          "UPDATE ai_tenant_providers SET config = $1, version = $2, updated_at = $3, "
          "api_key = $4 WHERE tenant_id = $5 AND name = $6",
          {config, changed.entry.version, now, changed.sealed_key, actor.tenant_id, name});
    } else if (replacing) {
      saved = tx.execute(
          "UPDATE ai_tenant_routes SET config = $1, version = $2, updated_at = $3 "
          "WHERE tenant_id = $4 AND name = $5",
          {config, changed.entry.version, now, actor.tenant_id, name});
    } else if (kind == TenantEntryKind::kProvider) {
      saved = tx.execute(
          "INSERT INTO ai_tenant_providers (tenant_id, name, config, api_key, version, "
          "created_at, updated_at) VALUES ($1, $2, $3, $4, 1, $5, $5)",
          {actor.tenant_id, name, config, changed.sealed_key, now});
    } else {
      saved = tx.execute(
          "INSERT INTO ai_tenant_routes (tenant_id, name, config, version, created_at, "
          "updated_at) VALUES ($1, $2, $3, 1, $4, $4)",
          {actor.tenant_id, name, config, now});
    }
    if (!saved) return std::move(saved).error();
    audit::Event event = audit::event_by(
        actor, origin, "ai_" + std::string(noun(kind)) + (replacing ? ".replaced" : ".created"));
    event.target_type = "ai_" + std::string(noun(kind));
    event.target_id = name;
    if (kind == TenantEntryKind::kProvider) {
      // Never the key itself: whether one is stored, and whether this change set it.
      event.details = audit::details_json(
          {{"api_key", changed.sealed_key.empty() ? "none" : (new_key ? "set" : "kept")}});
    }
    auto appended = audit_.append(tx, event);
    if (!appended) return std::move(appended).error();
    written = changed.entry;
    return {};
  });
}

core::Result<TenantEntry> TenantCatalogStore::create(const core::Principal& actor,
                                                     TenantEntryKind kind, std::string_view table,
                                                     const audit::Origin& origin) {
  TenantEntry written;
  if (auto ok = write(actor, kind, table, std::nullopt, std::nullopt, origin, written); !ok)
    return std::move(ok).error();
  return written;
}

core::Result<TenantEntry> TenantCatalogStore::replace(const core::Principal& actor,
                                                      TenantEntryKind kind, std::string_view name,
                                                      std::string_view table,
                                                      std::optional<std::int64_t> if_match,
                                                      const audit::Origin& origin) {
  TenantEntry written;
  if (auto ok = write(actor, kind, table, std::string(name), if_match, origin, written); !ok)
    return std::move(ok).error();
  return written;
}

core::Status TenantCatalogStore::remove(const core::Principal& actor, TenantEntryKind kind,
                                        std::string_view name, const audit::Origin& origin) {
  if (auto ok = require_tenant(actor); !ok) return ok;
  return database_.transact(store::Access::kReadWrite, [&](Transaction& tx) -> core::Status {
    auto entries = read_all(tx, actor.tenant_id);
    if (!entries) return std::move(entries).error();
    auto found = std::find_if(entries->begin(), entries->end(), [&](const Stored& stored) {
      return stored.kind == kind && stored.entry.name == name;
    });
    if (found == entries->end()) return not_found(kind, name);
    entries->erase(found);
    if (auto ok = check(actor.tenant_id, *entries, entries->size()); !ok) return ok;
    auto deleted = tx.execute(
        "DELETE FROM " + std::string(table_name(kind)) + " WHERE tenant_id = $1 AND name = $2",
        {actor.tenant_id, std::string(name)});
    if (!deleted) return std::move(deleted).error();
    audit::Event event =
        audit::event_by(actor, origin, "ai_" + std::string(noun(kind)) + ".deleted");
    event.target_type = "ai_" + std::string(noun(kind));
    event.target_id = std::string(name);
    auto appended = audit_.append(tx, event);
    if (!appended) return std::move(appended).error();
    return {};
  });
}

core::Result<std::vector<TenantEntry>> TenantCatalogStore::list(const core::Principal& actor,
                                                                TenantEntryKind kind) {
  if (auto ok = require_tenant(actor); !ok) return std::move(ok).error();
  std::vector<TenantEntry> out;
  auto status = database_.transact(store::Access::kReadOnly, [&](Transaction& tx) -> core::Status {
    out.clear();
    auto entries = read_all(tx, actor.tenant_id);
    if (!entries) return std::move(entries).error();
    for (auto& stored : *entries) {
      if (stored.kind == kind) out.push_back(std::move(stored.entry));
    }
    return {};
  });
  if (!status) return std::move(status).error();
  return out;
}

core::Result<TenantEntry> TenantCatalogStore::get(const core::Principal& actor,
                                                  TenantEntryKind kind, std::string_view name) {
  auto entries = list(actor, kind);
  if (!entries) return std::move(entries).error();
  for (auto& entry : *entries) {
    if (entry.name == name) return std::move(entry);
  }
  return not_found(kind, name);
}

core::Result<std::shared_ptr<const Catalog>> TenantCatalogStore::catalog_of(
    const std::string& tenant_id) {
  std::vector<Stored> entries;
  auto status = database_.transact(store::Access::kReadOnly, [&](Transaction& tx) -> core::Status {
    auto read = read_all(tx, tenant_id);
    if (!read) return std::move(read).error();
    entries = std::move(*read);
    return {};
  });
  if (!status) return std::move(status).error();
  if (entries.empty()) return options_.base;
  Built built = build(entries, [&](const Stored& stored) {
    if (!options_.master_key) return std::string();
    auto opened =
        options_.master_key->open(stored.sealed_key, key_context(tenant_id, stored.entry.name));
    if (!opened) {
      core::log_warn("AI provider \"" + stored.entry.name + "\" of tenant " + tenant_id +
                     ": its key does not open with the master key; it is sent without one");
      return std::string();
    }
    return *opened;
  });
  std::vector<core::ConfigIssue> issues;
  auto catalog = std::make_shared<const Catalog>(
      Catalog::extend(*options_.base, built.json, tenant_id, issues));
  for (const auto& issue : issues) {
    core::log_warn("AI catalogue of tenant " + tenant_id + ": " + issue.key + ": " + issue.reason +
                   " (left out)");
  }
  return std::shared_ptr<const Catalog>(std::move(catalog));
}

// ---------------------------------------------------------------------------------------

std::shared_ptr<const Catalog> TenantCatalogs::cached(const std::string& tenant_id,
                                                      Clock::time_point now) const {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(tenant_id);
  if (it == entries_.end() || now - it->second.loaded_at >= refresh_) return nullptr;
  return it->second.catalog;
}

core::Result<std::shared_ptr<const Catalog>> TenantCatalogs::load(const std::string& tenant_id,
                                                                  Clock::time_point now) {
  auto catalog = store_.catalog_of(tenant_id);
  if (!catalog) return std::move(catalog).error();
  std::lock_guard lock(mutex_);
  entries_[tenant_id] = Entry{*catalog, now};
  return *catalog;
}

void TenantCatalogs::invalidate(const std::string& tenant_id) {
  std::lock_guard lock(mutex_);
  entries_.erase(tenant_id);
}

}  // namespace aic::ai
