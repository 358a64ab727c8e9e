#include "incident/whois.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>
#include <utility>

#include "incident/indicators.hpp"

namespace kizuna::incident {
namespace {

constexpr std::size_t kMaxAnswer = 1 << 20;  // a whois answer larger than 1 MiB is not a whois answer

std::string Lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    return out;
}

std::string_view Trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

bool Contains(std::string_view haystack, std::string_view needle) {
    return haystack.find(needle) != std::string_view::npos;
}

// NIR gateways answer in HTML: drop the tags and decode the few entities they use.
std::string StripHtml(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    bool in_tag = false, in_script = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (in_tag) {
            if (c == '>') in_tag = false;
            continue;
        }
        if (c == '<') {
            std::string head = Lower(text.substr(i, 8));
            if (head.starts_with("<script")) in_script = true;
            if (head.starts_with("</script")) in_script = false;
            in_tag = true;
            continue;
        }
        if (in_script) continue;
        if (c == '&') {
            static constexpr std::pair<std::string_view, char> kEntities[] = {
                {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&nbsp;", ' '}};
            bool decoded = false;
            for (const auto& [entity, ch] : kEntities)
                if (text.substr(i, entity.size()) == entity) {
                    out.push_back(ch);
                    i += entity.size() - 1;
                    decoded = true;
                    break;
                }
            if (decoded) continue;
        }
        out.push_back(c);
    }
    return out;
}

struct Attribute {
    std::string key;  // lower case: "inetnum", "abuse-mailbox", "network number", "e-mail"
    std::string value;
};
using Object = std::vector<Attribute>;

// "key:   value" (RPSL, ARIN), "IPv4 Address   : value" (KRNIC), "a. [Network Number]   value" (JPNIC).
std::optional<Attribute> ParseAttribute(std::string_view line) {
    std::string_view s = Trim(line);
    if (s.size() > 3 && s[1] == '.' && s[2] == ' ' && s[0] >= 'a' && s[0] <= 'z') s = Trim(s.substr(3));
    if (!s.empty() && s.front() == '[') {
        const auto close = s.find(']');
        if (close == std::string_view::npos || close > 60) return std::nullopt;
        return Attribute{Lower(Trim(s.substr(1, close - 1))), std::string(Trim(s.substr(close + 1)))};
    }
    const auto colon = s.find(':');
    if (colon == std::string_view::npos || colon == 0 || colon > 40) return std::nullopt;
    std::string_view key = Trim(s.substr(0, colon));
    if (key.empty()) return std::nullopt;
    for (char c : key)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
              c == ' '))
            return std::nullopt;
    return Attribute{Lower(key), std::string(Trim(s.substr(colon + 1)))};
}

struct Range {
    IpAddress first, last;
};

// Compares addresses of one family.
bool LessEq(const IpAddress& a, const IpAddress& b) {
    return std::memcmp(a.bytes.data(), b.bytes.data(), a.v6 ? 16 : 4) <= 0;
}

Range FromPrefix(const IpPrefix& p) {
    Range r{p.Network(), p.Network()};
    const int total = p.address.v6 ? 128 : 32;
    for (int bit = p.length; bit < total; ++bit)
        r.last.bytes[static_cast<std::size_t>(bit / 8)] |= static_cast<std::uint8_t>(0x80 >> (bit % 8));
    return r;
}

// LACNIC abbreviates: "200.57.128/19" is 200.57.128.0/19.
std::optional<IpPrefix> ParseAbbreviatedPrefix(std::string_view text) {
    if (auto p = ParsePrefix(text)) return p;
    const auto slash = text.find('/');
    if (slash == std::string_view::npos || Contains(text, ":")) return std::nullopt;
    std::string address(text.substr(0, slash));
    const auto dots = std::count(address.begin(), address.end(), '.');
    if (dots < 1 || dots > 2) return std::nullopt;
    for (auto i = dots; i < 3; ++i) address += ".0";
    return ParsePrefix(address + std::string(text.substr(slash)));
}

// "a - b", "a - b (/12+/13)", "prefix", "p1, p2" (ARIN CIDR:) → ranges.
void ParseRanges(std::string_view value, std::vector<Range>& out) {
    if (const auto paren = value.find('('); paren != std::string_view::npos) value = Trim(value.substr(0, paren));
    if (const auto dash = value.find(" - "); dash != std::string_view::npos) {
        auto first = ParseIp(Trim(value.substr(0, dash)));
        auto last = ParseIp(Trim(value.substr(dash + 3)));
        if (first && last && first->v6 == last->v6 && LessEq(*first, *last)) out.push_back(Range{*first, *last});
        return;
    }
    std::size_t start = 0;
    while (start <= value.size()) {
        auto comma = value.find(',', start);
        if (comma == std::string_view::npos) comma = value.size();
        if (auto p = ParseAbbreviatedPrefix(Trim(value.substr(start, comma - start)))) out.push_back(FromPrefix(*p));
        start = comma + 1;
    }
}

bool InRange(const Range& r, const IpAddress& ip) {
    return r.first.v6 == ip.v6 && LessEq(r.first, ip) && LessEq(ip, r.last);
}

// Size order for "most specific": compare (last - first) byte-wise.
bool Narrower(const Range& a, const Range& b) {
    std::array<std::uint8_t, 16> da{}, db{};
    int borrow_a = 0, borrow_b = 0;
    for (int i = 15; i >= 0; --i) {
        const auto k = static_cast<std::size_t>(i);
        int va = a.last.bytes[k] - a.first.bytes[k] - borrow_a;
        borrow_a = va < 0;
        da[k] = static_cast<std::uint8_t>(va + (borrow_a ? 256 : 0));
        int vb = b.last.bytes[k] - b.first.bytes[k] - borrow_b;
        borrow_b = vb < 0;
        db[k] = static_cast<std::uint8_t>(vb + (borrow_b ? 256 : 0));
    }
    return da < db;
}

void PickRange(const std::vector<Range>& ranges, const IpAddress& query, NetworkRecord& out) {
    const Range* best = nullptr;
    for (const auto& r : ranges)
        if (InRange(r, query) && (!best || Narrower(r, *best))) best = &r;
    if (!best)
        for (const auto& r : ranges)
            if (!best || Narrower(r, *best)) best = &r;
    if (best) {
        out.first = best->first;
        out.last = best->last;
    }
}

// The e-mail addresses in a text, using the indicator extractor's rules.
std::vector<std::string> EmailsIn(std::string_view text) {
    std::vector<std::string> out;
    for (const auto& i : Extract(text).indicators)
        if (i.kind == IndicatorKind::kEmail) out.push_back(i.value);
    return out;
}

class ContactList {
  public:
    explicit ContactList(std::vector<AbuseContact>& out) : out_(out) {}
    void Add(std::string_view email, std::string kind, std::string handle = {}, std::string name = {}) {
        auto emails = EmailsIn(email);
        for (auto& e : emails) {
            if (std::any_of(out_.begin(), out_.end(), [&](const AbuseContact& c) { return c.email == e; })) continue;
            out_.push_back(AbuseContact{e, kind, handle, name});
        }
    }

  private:
    std::vector<AbuseContact>& out_;
};

const std::string* Find(const Object& o, std::string_view key) {
    for (const auto& a : o)
        if (a.key == key) return &a.value;
    return nullptr;
}

int KindRank(std::string_view kind) {
    if (kind == "abuse") return 0;
    if (kind == "irt") return 1;
    if (kind == "remarks") return 2;
    if (kind == "contact") return 3;
    return 4;
}

}  // namespace

bool NetworkRecord::Covers(const IpAddress& ip) const {
    return first && last && InRange(Range{*first, *last}, ip);
}

core::Result<NetworkRecord> ParseWhois(std::string_view answer, const IpAddress& query) {
    if (answer.size() > kMaxAnswer) return core::Error(core::ErrorCode::kTooLarge, "whois answer over 1 MiB");
    const std::string head = Lower(answer.substr(0, 4096));
    const bool html = Contains(head, "<html") || Contains(head, "<pre") || Contains(head, "<script") || Contains(head, "<body");
    const std::string text = html ? StripHtml(answer) : std::string(answer);
    NetworkRecord out;
    std::vector<AbuseContact> contacts;
    ContactList list(contacts);
    std::vector<Object> objects(1);
    std::vector<Range> ranges;
    const std::string lower_text = Lower(text);

    std::size_t pos = 0;
    while (pos <= text.size()) {
        auto nl = text.find('\n', pos);
        if (nl == std::string::npos) nl = text.size();
        std::string_view line = std::string_view(text).substr(pos, nl - pos);
        pos = nl + 1;
        std::string_view trimmed = Trim(line);
        if (trimmed.empty()) {
            if (!objects.back().empty()) objects.emplace_back();
            continue;
        }
        if (trimmed.front() == '%' || trimmed.front() == '#') {
            // RIPE and AFRINIC state the abuse contact in a comment.
            const std::string lower = Lower(trimmed);
            if (Contains(lower, "abuse contact for") && Contains(lower, " is ")) {
                std::string_view tail = trimmed.substr(lower.rfind(" is ") + 4);
                list.Add(tail, "abuse");
            }
            continue;
        }
        if (auto attribute = ParseAttribute(line)) {
            objects.back().push_back(std::move(*attribute));
        } else if (!objects.back().empty() && (line.front() == ' ' || line.front() == '\t' || line.front() == '+')) {
            objects.back().back().value += " " + std::string(trimmed);  // continuation line
        }
    }

    for (const auto& object : objects)
        for (const auto& a : object)
            if (a.key == "inetnum" || a.key == "inet6num" || a.key == "netrange" || a.key == "cidr" ||
                a.key == "network number" || a.key == "ipv4 address" || a.key == "ipv6 address")
                ParseRanges(a.value, ranges);
    if (ranges.empty()) {
        if (Contains(lower_text, "no match") || Contains(lower_text, "not found"))
            return core::NotFound("the registry has no network for this address");
        return core::InvalidArgument("no network range in the answer", "whois");
    }
    PickRange(ranges, query, out);

    // Holder, name, country: the object that carries the chosen range speaks first.
    for (const auto& object : objects) {
        for (const auto& a : object) {
            if (out.network_name.empty() && (a.key == "netname" || a.key == "network name" || a.key == "service name"))
                out.network_name = a.value;
            if (out.organization.empty() && (a.key == "org-name" || a.key == "orgname" || a.key == "owner" ||
                                             a.key == "organization" || a.key == "organization name"))
                out.organization = a.value;
            if (out.country.empty() && a.key == "country") out.country = a.value.substr(0, 2);
        }
    }
    if (out.organization.empty())
        for (const auto& object : objects)
            if (const auto* descr = Find(object, "descr"); descr && out.organization.empty()) out.organization = *descr;

    // Which registry answered.
    for (const auto& object : objects)
        if (const auto* source = Find(object, "source"); source && out.registry.empty())
            out.registry = std::string(Trim(std::string_view(*source).substr(0, source->find(' '))));
    if (out.registry.empty()) {
        if (Contains(lower_text, "jpnic")) out.registry = "JPNIC";
        else if (Contains(lower_text, "krnic")) out.registry = "KRNIC";
        else if (Contains(lower_text, "lacnic")) out.registry = "LACNIC";
        else if (Contains(lower_text, "arin")) out.registry = "ARIN";
    }

    // Objects by handle, for abuse-c / admin-c / tech-c references.
    auto by_handle = [&](std::string_view handle) -> const Object* {
        for (const auto& object : objects)
            for (const auto& a : object)
                if ((a.key == "nic-hdl" || a.key == "irt" || a.key == "orgabusehandle") && a.value == handle)
                    return &object;
        return nullptr;
    };

    for (const auto& object : objects) {
        const std::string* irt = Find(object, "irt");
        for (const auto& a : object) {
            if (a.key == "abuse-mailbox") list.Add(a.value, irt ? "irt" : "abuse", irt ? *irt : std::string());
            if (a.key == "orgabuseemail" || a.key == "rabuseemail") list.Add(a.value, "abuse");
        }
    }
    for (const auto& object : objects)
        for (const auto& a : object) {
            if (a.key != "abuse-c") continue;
            if (const Object* target = by_handle(a.value)) {
                const std::string* mailbox = Find(*target, "abuse-mailbox");
                const std::string* email = Find(*target, "e-mail");
                const std::string* name = Find(*target, "person");
                if (!name) name = Find(*target, "role");
                if (mailbox) list.Add(*mailbox, "abuse", a.value, name ? *name : "");
                else if (email) list.Add(*email, "abuse", a.value, name ? *name : "");
            } else if (std::find(out.unresolved_handles.begin(), out.unresolved_handles.end(), a.value) ==
                       out.unresolved_handles.end()) {
                out.unresolved_handles.push_back(a.value);
            }
        }
    for (const auto& object : objects)
        if (const auto* irt = Find(object, "irt"))
            for (const auto& a : object)
                if (a.key == "e-mail") list.Add(a.value, "irt", *irt);
    for (const auto& object : objects)
        for (const auto& a : object)
            if (a.key == "remarks") {
                const std::string lower = Lower(a.value);
                if (Contains(lower, "abuse") || Contains(lower, "spam") || Contains(lower, "security") ||
                    Contains(lower, "incident"))
                    list.Add(a.value, "remarks");
            }
    // NIR gateways: the network's contact.
    for (const auto& object : objects)
        for (const auto& a : object)
            if (a.key == "e-mail" && (out.registry == "KRNIC" || out.registry == "JPNIC")) list.Add(a.value, "contact");
            else if (a.key == "電子メイル" || a.key == "reply mail") list.Add(a.value, "contact");
    // Technical contacts last.
    for (const auto& object : objects)
        for (const auto& a : object) {
            if (a.key == "orgtechemail" || a.key == "rtechemail" || a.key == "orgnocemail") list.Add(a.value, "tech");
            if (a.key == "e-mail" && (Find(object, "role") || Find(object, "person"))) {
                const std::string* handle = Find(object, "nic-hdl");
                list.Add(a.value, "tech", handle ? *handle : std::string());
            }
            if ((a.key == "admin-c" || a.key == "tech-c") && !by_handle(a.value) && out.registry == "JPNIC" &&
                std::find(out.unresolved_handles.begin(), out.unresolved_handles.end(), a.value) ==
                    out.unresolved_handles.end())
                out.unresolved_handles.push_back(a.value);
        }
    // JPNIC writes contacts as handles in brackets: "[Administrative Contact] MY22537JP".
    for (const auto& object : objects)
        for (const auto& a : object)
            if ((a.key == "administrative contact" || a.key == "technical contact" || a.key == "abuse") &&
                !a.value.empty() && !Contains(a.value, "@") &&
                std::find(out.unresolved_handles.begin(), out.unresolved_handles.end(), a.value) ==
                    out.unresolved_handles.end())
                out.unresolved_handles.push_back(a.value);
    std::stable_sort(contacts.begin(), contacts.end(),
                     [](const AbuseContact& a, const AbuseContact& b) { return KindRank(a.kind) < KindRank(b.kind); });
    out.contacts = std::move(contacts);

    // Where to ask next.
    for (const auto& object : objects)
        for (const auto& a : object) {
            if (!out.referral.empty()) break;
            if (a.key == "refer" || a.key == "whois") out.referral = Lower(a.value);
            if (a.key == "referralserver") {
                std::string_view v = a.value;
                if (auto scheme = v.find("://"); scheme != std::string_view::npos) v = v.substr(scheme + 3);
                out.referral = Lower(v.substr(0, v.find(':')));
            }
        }
    if (out.referral.empty() && out.registry == "APNIC") {
        if (Contains(lower_text, "maint-jpnic") || Contains(lower_text, "whois.nic.ad.jp")) out.referral = "whois.nic.ad.jp";
        else if (Contains(lower_text, "mnt-krnic") || Contains(lower_text, "irt-krnic")) out.referral = "whois.kisa.or.kr";
    }
    return out;
}

namespace {

void RdapEntities(const nlohmann::json& entities, NetworkRecord& out, std::vector<AbuseContact>& contacts,
                  int depth) {
    if (!entities.is_array() || depth > 8) return;
    ContactList list(contacts);
    for (const auto& entity : entities) {
        if (!entity.is_object()) continue;
        std::vector<std::string> roles;
        if (auto r = entity.find("roles"); r != entity.end() && r->is_array())
            for (const auto& role : *r)
                if (role.is_string()) roles.push_back(role.get<std::string>());
        auto has = [&](std::string_view role) { return std::find(roles.begin(), roles.end(), role) != roles.end(); };
        std::string handle = entity.value("handle", std::string());
        std::string name;
        std::vector<std::string> emails;
        if (auto v = entity.find("vcardArray"); v != entity.end() && v->is_array() && v->size() >= 2 && (*v)[1].is_array())
            for (const auto& property : (*v)[1]) {
                if (!property.is_array() || property.size() < 4 || !property[0].is_string()) continue;
                const auto& key = property[0].get_ref<const std::string&>();
                if (key == "fn" && property[3].is_string()) name = property[3].get<std::string>();
                if (key == "email" && property[3].is_string()) emails.push_back(property[3].get<std::string>());
            }
        if (has("registrant") && out.organization.empty() && !name.empty()) out.organization = name;
        const std::string kind = has("abuse") ? "abuse" : (has("technical") || has("administrative") || has("noc")) ? "tech" : "";
        if (!kind.empty()) {
            for (const auto& e : emails) list.Add(e, kind, handle, name);
            if (emails.empty() && kind == "abuse" && !handle.empty()) out.unresolved_handles.push_back(handle);
        }
        if (auto nested = entity.find("entities"); nested != entity.end()) RdapEntities(*nested, out, contacts, depth + 1);
    }
}

std::optional<IpAddress> RdapAddress(const nlohmann::json& value) {
    if (!value.is_string()) return std::nullopt;
    std::string_view s = value.get_ref<const std::string&>();
    s = s.substr(0, s.find('/'));  // RIPE writes "62.239.237.0/32"
    if (auto ip = ParseIp(s)) return ip;
    // ARIN once wrote zero-padded octets ("074.125.000.000").
    if (s.find(':') != std::string_view::npos || s.size() > 15) return std::nullopt;
    std::string plain;
    std::size_t start = 0;
    while (start <= s.size()) {
        auto dot = s.find('.', start);
        if (dot == std::string_view::npos) dot = s.size();
        std::string_view octet = s.substr(start, dot - start);
        while (octet.size() > 1 && octet.front() == '0') octet.remove_prefix(1);
        if (!plain.empty()) plain += '.';
        plain += octet;
        start = dot + 1;
    }
    return ParseIpv4(plain);
}

}  // namespace

core::Result<NetworkRecord> ParseRdap(std::string_view json, const IpAddress& query) {
    if (json.size() > kMaxAnswer) return core::Error(core::ErrorCode::kTooLarge, "RDAP answer over 1 MiB");
    auto doc = nlohmann::json::parse(json, nullptr, false, true);
    if (doc.is_discarded() || !doc.is_object()) return core::InvalidArgument("not a JSON object", "rdap");
    if (doc.contains("errorCode")) {
        if (doc["errorCode"] == 404) return core::NotFound("the registry has no network for this address");
        return core::InvalidArgument("the RDAP server answered with an error", "rdap");
    }
    NetworkRecord out;
    std::vector<Range> ranges;
    auto first = RdapAddress(doc.value("startAddress", nlohmann::json()));
    auto last = RdapAddress(doc.value("endAddress", nlohmann::json()));
    if (first && last && first->v6 == last->v6 && LessEq(*first, *last)) ranges.push_back(Range{*first, *last});
    if (auto cidrs = doc.find("cidr0_cidrs"); cidrs != doc.end() && cidrs->is_array())
        for (const auto& c : *cidrs) {
            if (!c.is_object() || !c.contains("length") || !c["length"].is_number_unsigned()) continue;
            const std::string prefix = c.value("v4prefix", c.value("v6prefix", std::string()));
            if (auto p = ParsePrefix(prefix + "/" + std::to_string(c["length"].get<unsigned>()))) ranges.push_back(FromPrefix(*p));
        }
    if (ranges.empty()) return core::InvalidArgument("no network range in the answer", "rdap.startAddress");
    PickRange(ranges, query, out);
    if (doc.contains("name") && doc["name"].is_string()) out.network_name = doc["name"].get<std::string>();
    if (doc.contains("country") && doc["country"].is_string()) out.country = doc["country"].get<std::string>().substr(0, 2);
    const std::string port43 = doc.contains("port43") && doc["port43"].is_string() ? Lower(doc["port43"].get<std::string>()) : "";
    for (auto [host, name] : {std::pair{"ripe", "RIPE"}, {"arin", "ARIN"}, {"apnic", "APNIC"}, {"lacnic", "LACNIC"},
                              {"afrinic", "AFRINIC"}, {"nic.ad.jp", "JPNIC"}, {"kisa", "KRNIC"}})
        if (Contains(port43, host)) {
            out.registry = name;
            break;
        }
    std::vector<AbuseContact> contacts;
    if (auto entities = doc.find("entities"); entities != doc.end()) RdapEntities(*entities, out, contacts, 0);
    std::stable_sort(contacts.begin(), contacts.end(),
                     [](const AbuseContact& a, const AbuseContact& b) { return KindRank(a.kind) < KindRank(b.kind); });
    out.contacts = std::move(contacts);
    return out;
}

}  // namespace kizuna::incident
