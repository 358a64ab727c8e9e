#include "formats/cvss.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <span>
#include <vector>

namespace kizuna::formats {
namespace {

constexpr std::string_view kField = "vector";

// One metric of a vector grammar: its abbreviation and the values it may take. Definitions are listed in
// specification order, which is also the canonical order of the vector string.
struct MetricDef {
    std::string_view name;
    std::span<const std::string_view> values;
    bool mandatory;
};

// Values of each metric in a parsed vector, indexed like the MetricDef table; empty when the metric is absent.
using ParsedValues = std::vector<std::string_view>;

core::Error Malformed(std::string message) { return core::InvalidArgument(std::move(message), std::string(kField)); }

// Splits "<prefix>M:V/M:V/..." against `defs`. Each metric at most once, every mandatory one present.
core::Result<ParsedValues> ParseVector(std::string_view vector, std::string_view prefix,
                                       std::span<const MetricDef> defs) {
    if (!vector.starts_with(prefix)) {
        return Malformed("must start with \"" + std::string(prefix) + "\"");
    }
    ParsedValues values(defs.size());
    std::string_view rest = vector.substr(prefix.size());
    if (rest.empty()) return Malformed("no metrics after \"" + std::string(prefix) + "\"");
    while (true) {
        const std::size_t slash = rest.find('/');
        const std::string_view component = rest.substr(0, slash);
        const std::size_t colon = component.find(':');
        if (component.empty() || colon == std::string_view::npos) {
            return Malformed("malformed component \"" + std::string(component) + "\" (expected METRIC:VALUE)");
        }
        const std::string_view name = component.substr(0, colon);
        const std::string_view value = component.substr(colon + 1);
        const auto def = std::find_if(defs.begin(), defs.end(), [&](const MetricDef& d) { return d.name == name; });
        if (def == defs.end()) return Malformed("unknown metric \"" + std::string(name) + "\"");
        const std::size_t metric_idx = static_cast<std::size_t>(def - defs.begin());
        if (!values[metric_idx].empty()) return Malformed("duplicate metric " + std::string(name));
        if (std::find(def->values.begin(), def->values.end(), value) == def->values.end()) {
            return Malformed("invalid value \"" + std::string(value) + "\" for metric " + std::string(name));
        }
        values[metric_idx] = value;
        if (slash == std::string_view::npos) break;
        rest = rest.substr(slash + 1);
    }
    for (std::size_t metric_idx = 0; metric_idx < defs.size(); ++metric_idx) {
        if (defs[metric_idx].mandatory && values[metric_idx].empty()) {
            return Malformed("missing base metric " + std::string(defs[metric_idx].name));
        }
    }
    return values;
}

CvssMetrics MetricsOf(const ParsedValues& values, std::span<const MetricDef> defs) {
    CvssMetrics metrics;
    for (std::size_t metric_idx = 0; metric_idx < defs.size(); ++metric_idx) {
        if (!values[metric_idx].empty()) {
            metrics.emplace(std::string(defs[metric_idx].name), std::string(values[metric_idx]));
        }
    }
    return metrics;
}

std::string CanonicalVector(const ParsedValues& values, std::span<const MetricDef> defs, std::string_view prefix) {
    std::string vector(prefix);
    bool first = true;
    for (std::size_t metric_idx = 0; metric_idx < defs.size(); ++metric_idx) {
        if (values[metric_idx].empty() || values[metric_idx] == "X") continue;
        if (!first) vector += '/';
        first = false;
        vector += defs[metric_idx].name;
        vector += ':';
        vector += values[metric_idx];
    }
    return vector;
}

// ---------------------------------------------------------------------------------------------------------------
// CVSS v3.1

constexpr std::string_view kPrefix31 = "CVSS:3.1/";

constexpr std::array<std::string_view, 4> kAv31 = {"N", "A", "L", "P"};
constexpr std::array<std::string_view, 2> kLh = {"L", "H"};
constexpr std::array<std::string_view, 3> kNlh = {"N", "L", "H"};
constexpr std::array<std::string_view, 2> kUi31 = {"N", "R"};
constexpr std::array<std::string_view, 2> kScope = {"U", "C"};
constexpr std::array<std::string_view, 5> kE31 = {"X", "H", "F", "P", "U"};
constexpr std::array<std::string_view, 5> kRl31 = {"X", "U", "W", "T", "O"};
constexpr std::array<std::string_view, 4> kRc31 = {"X", "C", "R", "U"};
constexpr std::array<std::string_view, 4> kReq = {"X", "H", "M", "L"};
constexpr std::array<std::string_view, 5> kMav31 = {"X", "N", "A", "L", "P"};
constexpr std::array<std::string_view, 3> kXlh = {"X", "L", "H"};
constexpr std::array<std::string_view, 4> kXnlh = {"X", "N", "L", "H"};
constexpr std::array<std::string_view, 3> kMui31 = {"X", "N", "R"};
constexpr std::array<std::string_view, 3> kMs31 = {"X", "U", "C"};

enum Metric31 : std::size_t {
    kAV,
    kAC,
    kPR,
    kUI,
    kS,
    kC,
    kI,
    kA,
    kE,
    kRL,
    kRC,
    kCR,
    kIR,
    kAR,
    kMAV,
    kMAC,
    kMPR,
    kMUI,
    kMS,
    kMC,
    kMI,
    kMA,
    kMetric31Count
};

constexpr std::array<MetricDef, kMetric31Count> kDefs31 = {{
    {"AV", kAv31, true},  {"AC", kLh, true},     {"PR", kNlh, true},     {"UI", kUi31, true},  {"S", kScope, true},
    {"C", kNlh, true},    {"I", kNlh, true},     {"A", kNlh, true},      {"E", kE31, false},   {"RL", kRl31, false},
    {"RC", kRc31, false}, {"CR", kReq, false},   {"IR", kReq, false},    {"AR", kReq, false},  {"MAV", kMav31, false},
    {"MAC", kXlh, false}, {"MPR", kXnlh, false}, {"MUI", kMui31, false}, {"MS", kMs31, false}, {"MC", kXnlh, false},
    {"MI", kXnlh, false}, {"MA", kXnlh, false},
}};

// The value in force: the modified metric when given and not X, else the base metric.
std::string_view Effective(const ParsedValues& values, Metric31 modified, Metric31 base) {
    return (values[modified].empty() || values[modified] == "X") ? values[base] : values[modified];
}

double AttackVectorWeight(std::string_view v) { return v == "N" ? 0.85 : v == "A" ? 0.62 : v == "L" ? 0.55 : 0.2; }
double AttackComplexityWeight(std::string_view v) { return v == "L" ? 0.77 : 0.44; }
double PrivilegesWeight(std::string_view v, bool scope_changed) {
    if (v == "N") return 0.85;
    if (v == "L") return scope_changed ? 0.68 : 0.62;
    return scope_changed ? 0.5 : 0.27;
}
double UserInteractionWeight(std::string_view v) { return v == "N" ? 0.85 : 0.62; }
double ImpactWeight(std::string_view v) { return v == "H" ? 0.56 : v == "L" ? 0.22 : 0.0; }
double ExploitMaturityWeight(std::string_view v) {
    return v == "F" ? 0.97 : v == "P" ? 0.94 : v == "U" ? 0.91 : 1.0;  // X and H
}
double RemediationLevelWeight(std::string_view v) {
    return v == "W" ? 0.97 : v == "T" ? 0.96 : v == "O" ? 0.95 : 1.0;  // X and U
}
double ReportConfidenceWeight(std::string_view v) { return v == "R" ? 0.96 : v == "U" ? 0.92 : 1.0; }
double RequirementWeight(std::string_view v) { return v == "H" ? 1.5 : v == "L" ? 0.5 : 1.0; }  // X and M: 1

// Roundup from the v3.1 specification, Appendix A: the smallest one-decimal number >= input, computed on
// integers so that e.g. 4.000000000000001 (a floating-point artefact of 4.0) stays 4.0.
double Roundup(double input) {
    const auto int_input = static_cast<long long>(std::llround(input * 100000));
    if (int_input % 10000 == 0) return static_cast<double>(int_input) / 100000.0;
    return static_cast<double>(int_input / 10000 + 1) / 10.0;
}

// ---------------------------------------------------------------------------------------------------------------
// CVSS v4.0. The score is the published score of the vector's macrovector (its equivalence classes EQ1-EQ6),
// lowered by how far the vector sits below the highest-severity vectors of that macrovector, in proportion to
// the gap to the next lower macrovector of each EQ. The arithmetic, including its order of operations and the
// final half-up rounding of the exact binary value, follows the FIRST calculator so that scores agree to the
// last digit.
namespace v40 {

constexpr std::string_view kPrefix = "CVSS:4.0/";

constexpr std::array<std::string_view, 4> kAv = {"N", "A", "L", "P"};
constexpr std::array<std::string_view, 2> kAc = {"L", "H"};
constexpr std::array<std::string_view, 2> kAt = {"N", "P"};
constexpr std::array<std::string_view, 3> kPr = {"N", "L", "H"};
constexpr std::array<std::string_view, 3> kUi = {"N", "P", "A"};
constexpr std::array<std::string_view, 3> kImpact = {"H", "L", "N"};
constexpr std::array<std::string_view, 4> kE = {"X", "A", "P", "U"};
constexpr std::array<std::string_view, 4> kReq = {"X", "H", "M", "L"};
constexpr std::array<std::string_view, 5> kMav = {"X", "N", "A", "L", "P"};
constexpr std::array<std::string_view, 3> kMac = {"X", "L", "H"};
constexpr std::array<std::string_view, 3> kMat = {"X", "N", "P"};
constexpr std::array<std::string_view, 4> kMpr = {"X", "N", "L", "H"};
constexpr std::array<std::string_view, 4> kMui = {"X", "N", "P", "A"};
constexpr std::array<std::string_view, 4> kMImpact = {"X", "H", "L", "N"};
constexpr std::array<std::string_view, 5> kMSafety = {"X", "S", "H", "L", "N"};  // MSI, MSA
constexpr std::array<std::string_view, 3> kSafety = {"X", "N", "P"};
constexpr std::array<std::string_view, 3> kAutomatable = {"X", "N", "Y"};
constexpr std::array<std::string_view, 4> kRecovery = {"X", "A", "U", "I"};
constexpr std::array<std::string_view, 3> kValueDensity = {"X", "D", "C"};
constexpr std::array<std::string_view, 4> kEffort = {"X", "L", "M", "H"};
constexpr std::array<std::string_view, 5> kUrgency = {"X", "Clear", "Green", "Amber", "Red"};

enum Metric : std::size_t {
    AV,
    AC,
    AT,
    PR,
    UI,
    VC,
    VI,
    VA,
    SC,
    SI,
    SA,
    E,
    CR,
    IR,
    AR,
    MAV,
    MAC,
    MAT,
    MPR,
    MUI,
    MVC,
    MVI,
    MVA,
    MSC,
    MSI,
    MSA,
    S,
    AU,
    R,
    V,
    RE,
    U,
    kMetricCount
};

constexpr std::array<MetricDef, kMetricCount> kDefs = {{
    {"AV", kAv, true},        {"AC", kAc, true},           {"AT", kAt, true},        {"PR", kPr, true},
    {"UI", kUi, true},        {"VC", kImpact, true},       {"VI", kImpact, true},    {"VA", kImpact, true},
    {"SC", kImpact, true},    {"SI", kImpact, true},       {"SA", kImpact, true},    {"E", kE, false},
    {"CR", kReq, false},      {"IR", kReq, false},         {"AR", kReq, false},      {"MAV", kMav, false},
    {"MAC", kMac, false},     {"MAT", kMat, false},        {"MPR", kMpr, false},     {"MUI", kMui, false},
    {"MVC", kMImpact, false}, {"MVI", kMImpact, false},    {"MVA", kMImpact, false}, {"MSC", kMImpact, false},
    {"MSI", kMSafety, false}, {"MSA", kMSafety, false},    {"S", kSafety, false},    {"AU", kAutomatable, false},
    {"R", kRecovery, false},  {"V", kValueDensity, false}, {"RE", kEffort, false},   {"U", kUrgency, false},
}};

// The values that count for scoring: modified metrics override base ones; an undefined E counts as Attacked
// (A) and undefined security requirements as High (H), as the specification prescribes.
struct Effective {
    std::string_view av, ac, at, pr, ui, vc, vi, va, sc, si, sa, e, cr, ir, ar;
};

std::string_view Pick(const ParsedValues& values, Metric modified, Metric base) {
    return (values[modified].empty() || values[modified] == "X") ? values[base] : values[modified];
}

std::string_view OrDefault(std::string_view value, std::string_view fallback) {
    return (value.empty() || value == "X") ? fallback : value;
}

Effective EffectiveValues(const ParsedValues& values) {
    return Effective{Pick(values, MAV, AV),      Pick(values, MAC, AC),      Pick(values, MAT, AT),
                     Pick(values, MPR, PR),      Pick(values, MUI, UI),      Pick(values, MVC, VC),
                     Pick(values, MVI, VI),      Pick(values, MVA, VA),      Pick(values, MSC, SC),
                     Pick(values, MSI, SI),      Pick(values, MSA, SA),      OrDefault(values[E], "A"),
                     OrDefault(values[CR], "H"), OrDefault(values[IR], "H"), OrDefault(values[AR], "H")};
}

// Severity levels within each metric (0.0 = most severe), used for the distance to the macrovector's maxima.
double LevelAv(std::string_view v) { return v == "N" ? 0.0 : v == "A" ? 0.1 : v == "L" ? 0.2 : 0.3; }
double LevelPr(std::string_view v) { return v == "N" ? 0.0 : v == "L" ? 0.1 : 0.2; }
double LevelUi(std::string_view v) { return v == "N" ? 0.0 : v == "P" ? 0.1 : 0.2; }
double LevelAc(std::string_view v) { return v == "L" ? 0.0 : 0.1; }
double LevelAt(std::string_view v) { return v == "N" ? 0.0 : 0.1; }
double LevelVulnerable(std::string_view v) { return v == "H" ? 0.0 : v == "L" ? 0.1 : 0.2; }
double LevelSubsequent(std::string_view v) { return v == "S" ? 0.0 : v == "H" ? 0.1 : v == "L" ? 0.2 : 0.3; }
double LevelRequirement(std::string_view v) { return v == "H" ? 0.0 : v == "M" ? 0.1 : 0.2; }

// The published macrovector scores, keyed by the digits EQ1..EQ6 (270 macrovectors; EQ3=2 implies EQ6=1).
struct MacroScore {
    std::string_view macro;
    double score;
};
constexpr std::array<MacroScore, 270> kMacroScores = {{
    {"000000", 10.0}, {"000001", 9.9}, {"000010", 9.8}, {"000011", 9.5}, {"000020", 9.5}, {"000021", 9.2},
    {"000100", 10.0}, {"000101", 9.6}, {"000110", 9.3}, {"000111", 8.7}, {"000120", 9.1}, {"000121", 8.1},
    {"000200", 9.3},  {"000201", 9.0}, {"000210", 8.9}, {"000211", 8.0}, {"000220", 8.1}, {"000221", 6.8},
    {"001000", 9.8},  {"001001", 9.5}, {"001010", 9.5}, {"001011", 9.2}, {"001020", 9.0}, {"001021", 8.4},
    {"001100", 9.3},  {"001101", 9.2}, {"001110", 8.9}, {"001111", 8.1}, {"001120", 8.1}, {"001121", 6.5},
    {"001200", 8.8},  {"001201", 8.0}, {"001210", 7.8}, {"001211", 7.0}, {"001220", 6.9}, {"001221", 4.8},
    {"002001", 9.2},  {"002011", 8.2}, {"002021", 7.2}, {"002101", 7.9}, {"002111", 6.9}, {"002121", 5.0},
    {"002201", 6.9},  {"002211", 5.5}, {"002221", 2.7}, {"010000", 9.9}, {"010001", 9.7}, {"010010", 9.5},
    {"010011", 9.2},  {"010020", 9.2}, {"010021", 8.5}, {"010100", 9.5}, {"010101", 9.1}, {"010110", 9.0},
    {"010111", 8.3},  {"010120", 8.4}, {"010121", 7.1}, {"010200", 9.2}, {"010201", 8.1}, {"010210", 8.2},
    {"010211", 7.1},  {"010220", 7.2}, {"010221", 5.3}, {"011000", 9.5}, {"011001", 9.3}, {"011010", 9.2},
    {"011011", 8.5},  {"011020", 8.5}, {"011021", 7.3}, {"011100", 9.2}, {"011101", 8.2}, {"011110", 8.0},
    {"011111", 7.2},  {"011120", 7.0}, {"011121", 5.9}, {"011200", 8.4}, {"011201", 7.0}, {"011210", 7.1},
    {"011211", 5.2},  {"011220", 5.0}, {"011221", 3.0}, {"012001", 8.6}, {"012011", 7.5}, {"012021", 5.2},
    {"012101", 7.1},  {"012111", 5.2}, {"012121", 2.9}, {"012201", 6.3}, {"012211", 2.9}, {"012221", 1.7},
    {"100000", 9.8},  {"100001", 9.5}, {"100010", 9.4}, {"100011", 8.7}, {"100020", 9.1}, {"100021", 8.1},
    {"100100", 9.4},  {"100101", 8.9}, {"100110", 8.6}, {"100111", 7.4}, {"100120", 7.7}, {"100121", 6.4},
    {"100200", 8.7},  {"100201", 7.5}, {"100210", 7.4}, {"100211", 6.3}, {"100220", 6.3}, {"100221", 4.9},
    {"101000", 9.4},  {"101001", 8.9}, {"101010", 8.8}, {"101011", 7.7}, {"101020", 7.6}, {"101021", 6.7},
    {"101100", 8.6},  {"101101", 7.6}, {"101110", 7.4}, {"101111", 5.8}, {"101120", 5.9}, {"101121", 5.0},
    {"101200", 7.2},  {"101201", 5.7}, {"101210", 5.7}, {"101211", 5.2}, {"101220", 5.2}, {"101221", 2.5},
    {"102001", 8.3},  {"102011", 7.0}, {"102021", 5.4}, {"102101", 6.5}, {"102111", 5.8}, {"102121", 2.6},
    {"102201", 5.3},  {"102211", 2.1}, {"102221", 1.3}, {"110000", 9.5}, {"110001", 9.0}, {"110010", 8.8},
    {"110011", 7.6},  {"110020", 7.6}, {"110021", 7.0}, {"110100", 9.0}, {"110101", 7.7}, {"110110", 7.5},
    {"110111", 6.2},  {"110120", 6.1}, {"110121", 5.3}, {"110200", 7.7}, {"110201", 6.6}, {"110210", 6.8},
    {"110211", 5.9},  {"110220", 5.2}, {"110221", 3.0}, {"111000", 8.9}, {"111001", 7.8}, {"111010", 7.6},
    {"111011", 6.7},  {"111020", 6.2}, {"111021", 5.8}, {"111100", 7.4}, {"111101", 5.9}, {"111110", 5.7},
    {"111111", 5.7},  {"111120", 4.7}, {"111121", 2.3}, {"111200", 6.1}, {"111201", 5.2}, {"111210", 5.7},
    {"111211", 2.9},  {"111220", 2.4}, {"111221", 1.6}, {"112001", 7.1}, {"112011", 5.9}, {"112021", 3.0},
    {"112101", 5.8},  {"112111", 2.6}, {"112121", 1.5}, {"112201", 2.3}, {"112211", 1.3}, {"112221", 0.6},
    {"200000", 9.3},  {"200001", 8.7}, {"200010", 8.6}, {"200011", 7.2}, {"200020", 7.5}, {"200021", 5.8},
    {"200100", 8.6},  {"200101", 7.4}, {"200110", 7.4}, {"200111", 6.1}, {"200120", 5.6}, {"200121", 3.4},
    {"200200", 7.0},  {"200201", 5.4}, {"200210", 5.2}, {"200211", 4.0}, {"200220", 4.0}, {"200221", 2.2},
    {"201000", 8.5},  {"201001", 7.5}, {"201010", 7.4}, {"201011", 5.5}, {"201020", 6.2}, {"201021", 5.1},
    {"201100", 7.2},  {"201101", 5.7}, {"201110", 5.5}, {"201111", 4.1}, {"201120", 4.6}, {"201121", 1.9},
    {"201200", 5.3},  {"201201", 3.6}, {"201210", 3.4}, {"201211", 1.9}, {"201220", 1.9}, {"201221", 0.8},
    {"202001", 6.4},  {"202011", 5.1}, {"202021", 2.0}, {"202101", 4.7}, {"202111", 2.1}, {"202121", 1.1},
    {"202201", 2.4},  {"202211", 0.9}, {"202221", 0.4}, {"210000", 8.8}, {"210001", 7.5}, {"210010", 7.3},
    {"210011", 5.3},  {"210020", 6.0}, {"210021", 5.0}, {"210100", 7.3}, {"210101", 5.5}, {"210110", 5.9},
    {"210111", 4.0},  {"210120", 4.1}, {"210121", 2.0}, {"210200", 5.4}, {"210201", 4.3}, {"210210", 4.5},
    {"210211", 2.2},  {"210220", 2.0}, {"210221", 1.1}, {"211000", 7.5}, {"211001", 5.5}, {"211010", 5.8},
    {"211011", 4.5},  {"211020", 4.0}, {"211021", 2.1}, {"211100", 6.1}, {"211101", 5.1}, {"211110", 4.8},
    {"211111", 1.8},  {"211120", 2.0}, {"211121", 0.9}, {"211200", 4.6}, {"211201", 1.8}, {"211210", 1.7},
    {"211211", 0.7},  {"211220", 0.8}, {"211221", 0.2}, {"212001", 5.3}, {"212011", 2.4}, {"212021", 1.4},
    {"212101", 2.4},  {"212111", 1.2}, {"212121", 0.5}, {"212201", 1.0}, {"212211", 0.3}, {"212221", 0.1},
}};

// NaN when the macrovector does not exist (a digit past its EQ's range).
double LookupMacro(const std::array<int, 6>& eq) {
    for (int digit : eq) {
        if (digit > 2) return std::nan("");
    }
    const std::array<char, 6> key = {static_cast<char>('0' + eq[0]), static_cast<char>('0' + eq[1]),
                                     static_cast<char>('0' + eq[2]), static_cast<char>('0' + eq[3]),
                                     static_cast<char>('0' + eq[4]), static_cast<char>('0' + eq[5])};
    const std::string_view wanted(key.data(), key.size());
    const auto found = std::lower_bound(kMacroScores.begin(), kMacroScores.end(), wanted,
                                        [](const MacroScore& entry, std::string_view k) { return entry.macro < k; });
    return (found != kMacroScores.end() && found->macro == wanted) ? found->score : std::nan("");
}

// The highest-severity vectors of each EQ class ("max composed" in the FIRST calculator), per metric.
struct Eq1Max {
    std::string_view av, pr, ui;
};
struct Eq2Max {
    std::string_view ac, at;
};
struct Eq3Eq6Max {
    std::string_view vc, vi, va, cr, ir, ar;
};
struct Eq4Max {
    std::string_view sc, si, sa;
};

const std::vector<Eq1Max>& Eq1Maxima(int eq1) {
    static const std::array<std::vector<Eq1Max>, 3> kMaxima = {{
        {{"N", "N", "N"}},
        {{"A", "N", "N"}, {"N", "L", "N"}, {"N", "N", "P"}},
        {{"P", "N", "N"}, {"A", "L", "P"}},
    }};
    return kMaxima[static_cast<std::size_t>(eq1)];
}

const std::vector<Eq2Max>& Eq2Maxima(int eq2) {
    static const std::array<std::vector<Eq2Max>, 2> kMaxima = {{
        {{"L", "N"}},
        {{"H", "N"}, {"L", "P"}},
    }};
    return kMaxima[static_cast<std::size_t>(eq2)];
}

const std::vector<Eq3Eq6Max>& Eq3Eq6Maxima(int eq3, int eq6) {
    static const std::array<std::vector<Eq3Eq6Max>, 6> kMaxima = {{
        {{"H", "H", "H", "H", "H", "H"}},                                  // EQ3 0, EQ6 0
        {{"H", "H", "L", "M", "M", "H"}, {"H", "H", "H", "M", "M", "M"}},  // EQ3 0, EQ6 1
        {{"L", "H", "H", "H", "H", "H"}, {"H", "L", "H", "H", "H", "H"}},  // EQ3 1, EQ6 0
        {{"L", "H", "L", "H", "M", "H"},
         {"L", "H", "H", "H", "M", "M"},
         {"H", "L", "H", "M", "H", "M"},
         {"H", "L", "L", "M", "H", "H"},
         {"L", "L", "H", "H", "H", "M"}},  // EQ3 1, EQ6 1
        {},                                // EQ3 2, EQ6 0: impossible
        {{"L", "L", "L", "H", "H", "H"}},  // EQ3 2, EQ6 1
    }};
    return kMaxima[static_cast<std::size_t>(eq3 * 2 + eq6)];
}

const Eq4Max& Eq4Maximum(int eq4) {
    static const std::array<Eq4Max, 3> kMaxima = {{{"H", "S", "S"}, {"H", "H", "H"}, {"L", "L", "L"}}};
    return kMaxima[static_cast<std::size_t>(eq4)];
}

// Depth of each EQ class in severity steps of 0.1 ("max severity" in the FIRST calculator).
constexpr std::array<int, 3> kEq1Depth = {1, 4, 5};
constexpr std::array<int, 2> kEq2Depth = {1, 2};
constexpr std::array<int, 6> kEq3Eq6Depth = {7, 6, 8, 8, 0, 10};  // indexed eq3 * 2 + eq6
constexpr std::array<int, 3> kEq4Depth = {6, 5, 4};
constexpr double kStep = 0.1;

std::array<int, 6> MacroVector(const Effective& m) {
    std::array<int, 6> eq{};
    const bool any_none = m.av == "N" || m.pr == "N" || m.ui == "N";
    if (m.av == "N" && m.pr == "N" && m.ui == "N") {
        eq[0] = 0;
    } else if (any_none && m.av != "P") {
        eq[0] = 1;
    } else {
        eq[0] = 2;
    }
    eq[1] = (m.ac == "L" && m.at == "N") ? 0 : 1;
    if (m.vc == "H" && m.vi == "H") {
        eq[2] = 0;
    } else if (m.vc == "H" || m.vi == "H" || m.va == "H") {
        eq[2] = 1;
    } else {
        eq[2] = 2;
    }
    if (m.si == "S" || m.sa == "S") {
        eq[3] = 0;
    } else if (m.sc == "H" || m.si == "H" || m.sa == "H") {
        eq[3] = 1;
    } else {
        eq[3] = 2;
    }
    eq[4] = m.e == "A" ? 0 : m.e == "P" ? 1 : 2;
    const bool high_requirement =
        (m.cr == "H" && m.vc == "H") || (m.ir == "H" && m.vi == "H") || (m.ar == "H" && m.va == "H");
    eq[5] = high_requirement ? 0 : 1;
    return eq;
}

// Per-metric severity distances of the vector below one max vector.
struct Distances {
    double av, pr, ui, ac, at, vc, vi, va, sc, si, sa, cr, ir, ar;
    bool AllNonNegative() const {
        for (double d : {av, pr, ui, ac, at, vc, vi, va, sc, si, sa, cr, ir, ar}) {
            if (d < 0) return false;
        }
        return true;
    }
};

// The distances to the first max vector (in the calculator's order) that the vector does not exceed; if none
// qualifies, to the last one tried, as the calculator does.
Distances DistancesToMaximum(const Effective& m, const std::array<int, 6>& eq) {
    Distances distances{};
    const Eq4Max& eq4_max = Eq4Maximum(eq[3]);
    for (const Eq1Max& eq1_max : Eq1Maxima(eq[0])) {
        for (const Eq2Max& eq2_max : Eq2Maxima(eq[1])) {
            for (const Eq3Eq6Max& eq3eq6_max : Eq3Eq6Maxima(eq[2], eq[5])) {
                distances = Distances{
                    LevelAv(m.av) - LevelAv(eq1_max.av),
                    LevelPr(m.pr) - LevelPr(eq1_max.pr),
                    LevelUi(m.ui) - LevelUi(eq1_max.ui),
                    LevelAc(m.ac) - LevelAc(eq2_max.ac),
                    LevelAt(m.at) - LevelAt(eq2_max.at),
                    LevelVulnerable(m.vc) - LevelVulnerable(eq3eq6_max.vc),
                    LevelVulnerable(m.vi) - LevelVulnerable(eq3eq6_max.vi),
                    LevelVulnerable(m.va) - LevelVulnerable(eq3eq6_max.va),
                    LevelSubsequent(m.sc) - LevelSubsequent(eq4_max.sc),
                    LevelSubsequent(m.si) - LevelSubsequent(eq4_max.si),
                    LevelSubsequent(m.sa) - LevelSubsequent(eq4_max.sa),
                    LevelRequirement(m.cr) - LevelRequirement(eq3eq6_max.cr),
                    LevelRequirement(m.ir) - LevelRequirement(eq3eq6_max.ir),
                    LevelRequirement(m.ar) - LevelRequirement(eq3eq6_max.ar),
                };
                if (distances.AllNonNegative()) return distances;
            }
        }
    }
    return distances;
}

// Rounds to one decimal, half up. The raw score is a sum of tenths in binary floating point, so a true 5.05
// arrives as 5.0499999999999998; the small epsilon makes it 5.1, as in the FIRST/Red Hat calculators (the
// reference vectors include such cases).
constexpr double kRoundingEpsilon = 1e-6;
double RoundTenthHalfUp(double value) {
    const double shifted = (value + kRoundingEpsilon) * 10;
    double whole = std::floor(shifted);
    if (shifted - whole >= 0.5) whole += 1;
    return whole / 10;
}

double Score(const Effective& m) {
    const std::array<std::string_view, 6> impacts = {m.vc, m.vi, m.va, m.sc, m.si, m.sa};
    if (std::all_of(impacts.begin(), impacts.end(), [](std::string_view v) { return v == "N"; })) return 0.0;
    const std::array<int, 6> eq = MacroVector(m);
    double value = LookupMacro(eq);

    auto lower = [&eq](int eq_idx, int eq6_step) {
        std::array<int, 6> next = eq;
        next[static_cast<std::size_t>(eq_idx)] += 1;
        next[5] += eq6_step;
        return LookupMacro(next);
    };
    const double eq1_lower = lower(0, 0);
    const double eq2_lower = lower(1, 0);
    double eq3eq6_lower = 0;
    if (eq[2] == 0 && eq[5] == 0) {
        // Two neighbours below (EQ6 up, or EQ3 up); the nearer in score counts.
        std::array<int, 6> left = eq;
        left[5] += 1;
        std::array<int, 6> right = eq;
        right[2] += 1;
        eq3eq6_lower = std::max(LookupMacro(left), LookupMacro(right));
    } else if (eq[2] == 1 && eq[5] == 0) {
        std::array<int, 6> next = eq;
        next[5] += 1;
        eq3eq6_lower = LookupMacro(next);
    } else if (eq[5] == 1 && eq[2] <= 1) {
        eq3eq6_lower = lower(2, 0);
    } else {
        eq3eq6_lower = lower(2, 1);  // EQ3 2, EQ6 1: nothing lower
    }
    const double eq4_lower = lower(3, 0);
    const double eq5_lower = lower(4, 0);

    const Distances d = DistancesToMaximum(m, eq);
    const double eq1_distance = d.av + d.pr + d.ui;
    const double eq2_distance = d.ac + d.at;
    const double eq3eq6_distance = d.vc + d.vi + d.va + d.cr + d.ir + d.ar;
    const double eq4_distance = d.sc + d.si + d.sa;

    int existing_lower = 0;
    // Proportional share of the gap to the next lower macrovector; zero when there is none.
    auto normalized = [&existing_lower](double lower_score, double value_now, double distance, double depth) {
        const double available = value_now - lower_score;
        if (std::isnan(available) || available < 0) return 0.0;
        ++existing_lower;
        return available * (distance / depth);
    };
    const double eq1_share =
        normalized(eq1_lower, value, eq1_distance, kEq1Depth[static_cast<std::size_t>(eq[0])] * kStep);
    const double eq2_share =
        normalized(eq2_lower, value, eq2_distance, kEq2Depth[static_cast<std::size_t>(eq[1])] * kStep);
    const double eq3eq6_share = normalized(eq3eq6_lower, value, eq3eq6_distance,
                                           kEq3Eq6Depth[static_cast<std::size_t>(eq[2] * 2 + eq[5])] * kStep);
    const double eq4_share =
        normalized(eq4_lower, value, eq4_distance, kEq4Depth[static_cast<std::size_t>(eq[3])] * kStep);
    const double eq5_share = normalized(eq5_lower, value, 0.0, 1.0);  // EQ5 has no distance within its class

    const double mean_distance =
        existing_lower == 0 ? 0.0 : (eq1_share + eq2_share + eq3eq6_share + eq4_share + eq5_share) / existing_lower;
    value -= mean_distance;
    value = std::min(10.0, std::max(0.0, value));
    return RoundTenthHalfUp(value);
}

}  // namespace v40

}  // namespace

std::string_view CvssSeverity(double score) {
    // Compare in tenths to stay clear of floating-point edges at 3.9/4.0 etc.
    const long tenths = std::lround(score * 10);
    if (tenths == 0) return "None";
    if (tenths <= 39) return "Low";
    if (tenths <= 69) return "Medium";
    if (tenths <= 89) return "High";
    return "Critical";
}

core::Result<Cvss31> ScoreCvss31(std::string_view vector) {
    KZ_ASSIGN(const ParsedValues values, ParseVector(vector, kPrefix31, kDefs31));

    Cvss31 cvss;
    cvss.metrics = MetricsOf(values, kDefs31);
    cvss.vector = CanonicalVector(values, kDefs31, kPrefix31);

    // Base score (specification section 7.1).
    const bool scope_changed = values[kS] == "C";
    const double iss =
        1 - (1 - ImpactWeight(values[kC])) * (1 - ImpactWeight(values[kI])) * (1 - ImpactWeight(values[kA]));
    const double impact = scope_changed ? 7.52 * (iss - 0.029) - 3.25 * std::pow(iss - 0.02, 15) : 6.42 * iss;
    const double exploitability = 8.22 * AttackVectorWeight(values[kAV]) * AttackComplexityWeight(values[kAC]) *
                                  PrivilegesWeight(values[kPR], scope_changed) * UserInteractionWeight(values[kUI]);
    if (impact <= 0) {
        cvss.base = 0;
    } else if (scope_changed) {
        cvss.base = Roundup(std::min(1.08 * (impact + exploitability), 10.0));
    } else {
        cvss.base = Roundup(std::min(impact + exploitability, 10.0));
    }

    // Temporal score (7.2).
    const double temporal_factor =
        ExploitMaturityWeight(values[kE]) * RemediationLevelWeight(values[kRL]) * ReportConfidenceWeight(values[kRC]);
    cvss.temporal = Roundup(cvss.base * temporal_factor);

    // Environmental score (7.3).
    const bool modified_scope_changed = Effective(values, kMS, kS) == "C";
    const double miss =
        std::min(1 - (1 - RequirementWeight(values[kCR]) * ImpactWeight(Effective(values, kMC, kC))) *
                         (1 - RequirementWeight(values[kIR]) * ImpactWeight(Effective(values, kMI, kI))) *
                         (1 - RequirementWeight(values[kAR]) * ImpactWeight(Effective(values, kMA, kA))),
                 0.915);
    const double modified_impact =
        modified_scope_changed ? 7.52 * (miss - 0.029) - 3.25 * std::pow(miss * 0.9731 - 0.02, 13) : 6.42 * miss;
    const double modified_exploitability = 8.22 * AttackVectorWeight(Effective(values, kMAV, kAV)) *
                                           AttackComplexityWeight(Effective(values, kMAC, kAC)) *
                                           PrivilegesWeight(Effective(values, kMPR, kPR), modified_scope_changed) *
                                           UserInteractionWeight(Effective(values, kMUI, kUI));
    if (modified_impact <= 0) {
        cvss.environmental = 0;
    } else if (modified_scope_changed) {
        cvss.environmental =
            Roundup(Roundup(std::min(1.08 * (modified_impact + modified_exploitability), 10.0)) * temporal_factor);
    } else {
        cvss.environmental =
            Roundup(Roundup(std::min(modified_impact + modified_exploitability, 10.0)) * temporal_factor);
    }

    cvss.severity = std::string(CvssSeverity(cvss.base));
    return cvss;
}

core::Result<Cvss40> ScoreCvss40(std::string_view vector) {
    KZ_ASSIGN(const ParsedValues values, ParseVector(vector, v40::kPrefix, v40::kDefs));
    Cvss40 cvss;
    cvss.metrics = MetricsOf(values, v40::kDefs);
    cvss.vector = CanonicalVector(values, v40::kDefs, v40::kPrefix);
    cvss.score = v40::Score(v40::EffectiveValues(values));
    cvss.severity = std::string(CvssSeverity(cvss.score));
    return cvss;
}

}  // namespace kizuna::formats
