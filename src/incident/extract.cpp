#include <algorithm>
#include <array>
#include <cstring>
#include <iterator>

#include "incident/indicators.hpp"
#include "incident/internal/timestamps.hpp"
#include "incident/internal/tlds.hpp"

namespace kizuna::incident {
namespace {

// Characters that end a token. '=' splits "DPT=22" and "SRC=192.0.2.1"; ',' and ';' split CSV and
// prose; brackets split "[10/Oct/2026:…]" and "(192.0.2.1)". URLs are read by their own rule.
constexpr std::array<bool, 256> MakeDelimiters() {
    std::array<bool, 256> t{};
    for (unsigned char c : std::string_view(" \t\r\n\v\f\"'<>(){}[],;|`=\\^"))
        t[c] = true;
    t[0] = true;
    return t;
}
constexpr auto kDelimiter = MakeDelimiters();

// Characters that end a URL: whitespace, quotes and angle brackets (RFC 3986 appendix C).
constexpr std::array<bool, 256> MakeUrlEnds() {
    std::array<bool, 256> t{};
    for (unsigned char c : std::string_view(" \t\r\n\v\f\"'<>`|\\^{}"))
        t[c] = true;
    t[0] = true;
    return t;
}
constexpr auto kUrlEnd = MakeUrlEnds();

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

bool IEquals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (Lower(a[i]) != Lower(b[i])) return false;
    return true;
}

bool IStartsWith(std::string_view s, std::string_view prefix) {
    return s.size() >= prefix.size() && IEquals(s.substr(0, prefix.size()), prefix);
}

std::string ToLower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = Lower(c);
    return out;
}

bool AllDigits(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
        if (!IsDigit(c)) return false;
    return true;
}

// "22" → "22"; "0022" → "22"; over 65535 or not a number → "".
std::string CanonicalPort(std::string_view digits) {
    if (!AllDigits(digits) || digits.size() > 5) return {};
    unsigned value = 0;
    for (char c : digits) value = value * 10 + static_cast<unsigned>(c - '0');
    if (value > 65535) return {};
    return std::to_string(value);
}

std::string_view ProtocolWord(std::string_view s) {
    if (s.size() != 3 && s.size() != 4) return {};
    if (IEquals(s, "tcp")) return "tcp";
    if (IEquals(s, "udp")) return "udp";
    if (IEquals(s, "icmp")) return "icmp";
    return {};
}

// Words after which the next number(s) are a targeted port.
bool IsPortKeyword(std::string_view s) {
    if (s.size() < 3 || s.size() > 16) return false;
    const char f = Lower(s[0]);
    if (f != 'p' && f != 'd' && f != 't' && static_cast<unsigned char>(f) < 0x80) return false;
    static constexpr std::string_view kWords[] = {"port",     "ports",     "dpt",       "dport",           "dst_port",
                                                  "dstport",  "dest_port", "dst-port",  "destination_port", "destport",
                                                  "target_port", "宛先ポート", "ポート"};
    for (auto w : kWords)
        if (IEquals(s, w)) return true;
    return false;
}

// Words that make the following "port N" a source port ("source port 51234"), which is not counted.
bool IsSourceWord(std::string_view s) {
    return IEquals(s, "source") || IEquals(s, "src") || IEquals(s, "sport") || IEquals(s, "from") ||
           IEquals(s, "送信元");
}

// Words after which an address:port names the destination.
bool IsDestinationMarker(std::string_view s) {
    return IEquals(s, "to") || IEquals(s, "dst") || IEquals(s, "destination") ||
           IEquals(s, "target");
}

std::string_view TrimToken(std::string_view t) {
    while (!t.empty() && (t.front() == '.' || t.front() == ':' || t.front() == '*')) t.remove_prefix(1);
    while (!t.empty() && (t.back() == '.' || t.back() == ':' || t.back() == '!' || t.back() == '?' || t.back() == '*'))
        t.remove_suffix(1);
    return t;
}

// Host names: labels of letters, digits and hyphens, at least two labels, an alphabetic TLD (or an IDN
// "xn--" TLD). Bare names in prose also need a known TLD and must not look like a file name.
bool ValidHostname(std::string_view host, bool any_tld) {
    if (host.size() < 4 || host.size() > 253) return false;
    std::size_t labels = 0, start = 0;
    std::string_view tld;
    while (start <= host.size()) {
        std::size_t dot = host.find('.', start);
        if (dot == std::string_view::npos) dot = host.size();
        std::string_view label = host.substr(start, dot - start);
        if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
        for (char c : label)
            if (!IsAlpha(c) && !IsDigit(c) && c != '-') return false;
        ++labels;
        tld = label;
        start = dot + 1;
    }
    if (labels < 2 || tld.size() < 2) return false;
    const bool idn = tld.starts_with("xn--");
    if (!idn)
        for (char c : tld)
            if (!IsAlpha(c)) return false;
    if (any_tld) return true;
    const std::string lower = ToLower(tld);
    if (!idn && !detail::IsKnownTld(lower)) return false;
    if (labels == 2 && detail::IsFileLikeTld(lower)) return false;
    return true;
}

// Whether a line may hold defanged notation: every form is a bracket before . : @ / "dot" "at", or "xxp".
bool MayBeDefanged(std::string_view line) {
    for (std::size_t i = 0; i + 1 < line.size(); ++i) {
        const char c = line[i];
        if (c == '[' || c == '(' || c == '{') {
            const char d = line[i + 1];
            if (d == '.' || d == ':' || d == '@' || d == '/' || d == 'd' || d == 'D' || d == 'a' || d == 'A') return true;
            continue;
        }
        if ((c == 'x' || c == 'X') && i + 2 < line.size() && (line[i + 1] == 'x' || line[i + 1] == 'X') &&
            (line[i + 2] == 'p' || line[i + 2] == 'P'))
            return true;
    }
    return false;
}

struct Replacement {
    std::string_view from;  // matched case-insensitively
    std::string_view to;
};
constexpr Replacement kRefang[] = {
    {"hxxps", "https"}, {"hxxp", "http"}, {"fxp://", "ftp://"}, {"[://]", "://"}, {"[:]", ":"},  {"[.]", "."},
    {"(.)", "."},       {"{.}", "."},     {"[dot]", "."},       {"(dot)", "."},   {"{dot}", "."}, {"[@]", "@"},
    {"(@)", "@"},       {"[at]", "@"},    {"(at)", "@"},        {"{at}", "@"},    {"[/]", "/"},
};

}  // namespace

std::string_view Name(IndicatorKind kind) {
    switch (kind) {
        case IndicatorKind::kIpv4: return "ipv4";
        case IndicatorKind::kIpv6: return "ipv6";
        case IndicatorKind::kCidr: return "cidr";
        case IndicatorKind::kUrl: return "url";
        case IndicatorKind::kDomain: return "domain";
        case IndicatorKind::kEmail: return "email";
        case IndicatorKind::kPort: return "port";
        case IndicatorKind::kTimestamp: return "timestamp";
    }
    return "ipv4";
}

const Indicator* Extraction::Find(IndicatorKind kind, std::string_view value) const {
    for (const auto& indicator : indicators)
        if (indicator.kind == kind && indicator.value == value) return &indicator;
    return nullptr;
}

std::size_t Extraction::CountOf(IndicatorKind kind) const {
    return static_cast<std::size_t>(
        std::count_if(indicators.begin(), indicators.end(), [kind](const Indicator& i) { return i.kind == kind; }));
}

std::string Refang(std::string_view text, std::vector<std::size_t>* marks) {
    std::string out;
    out.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        const char c = text[i];
        std::size_t consumed = 0;
        std::string_view to;
        if (c == ' ') {
            // "example [dot] com": a spaced-out bracketed dot takes its spaces with it.
            for (std::string_view form : {" [dot] ", " (dot) ", " [.] ", " {dot} "})
                if (IStartsWith(text.substr(i), form)) {
                    consumed = form.size();
                    to = ".";
                    break;
                }
        } else if (c == '[' || c == '(' || c == '{' || c == 'h' || c == 'H' || c == 'f' || c == 'F') {
            for (const auto& r : kRefang)
                if (IStartsWith(text.substr(i), r.from)) {
                    consumed = r.from.size();
                    to = r.to;
                    break;
                }
        }
        if (consumed == 0) {
            out.push_back(c);
            ++i;
            continue;
        }
        if (marks) marks->push_back(out.size());
        out.append(to);
        i += consumed;
    }
    return out;
}

Extractor::Extractor(ExtractOptions options) : options_(options) {}

void Extractor::Add(std::string_view text) {
    csv_port_column_ = -1;
    csv_protocol_column_ = -1;
    lines_in_text_ = 0;
    std::vector<std::size_t> marks;
    static const std::vector<std::size_t> kNoMarks;
    std::size_t pos = 0;
    while (pos < text.size()) {
        const void* nl = std::memchr(text.data() + pos, '\n', text.size() - pos);
        const std::size_t end = nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - text.data()) : text.size();
        std::string_view line = text.substr(pos, end - pos);
        pos = end + 1;
        ++out_.lines;
        if (MayBeDefanged(line)) {
            marks.clear();
            line_buffer_ = Refang(line, &marks);
            ProcessLine(line_buffer_, marks);
        } else {
            ProcessLine(line, kNoMarks);
        }
    }
}

void Extractor::ProcessLine(std::string_view line, const std::vector<std::size_t>& marks) {
    if (line.empty()) return;
    ++lines_in_text_;
    if (lines_in_text_ <= 3 && csv_port_column_ < 0 && line.find(',') != std::string_view::npos &&
        TryCsvHeader(line))
        return;

    tokens_.clear();
    token_texts_.clear();
    std::size_t mark = 0;
    const std::size_t n = line.size();
    std::size_t i = 0;
    bool arrow = false;
    while (i < n) {
        const char c = line[i];
        if (kDelimiter[static_cast<unsigned char>(c)]) {
            arrow |= c == '>';
            ++i;
            continue;
        }
        const std::size_t start = i;
        bool url = false;
        if ((c == 'h' || c == 'H' || c == 'f' || c == 'F') &&
            (IStartsWith(line.substr(i), "http://") || IStartsWith(line.substr(i), "https://") ||
             IStartsWith(line.substr(i), "ftp://"))) {
            url = true;
            while (i < n && !kUrlEnd[static_cast<unsigned char>(line[i])]) ++i;
        } else {
            while (i < n && !kDelimiter[static_cast<unsigned char>(line[i])]) ++i;
        }
        bool defanged = false;
        while (mark < marks.size() && marks[mark] < start) ++mark;
        if (mark < marks.size() && marks[mark] < i) defanged = true;
        tokens_.push_back(Token{line.substr(start, i - start), url, defanged, arrow});
        arrow = false;
        token_texts_.push_back(line.substr(start, i - start));
    }
    LineState state;
    if (csv_port_column_ >= 0) CsvRow(line, state);
    Classify(state);
    if (state.time)
        for (std::size_t index : state.addresses) {
            Indicator& ind = items_[index];
            if (!ind.first_seen || *state.time < *ind.first_seen) ind.first_seen = state.time;
            if (!ind.last_seen || *state.time > *ind.last_seen) ind.last_seen = state.time;
        }
}

void Extractor::Classify(LineState& state) {
    const detail::TimeDefaults defaults{options_.default_utc_offset_minutes, options_.default_year};
    // Windows Firewall (pfirewall.log): date time action protocol src-ip dst-ip src-port dst-port ...
    if (tokens_.size() >= 8 && (tokens_[2].text == "DROP" || tokens_[2].text == "ALLOW" ||
                                tokens_[2].text == "OPEN" || tokens_[2].text == "OPEN-INBOUND")) {
        if (auto proto = ProtocolWord(tokens_[3].text); !proto.empty() && proto != "icmp")
            RecordPort(tokens_[7].text, proto, false);
    }
    bool port_expected = false;
    for (std::size_t k = 0; k < tokens_.size(); ++k) {
        const Token& token = tokens_[k];
        std::string_view raw = token.text;
        if (token.url) {
            port_expected = false;
            TryUrl(token, state);
            continue;
        }
        const char first = raw[0];
        if (IsDigit(first) || (IsAlpha(first) && raw.size() <= 9)) {
            if (auto t = detail::ParseTimeAt(token_texts_, k, k == 0, defaults)) {
                RecordTime(t->time, t->zone_known);
                if (!state.time) state.time = t->time;
                k += t->consumed - 1;
                port_expected = false;
                continue;
            }
        }
        std::string_view t = TrimToken(raw);
        if (t.empty()) continue;
        if (auto proto = ProtocolWord(t); !proto.empty()) {
            if (state.protocol.empty()) state.protocol = proto;
            continue;
        }
        if (IsPortKeyword(t)) {
            port_expected = k == 0 || !IsSourceWord(tokens_[k - 1].text);
            continue;
        }
        if (port_expected && AllDigits(t)) {
            RecordPort(t, state.protocol, token.defanged);
            continue;  // "ports 22 23 80" keeps expecting
        }
        port_expected = false;

        bool has_dot = false, has_colon = false, has_at = false, has_slash = false, has_alpha = false;
        for (char c : t) {
            has_dot |= c == '.';
            has_colon |= c == ':';
            has_at |= c == '@';
            has_slash |= c == '/';
            has_alpha |= IsAlpha(c);
        }
        if (has_at) {
            std::string_view e = t;
            if (IStartsWith(e, "mailto:")) e.remove_prefix(7);
            TryEmail(e, token.defanged);
            continue;
        }
        if (has_slash) {
            const auto slash = t.find('/');
            std::string_view left = t.substr(0, slash), right = t.substr(slash + 1);
            if (auto proto = ProtocolWord(right); !proto.empty() && AllDigits(left)) {  // 22/tcp
                RecordPort(left, proto, token.defanged);
                continue;
            }
            if (auto proto = ProtocolWord(left); !proto.empty() && AllDigits(right)) {  // tcp/22
                RecordPort(right, proto, token.defanged);
                continue;
            }
            if (auto prefix = ParsePrefix(t)) {
                auto [index, created] = Record(IndicatorKind::kCidr, prefix->ToString(), {}, token.defanged);
                if (created) items_[index].scope = prefix->Network().Scope();
                continue;
            }
            if (has_dot && has_alpha) TryDomain(left, token.defanged, false);  // "example.com/login.php"
            continue;
        }
        if (has_colon) {
            const auto colon = t.find(':');
            if (colon == 3 && IStartsWith(t, "dpt:")) {
                RecordPort(t.substr(4), state.protocol, token.defanged);
                continue;
            }
            if (colon == 4 && IStartsWith(t, "port:")) {
                RecordPort(t.substr(5), state.protocol, token.defanged);
                continue;
            }
            // address:port
            if (t.find(':', colon + 1) == std::string_view::npos && has_dot) {
                if (auto ip = ParseIpv4(t.substr(0, colon))) {
                    RecordAddress(t.substr(0, colon), *ip, token.defanged, state);
                    if (token.after_arrow || (k > 0 && IsDestinationMarker(tokens_[k - 1].text)))
                        RecordPort(t.substr(colon + 1), state.protocol, token.defanged);
                    continue;
                }
                if (has_alpha) TryDomain(t.substr(0, colon), token.defanged, false);
                continue;
            }
            std::string_view v6 = t;
            if (auto pct = v6.find('%'); pct != std::string_view::npos) v6 = v6.substr(0, pct);
            bool hex_only = true;
            int hex_digits = 0;
            for (char c : v6) {
                if (IsHex(c)) ++hex_digits;
                else if (c != ':' && c != '.') hex_only = false;
            }
            if (hex_only && hex_digits >= 2)
                if (auto ip = ParseIpv6(v6)) RecordAddress({}, *ip, token.defanged, state);
            continue;
        }
        if (has_dot && !has_alpha) {
            if (auto ip = ParseIpv4(t)) {
                RecordAddress(t, *ip, token.defanged, state);
                continue;
            }
            // tcpdump / pf: 192.0.2.1.51234 > 203.0.113.9.22
            const auto last = t.rfind('.');
            if (last != std::string_view::npos) {
                if (auto ip = ParseIpv4(t.substr(0, last))) {
                    RecordAddress(t.substr(0, last), *ip, token.defanged, state);
                    if (token.after_arrow || (k > 0 && IsDestinationMarker(tokens_[k - 1].text)))
                        RecordPort(t.substr(last + 1), state.protocol, token.defanged);
                }
            }
            continue;
        }
        if (has_dot && has_alpha) TryDomain(t, token.defanged, false);
    }
}

bool Extractor::TryCsvHeader(std::string_view line) {
    bool mentions_port = false;
    for (std::size_t i = 0; i + 4 <= line.size(); ++i)
        if (IEquals(line.substr(i, 4), "port")) {
            mentions_port = true;
            break;
        }
    if (!mentions_port) return false;
    int column = 0, port_column = -1, protocol_column = -1;
    std::size_t start = 0;
    while (start <= line.size()) {
        std::size_t comma = line.find(',', start);
        if (comma == std::string_view::npos) comma = line.size();
        std::string_view name = line.substr(start, comma - start);
        while (!name.empty() && (name.front() == ' ' || name.front() == '"')) name.remove_prefix(1);
        while (!name.empty() && (name.back() == ' ' || name.back() == '"' || name.back() == '\r')) name.remove_suffix(1);
        for (auto candidate : {"dst_port", "dport", "dstport", "destination_port", "destination port", "dest_port",
                               "dpt", "dst port", "target_port", "port", "dst-port"})
            if (IEquals(name, candidate) && port_column < 0) port_column = column;
        if (IEquals(name, "proto") || IEquals(name, "protocol") || IEquals(name, "ip_protocol"))
            protocol_column = column;
        ++column;
        start = comma + 1;
    }
    if (port_column < 0) return false;
    csv_port_column_ = port_column;
    csv_protocol_column_ = protocol_column;
    return true;
}

void Extractor::CsvRow(std::string_view line, LineState& state) {
    std::string_view port, protocol;
    int column = 0;
    std::size_t start = 0;
    while (start <= line.size()) {
        std::size_t comma = line.find(',', start);
        if (comma == std::string_view::npos) comma = line.size();
        std::string_view field = line.substr(start, comma - start);
        while (!field.empty() && (field.front() == ' ' || field.front() == '"')) field.remove_prefix(1);
        while (!field.empty() && (field.back() == ' ' || field.back() == '"' || field.back() == '\r'))
            field.remove_suffix(1);
        if (column == csv_port_column_) port = field;
        if (column == csv_protocol_column_) protocol = field;
        ++column;
        start = comma + 1;
    }
    if (auto proto = ProtocolWord(protocol); !proto.empty()) state.protocol = proto;
    if (!port.empty()) RecordPort(port, ProtocolWord(protocol), false);
}

std::pair<std::size_t, bool> Extractor::Record(IndicatorKind kind, std::string_view value, std::string_view protocol,
                                               bool defanged) {
    key_.clear();
    key_.push_back(static_cast<char>('0' + static_cast<int>(kind)));
    key_.append(protocol);
    key_.push_back('\0');
    key_.append(value);
    if (auto it = index_.find(key_); it != index_.end()) {
        Indicator& existing = items_[it->second];
        ++existing.count;
        existing.defanged |= defanged;
        return {it->second, false};
    }
    Indicator indicator;
    indicator.kind = kind;
    indicator.value = std::string(value);
    indicator.protocol = std::string(protocol);
    indicator.count = 1;
    indicator.defanged = defanged;
    items_.push_back(std::move(indicator));
    index_.emplace(key_, items_.size() - 1);
    return {items_.size() - 1, true};
}

void Extractor::RecordAddress(std::string_view text, const IpAddress& ip, bool defanged, LineState& state) {
    if (!ip.v6) {  // the hot path: no string is built for an address seen before
        const std::uint64_t key = (std::uint64_t{ip.bytes[0]} << 24) | (std::uint64_t{ip.bytes[1]} << 16) |
                                  (std::uint64_t{ip.bytes[2]} << 8) | ip.bytes[3];
        std::uint32_t index = ipv4_index_.Find(key);
        if (index != detail::FlatIndex::kAbsent) {
            ++items_[index].count;
            items_[index].defanged |= defanged;
        } else {
            Indicator indicator;
            indicator.kind = IndicatorKind::kIpv4;
            // A strictly parsed dotted quad is already canonical.
            indicator.value = text.empty() ? ip.ToString() : std::string(text);
            indicator.count = 1;
            indicator.defanged = defanged;
            indicator.scope = ip.Scope();
            items_.push_back(std::move(indicator));
            index = static_cast<std::uint32_t>(items_.size() - 1);
            ipv4_index_.Insert(key, index);
        }
        state.addresses.push_back(index);
        return;
    }
    // IPv6 is printed in RFC 5952 form.
    const std::string canonical = ip.v6 || text.empty() ? ip.ToString() : std::string(text);
    auto [index, created] = Record(ip.v6 ? IndicatorKind::kIpv6 : IndicatorKind::kIpv4, canonical, {}, defanged);
    if (created) items_[index].scope = ip.Scope();
    state.addresses.push_back(index);
}

void Extractor::RecordPort(std::string_view digits, std::string_view protocol, bool defanged) {
    const std::string port = CanonicalPort(digits);
    if (!port.empty()) Record(IndicatorKind::kPort, port, protocol, defanged);
}

void Extractor::RecordTime(core::WallTime t, bool zone_known) {
    ++out_.timestamps;
    if (!out_.first_time || t < *out_.first_time) out_.first_time = t;
    if (!out_.last_time || t > *out_.last_time) out_.last_time = t;
    const std::int64_t second = core::ToUnixMicros(t) / 1000000;
    if (auto found = time_index_.Find(static_cast<std::uint64_t>(second)); found != detail::FlatIndex::kAbsent) {
        Indicator& existing = items_[found];
        ++existing.count;
        existing.zone_known |= zone_known;
        return;
    }
    if (time_index_.size() >= options_.max_timestamp_values) return;
    Indicator indicator;
    indicator.kind = IndicatorKind::kTimestamp;
    indicator.value = core::FormatRfc3339(core::FromUnixMicros(second * 1000000));
    indicator.count = 1;
    indicator.zone_known = zone_known;
    items_.push_back(std::move(indicator));
    time_index_.Insert(static_cast<std::uint64_t>(second), static_cast<std::uint32_t>(items_.size() - 1));
}

bool Extractor::TryUrl(const Token& token, LineState& state) {
    std::string_view url = token.text;
    // Trailing punctuation belongs to the sentence, and a closing bracket only when it opens in the URL.
    while (!url.empty()) {
        const char c = url.back();
        if (c == '.' || c == ',' || c == ';' || c == ':' || c == '!' || c == '?' || c == '*') {
            url.remove_suffix(1);
        } else if ((c == ')' && std::count(url.begin(), url.end(), '(') < std::count(url.begin(), url.end(), ')')) ||
                   (c == ']' && std::count(url.begin(), url.end(), '[') < std::count(url.begin(), url.end(), ']'))) {
            url.remove_suffix(1);
        } else {
            break;
        }
    }
    const auto scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos) return false;
    const std::size_t authority_start = scheme_end + 3;
    std::size_t authority_end = url.find_first_of("/?#", authority_start);
    if (authority_end == std::string_view::npos) authority_end = url.size();
    std::string_view authority = url.substr(authority_start, authority_end - authority_start);
    if (auto at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);
    std::string_view host;
    if (!authority.empty() && authority.front() == '[') {
        const auto close = authority.find(']');
        if (close == std::string_view::npos) return false;
        host = authority.substr(1, close - 1);
    } else {
        host = authority.substr(0, authority.find(':'));
    }
    if (host.empty()) return false;
    const std::string lower_host = ToLower(host);
    std::optional<IpAddress> ip = ParseIp(lower_host);
    if (!ip && !ValidHostname(lower_host, true)) return false;

    // Canonical: scheme and authority in lower case, the rest as written.
    std::string canonical = ToLower(url.substr(0, authority_end));
    canonical.append(url.substr(authority_end));
    auto [index, created] = Record(IndicatorKind::kUrl, canonical, {}, token.defanged);
    if (created && ip) items_[index].scope = ip->Scope();
    if (ip)
        RecordAddress({}, *ip, token.defanged, state);
    else
        Record(IndicatorKind::kDomain, lower_host, {}, token.defanged);
    return true;
}

bool Extractor::TryEmail(std::string_view text, bool defanged) {
    const auto at = text.find('@');
    if (at == 0 || at == std::string_view::npos || at > 64 || text.find('@', at + 1) != std::string_view::npos)
        return false;
    std::string_view local = text.substr(0, at);
    for (char c : local)
        if (!IsAlpha(c) && !IsDigit(c) && c != '.' && c != '_' && c != '%' && c != '+' && c != '-') return false;
    if (local.front() == '.' || local.back() == '.') return false;
    const std::string lower = ToLower(text);
    if (!ValidHostname(std::string_view(lower).substr(at + 1), false)) return false;
    Record(IndicatorKind::kEmail, lower, {}, defanged);
    return true;
}

bool Extractor::TryDomain(std::string_view text, bool defanged, bool any_tld) {
    const std::string lower = ToLower(text);
    if (!ValidHostname(lower, any_tld)) return false;
    Record(IndicatorKind::kDomain, lower, {}, defanged);
    return true;
}

Extraction Extractor::Finish() {
    Extraction done = std::move(out_);
    done.indicators.reserve(items_.size());
    std::move(items_.begin(), items_.end(), std::back_inserter(done.indicators));
    out_ = Extraction{};
    items_.clear();
    index_.clear();
    ipv4_index_.clear();
    time_index_.clear();
    return done;
}

Extraction Extract(std::string_view text, const ExtractOptions& options) {
    Extractor extractor(options);
    extractor.Add(text);
    return extractor.Finish();
}

}  // namespace kizuna::incident
