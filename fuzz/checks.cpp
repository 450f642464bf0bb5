#include "checks.hpp"

#include <cstdint>
#include <exception>
#include <vector>

#include "runtime/config.hpp"
#include "trading/algorithm.hpp"
#include "trading/external_strategy.hpp"
#include "trading/decimal.hpp"
#include "trading/flat_json.hpp"
#include "trading/quote_codec.hpp"
#include "trading/signal_codec.hpp"

namespace intuition::fuzz {

namespace {

using trading::codec_limits;
using trading::decode_result;
using trading::quote;

/// A property that does not hold.
trading::failure broken(std::string what) {
  return trading::operation_failed(std::move(what));
}

std::string show(const quote& x) {
  return x.symbol + "@" + std::to_string(x.price_micros) + "@"
         + std::to_string(x.ts_ms);
}

bool known_field(std::string_view field) {
  for (auto x : {"", "symbol", "sid", "price", "quote", "ts"})
    if (field == x)
      return true;
  return false;
}

trading::status check_quote(const quote& x, const codec_limits& limits) {
  auto symbol = x.symbol;
  auto reason = trading::reject_reason::bad_symbol;
  if (!trading::normalize_symbol(symbol, reason) || symbol != x.symbol)
    return broken("accepted a symbol that is not normalised: " + show(x));
  if (x.price_micros <= 0 || x.price_micros > limits.max_price_micros)
    return broken("accepted a price outside (0, max_price]: " + show(x));
  if (x.ts_ms < 0)
    return broken("accepted a negative timestamp: " + show(x));
  return {};
}

trading::status check_result(const decode_result& res, size_t before,
                             const std::vector<quote>& out,
                             const codec_limits& limits) {
  if (static_cast<size_t>(res.reason) >= trading::reject_reason_count)
    return broken("reason out of range");
  if (!res.ok) {
    if (out.size() != before)
      return broken("a rejection ("
                    + std::string{trading::to_string(res.reason)}
                    + ") left quotes behind");
    if (!known_field(res.field))
      return broken("a rejection names an unknown field: "
                    + std::string{res.field});
    return {};
  }
  if (out.size() == before)
    return broken("accepted without a quote");
  for (auto i = before; i < out.size(); ++i)
    if (auto ok = check_quote(out[i], limits); !ok)
      return ok;
  return {};
}

trading::status check_json(std::string_view input, const codec_limits& limits) {
  constexpr int64_t now_ms = 1'700'000'000'000;
  std::vector<quote> out;
  auto res = trading::decode_json_quote(input, now_ms, out, limits);
  if (auto ok = check_result(res, 0, out, limits); !ok)
    return ok.error().within("json");
  std::vector<quote> again;
  auto res2 = trading::decode_json_quote(input, now_ms, again, limits);
  if (res2.ok != res.ok || res2.reason != res.reason || !(again == out))
    return broken("json: decoding is not deterministic");
  for (const auto& x : out) {
    std::vector<quote> back;
    auto text = trading::encode_canonical(x);
    if (!trading::decode_json_quote(text, 0, back, limits).ok
        || back.size() != 1 || !(back[0] == x))
      return broken("json: the canonical encoding does not decode back: "
                    + text);
  }
  return {};
}

trading::status check_csv(std::string_view input, const codec_limits& limits) {
  std::vector<quote> out;
  while (!input.empty()) {
    auto nl = input.find('\n');
    auto row = input.substr(0, nl);
    input = nl == std::string_view::npos ? std::string_view{}
                                         : input.substr(nl + 1);
    auto before = out.size();
    auto res = trading::decode_csv_row(row, out, limits);
    if (auto ok = check_result(res, before, out, limits); !ok)
      return ok.error().within("csv");
    if (res.ok && out.size() != before + 1)
      return broken("csv: a row gave more than one quote");
    if (!res.ok)
      continue;
    const auto& x = out.back();
    auto text = std::to_string(x.ts_ms) + "," + x.symbol + ","
                + trading::format_micros(x.price_micros);
    std::vector<quote> back;
    if (!trading::decode_csv_row(text, back, limits).ok || back.size() != 1
        || !(back[0] == x))
      return broken("csv: the rendering does not decode back: " + text);
  }
  return {};
}

} // namespace

trading::status check_signal_codec(std::string_view input) {
  using trading::signal_reject_reason;
  for (auto max_bytes : {size_t{4096}, size_t{1} << 20}) {
    trading::external_signal x;
    auto res = trading::decode_external_signal(input, x, max_bytes);
    trading::external_signal again;
    auto res2 = trading::decode_external_signal(input, again, max_bytes);
    if (res.ok != res2.ok || (!res.ok && res.reason != res2.reason))
      return broken("signal decoding is not deterministic");
    if (!res.ok) {
      if (res.reason == signal_reject_reason::no_price
          || res.reason == signal_reject_reason::not_traded
          || res.reason == signal_reject_reason::duplicate)
        return broken("the codec gave a runtime reason: "
                      + std::string{trading::to_string(res.reason)});
      continue;
    }
    auto symbol = x.symbol;
    auto reason = trading::reject_reason::bad_symbol;
    if (!trading::normalize_symbol(symbol, reason) || symbol != x.symbol)
      return broken("accepted a bad signal symbol: " + x.symbol);
    if (x.quote_seq == 0 && x.ts_ms < 0)
      return broken("accepted a signal naming no quote");
    if (x.quote_seq > static_cast<uint64_t>(INT64_MAX))
      return broken("accepted a quote_seq of 2^63 or more");
    trading::external_signal back;
    auto encoded = trading::encode_external_signal(x);
    if (!trading::decode_external_signal(encoded, back, max_bytes).ok
        || back.symbol != x.symbol || back.direction != x.direction
        || back.quote_seq != x.quote_seq || back.ts_ms != x.ts_ms)
      return broken("a signal does not round-trip: " + encoded);
  }
  return {};
}

trading::status check_quote_codec(std::string_view input) {
  codec_limits defaults;
  codec_limits large;
  large.max_payload_bytes = 1 << 20;
  codec_limits cheap;
  cheap.max_price_micros = 100 * trading::micros_per_unit;
  for (const auto* limits : {&defaults, &large, &cheap}) {
    if (auto ok = check_json(input, *limits); !ok)
      return ok;
    if (auto ok = check_csv(input, *limits); !ok)
      return ok;
  }
  return {};
}

trading::status check_config(std::string_view input) {
  runtime::app_config cfg;
  try {
    auto parsed = runtime::parse_config(std::string{input}, "/cfg");
    if (!parsed) {
      const auto& why = parsed.error();
      if (why.kind != trading::failure_kind::invalid_request)
        return broken("refused as a failed operation: " + why.message);
      // An invalid_value names its field first; "not valid JSON" has none.
      if (why.message.empty() || why.message.front() == ':')
        return broken("refused without naming a field: " + why.message);
      return {};
    }
    cfg = std::move(*parsed);
  } catch (const std::exception& ex) {
    return broken("unexpected exception: " + std::string{ex.what()});
  }
  const auto& pf = cfg.portfolio;
  if (pf.starting_cash_micros <= 0
      || pf.starting_cash_micros > trading::max_starting_cash_micros)
    return broken("accepted a starting cash out of bounds");
  if (cfg.codec.max_price_micros <= 0
      || cfg.codec.max_price_micros > trading::default_max_price_micros)
    return broken("accepted a max_price out of bounds");
  if (cfg.strategies.empty())
    return broken("accepted a configuration without strategies");
  for (const auto& s : cfg.strategies) {
    if (s.algorithm == trading::external_algorithm) {
      auto params = trading::parse_external_params(s.params);
      if (!params || !s.external || params->channels != s.channels)
        return broken("accepted external parameters that fail again");
      continue;
    }
    auto algo = trading::make_algorithm(s.algorithm, "X");
    if (!algo)
      return broken("accepted an unknown algorithm: " + s.algorithm);
    auto channels = algo->initialize(s.params);
    if (!channels)
      return broken("accepted parameters that fail again: "
                    + channels.error().message);
    if (*channels != s.channels)
      return broken("initialize is not deterministic for " + s.name);
  }
  return {};
}

} // namespace intuition::fuzz
