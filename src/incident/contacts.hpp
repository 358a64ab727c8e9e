// Who is responsible for an address (MISSION.md I4) and the grouping of a report's addresses into one
// notification per responsible party (I5: one message per party carrying all its addresses, not one per
// address).
//
// A ContactDirectory answers from what is already known, in this order, and says which source answered:
//   1. the local constituency table (prefix → organisation, contacts, OpenPGP key, policy), most specific
//      prefix first;
//   2. for an address outside the home country, the partner national CSIRT of its country;
//   3. cached registry answers (whois / RDAP), each covering the whole range the registry named, until it
//      expires.
// Addresses no source covers are returned as unresolved so the caller can ask a registry (network I/O
// stays outside this pure code) and add the answer.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/clock.hpp"
#include "incident/address.hpp"
#include "incident/indicators.hpp"
#include "incident/whois.hpp"

namespace kizuna::incident {

struct Party {
    std::string key;           // stable identity for grouping: "org:<id>", "csirt:<country>", "mail:<address>"
    std::string organization;
    std::vector<std::string> emails;
    std::string openpgp_fingerprint;  // empty: no key, the notification goes signed but not encrypted
    std::string country;
};

enum class ContactSource { kConstituency, kPartnerCsirt, kRdap, kWhois };
std::string_view Name(ContactSource s);  // "constituency", "partner_csirt", "rdap", "whois"

struct Resolution {
    Party party;
    ContactSource source = ContactSource::kConstituency;
    std::string detail;  // the prefix or range that matched, the registry that answered
};

// Longest-prefix match over IPv4 and IPv6 prefixes: one hash probe per prefix length present.
class PrefixTable {
  public:
    void Add(const IpPrefix& prefix, std::uint32_t value);
    std::optional<std::uint32_t> Lookup(const IpAddress& ip) const;
    std::size_t size() const { return size_; }

  private:
    // Per length, masked network → value. IPv4 keys are the 32-bit address; IPv6 keys the 128 bits.
    std::vector<std::unordered_map<std::uint32_t, std::uint32_t>> v4_ = std::vector<std::unordered_map<std::uint32_t, std::uint32_t>>(33);
    std::vector<std::unordered_map<std::string, std::uint32_t>> v6_ = std::vector<std::unordered_map<std::string, std::uint32_t>>(129);
    std::vector<int> v4_lengths_, v6_lengths_;  // lengths in use, longest first
    std::size_t size_ = 0;
};

class ContactDirectory {
  public:
    explicit ContactDirectory(std::string home_country = "JP") : home_country_(std::move(home_country)) {}

    void AddConstituency(const IpPrefix& prefix, Party party);
    void AddPartnerCsirt(std::string country, Party party);
    // A registry answer, usable until `expires`. Answers without a range are ignored.
    void AddRegistryAnswer(const NetworkRecord& record, ContactSource source, core::WallTime expires);

    std::optional<Resolution> Resolve(const IpAddress& ip, core::WallTime now) const;

  private:
    struct CachedRange {
        IpAddress first, last;
        NetworkRecord record;
        ContactSource source;
        core::WallTime expires;
    };
    const CachedRange* FindCached(const IpAddress& ip, core::WallTime now) const;

    std::string home_country_;
    PrefixTable constituency_index_;
    std::vector<std::pair<IpPrefix, Party>> constituency_;
    std::unordered_map<std::string, Party> partners_;  // country → national CSIRT
    // By first address (IPv4 before IPv6). A lookup walks back from the address over at most
    // kCacheWalk ranges, so a covering range hidden behind more than that many smaller ones is not found
    // (and is asked again, which is correct, only slower).
    static constexpr int kCacheWalk = 64;
    std::map<std::pair<bool, std::array<std::uint8_t, 16>>, CachedRange> cache_;
};

struct AddressEvidence {
    std::string address;
    std::uint64_t count = 0;
    std::optional<core::WallTime> first_seen, last_seen;
};

struct PartyGroup {
    Resolution resolution;
    std::vector<AddressEvidence> addresses;
};

struct Grouping {
    std::vector<PartyGroup> groups;            // in order of first appearance of their first address
    std::vector<std::string> unresolved;       // public addresses nobody answers for yet
    std::vector<std::string> not_notified;     // private, documentation and reserved addresses
};

// Groups every address of `indicators` by the party responsible for it.
Grouping GroupByParty(const Extraction& indicators, const ContactDirectory& directory, core::WallTime now);

}  // namespace kizuna::incident
