// ScoreCvss31/ScoreCvss40 against the reference vectors in ../shared/data/cvss/ (every line must match) and
// over malformed vectors: each must come back as invalid_argument on field "vector" naming the metric at fault.
#include "formats/cvss.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <ostream>
#include <string>
#include <vector>

#include "support/temp_dir.hpp"

namespace kizuna::formats {
namespace {

// One reference line: "<vector> - <scores>", scores as "(b, t, e)", "(s,)" or "s".
struct ReferenceLine {
    int line_number = 0;
    std::string vector;
    std::vector<double> scores;
};

std::vector<ReferenceLine> ReadReference(const std::string& name) {
    const std::string path = kizuna::testing::SharedDataDir() + "/cvss/" + name;
    std::ifstream in(path);
    EXPECT_TRUE(in.good()) << path;
    std::vector<ReferenceLine> lines;
    std::string text;
    int line_number = 0;
    while (std::getline(in, text)) {
        ++line_number;
        if (text.empty()) continue;
        const std::size_t separator = text.find(" - ");
        EXPECT_NE(separator, std::string::npos) << name << ":" << line_number;
        if (separator == std::string::npos) continue;
        ReferenceLine line{line_number, text.substr(0, separator), {}};
        std::string scores = text.substr(separator + 3);
        for (char& c : scores) {
            if (c == '(' || c == ')' || c == ',') c = ' ';
        }
        std::size_t pos = 0;
        while (pos < scores.size()) {
            std::size_t used = 0;
            const std::string rest = scores.substr(pos);
            if (rest.find_first_not_of(' ') == std::string::npos) break;
            line.scores.push_back(std::stod(rest, &used));
            pos += used;
        }
        lines.push_back(std::move(line));
    }
    return lines;
}

TEST(Cvss31Test, MatchesEveryReferenceVector) {
    const std::vector<ReferenceLine> lines = ReadReference("vectors_simple31.txt");
    ASSERT_GT(lines.size(), 2000u);
    for (const ReferenceLine& line : lines) {
        SCOPED_TRACE("vectors_simple31.txt:" + std::to_string(line.line_number) + " " + line.vector);
        ASSERT_EQ(line.scores.size(), 3u);
        auto cvss = ScoreCvss31(line.vector);
        ASSERT_TRUE(cvss.ok()) << cvss.error().ToString();
        EXPECT_DOUBLE_EQ(cvss->base, line.scores[0]);
        EXPECT_DOUBLE_EQ(cvss->temporal, line.scores[1]);
        EXPECT_DOUBLE_EQ(cvss->environmental, line.scores[2]);
        EXPECT_EQ(cvss->severity, CvssSeverity(line.scores[0]));
    }
}

struct Scored31 {
    std::string vector;
    double base;
    double temporal;
    double environmental;
    std::string severity;
};

// gtest (and ctest's test list) print the vector rather than the struct's bytes.
void PrintTo(const Scored31& scored, std::ostream* out) { *out << scored.vector; }

class Cvss31ScoreTest : public ::testing::TestWithParam<Scored31> {};

// Temporal and environmental metrics, in and out of specification order (values from the FIRST calculator).
TEST_P(Cvss31ScoreTest, ScoresTemporalAndEnvironmental) {
    const Scored31& expected = GetParam();
    auto cvss = ScoreCvss31(expected.vector);
    ASSERT_TRUE(cvss.ok()) << cvss.error().ToString();
    EXPECT_DOUBLE_EQ(cvss->base, expected.base);
    EXPECT_DOUBLE_EQ(cvss->temporal, expected.temporal);
    EXPECT_DOUBLE_EQ(cvss->environmental, expected.environmental);
    EXPECT_EQ(cvss->severity, expected.severity);
}

INSTANTIATE_TEST_SUITE_P(
    Vectors, Cvss31ScoreTest,
    ::testing::Values(
        Scored31{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8, 9.8, 9.8, "Critical"},
        Scored31{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0.0, 0.0, 0.0, "None"},
        Scored31{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:U/RL:O/RC:U", 9.8, 7.8, 7.8, "Critical"},
        Scored31{"CVSS:3.1/RC:U/RL:O/E:U/A:H/I:H/C:H/S:U/UI:N/PR:N/AC:L/AV:N", 9.8, 7.8, 7.8, "Critical"},
        Scored31{"CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N/CR:H/MAV:N/MPR:N", 5.5, 5.5, 9.3, "Medium"},
        Scored31{"CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:L/I:L/A:N/MS:C", 5.4, 5.4, 6.4, "Medium"},
        Scored31{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H/E:X/RL:X/RC:X/CR:X/IR:X/AR:X/MAV:X/MAC:X/MPR:X/"
                 "MUI:X/MS:X/MC:X/MI:X/MA:X",
                 10.0, 10.0, 10.0, "Critical"}));

TEST(Cvss31Test, CanonicalVectorDropsNotDefinedAndOrdersMetrics) {
    auto cvss = ScoreCvss31("CVSS:3.1/MAV:X/E:P/A:N/I:N/C:L/S:U/UI:R/PR:N/AC:H/AV:P");
    ASSERT_TRUE(cvss.ok()) << cvss.error().ToString();
    EXPECT_EQ(cvss->vector, "CVSS:3.1/AV:P/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N/E:P");
    EXPECT_EQ(cvss->metrics.at("AV"), "P");
    EXPECT_EQ(cvss->metrics.at("MAV"), "X");
    EXPECT_EQ(cvss->metrics.count("RL"), 0u);
}

struct Malformed {
    std::string vector;
    std::string message_part;  // the error message must contain this (the metric or part at fault)
};

void PrintTo(const Malformed& malformed, std::ostream* out) { *out << '"' << malformed.vector << '"'; }

class Cvss31MalformedTest : public ::testing::TestWithParam<Malformed> {};

TEST_P(Cvss31MalformedTest, RefusesWithFieldVector) {
    auto cvss = ScoreCvss31(GetParam().vector);
    ASSERT_FALSE(cvss.ok()) << GetParam().vector;
    EXPECT_EQ(cvss.error().code(), core::ErrorCode::kInvalidArgument);
    EXPECT_EQ(cvss.error().field(), "vector");
    EXPECT_NE(cvss.error().message().find(GetParam().message_part), std::string::npos) << cvss.error().message();
}

INSTANTIATE_TEST_SUITE_P(
    Vectors, Cvss31MalformedTest,
    ::testing::Values(Malformed{"", "CVSS:3.1/"},
                      Malformed{"CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "CVSS:3.1/"},
                      Malformed{"AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "CVSS:3.1/"},
                      Malformed{"CVSS:3.1/", "no metrics"}, Malformed{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H", "A"},
                      Malformed{"CVSS:3.1/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "AV"},
                      Malformed{"CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "AV"},
                      Malformed{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:Q", "E"},
                      Malformed{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/XX:N", "XX"},
                      Malformed{"CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "duplicate metric AV"},
                      Malformed{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/", "malformed"},
                      Malformed{"CVSS:3.1/AV:N//AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "malformed"},
                      Malformed{"CVSS:3.1/AV/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "AV"},
                      Malformed{"CVSS:3.1/AV:n/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "AV"},
                      Malformed{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/MS:S", "MS"}));

TEST(Cvss40Test, MatchesEveryReferenceVector) {
    for (const std::string name : {"vectors_simple4.txt", "vectors_threat4.txt"}) {
        const std::vector<ReferenceLine> lines = ReadReference(name);
        ASSERT_FALSE(lines.empty()) << name;
        for (const ReferenceLine& line : lines) {
            SCOPED_TRACE(name + ":" + std::to_string(line.line_number) + " " + line.vector);
            ASSERT_EQ(line.scores.size(), 1u);
            auto cvss = ScoreCvss40(line.vector);
            ASSERT_TRUE(cvss.ok()) << cvss.error().ToString();
            EXPECT_DOUBLE_EQ(cvss->score, line.scores[0]);
            EXPECT_EQ(cvss->severity, CvssSeverity(line.scores[0]));
        }
    }
}

struct Scored40 {
    std::string vector;
    double score;
    std::string severity;
};

void PrintTo(const Scored40& scored, std::ostream* out) { *out << scored.vector; }

class Cvss40ScoreTest : public ::testing::TestWithParam<Scored40> {};

// Environmental and supplemental metrics, which the reference files do not exercise (scores worked by hand:
// macrovector 002001 lowered by the EQ4 distance, and 100200 lowered by the EQ1 distance).
TEST_P(Cvss40ScoreTest, Scores) {
    const Scored40& expected = GetParam();
    auto cvss = ScoreCvss40(expected.vector);
    ASSERT_TRUE(cvss.ok()) << cvss.error().ToString();
    EXPECT_DOUBLE_EQ(cvss->score, expected.score);
    EXPECT_EQ(cvss->severity, expected.severity);
}

INSTANTIATE_TEST_SUITE_P(
    Vectors, Cvss40ScoreTest,
    ::testing::Values(
        Scored40{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H", 10.0, "Critical"},
        Scored40{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N", 0.0, "None"},
        // Supplemental metrics never change the score.
        Scored40{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/S:P/AU:Y/R:I/V:C/RE:H/U:Red", 10.0,
                 "Critical"},
        // Modified subsequent-system safety impact (MSI:S) puts EQ4 at 0.
        Scored40{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N/MSI:S", 8.9, "High"},
        // Environmental metrics that only restate the base ones, and X everywhere, leave the score alone.
        Scored40{"CVSS:4.0/AV:L/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/MAV:L/MVC:H/CR:X/E:X", 8.6, "High"},
        // Base metrics out of order.
        Scored40{"CVSS:4.0/SA:H/SI:H/SC:H/VA:H/VI:H/VC:H/UI:N/PR:N/AT:N/AC:L/AV:N", 10.0, "Critical"}));

TEST(Cvss40Test, CanonicalVectorDropsNotDefinedAndOrdersMetrics) {
    auto cvss = ScoreCvss40("CVSS:4.0/U:Amber/E:X/SA:N/SI:N/SC:N/VA:N/VI:N/VC:L/UI:N/PR:N/AT:N/AC:L/AV:N/CR:L");
    ASSERT_TRUE(cvss.ok()) << cvss.error().ToString();
    EXPECT_EQ(cvss->vector, "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N/CR:L/U:Amber");
    EXPECT_EQ(cvss->metrics.at("U"), "Amber");
}

class Cvss40MalformedTest : public ::testing::TestWithParam<Malformed> {};

TEST_P(Cvss40MalformedTest, RefusesWithFieldVector) {
    auto cvss = ScoreCvss40(GetParam().vector);
    ASSERT_FALSE(cvss.ok()) << GetParam().vector;
    EXPECT_EQ(cvss.error().code(), core::ErrorCode::kInvalidArgument);
    EXPECT_EQ(cvss.error().field(), "vector");
    EXPECT_NE(cvss.error().message().find(GetParam().message_part), std::string::npos) << cvss.error().message();
}

INSTANTIATE_TEST_SUITE_P(
    Vectors, Cvss40MalformedTest,
    ::testing::Values(Malformed{"", "CVSS:4.0/"},
                      Malformed{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "CVSS:4.0/"},
                      Malformed{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H", "SA"},
                      Malformed{"CVSS:4.0/AV:N/AC:L/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H", "AT"},
                      Malformed{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:R/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H", "UI"},
                      Malformed{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:S/SA:H", "SI"},
                      Malformed{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/MSC:S", "MSC"},
                      Malformed{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/E:F", "E"},
                      Malformed{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/U:red", "U"},
                      Malformed{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/RL:O", "RL"},
                      Malformed{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/E:A/E:A",
                                "duplicate metric E"},
                      Malformed{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/", "malformed"}));

}  // namespace
}  // namespace kizuna::formats
