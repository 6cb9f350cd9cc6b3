// Parser for ISO 20022 camt.053 bank-to-customer statements (001.02 and later).
#pragma once

#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "finance/bank/bank_statement.hpp"

namespace aic::finance {

// Every statement in `input`: one per Stmt of Document/BkToCstmrStmt, in any camt.053.001.NN
// namespace from 02 on (or none), elements matched by local name whatever their prefix.
//
// The account is Acct/Id/IBAN or Othr/Id, its currency Acct/Ccy or else the first balance's
// or entry's Ccy. Balances: OPBD (else PRCD) is the opening, CLBD the closing, CLAV the
// available; one in another currency than the account's is left out with a warning. Entries:
// only booked ones (Sts BOOK, or Sts/Cd BOOK) become transactions; the others are skipped with
// one warning per statement. The sign comes from CdtDbtInd alone: RvslInd marks a reversal,
// which ISO 20022 books in its own direction (a reversed credit is DBIT). One transaction per
// Ntry: the reference is AcctSvcrRef (else NtryRef, else the only TxDtls' AcctSvcrRef), the
// customer reference the first EndToEndId other than NOTPROVIDED (else the creditor
// reference), the type code "Domn/Fmly/SubFmly" (else Prtry/Cd), the description AddtlNtryInf
// and every RmtInf/Ustrd joined with "; ", and the counterparty the first detail's other party
// (Dbtr for a credit, Cdtr for a debit; the original payment's for a reversal).
//
// Errors are kInvalidArgument: malformed XML names its line and column; anything else names
// the element by path ("/Document/BkToCstmrStmt/Stmt[1]/Ntry[3]/Amt", 1-based) and its line.
// Among them: a document that is not a camt.053 statement, a missing Acct, Amt, CdtDbtInd or
// BookgDt, a bad amount or date, more decimals than the currency has, a bad currency code, and
// an entry in another currency than the account's. A statement whose balances do not add up
// gets a warning.
core::Result<std::vector<BankStatement>> parse_camt053(std::string_view input);

}  // namespace aic::finance
