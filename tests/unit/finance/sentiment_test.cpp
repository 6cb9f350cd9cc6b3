// Sentiment scorer: the tokeniser, every rule with its exact weight, negation scope,
// modifiers, the evidence, the evaluation metrics on a hand-computed example, malformed
// evaluation input, and the team's development set as a regression guard (data/sentiment/).
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <sstream>
#include <string>

#include "finance/sentiment/evaluation.hpp"
#include "finance/sentiment/lexicon.hpp"
#include "finance/sentiment/sentiment.hpp"
#include "finance/sentiment/tokenizer.hpp"

namespace aic::finance::sentiment {
namespace {

std::vector<Token> tokens_of(std::string_view text) {
  static TokenizedText tokenized;
  tokenize(text, tokenized);
  return tokenized.tokens;
}

std::vector<std::string> words_of(std::string_view text) {
  std::vector<std::string> words;
  for (const Token& token : tokens_of(text)) words.emplace_back(token.text);
  return words;
}

// The one piece of evidence of `text`, which must have exactly one.
Evidence only_evidence(std::string_view text) {
  const SentimentResult result = score(text);
  EXPECT_EQ(result.evidence.size(), 1u) << text << "\n" << to_json(result);
  return result.evidence.empty() ? Evidence{} : result.evidence.front();
}

std::string read_data(const std::string& name) {
  std::ifstream file(std::string(AIC_SENTIMENT_DATA_DIR) + "/" + name, std::ios::binary);
  EXPECT_TRUE(file) << name;
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

// --- tokeniser -------------------------------------------------------------------------------

TEST(SentimentTokenizer, LowerCasesWordsAndScalesAmounts) {
  const auto tokens =
      tokens_of("Operating profit rose to EUR 13.1 mn from EUR 8.7 mn in the period in 2007.");
  ASSERT_EQ(tokens.size(), 15u);
  EXPECT_EQ(tokens[0].text, "operating");
  EXPECT_EQ(tokens[0].kind, TokenKind::kWord);
  EXPECT_EQ(tokens[4].text, "eur");
  EXPECT_EQ(tokens[5].kind, TokenKind::kNumber);
  EXPECT_DOUBLE_EQ(tokens[5].value, 13.1e6);  // "mn" joined the number
  EXPECT_TRUE(tokens[5].after_currency);
  EXPECT_FALSE(tokens[5].year);
  EXPECT_DOUBLE_EQ(tokens[8].value, 8.7e6);
  EXPECT_EQ(tokens[13].text, "2007");
  EXPECT_TRUE(tokens[13].year);
  EXPECT_EQ(tokens[14].kind, TokenKind::kPunct);
  EXPECT_EQ(tokens[14].text, ".");
  EXPECT_EQ(tokens[14].offset, 74u);
}

TEST(SentimentTokenizer, NumbersInTheirMarketForms) {
  auto one = [](std::string_view text) {
    const auto tokens = tokens_of(text);
    for (const Token& token : tokens) {
      if (token.kind == TokenKind::kNumber) return token;
    }
    ADD_FAILURE() << "no number in " << text;
    return Token{};
  };
  EXPECT_DOUBLE_EQ(one("EUR193.3m").value, 193.3e6);  // currency stuck to the figure
  EXPECT_DOUBLE_EQ(one("EUR6 .5 m").value, 6.5e6);    // a feed's spaced decimal point
  EXPECT_DOUBLE_EQ(one("SEK 1.04 billion").value, 1.04e9);
  EXPECT_DOUBLE_EQ(one("12bn").value, 12e9);
  EXPECT_DOUBLE_EQ(one("1,000,000 shares").value, 1e6);  // thousands separators
  EXPECT_DOUBLE_EQ(one("a margin of 1,5").value, 1.5);   // a decimal comma
  EXPECT_DOUBLE_EQ(one("EUR -2.4 mn").value, -2.4e6);
  EXPECT_DOUBLE_EQ(one("EUR 5 thousand").value, 5000);
  EXPECT_TRUE(one("up 5 %").percent);
  EXPECT_TRUE(one("up 5%").percent);
  EXPECT_TRUE(one("up 5 per cent").percent);
  EXPECT_TRUE(one("up 5 percent").percent);
  EXPECT_FALSE(one("up 5 percent").year);
  EXPECT_TRUE(one("in 1999").year);
  EXPECT_FALSE(one("EUR 2008").year);  // an amount after a currency
  EXPECT_FALSE(one("2,008 units").year);
  EXPECT_TRUE(one("€45.2m").after_currency);
  EXPECT_TRUE(one("$4.8 million").after_currency);
}

TEST(SentimentTokenizer, WordsApostrophesAndSymbols) {
  EXPECT_EQ(words_of("The company's sales"), (std::vector<std::string>{"the", "company", "sales"}));
  EXPECT_EQ(words_of("The company 's sales"),
            (std::vector<std::string>{"the", "company", "sales"}));
  EXPECT_EQ(words_of("Sales didn't rise"),
            (std::vector<std::string>{"sales", "did", "not", "rise"}));
  EXPECT_EQ(words_of("Sales did n't rise"),
            (std::vector<std::string>{"sales", "did", "not", "rise"}));
  EXPECT_EQ(words_of("Sales didn\u2019t rise"),
            (std::vector<std::string>{"sales", "did", "not", "rise"}));
  EXPECT_EQ(words_of("co-operation negotiations"),
            (std::vector<std::string>{"co-operation", "negotiations"}));
  EXPECT_EQ(words_of("\u20ac5"), (std::vector<std::string>{"eur", "5"}));
  EXPECT_EQ(words_of("2010-2013"), (std::vector<std::string>{"2010", "-", "2013"}));
  EXPECT_EQ(words_of("Metsäniitty 3G"), (std::vector<std::string>{"metsäniitty", "3g"}));
}

TEST(SentimentTokenizer, AnyBytesGiveTokens) {
  const char raw[] = "\xff\xfe sales\xc3 rose \xe2\x82 \x00 5\xe2\x82\xac";
  const std::string garbage(raw, sizeof raw - 1);
  const auto tokens = tokens_of(garbage);
  EXPECT_FALSE(tokens.empty());
  for (const Token& token : tokens) EXPECT_FALSE(token.text.empty());
}

// --- direction × object ------------------------------------------------------------------------

TEST(Sentiment, DirectionTimesObject) {
  struct Case {
    const char* text;
    const char* terms;
    double weight;
  };
  const Case cases[] = {
      {"Sales rose.", "sales rose", 1.0},
      {"Costs rose.", "costs rose", -0.9},
      {"Operating loss narrowed.", "operating loss narrowed", 1.2},
      {"Net loss increased.", "net loss increased", -1.2},
      {"Profit fell.", "profit fell", -1.2},
      {"The company cut costs.", "cut costs", 0.9},
      {"The company will cut 180 jobs.", "cut … jobs", -0.9},
      {"Net debt decreased.", "net debt decreased", 0.8},
      {"Order intake grew 18 % year-on-year.", "order intake grew", 1.0},
      {"The operating margin widened.", "margin widened", 1.0},
      {"The pretax loss widened.", "pretax loss widened", -1.2},
      {"Arcticom raised its guidance.", "raised … guidance", 1.0},
      {"Meriton lowered its outlook.", "lowered … outlook", -1.0},
      {"Sales were up 4 %.", "sales … up", 1.0},
      {"Operating profit was down 11 %.", "operating profit … down", -1.2},
      {"The increase in net sales was expected.", "increase … sales", 1.0},
      {"Higher raw material costs were a factor.", "higher … costs", -0.9},
      {"Demand remained strong.", "demand … strong", 0.9},
      {"Profitability improved.", "profitability improved", 1.1},
      // An evaluative direction keeps its own sign whatever it moves.
      {"The operating loss improved.", "operating loss improved", 1.2},
      // The head of a compound: "production costs", not "production".
      {"It will lower production costs.", "lower production costs", 0.9},
  };
  for (const Case& c : cases) {
    const Evidence evidence = only_evidence(c.text);
    EXPECT_EQ(evidence.rule, Rule::kDirectionObject) << c.text;
    EXPECT_EQ(evidence.terms, c.terms) << c.text;
    EXPECT_NEAR(evidence.weight, c.weight, 1e-6) << c.text;
    EXPECT_NEAR(evidence.contribution, c.weight, 1e-6) << c.text;
    EXPECT_TRUE(evidence.negated_by.empty()) << c.text;
  }
}

TEST(Sentiment, UpAndDownOnlyAsChanges) {
  EXPECT_TRUE(score("Up to EUR 20 mn of the loan can be used for acquisitions.").evidence.empty());
  EXPECT_TRUE(score("The company will set up a new sales office.").evidence.empty());
  EXPECT_TRUE(score("The CEO will step down in May.").evidence.empty());
  EXPECT_TRUE(score("The down payment on the sales contract is due.").evidence.empty());
  // A count of shares is not the share price.
  EXPECT_TRUE(score("The number of shares will increase to 44,210,000.").evidence.empty());
  EXPECT_TRUE(score("The share capital will be increased by EUR 1.2 mn.").evidence.empty());
}

TEST(Sentiment, ComparisonsWithAnEarlierFigure) {
  struct Case {
    const char* text;
    Rule rule;
    double weight;
  };
  const Case cases[] = {
      {"Operating profit totaled EUR 9.0 mn, up from EUR 7.4 mn.", Rule::kDirectionObject, 1.2},
      {"Pretax profit was EUR 3.2 mn, down from EUR 7.9 mn.", Rule::kDirectionObject, -1.2},
      {"Operating profit was EUR 9.0 mn, compared to EUR 7.4 mn.", Rule::kComparison, 1.2},
      {"Net sales amounted to EUR 100 mn (EUR 120 mn).", Rule::kComparison, -1.0},
      {"EBIT was EUR 2.1 mn (EUR 6.0 mn).", Rule::kComparison, -1.2},
      {"Pretax profit totalled EUR 27.5 mn against EUR 19.8 mn.", Rule::kComparison, 1.2},
      {"Net loss was EUR 12.6 mn, compared with a net loss of EUR 7.1 mn in 2008.",
       Rule::kComparison, -1.2},
      {"Operating profit was EUR 5.2 mn, compared to a loss of EUR 1.3 mn.", Rule::kComparison,
       1.2},
      {"Operating loss totalled EUR 4.4 mn, compared to an operating profit of EUR 0.5 mn.",
       Rule::kComparison, -1.2},
      {"Pretax profit was EUR 12.4 mn (loss EUR 2.6 mn).", Rule::kComparison, 1.2},
      {"Gearing was 45 %, compared with 78 % a year ago.", Rule::kComparison, 0.8},
  };
  for (const Case& c : cases) {
    const Evidence evidence = only_evidence(c.text);
    EXPECT_EQ(evidence.rule, c.rule) << c.text;
    EXPECT_NEAR(evidence.contribution, c.weight, 1e-6) << c.text;
  }
  EXPECT_EQ(only_evidence("Operating profit was EUR 9.0 mn, compared to EUR 7.4 mn.").terms,
            "operating profit … 9.0 … 7.4");
  // Equal figures, a percentage against an amount, years and bare totals are no comparison.
  EXPECT_TRUE(score("Net sales were EUR 5 mn, compared to EUR 5 mn.").evidence.empty());
  EXPECT_TRUE(score("Net sales were 5 %, compared to EUR 4 mn.").evidence.empty());
  EXPECT_TRUE(score("Net sales for the financial year totalled EUR 213.4 mn.").evidence.empty());
  EXPECT_TRUE(score("Net sales in 2008 were EUR 10 mn against 2007.").evidence.empty());
}

TEST(Sentiment, ChangesOfState) {
  Evidence evidence = only_evidence("The company swung to a loss.");
  EXPECT_EQ(evidence.rule, Rule::kStateChange);
  EXPECT_EQ(evidence.terms, "swung … loss");
  EXPECT_DOUBLE_EQ(evidence.contribution, -1.2);
  EXPECT_DOUBLE_EQ(only_evidence("Hallberg turned to an operating profit.").contribution, 1.2);
  EXPECT_DOUBLE_EQ(only_evidence("The group swung back to profit.").contribution, 1.2);
  EXPECT_DOUBLE_EQ(only_evidence("The company returned to profitability.").contribution, 1.2);
  EXPECT_DOUBLE_EQ(only_evidence("The unit slipped into the red.").contribution, -1.2);
  // The earlier state is the past: one piece of evidence, not a loss as well.
  evidence = only_evidence(
      "Nordhavn swung to a net profit of USD 4.2 million after a loss of USD 1.5 million.");
  EXPECT_EQ(evidence.terms, "swung … net profit");
  EXPECT_DOUBLE_EQ(evidence.contribution, 1.2);
  // "weakened profitability" is a direction and its object, not a change of state.
  EXPECT_EQ(only_evidence("This weakened profitability.").rule, Rule::kDirectionObject);
}

TEST(Sentiment, EventsDealsAndFacilities) {
  Evidence evidence = only_evidence("Kalvola has won an order worth EUR 14 mn.");
  EXPECT_EQ(evidence.rule, Rule::kEvent);
  EXPECT_EQ(evidence.terms, "won … order");
  EXPECT_DOUBLE_EQ(evidence.contribution, 0.8);
  EXPECT_DOUBLE_EQ(only_evidence("Pohjola signed a contract with the port.").contribution, 0.7);
  EXPECT_DOUBLE_EQ(only_evidence("The group will close its plant in Pori.").contribution, -0.8);
  EXPECT_DOUBLE_EQ(only_evidence("Harjula will open three new stores.").contribution, 0.6);
  EXPECT_DOUBLE_EQ(only_evidence("The company met its targets.").contribution, 0.7);
  // Passive signing is a formality; a deal's value alone is a fact.
  EXPECT_EQ(score("The agreement was signed by the chief executives.").label, Label::kNeutral);
  EXPECT_TRUE(score("The value of the order was not disclosed.").evidence.empty());
  EXPECT_TRUE(score("The deal is expected to close in March.").evidence.empty());
}

TEST(Sentiment, LexiconWords) {
  Evidence evidence = only_evidence("The company issued a profit warning on Friday.");
  EXPECT_EQ(evidence.rule, Rule::kLexicon);
  EXPECT_EQ(evidence.terms, "profit warning");
  EXPECT_DOUBLE_EQ(evidence.contribution, -1.0);
  EXPECT_NEAR(only_evidence("Revenue reached a record GBP 1.2 billion.").contribution, 0.7, 1e-6);
  EXPECT_NEAR(only_evidence("The company posted a net loss of USD 22 million.").contribution, -0.6,
              1e-6);
  EXPECT_NEAR(only_evidence("Sorvali will lay off 120 employees.").contribution, -1.0, 1e-6);
  // One weak word stays neutral.
  const SentimentResult weak = score("The strategy is based on organic growth.");
  EXPECT_EQ(weak.label, Label::kNeutral);
  ASSERT_EQ(weak.evidence.size(), 1u);
  EXPECT_NEAR(weak.evidence[0].contribution, 0.3, 1e-6);
}

// --- negation and modifiers ----------------------------------------------------------------------

TEST(Sentiment, NegationReversesAndWeakens) {
  Evidence evidence = only_evidence("Net sales did not increase in 2009.");
  EXPECT_EQ(evidence.negated_by, "not");
  EXPECT_NEAR(evidence.weight, 1.0, 1e-6);
  EXPECT_NEAR(evidence.contribution, -0.8, 1e-6);
  EXPECT_EQ(score("Net sales did not increase in 2009.").label, Label::kNegative);
  EXPECT_EQ(score("Sales did n't rise .").label, Label::kNegative);
  evidence = only_evidence("The company avoided bankruptcy.");
  EXPECT_EQ(evidence.negated_by, "avoided");
  EXPECT_NEAR(evidence.contribution, 0.8, 1e-6);
  const SentimentResult failed = score("Kestrel failed to win the contract.");
  ASSERT_EQ(failed.evidence.size(), 2u);
  EXPECT_EQ(failed.evidence[0].terms, "failed to");  // a weak negative word of its own
  EXPECT_NEAR(failed.evidence[0].contribution, -0.3, 1e-6);
  EXPECT_EQ(failed.evidence[1].terms, "win … contract");
  EXPECT_EQ(failed.evidence[1].negated_by, "failed to");
  EXPECT_NEAR(failed.evidence[1].contribution, -0.64, 1e-6);
  EXPECT_EQ(failed.label, Label::kNegative);
  // "not only" is no negation.
  EXPECT_TRUE(only_evidence("Not only sales rose.").negated_by.empty());
}

TEST(Sentiment, NegationScopeEndsAtPunctuationAndDistance) {
  // Punctuation ends the scope.
  EXPECT_TRUE(only_evidence("No comment was given: sales rose.").negated_by.empty());
  EXPECT_TRUE(only_evidence("No change was made, and sales rose.").negated_by.empty());
  // "but" ends it.
  EXPECT_TRUE(only_evidence("No dividend was proposed but sales rose.").negated_by.empty());
  // "despite" and "which" start a new clause.
  const SentimentResult despite = score("Sales did not fall despite weak demand.");
  ASSERT_EQ(despite.evidence.size(), 2u);
  EXPECT_EQ(despite.evidence[0].negated_by, "not");
  EXPECT_TRUE(despite.evidence[1].negated_by.empty());
  EXPECT_EQ(despite.evidence[1].scaled_by, "despite");
  // Five units after the negation are in scope, the sixth is not.
  EXPECT_EQ(only_evidence("There is no doubt that in Sweden sales rose.").negated_by, "no");
  EXPECT_TRUE(
      only_evidence("There is no doubt at all that in Sweden sales rose.").negated_by.empty());
}

TEST(Sentiment, IntensifiersDiminishersHedgesAndConcessions) {
  Evidence evidence = only_evidence("Operating profit rose sharply.");
  EXPECT_EQ(evidence.scaled_by, "sharply");
  EXPECT_NEAR(evidence.contribution, 1.56, 1e-6);
  evidence = only_evidence("A significant increase in sales is expected.");
  EXPECT_EQ(evidence.scaled_by, "significant");
  EXPECT_NEAR(evidence.contribution, 1.3, 1e-6);
  evidence = only_evidence("Net sales decreased slightly.");
  EXPECT_EQ(evidence.scaled_by, "slightly");
  EXPECT_NEAR(evidence.contribution, -0.7, 1e-6);
  EXPECT_EQ(score("Net sales decreased slightly.").label, Label::kNegative);
  evidence = only_evidence("Sales may decline.");
  EXPECT_EQ(evidence.scaled_by, "may");
  EXPECT_NEAR(evidence.contribution, -0.7, 1e-6);

  const SentimentResult despite = score("Profit fell despite higher sales.");
  ASSERT_EQ(despite.evidence.size(), 2u);
  EXPECT_EQ(despite.evidence[0].terms, "profit fell");
  EXPECT_EQ(despite.evidence[1].terms, "higher sales");
  EXPECT_EQ(despite.evidence[1].scaled_by, "despite");
  EXPECT_NEAR(despite.evidence[1].contribution, 0.4, 1e-6);
  EXPECT_NEAR(despite.sum, -0.8, 1e-6);
  EXPECT_EQ(despite.label, Label::kNegative);
}

// --- labels, score and JSON
// -----------------------------------------------------------------------

TEST(Sentiment, TheBriefsExamples) {
  EXPECT_EQ(score("Operating profit rose to EUR 13.1 mn from EUR 8.7 mn in the corresponding "
                  "period in 2007.")
                .label,
            Label::kPositive);
  EXPECT_EQ(score("Net sales decreased by 5 % to EUR 90 mn.").label, Label::kNegative);
  const SentimentResult neutral = score("The company is headquartered in Espoo, Finland.");
  EXPECT_EQ(neutral.label, Label::kNeutral);
  EXPECT_EQ(neutral.score, 0);
  EXPECT_TRUE(neutral.evidence.empty());
}

TEST(Sentiment, ThresholdAndScore) {
  // 0.5 exactly is enough; the score is tanh of the sum.
  const SentimentResult improved = score("Market conditions improved.");
  EXPECT_NEAR(improved.sum, 0.5, 1e-9);
  EXPECT_EQ(improved.label, Label::kPositive);
  EXPECT_NEAR(improved.score, std::tanh(0.5), 1e-12);
  const SentimentResult mixed = score("Sales rose, but costs rose too.");  // 1.0 − 0.9
  EXPECT_NEAR(mixed.sum, 0.1, 1e-9);
  EXPECT_EQ(mixed.label, Label::kNeutral);
  const SentimentResult strong =
      score("Profit rose sharply, sales jumped, orders surged and the outlook was raised.");
  EXPECT_EQ(strong.label, Label::kPositive);
  EXPECT_GT(strong.score, 0.99);
  EXPECT_LT(strong.score, 1.0);
}

TEST(Sentiment, JsonShape) {
  const std::string json = to_json(score("Net sales did not rise sharply."));
  const boost::json::object object = boost::json::parse(json).as_object();
  EXPECT_EQ(object.at("label").as_string(), "negative");
  const boost::json::array& evidence = object.at("evidence").as_array();
  ASSERT_EQ(evidence.size(), 1u);
  const boost::json::object& first = evidence[0].as_object();
  EXPECT_EQ(first.at("terms").as_string(), "sales … rise");
  EXPECT_EQ(first.at("rule").as_string(), "direction_object");
  EXPECT_DOUBLE_EQ(first.at("weight").to_number<double>(), 1.0);
  EXPECT_DOUBLE_EQ(first.at("contribution").to_number<double>(), -1.04);
  EXPECT_EQ(first.at("negated_by").as_string(), "not");
  EXPECT_EQ(first.at("scaled_by").as_string(), "sharply");
  const boost::json::object empty =
      boost::json::parse(to_json(score("Sales were EUR 5 mn."))).as_object();
  EXPECT_EQ(empty.at("label").as_string(), "neutral");
  EXPECT_TRUE(empty.at("evidence").as_array().empty());
  EXPECT_EQ(to_string(Rule::kStateChange), "state_change");
  EXPECT_EQ(to_string(Label::kNeutral), "neutral");
}

TEST(Sentiment, LexiconIsBuilt) {
  EXPECT_GT(lexicon_size(), 800u);
  ASSERT_NE(find_word("profit"), nullptr);
  EXPECT_EQ(find_word("profit")->entry.object, 1);
  EXPECT_EQ(find_word("narrowed")->entry.direction, -1);
  EXPECT_EQ(find_word("espoo"), nullptr);
  EXPECT_FALSE(phrases_starting_with("profit").empty());
}

// --- evaluation --------------------------------------------------------------------------------

TEST(SentimentEvaluation, MetricsOnAHandComputedExample) {
  // Predictions: "Sales rose." positive, "Profit fell." negative, "Costs rose." negative,
  // "The company is based in Oulu." neutral.
  const std::string lines =
      "Sales rose.@positive\n"
      "Sales rose.@ Positive \r\n"
      "\n"
      "Profit fell.@negative\n"
      "The company is based in Oulu.@neutral\n"
      "The company is based in Oulu.@positive\n"
      "Costs rose.@neutral\n"
      "Profit fell.@NEUTRAL";
  const auto report = evaluate(lines);
  ASSERT_TRUE(report) << report.error().message;
  // confusion[expected][predicted], order positive, negative, neutral:
  //   positive  2 0 1
  //   negative  0 1 0
  //   neutral   0 2 1
  const std::array<std::array<std::size_t, 3>, 3> confusion{{{2, 0, 1}, {0, 1, 0}, {0, 2, 1}}};
  EXPECT_EQ(report->confusion, confusion);
  EXPECT_EQ(report->examples, 7u);
  EXPECT_EQ(report->correct, 4u);
  EXPECT_DOUBLE_EQ(report->accuracy, 4.0 / 7.0);
  const ClassMetrics& positive = report->classes[0];
  EXPECT_EQ(positive.support, 3u);
  EXPECT_EQ(positive.predicted, 2u);
  EXPECT_DOUBLE_EQ(positive.precision, 1.0);
  EXPECT_DOUBLE_EQ(positive.recall, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(positive.f1, 0.8);
  const ClassMetrics& negative = report->classes[1];
  EXPECT_EQ(negative.support, 1u);
  EXPECT_EQ(negative.predicted, 3u);
  EXPECT_DOUBLE_EQ(negative.precision, 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(negative.recall, 1.0);
  EXPECT_DOUBLE_EQ(negative.f1, 0.5);
  const ClassMetrics& neutral = report->classes[2];
  EXPECT_EQ(neutral.support, 3u);
  EXPECT_EQ(neutral.predicted, 2u);
  EXPECT_DOUBLE_EQ(neutral.precision, 0.5);
  EXPECT_DOUBLE_EQ(neutral.recall, 1.0 / 3.0);
  EXPECT_NEAR(neutral.f1, 0.4, 1e-12);
  EXPECT_NEAR(report->macro_f1, (0.8 + 0.5 + 0.4) / 3, 1e-12);
  // The misclassified lines, numbered as in the file (the blank line counts).
  ASSERT_EQ(report->errors.size(), 3u);
  EXPECT_EQ(report->errors[0].line, 6);
  EXPECT_EQ(report->errors[0].text, "The company is based in Oulu.");
  EXPECT_EQ(report->errors[0].expected, Label::kPositive);
  EXPECT_EQ(report->errors[0].predicted, Label::kNeutral);
  EXPECT_EQ(report->errors[1].line, 7);
  EXPECT_EQ(report->errors[2].line, 8);

  const std::string text = to_text(*report, true);
  EXPECT_NE(text.find("accuracy 0.5714"), std::string::npos) << text;
  EXPECT_NE(text.find("macro-F1 0.5667"), std::string::npos) << text;
  EXPECT_NE(text.find("positive         2         0         1"), std::string::npos) << text;
  EXPECT_NE(text.find("6, positive -> neutral"), std::string::npos) << text;
  EXPECT_EQ(to_text(*report, false).find("misclassified"), std::string::npos);

  const boost::json::object json = boost::json::parse(to_json(*report, true)).as_object();
  EXPECT_EQ(json.at("examples").as_int64(), 7);
  EXPECT_NEAR(json.at("accuracy").to_number<double>(), 4.0 / 7.0, 1e-6);
  EXPECT_NEAR(json.at("classes").at("negative").at("precision").to_number<double>(), 1.0 / 3.0,
              1e-6);
  EXPECT_EQ(json.at("confusion").at("rows").as_array()[2].as_array()[1].as_int64(), 2);
  EXPECT_EQ(json.at("errors").as_array().size(), 3u);
  EXPECT_FALSE(boost::json::parse(to_json(*report, false)).as_object().contains("errors"));
}

TEST(SentimentEvaluation, ClassNeverPredictedHasZeroPrecision) {
  const auto report = evaluate("Sales rose.@negative\n");
  ASSERT_TRUE(report);
  EXPECT_DOUBLE_EQ(report->accuracy, 0.0);
  EXPECT_EQ(report->classes[1].predicted, 0u);
  EXPECT_DOUBLE_EQ(report->classes[1].precision, 0.0);
  EXPECT_DOUBLE_EQ(report->classes[1].recall, 0.0);
  EXPECT_DOUBLE_EQ(report->classes[1].f1, 0.0);
  EXPECT_DOUBLE_EQ(report->classes[0].precision, 0.0);  // predicted once, never right
  EXPECT_DOUBLE_EQ(report->macro_f1, 0.0);
}

TEST(SentimentEvaluation, TheLabelFollowsTheLastAt) {
  const auto report = evaluate("Write to ir@kalvola.example: sales rose@positive");
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->correct, 1u);
}

TEST(SentimentEvaluation, MalformedLinesNameTheirLine) {
  auto expect_error = [](std::string_view lines, std::int64_t line, std::string_view words) {
    const auto report = evaluate(lines);
    ASSERT_FALSE(report) << lines;
    EXPECT_EQ(report.error().code, core::ErrorCode::kInvalidArgument);
    ASSERT_TRUE(report.error().line.has_value());
    EXPECT_EQ(*report.error().line, line) << report.error().message;
    EXPECT_NE(report.error().message.find(words), std::string::npos) << report.error().message;
    if (line > 0 && words != "no labelled lines") {
      EXPECT_EQ(report.error().message.rfind("line " + std::to_string(line) + ": ", 0), 0u)
          << report.error().message;
    }
  };
  expect_error("Sales rose.@positive\nno label here\n", 2, "no '@'");
  expect_error("Sales rose.@positive\n\n   @neutral\n", 3, "sentence before '@' is empty");
  expect_error("Sales rose.@bullish", 1, "unknown label \"bullish\"");
  expect_error("Sales rose.@", 1, "unknown label \"\"");
  expect_error("\n \n\t\n", 3, "no labelled lines");
  expect_error("", 0, "no labelled lines");
  // A label that is not UTF-8 is reported as valid UTF-8.
  const auto bad = evaluate("Sales rose.@\xff");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("\xef\xbf\xbd"), std::string::npos);
}

// --- the development set: a regression guard -------------------------------------------------

TEST(SentimentEvaluation, DevelopmentSetScoresAtLeast85Percent) {
  const auto report = evaluate(read_data("financial_dev.txt"));
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_GE(report->examples, 400u);
  // Realistic balance: mostly neutral, about twice as many positive as negative lines.
  EXPECT_GT(report->classes[2].support * 2, report->examples);
  EXPECT_GT(report->classes[0].support, report->classes[1].support);
  EXPECT_GE(report->accuracy, 0.85) << to_text(*report, true);
  EXPECT_GE(report->macro_f1, 0.85) << to_text(*report, true);
}

TEST(SentimentEvaluation, HoldoutSetParses) {
  // Written before the rules were tuned and never tuned on; its accuracy is reported in
  // docs/finance/methods.md, and guarded here only against collapse.
  const auto report = evaluate(read_data("financial_holdout.txt"));
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_GE(report->examples, 150u);
  EXPECT_GE(report->accuracy, 0.75) << to_text(*report, true);
}

}  // namespace
}  // namespace aic::finance::sentiment
