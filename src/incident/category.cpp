#include "incident/category.hpp"

#include <algorithm>
#include <array>
#include <map>

namespace kizuna::incident {
namespace {

struct SubcategoryInfo {
    Subcategory sub;
    Category category;
    std::string_view name;
    std::string_view rsit;
};

constexpr SubcategoryInfo kSubcategories[] = {
    {Subcategory::kProbe, Category::kScan, "probe", "information-gathering/scanner"},
    {Subcategory::kScan, Category::kScan, "scan", "information-gathering/scanner"},
    {Subcategory::kSuspiciousAccess, Category::kScan, "suspicious_access", "intrusion-attempts/ids-alert"},
    {Subcategory::kOpenRelay, Category::kAbuse, "open_relay", "fraud/unauthorised-use-of-resources"},
    {Subcategory::kProxyMisuse, Category::kAbuse, "proxy_misuse", "fraud/unauthorised-use-of-resources"},
    {Subcategory::kForgedHeaders, Category::kForged, "forged_headers", "fraud/masquerade"},
    {Subcategory::kCompromise, Category::kIntrusion, "compromise", "intrusions/system-compromise"},
    {Subcategory::kDefacement, Category::kIntrusion, "defacement",
     "information-content-security/unauthorised-modification-of-information"},
    {Subcategory::kDdosAgent, Category::kIntrusion, "ddos_agent", "malicious-code/infected-system"},
    {Subcategory::kWorm, Category::kIntrusion, "worm", "malicious-code/infected-system"},
    {Subcategory::kDenialOfService, Category::kDos, "denial_of_service", "availability/ddos"},
    {Subcategory::kPhishingSite, Category::kPhishing, "phishing_site", "fraud/phishing"},
    {Subcategory::kMalware, Category::kOther, "malware", "malicious-code/malware-distribution"},
    {Subcategory::kVirus, Category::kOther, "virus", "malicious-code/infected-system"},
    {Subcategory::kSpam, Category::kOther, "spam", "abusive-content/spam"},
    {Subcategory::kOther, Category::kOther, "other", "other/other"},
};

constexpr Category kCategories[] = {Category::kScan,      Category::kAbuse,    Category::kForged, Category::kIntrusion,
                                    Category::kDos,       Category::kPhishing, Category::kOther};

const SubcategoryInfo& Info(Subcategory s) {
    for (const auto& info : kSubcategories)
        if (info.sub == s) return info;
    return kSubcategories[std::size(kSubcategories) - 1];
}

// ASCII lower-casing; Japanese keywords match as written.
std::string Lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    return out;
}

struct Keyword {
    std::string_view word;  // lower case (ASCII) or Japanese
    Subcategory sub;
    int weight;
};

// Words reporters use, in English and Japanese. Weights: 3 a strong sign, 2 a sign, 1 a hint.
constexpr Keyword kKeywords[] = {
    {"phishing", Subcategory::kPhishingSite, 3},     {"フィッシング", Subcategory::kPhishingSite, 3},
    {"偽サイト", Subcategory::kPhishingSite, 3},     {"credential harvesting", Subcategory::kPhishingSite, 3},
    {"fake login", Subcategory::kPhishingSite, 2},   {"なりすましサイト", Subcategory::kPhishingSite, 3},
    {"open relay", Subcategory::kOpenRelay, 3},      {"オープンリレー", Subcategory::kOpenRelay, 3},
    {"第三者中継", Subcategory::kOpenRelay, 3},      {"open proxy", Subcategory::kProxyMisuse, 3},
    {"オープンプロキシ", Subcategory::kProxyMisuse, 3}, {"proxy abuse", Subcategory::kProxyMisuse, 3},
    {"forged", Subcategory::kForgedHeaders, 2},      {"spoofed sender", Subcategory::kForgedHeaders, 3},
    {"backscatter", Subcategory::kForgedHeaders, 3}, {"詐称", Subcategory::kForgedHeaders, 3},
    {"なりすましメール", Subcategory::kForgedHeaders, 3}, {"エラーメール", Subcategory::kForgedHeaders, 2},
    {"defaced", Subcategory::kDefacement, 3},        {"defacement", Subcategory::kDefacement, 3},
    {"改ざん", Subcategory::kDefacement, 3},         {"compromised", Subcategory::kCompromise, 3},
    {"侵入", Subcategory::kCompromise, 3},           {"backdoor", Subcategory::kCompromise, 2},
    {"バックドア", Subcategory::kCompromise, 2},     {"rootkit", Subcategory::kCompromise, 3},
    {"webshell", Subcategory::kCompromise, 3},       {"web shell", Subcategory::kCompromise, 3},
    {"ddos agent", Subcategory::kDdosAgent, 3},      {"botnet", Subcategory::kDdosAgent, 2},
    {"ボット", Subcategory::kDdosAgent, 2},          {"worm", Subcategory::kWorm, 2},
    {"ワーム", Subcategory::kWorm, 2},               {"ddos", Subcategory::kDenialOfService, 3},
    {"denial of service", Subcategory::kDenialOfService, 3}, {"サービス運用妨害", Subcategory::kDenialOfService, 3},
    {"dos攻撃", Subcategory::kDenialOfService, 3},   {"syn flood", Subcategory::kDenialOfService, 3},
    {"malware", Subcategory::kMalware, 2},           {"マルウェア", Subcategory::kMalware, 2},
    {"ransomware", Subcategory::kMalware, 3},        {"ランサムウェア", Subcategory::kMalware, 3},
    {"virus", Subcategory::kVirus, 2},               {"ウイルス", Subcategory::kVirus, 2},
    {"spam", Subcategory::kSpam, 2},                 {"スパム", Subcategory::kSpam, 2},
    {"迷惑メール", Subcategory::kSpam, 2},           {"port scan", Subcategory::kScan, 3},
    {"portscan", Subcategory::kScan, 3},             {"スキャン", Subcategory::kScan, 3},
    {"scanning", Subcategory::kScan, 2},             {"probe", Subcategory::kProbe, 2},
    {"プローブ", Subcategory::kProbe, 2},            {"brute force", Subcategory::kSuspiciousAccess, 2},
    {"ブルートフォース", Subcategory::kSuspiciousAccess, 2}, {"不審なアクセス", Subcategory::kSuspiciousAccess, 2},
    {"failed password", Subcategory::kSuspiciousAccess, 2}, {"login attempts", Subcategory::kSuspiciousAccess, 2},
};

// Brands phishing imitates; a URL plus one of these is a strong sign (seed 004: banks, auctions).
constexpr std::string_view kBrands[] = {"bank", "銀行", "paypal", "amazon", "apple", "microsoft", "office365",
                                        "docomo", "rakuten", "楽天", "yahoo", "auction", "オークション",
                                        "mufg", "smbc", "mizuho", "jcb", "visa", "mastercard", "netflix",
                                        "credit card", "カード", "login", "signin", "verify", "account", "secure"};

// Bounce and delivery-failure phrases: many of them in one report is a bounce storm (forged sender).
constexpr std::string_view kBounces[] = {"undelivered mail returned to sender", "mail delivery subsystem",
                                         "delivery status notification", "mailer-daemon", "returned mail",
                                         "undeliverable", "配信不能", "宛先不明"};

std::size_t CountOccurrences(std::string_view text, std::string_view needle, std::size_t cap) {
    std::size_t count = 0;
    for (std::size_t pos = text.find(needle); pos != std::string_view::npos && count < cap;
         pos = text.find(needle, pos + needle.size()))
        ++count;
    return count;
}

}  // namespace

std::string_view Name(Category c) {
    switch (c) {
        case Category::kScan: return "scan";
        case Category::kAbuse: return "abuse";
        case Category::kForged: return "forged";
        case Category::kIntrusion: return "intrusion";
        case Category::kDos: return "dos";
        case Category::kPhishing: return "phishing";
        case Category::kOther: return "other";
    }
    return "other";
}

std::optional<Category> ParseCategory(std::string_view name) {
    for (Category c : kCategories)
        if (Name(c) == name) return c;
    return std::nullopt;
}

std::span<const Category> AllCategories() { return kCategories; }

std::string_view Name(Subcategory s) { return Info(s).name; }

std::optional<Subcategory> ParseSubcategory(std::string_view name) {
    for (const auto& info : kSubcategories)
        if (info.name == name) return info.sub;
    return std::nullopt;
}

Category CategoryOf(Subcategory s) { return Info(s).category; }

std::span<const Subcategory> SubcategoriesOf(Category c) {
    static const auto table = [] {
        std::map<Category, std::vector<Subcategory>> t;
        for (const auto& info : kSubcategories) t[info.category].push_back(info.sub);
        return t;
    }();
    return table.at(c);
}

std::string_view RsitOf(Subcategory s) { return Info(s).rsit; }

std::vector<Suggestion> SuggestCategory(const ReportText& report, const Extraction& indicators) {
    std::map<Subcategory, Suggestion> found;
    auto add = [&](Subcategory sub, int weight, std::string code, std::vector<std::string> evidence) {
        Suggestion& s = found[sub];
        s.subcategory = sub;
        s.score += weight;
        s.reasons.push_back(SuggestionReason{std::move(code), std::move(evidence)});
    };

    // Scan: log evidence — targeted ports and source addresses on log lines.
    std::vector<std::string> ports;
    std::uint64_t port_hits = 0;
    std::size_t logged_addresses = 0;
    for (const auto& i : indicators.indicators) {
        if (i.kind == IndicatorKind::kPort) {
            port_hits += i.count;
            if (ports.size() < 5) ports.push_back(i.protocol.empty() ? i.value : i.value + "/" + i.protocol);
        }
        if ((i.kind == IndicatorKind::kIpv4 || i.kind == IndicatorKind::kIpv6) && i.first_seen) ++logged_addresses;
    }
    if (port_hits > 0 && logged_addresses > 0) {
        // Several distinct ports from the reported sources: a comprehensive scan (seed 004 *2).
        const Subcategory sub = ports.size() > 3 ? Subcategory::kScan : Subcategory::kProbe;
        std::vector<std::string> evidence{std::to_string(logged_addresses)};
        evidence.insert(evidence.end(), ports.begin(), ports.end());
        add(sub, 4, "firewall_lines", std::move(evidence));
    }

    const std::string text = Lower(report.subject) + "\n" + Lower(report.body);
    for (const auto& k : kKeywords)
        if (text.find(k.word) != std::string::npos) add(k.sub, k.weight, "keyword", {std::string(k.word)});

    // Phishing: a URL together with a brand or a login word.
    std::vector<std::string> urls;
    for (const auto& i : indicators.indicators)
        if (i.kind == IndicatorKind::kUrl && urls.size() < 3) urls.push_back(i.value);
    if (!urls.empty()) {
        std::vector<std::string> brands;
        for (auto brand : kBrands)
            if (text.find(brand) != std::string::npos) brands.emplace_back(brand);
        if (!brands.empty()) {
            std::vector<std::string> evidence{urls.front()};
            evidence.insert(evidence.end(), brands.begin(), brands.begin() + std::min<std::size_t>(brands.size(), 3));
            add(Subcategory::kPhishingSite, 3, "url_with_brand", std::move(evidence));
        }
    }

    // Forged: a storm of bounces (delivery failures for mail the reporter never sent).
    std::size_t bounces = 0;
    for (auto phrase : kBounces) bounces += CountOccurrences(text, phrase, 1000);
    if (bounces >= 3) add(Subcategory::kForgedHeaders, bounces >= 10 ? 5 : 3, "bounces", {std::to_string(bounces)});

    std::vector<Suggestion> out;
    for (auto& [sub, s] : found) out.push_back(std::move(s));
    std::stable_sort(out.begin(), out.end(), [](const Suggestion& a, const Suggestion& b) { return a.score > b.score; });
    if (out.empty()) out.push_back(Suggestion{Subcategory::kOther, 0, {}});
    return out;
}

}  // namespace kizuna::incident
