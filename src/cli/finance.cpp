// `aic finance …`: the financial engine's parsers and scores, offline (no server, no database).
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "cli/app.hpp"
#include "finance/bank/bank_formats.hpp"
#include "finance/money.hpp"

namespace aic::cli {

namespace {

std::string names_list() {
  std::string names;
  for (std::string_view name : finance::bank_format_names()) {
    if (!names.empty()) names += ", ";
    names += name;
  }
  return names;
}

void print_summary(const std::vector<finance::BankStatement>& statements) {
  for (const finance::BankStatement& statement : statements) {
    const int exponent = finance::currency_exponent(statement.currency);
    auto balance = [&](const std::optional<finance::Balance>& value) {
      return value ? finance::format_minor_units(value->amount, exponent) + " on " +
                         finance::format_date(value->date)
                   : std::string("-");
    };
    std::cout << "account " << statement.account << " (" << statement.currency << ")";
    if (!statement.statement_id.empty()) std::cout << ", statement " << statement.statement_id;
    std::cout << "\n  opening " << balance(statement.opening) << "\n  closing "
              << balance(statement.closing) << "\n  " << statement.transactions.size()
              << " transactions\n";
    for (const std::string& warning : statement.warnings) {
      std::cout << "  warning: " << warning << "\n";
    }
  }
}

}  // namespace

int finance_parse(const std::string& format_name, const std::string& path, bool json) {
  auto format = finance::bank_format_from_name(format_name);
  if (!format) {
    std::cerr << "aic: --format: unknown format \"" << format_name << "\"; expected one of "
              << names_list() << "\n";
    return 2;
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    std::cerr << "aic: cannot read " << path << "\n";
    return 1;
  }
  std::ostringstream contents;
  contents << file.rdbuf();
  const std::string input = std::move(contents).str();
  auto statements = finance::parse_bank_file(*format, input);
  if (!statements) {
    std::cerr << "aic: " << path << ": " << statements.error().message << "\n";
    return 1;
  }
  if (json) {
    std::cout << finance::to_json(*statements) << "\n";
  } else {
    print_summary(*statements);
  }
  return 0;
}

}  // namespace aic::cli
