#include "store/page.hpp"

namespace aic::store {

void append_page(const PageRequest& page, std::string& sql, std::vector<Value>& params) {
  if (page.after) {
    params.push_back(page.after->first);
    params.push_back(page.after->second);
    // Appended piece by piece: GCC 12 at -O3 warns (-Wrestrict, wrongly) about
    // "$" + std::to_string(…).
    const std::string at = std::to_string(params.size() - 1);
    const std::string id = std::to_string(params.size());
    sql.append(" AND (created_at > $").append(at);
    sql.append(" OR (created_at = $").append(at);
    sql.append(" AND id > $").append(id).append("))");
  }
  sql.append(" ORDER BY created_at, id LIMIT ").append(std::to_string(page.limit + 1));
}

}  // namespace aic::store
