// What a registry says about an address (MISSION.md I4): the network's range, holder and abuse contacts,
// read from a whois answer (RFC 3912; RPSL from RIPE/APNIC/AFRINIC/LACNIC, ARIN's format, JPNIC's and
// KRNIC's gateways) or an RDAP answer (RFC 9083, abuse entities including nested ones).
//
// Contacts come best first: the registry's stated abuse contact ("% Abuse contact for … is …",
// abuse-mailbox, OrgAbuseEmail, the abuse-c object), then the irt object, then addresses that remarks name
// for abuse, then technical contacts. The obsolete notify: and changed: fields are never read.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "incident/address.hpp"

namespace kizuna::incident {

struct AbuseContact {
    std::string email;   // lower case
    std::string kind;    // "abuse", "irt", "remarks", "contact" (a NIR's network contact), "tech"
    std::string handle;  // the object it came from, when known ("RYT2", "ZG39-ARIN")
    std::string name;
};

struct NetworkRecord {
    // The most specific range of the answer that contains the query (whole networks are cached by it).
    std::optional<IpAddress> first, last;
    std::string network_name;
    std::string organization;
    std::string country;   // ISO 3166 alpha-2 as the registry wrote it
    std::string registry;  // "RIPE", "ARIN", "APNIC", "LACNIC", "AFRINIC", "JPNIC", "KRNIC" or ""
    std::vector<AbuseContact> contacts;            // best first, no duplicate address
    std::vector<std::string> unresolved_handles;   // abuse-c/admin-c handles named but not in the answer
    std::string referral;  // a whois server to ask next (IANA refer:, ARIN ReferralServer:, a NIR)

    bool Covers(const IpAddress& ip) const;
};

// REQUIRES: nothing; any text is accepted. An answer without any network range is an error naming it
// ("no network range in the answer"), as is one the registry marks as "no match".
core::Result<NetworkRecord> ParseWhois(std::string_view answer, const IpAddress& query);
core::Result<NetworkRecord> ParseRdap(std::string_view json, const IpAddress& query);

}  // namespace kizuna::incident
