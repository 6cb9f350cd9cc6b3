// The bank-format registry: names, UTF-8 output, and every real sample file through the one
// entry point the API and the CLI use.
#include "finance/bank/bank_formats.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "finance/bank/bank_csv.hpp"

namespace aic::finance {
namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream contents;
  contents << file.rdbuf();
  return std::move(contents).str();
}

TEST(BankFormats, NamesMapToFormats) {
  EXPECT_EQ(bank_format_from_name("mt940"), BankFormat::kMt940);
  EXPECT_EQ(bank_format_from_name("mt942"), BankFormat::kMt940);
  EXPECT_EQ(bank_format_from_name("camt053"), BankFormat::kCamt053);
  EXPECT_EQ(bank_format_from_name("bai2"), BankFormat::kBai2);
  EXPECT_EQ(bank_format_from_name("qfx"), BankFormat::kOfx);
  EXPECT_EQ(bank_format_from_name("qif"), BankFormat::kQif);
  EXPECT_FALSE(bank_format_from_name("MT940"));
  EXPECT_FALSE(bank_format_from_name("csv"));
  for (std::string_view name : bank_format_names()) {
    EXPECT_TRUE(bank_format_from_name(name)) << name;
  }
}

TEST(BankFormats, Latin1TextBecomesUtf8) {
  EXPECT_EQ(utf8_or_latin1("M\xfcller"), "M\xc3\xbcller");
  EXPECT_EQ(utf8_or_latin1("M\xc3\xbcller"), "M\xc3\xbcller");            // already UTF-8
  EXPECT_EQ(utf8_or_latin1("\xed\xa0\x80"), "\xc3\xad\xc2\xa0\xc2\x80");  // a surrogate
  EXPECT_EQ(utf8_or_latin1("\xc3"), "\xc3\x83");                          // cut short
  EXPECT_EQ(utf8_or_latin1(""), "");
}

TEST(BankFormats, QifWithLatin1TextAndTheDefaultOptions) {
  auto parsed = parse_bank_file(BankFormat::kQif,
                                "!Type:Bank\nD1/2/2024\nT-4.10\nPB\xe4"
                                "ckerei M\xfcller\n^\n");
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_EQ(parsed->size(), 1u);
  EXPECT_EQ((*parsed)[0].currency, "USD");
  ASSERT_EQ((*parsed)[0].transactions.size(), 1u);
  EXPECT_EQ((*parsed)[0].transactions[0].booking_date, *make_date(2024, 1, 2));
  EXPECT_EQ((*parsed)[0].transactions[0].amount, -410);
  EXPECT_EQ((*parsed)[0].transactions[0].counterparty_name,
            "B\xc3\xa4"
            "ckerei M\xc3\xbcller");
  auto refused = parse_bank_file(BankFormat::kQif, "!Type:Invst\n");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().line, 1);
}

// Bank CSV is not a named format (it needs a mapping), but its parser is in the same library.
TEST(BankFormats, BankCsvIsReachableFromTheSameLibrary) {
  const std::pair<std::string_view, std::string_view> parameters[] = {
      {"date_column", "1"}, {"amount_column", "2"}, {"header", "false"}, {"currency", "EUR"}};
  auto mapping = parse_bank_csv_mapping(parameters);
  ASSERT_TRUE(mapping) << mapping.error().message;
  auto parsed = parse_bank_csv("2024-03-01;-1.50;Fee\n", *mapping);  // ';' is detected
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_EQ(parsed->size(), 1u);
  ASSERT_EQ((*parsed)[0].transactions.size(), 1u);
  EXPECT_EQ((*parsed)[0].transactions[0].amount, -150);
  EXPECT_FALSE(bank_format_from_name("bank-csv"));
}

struct SampleFile {
  fs::path path;
  BankFormat format;
  bool must_fail;
};

// Every sample in ../shared/data for the four formats: each one parses into valid JSON, or
// (the malformed ones) fails with an invalid-argument error that names its place.
std::vector<SampleFile> sample_files() {
  const fs::path root = AIC_SHARED_DATA_DIR;
  std::vector<SampleFile> files;
  auto add = [&](const std::string& folder, BankFormat format, auto&& wanted, auto&& fails) {
    for (const auto& entry : fs::recursive_directory_iterator(root / folder)) {
      if (!entry.is_regular_file() || !wanted(entry.path())) continue;
      files.push_back({entry.path(), format, fails(entry.path())});
    }
  };
  const auto name_has = [](const char* text) {
    return [text](const fs::path& path) { return path.string().find(text) != std::string::npos; };
  };
  add(
      "mt940", BankFormat::kMt940, [](const fs::path& path) { return path.extension() == ".sta"; },
      name_has("_broken"));
  add(
      "camt053", BankFormat::kCamt053,
      [](const fs::path& path) { return path.extension() == ".xml"; }, name_has(".wrong."));
  add(
      "bai2", BankFormat::kBai2, [](const fs::path& path) { return path.extension() == ".txt"; },
      name_has("parseError"));
  add(
      "ofx", BankFormat::kOfx,
      [](const fs::path& path) { return path.extension() == ".ofx" || path.extension() == ".qfx"; },
      // fidelity.ofx holds only an investment statement (INVSTMTRS), which parse_ofx refuses
      // with an error naming its line: only bank and credit-card statements are imported.
      [](const fs::path& path) {
        return path.string().find("/malformed/") != std::string::npos ||
               path.filename() == "fidelity.ofx";
      });
  return files;
}

TEST(BankFormats, EverySampleFileParsesToValidJsonOrFailsCleanly) {
  const std::vector<SampleFile> files = sample_files();
  ASSERT_GE(files.size(), 10u);
  for (const SampleFile& file : files) {
    SCOPED_TRACE(file.path.string());
    auto parsed = parse_bank_file(file.format, read_file(file.path));
    if (file.must_fail) {
      ASSERT_FALSE(parsed);
      EXPECT_EQ(parsed.error().code, core::ErrorCode::kInvalidArgument);
      EXPECT_TRUE(parsed.error().line || !parsed.error().field.empty()) << parsed.error().message;
      continue;
    }
    ASSERT_TRUE(parsed) << parsed.error().message;
    // Boost.JSON rejects invalid UTF-8, so this also checks the text conversion.
    boost::system::error_code error;
    auto json = boost::json::parse(to_json(*parsed), error);
    ASSERT_FALSE(error) << error.message();
    EXPECT_TRUE(json.at("statements").is_array());
  }
}

}  // namespace
}  // namespace aic::finance
