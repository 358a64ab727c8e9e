// Candidate vendors for a vulnerability case (requirement V3): which vendors are likely to ship the affected
// technology, estimated from what vendors told us (technology keywords they use, products they make and the
// components with versions inside those products). A pure in-memory index; the caller loads it from the store
// and rebuilds it when vendors change their answers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace kizuna::vuln {

enum class MatchKind {
    kKeyword,    // the vendor ticked a technology keyword ("upnp", "openssl", "http-server")
    kComponent,  // a component listed in one of the vendor's products (from an SBOM or typed in)
    kProduct,    // the vendor's product itself
};

// One row of what a vendor told us. `term` is the keyword, the component name or the product name; it is
// normalised (ASCII lower-case, trimmed) by the matcher, so callers may pass it as typed. For component names
// from SBOMs pass formats::NormalizeComponentName(name) so purls and names meet. `product` is the product the
// component belongs to (display text, kept as given; empty for keywords); `version` the component's or
// product's version, or empty.
struct IndexEntry {
    std::int64_t vendor_id = 0;
    MatchKind kind = MatchKind::kKeyword;
    std::string term;
    std::string product;
    std::string version;
};

// One thing the case is about. `version` is optional: an exact version ("3.0.7") or a range of comma-separated
// clauses that must all hold ("< 3.0.8", "<= 1.4.69", ">= 1.2, < 1.3"; operators < <= > >= = ==). `kind` records
// what the coordinator meant; it does not restrict the lookup (see VendorMatcher::Match).
struct CaseTerm {
    MatchKind kind = MatchKind::kKeyword;
    std::string term;
    std::string version;
};

// Why a vendor was suggested: the index entry that matched (its kind, normalised term, product and version as
// registered) and whether its version lies in the case term's version or range.
struct MatchReason {
    MatchKind kind = MatchKind::kKeyword;
    std::string term;
    std::string product;
    std::string version;
    bool version_matched = false;

    bool operator==(const MatchReason&) const = default;
};

struct Candidate {
    std::int64_t vendor_id = 0;
    double score = 0;
    std::vector<MatchReason> reasons;  // strongest first (by ReasonWeight), then in index order
};

// ---- Version matching ---------------------------------------------------------------------------------------

enum class VersionMatch {
    kMatched,     // the version equals the case's version or lies in its range
    kUnknown,     // one side has no version, or a version or range cannot be parsed
    kNotMatched,  // both parse and the version is outside
};

// Compares dotted numeric versions: components are numbers optionally followed by lower-case letters
// ("1.1.1t" > "1.1.1" > "1.1.0z"), missing components are zero ("3.0" == "3.0.0"), a leading "v" is ignored.
// Anything else ("3.0.0-beta1", "2023-r1") cannot be parsed; two such texts still match when equal (after
// lower-casing and trimming). `affected` is the case term's version or range as documented on CaseTerm.
VersionMatch MatchVersion(std::string_view version, std::string_view affected);

// ---- Scoring ------------------------------------------------------------------------------------------------
//
// A vendor's score is the sum over the case's distinct terms of
//     best ReasonWeight among the vendor's entries for that term  ×  TermWeight(term)
// so several terms add up, while a vendor shipping openssl in 40 products is not 40 times as likely to be
// affected as one shipping it in one (all 40 are still listed as reasons).
//
// ReasonWeight = base(kind) × version factor:
//     base:    product 10, component 2, keyword 1
//     version: matched ×2, unknown ×1, not matched ×0.25
// hence product (10, 20 with a matching version) > component with matching version (4) > component (2) >
// keyword (1) > component known to be outside the affected range (0.5). A product whose version is known to
// be outside the range scores 2.5.
//
// TermWeight = log(1 + vendors / vendors_with_term): an inverse document frequency over vendors, so a term
// nearly every vendor has ("linux") weighs about log 2 = 0.69 and a term only a few vendors have weighs much
// more.
double ReasonWeight(MatchKind kind, VersionMatch version_match);
double TermWeight(std::size_t vendors, std::size_t vendors_with_term);

// Normalises a term as the index does: ASCII lower-case, surrounding whitespace removed.
std::string NormalizeTerm(std::string_view term);

namespace detail {
// One dotted component of a parsed version: its number and its letter suffix packed in base 27 so that integer
// order is lexicographic order ("" < "a" < "b" < "ba").
struct VersionPart {
    std::uint64_t number;
    std::uint64_t suffix;
};
}  // namespace detail

class VendorMatcher {
  public:
    // Builds the index; entries can come in any order. Entries whose term is empty after normalisation are
    // dropped. Immutable afterwards: concurrent Match() calls from any number of threads are safe.
    explicit VendorMatcher(std::vector<IndexEntry> entries);

    // Ranked candidates, highest score first, ties by ascending vendor_id, each with every index entry that
    // matched as a reason. Each case term is looked up by its normalised term among entries of every kind
    // (a case's "openssl" finds vendors who ship it and vendors who ticked the keyword; a product name typed as
    // a component still finds the product). Terms that are empty after normalisation are ignored; a term given
    // several times counts once, with the best version outcome of its versions. At most `limit` candidates.
    // Cost: proportional to the number of matching entries plus one zeroed score per vendor.
    std::vector<Candidate> Match(const std::vector<CaseTerm>& terms, std::size_t limit = 50) const;

    // Number of indexed entries.
    std::size_t size() const { return entries_.size(); }
    // Number of distinct vendors in the index.
    std::size_t vendor_count() const { return vendor_ids_.size(); }

  private:
    // The hot part of an entry, scanned by Match(); its strings live in sources_ at the same index.
    // Kept to 16 bytes: Match() reads one per matching entry and touches the strings in sources_ only when a
    // version cannot be parsed.
    struct Entry {
        std::uint32_t vendor_index;  // into vendor_ids_
        std::uint32_t part_offset;   // version components: parts_[part_offset, part_offset + part_count)
        std::uint16_t part_count;    // 0 unless the version parsed
        bool has_version;            // the version text is not blank (parsed or not)
        MatchKind kind;
    };
    struct TermRange {
        std::uint32_t begin;  // entries_[begin, end) share the term, sorted by vendor_index
        std::uint32_t end;
        double weight;  // TermWeight(vendors, vendors with this term)
    };
    struct TransparentHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
    };
    std::vector<Entry> entries_;
    std::vector<IndexEntry> sources_;      // same order as entries_, term normalised
    std::vector<detail::VersionPart> parts_;       // version components of every entry
    std::vector<std::int64_t> vendor_ids_;  // vendor_index -> vendor_id, ascending
    std::unordered_map<std::string, TermRange, TransparentHash, std::equal_to<>> terms_;
};

}  // namespace kizuna::vuln
