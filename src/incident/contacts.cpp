#include "incident/contacts.hpp"

#include <algorithm>
#include <cstring>

namespace kizuna::incident {
namespace {

std::uint32_t V4(const IpAddress& ip) {
    return (std::uint32_t{ip.bytes[0]} << 24) | (std::uint32_t{ip.bytes[1]} << 16) | (std::uint32_t{ip.bytes[2]} << 8) |
           ip.bytes[3];
}

std::uint32_t MaskV4(std::uint32_t address, int length) {
    return length == 0 ? 0 : address & (0xffffffffu << (32 - length));
}

std::string MaskV6(const IpAddress& ip, int length) {
    std::string key(reinterpret_cast<const char*>(ip.bytes.data()), 16);
    for (int bit = length; bit < 128; ++bit)
        key[static_cast<std::size_t>(bit / 8)] =
            static_cast<char>(static_cast<std::uint8_t>(key[static_cast<std::size_t>(bit / 8)]) & ~(0x80 >> (bit % 8)));
    return key;
}

bool LessEq(const IpAddress& a, const IpAddress& b) { return std::memcmp(a.bytes.data(), b.bytes.data(), 16) <= 0; }

// Width of a range, compared byte-wise (for "most specific").
std::array<std::uint8_t, 16> Width(const IpAddress& first, const IpAddress& last) {
    std::array<std::uint8_t, 16> out{};
    int borrow = 0;
    for (int i = 15; i >= 0; --i) {
        const auto k = static_cast<std::size_t>(i);
        int v = last.bytes[k] - first.bytes[k] - borrow;
        borrow = v < 0;
        out[k] = static_cast<std::uint8_t>(v + (borrow ? 256 : 0));
    }
    return out;
}

// Abuse, irt and remark contacts are for notifications; a bare technical contact only when nothing else.
std::vector<std::string> NotificationEmails(const NetworkRecord& record) {
    std::vector<std::string> out;
    for (const auto& c : record.contacts)
        if (c.kind != "tech") out.push_back(c.email);
    if (out.empty())
        for (const auto& c : record.contacts) out.push_back(c.email);
    if (out.size() > 1) out.resize(1);  // the best one: several abuse desks of one network are one party
    return out;
}

}  // namespace

std::string_view Name(ContactSource s) {
    switch (s) {
        case ContactSource::kConstituency: return "constituency";
        case ContactSource::kPartnerCsirt: return "partner_csirt";
        case ContactSource::kRdap: return "rdap";
        case ContactSource::kWhois: return "whois";
    }
    return "whois";
}

void PrefixTable::Add(const IpPrefix& prefix, std::uint32_t value) {
    const IpAddress network = prefix.Network();
    if (!network.v6) {
        v4_[static_cast<std::size_t>(prefix.length)][MaskV4(V4(network), prefix.length)] = value;
        if (std::find(v4_lengths_.begin(), v4_lengths_.end(), prefix.length) == v4_lengths_.end()) {
            v4_lengths_.push_back(prefix.length);
            std::sort(v4_lengths_.rbegin(), v4_lengths_.rend());
        }
    } else {
        v6_[static_cast<std::size_t>(prefix.length)][MaskV6(network, prefix.length)] = value;
        if (std::find(v6_lengths_.begin(), v6_lengths_.end(), prefix.length) == v6_lengths_.end()) {
            v6_lengths_.push_back(prefix.length);
            std::sort(v6_lengths_.rbegin(), v6_lengths_.rend());
        }
    }
    ++size_;
}

std::optional<std::uint32_t> PrefixTable::Lookup(const IpAddress& ip) const {
    if (!ip.v6) {
        const std::uint32_t address = V4(ip);
        for (int length : v4_lengths_) {
            const auto& table = v4_[static_cast<std::size_t>(length)];
            if (auto it = table.find(MaskV4(address, length)); it != table.end()) return it->second;
        }
        return std::nullopt;
    }
    for (int length : v6_lengths_) {
        const auto& table = v6_[static_cast<std::size_t>(length)];
        if (auto it = table.find(MaskV6(ip, length)); it != table.end()) return it->second;
    }
    return std::nullopt;
}

void ContactDirectory::AddConstituency(const IpPrefix& prefix, Party party) {
    constituency_index_.Add(prefix, static_cast<std::uint32_t>(constituency_.size()));
    constituency_.emplace_back(prefix, std::move(party));
}

void ContactDirectory::AddPartnerCsirt(std::string country, Party party) {
    partners_[std::move(country)] = std::move(party);
}

void ContactDirectory::AddRegistryAnswer(const NetworkRecord& record, ContactSource source, core::WallTime expires) {
    if (!record.first || !record.last) return;
    cache_[{record.first->v6, record.first->bytes}] = CachedRange{*record.first, *record.last, record, source, expires};
}

const ContactDirectory::CachedRange* ContactDirectory::FindCached(const IpAddress& ip, core::WallTime now) const {
    auto it = cache_.upper_bound({ip.v6, ip.bytes});
    const CachedRange* best = nullptr;
    for (int steps = 0; it != cache_.begin() && steps < kCacheWalk; ++steps) {
        --it;
        const CachedRange& r = it->second;
        if (r.first.v6 != ip.v6) break;
        if (now >= r.expires || !LessEq(ip, r.last)) continue;
        if (!best || Width(r.first, r.last) < Width(best->first, best->last)) best = &r;
    }
    return best;
}

std::optional<Resolution> ContactDirectory::Resolve(const IpAddress& ip, core::WallTime now) const {
    if (auto index = constituency_index_.Lookup(ip)) {
        const auto& [prefix, party] = constituency_[*index];
        return Resolution{party, ContactSource::kConstituency, prefix.ToString()};
    }
    const CachedRange* cached = FindCached(ip, now);
    if (cached && !cached->record.country.empty() && cached->record.country != home_country_) {
        if (auto it = partners_.find(cached->record.country); it != partners_.end())
            return Resolution{it->second, ContactSource::kPartnerCsirt, cached->record.country};
    }
    if (!cached || cached->record.contacts.empty()) return std::nullopt;
    Party party;
    party.emails = NotificationEmails(cached->record);
    party.key = "mail:" + party.emails.front();
    party.organization = cached->record.organization;
    party.country = cached->record.country;
    std::string detail = cached->first.ToString() + " - " + cached->last.ToString();
    if (!cached->record.registry.empty()) detail += " (" + cached->record.registry + ")";
    return Resolution{std::move(party), cached->source, std::move(detail)};
}

Grouping GroupByParty(const Extraction& indicators, const ContactDirectory& directory, core::WallTime now) {
    Grouping out;
    std::unordered_map<std::string, std::size_t> group_of;
    for (const auto& indicator : indicators.indicators) {
        if (indicator.kind != IndicatorKind::kIpv4 && indicator.kind != IndicatorKind::kIpv6) continue;
        if (!indicator.Notifiable()) {
            out.not_notified.push_back(indicator.value);
            continue;
        }
        auto ip = ParseIp(indicator.value);
        if (!ip) continue;
        auto resolution = directory.Resolve(*ip, now);
        if (!resolution) {
            out.unresolved.push_back(indicator.value);
            continue;
        }
        auto [it, created] = group_of.try_emplace(resolution->party.key, out.groups.size());
        if (created) out.groups.push_back(PartyGroup{std::move(*resolution), {}});
        out.groups[it->second].addresses.push_back(
            AddressEvidence{indicator.value, indicator.count, indicator.first_seen, indicator.last_seen});
    }
    return out;
}

}  // namespace kizuna::incident
