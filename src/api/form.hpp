// Name=value lists as they appear in a URL query and in application/x-www-form-urlencoded
// bodies (the OAuth2 token endpoint). Both are read strictly: a parameter the route does not
// know, one given twice, or a broken %-escape is a 400 naming the parameter, never ignored.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"

namespace aic::api {

class FormFields {
 public:
  // Splits `text` on '&', decodes '+' as space and %XX escapes. `allowed`: the names a caller
  // may use. Errors name the parameter in Error::field.
  static core::Result<FormFields> parse(std::string_view text,
                                        std::initializer_list<std::string_view> allowed);
  static core::Result<FormFields> parse(std::string_view text,
                                        std::span<const std::string_view> allowed);

  // The value of `name`, or nullptr when absent.
  const std::string* get(std::string_view name) const;

  // Every name=value pair, in the order given.
  const std::vector<std::pair<std::string, std::string>>& fields() const { return fields_; }

  // An integer in [minimum, maximum]; `fallback` when absent. kInvalidArgument naming `name`.
  core::Result<std::int64_t> integer(std::string_view name, std::int64_t fallback,
                                     std::int64_t minimum, std::int64_t maximum) const;

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

}  // namespace aic::api
