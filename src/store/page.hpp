// Keyset pagination in creation order, the way every list in the API pages: by
// (created_at, id), so a page boundary stays put while rows are added.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "store/database.hpp"

namespace aic::store {

// One page of a list in creation order. `after` is the (created_at, id) of the last item of
// the previous page; the API layer turns it into an opaque cursor.
struct PageRequest {
  std::size_t limit = 50;
  std::optional<std::pair<std::string, std::string>> after;
};

template <typename T>
struct PageOf {
  std::vector<T> items;
  bool more = false;  // another page follows the last item
};

// Appends the page's condition, order and limit to `sql`, whose WHERE clause is already
// open, and its parameters to `params`. One row more than the page tells whether more follow.
void append_page(const PageRequest& page, std::string& sql, std::vector<Value>& params);

// Runs `sql` and turns its rows into `out` with from_row(QueryResult&, row).
template <typename T, typename FromRow>
core::Status read_page(Transaction& tx, const std::string& sql, const std::vector<Value>& params,
                       std::size_t limit, FromRow from_row, PageOf<T>& out) {
  out = PageOf<T>{};
  auto rows = tx.execute(sql, params);
  if (!rows) return std::move(rows).error();
  for (std::size_t i = 0; i < rows->rows.size() && i < limit; ++i) {
    out.items.push_back(from_row(*rows, i));
  }
  out.more = rows->rows.size() > limit;
  return {};
}

}  // namespace aic::store
