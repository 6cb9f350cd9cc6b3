#include "api/ai/prompt_routes.hpp"

#include <boost/json.hpp>
#include <charconv>

#include "api/json_body.hpp"
#include "api/request_origin.hpp"
#include "api/v1/route_support.hpp"
#include "identity/permissions.hpp"

namespace aic::api::ai {
namespace {

namespace json = boost::json;
namespace permission = identity::permission;
using aic::ai::Prompt;
using aic::ai::PromptLabel;
using aic::ai::PromptVersion;
using aic::ai::PromptWithLatest;
using http::RequestContext;
using http::Response;
using v1::actor_of;
using v1::error_response;
using v1::json_response;
using v1::no_actor;

// Templates are at most 64 KiB, but a version may also carry 100 defaults of 16 KiB.
constexpr std::size_t kMaxVersionBodyBytes = 2 * 1024 * 1024;

json::array strings(const std::vector<std::string>& items) {
  json::array out;
  for (const auto& item : items) out.emplace_back(item);
  return out;
}

json::object label_json(const PromptLabel& label) {
  return json::object{
      {"name", label.name}, {"version", label.version}, {"updated_at", label.updated_at}};
}

json::object prompt_json(const Prompt& prompt) {
  json::array labels;
  for (const auto& label : prompt.labels) labels.push_back(label_json(label));
  return json::object{{"id", prompt.id},
                      {"name", prompt.name},
                      {"description", prompt.description},
                      {"latest_version", prompt.latest_version},
                      {"labels", std::move(labels)},
                      {"created_at", prompt.created_at},
                      {"updated_at", prompt.updated_at}};
}

json::object version_summary_json(const PromptVersion& version) {
  json::object out{{"prompt", version.prompt_name},
                   {"version", version.version},
                   {"description", version.content.description}};
  out["model"] = version.content.model ? json::value(*version.content.model) : json::value(nullptr);
  out["labels"] = strings(version.labels);
  out["created_at"] = version.created_at;
  out["created_by"] = version.created_by;
  return out;
}

json::object version_json(const PromptVersion& version) {
  json::object out = version_summary_json(version);
  json::object content = aic::ai::to_json(version.content);
  out["messages"] = std::move(content["messages"]);
  out["variables"] = std::move(content["variables"]);
  return out;
}

Response prompt_response(int status, const PromptWithLatest& prompt) {
  json::object body = prompt_json(prompt.prompt);
  body["latest"] = version_json(prompt.latest);
  return json_response(status, body);
}

std::string prompt_path(std::string_view name) { return "/v1/ai/prompts/" + std::string(name); }

// A request about the prompt `name` that is wrong in itself (its body, a path parameter) is
// answered `error` only when the caller's tenant has that prompt, and 404 otherwise, like
// every other request about a prompt that is not the caller's.
boost::asio::awaitable<Response> refuse(const PromptDependencies& deps, RequestContext& context,
                                        const core::Principal& actor, const std::string& name,
                                        const core::Error& error) {
  auto exists = co_await deps.workers.run(context.deadline,
                                          [&] { return deps.prompts.require_prompt(actor, name); });
  if (!exists) co_return error_response(exists.error(), context);
  co_return error_response(error, context);
}

using Handler = boost::asio::awaitable<Response> (*)(const PromptDependencies&, RequestContext&);

boost::asio::awaitable<Response> create_prompt(const PromptDependencies& deps,
                                               RequestContext& context) {
  auto body =
      JsonBody::parse(context.request, {"name", "description", "messages", "variables", "model"},
                      {"id", "tenant_id", "version", "latest_version", "labels", "latest",
                       "created_at", "updated_at", "created_by"});
  if (!body) co_return error_response(body.error(), context);
  aic::ai::NewPrompt request;
  body->required("name", request.name).optional("description", request.description);
  if (body->first_error()) co_return error_response(*body->first_error(), context);
  // The shape here; the checks that compile the templates run on a worker, in the store.
  auto content = aic::ai::read_prompt_template(body->object());
  if (!content) co_return error_response(content.error(), context);
  request.first_version = std::move(*content);
  // Here `description` describes the prompt; a version's describes what it changed.
  request.first_version.description.clear();
  const core::Principal* actor = actor_of(context);
  if (actor == nullptr) co_return no_actor(context);
  auto created = co_await deps.workers.run(context.deadline, [&] {
    return deps.prompts.create_prompt(*actor, request, origin_of(context));
  });
  if (!created) co_return error_response(created.error(), context);
  Response response = prompt_response(201, *created);
  response.headers.set("Location", prompt_path(created->prompt.name));
  co_return response;
}

boost::asio::awaitable<Response> list_prompts(const PromptDependencies& deps,
                                              RequestContext& context) {
  const core::Principal* actor = actor_of(context);
  if (actor == nullptr) co_return no_actor(context);
  auto page = v1::page_request(context);
  if (!page) co_return error_response(page.error(), context);
  auto prompts = co_await deps.workers.run(
      context.deadline, [&] { return deps.prompts.list_prompts(*actor, *page); });
  if (!prompts) co_return error_response(prompts.error(), context);
  json::array items;
  for (const auto& prompt : prompts->items) items.push_back(prompt_json(prompt));
  std::optional<std::string> next;
  if (prompts->more) {
    next = v1::page_cursor(prompts->items.back().created_at, prompts->items.back().id);
  }
  co_return v1::list_response(std::move(items), next);
}

boost::asio::awaitable<Response> get_prompt(const PromptDependencies& deps,
                                            RequestContext& context) {
  const core::Principal* actor = actor_of(context);
  if (actor == nullptr) co_return no_actor(context);
  std::string name(context.param("name"));
  auto prompt = co_await deps.workers.run(context.deadline,
                                          [&] { return deps.prompts.get_prompt(*actor, name); });
  if (!prompt) co_return error_response(prompt.error(), context);
  co_return prompt_response(200, *prompt);
}

boost::asio::awaitable<Response> delete_prompt(const PromptDependencies& deps,
                                               RequestContext& context) {
  const core::Principal* actor = actor_of(context);
  if (actor == nullptr) co_return no_actor(context);
  std::string name(context.param("name"));
  auto deleted = co_await deps.workers.run(context.deadline, [&] {
    return deps.prompts.delete_prompt(*actor, name, origin_of(context));
  });
  if (!deleted) co_return error_response(deleted.error(), context);
  co_return Response::empty(204);
}

boost::asio::awaitable<Response> add_version(const PromptDependencies& deps,
                                             RequestContext& context) {
  const core::Principal* actor = actor_of(context);
  if (actor == nullptr) co_return no_actor(context);
  std::string name(context.param("name"));
  auto body = JsonBody::parse(context.request, {"messages", "variables", "model", "description"},
                              {"prompt", "version", "labels", "created_at", "created_by"});
  if (!body) co_return co_await refuse(deps, context, *actor, name, body.error());
  auto content = aic::ai::read_prompt_template(body->object());
  if (!content) co_return co_await refuse(deps, context, *actor, name, content.error());
  auto version = co_await deps.workers.run(context.deadline, [&] {
    return deps.prompts.add_version(*actor, name, *content, origin_of(context));
  });
  if (!version) co_return error_response(version.error(), context);
  Response response = json_response(201, version_json(*version));
  response.headers.set("Location", prompt_path(version->prompt_name) + "/versions/" +
                                       std::to_string(version->version));
  co_return response;
}

boost::asio::awaitable<Response> list_versions(const PromptDependencies& deps,
                                               RequestContext& context) {
  const core::Principal* actor = actor_of(context);
  if (actor == nullptr) co_return no_actor(context);
  std::string name(context.param("name"));
  auto page = v1::page_request(context);
  if (!page) co_return co_await refuse(deps, context, *actor, name, page.error());
  auto versions = co_await deps.workers.run(
      context.deadline, [&] { return deps.prompts.list_versions(*actor, name, *page); });
  if (!versions) co_return error_response(versions.error(), context);
  json::array items;
  for (const auto& version : versions->items) items.push_back(version_summary_json(version));
  std::optional<std::string> next;
  if (versions->more) {
    const PromptVersion& last = versions->items.back();
    next = v1::page_cursor(last.created_at, std::to_string(last.version));
  }
  co_return v1::list_response(std::move(items), next);
}

boost::asio::awaitable<Response> get_version(const PromptDependencies& deps,
                                             RequestContext& context) {
  const core::Principal* actor = actor_of(context);
  if (actor == nullptr) co_return no_actor(context);
  std::string name(context.param("name"));
  std::string_view text = context.param("version");
  std::int64_t version = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), version);
  if (error != std::errc() || end != text.data() + text.size() || version < 1 ||
      text.front() == '+') {
    // No version has that name: 404, as for a number past the newest.
    co_return co_await refuse(
        deps, context, *actor, name,
        core::Error::make(core::ErrorCode::kNotFound, "prompt `" + name + "` has no version `" +
                                                          std::string(text) +
                                                          "`; versions are numbered 1, 2, 3 …"));
  }
  auto found = co_await deps.workers.run(
      context.deadline, [&] { return deps.prompts.get_version(*actor, name, version); });
  if (!found) co_return error_response(found.error(), context);
  co_return json_response(200, version_json(*found));
}

boost::asio::awaitable<Response> set_label(const PromptDependencies& deps,
                                           RequestContext& context) {
  const core::Principal* actor = actor_of(context);
  if (actor == nullptr) co_return no_actor(context);
  std::string name(context.param("name"));
  std::string label(context.param("label"));
  auto body = JsonBody::parse(context.request, {"version"}, {"name", "updated_at"});
  if (!body) co_return co_await refuse(deps, context, *actor, name, body.error());
  std::optional<std::int64_t> version;
  body->optional("version", version);
  if (body->first_error()) {
    co_return co_await refuse(deps, context, *actor, name, *body->first_error());
  }
  if (!version) {
    co_return co_await refuse(deps, context, *actor, name,
                              core::Error::invalid("is required", "/version"));
  }
  if (auto valid = aic::ai::validate_label_name(label); !valid) {
    co_return co_await refuse(deps, context, *actor, name, valid.error());
  }
  auto set = co_await deps.workers.run(context.deadline, [&] {
    return deps.prompts.set_label(*actor, name, label, *version, origin_of(context));
  });
  if (!set) co_return error_response(set.error(), context);
  co_return json_response(200, label_json(*set));
}

boost::asio::awaitable<Response> delete_label(const PromptDependencies& deps,
                                              RequestContext& context) {
  const core::Principal* actor = actor_of(context);
  if (actor == nullptr) co_return no_actor(context);
  std::string name(context.param("name"));
  std::string label(context.param("label"));
  if (auto valid = aic::ai::validate_label_name(label); !valid) {
    co_return co_await refuse(deps, context, *actor, name, valid.error());
  }
  auto deleted = co_await deps.workers.run(context.deadline, [&] {
    return deps.prompts.delete_label(*actor, name, label, origin_of(context));
  });
  if (!deleted) co_return error_response(deleted.error(), context);
  co_return Response::empty(204);
}

boost::asio::awaitable<Response> render(const PromptDependencies& deps, RequestContext& context) {
  const core::Principal* actor = actor_of(context);
  if (actor == nullptr) co_return no_actor(context);
  std::string name(context.param("name"));
  auto body = JsonBody::parse(context.request, {"label", "version", "variables"});
  if (!body) co_return co_await refuse(deps, context, *actor, name, body.error());
  aic::ai::PromptSelector selector;
  body->optional("label", selector.label).optional("version", selector.version);
  if (body->first_error()) {
    co_return co_await refuse(deps, context, *actor, name, *body->first_error());
  }
  json::object variables;
  if (const json::value* sent = body->object().if_contains("variables");
      sent != nullptr && !sent->is_null()) {
    if (!sent->is_object()) {
      co_return co_await refuse(
          deps, context, *actor, name,
          core::Error::invalid("must be an object of the variables by name", "/variables"));
    }
    variables = sent->get_object();
  }
  auto rendered = co_await deps.workers.run(
      context.deadline, [&] { return deps.prompts.render(*actor, name, selector, variables); });
  if (!rendered) co_return error_response(rendered.error(), context);
  json::array messages;
  for (const auto& message : rendered->messages) {
    messages.push_back(json::object{{"role", message.role}, {"content", message.content}});
  }
  json::object out{{"name", rendered->name}, {"version", rendered->version}};
  out["model"] = rendered->model ? json::value(*rendered->model) : json::value(nullptr);
  out["messages"] = std::move(messages);
  co_return json_response(200, out);
}

}  // namespace

void add_prompt_routes(http::Router& router, const PromptDependencies& dependencies) {
  const PromptDependencies* deps = &dependencies;
  auto bind = [deps](Handler handler) {
    return [deps, handler](RequestContext& context) { return handler(*deps, context); };
  };
  auto once = [deps](Handler handler) {
    return deps->idempotency.wrap(
        [deps, handler](RequestContext& context) { return handler(*deps, context); });
  };
  const http::ResponseDoc missing{.status = 404,
                                  .description = "No such prompt in the caller's tenant."};
  const std::string base = "/v1/ai/prompts/{name}";
  auto location = [](std::string description) {
    return std::vector<http::ParamDoc>{
        {.name = "Location", .description = std::move(description), .required = true}};
  };

  router.add(http::Method::kPost, "/v1/ai/prompts", once(create_prompt),
             v1::idempotent(v1::route_options(
                 permission::kAiManage, "Create a prompt template with its version 1.",
                 {.max_body_bytes = kMaxVersionBodyBytes,
                  .operation_id = "createAiPrompt",
                  .request_schema = "CreateAiPromptRequest",
                  .responses = {
                      {.status = 201,
                       .description = "The prompt with its version 1.",
                       .schema = "AiPrompt",
                       .headers = location("The prompt's URL.")},
                      {.status = 400,
                       .description = "A bad member; `field` names it (a template error "
                                      "also gives `line` and `column`)."},
                      {.status = 409, .description = "The tenant has a prompt of that name."}}})));
  router.add(http::Method::kGet, "/v1/ai/prompts", bind(list_prompts),
             v1::route_options(permission::kAiInvoke, "List the tenant's prompt templates.",
                               {.operation_id = "listAiPrompts",
                                .query = v1::page_params(),
                                .responses = {{.status = 200,
                                               .description = "A page of prompts, oldest first.",
                                               .schema = "ListOfAiPrompts"}}}));
  router.add(http::Method::kGet, base, bind(get_prompt),
             v1::route_options(
                 permission::kAiInvoke, "Get a prompt template with its labels and newest version.",
                 {.operation_id = "getAiPrompt",
                  .responses = {{.status = 200, .description = "The prompt.", .schema = "AiPrompt"},
                                missing}}));
  router.add(
      http::Method::kDelete, base, bind(delete_prompt),
      v1::route_options(permission::kAiManage,
                        "Delete a prompt template with all its versions and labels.",
                        {.operation_id = "deleteAiPrompt",
                         .responses = {{.status = 204, .description = "Deleted."}, missing}}));
  router.add(http::Method::kPost, base + "/versions", once(add_version),
             v1::idempotent(v1::route_options(
                 permission::kAiManage,
                 "Add the next version of a prompt template (versions never change).",
                 {.max_body_bytes = kMaxVersionBodyBytes,
                  .operation_id = "createAiPromptVersion",
                  .request_schema = "CreateAiPromptVersionRequest",
                  .responses = {{.status = 201,
                                 .description = "The new version.",
                                 .schema = "AiPromptVersion",
                                 .headers = location("The version's URL.")},
                                {.status = 400,
                                 .description = "A bad member; `field` names it (a template error "
                                                "also gives `line` and `column`)."},
                                missing}})));
  router.add(http::Method::kGet, base + "/versions", bind(list_versions),
             v1::route_options(permission::kAiInvoke,
                               "List a prompt's versions (without their messages), oldest first.",
                               {.operation_id = "listAiPromptVersions",
                                .query = v1::page_params(),
                                .responses = {{.status = 200,
                                               .description = "A page of version summaries.",
                                               .schema = "ListOfAiPromptVersions"},
                                              missing}}));
  router.add(http::Method::kGet, base + "/versions/{version}", bind(get_version),
             v1::route_options(
                 permission::kAiInvoke, "Get one version of a prompt in full.",
                 {.operation_id = "getAiPromptVersion",
                  .responses = {
                      {.status = 200, .description = "The version.", .schema = "AiPromptVersion"},
                      {.status = 404,
                       .description = "No such prompt in the caller's "
                                      "tenant, or no such version."}}}));
  router.add(
      http::Method::kPut, base + "/labels/{label}", bind(set_label),
      v1::route_options(
          permission::kAiManage,
          "Point a label (`production`, `staging` …) at a version, creating or moving it.",
          {.operation_id = "setAiPromptLabel",
           .request_schema = "SetAiPromptLabelRequest",
           .responses = {{.status = 200, .description = "The label.", .schema = "AiPromptLabel"},
                         {.status = 400,
                          .description = "A bad label name (`latest` is reserved), or a version "
                                         "the prompt does not have; `field` names it."},
                         missing}}));
  router.add(http::Method::kDelete, base + "/labels/{label}", bind(delete_label),
             v1::route_options(permission::kAiManage, "Delete a label of a prompt.",
                               {.operation_id = "deleteAiPromptLabel",
                                .responses = {{.status = 204, .description = "Deleted."},
                                              {.status = 404,
                                               .description = "No such prompt in the caller's "
                                                              "tenant, or no such label."}}}));
  router.add(
      http::Method::kPost, base + "/render", bind(render),
      v1::route_options(
          permission::kAiInvoke,
          "Render a prompt's messages with variables: the given label or version, else "
          "`production`, else the newest version.",
          {.operation_id = "renderAiPrompt",
           .request_schema = "RenderAiPromptRequest",
           .responses = {{.status = 200,
                          .description = "The rendered messages.",
                          .schema = "RenderedAiPrompt"},
                         {.status = 400,
                          .description = "An unknown, missing or mistyped variable, or a render "
                                         "over the size limits; `field` names it."},
                         {.status = 404,
                          .description = "No such prompt in the caller's tenant, or no such "
                                         "label or version."}}}));
}

}  // namespace aic::api::ai
