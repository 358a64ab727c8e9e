// CVSS scoring: vector strings as advisories carry them ("CVSS:3.1/AV:N/AC:L/..." and "CVSS:4.0/AV:N/...")
// parsed and scored by the FIRST specifications, so the scores we publish never depend on a vendor's arithmetic.
//   CVSS v3.1: https://www.first.org/cvss/v3.1/specification-document (section 7, Roundup from Appendix A).
//   CVSS v4.0: https://www.first.org/cvss/v4.0/specification-document (macrovectors EQ1-EQ6, the published
//              macrovector score table and the severity-distance interpolation of the FIRST calculator).
// Pure functions over a string: no clock, no store, no exceptions.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace kizuna::formats {

// Metric abbreviation -> value, exactly as written in the vector (e.g. "AV" -> "N"). Only metrics present.
using CvssMetrics = std::map<std::string, std::string, std::less<>>;

struct Cvss31 {
    CvssMetrics metrics;
    double base = 0;           // one decimal, 0.0-10.0
    double temporal = 0;       // equals `base` when no temporal metric is given
    double environmental = 0;  // equals `temporal` when no environmental metric is given
    std::string severity;      // of the base score: "None", "Low", "Medium", "High" or "Critical"
    // Canonical form: "CVSS:3.1/" then the metrics in specification order, "Not Defined" (X) ones left out.
    std::string vector;
};

// Parses and scores a CVSS v3.1 vector. Base metrics (AV AC PR UI S C I A) are mandatory; temporal (E RL RC)
// and environmental (CR IR AR MAV MAC MPR MUI MS MC MI MA) ones optional; each at most once, in any order.
// Errors: invalid_argument with field "vector" and a message naming the metric at fault (unknown metric,
// unknown value, duplicate, missing base metric) or the malformed part (prefix, empty component).
core::Result<Cvss31> ScoreCvss31(std::string_view vector);

struct Cvss40 {
    CvssMetrics metrics;
    double score = 0;      // CVSS-B, -BT, -BE or -BTE depending on the metrics given; one decimal, 0.0-10.0
    std::string severity;  // "None", "Low", "Medium", "High" or "Critical"
    // Canonical form: "CVSS:4.0/" then the metrics in specification order, "Not Defined" (X) ones left out.
    std::string vector;
};

// Parses and scores a CVSS v4.0 vector. Base metrics (AV AC AT PR UI VC VI VA SC SI SA) are mandatory; threat
// (E), environmental (CR IR AR MAV MAC MAT MPR MUI MVC MVI MVA MSC MSI MSA) and supplemental (S AU R V RE U)
// ones optional; each at most once, in any order. Supplemental metrics do not change the score.
// Errors: as ScoreCvss31.
core::Result<Cvss40> ScoreCvss40(std::string_view vector);

// "None" (0.0), "Low" (0.1-3.9), "Medium" (4.0-6.9), "High" (7.0-8.9), "Critical" (9.0-10.0); the same
// qualitative scale in v3.1 and v4.0.
std::string_view CvssSeverity(double score);

}  // namespace kizuna::formats
