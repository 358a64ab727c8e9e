// Trends (MISSION O4): when does scanning of a port start, go on, and die down — and what the coordinators
// know about that port (product / vulnerability, related cases).
//
// Detection works on one port's daily series. Each day carries a level (per-sensor packets, from the
// rollups) and, when the caller has them, the day's unique sources and targets. The rule, with the
// thresholds in TrendOptions (documented in docs/ARCHITECTURE.md, "Trends"):
//   baseline  = median of the previous `baseline_days` days (robust: one burst does not move it),
//   spread    = max(1.4826 × MAD, sqrt(baseline), 1)  (MAD for the port's own day-to-day noise; the Poisson
//               term so a quiet port's tiny MAD cannot make every packet look like a surge),
//   z         = (x − baseline) / spread, ratio = (x + 1) / (baseline + 1), computed for every metric present;
//   onset     : quiet, and either first observed (the whole baseline window is zero and x ≥ min_level, and
//               — when sources are known — at least min_sources distinct sources, so one host sweeping every
//               port does not make each of them "new") or a sharp rise (ratio ≥ onset_ratio and
//               z ≥ onset_z, on the level and — when present — on the unique sources too, so one noisy
//               scanner alone does not make an onset);
//   sustained : after an onset, while the 3-day mean of the level — or, when known, of the unique sources —
//               stays ≥ sustain_ratio × its pre-onset baseline and ≥ subside_fraction of its episode peak
//               (a campaign whose many sources slow down is still going on);
//   subsiding : otherwise;
//   quiet     : subsiding for `quiet_days` days in a row with the level (and the sources, when known) back
//               within the baseline's spread, or never rose.
// Compared with DShield's trend score sqrt((S−s)²/s + (T−t)²/t) (S, T: unique sources and targets today,
// s, t: their 30-day daily means), which is also computed for reference: that score is undefined for a
// port never seen before (s = 0), grows with a port's volume even when nothing changes (a busy port's
// normal ±10 % swing scores above 10) and does not say whether activity goes on or ends.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/audit.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"
#include "observe/capture/scan_event.hpp"
#include "store/store.hpp"

namespace kizuna::observe {

struct TrendDay {
    std::int64_t day_start_micros = 0;    // UTC midnight
    double level = 0;                     // per-sensor packets of the day
    std::optional<double> sources;        // unique source addresses of the day, when known
    std::optional<double> targets;        // unique destination addresses of the day, when known
};

enum class TrendState { kQuiet, kOnset, kSustained, kSubsiding };
std::string_view TrendStateName(TrendState state);  // "quiet", "onset", "sustained", "subsiding"

struct TrendOptions {
    int baseline_days = 28;         // window of the median baseline (4 weeks: whole weekly cycles)
    double onset_ratio = 3.0;       // (x+1)/(baseline+1) at least this
    double onset_z = 4.0;           // and this many spreads above the baseline
    double min_level = 1.0;         // "first observed" needs at least this level
    double min_sources = 3.0;       // and, when unique sources are known, at least this many of them
    double sustain_ratio = 2.0;     // 3-day mean ≥ this × pre-onset baseline keeps an episode sustained
    double subside_fraction = 0.5;  // below this share of the episode's peak 3-day mean: subsiding
    int quiet_days = 7;             // subsiding days back near the baseline before the episode ends
};

// One day's verdict.
struct TrendPoint {
    std::int64_t day_start_micros = 0;
    TrendState state = TrendState::kQuiet;
    double baseline = 0;  // the level's baseline (median of the window before the day, or before the onset)
    double ratio = 1;     // (level+1)/(baseline+1)
    double z = 0;         // robust z of the level
    std::optional<double> dshield_score;  // DShield's trend score, when sources and targets are known and s, t > 0
    std::optional<double> sources;        // the day's unique sources and targets (copied from the input)
    std::optional<double> targets;
};

// One episode: onset day, the day it was last sustained, the day it started to subside, and its peak.
struct TrendEpisode {
    std::int64_t onset_micros = 0;
    bool first_observed = false;           // the port had no activity at all in the baseline window
    std::optional<std::int64_t> subsiding_micros;
    std::optional<std::int64_t> ended_micros;  // back to quiet
    double baseline = 0;
    double peak_level = 0;
    std::optional<double> source_baseline;  // median unique sources before the onset, when known
    std::optional<double> peak_sources;     // highest 3-day mean of unique sources in the episode, when known
};

struct TrendAnalysis {
    std::vector<TrendPoint> days;  // one per input day
    std::vector<TrendEpisode> episodes;
    TrendState current = TrendState::kQuiet;  // state of the last day
};

// `days` must be consecutive UTC days in ascending order (PortDaily's output); gaps are not filled here.
TrendAnalysis AnalyseTrend(const std::vector<TrendDay>& days, const TrendOptions& options = {});

// DShield's trend score for one day: sqrt((S−s)²/s + (T−t)²/t); nullopt when s or t is 0.
std::optional<double> DShieldTrendScore(double sources, double mean_sources, double targets, double mean_targets);

// What a coordinator attached to a port: the product or vulnerability it is associated with, and related
// case ids. The note text is public (it is shown next to the public trend); case links are filtered per
// viewer by the caller through the access policy.
struct PortNote {
    Protocol protocol = Protocol::kTcp;
    std::uint16_t port = 0;
    std::string note;                    // ≤ 2000 characters
    std::vector<std::int64_t> case_ids;  // vuln case ids, ≤ 20
    std::string updated_by;
    std::string updated_at;  // RFC 3339 UTC
};

// observe's tables in the center database (migrations 550–599): port notes (550) and partner CSIRTs with
// their daily IODEF deliveries (560, see partners.hpp).
std::span<const store::Migration> TrendMigrations();

// Port notes in the center's database. Thread-safe (each call takes its own connection).
// Authorisation is the caller's: the web layer asks auth::Authorize before Save.
class PortNotes {
  public:
    // All three must outlive the object.
    PortNotes(store::Database& db, const core::Clock& clock, const auth::AuditLog& audit)
        : db_(db), clock_(clock), audit_(audit) {}

    // Creates or replaces the note of (protocol, port), with an audit entry ("observe.port_note") in the
    // same transaction. kInvalidArgument naming the field for a note over 2000 characters, more than 20
    // case ids or a non-positive id. An empty note with no cases deletes the note.
    core::Status Save(Protocol protocol, std::uint16_t port, std::string_view note,
                      const std::vector<std::int64_t>& case_ids, std::string_view actor,
                      std::string_view remote_ip = "");
    core::Result<std::optional<PortNote>> Get(Protocol protocol, std::uint16_t port) const;
    core::Result<std::vector<PortNote>> All() const;  // ordered by protocol, port

  private:
    store::Database& db_;
    const core::Clock& clock_;
    const auth::AuditLog& audit_;
};

}  // namespace kizuna::observe
