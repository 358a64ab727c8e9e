// VendorMatcher: ranking and reasons, the kind order (product > component with matching version > component >
// keyword), version ranges, rare-term weighting, normalisation, empty inputs and the limit.
#include "vuln/matcher.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

namespace kizuna::vuln {
namespace {

constexpr auto kKeyword = MatchKind::kKeyword;
constexpr auto kComponent = MatchKind::kComponent;
constexpr auto kProduct = MatchKind::kProduct;

std::vector<std::int64_t> VendorIds(const std::vector<Candidate>& candidates) {
    std::vector<std::int64_t> ids;
    for (const Candidate& candidate : candidates) ids.push_back(candidate.vendor_id);
    return ids;
}

// Filler vendors that share nothing with the case keep the vendor count (and thus the idf) realistic.
void AddFiller(std::vector<IndexEntry>& entries, std::int64_t first_id, int count) {
    for (int index = 0; index < count; ++index) entries.push_back({first_id + index, kKeyword, "snmp", "", ""});
}

TEST(MatchVersionTest, Table) {
    struct Case {
        std::string version;
        std::string affected;
        VersionMatch expected;
    };
    const std::vector<Case> cases = {
        {"3.0.7", "3.0.7", VersionMatch::kMatched},
        {"3.0.7", "= 3.0.7", VersionMatch::kMatched},
        {"3.0", "3.0.0", VersionMatch::kMatched},
        {"v1.2", "1.2", VersionMatch::kMatched},
        {"3.0.7", "3.0.8", VersionMatch::kNotMatched},
        {"3.0.7", "< 3.0.8", VersionMatch::kMatched},
        {"3.0.8", "< 3.0.8", VersionMatch::kNotMatched},
        {"3.0.10", "< 3.0.8", VersionMatch::kNotMatched},  // numeric, not textual
        {"1.4.69", "<= 1.4.69", VersionMatch::kMatched},
        {"1.4.70", "<=1.4.69", VersionMatch::kNotMatched},
        {"1.2.5", ">= 1.2, < 1.3", VersionMatch::kMatched},
        {"1.3", ">= 1.2, < 1.3", VersionMatch::kNotMatched},
        {"1.1.9", ">= 1.2, < 1.3", VersionMatch::kNotMatched},
        {"2.0", "> 1.9.9", VersionMatch::kMatched},
        {"1.1.1t", "< 1.1.1u", VersionMatch::kMatched},
        {"1.1.1u", "< 1.1.1u", VersionMatch::kNotMatched},
        {"1.1.1", "< 1.1.1a", VersionMatch::kMatched},
        {"2022.83", "< 2022.83", VersionMatch::kNotMatched},
        {"", "< 3.0.8", VersionMatch::kUnknown},          // the vendor gave no version
        {"3.0.7", "", VersionMatch::kUnknown},            // the case gives none
        {"3.0.7", "before 3.0.8", VersionMatch::kUnknown},  // unparsable range
        {"3.0.7", ">= 3.0, < ", VersionMatch::kUnknown},
        {"3.0.0-beta1", "< 3.0.8", VersionMatch::kUnknown},  // unparsable version
        {"2023-R1", "2023-r1", VersionMatch::kMatched},       // same unparsable text
        {"1..2", "1.2", VersionMatch::kUnknown},
        {"1.2.", "1.2", VersionMatch::kUnknown},
        {"99999999999999999999", "1", VersionMatch::kUnknown},  // over 18 digits
    };
    for (const Case& test : cases) {
        EXPECT_EQ(MatchVersion(test.version, test.affected), test.expected) << test.version << " vs " << test.affected;
    }
}

TEST(VendorMatcherTest, ProductBeatsComponentWithVersionBeatsComponentBeatsKeyword) {
    // Every vendor has the term exactly once, so the term weight is the same for all; only the kind differs.
    std::vector<IndexEntry> entries = {
        {1, kKeyword, "lighttpd", "", ""},
        {2, kComponent, "lighttpd", "RT-100", ""},
        {3, kComponent, "lighttpd", "RT-200", "1.4.69"},
        {4, kProduct, "lighttpd", "lighttpd", ""},
        {5, kComponent, "lighttpd", "RT-300", "1.4.71"},  // outside the range: below a keyword
    };
    AddFiller(entries, 100, 20);
    VendorMatcher matcher(std::move(entries));
    auto candidates = matcher.Match({{kComponent, "lighttpd", "<= 1.4.69"}});
    EXPECT_EQ(VendorIds(candidates), (std::vector<std::int64_t>{4, 3, 2, 1, 5}));
    ASSERT_EQ(candidates.size(), 5u);
    EXPECT_EQ(candidates[1].reasons,
              (std::vector<MatchReason>{{kComponent, "lighttpd", "RT-200", "1.4.69", /*version_matched=*/true}}));
    EXPECT_EQ(candidates[4].reasons,
              (std::vector<MatchReason>{{kComponent, "lighttpd", "RT-300", "1.4.71", /*version_matched=*/false}}));
    const double idf = TermWeight(25, 5);
    EXPECT_DOUBLE_EQ(candidates[0].score, 10 * idf);
    EXPECT_DOUBLE_EQ(candidates[1].score, 4 * idf);
    EXPECT_DOUBLE_EQ(candidates[2].score, 2 * idf);
    EXPECT_DOUBLE_EQ(candidates[3].score, 1 * idf);
    EXPECT_DOUBLE_EQ(candidates[4].score, 0.5 * idf);
}

TEST(VendorMatcherTest, SeveralTermsAddUpAndEveryReasonIsListed) {
    std::vector<IndexEntry> entries = {
        // Vendor 10: a router with openssl and busybox, and the upnp keyword.
        {10, kComponent, "openssl", "RT-3200", "3.0.7"},
        {10, kComponent, "busybox", "RT-3200", "1.36.1"},
        {10, kKeyword, "upnp", "", ""},
        // Vendor 20: openssl in two products, one affected.
        {20, kComponent, "openssl", "NAS-1", "3.0.9"},
        {20, kComponent, "openssl", "NAS-2", "3.0.2"},
        // Vendor 30: only the keyword.
        {30, kKeyword, "upnp", "", ""},
    };
    AddFiller(entries, 100, 10);
    VendorMatcher matcher(std::move(entries));
    auto candidates = matcher.Match({{kComponent, "openssl", "< 3.0.8"}, {kComponent, "busybox", ""},
                                     {kKeyword, "upnp", ""}, {kKeyword, "no-such-term", ""}});
    EXPECT_EQ(VendorIds(candidates), (std::vector<std::int64_t>{10, 20, 30}));
    ASSERT_EQ(candidates.size(), 3u);
    // Strongest reason first.
    EXPECT_EQ(candidates[0].reasons, (std::vector<MatchReason>{{kComponent, "openssl", "RT-3200", "3.0.7", true},
                                                               {kComponent, "busybox", "RT-3200", "1.36.1", false},
                                                               {kKeyword, "upnp", "", "", false}}));
    // Both products are reasons; the score counts openssl once, with its best entry.
    EXPECT_EQ(candidates[1].reasons, (std::vector<MatchReason>{{kComponent, "openssl", "NAS-2", "3.0.2", true},
                                                               {kComponent, "openssl", "NAS-1", "3.0.9", false}}));
    EXPECT_DOUBLE_EQ(candidates[1].score, 4 * TermWeight(13, 2));
    EXPECT_DOUBLE_EQ(candidates[0].score, 4 * TermWeight(13, 2) + 2 * TermWeight(13, 1) + 1 * TermWeight(13, 2));
}

TEST(VendorMatcherTest, RareTermsWeighMore) {
    std::vector<IndexEntry> entries;
    // "linux" is in every vendor's products; "goahead" only in vendor 7's.
    for (std::int64_t vendor = 1; vendor <= 50; ++vendor) entries.push_back({vendor, kComponent, "linux", "P", ""});
    entries.push_back({7, kComponent, "goahead", "Cam", ""});
    entries.push_back({8, kComponent, "linux", "Q", ""});  // a second product does not add weight
    VendorMatcher matcher(std::move(entries));
    EXPECT_GT(TermWeight(50, 1), 3 * TermWeight(50, 50));
    auto candidates = matcher.Match({{kComponent, "linux", ""}, {kComponent, "goahead", ""}}, 3);
    EXPECT_EQ(VendorIds(candidates), (std::vector<std::int64_t>{7, 1, 2}));  // ties by vendor id; 8 is not ahead
    EXPECT_DOUBLE_EQ(candidates[0].score, 2 * std::log1p(50.0 / 50) + 2 * std::log1p(50.0 / 1));

    // Only the rare term: the common one would have matched everyone.
    auto rare = matcher.Match({{kComponent, "goahead", ""}});
    EXPECT_EQ(VendorIds(rare), (std::vector<std::int64_t>{7}));
}

TEST(VendorMatcherTest, TermsAreNormalisedOnBothSides) {
    VendorMatcher matcher({{1, kComponent, "  OpenSSL ", "RT", "3.0.7"}, {2, kKeyword, "HTTP-Server", "", ""},
                           {3, kKeyword, "   ", "", ""}});  // empty after normalisation: dropped
    EXPECT_EQ(matcher.size(), 2u);
    auto candidates = matcher.Match({{kComponent, "openssl\t", "< 3.0.8"}, {kKeyword, " http-SERVER", ""}});
    EXPECT_EQ(VendorIds(candidates), (std::vector<std::int64_t>{1, 2}));
    EXPECT_EQ(candidates[0].reasons[0].term, "openssl");
    EXPECT_EQ(candidates[1].reasons[0].term, "http-server");
}

TEST(VendorMatcherTest, AnyKindOfCaseTermFindsEveryKindOfEntry) {
    VendorMatcher matcher({{1, kProduct, "lighttpd", "lighttpd", "1.4.69"}, {2, kKeyword, "lighttpd", "", ""}});
    auto candidates = matcher.Match({{kKeyword, "lighttpd", ""}});
    EXPECT_EQ(VendorIds(candidates), (std::vector<std::int64_t>{1, 2}));
    EXPECT_EQ(candidates[0].reasons[0].kind, kProduct);
}

TEST(VendorMatcherTest, RepeatedTermCountsOnceWithTheBestVersion) {
    VendorMatcher matcher({{1, kComponent, "openssl", "RT", "1.1.1t"}, {2, kComponent, "openssl", "NAS", "3.0.9"}});
    auto candidates =
        matcher.Match({{kComponent, "openssl", ">= 3.0, < 3.0.8"}, {kComponent, "OpenSSL", ">= 1.1.1, < 1.1.1u"}});
    ASSERT_EQ(candidates.size(), 2u);
    EXPECT_EQ(candidates[0].vendor_id, 1);
    EXPECT_TRUE(candidates[0].reasons[0].version_matched);
    EXPECT_DOUBLE_EQ(candidates[0].score, 4 * TermWeight(2, 2));
    EXPECT_FALSE(candidates[1].reasons[0].version_matched);
    EXPECT_DOUBLE_EQ(candidates[1].score, 0.5 * TermWeight(2, 2));
}

TEST(VendorMatcherTest, EmptyInputs) {
    VendorMatcher empty({});
    EXPECT_EQ(empty.size(), 0u);
    EXPECT_TRUE(empty.Match({{kKeyword, "upnp", ""}}).empty());

    VendorMatcher matcher({{1, kKeyword, "upnp", "", ""}});
    EXPECT_TRUE(matcher.Match({}).empty());
    EXPECT_TRUE(matcher.Match({{kKeyword, "  ", ""}}).empty());
    EXPECT_TRUE(matcher.Match({{kKeyword, "unknown", ""}}).empty());
    EXPECT_TRUE(matcher.Match({{kKeyword, "upnp", ""}}, 0).empty());
}

TEST(VendorMatcherTest, LimitKeepsTheBest) {
    std::vector<IndexEntry> entries;
    for (std::int64_t vendor = 200; vendor > 0; --vendor) entries.push_back({vendor, kKeyword, "upnp", "", ""});
    entries.push_back({150, kProduct, "upnp", "UPnP stack", ""});
    VendorMatcher matcher(std::move(entries));
    EXPECT_EQ(matcher.vendor_count(), 200u);
    auto candidates = matcher.Match({{kKeyword, "upnp", ""}}, 4);
    EXPECT_EQ(VendorIds(candidates), (std::vector<std::int64_t>{150, 1, 2, 3}));
    EXPECT_EQ(candidates[0].reasons.size(), 2u);  // the product and the keyword
    EXPECT_EQ(matcher.Match({{kKeyword, "upnp", ""}}).size(), 50u);  // the default limit
}

}  // namespace
}  // namespace kizuna::vuln
