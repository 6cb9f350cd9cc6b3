// Entities and bank-file imports over real HTTP: validation, atomic and idempotent imports,
// errors that name the line, and tenant isolation.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "tenant_world.hpp"

namespace aic::test {
namespace {

// Two entries, balances that add up: opening 1,000.00, −25.50 and +1,200.00, closing 2,174.50.
constexpr std::string_view kStatement =
    ":20:STMT-2024-02\r\n"
    ":25:NL91ABNA0417164300\r\n"
    ":28C:42/1\r\n"
    ":60F:C240131EUR1000,00\r\n"
    ":61:2402010201D25,50NTRFINV-7781//BR-0001\r\n"
    ":86:/NAME/Acme Office Supplies/REMI/Invoice 7781/IBAN/DE89370400440532013000\r\n"
    ":61:2402020202C1200,NMSCNONREF//BR-0002\r\n"
    ":86:Payroll Example GmbH\r\n"
    ":62F:C240229EUR2174,50\r\n"
    "-\r\n";

std::string create_entity(World& world, const std::string& token) {
  auto created = world.call("POST", "/v1/entities", token,
                            R"({"name":"Acme Manufacturing GmbH","currency":"EUR",)"
                            R"("country":"DE","industry_code":"332","manufacturing":true})");
  if (!created || created->status != 201) {
    throw std::runtime_error("create entity: " + (created ? created->body : "no answer"));
  }
  return std::string(body_of(*created)["id"].as_string());
}

json::array transactions_of(World& world, const std::string& entity_id) {
  auto listed = world.call("GET", "/v1/entities/" + entity_id + "/bank-transactions?limit=200",
                           world.owner_a);
  if (!listed || listed->status != 200) {
    throw std::runtime_error("list: " + (listed ? listed->body : "no answer"));
  }
  return body_of(*listed)["data"].as_array();
}

TEST(Entities, CreateListAndGet) {
  World world;
  const std::string id = create_entity(world, world.owner_a);
  auto one = world.call("GET", "/v1/entities/" + id, world.owner_a);
  ASSERT_TRUE(one);
  ASSERT_EQ(one->status, 200) << one->body;
  auto entity = body_of(*one);
  EXPECT_EQ(entity["name"], "Acme Manufacturing GmbH");
  EXPECT_EQ(entity["currency"], "EUR");
  EXPECT_EQ(entity["manufacturing"], true);
  EXPECT_EQ(entity["is_public"], false);
  EXPECT_TRUE(entity["lei"].is_null());
  auto list = world.call("GET", "/v1/entities", world.owner_a);
  ASSERT_TRUE(list);
  ASSERT_EQ(list->status, 200);
  EXPECT_EQ(body_of(*list)["data"].as_array().size(), 1u);
  auto theirs = world.call("GET", "/v1/entities", world.owner_b);
  ASSERT_TRUE(theirs);
  EXPECT_TRUE(body_of(*theirs)["data"].as_array().empty());
}

TEST(Entities, BadFieldsAreNamed) {
  World world;
  const std::pair<const char*, const char*> cases[] = {
      {R"({"name":"X","currency":"euro"})", "/currency"},
      {R"({"name":"","currency":"EUR"})", "/name"},
      {R"({"name":"X","currency":"EUR","lei":"too-short"})", "/lei"},
      {R"({"name":"X","currency":"EUR","country":"Germany"})", "/country"},
      {R"({"name":"X","currency":"EUR","is_public":"yes"})", "/is_public"},
      {R"({"name":"X","currency":"EUR","tenant_id":"ten_other"})", "/tenant_id"},
  };
  for (const auto& [body, field] : cases) {
    auto response = world.call("POST", "/v1/entities", world.owner_a, body);
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 400) << body << " → " << response->body;
    EXPECT_EQ(problem_field(*response), field) << body;
  }
}

TEST(Entities, ImportIsIdempotentAndKeepsEveryField) {
  World world;
  const std::string id = create_entity(world, world.owner_a);
  const std::string target = "/v1/entities/" + id + "/imports?format=mt940";
  auto first = world.call("POST", target, world.owner_a, std::string(kStatement));
  ASSERT_TRUE(first);
  ASSERT_EQ(first->status, 201) << first->body;
  auto report = body_of(*first);
  EXPECT_EQ(report["format"], "mt940");
  EXPECT_EQ(report["statements"], 1);
  EXPECT_EQ(report["accounts_created"], 1);
  EXPECT_EQ(report["kind"], "bank_transactions");
  EXPECT_EQ(report["records"], 2);
  EXPECT_EQ(report["added"], 2);
  EXPECT_EQ(report["duplicates"], 0);
  EXPECT_TRUE(report["warnings"].as_array().empty()) << first->body;

  json::array stored = transactions_of(world, id);
  ASSERT_EQ(stored.size(), 2u);
  auto debit = stored[0].as_object();
  auto credit = stored[1].as_object();
  if (debit["amount"] != "-25.50") std::swap(debit, credit);
  EXPECT_EQ(debit["amount"], "-25.50");
  EXPECT_EQ(debit["amount_minor"], -2550);
  EXPECT_EQ(debit["booking_date"], "2024-02-01");
  EXPECT_EQ(debit["account"], "NL91ABNA0417164300");
  EXPECT_EQ(debit["currency"], "EUR");
  EXPECT_EQ(debit["reference"], "BR-0001");
  EXPECT_EQ(credit["amount"], "1200.00");

  // The same file again, and a file that repeats one entry: nothing new is stored.
  auto again = world.call("POST", target, world.owner_a, std::string(kStatement));
  ASSERT_TRUE(again);
  ASSERT_EQ(again->status, 201) << again->body;
  EXPECT_EQ(body_of(*again)["added"], 0);
  EXPECT_EQ(body_of(*again)["duplicates"], 2);
  EXPECT_EQ(body_of(*again)["accounts_created"], 0);
  EXPECT_EQ(transactions_of(world, id).size(), 2u);
}

TEST(Entities, ABrokenFileIsRefusedWithItsLineAndStoresNothing) {
  World world;
  const std::string id = create_entity(world, world.owner_a);
  std::string broken(kStatement);
  broken.replace(broken.find("D25,50"), 6, "D25.50");  // line 5: a decimal point, not a comma
  auto refused =
      world.call("POST", "/v1/entities/" + id + "/imports?format=mt940", world.owner_a, broken);
  ASSERT_TRUE(refused);
  ASSERT_EQ(refused->status, 400) << refused->body;
  auto problem = body_of(*refused);
  ASSERT_TRUE(problem.contains("line")) << refused->body;
  EXPECT_EQ(problem["line"], 5) << refused->body;
  EXPECT_TRUE(transactions_of(world, id).empty());

  auto unknown =
      world.call("POST", "/v1/entities/" + id + "/imports?format=xls", world.owner_a, "x");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 400);
  EXPECT_EQ(problem_field(*unknown), "format");
  auto missing = world.call("POST", "/v1/entities/" + id + "/imports", world.owner_a, "x");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 400);
  EXPECT_EQ(problem_field(*missing), "format");
}

TEST(Entities, AnotherTenantCannotImportOrRead) {
  World world;
  const std::string id = create_entity(world, world.owner_a);
  auto imported = world.call("POST", "/v1/entities/" + id + "/imports?format=mt940", world.owner_b,
                             std::string(kStatement));
  ASSERT_TRUE(imported);
  EXPECT_EQ(imported->status, 404) << imported->body;
  auto read = world.call("GET", "/v1/entities/" + id + "/bank-transactions", world.owner_b);
  ASSERT_TRUE(read);
  EXPECT_EQ(read->status, 404);
  EXPECT_TRUE(transactions_of(world, id).empty());
}

TEST(Entities, ViewersReadButCannotImport) {
  World world;
  const std::string id = create_entity(world, world.owner_a);
  auto [key_id, viewer] = world.create_key(world.owner_a, "viewer");
  auto listed = world.call("GET", "/v1/entities/" + id, viewer);
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->status, 200);
  auto imported = world.call("POST", "/v1/entities/" + id + "/imports?format=mt940", viewer,
                             std::string(kStatement));
  ASSERT_TRUE(imported);
  EXPECT_EQ(imported->status, 403);
  (void)key_id;
}

std::string shared_file(const std::string& name) {
  std::ifstream file(std::string(AIC_SHARED_DATA_DIR) + "/" + name, std::ios::binary);
  if (!file) throw std::runtime_error("cannot read " + name);
  std::ostringstream contents;
  contents << file.rdbuf();
  return std::move(contents).str();
}

// SEC EDGAR companyfacts of Snowflake Inc. (a real filer), imported and scored over HTTP.
TEST(Entities, EdgarStatementsImportOnceAndScore) {
  World world;
  auto created = world.call("POST", "/v1/entities", world.owner_a,
                            R"({"name":"Snowflake Inc.","currency":"USD","cik":"1640147",)"
                            R"("is_public":true,"manufacturing":false})");
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 201) << created->body;
  const std::string id(body_of(*created)["id"].as_string());

  auto none = world.call("GET", "/v1/entities/" + id + "/scores", world.owner_a);
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 404) << none->body;

  const std::string facts = shared_file("edgar/snow_facts.json");
  const std::string target = "/v1/entities/" + id + "/imports?format=edgar-companyfacts";
  auto imported = world.call("POST", target, world.owner_a, facts);
  ASSERT_TRUE(imported);
  ASSERT_EQ(imported->status, 201) << imported->body;
  auto report = body_of(*imported);
  EXPECT_EQ(report["kind"], "financial_periods");
  const std::int64_t periods = report["records"].as_int64();
  EXPECT_GT(periods, 8);
  EXPECT_EQ(report["added"], periods);

  auto again = world.call("POST", target, world.owner_a, facts);
  ASSERT_TRUE(again);
  ASSERT_EQ(again->status, 201) << again->body;
  EXPECT_EQ(body_of(*again)["added"], 0);
  EXPECT_EQ(body_of(*again)["updated"], 0);
  EXPECT_EQ(body_of(*again)["duplicates"], periods);

  auto listed = world.call("GET", "/v1/entities/" + id + "/statements", world.owner_a);
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->status, 200) << listed->body;
  bool found = false;
  const auto stored = body_of(*listed);
  for (const auto& period : stored.at("data").as_array()) {
    EXPECT_EQ(period.at("length"), "annual");
    if (period.at("period_end") != "2025-01-31") continue;
    found = true;
    EXPECT_EQ(period.at("items").at("total_assets").to_number<double>(), 9033938000.0);
    EXPECT_EQ(period.at("items").at("revenue").to_number<double>(), 3626396000.0);
  }
  EXPECT_TRUE(found) << listed->body;

  auto scored =
      world.call("GET", "/v1/entities/" + id + "/scores?period_end=2025-01-31", world.owner_a);
  ASSERT_TRUE(scored);
  ASSERT_EQ(scored->status, 200) << scored->body;
  auto scores = body_of(*scored);
  EXPECT_EQ(scores["period"].at("end"), "2025-01-31");
  EXPECT_EQ(scores["fiscal_year"], 2025);
  EXPECT_EQ(scores["source_ref"], "0001640147-25-000052");
  EXPECT_EQ(scores["altman"].at("variant"), "Z''");  // public, not a manufacturer
  ASSERT_TRUE(scores["altman"].at("score").is_number()) << scored->body;
  // Z'' = 6.56·WC/TA + 3.26·RE/TA + 6.72·EBIT/TA + 1.05·BE/TL from the filing's values.
  const double ta = 9033938000.0, wc = 5869372000.0 - 3301183000.0, re = -7293575000.0,
               ebit = -1456010000.0, be = 2999929000.0, tl = 6027295000.0;
  EXPECT_NEAR(scores["altman"].at("score").to_number<double>(),
              6.56 * wc / ta + 3.26 * re / ta + 6.72 * ebit / ta + 1.05 * be / tl, 1e-9);
  EXPECT_TRUE(scores["health"].at("score").is_number());
  EXPECT_EQ(scores["prior_period"].at("end"), "2024-01-31");

  auto quarter = world.call("GET", "/v1/entities/" + id + "/scores?length=quarter", world.owner_a);
  ASSERT_TRUE(quarter);
  EXPECT_EQ(quarter->status, 200) << quarter->body;
  auto bad = world.call("GET", "/v1/entities/" + id + "/scores?length=weekly", world.owner_a);
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(body_of(*bad)["field"], "length");
  auto other = world.call("GET", "/v1/entities/" + id + "/scores", world.owner_b);
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 404);
}

TEST(Entities, AnIfrsOnlyFileImportsNothingAndSaysWhy) {
  World world;
  const std::string id = create_entity(world, world.owner_a);
  auto refused = world.call("POST", "/v1/entities/" + id + "/imports?format=edgar-companyfacts",
                            world.owner_a, shared_file("edgar/lpa_facts.json"));
  ASSERT_TRUE(refused);
  ASSERT_EQ(refused->status, 400) << refused->body;
  auto problem = body_of(*refused);
  EXPECT_EQ(problem["field"], "/facts");
  EXPECT_NE(std::string(problem["detail"].as_string()).find("IFRS"), std::string::npos)
      << refused->body;
}

}  // namespace
}  // namespace aic::test
