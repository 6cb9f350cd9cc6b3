// The event types the platform publishes: the one list the publisher checks against, the API
// validates endpoint filters with, and docs/events.md documents (a test keeps them equal).
#pragma once

#include <span>
#include <string_view>

namespace aic::events {

struct EventType {
  std::string_view name;         // "api_key.created"
  std::string_view description;  // one sentence
  std::string_view data_schema;  // JSON Schema of the event's `data` object
};

std::span<const EventType> catalogue();
// The catalogue entry for `name`, or null.
const EventType* find_event_type(std::string_view name);

// True when `type` is selected by `filter`: the same name, "*", or a prefix ending in ".*"
// ("import.*" selects "import.completed" and "import.failed.partially", not "import").
bool type_matches(std::string_view type, std::string_view filter);
// True when `filter` is a well-formed filter: a name of lower-case letters, digits, `_` and
// dots between words, optionally ending in ".*", or "*" alone.
bool valid_type_filter(std::string_view filter);

}  // namespace aic::events
