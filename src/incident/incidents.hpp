// Incident reports and incidents (MISSION.md I1, I6, I9; seed 002, seed 004 §2): a report arrives (mail,
// web form, API, IODEF, or a coordinator entering a phone call or fax), its indicators are extracted and a
// category suggested; a coordinator files it as an incident (new, or merged into an existing one), as
// correspondence (tracked, not an incident), or rejects it (spam, in bulk). Every change is appended to
// the incident's history with its time, so durations (first response, closure) come from the history.
// The quarterly figures of seed 004 §2 are computed here (QuarterStats).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/ids.hpp"
#include "core/result.hpp"
#include "incident/category.hpp"
#include "incident/indicators.hpp"
#include "store/store.hpp"

namespace kizuna::incident {

struct ReportTag;
struct IncidentTag;
using ReportId = core::Id<ReportTag>;
using IncidentId = core::Id<IncidentTag>;

// Schema of incident/ (versions 2000-2999).
std::span<const store::Migration> Migrations();

enum class Channel { kEmail, kWebForm, kApi, kIodef, kPhone, kFax, kPostal };
std::string_view Name(Channel c);
core::Result<Channel> ParseChannel(std::string_view s, std::string_view field = "channel");

// Seed 002: what the reporter wants.
enum class Purpose { kInformation, kQuestion, kContactRequest, kOther };
std::string_view Name(Purpose p);
core::Result<Purpose> ParsePurpose(std::string_view s, std::string_view field = "purpose");

enum class IncidentState { kOpen, kNotifying, kWaiting, kResolved, kRejected };
std::string_view Name(IncidentState s);
core::Result<IncidentState> ParseIncidentState(std::string_view s, std::string_view field = "state");

struct NewReport {
    Channel channel = Channel::kEmail;
    Purpose purpose = Purpose::kInformation;
    std::string reporter_name;
    std::string reporter_email;
    std::string reporter_org;
    std::string subject;
    std::string body;
    std::vector<std::string> attachment_texts;  // decoded text attachments (logs, CSV)
    int utc_offset_minutes = 9 * 60;            // for timestamps written without a zone
};

struct ReportReceipt {
    ReportId id;
    std::string ticket;  // "KZIR#2026-000123": the reporter's reference, the subject tag of replies
    std::vector<Suggestion> suggestions;
    Extraction indicators;
};

struct IncidentConfig {
    std::string ticket_prefix = "KZIR";
    std::string incident_prefix = "KZINC";
    // Hours to the first response, per category (SLA); categories not listed use default_response_hours.
    std::map<Category, int> response_hours;
    int default_response_hours = 24;
    int quarter_utc_offset_minutes = 9 * 60;  // quarters are calendar quarters in the center's zone
};

struct QuarterStats {
    int year = 0, quarter = 0;
    std::int64_t reports = 0;                       // reports received in the quarter
    std::map<std::string, std::int64_t> by_category;  // the seven categories, reports filed as incidents
    std::int64_t incident_addresses = 0;            // distinct public addresses in those reports (per IP)
    std::map<std::string, std::int64_t> reporter_tlds;  // "jp", "com", ...
    std::map<std::string, std::int64_t> scan_ports;     // port → scan reports naming it
    std::int64_t notifications = 0;                  // notifications sent in the quarter
    std::optional<double> median_takedown_hours;     // over takedowns completed in the quarter
};

class IncidentService {
  public:
    IncidentService(store::Database& db, const core::Clock& clock, IncidentConfig config = {});

    // Stores a report with its extracted indicators and category suggestions. `actor` is who entered it
    // ("mail", "web", a coordinator's name for phone/fax).
    core::Result<ReportReceipt> Receive(const NewReport& report, std::string_view actor);

    // Files a report as a new incident of the confirmed subcategory, or merges it into `into`.
    core::Result<IncidentId> FileAsIncident(ReportId report, Subcategory confirmed, std::optional<IncidentId> into,
                                            std::string_view actor);
    // Tracked, not an incident.
    core::Status FileAsCorrespondence(ReportId report, std::string_view actor);
    // Bulk reject (spam). Reports already filed are refused as a whole (nothing changes).
    core::Status Reject(std::span<const ReportId> reports, std::string_view reason, std::string_view actor);

    core::Status SetState(IncidentId incident, IncidentState state, std::string_view resolution, std::string_view actor);
    core::Status RecordFirstResponse(IncidentId incident, std::string_view actor);

    core::Result<QuarterStats> Stats(int year, int quarter);

  private:
    core::Result<std::string> NextIdentifier(store::Connection& c, std::string_view table, std::string_view column,
                                             std::string_view prefix, char separator, int digits);
    store::Database& db_;
    const core::Clock& clock_;
    IncidentConfig config_;
};

}  // namespace kizuna::incident
