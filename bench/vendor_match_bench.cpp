// V3: time to rank candidate vendors for one case (6 terms) against 100,000 keyword/component/product entries,
// VendorMatcher (in-memory postings) against SQLite as the peer (the same rows in an in-memory database with an
// index on term, one `SELECT ... WHERE term IN (...)`, then the same scoring in C++). Requirement: < 1 ms.
//
//   vendor_match_bench --benchmark_repetitions=3
//
// Synthetic data, fixed seed: 5,000 vendors x 20 entries (2 products, 3 keywords drawn from 200, 15 components
// drawn from 3,000 names, both Zipf-distributed with s = 1, so "linux" or "openssl" sit in most vendors'
// products and the tail is rare). Both sides must return the same candidates; the program checks that first.
#include <benchmark/benchmark.h>
#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "vuln/matcher.hpp"

namespace {

using kizuna::vuln::Candidate;
using kizuna::vuln::CaseTerm;
using kizuna::vuln::IndexEntry;
using kizuna::vuln::MatchKind;
using kizuna::vuln::MatchReason;
using kizuna::vuln::VendorMatcher;
using kizuna::vuln::VersionMatch;

constexpr int kVendors = 5'000;
constexpr int kProductsPerVendor = 2;
constexpr int kKeywordsPerVendor = 3;
constexpr int kComponentsPerVendor = 15;
constexpr int kComponentNames = 3'000;
constexpr int kKeywordNames = 200;
constexpr std::uint64_t kSeed = 20261122;
constexpr std::size_t kLimit = 50;

// Draws ranks 0..n-1 with probability proportional to 1 / (rank + 1)^s.
class Zipf {
  public:
    Zipf(int n, double s) : cumulative_(static_cast<std::size_t>(n)) {
        double sum = 0;
        for (int rank = 0; rank < n; ++rank) cumulative_[static_cast<std::size_t>(rank)] = sum += 1.0 / std::pow(rank + 1, s);
        for (double& value : cumulative_) value /= sum;
    }
    int operator()(std::mt19937_64& random) const {
        double u = std::uniform_real_distribution<double>(0.0, 1.0)(random);
        auto it = std::lower_bound(cumulative_.begin(), cumulative_.end(), u);
        return static_cast<int>(std::min<std::ptrdiff_t>(it - cumulative_.begin(), std::ssize(cumulative_) - 1));
    }

  private:
    std::vector<double> cumulative_;
};

std::string ComponentName(int rank) {
    static const char* const kReal[] = {"linux", "busybox", "openssl", "zlib", "uclibc", "lighttpd", "dropbear",
                                        "dnsmasq", "libcurl", "miniupnpd", "sqlite", "libxml2", "pcre2", "mbedtls"};
    if (rank < static_cast<int>(std::size(kReal))) return kReal[rank];
    return "component-" + std::to_string(rank);
}

std::string KeywordName(int rank) {
    static const char* const kReal[] = {"http-server", "upnp", "openssl", "ssh", "snmp", "tls", "dns", "ipv6"};
    if (rank < static_cast<int>(std::size(kReal))) return kReal[rank];
    return "keyword-" + std::to_string(rank);
}

std::vector<IndexEntry> SyntheticEntries() {
    std::mt19937_64 random(kSeed);
    Zipf components(kComponentNames, 1.0);
    Zipf keywords(kKeywordNames, 1.0);
    std::uniform_int_distribution<int> part(0, 12);
    std::vector<IndexEntry> entries;
    entries.reserve(kVendors * (kProductsPerVendor + kKeywordsPerVendor + kComponentsPerVendor));
    for (std::int64_t vendor = 1; vendor <= kVendors; ++vendor) {
        std::vector<std::string> products;
        for (int product = 1; product <= kProductsPerVendor; ++product) {
            products.push_back("vendor" + std::to_string(vendor) + "-product" + std::to_string(product));
            entries.push_back({vendor, MatchKind::kProduct, products.back(), products.back(), "1." + std::to_string(part(random))});
        }
        for (int index = 0; index < kKeywordsPerVendor; ++index) {
            entries.push_back({vendor, MatchKind::kKeyword, KeywordName(keywords(random)), "", ""});
        }
        for (int index = 0; index < kComponentsPerVendor; ++index) {
            std::string version = std::to_string(part(random) % 4) + "." + std::to_string(part(random)) + "." +
                                  std::to_string(part(random) * 7);
            entries.push_back({vendor, MatchKind::kComponent, ComponentName(components(random)),
                               products[static_cast<std::size_t>(index % kProductsPerVendor)], std::move(version)});
        }
    }
    return entries;
}

const std::vector<CaseTerm>& Case() {
    static const std::vector<CaseTerm> terms = {
        {MatchKind::kComponent, "openssl", ">= 3.0, < 3.0.8"}, {MatchKind::kComponent, "busybox", "< 1.36.2"},
        {MatchKind::kComponent, "lighttpd", "<= 1.4.69"},       {MatchKind::kKeyword, "upnp", ""},
        {MatchKind::kKeyword, "http-server", ""},               {MatchKind::kProduct, "vendor42-product1", ""},
    };
    return terms;
}

const std::vector<IndexEntry>& Entries() {
    static const std::vector<IndexEntry> entries = SyntheticEntries();
    return entries;
}

// ---- The peer: SQLite ----------------------------------------------------------------------------------------

struct SqliteCloser {
    void operator()(sqlite3* db) const { sqlite3_close(db); }
    void operator()(sqlite3_stmt* statement) const { sqlite3_finalize(statement); }
};
using SqliteDb = std::unique_ptr<sqlite3, SqliteCloser>;
using SqliteStatement = std::unique_ptr<sqlite3_stmt, SqliteCloser>;

void Check(int rc, sqlite3* db, const char* what) {
    if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
        std::fprintf(stderr, "sqlite: %s: %s\n", what, sqlite3_errmsg(db));
        std::exit(1);
    }
}

// The same question answered from SQLite: rows for the case's terms through the term index, then the scoring
// of VendorMatcher (best reason per vendor and term x log(1 + vendors / vendors with the term)) in C++.
class SqliteMatcher {
  public:
    explicit SqliteMatcher(const std::vector<IndexEntry>& entries) {
        sqlite3* raw = nullptr;
        Check(sqlite3_open(":memory:", &raw), raw, "open");
        db_.reset(raw);
        Exec("CREATE TABLE entry (vendor_id INTEGER NOT NULL, kind INTEGER NOT NULL, term TEXT NOT NULL, "
             "product TEXT NOT NULL, version TEXT NOT NULL)");
        Exec("BEGIN");
        SqliteStatement insert = Prepare("INSERT INTO entry VALUES (?, ?, ?, ?, ?)");
        for (const IndexEntry& entry : entries) {
            std::string term = kizuna::vuln::NormalizeTerm(entry.term);
            sqlite3_bind_int64(insert.get(), 1, entry.vendor_id);
            sqlite3_bind_int(insert.get(), 2, static_cast<int>(entry.kind));
            sqlite3_bind_text(insert.get(), 3, term.c_str(), static_cast<int>(term.size()), SQLITE_TRANSIENT);
            sqlite3_bind_text(insert.get(), 4, entry.product.c_str(), static_cast<int>(entry.product.size()),
                              SQLITE_TRANSIENT);
            sqlite3_bind_text(insert.get(), 5, entry.version.c_str(), static_cast<int>(entry.version.size()),
                              SQLITE_TRANSIENT);
            Check(sqlite3_step(insert.get()), db_.get(), "insert");
            sqlite3_reset(insert.get());
        }
        Exec("COMMIT");
        Exec("CREATE INDEX entry_term ON entry (term)");
        Exec("ANALYZE");
        // A statistic kept beside the index, like VendorMatcher's vendor count: not part of the timed query.
        SqliteStatement count = Prepare("SELECT COUNT(DISTINCT vendor_id) FROM entry");
        Check(sqlite3_step(count.get()), db_.get(), "count");
        vendors_ = static_cast<std::size_t>(sqlite3_column_int64(count.get(), 0));
    }

    std::vector<Candidate> Match(const std::vector<CaseTerm>& case_terms, std::size_t limit, std::size_t* rows_out) {
        std::vector<std::string> terms;
        for (const CaseTerm& term : case_terms) terms.push_back(kizuna::vuln::NormalizeTerm(term.term));
        sqlite3_stmt* select = SelectFor(terms.size());
        for (std::size_t index = 0; index < terms.size(); ++index) {
            sqlite3_bind_text(select, static_cast<int>(index + 1), terms[index].c_str(),
                              static_cast<int>(terms[index].size()), SQLITE_STATIC);
        }
        struct Row {
            std::int64_t vendor_id;
            MatchKind kind;
            std::size_t term_index;
            std::string product;
            std::string version;
            double weight;  // ReasonWeight
            bool version_matched;
        };
        std::unordered_map<std::string, std::size_t> term_index;
        for (std::size_t index = 0; index < terms.size(); ++index) term_index.emplace(terms[index], index);
        std::vector<Row> rows;
        int rc;
        while ((rc = sqlite3_step(select)) == SQLITE_ROW) {
            Row row;
            row.vendor_id = sqlite3_column_int64(select, 0);
            row.kind = static_cast<MatchKind>(sqlite3_column_int(select, 1));
            row.term_index = term_index.at(reinterpret_cast<const char*>(sqlite3_column_text(select, 2)));
            row.product = reinterpret_cast<const char*>(sqlite3_column_text(select, 3));
            row.version = reinterpret_cast<const char*>(sqlite3_column_text(select, 4));
            VersionMatch version = kizuna::vuln::MatchVersion(row.version, case_terms[row.term_index].version);
            row.weight = kizuna::vuln::ReasonWeight(row.kind, version);
            row.version_matched = version == VersionMatch::kMatched;
            rows.push_back(std::move(row));
        }
        Check(rc, db_.get(), "select");
        sqlite3_reset(select);
        if (rows_out != nullptr) *rows_out = rows.size();

        // vendors with each term, then per vendor the best weight per term.
        std::vector<std::vector<std::int64_t>> vendors_with(terms.size());
        std::map<std::int64_t, std::vector<double>> best;  // vendor -> best weight per term
        for (const Row& row : rows) {
            vendors_with[row.term_index].push_back(row.vendor_id);
            auto& weights = best.try_emplace(row.vendor_id, std::vector<double>(terms.size(), 0.0)).first->second;
            weights[row.term_index] = std::max(weights[row.term_index], row.weight);
        }
        std::vector<double> term_weight(terms.size());
        for (std::size_t index = 0; index < terms.size(); ++index) {
            auto& ids = vendors_with[index];
            std::sort(ids.begin(), ids.end());
            auto distinct = static_cast<std::size_t>(std::unique(ids.begin(), ids.end()) - ids.begin());
            term_weight[index] = kizuna::vuln::TermWeight(vendors_, distinct);
        }
        std::vector<Candidate> ranked;
        for (const auto& [vendor_id, weights] : best) {
            double score = 0;
            for (std::size_t index = 0; index < terms.size(); ++index) {
                if (weights[index] > 0) score += weights[index] * term_weight[index];
            }
            ranked.push_back({vendor_id, score, {}});
        }
        std::size_t count = std::min(limit, ranked.size());
        std::partial_sort(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(count), ranked.end(),
                          [](const Candidate& a, const Candidate& b) {
                              return a.score != b.score ? a.score > b.score : a.vendor_id < b.vendor_id;
                          });
        ranked.resize(count);
        std::unordered_map<std::int64_t, std::size_t> position;
        for (std::size_t index = 0; index < count; ++index) position.emplace(ranked[index].vendor_id, index);
        for (const Row& row : rows) {
            auto it = position.find(row.vendor_id);
            if (it == position.end()) continue;
            ranked[it->second].reasons.push_back(
                {row.kind, terms[row.term_index], row.product, row.version, row.version_matched});
        }
        return ranked;
    }

  private:
    void Exec(const char* sql) { Check(sqlite3_exec(db_.get(), sql, nullptr, nullptr, nullptr), db_.get(), sql); }

    SqliteStatement Prepare(const std::string& sql) {
        sqlite3_stmt* statement = nullptr;
        Check(sqlite3_prepare_v2(db_.get(), sql.c_str(), -1, &statement, nullptr), db_.get(), sql.c_str());
        return SqliteStatement(statement);
    }

    // One prepared statement per number of terms, kept like a connection's statement cache.
    sqlite3_stmt* SelectFor(std::size_t term_count) {
        auto& statement = selects_[term_count];
        if (!statement) {
            std::string sql = "SELECT vendor_id, kind, term, product, version FROM entry WHERE term IN (";
            for (std::size_t index = 0; index < term_count; ++index) sql += index == 0 ? "?" : ", ?";
            statement = Prepare(sql + ")");
        }
        return statement.get();
    }

    SqliteDb db_;
    std::size_t vendors_ = 0;
    std::map<std::size_t, SqliteStatement> selects_;
};

const VendorMatcher& Matcher() {
    static const VendorMatcher matcher(Entries());
    return matcher;
}

SqliteMatcher& Sqlite() {
    static SqliteMatcher sqlite(Entries());
    return sqlite;
}

void BM_VendorMatcher(benchmark::State& state) {
    const VendorMatcher& matcher = Matcher();
    std::size_t candidates = 0;
    for (auto _ : state) {
        auto result = matcher.Match(Case(), kLimit);
        candidates = result.size();
        benchmark::DoNotOptimize(result);
    }
    state.counters["entries"] = static_cast<double>(matcher.size());
    state.counters["candidates"] = static_cast<double>(candidates);
}

void BM_Sqlite(benchmark::State& state) {
    SqliteMatcher& sqlite = Sqlite();
    std::size_t rows = 0;
    std::size_t candidates = 0;
    for (auto _ : state) {
        auto result = sqlite.Match(Case(), kLimit, &rows);
        candidates = result.size();
        benchmark::DoNotOptimize(result);
    }
    state.counters["entries"] = static_cast<double>(Entries().size());
    state.counters["rows"] = static_cast<double>(rows);
    state.counters["candidates"] = static_cast<double>(candidates);
}

BENCHMARK(BM_VendorMatcher)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Sqlite)->Unit(benchmark::kMicrosecond);

// Both answers must agree (vendors, order, scores, reasons as a set) before any figure means anything.
bool SameCandidates(std::vector<Candidate> a, std::vector<Candidate> b) {
    if (a.size() != b.size()) return false;
    auto reason_order = [](const MatchReason& x, const MatchReason& y) {
        return std::tie(x.term, x.kind, x.product, x.version) < std::tie(y.term, y.kind, y.product, y.version);
    };
    for (std::size_t index = 0; index < a.size(); ++index) {
        if (a[index].vendor_id != b[index].vendor_id) return false;
        if (std::abs(a[index].score - b[index].score) > 1e-9 * std::max(1.0, a[index].score)) return false;
        std::sort(a[index].reasons.begin(), a[index].reasons.end(), reason_order);
        std::sort(b[index].reasons.begin(), b[index].reasons.end(), reason_order);
        if (a[index].reasons != b[index].reasons) return false;
    }
    return true;
}

// Console output as usual, plus the matcher/SQLite ratio per repetition and for the median.
class RatioReporter : public benchmark::ConsoleReporter {
  public:
    RatioReporter() : ConsoleReporter(OO_Tabular) {}  // tabular counters, no colour escapes in logs

    void ReportRuns(const std::vector<Run>& runs) override {
        ConsoleReporter::ReportRuns(runs);
        for (const Run& run : runs) {
            std::string key = run.run_type == Run::RT_Aggregate ? run.aggregate_name : "run " + std::to_string(run.repetition_index + 1);
            if (run.run_type == Run::RT_Aggregate && run.aggregate_name != "median" && run.aggregate_name != "mean") {
                continue;
            }
            bool matcher = run.run_name.function_name.find("VendorMatcher") != std::string::npos;
            (matcher ? matcher_us_ : sqlite_us_)[key] = run.GetAdjustedRealTime();
        }
    }
    void Finalize() override {
        ConsoleReporter::Finalize();
        std::printf("\n%-8s %14s %14s %10s\n", "", "matcher (us)", "sqlite (us)", "ratio");
        for (const auto& [key, matcher_us] : matcher_us_) {
            auto sqlite = sqlite_us_.find(key);
            if (sqlite == sqlite_us_.end()) continue;
            std::printf("%-8s %14.1f %14.1f %9.1fx\n", key.c_str(), matcher_us, sqlite->second,
                        sqlite->second / matcher_us);
        }
    }

  private:
    std::map<std::string, double> matcher_us_;
    std::map<std::string, double> sqlite_us_;
};

}  // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;

    std::size_t rows = 0;
    auto ours = Matcher().Match(Case(), kLimit);
    auto theirs = Sqlite().Match(Case(), kLimit, &rows);
    if (!SameCandidates(ours, theirs)) {
        std::fprintf(stderr, "VendorMatcher and SQLite disagree; figures would be meaningless\n");
        return 1;
    }
    std::printf("index: %zu entries, %zu vendors; case: %zu terms matching %zu rows; top score %.3f (vendor %lld, "
                "%zu reasons); both sides agree on all %zu candidates\n",
                Matcher().size(), Matcher().vendor_count(), Case().size(), rows, ours.empty() ? 0.0 : ours[0].score,
                ours.empty() ? 0LL : static_cast<long long>(ours[0].vendor_id), ours.empty() ? 0 : ours[0].reasons.size(),
                ours.size());

    RatioReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::Shutdown();
    return 0;
}
