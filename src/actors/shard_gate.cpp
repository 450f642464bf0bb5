#include "actors/shard_gate.hpp"

namespace intuition::actors {

shard_gate::shard_gate(submit_fn submit, lost_fn lost,
                       std::shared_ptr<shard_gate_counters> totals)
    : submit_(std::move(submit)), lost_(std::move(lost)),
      totals_(std::move(totals)) {
  // nop
}

void shard_gate::lost(const std::string& why) {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    closed_ = true;
    cv_.notify_all();
    if (lost_told_)
      return;
    lost_told_ = true;
  }
  if (lost_)
    lost_(why);
}

bool shard_gate::pass(std::vector<trading::quote> quotes,
                      std::chrono::milliseconds timeout) {
  auto n = static_cast<uint64_t>(quotes.size());
  uint64_t ticket = 0;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    if (closed_) {
      counters_.unconfirmed += n;
      if (totals_)
        totals_->unconfirmed += n;
      return false;
    }
    ticket = ++next_ticket_;
    waiting_ = ticket;
    waiting_quotes_ = n;
  }
  counters_.received += n;
  if (totals_)
    totals_->received += n;
  submit_(std::move(quotes), ticket);
  std::unique_lock<std::mutex> guard{mtx_};
  cv_.wait_for(guard, timeout, [&] { return closed_ || settled_ == ticket; });
  auto ok = settled_ == ticket && settled_ok_;
  waiting_ = 0;
  waiting_quotes_ = 0;
  auto& where = ok ? counters_.confirmed : counters_.unconfirmed;
  where += n;
  if (totals_)
    (ok ? totals_->confirmed : totals_->unconfirmed) += n;
  return ok;
}

void shard_gate::settle(uint64_t ticket, bool ok) {
  std::lock_guard<std::mutex> guard{mtx_};
  if (ticket != waiting_)
    return; // the thread gave up on it already
  settled_ = ticket;
  settled_ok_ = ok;
  cv_.notify_all();
}

void shard_gate::close() {
  std::lock_guard<std::mutex> guard{mtx_};
  closed_ = true;
  cv_.notify_all();
}

bool shard_gate::closed() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return closed_;
}

uint64_t shard_gate::in_flight() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return waiting_quotes_;
}

} // namespace intuition::actors
