#define CAF_SUITE trading.types
#include "caf/test/unit_test.hpp"

#include "trading/types.hpp"

using namespace intuition::trading;

CAF_TEST(a buy moves notional plus commission out of cash) {
  order x;
  x.direction = side::buy;
  x.qty = 3;
  x.price_micros = 2'500'000;
  x.commission_micros = 10'000;
  CAF_CHECK_EQUAL(cash_delta_micros(x), -7'510'000);
  x.direction = side::sell;
  CAF_CHECK_EQUAL(cash_delta_micros(x), 7'490'000);
}

CAF_TEST(sides round trip through their names) {
  side x = side::sell;
  CAF_CHECK(from_string(to_string(side::buy), x));
  CAF_CHECK(x == side::buy);
  CAF_CHECK(!from_string("hold", x));
}
