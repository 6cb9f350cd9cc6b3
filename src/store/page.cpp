#include "store/page.hpp"

namespace aic::store {

void append_page(const PageRequest& page, std::string& sql, std::vector<Value>& params) {
  if (page.after) {
    params.push_back(page.after->first);
    params.push_back(page.after->second);
    std::string at = "$" + std::to_string(params.size() - 1);
    std::string id = "$" + std::to_string(params.size());
    sql += " AND (created_at > " + at + " OR (created_at = " + at + " AND id > " + id + "))";
  }
  sql += " ORDER BY created_at, id LIMIT " + std::to_string(page.limit + 1);
}

}  // namespace aic::store
