// IP addresses and prefixes as incident handling needs them: parsed from text, printed in one canonical
// form (IPv6 compressed per RFC 5952), and sorted into scopes so that documentation, private and reserved
// addresses are flagged and never notified (MISSION.md I3).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kizuna::incident {

// Where an address lives. Only kPublic addresses have someone to notify.
enum class AddressScope {
    kPublic,
    kPrivate,        // RFC 1918, RFC 4193 unique local (fc00::/7)
    kDocumentation,  // RFC 5737 (192.0.2/24, 198.51.100/24, 203.0.113/24), RFC 3849 (2001:db8::/32), RFC 9637
    kReserved,       // loopback, link-local, shared (100.64/10), multicast, unspecified, 240/4, benchmarking…
};
std::string_view Name(AddressScope scope);

// An IPv4 or IPv6 address (IPv4 in the first 4 bytes when !v6).
struct IpAddress {
    bool v6 = false;
    std::array<std::uint8_t, 16> bytes{};

    std::string ToString() const;
    AddressScope Scope() const;
    friend bool operator==(const IpAddress&, const IpAddress&) = default;
};

// Strict dotted quad ("192.0.2.1"; no leading zeros beyond "0", no shorthand forms).
std::optional<IpAddress> ParseIpv4(std::string_view text);
// RFC 4291 text forms including "::" and an embedded IPv4 tail; no zone id.
std::optional<IpAddress> ParseIpv6(std::string_view text);
std::optional<IpAddress> ParseIp(std::string_view text);

// "192.0.2.0/24", "2001:db8::/32": an address with a prefix length in range. The address is kept as
// written when host bits are set; Network() clears them.
struct IpPrefix {
    IpAddress address;
    int length = 0;

    IpAddress Network() const;
    bool Contains(const IpAddress& ip) const;
    std::string ToString() const;  // network address / length
};
std::optional<IpPrefix> ParsePrefix(std::string_view text);

}  // namespace kizuna::incident
