#include "runtime/config.hpp"

#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "trading/algorithm.hpp"
#include "trading/channels.hpp"
#include "trading/decimal.hpp"
#include "trading/shard_map.hpp"

namespace intuition::runtime {

namespace {

using nlohmann::json;
using trading::failure;
using trading::invalid_value;
using trading::result;

std::string join(const std::vector<std::string>& xs) {
  std::string out;
  for (const auto& x : xs) {
    if (!out.empty())
      out += ", ";
    out += x;
  }
  return out;
}

/// The first failure met while reading one configuration. The file is read
/// top to bottom: reads after a failure return their defaults and record
/// nothing, so the failure reported is the first one, and the reader returns
/// it once it is safe to stop.
class first_failure {
public:
  /// Records `x` unless a failure came first.
  void add(failure x) {
    if (!first_)
      first_ = std::move(x);
  }

  /// Stores the value of `x` in `out`, or records its failure.
  template <class T, class U>
  void take(result<T> x, U& out) {
    if (x)
      out = std::move(*x);
    else
      add(std::move(x).error());
  }

  /// Whether a failure was recorded.
  explicit operator bool() const noexcept {
    return first_.has_value();
  }

  const failure& get() const {
    return *first_;
  }

private:
  std::optional<failure> first_;
};

/// A JSON object being read at a dotted path; reports unknown keys. A value
/// that is not what a field accepts goes to `errs` as an `invalid_value`.
class section {
public:
  section(const json& obj, std::string path, first_failure& errs)
      : obj_(obj), path_(std::move(path)), errs_(errs) {
    if (!obj_.is_null() && !obj_.is_object())
      errs_.add(invalid_value(path_.empty() ? "(top level)" : path_,
                              obj_.dump(), "an object"));
  }

  std::string field(const std::string& key) const {
    // An empty key would vanish from the message: show it quoted.
    auto name = key.empty() ? std::string{"\"\""} : key;
    return path_.empty() ? name : path_ + "." + name;
  }

  const json* find(const std::string& key) {
    seen_.insert(key);
    if (obj_.is_null())
      return nullptr;
    auto i = obj_.find(key);
    return i == obj_.end() ? nullptr : &*i;
  }

  section child(const std::string& key) {
    static const json null_json;
    auto* v = find(key);
    return section{v ? *v : null_json, field(key), errs_};
  }

  std::string string(const std::string& key, std::string def,
                     bool required = false) {
    auto* v = find(key);
    if (!v) {
      if (required)
        errs_.add(invalid_value(field(key), "nothing", "a string (required)"));
      return def;
    }
    if (!v->is_string()) {
      errs_.add(invalid_value(field(key), v->dump(), "a string"));
      return def;
    }
    return v->get<std::string>();
  }

  double number(const std::string& key, double def, double lo, double hi,
                const char* expected) {
    auto* v = find(key);
    if (!v)
      return def;
    if (!v->is_number() || !std::isfinite(v->get<double>())
        || v->get<double>() < lo || v->get<double>() > hi) {
      errs_.add(invalid_value(field(key), v->dump(), expected));
      return def;
    }
    return v->get<double>();
  }

  int64_t integer(const std::string& key, int64_t def, int64_t lo, int64_t hi,
                  const char* expected) {
    auto* v = find(key);
    if (!v)
      return def;
    if (!v->is_number_integer() || v->get<int64_t>() < lo
        || v->get<int64_t>() > hi) {
      errs_.add(invalid_value(field(key), v->dump(), expected));
      return def;
    }
    return v->get<int64_t>();
  }

  bool boolean(const std::string& key, bool def) {
    auto* v = find(key);
    if (!v)
      return def;
    if (!v->is_boolean()) {
      errs_.add(invalid_value(field(key), v->dump(), "true or false"));
      return def;
    }
    return v->get<bool>();
  }

  /// Money in currency units as a JSON number or decimal string.
  int64_t money(const std::string& key, int64_t def, bool allow_zero = true) {
    auto* v = find(key);
    if (!v)
      return def;
    auto micros = parse_money(*v);
    if (!micros || *micros < 0 || (!allow_zero && *micros == 0)) {
      errs_.add(invalid_value(field(key), v->dump(),
                              allow_zero ? "an amount >= 0" : "an amount > 0"));
      return def;
    }
    return *micros;
  }

  /// Money in (0, `max_micros`]; the message states the range in units.
  int64_t bounded_money(const std::string& key, int64_t def,
                        int64_t max_micros) {
    auto* v = find(key);
    if (!v)
      return def;
    auto micros = parse_money(*v);
    if (!micros || *micros <= 0 || *micros > max_micros) {
      errs_.add(invalid_value(field(key), v->dump(),
                              "an amount in (0, "
                                + trading::format_micros(max_micros) + "]"));
      return def;
    }
    return *micros;
  }

  std::vector<std::string> symbols(const std::string& key) {
    auto* v = find(key);
    if (!v || (v->is_string() && v->get<std::string>() == "*"))
      return {};
    if (!v->is_array() || v->empty()) {
      errs_.add(invalid_value(field(key), v->dump(),
                              "\"*\" or a non-empty list of symbols"));
      return {};
    }
    std::vector<std::string> out;
    for (const auto& s : *v) {
      std::string sym = s.is_string() ? s.get<std::string>() : std::string{};
      trading::reject_reason why;
      if (!s.is_string() || !trading::normalize_symbol(sym, why)) {
        errs_.add(
          invalid_value(field(key), s.dump(),
                        "symbols of 1 to 32 characters [A-Za-z0-9._-/:^]"));
        return {};
      }
      out.push_back(sym);
    }
    return out;
  }

  /// Rejects keys that were never asked for.
  void done() const {
    if (!obj_.is_object())
      return;
    for (auto i = obj_.begin(); i != obj_.end(); ++i)
      if (seen_.count(i.key()) == 0) {
        errs_.add(invalid_value(field(i.key()), i.value().dump(),
                                "no such key (known: " + known() + ")"));
        return;
      }
  }

  /// Records a failure of this section's reader.
  void fail(failure x) {
    errs_.add(std::move(x));
  }

private:
  static std::optional<int64_t> parse_money(const json& v) {
    if (v.is_number())
      return trading::double_to_micros(v.get<double>());
    if (v.is_string())
      return trading::parse_decimal_micros(v.get<std::string>());
    return std::nullopt;
  }

  std::string known() const {
    return join(std::vector<std::string>(seen_.begin(), seen_.end()));
  }

  const json& obj_;
  std::string path_;
  std::set<std::string> seen_;
  first_failure& errs_;
};

std::string resolve_path(const std::string& base_dir, const std::string& p) {
  if (p.empty() || p.front() == '/' || base_dir.empty())
    return p;
  return (std::filesystem::path{base_dir} / p).lexically_normal().string();
}

/// The fields of the `kelly` and `volatility_target` rules.
void read_sizing_statistics(section& s, trading::sizing_config& out) {
  out.lookback_trades = static_cast<size_t>(
    s.integer("lookback_trades", 20, 1, 100'000, "an integer in [1, 100000]"));
  out.target = s.number("target", 0.01, 1e-9, 1.0, "a number in (0, 1]");
  out.lambda = s.number("lambda", 0.94, 0.0, 0.999999, "a number in [0, 1)");
  out.min_observations = static_cast<uint64_t>(s.integer(
    "min_observations", 20, 1, 1'000'000, "an integer in [1, 1000000]"));
  out.quotes_per_day
    = s.number("quotes_per_day", 1.0, 1.0, 1e7, "a number in [1, 10000000]");
}

/// A strategy's `order`: type, offsets and time in force.
trading::order_spec read_order_spec(section s) {
  trading::order_spec out;
  auto type = s.string("type", "market");
  if (!trading::from_string(type, out.type))
    s.fail(invalid_value(s.field("type"), "\"" + type + "\"",
                         "one of: market, limit, stop, stop_limit"));
  out.offset_bps = s.number("offset_bps", 0.0, -9'999.0, 9'999.0,
                            "a number of basis points in [-9999, 9999]");
  out.stop_offset_bps = s.number("stop_offset_bps", 0.0, 0.0, 9'999.0,
                                 "a number of basis points in [0, 9999]");
  auto tif = s.string("time_in_force", "gtc");
  if (!trading::from_string(tif, out.tif))
    s.fail(invalid_value(s.field("time_in_force"), "\"" + tif + "\"",
                         "one of: gtc, day, ioc"));
  // A field the type does not use is a mistake worth naming.
  auto uses_limit = out.type == trading::order_type::limit
                    || out.type == trading::order_type::stop_limit;
  auto uses_stop = out.type == trading::order_type::stop
                   || out.type == trading::order_type::stop_limit;
  if (auto* v = s.find("offset_bps"); v && !uses_limit)
    s.fail(invalid_value(s.field("offset_bps"), v->dump(),
                         "no offset_bps for type " + type
                           + " (only limit and stop_limit have one)"));
  if (auto* v = s.find("stop_offset_bps"); v && !uses_stop)
    s.fail(invalid_value(s.field("stop_offset_bps"), v->dump(),
                         "no stop_offset_bps for type " + type
                           + " (only stop and stop_limit have one)"));
  if (out.type == trading::order_type::market && s.find("time_in_force")
      && out.tif != trading::time_in_force::gtc)
    s.fail(invalid_value(s.field("time_in_force"), "\"" + tif + "\"",
                         "no time_in_force for a market order"));
  s.done();
  return out;
}

trading::sizing_config read_sizing(section s) {
  trading::sizing_config out;
  auto kind = s.string("kind", "fixed_fraction");
  if (!trading::from_string(kind, out.kind))
    s.fail(invalid_value(s.field("kind"), "\"" + kind + "\"",
                         "one of: random_fraction, fixed_fraction, "
                         "fixed_quantity, equal_weight, kelly, "
                         "volatility_target"));
  out.fraction = s.number("fraction", 0.1, 1e-9, 1.0, "a number in (0, 1]");
  out.min_fraction
    = s.number("min_fraction", 0.0, 0.0, 1.0, "a number in [0, 1]");
  out.max_fraction
    = s.number("max_fraction", 1.0, 0.0, 1.0, "a number in [0, 1]");
  if (out.max_fraction < out.min_fraction)
    s.fail(invalid_value(s.field("max_fraction"),
                         std::to_string(out.max_fraction),
                         "a number >= min_fraction"));
  out.qty = s.integer("quantity", 1, 1, 1'000'000'000,
                      "an integer in [1, 1000000000]");
  out.seed = static_cast<uint64_t>(
    s.integer("seed", 42, 0, INT64_MAX, "a non-negative integer"));
  out.symbols = s.symbols("symbols");
  read_sizing_statistics(s, out);
  s.done();
  return out;
}

/// One strategy of `strategies` (or a file of `intuition control
/// add-strategy`); its name must not be in `names`, which then holds it.
void read_external(section& s, strategy_config& sc, first_failure& errs);

strategy_config read_strategy(section& s, std::set<std::string>& names,
                              first_failure& errs) {
  strategy_config sc;
  sc.name = s.string("name", "", true);
  if (sc.name.empty() || sc.name.size() > 64
      || sc.name.find_first_of("/#+ \t") != std::string::npos)
    errs.add(invalid_value(s.field("name"), "\"" + sc.name + "\"",
                           "1 to 64 characters without '/', '#', '+' or "
                           "spaces"));
  if (!names.insert(sc.name).second)
    errs.add(invalid_value(s.field("name"), "\"" + sc.name + "\"",
                           "a name no other strategy uses"));
  sc.algorithm = s.string("algorithm", "", true);
  auto external = sc.algorithm == trading::external_algorithm;
  auto algo = external ? nullptr : trading::make_algorithm(sc.algorithm, "");
  if (!algo && !external)
    errs.add(invalid_value(s.field("algorithm"), "\"" + sc.algorithm + "\"",
                           "one of: " + join(trading::algorithm_names())
                             + ", external"));
  sc.symbols = s.symbols("symbols");
  sc.order = read_order_spec(s.child("order"));
  if (auto* p = s.find("params"))
    sc.params = *p;
  if (external && !errs)
    read_external(s, sc, errs);
  if (algo && !errs) {
    auto channels = algo->initialize(sc.params);
    if (channels)
      sc.channels = std::move(*channels);
    else
      errs.add(channels.error().in_field(s.field("params")));
  }
  s.done();
  return sc;
}

/// `portfolio.risk.max_drawdown` and `max_daily_loss` (operator control):
/// limits that halt trading when crossed.
trading::risk_limits read_halt_limits(section& risk) {
  trading::risk_limits out;
  if (auto* v = risk.find("max_drawdown")) {
    auto x = v->is_number() ? v->get<double>() : 0.0;
    if (!v->is_number() || !std::isfinite(x) || x <= 0.0 || x >= 1.0
        || std::round(x * 1e6) < 1.0 || std::round(x * 1e6) > 999'999.0)
      risk.fail(invalid_value(risk.field("max_drawdown"), v->dump(),
                              "a fraction of peak equity in (0, 1), at "
                              "least 0.000001"));
    else
      out.max_drawdown_ppm = static_cast<int64_t>(std::round(x * 1e6));
  }
  out.max_daily_loss_micros = risk.money("max_daily_loss", 0);
  return out;
}

trading::portfolio_config read_portfolio(section s) {
  trading::portfolio_config out;
  // Cash is bounded so that a whole account's worth of orders stays far
  // inside 64-bit micros; every product of money is checked besides.
  out.starting_cash_micros
    = s.bounded_money("starting_cash", out.starting_cash_micros,
                      trading::max_starting_cash_micros);
  out.sizing = read_sizing(s.child("sizing"));
  auto risk = s.child("risk");
  out.risk.allow_short = risk.boolean("allow_short", false);
  out.risk.max_position = risk.integer("max_position", 0, 0, INT64_MAX / 2,
                                       "an integer >= 0 (0: no limit)");
  out.risk.max_order_notional_micros = risk.money("max_order_notional", 0);
  out.risk.halt = read_halt_limits(risk);
  risk.done();
  auto com = s.child("commission");
  out.commission.per_share_micros = com.money("per_share", 0);
  out.commission.bps = com.number("bps", 0.0, 0.0, 10'000.0,
                                  "a number of basis points in [0, 10000]");
  out.commission.minimum_micros = com.money("minimum", 0);
  com.done();
  auto slip = s.child("slippage");
  out.slippage.bps = slip.number("bps", 0.0, 0.0, 10'000.0,
                                 "a number of basis points in [0, 10000]");
  slip.done();
  out.max_open_orders = static_cast<size_t>(s.integer(
    "max_open_orders", 1000, 1, 1'000'000, "an integer in [1, 1000000]"));
  s.done();
  return out;
}

// -- external algorithms ------------------------------------------------------------

/// Reads the parameters of a strategy of kind `external`; its channels are
/// the quote channels it takes.
void read_external(section& s, strategy_config& sc, first_failure& errs) {
  auto params = trading::parse_external_params(sc.params);
  if (!params) {
    errs.add(std::move(params).error().in_field(s.field("params")));
    return;
  }
  sc.channels = params->channels;
  sc.external = std::move(*params);
}

/// The node-local ingress fields of `cluster`: ingress, name, universe,
/// shards, max_moves, mark_interval_ms, marks.
void read_shards(section& s, const std::string& base_dir, cluster_config& out,
                 first_failure& errs) {
  out.ingress = s.string("ingress", "coordinator");
  if (out.ingress != "coordinator" && out.ingress != "node")
    errs.add(invalid_value(s.field("ingress"), "\"" + out.ingress + "\"",
                           "\"coordinator\" or \"node\""));
  out.name = s.string("name", "intuition");
  if (auto ok = trading::check_cluster_name(s.field("name"), out.name); !ok)
    errs.add(std::move(ok).error());
  out.shards = static_cast<uint32_t>(
    s.integer("shards", 64, 1, trading::max_shards, "an integer in [1, 4096]"));
  out.max_moves = static_cast<uint32_t>(
    s.integer("max_moves", 4, 1, 4096, "an integer in [1, 4096]"));
  out.mark_interval_ms = static_cast<uint32_t>(s.integer(
    "mark_interval_ms", 200, 1, 60'000, "milliseconds in [1, 60000]"));
  out.marks = s.string("marks", "every");
  if (out.marks != "every" && out.marks != "latest")
    errs.add(invalid_value(s.field("marks"), "\"" + out.marks + "\"",
                           "\"every\" or \"latest\""));
  if (auto* v = s.find("universe")) {
    if (v->is_string()) {
      errs.take(trading::read_universe_file(
                  resolve_path(base_dir, v->get<std::string>())),
                out.universe);
    } else if (v->is_array()) {
      std::vector<std::string> xs;
      for (const auto& x : *v) {
        if (!x.is_string()) {
          errs.add(
            invalid_value(s.field("universe"), x.dump(), "symbols as strings"));
          return;
        }
        xs.push_back(x.get<std::string>());
      }
      errs.take(trading::check_universe(s.field("universe"), std::move(xs)),
                out.universe);
    } else {
      errs.add(invalid_value(s.field("universe"), v->dump(),
                             "a list of symbols or the path of a file with "
                             "one symbol a line"));
    }
  }
  if (out.node_ingress() && out.universe.empty())
    errs.add(trading::invalid_setting(
      s.field("universe"), "required with cluster.ingress \"node\": the "
                           "symbols the shards subscribe to"));
}

/// The topics of external strategies must not loop back into the runtime: a
/// channel matching a forwarding topic would trade forwarded quotes again,
/// and a strategy named `in` publishes its signals under `signals/in/`.
void check_external_topics(const app_config& cfg, first_failure& errs) {
  const auto& prefix = cfg.mqtt.topic_prefix;
  for (size_t i = 0; i < cfg.strategies.size(); ++i) {
    const auto& ext = cfg.strategies[i];
    if (!ext.external)
      continue;
    auto field = "strategies[" + std::to_string(i) + "]";
    auto signals = trading::signal_topic_of(*ext.external, prefix, ext.name);
    auto forward = trading::forward_topic_of(prefix, ext.name);
    for (size_t k = 0; k < cfg.strategies.size(); ++k) {
      const auto& other = cfg.strategies[k];
      if (other.name == "in" && cfg.mqtt.publish_signals)
        errs.add(invalid_value("strategies[" + std::to_string(k) + "].name",
                               "\"in\"",
                               "another name: the signals of a strategy named "
                               "in would arrive as external signals"));
      for (const auto& filter : other.channels) {
        if (ext.external->forward_quotes
            && trading::topic_matches(filter, forward))
          errs.add(invalid_value(
            "strategies[" + std::to_string(k) + "].params.channels",
            "\"" + filter + "\"",
            "filters that do not match " + forward + ", where " + field
              + " forwards quotes (they would be traded twice)"));
        if (trading::topic_matches(filter, signals))
          errs.add(invalid_value(
            "strategies[" + std::to_string(k) + "].params.channels",
            "\"" + filter + "\"",
            "filters that do not match " + signals + ", where " + field
              + " receives its signals"));
      }
      if (k != i && other.external
          && trading::signal_topic_of(*other.external, prefix, other.name)
               == signals)
        errs.add(invalid_value(field + ".params.signal_topic",
                               "\"" + signals + "\"",
                               "a topic no other external strategy uses"));
    }
  }
}

/// Parses a configuration text (`//` and `/* */` comments allowed).
result<json> parse_json_text(const std::string& text) {
  try {
    return json::parse(text, nullptr, true, /*ignore_comments=*/true);
  } catch (const json::exception& ex) {
    // Not only syntax errors: a number beyond a double (1e400) is an
    // out_of_range error, and the file is just as unreadable.
    return trading::invalid_request(std::string{"not valid JSON: "}
                                    + ex.what());
  }
}

} // namespace

result<double> parse_speed(const std::string& field, const std::string& text) {
  if (text == "max")
    return 0.0;
  if (text == "realtime")
    return 1.0;
  if (text.size() > 1 && text.back() == 'x') {
    auto micros = trading::parse_decimal_micros(
      std::string_view{text}.substr(0, text.size() - 1));
    if (micros && *micros > 0)
      return static_cast<double>(*micros) / 1e6;
  }
  return invalid_value(field, "\"" + text + "\"",
                       "max, realtime, or a positive multiple such as 60x");
}

result<app_config> parse_config(const std::string& text,
                                const std::string& base_dir) {
  auto parsed = parse_json_text(text);
  if (!parsed)
    return std::move(parsed).error();
  auto doc = std::move(*parsed);
  app_config out;
  first_failure errs;
  section top{doc, "", errs};
  if (errs)
    return errs.get();
  // -- strategies
  auto* strategies = top.find("strategies");
  if (!strategies || !strategies->is_array() || strategies->empty())
    return invalid_value("strategies",
                         strategies ? strategies->dump() : "nothing",
                         "a non-empty list of strategies");
  std::set<std::string> names;
  for (size_t i = 0; i < strategies->size() && !errs; ++i) {
    section s{(*strategies)[i], "strategies[" + std::to_string(i) + "]", errs};
    out.strategies.push_back(read_strategy(s, names, errs));
  }
  if (errs)
    return errs.get();
  out.portfolio = read_portfolio(top.child("portfolio"));
  for (const auto& sc : out.strategies)
    if (sc.order.type != trading::order_type::market)
      out.portfolio.order_specs.emplace(sc.name, sc.order);
  if (out.portfolio.sizing.symbols.empty()) {
    std::set<std::string> all;
    for (const auto& sc : out.strategies)
      all.insert(sc.symbols.begin(), sc.symbols.end());
    out.portfolio.sizing.symbols.assign(all.begin(), all.end());
  }
  // -- journal
  {
    auto s = top.child("journal");
    out.journal.path = resolve_path(base_dir, s.string("path", ""));
    auto policy = s.string("fsync", "always");
    if (!trading::from_string(policy, out.journal.fsync))
      errs.add(invalid_value(s.field("fsync"), "\"" + policy + "\"",
                             "one of: always, interval, never"));
    out.journal.interval_ms
      = s.integer("interval_ms", 10, 1, 60'000, "an integer in [1, 60000]");
    out.journal.warmup = s.boolean("warmup", true);
    s.done();
  }
  // -- replay
  {
    auto s = top.child("replay");
    out.replay.quotes = resolve_path(base_dir, s.string("quotes", ""));
    errs.take(parse_speed(s.field("speed"), s.string("speed", "max")),
              out.replay.speed);
    out.replay.repeat = static_cast<uint64_t>(
      s.integer("repeat", 1, 1, 1'000'000, "an integer in [1, 1000000]"));
    out.replay.batch_size = static_cast<size_t>(
      s.integer("batch_size", 0, 0, 1'000'000,
                "an integer in [0, 1000000] (0: sized by the symbol count)"));
    s.done();
  }
  // -- report
  {
    auto s = top.child("report");
    out.report.equity_interval_ms
      = s.integer("equity_interval_ms", 0, 0, INT64_MAX / 2,
                  "an integer >= 0 (0: per timestamp)");
    out.report.periods_per_year = s.number("periods_per_year", 0.0, 0.0, 1e9,
                                           "a number >= 0 (0: estimate)");
    s.done();
  }
  // -- codec
  {
    auto s = top.child("codec");
    out.codec.max_payload_bytes = static_cast<size_t>(s.integer(
      "max_payload_bytes", 4096, 16, 1 << 20, "an integer in [16, 1048576]"));
    out.codec.max_price_micros
      = s.bounded_money("max_price", trading::default_max_price_micros,
                        trading::default_max_price_micros);
    s.done();
  }
  // -- ingress
  {
    auto s = top.child("ingress");
    auto overload = s.string("overload", "queue");
    if (!trading::from_string(overload, out.ingress.overload))
      errs.add(invalid_value(s.field("overload"), "\"" + overload + "\"",
                             "one of: queue, conflate"));
    auto stale = s.string("stale", "trade");
    if (!trading::from_string(stale, out.ingress.stale))
      errs.add(invalid_value(s.field("stale"), "\"" + stale + "\"",
                             "one of: drop, trade"));
    out.ingress.window_quotes = s.integer("window_quotes", 8192, 1, 10'000'000,
                                          "an integer in [1, 10000000]");
    out.ingress.window_bytes
      = s.integer("window_bytes", 4 << 20, 1024, int64_t{1} << 30,
                  "an integer in [1024, 1073741824]");
    out.ingress.segment_bytes
      = s.integer("segment_bytes", 64 << 20, 4096, int64_t{1} << 40,
                  "an integer in [4096, 2^40]");
    out.ingress.log_dir = resolve_path(base_dir, s.string("log_dir", ""));
    auto fsync = s.string("fsync", "interval");
    if (!trading::from_string(fsync, out.ingress.fsync))
      errs.add(invalid_value(s.field("fsync"), "\"" + fsync + "\"",
                             "one of: always, interval, never"));
    out.ingress.fsync_interval_ms = s.integer(
      "fsync_interval_ms", 10, 1, 60'000, "an integer in [1, 60000]");
    out.ingress.read_pause_us = s.integer("read_pause_us", 1000, 0, 100'000,
                                          "microseconds in [0, 100000]");
    s.done();
  }
  // -- router
  {
    auto s = top.child("router");
    out.router.max_symbols = static_cast<uint64_t>(
      s.integer("max_symbols", 1'000'000, 1, 100'000'000,
                "an integer in [1, 100000000]"));
    out.router.max_instances = static_cast<uint64_t>(
      s.integer("max_instances", 4'000'000, 1, 400'000'000,
                "an integer in [1, 400000000]"));
    s.done();
  }
  // -- mqtt
  {
    auto s = top.child("mqtt");
    out.mqtt.broker = s.string("broker", "embedded");
    out.mqtt.client_id = s.string("client_id", "intuition");
    if (out.mqtt.client_id.empty() || out.mqtt.client_id.size() > 20)
      errs.add(invalid_value(s.field("client_id"),
                             "\"" + out.mqtt.client_id + "\"",
                             "1 to 20 characters (MQTT 3.1 limit with "
                             "-in/-out/-sig)"));
    out.mqtt.qos = static_cast<int>(s.integer("qos", 1, 0, 1, "0 or 1"));
    out.mqtt.username = s.string("username", "");
    out.mqtt.password_file
      = resolve_path(base_dir, s.string("password_file", ""));
    out.mqtt.tls_ca = resolve_path(base_dir, s.string("tls_ca", ""));
    out.mqtt.tls_cert = resolve_path(base_dir, s.string("tls_cert", ""));
    out.mqtt.tls_key = resolve_path(base_dir, s.string("tls_key", ""));
    out.mqtt.retry_refused = s.boolean("retry_refused", false);
    out.mqtt.topic_prefix = s.string("topic_prefix", "");
    out.mqtt.max_queued_orders = s.integer(
      "max_queued_orders", 10000, 1, 10'000'000, "an integer in [1, 10000000]");
    if (out.mqtt.topic_prefix.find_first_of("#+") != std::string::npos)
      errs.add(invalid_value(s.field("topic_prefix"),
                             "\"" + out.mqtt.topic_prefix + "\"",
                             "a topic prefix without '#' or '+'"));
    out.mqtt.publish_signals = s.boolean("publish_signals", true);
    out.mqtt.keepalive_s = static_cast<int>(
      s.integer("keepalive_s", 10, 5, 3600, "an integer in [5, 3600]"));
    out.mqtt.reconnect_max_s = static_cast<int>(
      s.integer("reconnect_max_s", 30, 1, 3600, "an integer in [1, 3600]"));
    s.done();
  }
  // -- listen
  if (auto* v = top.find("listen")) {
    if (!v->is_string())
      errs.add(
        invalid_value("listen", v->dump(), "\"off\" or \"[HOST:]PORT\""));
    else
      errs.take(parse_listen("listen", v->get<std::string>()), out.listen);
  }
  // -- metrics
  {
    auto s = top.child("metrics");
    auto port = s.integer("port", -1, 0, 65535, "an integer in [0, 65535]");
    out.metrics.enabled = port >= 0;
    out.metrics.port = static_cast<uint16_t>(port < 0 ? 0 : port);
    out.metrics.bind = s.string("bind", "127.0.0.1");
    if (out.metrics.bind.empty())
      errs.add(invalid_value(s.field("bind"), "\"\"", "an IP address to bind"));
    s.done();
  }
  // -- cluster
  {
    auto s = top.child("cluster");
    if (auto* v = s.find("nodes")) {
      if (!v->is_array())
        errs.add(invalid_value(s.field("nodes"), v->dump(),
                               "a list of \"HOST:PORT\" strings"));
      for (size_t i = 0; v->is_array() && i < v->size(); ++i) {
        auto field = s.field("nodes") + "[" + std::to_string(i) + "]";
        const auto& x = (*v)[i];
        if (!x.is_string()) {
          errs.add(invalid_value(field, x.dump(), "a \"HOST:PORT\" string"));
          continue;
        }
        endpoint at;
        errs.take(parse_endpoint(field, x.get<std::string>()), at);
        out.cluster.nodes.push_back(at);
      }
    }
    out.cluster.local = s.boolean("local", true);
    read_shards(s, base_dir, out.cluster, errs);
    s.done();
  }
  top.done();
  if (!errs)
    check_external_topics(out, errs);
  if (errs)
    return errs.get();
  return out;
}

trading::status apply_node_flags(const node_flags& flags, app_config& cfg) {
  if (flags.listen)
    cfg.listen = *flags.listen;
  cfg.listen.insecure = flags.insecure;
  if (flags.metrics_port) {
    cfg.metrics.enabled = true;
    cfg.metrics.port = *flags.metrics_port;
  }
  for (const auto& node : flags.join) {
    auto at = parse_endpoint("--join", node);
    if (!at)
      return at.error();
    cfg.cluster.nodes.push_back(*at);
  }
  return check_cluster(cfg.cluster);
}

trading::status check_mqtt_credentials(const mqtt_config& cfg) {
  auto quoted = [](const std::string& x) {
    return "\"" + x + "\"";
  };
  if (!cfg.password_file.empty() && cfg.username.empty())
    return invalid_value("--password-file (mqtt.password_file)",
                         quoted(cfg.password_file),
                         "--username (mqtt.username) as well: the password is "
                         "sent only with a user name");
  if (!cfg.tls_cert.empty() && cfg.tls_key.empty())
    return invalid_value("--tls-cert (mqtt.tls_cert)", quoted(cfg.tls_cert),
                         "--tls-key (mqtt.tls_key) as well: the certificate's "
                         "private key");
  if (!cfg.tls_key.empty() && cfg.tls_cert.empty())
    return invalid_value("--tls-key (mqtt.tls_key)", quoted(cfg.tls_key),
                         "--tls-cert (mqtt.tls_cert) as well: the certificate "
                         "of that key");
  if (!cfg.tls_cert.empty() && cfg.tls_ca.empty())
    return invalid_value("--tls-cert (mqtt.tls_cert)", quoted(cfg.tls_cert),
                         "--tls-ca (mqtt.tls_ca) as well: a client certificate "
                         "is presented only over TLS that verifies the broker");
  return {};
}

trading::status check_cluster(const cluster_config& cfg) {
  if (cfg.node_ingress() && cfg.nodes.empty())
    return invalid_value("cluster.ingress", "\"node\"",
                         "\"coordinator\" unless cluster.nodes (or --join) "
                         "names at least one node (shards need owners)");
  if (!cfg.local && cfg.nodes.empty())
    return invalid_value("cluster.local", "false",
                         "true unless cluster.nodes (or --join) names at least "
                         "one node (algorithm actors need somewhere to run)");
  return {};
}

std::string endpoint::to_string() const {
  if (host.find(':') != std::string::npos)
    return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

bool endpoint::loopback() const {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

result<endpoint> parse_endpoint(const std::string& field,
                                const std::string& text, bool allow_zero) {
  const char* expected = allow_zero ? "\"[HOST:]PORT\" with PORT in [0, 65535]"
                                    : "\"[HOST:]PORT\" with PORT in [1, 65535]";
  endpoint out;
  std::string port = text;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size()
        || text[close + 1] != ':')
      return invalid_value(field, "\"" + text + "\"", expected);
    out.host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else if (auto colon = text.rfind(':'); colon != std::string::npos) {
    out.host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  uint64_t n = 0;
  auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), n);
  if (out.host.empty() || port.empty() || ec != std::errc{}
      || ptr != port.data() + port.size() || (n < 1 && !allow_zero)
      || n > 65535)
    return invalid_value(field, "\"" + text + "\"", expected);
  out.port = static_cast<uint16_t>(n);
  return out;
}

result<listen_config> parse_listen(const std::string& field,
                                   const std::string& text) {
  listen_config out;
  out.specified = true;
  if (text == "off")
    return out;
  auto at = parse_endpoint(field, text, true);
  if (!at)
    return invalid_value(field, "\"" + text + "\"",
                         "\"off\" or \"[HOST:]PORT\" with PORT in [0, 65535] "
                         "(0: a free port)");
  out.at = *at;
  out.enabled = true;
  return out;
}

result<strategy_config> parse_strategy(const std::string& text) {
  auto parsed = parse_json_text(text);
  if (!parsed)
    return std::move(parsed).error();
  auto doc = std::move(*parsed);
  first_failure errs;
  if (!doc.is_object())
    return invalid_value("(top level)", doc.dump(), "a strategy object");
  section s{doc, "", errs};
  std::set<std::string> names;
  auto out = read_strategy(s, names, errs);
  if (errs)
    return errs.get();
  return out;
}

namespace {

/// The whole text of a configuration file, or "cannot read PATH".
result<std::string> read_text(const std::string& path) {
  std::ifstream in{path};
  if (!in)
    return trading::invalid_request("cannot read " + path);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

} // namespace

result<strategy_config> load_strategy(const std::string& path) {
  auto text = read_text(path);
  if (!text)
    return std::move(text).error();
  auto out = parse_strategy(*text);
  if (!out)
    return std::move(out).error().within("strategy " + path);
  return out;
}

result<app_config> load_config(const std::string& path) {
  auto text = read_text(path);
  if (!text)
    return std::move(text).error();
  auto slash = path.find_last_of('/');
  auto dir
    = slash == std::string::npos ? std::string{"."} : path.substr(0, slash);
  auto out = parse_config(*text, dir);
  if (out)
    out->source_path = path;
  return out;
}

} // namespace intuition::runtime
