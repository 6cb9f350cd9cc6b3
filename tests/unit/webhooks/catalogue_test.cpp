// The event catalogue and event-type filters.
#include "events/catalogue.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <set>

namespace aic::events {
namespace {

TEST(Catalogue, NamesAreUniqueValidAndSchemasAreJsonObjects) {
  std::set<std::string_view> seen;
  for (const EventType& type : catalogue()) {
    EXPECT_TRUE(seen.insert(type.name).second) << type.name;
    EXPECT_TRUE(valid_type_filter(type.name)) << type.name;
    EXPECT_FALSE(type.description.empty()) << type.name;
    boost::system::error_code error;
    auto schema = boost::json::parse(type.data_schema, error);
    ASSERT_FALSE(error) << type.name;
    EXPECT_EQ(schema.as_object().at("type"), "object") << type.name;
    EXPECT_EQ(find_event_type(type.name), &type);
  }
  EXPECT_EQ(find_event_type("no.such.event"), nullptr);
}

TEST(TypeFilters, MatchExactlyByPrefixOrEverything) {
  EXPECT_TRUE(type_matches("api_key.created", "api_key.created"));
  EXPECT_FALSE(type_matches("api_key.created", "api_key.revoked"));
  EXPECT_TRUE(type_matches("api_key.created", "api_key.*"));
  EXPECT_TRUE(type_matches("webhook.endpoint.disabled", "webhook.*"));
  EXPECT_FALSE(type_matches("api_key", "api_key.*"));
  EXPECT_FALSE(type_matches("api_keys.created", "api_key.*"));
  EXPECT_TRUE(type_matches("anything.at_all", "*"));
}

TEST(TypeFilters, OnlyWellFormedFiltersAreValid) {
  for (const char* good : {"*", "import.completed", "import.*", "a.b.c", "ai.budget.*"}) {
    EXPECT_TRUE(valid_type_filter(good)) << good;
  }
  for (const char* bad : {"", ".", "a..b", ".a", "a.", "Import.completed", "import.**", "*.x",
                          "import*", "a b", "a.*.b"}) {
    EXPECT_FALSE(valid_type_filter(bad)) << bad;
  }
}

}  // namespace
}  // namespace aic::events
