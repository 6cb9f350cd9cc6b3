// Arithmetic that cannot produce NaN or infinity: the building block of every ratio and score.
//
// A Quantity is either a finite value or the reason it has none (an input is missing, a
// denominator is zero, a result overflowed), and it remembers which statement inputs went into
// it. Each operation propagates the first reason it meets, so a ratio three steps away from a
// missing input still names that input. Plain value type; no thread affinity.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aic::finance {

struct Quantity {
  std::optional<double> value;       // always finite when present
  std::string reason_if_null;        // empty when value is present
  std::string label;                 // how the quantity reads in a reason: "total_assets"
  std::vector<std::string> inputs;   // statement inputs used, first use first, no repeats
  std::vector<std::string> missing;  // inputs that were absent (or not finite)
};

// A statement input called `name`. Absent → "<name> is missing"; NaN or ±Inf from the caller is
// treated as absent ("<name> is not a finite number").
Quantity input(std::string_view name, std::optional<double> value);
// A known number (a coefficient, a day count); uses no inputs. `value` must be finite.
Quantity constant(double value, std::string_view label);

Quantity operator+(const Quantity& left, const Quantity& right);
Quantity operator-(const Quantity& left, const Quantity& right);
Quantity operator*(const Quantity& left, const Quantity& right);
// Null with "<denominator label> is zero" when the denominator is exactly 0.
Quantity operator/(const Quantity& numerator, const Quantity& denominator);
// (a + b) / 2, labelled "average(<label of a>)".
Quantity average(const Quantity& current, const Quantity& prior);

// The same quantity under a new label (the label later reasons will use).
Quantity relabel(Quantity quantity, std::string_view label);

// Adds the names in `from` to `into` that are not there yet, keeping order.
void merge_names(std::vector<std::string>& into, const std::vector<std::string>& from);

}  // namespace aic::finance
