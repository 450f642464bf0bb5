#include "trading/quote_filter.hpp"

#include <algorithm>
#include <new>
#include <utility>

#include <sys/mman.h>

namespace intuition::trading {

std::string_view to_string(stale_policy x) noexcept {
  return x == stale_policy::drop ? "drop" : "trade";
}

bool from_string(std::string_view str, stale_policy& x) noexcept {
  if (str == "drop")
    x = stale_policy::drop;
  else if (str == "trade")
    x = stale_policy::trade;
  else
    return false;
  return true;
}

std::string_view to_string(overload_policy x) noexcept {
  return x == overload_policy::queue ? "queue" : "conflate";
}

bool from_string(std::string_view str, overload_policy& x) noexcept {
  if (str == "queue")
    x = overload_policy::queue;
  else if (str == "conflate")
    x = overload_policy::conflate;
  else
    return false;
  return true;
}

uint64_t quote_filter::key(const std::string& symbol, int64_t ts_ms) noexcept {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : symbol) {
    h ^= c;
    h *= 1099511628211ull;
  }
  h ^= static_cast<uint64_t>(ts_ms) + 0x9e3779b97f4a7c15ull + (h << 6)
       + (h >> 2);
  h ^= h >> 31;
  h *= 0xbf58476d1ce4e5b9ull;
  h ^= h >> 29;
  return h;
}

recent_keys::recent_keys(size_t capacity)
    : capacity_(std::max<size_t>(capacity, 1)) {
  // nop: the tables are made by the first `add`
}

recent_keys::zero_pages::zero_pages(size_t words)
    : bytes_(words * sizeof(uint64_t)) {
  // Anonymous private pages are zero by definition and backed lazily.
  auto p = mmap(nullptr, bytes_, PROT_READ | PROT_WRITE,
                MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED)
    throw std::bad_alloc{};
  words_ = static_cast<uint64_t*>(p);
}

recent_keys::zero_pages::zero_pages(zero_pages&& other) noexcept
    : words_(std::exchange(other.words_, nullptr)),
      bytes_(std::exchange(other.bytes_, 0)) {
  // nop
}

recent_keys::zero_pages&
recent_keys::zero_pages::operator=(zero_pages&& other) noexcept {
  if (this != &other) {
    zero_pages old{std::move(*this)};
    words_ = std::exchange(other.words_, nullptr);
    bytes_ = std::exchange(other.bytes_, 0);
  }
  return *this;
}

recent_keys::zero_pages::~zero_pages() {
  if (words_ != nullptr)
    munmap(words_, bytes_);
}

namespace {

/// At most half full: probes stay short.
size_t slot_count(size_t capacity) noexcept {
  size_t slots = 2;
  while (slots < 2 * capacity)
    slots *= 2;
  return slots;
}

} // namespace

size_t recent_keys::table_bytes() const noexcept {
  return (slot_count(capacity_) + capacity_) * sizeof(uint64_t);
}

void recent_keys::allocate() {
  auto slots = slot_count(capacity_);
  slots_ = zero_pages{slots};
  mask_ = slots - 1;
  ring_ = zero_pages{capacity_};
}

size_t recent_keys::home(uint64_t k) const noexcept {
  // The keys are fingerprints already; mix once more so that any key set
  // spreads.
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccdull;
  k ^= k >> 33;
  return static_cast<size_t>(k) & mask_;
}

size_t recent_keys::find(uint64_t k) const noexcept {
  auto i = home(k);
  while (slots_[i] != 0 && slots_[i] != k)
    i = (i + 1) & mask_;
  return i;
}

bool recent_keys::contains(uint64_t k) const noexcept {
  return slots_ && slots_[find(stored(k))] != 0;
}

void recent_keys::add(uint64_t k) {
  if (!slots_)
    allocate();
  k = stored(k);
  auto i = find(k);
  if (slots_[i] != 0)
    return;
  if (size_ == capacity_) {
    // Full: the oldest key leaves the ring and the table.
    erase(ring_[head_]);
    head_ = (head_ + 1) % capacity_;
    --size_;
    i = find(k);
  }
  slots_[i] = k;
  ring_[(head_ + size_) % capacity_] = k;
  ++size_;
}

void recent_keys::erase(uint64_t k) noexcept {
  auto i = find(k);
  if (slots_[i] == 0)
    return;
  // Backward shift: move later entries of the probe run into the hole when
  // their home does not lie in (hole, entry].
  auto j = i;
  for (;;) {
    j = (j + 1) & mask_;
    if (slots_[j] == 0)
      break;
    auto h = home(slots_[j]);
    auto between = i <= j ? (i < h && h <= j) : (i < h || h <= j);
    if (!between) {
      slots_[i] = slots_[j];
      i = j;
    }
  }
  slots_[i] = 0;
}

void recent_keys::clear() noexcept {
  slots_ = zero_pages{};
  ring_ = zero_pages{};
  mask_ = 0;
  head_ = 0;
  size_ = 0;
}

filter_verdict quote_filter::check(const quote& q) {
  auto k = key(q.symbol, q.ts_ms);
  auto [i, added] = last_ts_.try_emplace(q.symbol, q.ts_ms);
  // Every remembered (symbol, ts) is at most its symbol's newest ts: a
  // quote newer than that (nearly every quote) needs no search.
  if (!added) {
    if (q.ts_ms == i->second)
      return filter_verdict::duplicate;
    if (q.ts_ms < i->second) {
      if (recent_.contains(k))
        return filter_verdict::duplicate;
      if (policy_ == stale_policy::drop)
        return filter_verdict::stale;
    }
    i->second = std::max(i->second, q.ts_ms);
  }
  recent_.add(k);
  return filter_verdict::accept;
}

void quote_filter::remember(const std::string& symbol, int64_t ts_ms) {
  auto [i, added] = last_ts_.try_emplace(symbol, ts_ms);
  if (!added)
    i->second = std::max(i->second, ts_ms);
  recent_.add(key(symbol, ts_ms));
}

} // namespace intuition::trading
