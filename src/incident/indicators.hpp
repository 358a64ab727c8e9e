// Indicator extraction (MISSION.md I3; seed 002): the addresses, prefixes, URLs, domains, e-mail
// addresses, targeted ports and timestamps in a report's body and its attachments (text logs, CSV, syslog,
// iptables/pf/Windows firewall lines). Defanged forms (hxxp, [.], (dot), [@]) are restored and marked;
// documentation, private and reserved addresses are kept but flagged so they are never notified.
//
// One pass over the bytes, no regular expressions: a report of 100 MB or with thousands of addresses is
// extracted at least as fast as `grep -oE` finds IPv4 addresses alone (bench/incident_extract.sh).
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/clock.hpp"
#include "incident/address.hpp"
#include "incident/internal/flat_index.hpp"

namespace kizuna::incident {

enum class IndicatorKind { kIpv4, kIpv6, kCidr, kUrl, kDomain, kEmail, kPort, kTimestamp };
std::string_view Name(IndicatorKind kind);  // "ipv4", "ipv6", "cidr", "url", "domain", "email", "port", "timestamp"

struct Indicator {
    IndicatorKind kind = IndicatorKind::kIpv4;
    // Canonical form: addresses as IpAddress::ToString, prefixes network/length, URLs with scheme and host
    // in lower case, domains and e-mail addresses in lower case, ports as the number ("22"), timestamps
    // as RFC 3339 UTC with seconds ("2026-10-01T03:00:01Z").
    std::string value;
    std::string protocol;     // ports: "tcp", "udp", "icmp" or "" when the text did not say
    std::uint64_t count = 0;  // occurrences in everything added
    // Addresses, prefixes and URLs/e-mail with an address host; kPublic for names.
    AddressScope scope = AddressScope::kPublic;
    bool defanged = false;    // written defanged at least once
    bool zone_known = true;   // timestamps: false when the text named no zone and the default offset was used
    // Addresses: the earliest and latest timestamp on the lines that named them (log evidence).
    std::optional<core::WallTime> first_seen, last_seen;

    bool Notifiable() const { return scope == AddressScope::kPublic; }
};

struct ExtractOptions {
    // Offset from UTC for timestamps written without a zone (syslog, Windows firewall logs). The caller
    // passes the reporter's offset where known (the mail's Date: header), else the center's.
    int default_utc_offset_minutes = 9 * 60;
    // Year for syslog lines, which carry none (the year the report was received).
    int default_year = 1970;
    // Distinct timestamp values kept as indicators; the rest only widen first/last and the count.
    std::size_t max_timestamp_values = 10000;
};

struct Extraction {
    std::vector<Indicator> indicators;  // in order of first appearance
    std::uint64_t lines = 0;
    std::uint64_t timestamps = 0;  // timestamp occurrences, including those beyond max_timestamp_values
    std::optional<core::WallTime> first_time, last_time;

    const Indicator* Find(IndicatorKind kind, std::string_view value) const;
    std::size_t CountOf(IndicatorKind kind) const;  // distinct values of a kind
};

// Feeds several texts (a body, then each attachment) into one extraction; counts add up. Per-text state
// (a CSV header naming the port column) does not leak from one text into the next.
// Not thread-safe; one Extractor per report.
class Extractor {
  public:
    explicit Extractor(ExtractOptions options = {});
    void Add(std::string_view text);
    Extraction Finish();

  private:
    struct Token {
        std::string_view text;
        bool url = false;
        bool defanged = false;
        bool after_arrow = false;  // a '>' came just before ("a.b.c.d.51234 > e.f.g.h.22", "-> host:22")
    };
    // What one line contributes: the addresses it named and the time it carries, so that each address
    // gets the line's time as evidence (first_seen / last_seen).
    struct LineState {
        std::vector<std::size_t> addresses;
        std::optional<core::WallTime> time;
        std::string_view protocol;
    };

    void ProcessLine(std::string_view line, const std::vector<std::size_t>& defang_marks);
    void Classify(LineState& state);
    void CsvRow(std::string_view line, LineState& state);
    bool TryCsvHeader(std::string_view line);
    std::pair<std::size_t, bool> Record(IndicatorKind kind, std::string_view value, std::string_view protocol,
                                        bool defanged);
    void RecordAddress(std::string_view text, const IpAddress& ip, bool defanged, LineState& state);
    void RecordPort(std::string_view digits, std::string_view protocol, bool defanged);
    void RecordTime(core::WallTime t, bool zone_known);
    bool TryUrl(const Token& token, LineState& state);
    bool TryEmail(std::string_view text, bool defanged);
    bool TryDomain(std::string_view text, bool defanged, bool any_tld);

    ExtractOptions options_;
    Extraction out_;             // totals; the indicators live in items_ until Finish
    std::deque<Indicator> items_;  // stable and cheap to grow; moved into out_.indicators by Finish
    std::unordered_map<std::string, std::size_t> index_;  // kind + protocol + NUL + value → items_
    detail::FlatIndex ipv4_index_;  // IPv4 address → items_
    detail::FlatIndex time_index_;  // UTC second → items_
    // CSV of the current text: which column holds the destination port / protocol (-1: none).
    int csv_port_column_ = -1;
    int csv_protocol_column_ = -1;
    int lines_in_text_ = 0;
    std::vector<Token> tokens_;
    std::vector<std::string_view> token_texts_;
    std::string line_buffer_;  // a line after refanging
    std::string key_;          // scratch for index_ lookups
};

// Convenience for one text.
Extraction Extract(std::string_view text, const ExtractOptions& options = {});

// Restores defanged notation in `text`; `marks` (optional) receives the output offsets where something was
// restored. Exposed for tests.
std::string Refang(std::string_view text, std::vector<std::size_t>* marks = nullptr);

}  // namespace kizuna::incident
