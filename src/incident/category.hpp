// Incident categories (MISSION.md I2; seed 004 §2 counts reports by them) and the rule-based suggestion a
// coordinator confirms. Each category and subcategory maps to the ENISA Reference Security Incident
// Taxonomy (RSIT, "class/type") for exchange with partners (IODEF, feeds).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "incident/indicators.hpp"

namespace kizuna::incident {

// The seven categories; their names ("scan", "abuse", ...) are the keys of the quarterly statistics.
enum class Category { kScan, kAbuse, kForged, kIntrusion, kDos, kPhishing, kOther };
std::string_view Name(Category c);
std::optional<Category> ParseCategory(std::string_view name);
std::span<const Category> AllCategories();

// Subcategories as the seeds list them under each category.
enum class Subcategory {
    kProbe,              // scan: プローブ
    kScan,               // scan: スキャン
    kSuspiciousAccess,   // scan: その他不審なアクセス
    kOpenRelay,          // abuse
    kProxyMisuse,        // abuse
    kForgedHeaders,      // forged: 送信ヘッダを詐称した電子メールの配送
    kCompromise,         // intrusion: システムへの侵入
    kDefacement,         // intrusion: Web 改ざん
    kDdosAgent,          // intrusion: DDoS 攻撃ツールの設置
    kWorm,               // intrusion: ワーム感染
    kDenialOfService,    // dos
    kPhishingSite,       // phishing
    kMalware,            // other
    kVirus,              // other
    kSpam,               // other
    kOther,              // other
};
std::string_view Name(Subcategory s);
std::optional<Subcategory> ParseSubcategory(std::string_view name);
Category CategoryOf(Subcategory s);
std::span<const Subcategory> SubcategoriesOf(Category c);

// RSIT "class/type" for exchange, e.g. "information-gathering/scanner", "fraud/phishing".
std::string_view RsitOf(Subcategory s);

// Why a category was suggested: a machine code the pages translate ("firewall_lines", "keyword", ...)
// and the evidence, as values (numbers, words found, ports), never prose.
struct SuggestionReason {
    std::string code;
    std::vector<std::string> evidence;
};

struct Suggestion {
    Subcategory subcategory = Subcategory::kOther;
    Category category() const { return CategoryOf(subcategory); }
    int score = 0;  // higher is more certain; 0 = nothing matched (kOther by default)
    std::vector<SuggestionReason> reasons;
};

struct ReportText {
    std::string_view subject;
    std::string_view body;  // body and text attachments, already decoded to UTF-8
};

// The best suggestion first, then the other categories that matched. Pure: same input, same answer.
std::vector<Suggestion> SuggestCategory(const ReportText& report, const Extraction& indicators);

}  // namespace kizuna::incident
