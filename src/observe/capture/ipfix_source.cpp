#include "observe/capture/ipfix_source.hpp"

namespace kizuna::observe {

core::Result<IpfixMessageInfo> IpfixSource::Feed(std::span<const std::uint8_t> message) {
    if (next_ == queued_.size()) {  // drained: reuse the buffer
        queued_.clear();
        next_ = 0;
    }
    const std::size_t before = queued_.size();
    auto info = session_.Parse(message, queued_);
    if (!info.ok()) {
        queued_.resize(before);  // nothing of a rejected message
        counters_.Increment("ipfix_malformed_message");
        return info.error();
    }
    records_ += info->data_records;
    return info;
}

core::Result<std::optional<ScanEvent>> IpfixSource::Next() {
    if (next_ == queued_.size()) return std::optional<ScanEvent>();
    return std::optional<ScanEvent>(queued_[next_++]);
}

}  // namespace kizuna::observe
