// Statements, prices, bank CSV and news imported over real HTTP, and what is computed from
// them: scores with a market value, risk, sentiment, peer benchmarks and cached insights.
#include <gtest/gtest.h>

#include <cmath>

#include "tenant_world.hpp"

namespace aic::test {
namespace {

std::string create(World& world, const std::string& body) {
  auto created = world.call("POST", "/v1/entities", world.owner_a, body);
  if (!created || created->status != 201) {
    throw std::runtime_error("create entity: " + (created ? created->body : "no answer"));
  }
  return std::string(body_of(*created)["id"].as_string());
}

json::object import(World& world, const std::string& id, const std::string& query,
                    const std::string& file, int status = 201) {
  auto answer = world.call("POST", "/v1/entities/" + id + "/imports?" + query, world.owner_a, file);
  if (!answer) throw std::runtime_error("no answer to import " + query);
  EXPECT_EQ(answer->status, status) << query << " → " << answer->body;
  return body_of(*answer);
}

json::object get(World& world, const std::string& target, int status = 200) {
  auto answer = world.call("GET", target, world.owner_a);
  if (!answer) throw std::runtime_error("no answer to " + target);
  EXPECT_EQ(answer->status, status) << target << " → " << answer->body;
  return body_of(*answer);
}

// Five years of a small manufacturer, in thousands of euros; the balance sheets balance.
std::string statements(double revenue_2024) {
  std::string csv =
      "period_end,length,currency,scale,revenue,cogs,sga,ebit,interest_expense,net_income,"
      "cash,receivables,inventory,current_assets,total_assets,payables,current_liabilities,"
      "long_term_debt,total_liabilities,retained_earnings,equity,shares_outstanding,"
      "operating_cash_flow,capex\n";
  const double revenues[] = {8000, 8600, 9100, 9800, revenue_2024};
  for (int i = 0; i < 5; ++i) {
    const double revenue = revenues[i];
    char row[512];
    std::snprintf(row, sizeof row,
                  "%d-12-31,annual,EUR,thousands,%.0f,%.0f,%.0f,%.0f,120,%.0f,%d,1400,1100,%d,"
                  "12000,900,2500,3000,6000,%d,6000,2000000,%.0f,600\n",
                  2020 + i, revenue, revenue * 0.62, revenue * 0.2, revenue * 0.18, revenue * 0.12,
                  900 + 100 * i, 3400 + 100 * i, 2500 + 400 * i, revenue * 0.15);
    csv += row;
  }
  return csv;
}

// Twelve months of rent out and sales in: 2,000.00 EUR net out each month, 26,000.00 left.
std::string bank_csv() {
  std::string csv = "Buchungstag;Text;Betrag;Saldo\n";
  double balance = 50000;
  for (int month = 1; month <= 12; ++month) {
    char row[160];
    balance -= 3000;
    std::snprintf(row, sizeof row, "05.%02d.2025;Miete Halle %d;-3.000,00;%.0f,00\n", month, month,
                  balance);
    csv += row;
    balance += 1000;
    std::snprintf(row, sizeof row, "20.%02d.2025;\"Kunde; Rechnung %d\";1.000,00;%.0f,00\n", month,
                  month, balance);
    csv += row;
  }
  return csv;
}

constexpr std::string_view kBankCsvQuery =
    "format=bank-csv&date_column=Buchungstag&amount_column=Betrag&description_column=Text&"
    "balance_column=Saldo&currency=EUR&account=DE89370400440532013000&decimal_separator=,&"
    "delimiter=;&date_format=%25d.%25m.%25Y";

TEST(Insights, ImportsScoresRiskSentimentAndTheCachedDocument) {
  World world;
  const std::string id =
      create(world, R"({"name":"Northwind Fasteners AG","currency":"EUR","industry_code":"332722",)"
                    R"("is_public":true,"manufacturing":true})");

  auto report = import(world, id, "format=statements-csv", statements(10400));
  EXPECT_EQ(report["kind"], "financial_periods");
  EXPECT_EQ(report["records"], 5);
  EXPECT_EQ(report["added"], 5);
  auto again = import(world, id, "format=statements-csv", statements(10400));
  EXPECT_EQ(again["duplicates"], 5);
  EXPECT_EQ(again["added"], 0);
  auto restated = import(world, id, "format=statements-csv", statements(10500));
  EXPECT_EQ(restated["updated"], 1);
  EXPECT_EQ(restated["duplicates"], 4);

  // Without prices a listed manufacturer has no market value of equity, so Altman falls back
  // to Z′ (book equity); with the close at the year end it is the original Z.
  auto before_prices = get(world, "/v1/entities/" + id + "/scores");
  EXPECT_EQ(before_prices["altman"].at("variant"), "Z'") << json::serialize(before_prices);

  auto prices = import(world, id, "format=prices-csv",
                       "Date,Open,High,Low,Close,Volume\n"
                       "2024-12-30,4.10,4.30,4.00,4.20,10000\n"
                       "2023-12-29,3.90,4.00,3.80,3.95,12000\n");
  EXPECT_EQ(prices["kind"], "share_prices");
  EXPECT_EQ(prices["added"], 2);
  auto scored = get(world, "/v1/entities/" + id + "/scores");
  EXPECT_EQ(scored["altman"].at("variant"), "Z");
  ASSERT_TRUE(scored["altman"].at("score").is_number()) << json::serialize(scored);
  // X4 = market value of equity / total liabilities = 4.20 × 2,000,000 / 6,000,000.
  bool found_x4 = false;
  for (const auto& component : scored["altman"].at("components").as_array()) {
    const auto& value = component.as_object().at("value");
    if (value.is_number() && std::fabs(value.to_number<double>() - 1.4) < 1e-9) found_x4 = true;
  }
  EXPECT_TRUE(found_x4) << json::serialize(scored["altman"]);

  auto bank = import(world, id, std::string(kBankCsvQuery), bank_csv());
  EXPECT_EQ(bank["kind"], "bank_transactions");
  EXPECT_EQ(bank["records"], 24);
  EXPECT_EQ(bank["added"], 24);
  EXPECT_TRUE(bank["warnings"].as_array().empty()) << json::serialize(bank);

  auto risk = get(world, "/v1/entities/" + id + "/risk");
  ASSERT_TRUE(risk["runway"].is_object()) << json::serialize(risk);
  const auto& runway = risk["runway"].as_object();
  EXPECT_EQ(runway.at("burning"), true);
  EXPECT_EQ(runway.at("cash_balance"), 2600000);  // 26,000.00 EUR in cents
  EXPECT_NEAR(runway.at("runway_months").to_number<double>(), 13.0, 1e-9);
  EXPECT_EQ(risk["forecasts"].at("revenue").at("points").as_array().size(), 4u);
  EXPECT_TRUE(risk["distress"].at("probability").is_number()) << json::serialize(risk);

  auto first = get(world, "/v1/entities/" + id + "/insights");
  EXPECT_EQ(first["name"], "Northwind Fasteners AG");
  EXPECT_TRUE(first["scores"].is_object());
  const std::string summary(first["summary"].as_string());
  EXPECT_NE(summary.find("Northwind Fasteners AG's financial health is"), std::string::npos)
      << summary;
  EXPECT_NE(summary.find("about 13.0 months"), std::string::npos) << summary;
  // Cached: the same document until the data changes.
  auto cached = get(world, "/v1/entities/" + id + "/insights");
  EXPECT_EQ(cached["computed_at"], first["computed_at"]);
  EXPECT_EQ(cached["data_version"], first["data_version"]);

  auto sentiment_missing = get(world, "/v1/entities/" + id + "/sentiment", 404);
  auto news = import(world, id, "format=news-json",
                     R"([{"headline":"Northwind Fasteners wins large order from rail operator",)"
                     R"("published_at":"2025-12-01T09:00:00+01:00","source":"Wire"},)"
                     R"({"headline":"Northwind Fasteners operating profit rose to EUR 1.9 mn",)"
                     R"("published_at":"2025-12-03T09:00:00Z","source":"Wire"},)"
                     R"({"headline":"Northwind Fasteners to cut 40 jobs at its Kassel plant",)"
                     R"("published_at":"2025-12-04T09:00:00Z","source":"Wire"},)"
                     R"({"headline":"Northwind Fasteners is headquartered in Kassel",)"
                     R"("published_at":"2025-12-05T09:00:00Z","source":"Wire"}])");
  EXPECT_EQ(news["kind"], "news_items");
  EXPECT_EQ(news["added"], 4);
  auto news_again = import(world, id, "format=news-json",
                           R"([{"headline":"Northwind Fasteners is headquartered in Kassel",)"
                           R"("published_at":"2025-12-05T09:00:00Z","source":"Wire"}])");
  EXPECT_EQ(news_again["duplicates"], 1);
  auto bad_window =
      world.call("GET", "/v1/entities/" + id + "/sentiment?window_days=0", world.owner_a);
  ASSERT_TRUE(bad_window);
  EXPECT_EQ(bad_window->status, 400);
  EXPECT_EQ(problem_field(*bad_window), "window_days");
  auto sentiment = get(world, "/v1/entities/" + id + "/sentiment?window_days=30");
  EXPECT_EQ(sentiment["items"], 4);
  EXPECT_EQ(sentiment["as_of"], "2025-12-05");
  EXPECT_GE(sentiment["positive"].as_int64(), 1);
  EXPECT_GE(sentiment["negative"].as_int64(), 1);

  auto updated = get(world, "/v1/entities/" + id + "/insights");
  EXPECT_NE(updated["data_version"], first["data_version"]);
  EXPECT_TRUE(updated["sentiment"].is_object());
}

TEST(Insights, BenchmarkAgainstNamedAndAutomaticPeers) {
  World world;
  const std::string id = create(
      world, R"({"name":"Target","currency":"EUR","industry_code":"332722","manufacturing":true})");
  import(world, id, "format=statements-csv", statements(10400));
  std::string peers;
  const double revenues[] = {9000, 11000, 14000};
  for (int i = 0; i < 3; ++i) {
    const std::string peer = create(world, R"({"name":"Peer )" + std::to_string(i) +
                                               R"(","currency":"EUR","industry_code":"3327)" +
                                               std::to_string(i) + R"("})");
    import(world, peer, "format=statements-csv", statements(revenues[i]));
    peers += (peers.empty() ? "" : ",") + peer;
  }
  // Another sector: never an automatic peer.
  create(world, R"({"name":"Bank","currency":"EUR","industry_code":"522110"})");

  auto named = get(world, "/v1/entities/" + id + "/benchmark?peer_group=" + peers);
  EXPECT_EQ(named["peer_group"], "explicit");
  EXPECT_EQ(named["peer_ids"].as_array().size(), 3u);
  bool net_margin = false;
  for (const auto& metric : named["metrics"].as_array()) {
    const auto& m = metric.as_object();
    if (m.at("metric") != "net_margin") continue;
    net_margin = true;
    // Every company earns 12 % of revenue: tied with all three peers.
    EXPECT_NEAR(m.at("value").to_number<double>(), 0.12, 1e-9);
    EXPECT_NEAR(m.at("percentile").to_number<double>(), 50.0, 1e-9);
    EXPECT_EQ(m.at("peers"), 3);
  }
  EXPECT_TRUE(net_margin) << json::serialize(named);

  auto automatic = get(world, "/v1/entities/" + id + "/benchmark");
  EXPECT_EQ(automatic["peer_ids"].as_array().size(), 3u) << json::serialize(automatic);
  EXPECT_NE(std::string(automatic["peer_group"].as_string()).find("industry 3327"),
            std::string::npos);

  auto foreign =
      world.call("GET", "/v1/entities/" + id + "/benchmark?peer_group=ent_nope", world.owner_a);
  ASSERT_TRUE(foreign);
  EXPECT_EQ(foreign->status, 400);
  EXPECT_EQ(problem_field(*foreign), "peer_group");
}

TEST(Insights, BadImportsNameTheirFault) {
  World world;
  const std::string id = create(world, R"({"name":"X","currency":"EUR"})");
  struct Case {
    std::string query;
    std::string file;
    std::string field;
  };
  const Case cases[] = {
      {"format=statements-csv", "period_end,length,revnue\n2024-12-31,annual,1\n", "revnue"},
      {"format=prices-csv", "date,close\n2025-01-02,abc\n", "close"},
      {"format=news-json", R"([{"headline":"h"}])", "/0/published_at"},
      {"format=mt940&currency=EUR", ":20:X\n", "currency"},
      {"format=bank-csv&date_column=Date&amount_column=Amount", "Date,Amount\n", "currency"},
      {"format=bank-csv&date_column=Date&amount_column=Amount&currency=EUR&colour=red",
       "Date,Amount\n", "colour"},
  };
  for (const Case& bad : cases) {
    auto answer =
        world.call("POST", "/v1/entities/" + id + "/imports?" + bad.query, world.owner_a, bad.file);
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->status, 400) << bad.query << " → " << answer->body;
    EXPECT_EQ(problem_field(*answer), bad.field) << bad.query << " → " << answer->body;
  }
  // Nothing was stored by any of them.
  auto statements_list = get(world, "/v1/entities/" + id + "/statements");
  EXPECT_TRUE(statements_list["data"].as_array().empty());
}

TEST(Insights, ScoreTextsAndImportQifInTheEntitysCurrency) {
  World world;
  auto scored = world.call(
      "POST", "/v1/sentiment/score", world.owner_a,
      R"({"texts":["Operating profit rose to EUR 13.1 mn from EUR 8.7 mn.",)"
      R"("Net sales decreased by 5 % to EUR 90 mn.","The company is based in Espoo."]})");
  ASSERT_TRUE(scored);
  ASSERT_EQ(scored->status, 200) << scored->body;
  const auto results = body_of(*scored)["results"].as_array();
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0].at("label"), "positive");
  EXPECT_FALSE(results[0].at("evidence").as_array().empty());
  EXPECT_EQ(results[1].at("label"), "negative");
  EXPECT_EQ(results[2].at("label"), "neutral");
  auto unknown = world.call("POST", "/v1/sentiment/score", world.owner_a,
                            R"({"texts":["x"],"method":"finbert"})");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 400);
  EXPECT_EQ(problem_field(*unknown), "/method");
  // No model configured and no evaluation for the task: "auto" cannot choose.
  auto llm =
      world.call("POST", "/v1/sentiment/score", world.owner_a, R"({"texts":["x"],"method":"llm"})");
  ASSERT_TRUE(llm);
  EXPECT_EQ(llm->status, 400) << llm->body;
  EXPECT_EQ(problem_field(*llm), "/model");

  const std::string id = create(world, R"({"name":"Q","currency":"EUR"})");
  const std::string qif =
      "!Type:Bank\nD31/01/2025\nT-42.50\nPStadtwerke\nMElectricity\n^\n"
      "D01/02/2025\nT1,200.00\nN1001\nPCustomer\n^\n";
  auto no_account = import(world, id, "format=qif&day_first=true", qif, 400);
  EXPECT_NE(json::serialize(no_account).find("account"), std::string::npos);
  auto report = import(world, id, "format=qif&day_first=true&account=DE02120300000000202051", qif);
  EXPECT_EQ(report["records"], 2);
  EXPECT_EQ(report["added"], 2);
  auto listed = get(world, "/v1/entities/" + id + "/bank-transactions");
  const auto& data = listed["data"].as_array();
  ASSERT_EQ(data.size(), 2u);
  EXPECT_EQ(data[0].at("currency"), "EUR");
  EXPECT_EQ(data[0].at("booking_date"), "2025-01-31");
  EXPECT_EQ(data[0].at("amount"), "-42.50");
  EXPECT_EQ(data[0].at("account"), "DE02120300000000202051");
  auto bad_flag = world.call("POST", "/v1/entities/" + id + "/imports?format=qif&day_first=yes",
                             world.owner_a, qif);
  ASSERT_TRUE(bad_flag);
  EXPECT_EQ(bad_flag->status, 400);
  EXPECT_EQ(problem_field(*bad_flag), "day_first");
}

}  // namespace
}  // namespace aic::test
