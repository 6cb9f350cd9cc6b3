#include "finance/statements/edgar.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/json.hpp>

// A companyfacts document is read in three steps:
//  1. every fact of the mapped concepts (edgar_field_map) is validated and kept per concept and
//     period, the latest filing's value winning; the filings seen are noted with their own
//     period (the latest year of an annual report, the latest quarter of a 10-Q);
//  2. the periods are the annual and quarterly durations those facts cover; each field takes
//     the first source in its list that has a value for the period;
//  3. each period gets its fiscal label and filing from the filing whose own period it is;
//     a period without one (comparatives older than the first filing) is credited to the
//     filing that supplied most of its values, and labelled by counting quarters from the
//     latest period that has a label.
// Everything is keyed by (end date, length) in ordered maps: no scan over all facts per period.

namespace aic::finance {

namespace {

namespace json = boost::json;

using Member = std::optional<double> FinancialPeriod::*;

// What unit a field's facts are in: the reporting currency, or a count of shares.
enum class UnitKind { kMoney, kShares };

// The concepts behind each canonical field, tried in order for each period. Later entries
// are older or broader concepts that filers use instead: SalesRevenueNet before ASC 606, the
// finance-lease-inclusive PP&E tag since ASC 842, LongTermDebt (which includes the current
// portion) only when no non-current figure is tagged.
constexpr EdgarSource kRevenue[] = {{"Revenues"},
                                    {"RevenueFromContractWithCustomerExcludingAssessedTax"},
                                    {"RevenueFromContractWithCustomerIncludingAssessedTax"},
                                    {"SalesRevenueNet"}};
constexpr EdgarSource kCogs[] = {
    {"CostOfRevenue"}, {"CostOfGoodsAndServicesSold"}, {"CostOfGoodsSold"}};
// Many filers (Snowflake among them) report selling and G&A as two lines and no total.
constexpr EdgarSource kSga[] = {
    {"SellingGeneralAndAdministrativeExpense"},
    {"SellingAndMarketingExpense", '+', "GeneralAndAdministrativeExpense"}};
constexpr EdgarSource kDepreciation[] = {{"DepreciationDepletionAndAmortization"},
                                         {"DepreciationAndAmortization"},
                                         {"DepreciationAmortizationAndAccretionNet"}};
constexpr EdgarSource kEbit[] = {{"OperatingIncomeLoss"}};
constexpr EdgarSource kInterestExpense[] = {
    {"InterestExpense"}, {"InterestExpenseNonoperating"}, {"InterestExpenseDebt"}};
constexpr EdgarSource kPretaxIncome[] = {
    {"IncomeLossFromContinuingOperationsBeforeIncomeTaxesExtraordinaryItemsNoncontrollingInterest"},
    {"IncomeLossFromContinuingOperationsBeforeIncomeTaxesMinorityInterestAndIncomeLossFromEquity"
     "MethodInvestments"}};
constexpr EdgarSource kIncomeTax[] = {{"IncomeTaxExpenseBenefit"}};
constexpr EdgarSource kNetIncome[] = {{"NetIncomeLoss"}, {"ProfitLoss"}};
constexpr EdgarSource kCash[] = {{"CashAndCashEquivalentsAtCarryingValue"}, {"Cash"}};
constexpr EdgarSource kShortTermInvestments[] = {
    {"ShortTermInvestments"},
    {"MarketableSecuritiesCurrent"},
    {"AvailableForSaleSecuritiesDebtSecuritiesCurrent"}};
constexpr EdgarSource kReceivables[] = {{"AccountsReceivableNetCurrent"}};
constexpr EdgarSource kInventory[] = {{"InventoryNet"}};
constexpr EdgarSource kCurrentAssets[] = {{"AssetsCurrent"}};
constexpr EdgarSource kPpeNet[] = {
    {"PropertyPlantAndEquipmentNet"},
    {"PropertyPlantAndEquipmentAndFinanceLeaseRightOfUseAssetAfterAccumulatedDepreciationAnd"
     "Amortization"}};
constexpr EdgarSource kTotalAssets[] = {{"Assets"}};
constexpr EdgarSource kPayables[] = {{"AccountsPayableCurrent"}};
constexpr EdgarSource kCurrentLiabilities[] = {{"LiabilitiesCurrent"}};
constexpr EdgarSource kLongTermDebt[] = {{"LongTermDebtNoncurrent"},
                                         {"LongTermDebtAndCapitalLeaseObligations"},
                                         {"LongTermDebt"},
                                         {"ConvertibleDebtNoncurrent"},
                                         {"ConvertibleNotesPayable"}};
// Many filers tag no total liabilities; the balance-sheet total less equity is then the
// liabilities (plus any temporary equity). Equity with non-controlling interests first, so
// that those are not counted as liabilities.
constexpr EdgarSource kTotalLiabilities[] = {
    {"Liabilities"},
    {"LiabilitiesAndStockholdersEquity", '-',
     "StockholdersEquityIncludingPortionAttributableToNoncontrollingInterest"},
    {"LiabilitiesAndStockholdersEquity", '-', "StockholdersEquity"}};
constexpr EdgarSource kRetainedEarnings[] = {{"RetainedEarningsAccumulatedDeficit"}};
constexpr EdgarSource kEquity[] = {
    {"StockholdersEquity"},
    {"StockholdersEquityIncludingPortionAttributableToNoncontrollingInterest"}};
// The balance-sheet count at the period end first; then the cover page of the period's own
// filing (a count a few weeks after the period end; the classes listed there added up, a value
// repeated on the same date counted once); then the period's weighted average, the only count
// older comparative periods have.
constexpr EdgarSource kSharesOutstanding[] = {
    {"CommonStockSharesOutstanding"},
    {"dei:EntityCommonStockSharesOutstanding"},
    {"WeightedAverageNumberOfSharesOutstandingBasic"},
    {"WeightedAverageNumberOfShareOutstandingBasicAndDiluted"}};
constexpr EdgarSource kOperatingCashFlow[] = {
    {"NetCashProvidedByUsedInOperatingActivities"},
    {"NetCashProvidedByUsedInOperatingActivitiesContinuingOperations"}};
// Payments are tagged as positive amounts, the sign FinancialPeriod wants.
constexpr EdgarSource kCapex[] = {{"PaymentsToAcquirePropertyPlantAndEquipment"},
                                  {"PaymentsToAcquireProductiveAssets"}};
constexpr EdgarSource kDividends[] = {{"PaymentsOfDividends"}, {"PaymentsOfDividendsCommonStock"}};
constexpr EdgarSource kSharesIssued[] = {{"ProceedsFromIssuanceOfCommonStock"}};

struct FieldRule {
  std::string_view field;
  Member member;
  UnitKind unit;
  std::span<const EdgarSource> sources;
};

// In FinancialPeriod's declaration order; market_value_equity needs a price, not in the file.
const FieldRule kRules[] = {
    {"revenue", &FinancialPeriod::revenue, UnitKind::kMoney, kRevenue},
    {"cogs", &FinancialPeriod::cogs, UnitKind::kMoney, kCogs},
    {"sga", &FinancialPeriod::sga, UnitKind::kMoney, kSga},
    {"depreciation", &FinancialPeriod::depreciation, UnitKind::kMoney, kDepreciation},
    {"ebit", &FinancialPeriod::ebit, UnitKind::kMoney, kEbit},
    {"interest_expense", &FinancialPeriod::interest_expense, UnitKind::kMoney, kInterestExpense},
    {"pretax_income", &FinancialPeriod::pretax_income, UnitKind::kMoney, kPretaxIncome},
    {"income_tax", &FinancialPeriod::income_tax, UnitKind::kMoney, kIncomeTax},
    {"net_income", &FinancialPeriod::net_income, UnitKind::kMoney, kNetIncome},
    {"cash", &FinancialPeriod::cash, UnitKind::kMoney, kCash},
    {"short_term_investments", &FinancialPeriod::short_term_investments, UnitKind::kMoney,
     kShortTermInvestments},
    {"receivables", &FinancialPeriod::receivables, UnitKind::kMoney, kReceivables},
    {"inventory", &FinancialPeriod::inventory, UnitKind::kMoney, kInventory},
    {"current_assets", &FinancialPeriod::current_assets, UnitKind::kMoney, kCurrentAssets},
    {"ppe_net", &FinancialPeriod::ppe_net, UnitKind::kMoney, kPpeNet},
    {"total_assets", &FinancialPeriod::total_assets, UnitKind::kMoney, kTotalAssets},
    {"payables", &FinancialPeriod::payables, UnitKind::kMoney, kPayables},
    {"current_liabilities", &FinancialPeriod::current_liabilities, UnitKind::kMoney,
     kCurrentLiabilities},
    {"long_term_debt", &FinancialPeriod::long_term_debt, UnitKind::kMoney, kLongTermDebt},
    {"total_liabilities", &FinancialPeriod::total_liabilities, UnitKind::kMoney, kTotalLiabilities},
    {"retained_earnings", &FinancialPeriod::retained_earnings, UnitKind::kMoney, kRetainedEarnings},
    {"equity", &FinancialPeriod::equity, UnitKind::kMoney, kEquity},
    {"shares_outstanding", &FinancialPeriod::shares_outstanding, UnitKind::kShares,
     kSharesOutstanding},
    {"operating_cash_flow", &FinancialPeriod::operating_cash_flow, UnitKind::kMoney,
     kOperatingCashFlow},
    {"capex", &FinancialPeriod::capex, UnitKind::kMoney, kCapex},
    {"dividends", &FinancialPeriod::dividends, UnitKind::kMoney, kDividends},
    {"shares_issued", &FinancialPeriod::shares_issued, UnitKind::kMoney, kSharesIssued},
};
constexpr std::size_t kFieldCount = std::size(kRules);

// ---------------------------------------------------------------------------------------------
// Periods and facts.

// Days since 1970-01-01, the unit of every date below (cheap to compare and subtract).
using Day = int;

enum class Span : std::uint8_t { kInstant, kAnnual, kQuarter };

// A period: its end and length. Instant facts are keyed (date, kInstant). Annual sorts
// before quarter at the same end, its start being the earlier.
struct Key {
  Day end = 0;
  Span span = Span::kInstant;
  auto operator<=>(const Key&) const = default;
};

// Only the periodic reports; registration statements, 8-Ks and proxy filings repeat figures
// in other contexts (pro forma, selected data) that are not the statements.
bool is_periodic_form(std::string_view form) {
  if (form.ends_with("/A")) form.remove_suffix(2);
  return form == "10-K" || form == "10-Q" || form == "20-F" || form == "40-F";
}
bool is_annual_form(std::string_view form) {
  if (form.ends_with("/A")) form.remove_suffix(2);
  return form == "10-K" || form == "20-F" || form == "40-F";
}

// An annual duration is 330-400 days (52/53-week years included), a quarter 80-100 days;
// anything else (six- and nine-month year-to-date figures, odd stubs) is no period of ours.
std::optional<Span> duration_span(Day start, Day end) {
  const int days = end - start;
  if (days >= 330 && days <= 400) return Span::kAnnual;
  if (days >= 80 && days <= 100) return Span::kQuarter;
  return std::nullopt;
}

// One fact as read: its value and the filing that reported it. The views point into the
// parsed JSON document, which outlives every Fact.
struct Fact {
  double value = 0;
  Day start = 0;  // durations only
  Day filed = 0;
  std::string_view accession;
};

// Whether a filing is later than another: by filing date, then accession number (which grows
// with time within one filer agent), so that an amendment filed the same day still wins.
bool later_or_same(Day filed, std::string_view accession, Day other_filed,
                   std::string_view other_accession) {
  if (filed != other_filed) return filed > other_filed;
  return accession >= other_accession;
}
bool later_or_same(const Fact& a, const Fact& b) {
  return later_or_same(a.filed, a.accession, b.filed, b.accession);
}

// A filing seen in the facts, and the period it is about: the latest year among the facts of
// an annual report, the latest quarter among those of a 10-Q. Comparatives are earlier
// periods, so the latest one is the filing's own. The form decides, not "fp": some 10-Qs say
// "FY".
struct Filing {
  std::string_view form;
  Day filed = 0;
  std::optional<int> fiscal_year;
  std::string_view fiscal_period;
  std::optional<Key> own;
};

// One concept's values, the latest filing's per period.
using Series = std::map<Key, Fact>;

// ---------------------------------------------------------------------------------------------
// Parsing helpers.

// A JSON pointer (RFC 6901) to report where a problem is: "/facts/us-gaap/Assets/units/USD/3".
// Unit names contain '/' ("USD/shares"), which a pointer escapes as "~1".
std::string pointer(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (std::string_view part : parts) {
    out += '/';
    for (char c : part) {
      if (c == '~') {
        out += "~0";
      } else if (c == '/') {
        out += "~1";
      } else {
        out += c;
      }
    }
  }
  return out;
}

std::string_view view(const json::string& text) { return {text.data(), text.size()}; }
// Object keys come as json::string_view; without this overload they would convert to a
// temporary json::string and the view would dangle.
std::string_view view(json::string_view text) { return {text.data(), text.size()}; }

// "YYYY-MM-DD" as days since the epoch, or nullopt.
std::optional<Day> parse_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  int parts[3] = {0, 0, 0};
  const std::size_t starts[3] = {0, 5, 8};
  const std::size_t lengths[3] = {4, 2, 2};
  for (int i = 0; i < 3; ++i) {
    for (std::size_t at = starts[i]; at < starts[i] + lengths[i]; ++at) {
      if (text[at] < '0' || text[at] > '9') return std::nullopt;
      parts[i] = parts[i] * 10 + (text[at] - '0');
    }
  }
  const std::chrono::year_month_day date{std::chrono::year(parts[0]),
                                         std::chrono::month(static_cast<unsigned>(parts[1])),
                                         std::chrono::day(static_cast<unsigned>(parts[2]))};
  if (!date.ok()) return std::nullopt;
  return static_cast<Day>(std::chrono::sys_days(date).time_since_epoch().count());
}

std::chrono::year_month_day to_date(Day day) {
  return std::chrono::year_month_day(std::chrono::sys_days(std::chrono::days(day)));
}

// An ISO 4217 code: three capital letters ("USD"; not "USD/shares", "shares" or "pure").
bool is_currency_code(std::string_view unit) {
  return unit.size() == 3 &&
         std::all_of(unit.begin(), unit.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

// The number a JSON value holds, or nullopt (a string, null, …).
std::optional<double> number_of(const json::value& value) {
  switch (value.kind()) {
    case json::kind::int64:
      return static_cast<double>(value.get_int64());
    case json::kind::uint64:
      return static_cast<double>(value.get_uint64());
    case json::kind::double_:
      return value.get_double();
    default:
      return std::nullopt;
  }
}

core::Error invalid_at(std::string_view message, std::string where) {
  std::string text = where + ": " + std::string(message);
  return core::Error::invalid(std::move(text), std::move(where));
}

// A concept to read, once even if several fields use it.
struct ConceptToRead {
  std::string_view taxonomy;  // "us-gaap" or "dei"
  std::string_view name;
  std::string_view qualified;  // the name used in EdgarSource
  UnitKind unit;
};

ConceptToRead concept_of(std::string_view qualified, UnitKind unit) {
  const std::size_t colon = qualified.find(':');
  if (colon == std::string_view::npos) return {"us-gaap", qualified, qualified, unit};
  return {qualified.substr(0, colon), qualified.substr(colon + 1), qualified, unit};
}

std::vector<ConceptToRead> concepts_to_read() {
  std::vector<ConceptToRead> out;
  const auto add = [&](std::string_view qualified, UnitKind unit) {
    if (qualified.empty()) return;
    for (const ConceptToRead& known : out) {
      if (known.qualified == qualified) return;
    }
    out.push_back(concept_of(qualified, unit));
  };
  for (const FieldRule& rule : kRules) {
    for (const EdgarSource& source : rule.sources) {
      add(source.concept_name, rule.unit);
      add(source.second, rule.unit);
    }
  }
  return out;
}

// The currency most facts of the monetary concepts are in; "USD" wins a tie (and is the
// answer when there are no monetary facts at all).
std::string choose_currency(const json::object& gaap, const std::vector<ConceptToRead>& concepts) {
  std::map<std::string_view, std::size_t> counts;
  for (const ConceptToRead& concept_info : concepts) {
    if (concept_info.unit != UnitKind::kMoney || concept_info.taxonomy != "us-gaap") continue;
    const json::value* concept_value = gaap.if_contains(concept_info.name);
    if (concept_value == nullptr || !concept_value->is_object()) continue;
    const json::value* units = concept_value->get_object().if_contains("units");
    if (units == nullptr || !units->is_object()) continue;
    for (const auto& [unit, facts] : units->get_object()) {
      if (is_currency_code(view(unit)) && facts.is_array()) {
        counts[view(unit)] += facts.get_array().size();
      }
    }
  }
  std::string_view best = "USD";
  std::size_t best_count = counts.contains("USD") ? counts["USD"] : 0;
  for (const auto& [unit, count] : counts) {
    if (count > best_count) {
      best = unit;
      best_count = count;
    }
  }
  return std::string(best);
}

// Reads the facts of the document into series per concept, filings and periods.
class FactReader {
 public:
  FactReader(std::string currency, std::vector<std::string>& warnings)
      : currency_(std::move(currency)), warnings_(warnings) {}

  // Reads one concept's facts (the concept's object in its taxonomy).
  core::Status read_concept(const ConceptToRead& concept_info, const json::value& concept_value) {
    const std::string where = pointer({"facts", concept_info.taxonomy, concept_info.name});
    if (!concept_value.is_object()) return invalid_at("not an object", where);
    const json::value* units = concept_value.get_object().if_contains("units");
    if (units == nullptr || !units->is_object()) {
      return invalid_at("no \"units\" object", where + "/units");
    }
    for (const auto& [unit_name, facts] : units->get_object()) {
      const std::string_view unit = view(unit_name);
      if (concept_info.unit == UnitKind::kShares ? unit != "shares" : unit != currency_) {
        if (concept_info.unit == UnitKind::kMoney && is_currency_code(unit)) {
          const std::size_t count = facts.is_array() ? facts.get_array().size() : 0;
          warnings_.push_back(std::string(concept_info.taxonomy) + "/" +
                              std::string(concept_info.name) + ": " + std::to_string(count) +
                              " fact(s) in " + std::string(unit) +
                              " skipped (the statements are in " + currency_ + ")");
        }
        continue;
      }
      const std::string unit_where =
          pointer({"facts", concept_info.taxonomy, concept_info.name, "units", unit});
      if (!facts.is_array()) return invalid_at("not an array", unit_where);
      const json::array& list = facts.get_array();
      for (std::size_t index = 0; index < list.size(); ++index) {
        core::Status status = read_fact(concept_info, list[index], unit_where, index);
        if (!status) return status;
      }
    }
    return {};
  }

  std::map<std::string_view, Series>& series() { return series_; }
  const std::unordered_map<std::string_view, Filing>& filings() const { return filings_; }
  // The filing of an accession number seen in the facts (an empty one for any other).
  const Filing& filing(std::string_view accession) const {
    static const Filing kNone;
    const auto found = filings_.find(accession);
    return found == filings_.end() ? kNone : found->second;
  }
  // Every annual and quarterly period, with the start of its latest fact.
  std::map<Key, Fact>& periods() { return periods_; }
  // dei cover-page facts, by filing: the date and the values on it (one per share class).
  struct Cover {
    Day date = 0;
    std::vector<double> values;
  };
  std::map<std::string_view, Cover>& covers() { return covers_; }

 private:
  core::Status read_fact(const ConceptToRead& concept_info, const json::value& fact_value,
                         const std::string& unit_where, std::size_t index) {
    const auto at = [&](std::string_view member) {
      return unit_where + "/" + std::to_string(index) + (member.empty() ? "" : "/") +
             std::string(member);
    };
    if (!fact_value.is_object()) return invalid_at("not an object", at(""));
    const json::object& fact = fact_value.get_object();

    const auto text = [&](std::string_view member) -> std::optional<std::string_view> {
      const json::value* value = fact.if_contains(member);
      if (value == nullptr || !value->is_string()) return std::nullopt;
      return view(value->get_string());
    };
    const auto date = [&](std::string_view member) -> core::Result<std::optional<Day>> {
      const json::value* value = fact.if_contains(member);
      if (value == nullptr) return std::optional<Day>();
      std::optional<Day> day;
      if (value->is_string()) day = parse_date(view(value->get_string()));
      if (!day) return invalid_at("not a date (YYYY-MM-DD)", at(member));
      return day;
    };

    const json::value* val = fact.if_contains("val");
    if (val == nullptr) return invalid_at("missing", at("val"));
    const std::optional<double> value = number_of(*val);
    if (!value) return invalid_at("not a number", at("val"));

    core::Result<std::optional<Day>> end = date("end");
    if (!end) return std::move(end).error();
    if (!end->has_value()) return invalid_at("missing", at("end"));
    core::Result<std::optional<Day>> start = date("start");
    if (!start) return std::move(start).error();
    if (start->has_value() && **start > **end) {
      return invalid_at("\"start\" is after \"end\"", at("start"));
    }
    core::Result<std::optional<Day>> filed = date("filed");
    if (!filed) return std::move(filed).error();
    if (!filed->has_value()) return invalid_at("missing", at("filed"));
    const std::optional<std::string_view> accession = text("accn");
    if (!accession) return invalid_at("missing or not a string", at("accn"));
    const std::optional<std::string_view> form = text("form");
    if (!form) return invalid_at("missing or not a string", at("form"));
    // "fy" and "fp" are null on some facts of old filings.
    std::optional<int> fiscal_year;
    if (const json::value* fy = fact.if_contains("fy"); fy != nullptr && !fy->is_null()) {
      if (!fy->is_int64() || fy->get_int64() < 1900 || fy->get_int64() > 9999) {
        return invalid_at("not a year", at("fy"));
      }
      fiscal_year = static_cast<int>(fy->get_int64());
    }
    const std::string_view fiscal_period = text("fp").value_or("");

    if (!is_periodic_form(*form)) return {};
    Key key{**end, Span::kInstant};
    if (start->has_value()) {
      const std::optional<Span> span = duration_span(**start, **end);
      if (!span) return {};
      // A year-long figure in a 10-Q is a trailing-twelve-month or plan figure, not a fiscal
      // year: annual periods come from annual reports only.
      if (*span == Span::kAnnual && !is_annual_form(*form)) return {};
      key.span = *span;
    }
    const Fact read{*value, start->value_or(0), **filed, *accession};

    note_filing(read, *form, fiscal_year, fiscal_period, key);
    if (concept_info.taxonomy == "dei") {
      // Cover-page facts are dated after the period (the count on the filing date); they are
      // matched to the filing's own period once all filings are known.
      Cover& cover = covers_[read.accession];
      if (cover.values.empty() || key.end > cover.date) {
        cover = Cover{key.end, {read.value}};
      } else if (key.end == cover.date && std::find(cover.values.begin(), cover.values.end(),
                                                    read.value) == cover.values.end()) {
        cover.values.push_back(read.value);
      }
      return {};
    }
    Series& series = series_[concept_info.qualified];
    auto [found, inserted] = series.try_emplace(key, read);
    if (!inserted && later_or_same(read, found->second)) found->second = read;
    if (key.span != Span::kInstant) {
      auto [period, added] = periods_.try_emplace(key, read);
      if (!added && later_or_same(read, period->second)) period->second = read;
    }
    return {};
  }

  void note_filing(const Fact& fact, std::string_view form, std::optional<int> fiscal_year,
                   std::string_view fiscal_period, Key key) {
    Filing& filing = filings_[fact.accession];
    if (filing.form.empty()) {
      filing.form = form;
      filing.filed = fact.filed;
      filing.fiscal_year = fiscal_year;
      filing.fiscal_period = fiscal_period;
    }
    const Span focus = is_annual_form(filing.form) ? Span::kAnnual : Span::kQuarter;
    if (key.span == focus && (!filing.own || key.end > filing.own->end)) filing.own = key;
  }

  std::string currency_;
  std::vector<std::string>& warnings_;
  std::map<std::string_view, Series> series_;
  std::unordered_map<std::string_view, Filing> filings_;
  std::map<Key, Fact> periods_;
  std::map<std::string_view, Cover> covers_;
};

// ---------------------------------------------------------------------------------------------
// Fiscal labels.

// A period whose fiscal label is known from its own filing; other periods are counted from
// it. `quarter` is 4 for a fiscal year (it ends where the fourth quarter does).
struct LabelReference {
  Day end = 0;
  int fiscal_year = 0;
  int quarter = 4;
};

// The fiscal year and quarter (4 for a year) a filing gives its own period, when it gives a
// usable one: "fy", and for a quarter an "fp" of "Q1"…"Q4".
std::optional<std::pair<int, int>> own_label(const Filing& filing, Span span) {
  if (!filing.fiscal_year) return std::nullopt;
  if (span == Span::kAnnual) return std::pair{*filing.fiscal_year, 4};
  const std::string_view fp = filing.fiscal_period;
  if (fp.size() == 2 && fp[0] == 'Q' && fp[1] >= '1' && fp[1] <= '4') {
    return std::pair{*filing.fiscal_year, fp[1] - '0'};
  }
  return std::nullopt;
}

int floor_div(long value, int divisor) {
  return static_cast<int>(value >= 0 ? value / divisor : -((-value + divisor - 1) / divisor));
}

// The fiscal year and quarter (1-4) of the period ending on `end`, counted in quarters of
// 365.2425 / 4 days from the reference, so that 52/53-week years do not drift. Without a
// reference: the calendar year and quarter.
std::pair<int, int> derive_label(Day end, const std::optional<LabelReference>& reference) {
  if (!reference) {
    const std::chrono::year_month_day date = to_date(end);
    return {static_cast<int>(date.year()), (static_cast<int>(unsigned(date.month())) + 2) / 3};
  }
  const double quarters = (end - reference->end) / (365.2425 / 4.0);
  const long index = std::lround(quarters) + reference->quarter - 1;  // 0-3: reference's year
  const int years = floor_div(index, 4);
  return {reference->fiscal_year + years, static_cast<int>(index - 4L * years) + 1};
}

}  // namespace

std::span<const EdgarFieldMap> edgar_field_map() {
  static const std::array<EdgarFieldMap, kFieldCount> map = [] {
    std::array<EdgarFieldMap, kFieldCount> out{};
    for (std::size_t i = 0; i < kFieldCount; ++i) out[i] = {kRules[i].field, kRules[i].sources};
    return out;
  }();
  return map;
}

core::Result<EdgarFacts> parse_edgar_companyfacts(std::string_view text) {
  // One arena for the whole document: a companyfacts file is tens of thousands of small
  // objects, freed together at the end.
  json::monotonic_resource arena;
  json::parser parser;
  parser.reset(&arena);
  json::error_code ec;
  const std::size_t consumed = parser.write(text.data(), text.size(), ec);
  if (ec) {
    // The line and column of the byte the parser stopped at.
    std::int64_t line = 1, column = 1;
    for (std::size_t i = 0; i < consumed && i < text.size(); ++i) {
      if (text[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    core::Error error =
        core::Error::invalid("not valid JSON: " + ec.message() + " (line " + std::to_string(line) +
                             ", column " + std::to_string(column) + ")");
    error.line = line;
    error.column = column;
    return error;
  }
  const json::value document = parser.release();
  if (!document.is_object()) {
    return core::Error::invalid("the document is not a JSON object (companyfacts)", "");
  }
  const json::object& root = document.get_object();

  EdgarFacts out;
  const json::value* cik = root.if_contains("cik");
  if (cik == nullptr) return invalid_at("missing: the company's CIK", "/cik");
  if (cik->is_int64() && cik->get_int64() >= 0) {
    out.cik = std::to_string(cik->get_int64());
  } else if (cik->is_uint64()) {
    out.cik = std::to_string(cik->get_uint64());
  } else if (cik->is_string() && !cik->get_string().empty() &&
             std::all_of(cik->get_string().begin(), cik->get_string().end(),
                         [](char c) { return c >= '0' && c <= '9'; })) {
    // The API writes it zero-padded to ten digits in some places ("0001997711").
    const std::string_view digits = view(cik->get_string());
    const std::size_t first = digits.find_first_not_of('0');
    out.cik = first == std::string_view::npos ? "0" : std::string(digits.substr(first));
  } else {
    return invalid_at("not a CIK (digits)", "/cik");
  }
  if (const json::value* name = root.if_contains("entityName"); name != nullptr) {
    if (!name->is_string()) return invalid_at("not a string", "/entityName");
    out.entity_name = std::string(view(name->get_string()));
  }

  const json::value* facts = root.if_contains("facts");
  if (facts == nullptr || !facts->is_object()) {
    return invalid_at("missing \"facts\" object (not a companyfacts document?)", "/facts");
  }
  const json::object& taxonomies = facts->get_object();
  const json::value* gaap = taxonomies.if_contains("us-gaap");
  if (gaap == nullptr) {
    const std::string who = out.entity_name.empty() ? "the company" : out.entity_name;
    if (taxonomies.contains("ifrs-full")) {
      return core::Error::invalid(
          who + " reports under IFRS (ifrs-full); only us-gaap facts are imported", "/facts");
    }
    return core::Error::invalid(who + " has no us-gaap facts; only us-gaap facts are imported",
                                "/facts");
  }
  if (!gaap->is_object()) return invalid_at("not an object", "/facts/us-gaap");
  const json::value* dei = taxonomies.if_contains("dei");
  if (dei != nullptr && !dei->is_object()) return invalid_at("not an object", "/facts/dei");

  // Step 1: the facts of every concept a field may use.
  const std::vector<ConceptToRead> concepts = concepts_to_read();
  const std::string currency = choose_currency(gaap->get_object(), concepts);
  FactReader reader(currency, out.warnings);
  for (const ConceptToRead& concept_info : concepts) {
    const json::value* taxonomy = concept_info.taxonomy == "us-gaap" ? gaap : dei;
    if (taxonomy == nullptr) continue;
    const json::value* concept_value = taxonomy->get_object().if_contains(concept_info.name);
    if (concept_value == nullptr) continue;
    core::Status status = reader.read_concept(concept_info, *concept_value);
    if (!status) return std::move(status).error();
  }

  // The latest filing whose own period each period is.
  std::map<Key, std::string_view> own_filing;
  for (const auto& [accession, filing] : reader.filings()) {
    if (!filing.own) continue;
    auto [found, inserted] = own_filing.try_emplace(*filing.own, accession);
    if (!inserted) {
      const Filing& other = reader.filing(found->second);
      if (later_or_same(filing.filed, accession, other.filed, found->second)) {
        found->second = accession;
      }
    }
  }
  // The cover-page share count of each filing, under the filing's own period.
  Series& covers = reader.series()["dei:EntityCommonStockSharesOutstanding"];
  for (const auto& [accession, cover] : reader.covers()) {
    const Filing& filing = reader.filing(accession);
    if (!filing.own) continue;
    double total = 0;
    for (double value : cover.values) total += value;
    const Fact fact{total, 0, filing.filed, accession};
    auto [found, inserted] = covers.try_emplace(*filing.own, fact);
    if (!inserted && later_or_same(fact, found->second)) found->second = fact;
  }

  // Step 2: the fields of each period.
  const auto lookup = [&](std::string_view concept_name, Key key) -> const Fact* {
    const auto series = reader.series().find(concept_name);
    if (series == reader.series().end()) return nullptr;
    auto found = series->second.find(key);
    if (found == series->second.end()) found = series->second.find(Key{key.end, Span::kInstant});
    return found == series->second.end() ? nullptr : &found->second;
  };
  std::optional<LabelReference> reference;
  for (const auto& [key, accession] : own_filing) {  // by end date: the latest one wins
    if (const auto label = own_label(reader.filing(accession), key.span)) {
      reference = LabelReference{key.end, label->first, label->second};
    }
  }

  for (const auto& [key, latest] : reader.periods()) {
    ReportedPeriod period;
    period.values.period_end = to_date(key.end);
    period.values.length =
        key.span == Span::kAnnual ? PeriodLength::kAnnual : PeriodLength::kQuarter;
    period.period_start = to_date(latest.start);
    period.currency = currency;
    std::map<std::string_view, int> supplied;  // values per filing
    for (const FieldRule& rule : kRules) {
      for (const EdgarSource& source : rule.sources) {
        const Fact* first = lookup(source.concept_name, key);
        if (first == nullptr) continue;
        if (source.op == 0) {
          period.values.*rule.member = first->value;
          ++supplied[first->accession];
          break;
        }
        const Fact* second = lookup(source.second, key);
        if (second == nullptr) continue;
        period.values.*rule.member =
            source.op == '+' ? first->value + second->value : first->value - second->value;
        ++supplied[first->accession];
        ++supplied[second->accession];
        period.derived.push_back(std::string(rule.field) + " = " +
                                 std::string(source.concept_name) + " " + source.op + " " +
                                 std::string(source.second));
        break;
      }
    }

    // Step 3: fiscal label and filing.
    const auto own = own_filing.find(key);
    std::optional<std::pair<int, int>> label;
    if (own != own_filing.end()) label = own_label(reader.filing(own->second), key.span);
    if (!label) label = derive_label(key.end, reference);
    period.fiscal_year = label->first;
    period.fiscal_period = key.span == Span::kAnnual ? "FY" : "Q" + std::to_string(label->second);
    if (own != own_filing.end()) {
      period.accession = std::string(own->second);
      period.form = std::string(reader.filing(own->second).form);
    } else {
      std::string_view best;
      int best_count = 0;
      for (const auto& [accession, count] : supplied) {
        const Filing& filing = reader.filing(accession);
        const Filing& current = reader.filing(best);
        if (count > best_count ||
            (count == best_count && later_or_same(filing.filed, accession, current.filed, best))) {
          best = accession;
          best_count = count;
        }
      }
      period.accession = std::string(best);
      period.form = std::string(reader.filing(best).form);
    }
    out.periods.push_back(std::move(period));
  }
  return out;
}

}  // namespace aic::finance
