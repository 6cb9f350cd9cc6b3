#include "finance/analytics/quantity.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

namespace aic::finance {
namespace {

// Inputs and missing names of both operands; value and reason are filled by the caller.
Quantity combine_sources(const Quantity& left, const Quantity& right, std::string label) {
  Quantity result;
  result.label = std::move(label);
  result.inputs = left.inputs;
  merge_names(result.inputs, right.inputs);
  result.missing = left.missing;
  merge_names(result.missing, right.missing);
  return result;
}

// The first operand's reason when either is null; empty when both have values.
std::string first_reason(const Quantity& left, const Quantity& right) {
  if (!left.value) return left.reason_if_null;
  if (!right.value) return right.reason_if_null;
  return {};
}

Quantity finish(Quantity result, double value) {
  if (std::isfinite(value)) {
    result.value = value;
  } else {
    result.reason_if_null = result.label + " is not finite (overflow)";
  }
  return result;
}

template <typename Operation>
Quantity binary(const Quantity& left, const Quantity& right, std::string_view symbol,
                Operation operation) {
  Quantity result = combine_sources(
      left, right, "(" + left.label + " " + std::string(symbol) + " " + right.label + ")");
  if (!left.value || !right.value) {
    result.reason_if_null = first_reason(left, right);
    return result;
  }
  return finish(std::move(result), operation(*left.value, *right.value));
}

}  // namespace

void merge_names(std::vector<std::string>& into, const std::vector<std::string>& from) {
  for (const std::string& name : from) {
    if (std::find(into.begin(), into.end(), name) == into.end()) into.push_back(name);
  }
}

Quantity input(std::string_view name, std::optional<double> value) {
  Quantity result;
  result.label = std::string(name);
  result.inputs.push_back(result.label);
  if (!value) {
    result.reason_if_null = result.label + " is missing";
    result.missing.push_back(result.label);
  } else if (!std::isfinite(*value)) {
    result.reason_if_null = result.label + " is not a finite number";
    result.missing.push_back(result.label);
  } else {
    result.value = *value;
  }
  return result;
}

Quantity constant(double value, std::string_view label) {
  Quantity result;
  result.label = std::string(label);
  return finish(std::move(result), value);
}

Quantity operator+(const Quantity& left, const Quantity& right) {
  return binary(left, right, "+", [](double a, double b) { return a + b; });
}

Quantity operator-(const Quantity& left, const Quantity& right) {
  return binary(left, right, "-", [](double a, double b) { return a - b; });
}

Quantity operator*(const Quantity& left, const Quantity& right) {
  return binary(left, right, "*", [](double a, double b) { return a * b; });
}

Quantity operator/(const Quantity& numerator, const Quantity& denominator) {
  Quantity result = combine_sources(numerator, denominator,
                                    "(" + numerator.label + " / " + denominator.label + ")");
  if (!numerator.value || !denominator.value) {
    result.reason_if_null = first_reason(numerator, denominator);
    return result;
  }
  if (*denominator.value == 0.0) {
    result.reason_if_null = denominator.label + " is zero";
    return result;
  }
  return finish(std::move(result), *numerator.value / *denominator.value);
}

Quantity average(const Quantity& current, const Quantity& prior) {
  Quantity result = combine_sources(current, prior, "average(" + current.label + ")");
  if (!current.value || !prior.value) {
    result.reason_if_null = first_reason(current, prior);
    return result;
  }
  // Halving each before adding cannot overflow where the plain sum would.
  return finish(std::move(result), *current.value / 2.0 + *prior.value / 2.0);
}

Quantity relabel(Quantity quantity, std::string_view label) {
  quantity.label = std::string(label);
  return quantity;
}

}  // namespace aic::finance
