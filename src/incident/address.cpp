#include "incident/address.hpp"

#include <arpa/inet.h>

#include <cstring>

namespace kizuna::incident {
namespace {

struct ScopeRange {
    std::array<std::uint8_t, 16> prefix;
    int length;
    AddressScope scope;
};

// Ordered most specific first where ranges nest (none do today, but keep the rule).
constexpr ScopeRange kV4Ranges[] = {
    {{10}, 8, AddressScope::kPrivate},
    {{172, 16}, 12, AddressScope::kPrivate},
    {{192, 168}, 16, AddressScope::kPrivate},
    {{192, 0, 2}, 24, AddressScope::kDocumentation},
    {{198, 51, 100}, 24, AddressScope::kDocumentation},
    {{203, 0, 113}, 24, AddressScope::kDocumentation},
    {{0}, 8, AddressScope::kReserved},           // "this network"
    {{127}, 8, AddressScope::kReserved},         // loopback
    {{169, 254}, 16, AddressScope::kReserved},   // link-local
    {{100, 64}, 10, AddressScope::kReserved},    // shared address space (CGN)
    {{192, 0, 0}, 24, AddressScope::kReserved},  // IETF protocol assignments
    {{198, 18}, 15, AddressScope::kReserved},    // benchmarking
    {{224}, 4, AddressScope::kReserved},         // multicast
    {{240}, 4, AddressScope::kReserved},         // future use and broadcast
};

constexpr ScopeRange kV6Ranges[] = {
    {{0x20, 0x01, 0x0d, 0xb8}, 32, AddressScope::kDocumentation},
    {{0x3f, 0xff}, 20, AddressScope::kDocumentation},  // RFC 9637
    {{0xfc}, 7, AddressScope::kPrivate},
    {{}, 128, AddressScope::kReserved},                     // ::
    {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 128, AddressScope::kReserved},  // ::1
    {{0xfe, 0x80}, 10, AddressScope::kReserved},            // link-local
    {{0xff}, 8, AddressScope::kReserved},                   // multicast
    {{0x01, 0x00, 0, 0, 0, 0, 0, 0}, 64, AddressScope::kReserved},  // discard-only
    {{0x20, 0x01, 0x00, 0x02, 0x00, 0x00}, 48, AddressScope::kReserved},  // benchmarking
};

bool PrefixMatch(const std::uint8_t* bytes, const std::array<std::uint8_t, 16>& prefix, int length) {
    const int whole = length / 8;
    if (std::memcmp(bytes, prefix.data(), static_cast<std::size_t>(whole)) != 0) return false;
    const int rest = length % 8;
    if (rest == 0) return true;
    const std::uint8_t mask = static_cast<std::uint8_t>(0xff << (8 - rest));
    return (bytes[whole] & mask) == (prefix[static_cast<std::size_t>(whole)] & mask);
}

bool IsV4Mapped(const IpAddress& ip) {
    static constexpr std::uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    return ip.v6 && std::memcmp(ip.bytes.data(), kMapped, 12) == 0;
}

}  // namespace

std::string_view Name(AddressScope scope) {
    switch (scope) {
        case AddressScope::kPublic: return "public";
        case AddressScope::kPrivate: return "private";
        case AddressScope::kDocumentation: return "documentation";
        case AddressScope::kReserved: return "reserved";
    }
    return "reserved";
}

std::string IpAddress::ToString() const {
    char buffer[INET6_ADDRSTRLEN] = {};
    inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), buffer, sizeof buffer);
    return buffer;
}

AddressScope IpAddress::Scope() const {
    if (IsV4Mapped(*this)) {
        IpAddress v4;
        std::memcpy(v4.bytes.data(), bytes.data() + 12, 4);
        return v4.Scope();
    }
    if (!v6) {
        for (const auto& range : kV4Ranges)
            if (PrefixMatch(bytes.data(), range.prefix, range.length)) return range.scope;
        return AddressScope::kPublic;
    }
    for (const auto& range : kV6Ranges)
        if (PrefixMatch(bytes.data(), range.prefix, range.length)) return range.scope;
    // Only global unicast (2000::/3) is routed on the Internet today.
    if ((bytes[0] & 0xe0) != 0x20) return AddressScope::kReserved;
    return AddressScope::kPublic;
}

std::optional<IpAddress> ParseIpv4(std::string_view text) {
    IpAddress ip;
    std::size_t pos = 0;
    for (int octet = 0; octet < 4; ++octet) {
        if (octet > 0) {
            if (pos >= text.size() || text[pos] != '.') return std::nullopt;
            ++pos;
        }
        const std::size_t start = pos;
        unsigned value = 0;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9' && pos - start < 3) {
            value = value * 10 + static_cast<unsigned>(text[pos] - '0');
            ++pos;
        }
        const std::size_t digits = pos - start;
        if (digits == 0 || value > 255 || (digits > 1 && text[start] == '0')) return std::nullopt;
        ip.bytes[static_cast<std::size_t>(octet)] = static_cast<std::uint8_t>(value);
    }
    if (pos != text.size()) return std::nullopt;
    return ip;
}

std::optional<IpAddress> ParseIpv6(std::string_view text) {
    if (text.size() < 2 || text.size() > 45 || text.find(':') == std::string_view::npos) return std::nullopt;
    char buffer[46];
    std::memcpy(buffer, text.data(), text.size());
    buffer[text.size()] = '\0';
    IpAddress ip;
    ip.v6 = true;
    if (inet_pton(AF_INET6, buffer, ip.bytes.data()) != 1) return std::nullopt;
    return ip;
}

std::optional<IpAddress> ParseIp(std::string_view text) {
    if (text.find(':') != std::string_view::npos) return ParseIpv6(text);
    return ParseIpv4(text);
}

IpAddress IpPrefix::Network() const {
    IpAddress out = address;
    const int total = address.v6 ? 128 : 32;
    for (int bit = length; bit < total; ++bit)
        out.bytes[static_cast<std::size_t>(bit / 8)] &= static_cast<std::uint8_t>(~(0x80 >> (bit % 8)));
    return out;
}

bool IpPrefix::Contains(const IpAddress& ip) const {
    if (ip.v6 != address.v6) return false;
    std::array<std::uint8_t, 16> network = Network().bytes;
    return PrefixMatch(ip.bytes.data(), network, length);
}

std::string IpPrefix::ToString() const { return Network().ToString() + "/" + std::to_string(length); }

std::optional<IpPrefix> ParsePrefix(std::string_view text) {
    const auto slash = text.find('/');
    if (slash == std::string_view::npos) return std::nullopt;
    auto ip = ParseIp(text.substr(0, slash));
    if (!ip) return std::nullopt;
    std::string_view digits = text.substr(slash + 1);
    if (digits.empty() || digits.size() > 3) return std::nullopt;
    int length = 0;
    for (char c : digits) {
        if (c < '0' || c > '9') return std::nullopt;
        length = length * 10 + (c - '0');
    }
    if (digits.size() > 1 && digits[0] == '0') return std::nullopt;
    if (length > (ip->v6 ? 128 : 32)) return std::nullopt;
    return IpPrefix{*ip, length};
}

}  // namespace kizuna::incident
