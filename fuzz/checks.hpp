#pragma once

// The properties the fuzz targets check, shared with the corpus suite that
// replays the committed inputs in the ordinary (g++) test run.

#include <string_view>

#include "trading/result.hpp"

namespace intuition::fuzz {

/// Decodes `input` as an MQTT payload (under the default limits and under a
/// 1 MiB payload limit) and line by line as CSV rows, and checks what came
/// out: a rejection leaves no quote behind and names a known field; an
/// accepted quote has a valid symbol, a price in (0, max_price] and a
/// non-negative time; decoding is deterministic and the canonical encoding
/// (and the CSV rendering) of every quote decodes back to it. Fails with
/// the first broken property.
trading::status check_quote_codec(std::string_view input);

/// Decodes `input` as an external signal (external algorithms) and checks
/// that decoding is deterministic, gives no runtime-only reason, accepts
/// only valid symbols and a named quote, and that an accepted signal
/// round-trips through its encoding. Fails with the first broken property.
trading::status check_signal_codec(std::string_view input);

/// Parses `input` as a configuration file and checks that it is either
/// accepted, with every bounded field inside its bounds and every strategy
/// initialisable again, or refused with an invalid request that names the
/// field (or the "not valid JSON" one), never with an exception. Fails with
/// the first broken property.
trading::status check_config(std::string_view input);

} // namespace intuition::fuzz
