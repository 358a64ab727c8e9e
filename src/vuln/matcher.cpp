#include "vuln/matcher.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <span>
#include <tuple>
#include <utility>

namespace kizuna::vuln {
namespace {

using detail::VersionPart;

constexpr std::size_t kMaxNumberDigits = 18;     // fits std::uint64_t
constexpr std::size_t kMaxSuffixLetters = 12;    // 27^12 < 2^64
constexpr std::size_t kMaxVersionParts = 32;

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

std::string_view Trim(std::string_view text) {
    while (!text.empty() && IsSpace(text.front())) text.remove_prefix(1);
    while (!text.empty() && IsSpace(text.back())) text.remove_suffix(1);
    return text;
}

char LowerAscii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// Equal after NormalizeTerm, without allocating.
bool EqualsNormalized(std::string_view a, std::string_view b) {
    a = Trim(a);
    b = Trim(b);
    if (a.size() != b.size()) return false;
    for (std::size_t index = 0; index < a.size(); ++index) {
        if (LowerAscii(a[index]) != LowerAscii(b[index])) return false;
    }
    return true;
}

// Appends the components of `text` to `out`; on failure leaves `out` as it was and returns false.
bool ParseVersion(std::string_view text, std::vector<VersionPart>& out) {
    text = Trim(text);
    if (!text.empty() && (text.front() == 'v' || text.front() == 'V')) text.remove_prefix(1);
    if (text.empty()) return false;
    const std::size_t initial = out.size();
    std::size_t pos = 0;
    while (true) {
        VersionPart part{0, 0};
        std::size_t digits = 0;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
            if (++digits > kMaxNumberDigits) break;
            part.number = part.number * 10 + static_cast<std::uint64_t>(text[pos] - '0');
            ++pos;
        }
        std::size_t letters = 0;
        while (digits > 0 && digits <= kMaxNumberDigits && pos < text.size() && letters < kMaxSuffixLetters + 1) {
            char c = LowerAscii(text[pos]);
            if (c < 'a' || c > 'z') break;
            part.suffix = part.suffix * 27 + static_cast<std::uint64_t>(c - 'a' + 1);
            ++letters;
            ++pos;
        }
        bool part_ok = digits > 0 && digits <= kMaxNumberDigits && letters <= kMaxSuffixLetters;
        for (std::size_t pad = letters; part_ok && pad < kMaxSuffixLetters; ++pad) part.suffix *= 27;
        if (!part_ok || out.size() - initial >= kMaxVersionParts) {
            out.resize(initial);
            return false;
        }
        out.push_back(part);
        if (pos == text.size()) return true;
        if (text[pos] != '.' || pos + 1 == text.size()) {
            out.resize(initial);
            return false;
        }
        ++pos;
    }
}

// <0, 0, >0 like strcmp; missing components count as zero.
inline int CompareVersions(std::span<const VersionPart> a, std::span<const VersionPart> b) {
    const std::size_t count = std::max(a.size(), b.size());
    for (std::size_t index = 0; index < count; ++index) {
        VersionPart left = index < a.size() ? a[index] : VersionPart{0, 0};
        VersionPart right = index < b.size() ? b[index] : VersionPart{0, 0};
        if (left.number != right.number) return left.number < right.number ? -1 : 1;
        if (left.suffix != right.suffix) return left.suffix < right.suffix ? -1 : 1;
    }
    return 0;
}

enum class Op { kLess, kLessEqual, kGreater, kGreaterEqual, kEqual };

struct Clause {
    Op op;
    std::uint32_t offset;  // into AffectedRange::parts
    std::uint32_t count;
};

// A case term's version or range, parsed once per query.
struct AffectedRange {
    std::string_view text;      // trimmed; empty: the case gives no version
    bool parsed = false;        // clauses hold a usable range
    std::vector<Clause> clauses;
    std::vector<VersionPart> parts;

    explicit AffectedRange(std::string_view affected) : text(Trim(affected)) {
        if (text.empty()) return;
        std::string_view rest = text;
        while (true) {
            std::size_t comma = rest.find(',');
            if (!AddClause(Trim(rest.substr(0, comma)))) {
                clauses.clear();
                return;
            }
            if (comma == std::string_view::npos) break;
            rest.remove_prefix(comma + 1);
        }
        parsed = true;
    }

    bool AddClause(std::string_view clause) {
        Op op = Op::kEqual;
        for (auto [prefix, prefix_op] : {std::pair{"<=", Op::kLessEqual}, std::pair{">=", Op::kGreaterEqual},
                                         std::pair{"==", Op::kEqual}, std::pair{"<", Op::kLess},
                                         std::pair{">", Op::kGreater}, std::pair{"=", Op::kEqual}}) {
            if (clause.starts_with(prefix)) {
                op = prefix_op;
                clause.remove_prefix(std::string_view(prefix).size());
                break;
            }
        }
        auto offset = static_cast<std::uint32_t>(parts.size());
        if (!ParseVersion(clause, parts)) return false;
        clauses.push_back({op, offset, static_cast<std::uint32_t>(parts.size() - offset)});
        return true;
    }

    // `version` is the parsed version, empty when it has none or when it cannot be parsed; `version_text` is
    // called for its text only in the latter case (or when this range did not parse), which keeps Match() off
    // the entries' strings.
    template <typename TextFn>
    VersionMatch Evaluate(bool has_version, std::span<const VersionPart> version, TextFn&& version_text) const {
        if (text.empty() || !has_version) return VersionMatch::kUnknown;
        if (!parsed || version.empty()) {
            // Unparsable on either side: only the very same text counts.
            return EqualsNormalized(version_text(), text) ? VersionMatch::kMatched : VersionMatch::kUnknown;
        }
        for (const Clause& clause : clauses) {
            int order = CompareVersions(version, std::span<const VersionPart>(parts).subspan(clause.offset, clause.count));
            bool holds = false;
            switch (clause.op) {
                case Op::kLess: holds = order < 0; break;
                case Op::kLessEqual: holds = order <= 0; break;
                case Op::kGreater: holds = order > 0; break;
                case Op::kGreaterEqual: holds = order >= 0; break;
                case Op::kEqual: holds = order == 0; break;
            }
            if (!holds) return VersionMatch::kNotMatched;
        }
        return VersionMatch::kMatched;
    }
};

// ReasonWeight, inlined into Match()'s loop. Values documented in matcher.hpp.
inline double Weight(MatchKind kind, VersionMatch version_match) {
    double base = kind == MatchKind::kProduct ? 10.0 : kind == MatchKind::kComponent ? 2.0 : 1.0;
    double factor = version_match == VersionMatch::kMatched ? 2.0 : version_match == VersionMatch::kUnknown ? 1.0 : 0.25;
    return base * factor;
}

// kMatched beats kUnknown beats kNotMatched.
VersionMatch Better(VersionMatch a, VersionMatch b) {
    auto rank = [](VersionMatch match) {
        return match == VersionMatch::kMatched ? 2 : match == VersionMatch::kUnknown ? 1 : 0;
    };
    return rank(a) >= rank(b) ? a : b;
}

// One distinct term of a query with every version or range the case gives for it, and its postings.
struct QueryTerm {
    std::string term;
    bool found = false;
    std::uint32_t begin = 0;  // the term's entries in VendorMatcher::entries_
    std::uint32_t end = 0;
    double weight = 0.0;
    std::vector<AffectedRange> affected;
    bool any_version = false;  // some range is not blank; otherwise every outcome is kUnknown

    template <typename TextFn>
    VersionMatch Evaluate(bool has_version, std::span<const VersionPart> version, TextFn&& version_text) const {
        if (!any_version || !has_version) return VersionMatch::kUnknown;
        if (affected.size() == 1) return affected.front().Evaluate(has_version, version, version_text);
        VersionMatch best = VersionMatch::kNotMatched;
        for (const AffectedRange& range : affected) best = Better(best, range.Evaluate(has_version, version, version_text));
        return best;
    }
};

}  // namespace

VersionMatch MatchVersion(std::string_view version, std::string_view affected) {
    AffectedRange range(affected);
    std::vector<VersionPart> parts;
    ParseVersion(version, parts);
    return range.Evaluate(!Trim(version).empty(), parts, [&] { return version; });
}

double ReasonWeight(MatchKind kind, VersionMatch version_match) { return Weight(kind, version_match); }

double TermWeight(std::size_t vendors, std::size_t vendors_with_term) {
    if (vendors_with_term == 0) return 0.0;
    return std::log1p(static_cast<double>(vendors) / static_cast<double>(vendors_with_term));
}

std::string NormalizeTerm(std::string_view term) {
    std::string out(Trim(term));
    for (char& c : out) c = LowerAscii(c);
    return out;
}

VendorMatcher::VendorMatcher(std::vector<IndexEntry> entries) {
    std::erase_if(entries, [](IndexEntry& entry) {
        entry.term = NormalizeTerm(entry.term);
        return entry.term.empty();
    });
    vendor_ids_.reserve(entries.size());
    for (const IndexEntry& entry : entries) vendor_ids_.push_back(entry.vendor_id);
    std::sort(vendor_ids_.begin(), vendor_ids_.end());
    vendor_ids_.erase(std::unique(vendor_ids_.begin(), vendor_ids_.end()), vendor_ids_.end());
    vendor_ids_.shrink_to_fit();

    // Sorted by term, then vendor, so each term's postings are one contiguous run grouped by vendor.
    std::sort(entries.begin(), entries.end(), [](const IndexEntry& a, const IndexEntry& b) {
        return std::tie(a.term, a.vendor_id, a.kind, a.product, a.version) <
               std::tie(b.term, b.vendor_id, b.kind, b.product, b.version);
    });
    entries_.reserve(entries.size());
    for (const IndexEntry& entry : entries) {
        auto vendor = std::lower_bound(vendor_ids_.begin(), vendor_ids_.end(), entry.vendor_id);
        auto offset = static_cast<std::uint32_t>(parts_.size());
        ParseVersion(entry.version, parts_);
        entries_.push_back({static_cast<std::uint32_t>(vendor - vendor_ids_.begin()), offset,
                            static_cast<std::uint16_t>(parts_.size() - offset),
                            !Trim(entry.version).empty(), entry.kind});
    }
    sources_ = std::move(entries);

    for (std::size_t begin = 0; begin < sources_.size();) {
        std::size_t end = begin;
        std::size_t vendors_with_term = 0;
        for (; end < sources_.size() && sources_[end].term == sources_[begin].term; ++end) {
            if (end == begin || entries_[end].vendor_index != entries_[end - 1].vendor_index) ++vendors_with_term;
        }
        terms_.emplace(sources_[begin].term,
                       TermRange{static_cast<std::uint32_t>(begin), static_cast<std::uint32_t>(end),
                                 TermWeight(vendor_ids_.size(), vendors_with_term)});
        begin = end;
    }
}

std::vector<Candidate> VendorMatcher::Match(const std::vector<CaseTerm>& terms, std::size_t limit) const {
    if (limit == 0 || terms.empty() || entries_.empty()) return {};

    std::vector<QueryTerm> query;
    query.reserve(terms.size());
    for (const CaseTerm& term : terms) {
        std::string normalised = NormalizeTerm(term.term);
        if (normalised.empty()) continue;
        auto same = std::find_if(query.begin(), query.end(), [&](const QueryTerm& q) { return q.term == normalised; });
        if (same == query.end()) {
            same = query.insert(query.end(), QueryTerm{});
            if (auto found = terms_.find(std::string_view(normalised)); found != terms_.end()) {
                same->found = true;
                same->begin = found->second.begin;
                same->end = found->second.end;
                same->weight = found->second.weight;
            }
            same->term = std::move(normalised);
        }
        same->affected.emplace_back(term.version);
        same->any_version = same->any_version || !same->affected.back().text.empty();
    }

    // Per term, the best weight of each vendor's run of entries, added to the vendor's score.
    std::vector<double> scores(vendor_ids_.size(), 0.0);
    std::vector<std::uint32_t> touched;
    for (const QueryTerm& q : query) {
        for (std::uint32_t index = q.begin; index < q.end;) {
            const std::uint32_t vendor_index = entries_[index].vendor_index;
            double best = 0.0;
            for (; index < q.end && entries_[index].vendor_index == vendor_index; ++index) {
                const Entry& entry = entries_[index];
                VersionMatch version =
                    q.Evaluate(entry.has_version, std::span(parts_).subspan(entry.part_offset, entry.part_count),
                               [&]() -> std::string_view { return sources_[index].version; });
                best = std::max(best, Weight(entry.kind, version));
            }
            if (scores[vendor_index] == 0.0) touched.push_back(vendor_index);
            scores[vendor_index] += best * q.weight;
        }
    }

    // vendor_ids_ ascends with vendor_index, so ties by vendor_index are ties by vendor_id.
    auto ranks_before = [&](std::uint32_t a, std::uint32_t b) {
        return scores[a] != scores[b] ? scores[a] > scores[b] : a < b;
    };
    const std::size_t count = std::min(limit, touched.size());
    std::partial_sort(touched.begin(), touched.begin() + static_cast<std::ptrdiff_t>(count), touched.end(),
                      ranks_before);

    // Every entry of `vendor_index` for term `q`, with its weight.
    auto add_reasons = [&](const QueryTerm& q, std::uint32_t vendor_index, std::vector<MatchReason>& reasons,
                           std::vector<double>& weights) {
        auto first = entries_.begin() + q.begin;
        auto last = entries_.begin() + q.end;
        auto run = std::lower_bound(first, last, vendor_index,
                                    [](const Entry& entry, std::uint32_t vendor) { return entry.vendor_index < vendor; });
        for (; run != last && run->vendor_index == vendor_index; ++run) {
            const IndexEntry& source = sources_[static_cast<std::size_t>(run - entries_.begin())];
            VersionMatch version =
                q.Evaluate(run->has_version, std::span(parts_).subspan(run->part_offset, run->part_count),
                           [&]() -> std::string_view { return source.version; });
            reasons.push_back(
                {source.kind, source.term, source.product, source.version, version == VersionMatch::kMatched});
            weights.push_back(ReasonWeight(source.kind, version));
        }
    };

    std::vector<Candidate> candidates;
    candidates.reserve(count);
    std::vector<double> weights;
    for (std::size_t rank = 0; rank < count; ++rank) {
        const std::uint32_t vendor_index = touched[rank];
        Candidate candidate{vendor_ids_[vendor_index], scores[vendor_index], {}};
        weights.clear();
        for (const QueryTerm& q : query) add_reasons(q, vendor_index, candidate.reasons, weights);
        // Strongest first; stable, so equal weights stay in the order of the case's terms.
        std::vector<std::size_t> order(candidate.reasons.size());
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return weights[a] > weights[b]; });
        std::vector<MatchReason> sorted;
        sorted.reserve(order.size());
        for (std::size_t index : order) sorted.push_back(std::move(candidate.reasons[index]));
        candidate.reasons = std::move(sorted);
        candidates.push_back(std::move(candidate));
    }
    return candidates;
}

}  // namespace kizuna::vuln
