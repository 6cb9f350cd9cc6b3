#include "api/v1/event_stream_routes.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <charconv>

#include "api/form.hpp"
#include "api/v1/route_support.hpp"
#include "events/catalogue.hpp"
#include "identity/permissions.hpp"

namespace aic::api::v1 {
namespace {

namespace asio = boost::asio;
using http::RequestContext;
using http::Response;

// Events read from the database per piece: what one slow reader can hold in memory.
constexpr std::size_t kBatch = 100;
// What a client waits before reconnecting after the stream ends.
constexpr std::string_view kRetryHint = "retry: 2000\n\n";

// One client's stream. It pulls: the connection asks for the next piece only after writing
// the last, so memory per client is one batch however slow the client is. New events are
// read from the database after a commit notification (or a heartbeat), so a stream sees
// events from every replica within one heartbeat and from this one at once.
class EventStream final : public http::BodyStream,
                          public std::enable_shared_from_this<EventStream> {
 public:
  EventStream(const EventStreamDependencies& deps, std::string tenant_id,
              std::vector<std::string> filters, std::int64_t last_seq)
      : deps_(deps),
        tenant_id_(std::move(tenant_id)),
        filters_(std::move(filters)),
        last_seq_(last_seq) {}

  ~EventStream() override {
    if (subscription_ != 0) deps_.events.unsubscribe(subscription_);
  }

  asio::awaitable<std::optional<std::string>> next() override {
    if (!timer_) co_await begin();
    if (!greeted_) {
      greeted_ = true;
      co_return std::string(kRetryHint);
    }
    for (;;) {
      if (stopped_) co_return std::nullopt;
      woken_ = false;
      auto batch = co_await deps_.workers.run(core::kNoDeadline, [&] {
        return deps_.events.read_after(tenant_id_, last_seq_, kBatch);
      });
      if (!batch) {
        // The database is unavailable: end the stream; the client reconnects with
        // Last-Event-ID and loses nothing.
        co_return std::nullopt;
      }
      std::string piece;
      for (const events::Event& event : *batch) {
        last_seq_ = event.seq;
        if (!wanted(event.type)) continue;
        piece += "id: " + std::to_string(event.seq) + "\nevent: " + event.type +
                 "\ndata: " + events::to_json(event) + "\n\n";
      }
      if (!piece.empty()) co_return piece;
      if (batch->size() == kBatch) continue;  // a full batch of filtered-out events
      if (woken_) continue;                   // something committed while we read
      timer_->expires_after(deps_.heartbeat);
      auto [ec] = co_await timer_->async_wait(asio::as_tuple(asio::use_awaitable));
      if (!ec && !woken_ && !stopped_) co_return std::string(": heartbeat\n\n");
    }
  }

  void stop() override {
    stopped_ = true;
    if (timer_) timer_->cancel();
  }

 private:
  // On the connection's thread, at the first next(): the timer lives on its executor, and
  // commit notifications (from any thread) are posted there.
  asio::awaitable<void> begin() {
    auto executor = co_await asio::this_coro::executor;
    timer_.emplace(executor);
    std::weak_ptr<EventStream> self = weak_from_this();
    subscription_ =
        deps_.events.subscribe([self, executor, tenant = tenant_id_](const std::string& tenant_id) {
          if (tenant_id != tenant) return;
          asio::post(executor, [self] {
            if (auto stream = self.lock()) {
              stream->woken_ = true;
              if (stream->timer_) stream->timer_->cancel();
            }
          });
        });
  }

  bool wanted(std::string_view type) const {
    if (filters_.empty()) return true;
    return std::any_of(filters_.begin(), filters_.end(), [&](const std::string& filter) {
      return events::type_matches(type, filter);
    });
  }

  const EventStreamDependencies& deps_;
  const std::string tenant_id_;
  const std::vector<std::string> filters_;
  std::int64_t last_seq_;
  std::optional<asio::steady_timer> timer_;
  std::uint64_t subscription_ = 0;
  bool greeted_ = false;
  bool woken_ = false;
  bool stopped_ = false;
};

// The filters in `types` ("api_key.*,user.created"); kInvalidArgument naming `types`.
core::Result<std::vector<std::string>> parse_types(const std::string* types) {
  std::vector<std::string> filters;
  if (types == nullptr) return filters;
  std::string_view rest = *types;
  while (!rest.empty()) {
    std::size_t comma = std::min(rest.find(','), rest.size());
    std::string_view filter = rest.substr(0, comma);
    if (!events::valid_type_filter(filter)) {
      return core::Error::invalid(
          "\"" + std::string(filter) + "\" is not an event type, a prefix pattern (import.*) or *",
          "types");
    }
    filters.emplace_back(filter);
    rest.remove_prefix(std::min(comma + 1, rest.size()));
  }
  return filters;
}

boost::asio::awaitable<Response> stream_events(const EventStreamDependencies& deps,
                                               RequestContext& context) {
  const core::Principal* actor = actor_of(context);
  if (actor == nullptr) co_return no_actor(context);
  if (actor->tenant_id.empty()) {
    co_return error_response(
        core::Error::make(core::ErrorCode::kPermissionDenied,
                          "events belong to a tenant; the platform operator has none"),
        context);
  }
  auto params = FormFields::parse(context.request.query(), {"types", "last_event_id"});
  if (!params) co_return error_response(params.error(), context);
  auto filters = parse_types(params->get("types"));
  if (!filters) co_return error_response(filters.error(), context);

  // Where to resume: the Last-Event-ID header (sent by EventSource on reconnect), else the
  // query parameter, else from now on.
  std::optional<std::string_view> resume = context.request.headers.get("Last-Event-ID");
  std::string field_header = "Last-Event-ID";
  if (!resume && params->get("last_event_id")) {
    resume = *params->get("last_event_id");
    field_header.clear();
  }
  std::int64_t last_seq = 0;
  if (resume) {
    auto [end, error] = std::from_chars(resume->data(), resume->data() + resume->size(), last_seq);
    if (error != std::errc() || end != resume->data() + resume->size() || last_seq < 0) {
      core::Error invalid = core::Error::invalid("must be the id of an event this stream sent");
      if (field_header.empty()) {
        invalid.field = "last_event_id";
      } else {
        invalid.header = field_header;
      }
      co_return error_response(invalid, context);
    }
  } else {
    auto newest = co_await deps.workers.run(context.deadline,
                                            [&] { return deps.events.last_seq(actor->tenant_id); });
    if (!newest) co_return error_response(newest.error(), context);
    last_seq = *newest;
  }

  Response response;
  response.status = 200;
  response.headers.set("Content-Type", "text/event-stream");
  response.headers.set("Cache-Control", "no-store");
  response.headers.set("X-Accel-Buffering", "no");  // reverse proxies: do not buffer
  response.stream =
      std::make_shared<EventStream>(deps, actor->tenant_id, std::move(*filters), last_seq);
  co_return response;
}

}  // namespace

void add_event_stream_routes(http::Router& router, const EventStreamDependencies& dependencies) {
  const EventStreamDependencies* deps = &dependencies;
  router.add(
      http::Method::kGet, "/v1/events/stream",
      [deps](RequestContext& context) { return stream_events(*deps, context); },
      route_options(
          identity::permission::kEventsRead,
          "The tenant's events as they happen (Server-Sent Events), resumable with Last-Event-ID.",
          {.operation_id = "streamEvents",
           .query = {{.name = "types",
                      .description = "Comma-separated event types or patterns (`api_key.*`); "
                                     "absent: every type."},
                     {.name = "last_event_id",
                      .description = "Resume after this event id, for clients that cannot send "
                                     "the Last-Event-ID header.",
                      .schema = R"({"type":"integer","minimum":0})"}},
           .headers = {{.name = "Last-Event-ID",
                        .description = "Resume after this event id (EventSource sends it when "
                                       "it reconnects); absent: only events from now on."}},
           .responses = {{.status = 200,
                          .description = "A stream of `id:`/`event:`/`data:` messages whose data "
                                         "is the event as JSON, with `: heartbeat` comments "
                                         "while nothing happens. It ends when the server shuts "
                                         "down; reconnecting with Last-Event-ID loses nothing.",
                          .schema = R"({"type":"string"})",
                          .media_type = "text/event-stream"}}}));
}

}  // namespace aic::api::v1
