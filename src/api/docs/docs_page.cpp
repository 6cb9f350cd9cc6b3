#include "api/docs/docs_page.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <stdexcept>
#include <vector>

namespace aic::api::docs {
namespace {

namespace json = boost::json;

constexpr std::string_view kSchemasPrefix = "#/components/schemas/";
constexpr std::string_view kResponsesPrefix = "#/components/responses/";
constexpr std::string_view kMethods[] = {"get",   "head",   "post",   "put",
                                         "patch", "delete", "options"};

constexpr std::string_view kStyle = R"css(
:root { color-scheme: light; --line: #d8dde3; --muted: #5b6570; --code: #f3f5f7; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d232a;
       display: grid; grid-template-columns: 290px 1fr; }
nav { position: sticky; top: 0; height: 100vh; overflow-y: auto; padding: 16px; background: #f7f8fa;
      border-right: 1px solid var(--line); font-size: 13px; }
nav h2 { font-size: 12px; text-transform: uppercase; letter-spacing: .06em; color: var(--muted);
         margin: 18px 0 4px; }
nav ul { list-style: none; margin: 0; padding: 0; }
nav li { margin: 2px 0; }
nav a { color: inherit; text-decoration: none; }
nav a:hover { text-decoration: underline; }
main { padding: 24px 40px; max-width: 1100px; }
h1 small { font-size: 15px; color: var(--muted); font-weight: normal; }
h2 { border-bottom: 1px solid var(--line); padding-bottom: 4px; margin-top: 40px; }
article { border: 1px solid var(--line); border-radius: 6px; padding: 4px 18px 12px; margin: 18px 0; }
h3 { font-size: 17px; }
code, pre { font: 13px/1.45 ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; }
code { background: var(--code); padding: 1px 4px; border-radius: 3px; }
pre { background: var(--code); padding: 10px; overflow-x: auto; border-radius: 4px; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; font-size: 14px; }
th, td { text-align: left; vertical-align: top; border-bottom: 1px solid var(--line); padding: 5px 8px; }
th { font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
.method { display: inline-block; min-width: 62px; text-align: center; border-radius: 4px;
          padding: 1px 6px; margin-right: 6px; color: #fff; font: bold 12px/1.6 ui-monospace, monospace; }
.get { background: #1f6feb; } .post { background: #1a7f37; } .delete { background: #cf222e; }
.put, .patch { background: #9a6700; } .head, .options { background: #6e7781; }
.permission { font-weight: 600; }
.public { color: #1a7f37; }
.muted { color: var(--muted); }
.required { color: #cf222e; font-size: 12px; }
)css";

std::string_view string_or(const json::object& object, std::string_view key,
                           std::string_view fallback = "") {
  const json::value* value = object.if_contains(key);
  return value != nullptr && value->is_string() ? std::string_view(value->get_string()) : fallback;
}

const json::object& object_or_empty(const json::object& object, std::string_view key) {
  static const json::object empty;
  const json::value* value = object.if_contains(key);
  return value != nullptr && value->is_object() ? value->get_object() : empty;
}

// The few CommonMark forms the descriptions use: paragraphs, `code` and **strong**.
std::string inline_markdown(std::string_view text) {
  std::string out;
  bool code = false;
  bool strong = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '`') {
      out += code ? "</code>" : "<code>";
      code = !code;
    } else if (!code && text.substr(i, 2) == "**") {
      out += strong ? "</strong>" : "<strong>";
      strong = !strong;
      ++i;
    } else {
      out += html_escape(text.substr(i, 1));
    }
  }
  if (code) out += "</code>";
  if (strong) out += "</strong>";
  return out;
}

std::string markdown(std::string_view text) {
  std::string out;
  while (!text.empty()) {
    std::size_t end = text.find("\n\n");
    std::string_view paragraph = text.substr(0, end);
    if (!paragraph.empty()) out += "<p>" + inline_markdown(paragraph) + "</p>\n";
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 2);
  }
  return out;
}

std::string schema_link(std::string_view reference) {
  std::string name(reference.substr(kSchemasPrefix.size()));
  return "<a href=\"#schema-" + html_escape(name) + "\">" + html_escape(name) + "</a>";
}

std::string json_text(const json::value& value) { return html_escape(json::serialize(value)); }

// A one-line summary of a schema's type: "string (date-time) | null", "array of ApiKey", ….
std::string type_summary(const json::value& schema) {
  if (!schema.is_object()) return "any";
  const json::object& object = schema.get_object();
  if (auto reference = string_or(object, "$ref"); reference.starts_with(kSchemasPrefix)) {
    return schema_link(reference);
  }
  if (const json::value* constant = object.if_contains("const")) {
    return "<code>" + json_text(*constant) + "</code>";
  }
  if (const json::value* allowed = object.if_contains("enum"); allowed && allowed->is_array()) {
    std::string out = "one of ";
    bool first = true;
    for (const auto& value : allowed->get_array()) {
      if (!first) out += ", ";
      first = false;
      out += "<code>" + json_text(value) + "</code>";
    }
    return out;
  }
  const json::value* type = object.if_contains("type");
  if (type == nullptr) return "any";
  std::string out;
  auto add = [&](std::string_view name) {
    if (!out.empty()) out += " | ";
    if (name == "array" && object.contains("items")) {
      out += "array of " + type_summary(object.at("items"));
    } else {
      out += html_escape(name);
      if (auto format = string_or(object, "format"); !format.empty() && name == "string") {
        out += " (" + html_escape(format) + ")";
      }
    }
  };
  if (type->is_string()) add(type->get_string());
  if (type->is_array()) {
    for (const auto& each : type->get_array()) {
      if (each.is_string()) add(each.get_string());
    }
  }
  return out;
}

// Constraints worth showing beside the description.
std::string constraints(const json::object& schema) {
  std::string out;
  auto add = [&](std::string_view label, std::string_view key) {
    if (const json::value* value = schema.if_contains(key)) {
      out += " <span class=\"muted\">" + html_escape(label) + " <code>" + json_text(*value) +
             "</code></span>";
    }
  };
  add("default", "default");
  add("minimum", "minimum");
  add("maximum", "maximum");
  add("pattern", "pattern");
  return out;
}

void pretty(const json::value& value, std::string& out, int indent) {
  auto newline = [&](int level) {
    out += '\n';
    out.append(static_cast<std::size_t>(level) * 2, ' ');
  };
  if (value.is_object() && !value.get_object().empty()) {
    out += '{';
    bool first = true;
    for (const auto& [key, member] : value.get_object()) {
      if (!first) out += ',';
      first = false;
      newline(indent + 1);
      out += json::serialize(json::value(key)) + ": ";
      pretty(member, out, indent + 1);
    }
    newline(indent);
    out += '}';
  } else if (value.is_array() && !value.get_array().empty()) {
    out += '[';
    bool first = true;
    for (const auto& item : value.get_array()) {
      if (!first) out += ',';
      first = false;
      newline(indent + 1);
      pretty(item, out, indent + 1);
    }
    newline(indent);
    out += ']';
  } else {
    out += json::serialize(value);
  }
}

class Page {
 public:
  explicit Page(const json::object& document)
      : document_(document),
        components_(object_or_empty(document, "components")),
        responses_(object_or_empty(components_, "responses")) {}

  std::string render() {
    const json::object& info = object_or_empty(document_, "info");
    std::string title(string_or(info, "title", "API"));
    std::string version(string_or(info, "version"));
    out_ += "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
    out_ += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
    out_ += "<title>" + html_escape(title) + " " + html_escape(version) + "</title>\n";
    out_ += "<style>" + std::string(kStyle) + "</style>\n</head>\n<body>\n";
    navigation();
    out_ +=
        "<main>\n<h1>" + html_escape(title) + " <small>" + html_escape(version) + "</small></h1>\n";
    out_ += markdown(string_or(info, "description"));
    out_ +=
        "<p>Machine-readable: <a href=\"/v1/openapi.json\"><code>/v1/openapi.json</code></a> "
        "(OpenAPI " +
        html_escape(string_or(document_, "openapi")) + ").</p>\n";
    for (const auto& tag : tags()) {
      out_ += "<section id=\"tag-" + html_escape(tag.name) + "\">\n<h2>" + html_escape(tag.name) +
              "</h2>\n" + markdown(tag.description);
      for (const auto& operation : operations_of(tag.name)) render_operation(operation);
      out_ += "</section>\n";
    }
    render_schemas();
    out_ += "</main>\n</body>\n</html>\n";
    return std::move(out_);
  }

 private:
  struct Tag {
    std::string name;
    std::string description;
  };
  struct Operation {
    std::string method;
    std::string path;
    const json::object* object;
  };

  std::vector<Tag> tags() const {
    std::vector<Tag> out;
    if (const json::value* tags = document_.if_contains("tags"); tags && tags->is_array()) {
      for (const auto& tag : tags->get_array()) {
        if (!tag.is_object()) continue;
        out.push_back({std::string(string_or(tag.get_object(), "name")),
                       std::string(string_or(tag.get_object(), "description"))});
      }
    }
    return out;
  }

  std::vector<Operation> operations_of(std::string_view tag) const {
    std::vector<Operation> out;
    for (const auto& [path, item] : object_or_empty(document_, "paths")) {
      if (!item.is_object()) continue;
      for (std::string_view method : kMethods) {
        const json::value* operation = item.get_object().if_contains(method);
        if (operation == nullptr || !operation->is_object()) continue;
        const json::value* tags = operation->get_object().if_contains("tags");
        bool tagged = tags && tags->is_array() && !tags->get_array().empty() &&
                      tags->get_array()[0].is_string() && tags->get_array()[0].get_string() == tag;
        if (tagged)
          out.push_back({std::string(method), std::string(path), &operation->get_object()});
      }
    }
    return out;
  }

  std::string anchor(const Operation& operation) const {
    return "op-" + html_escape(string_or(*operation.object, "operationId", operation.path));
  }

  std::string method_badge(const std::string& method) const {
    std::string upper;
    for (char c : method) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return "<span class=\"method " + method + "\">" + upper + "</span>";
  }

  void navigation() {
    out_ += "<nav>\n";
    for (const auto& tag : tags()) {
      out_ += "<h2><a href=\"#tag-" + html_escape(tag.name) + "\">" + html_escape(tag.name) +
              "</a></h2>\n<ul>\n";
      for (const auto& operation : operations_of(tag.name)) {
        out_ += "<li><a href=\"#" + anchor(operation) + "\">" + method_badge(operation.method) +
                html_escape(operation.path) + "</a></li>\n";
      }
      out_ += "</ul>\n";
    }
    out_ += "<h2><a href=\"#schemas\">schemas</a></h2>\n<ul>\n";
    for (const auto& [name, schema] : object_or_empty(components_, "schemas")) {
      out_ +=
          "<li><a href=\"#schema-" + html_escape(name) + "\">" + html_escape(name) + "</a></li>\n";
    }
    out_ += "</ul>\n</nav>\n";
  }

  void render_operation(const Operation& operation) {
    const json::object& object = *operation.object;
    out_ += "<article id=\"" + anchor(operation) + "\">\n<h3>" + method_badge(operation.method) +
            "<code>" + html_escape(operation.path) + "</code></h3>\n";
    out_ += markdown(string_or(object, "summary"));
    std::string_view permission = string_or(object, "x-aic-permission", "public");
    out_ += "<p>Permission: ";
    if (permission == "public") {
      out_ += "<span class=\"permission public\">public</span> (no credential needed)";
    } else {
      out_ += "<span class=\"permission\"><code>" + html_escape(permission) +
              "</code></span> (<code>Authorization: Bearer</code> API key or access token)";
    }
    out_ +=
        " · operation id <code>" + html_escape(string_or(object, "operationId")) + "</code></p>\n";

    if (const json::value* parameters = object.if_contains("parameters");
        parameters && parameters->is_array() && !parameters->get_array().empty()) {
      out_ += "<table>\n<tr><th>Parameter</th><th>In</th><th>Type</th><th>Description</th></tr>\n";
      for (const auto& parameter : parameters->get_array()) {
        if (!parameter.is_object()) continue;
        const json::object& p = parameter.get_object();
        const json::value* schema = p.if_contains("schema");
        bool required =
            p.contains("required") && p.at("required").is_bool() && p.at("required").get_bool();
        out_ += "<tr><td><code>" + html_escape(string_or(p, "name")) + "</code>" +
                (required ? " <span class=\"required\">required</span>" : "") + "</td><td>" +
                html_escape(string_or(p, "in")) + "</td><td>" +
                (schema ? type_summary(*schema) : "any") + "</td><td>" +
                inline_markdown(string_or(p, "description")) +
                (schema && schema->is_object() ? constraints(schema->get_object()) : "") +
                "</td></tr>\n";
      }
      out_ += "</table>\n";
    }

    if (const json::value* body = object.if_contains("requestBody"); body && body->is_object()) {
      out_ +=
          "<p>Request body: " + content_summary(object_or_empty(body->get_object(), "content")) +
          "</p>\n";
    }

    out_ += "<table>\n<tr><th>Status</th><th>Description</th><th>Body</th></tr>\n";
    for (const auto& [status, value] : object_or_empty(object, "responses")) {
      const json::object* response = value.is_object() ? &value.get_object() : nullptr;
      if (response != nullptr) {
        std::string_view reference = string_or(*response, "$ref");
        if (reference.starts_with(kResponsesPrefix)) {
          const json::value* shared =
              responses_.if_contains(reference.substr(kResponsesPrefix.size()));
          response = shared && shared->is_object() ? &shared->get_object() : nullptr;
        }
      }
      if (response == nullptr) continue;
      out_ += "<tr><td><code>" + html_escape(status) + "</code></td><td>" +
              inline_markdown(string_or(*response, "description")) + "</td><td>" +
              content_summary(object_or_empty(*response, "content")) + "</td></tr>\n";
    }
    out_ += "</table>\n</article>\n";
  }

  std::string content_summary(const json::object& content) const {
    if (content.empty()) return "<span class=\"muted\">none</span>";
    std::string out;
    for (const auto& [media_type, media] : content) {
      if (!out.empty()) out += "<br>";
      out += "<code>" + html_escape(media_type) + "</code>";
      if (!media.is_object()) continue;
      if (const json::value* item = media.get_object().if_contains("x-aic-item-schema")) {
        out += ", one per line: " + type_summary(*item);
      } else if (const json::value* schema = media.get_object().if_contains("schema")) {
        out += " " + type_summary(*schema);
      }
    }
    return out;
  }

  void render_schemas() {
    out_ += "<section id=\"schemas\">\n<h2>Schemas</h2>\n";
    for (const auto& [name, value] : object_or_empty(components_, "schemas")) {
      out_ +=
          "<article id=\"schema-" + html_escape(name) + "\">\n<h3>" + html_escape(name) + "</h3>\n";
      if (!value.is_object()) continue;
      render_schema_body(value.get_object());
      std::string text;
      pretty(value, text, 0);
      out_ += "<details><summary>JSON Schema</summary><pre>" + html_escape(text) +
              "</pre></details>\n</article>\n";
    }
    out_ += "</section>\n";
  }

  void render_schema_body(const json::object& schema) {
    out_ += markdown(string_or(schema, "description"));
    const json::object& properties = object_or_empty(schema, "properties");
    if (properties.empty()) {
      out_ += "<p>Type: " + type_summary(schema) + constraints(schema) + "</p>\n";
      return;
    }
    std::vector<std::string_view> required;
    if (const json::value* names = schema.if_contains("required"); names && names->is_array()) {
      for (const auto& each : names->get_array()) {
        if (each.is_string()) required.push_back(each.get_string());
      }
    }
    out_ += "<table>\n<tr><th>Member</th><th>Type</th><th>Description</th></tr>\n";
    for (const auto& [member, member_schema] : properties) {
      bool is_required =
          std::find(required.begin(), required.end(), std::string_view(member)) != required.end();
      const json::object* object =
          member_schema.is_object() ? &member_schema.get_object() : nullptr;
      std::string description;
      if (object != nullptr) {
        description = inline_markdown(string_or(*object, "description")) + constraints(*object);
        // A nested object: list its members too.
        const json::object& nested = object_or_empty(*object, "properties");
        if (!nested.empty()) {
          description += "<br>";
          bool first = true;
          for (const auto& [inner, inner_schema] : nested) {
            if (!first) description += ", ";
            first = false;
            description += "<code>" + html_escape(inner) + "</code>: " + type_summary(inner_schema);
          }
        }
      }
      out_ += "<tr><td><code>" + html_escape(member) + "</code>" +
              (is_required ? " <span class=\"required\">required</span>" : "") + "</td><td>" +
              type_summary(member_schema) + "</td><td>" + description + "</td></tr>\n";
    }
    out_ += "</table>\n";
    if (const json::value* extra = schema.if_contains("additionalProperties");
        extra && extra->is_bool() && !extra->get_bool()) {
      out_ += "<p class=\"muted\">No other members.</p>\n";
    }
  }

  const json::object& document_;
  const json::object& components_;
  const json::object& responses_;
  std::string out_;
};

}  // namespace

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string docs_page(std::string_view openapi_json) {
  boost::system::error_code error;
  json::value document = json::parse(openapi_json, error);
  if (error || !document.is_object()) {
    throw std::invalid_argument("docs_page: the OpenAPI document is not a JSON object");
  }
  return Page(document.get_object()).render();
}

}  // namespace aic::api::docs
