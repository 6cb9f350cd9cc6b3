#include "core/json_writer.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <limits>
#include <optional>
#include <string>

namespace aic::core {
namespace {

namespace json = boost::json;

TEST(JsonWriter, WritesNestedObjectsAndArraysWithCommas) {
  std::string out;
  JsonWriter writer(out);
  writer.begin_object();
  writer.member("name", "aic");
  writer.member("count", std::int64_t{-42});
  writer.member("enabled", true);
  writer.member_or_null("missing", std::optional<std::string>());
  writer.member_or_null("present", std::optional<std::int64_t>(7));
  writer.key("items");
  writer.begin_array();
  writer.value("a");
  writer.begin_object();
  writer.end_object();
  writer.begin_array();
  writer.end_array();
  writer.null();
  writer.end_array();
  writer.key("empty");
  writer.begin_object();
  writer.end_object();
  writer.end_object();
  EXPECT_EQ(out, R"({"name":"aic","count":-42,"enabled":true,"missing":null,"present":7,)"
                 R"("items":["a",{},[],null],"empty":{}})");
}

TEST(JsonWriter, EscapesWhatJsonRequiresAndRoundTripsThroughAParser) {
  const std::string nasty = std::string("quote \" backslash \\ newline \n tab \t cr \r nul ") +
                            '\0' + " bell \x07 del \x7f slash / unicode \xc3\xa9\xe2\x82\xac";
  std::string out;
  JsonWriter writer(out);
  writer.begin_object();
  writer.member(nasty, nasty);
  writer.member("min", std::numeric_limits<std::int64_t>::min());
  writer.end_object();
  json::value parsed = json::parse(out);
  const json::object& object = parsed.as_object();
  ASSERT_TRUE(object.contains(nasty));
  EXPECT_EQ(std::string(object.at(nasty).as_string()), nasty);
  EXPECT_EQ(object.at("min").as_int64(), std::numeric_limits<std::int64_t>::min());
  // Control characters never appear raw in the text.
  for (char c : out) EXPECT_FALSE(static_cast<unsigned char>(c) < 0x20) << out;
}

TEST(JsonWriter, WritesBytesThatAreNotUtf8AsReplacementCharacters) {
  std::string out;
  JsonWriter json(out);
  // A stray continuation byte, a truncated sequence, an overlong '/', a surrogate, and valid
  // two-, three- and four-byte characters around them.
  json.value(
      std::string_view("a\x80"
                       "b\xE2\x82 \xC0\xAF \xED\xA0\x80 \xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"));
  boost::system::error_code error;
  auto parsed = boost::json::parse(out, error);
  ASSERT_FALSE(error) << out;
  EXPECT_EQ(parsed.as_string(),
            "a\xEF\xBF\xBD"
            "b\xEF\xBF\xBD\xEF\xBF\xBD \xEF\xBF\xBD\xEF\xBF\xBD "
            "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD \xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
}

// The fast path checks eight bytes at a time and the rest one by one: every byte value, at
// every position of a word and of the tail, must still be escaped (or replaced) correctly.
TEST(JsonWriter, EscapesEveryByteWhereverItSitsInTheText) {
  // Lengths around the fast check's eight-byte words: shorter than one, exact multiples, and
  // tails that overlap the word before.
  for (int byte = 0; byte < 256; ++byte) {
    for (std::size_t length : {1, 2, 7, 8, 9, 15, 16, 17, 19, 24}) {
      for (std::size_t position = 0; position < length; ++position) {
        std::string text(length, 'a');
        text[position] = static_cast<char>(byte);
        std::string out;
        JsonWriter writer(out);
        writer.value(text);
        boost::system::error_code error;
        auto parsed = json::parse(out, error);
        ASSERT_FALSE(error) << "byte " << byte << " at " << position << ": " << out;
        std::string expected = text;
        if (byte >= 0x80) expected.replace(position, 1, "\xEF\xBF\xBD");  // not UTF-8 alone
        EXPECT_EQ(std::string(parsed.as_string()), expected)
            << "byte " << byte << " at " << position;
        for (char c : out) ASSERT_FALSE(static_cast<unsigned char>(c) < 0x20) << out;
      }
    }
  }
}

TEST(JsonWriter, AppendsToWhatIsAlreadyInTheString) {
  std::string out = "prefix:";
  JsonWriter writer(out);
  writer.value("x");
  EXPECT_EQ(out, R"(prefix:"x")");
}

}  // namespace
}  // namespace aic::core
