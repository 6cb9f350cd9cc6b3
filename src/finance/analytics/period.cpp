#include "finance/analytics/period.hpp"

namespace aic::finance {

double days_in_period(PeriodLength length) {
  switch (length) {
    case PeriodLength::kAnnual:
      return 365.0;
    case PeriodLength::kQuarter:
      return 365.0 / 4.0;
  }
  return 365.0;
}

}  // namespace aic::finance
