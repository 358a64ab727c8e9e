// StoreListener: hears of what the event store made durable. The collector's StoreSink (sensors and IPFIX)
// calls it after each write; the ClickHouse forwarder implements it. Kept in storage/ so a storage backend
// does not depend on the collector.
#pragma once

#include <cstdint>
#include <mutex>
#include <span>
#include <string_view>

#include "observe/capture/scan_event.hpp"

namespace kizuna::observe {

// Told about every batch and uptime span the store made durable (the ClickHouse forwarder). StoreSink holds
// order_mutex() across the store's write and the notification, so the listener sees writes in store order
// and can take a consistent cut (hold the mutex while it snapshots the store). The notifications must not
// block: the collector acknowledges after they return.
class StoreListener {
  public:
    virtual ~StoreListener() = default;
    virtual std::mutex& order_mutex() = 0;
    virtual void BatchStored(std::string_view sensor, std::uint64_t sequence, std::span<const ScanEvent> events) = 0;
    virtual void UptimeStored(std::string_view sensor, PacketTime from, PacketTime to) = 0;
};

}  // namespace kizuna::observe
