#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <utility>

/// Which copies of journaled orders the MQTT client still holds unconfirmed.
namespace intuition::trading {

/// The copies of orders handed to the MQTT client and not yet acknowledged
/// by the broker, and which order an acknowledgement confirms.
///
/// MQTT packet ids are 16 bits and libmosquitto hands them out in turn,
/// wrapping after 65,535 without checking whether an id is still in use: in a
/// long run an id comes back, possibly while an older copy still holds it.
/// So each copy is kept under a send number of its own, which never wraps,
/// and the packet id only finds the copy an acknowledgement retires: the
/// oldest one holding it. That is the copy libmosquitto itself removes from
/// its queue for that acknowledgement (the first match in publish order), so
/// this ledger and the client never disagree about what is still out.
///
/// Copies sent before the latest `reconnected()` still take their
/// acknowledgement (libmosquitto sends them again on the new connection) but
/// confirm nothing: after a reconnect every unconfirmed order is sent again,
/// and that copy confirms it.
class in_flight_orders {
public:
  /// Records a copy of order `seq` handed to the client with packet id `mid`.
  void sent(uint64_t seq, int mid);

  /// Retires the oldest copy holding packet id `mid`. Returns the seq of its
  /// order when that copy went out on the current connection; nothing for a
  /// copy sent before the last reconnect or an id that no copy holds.
  std::optional<uint64_t> acknowledged(int mid);

  /// A new connection: copies sent so far confirm nothing any more.
  void reconnected() noexcept;

  /// Copies sent on the current connection and not acknowledged yet.
  size_t awaiting() const noexcept {
    return awaiting_;
  }

  /// Every copy not acknowledged yet, older connections' included.
  size_t size() const noexcept {
    return copies_.size();
  }

private:
  struct copy {
    uint64_t seq;
    uint64_t connection;
  };

  /// By (packet id, send number): an id's first entry is its oldest copy.
  std::map<std::pair<int, uint64_t>, copy> copies_;
  uint64_t sends_ = 0;
  uint64_t connection_ = 0;
  size_t awaiting_ = 0;
};

} // namespace intuition::trading
