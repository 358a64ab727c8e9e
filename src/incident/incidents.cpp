#include "incident/incidents.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <set>

namespace kizuna::incident {
namespace {

using store::Value;

template <typename E, std::size_t N>
struct Names {
    std::pair<E, std::string_view> items[N];
    std::string_view Of(E e) const {
        for (const auto& [value, name] : items)
            if (value == e) return name;
        return items[0].second;
    }
    core::Result<E> Parse(std::string_view s, std::string_view field) const {
        std::string accepted;
        for (const auto& [value, name] : items) {
            if (name == s) return value;
            accepted += (accepted.empty() ? "" : ", ") + std::string(name);
        }
        return core::InvalidArgument("must be one of " + accepted, std::string(field));
    }
};

constexpr Names<Channel, 7> kChannels{{{Channel::kEmail, "email"},
                                       {Channel::kWebForm, "web_form"},
                                       {Channel::kApi, "api"},
                                       {Channel::kIodef, "iodef"},
                                       {Channel::kPhone, "phone"},
                                       {Channel::kFax, "fax"},
                                       {Channel::kPostal, "postal"}}};
constexpr Names<Purpose, 4> kPurposes{{{Purpose::kInformation, "information"},
                                       {Purpose::kQuestion, "question"},
                                       {Purpose::kContactRequest, "contact_request"},
                                       {Purpose::kOther, "other"}}};
constexpr Names<IncidentState, 5> kStates{{{IncidentState::kOpen, "open"},
                                           {IncidentState::kNotifying, "notifying"},
                                           {IncidentState::kWaiting, "waiting"},
                                           {IncidentState::kResolved, "resolved"},
                                           {IncidentState::kRejected, "rejected"}}};

// Whole seconds, so that stored text sorts as time.
std::string Stamp(core::WallTime t) {
    return core::FormatRfc3339(std::chrono::floor<std::chrono::seconds>(t));
}

std::string TldOf(std::string_view email) {
    const auto at = email.rfind('@');
    if (at == std::string_view::npos) return {};
    std::string_view domain = email.substr(at + 1);
    while (!domain.empty() && domain.back() == '.') domain.remove_suffix(1);
    const auto dot = domain.rfind('.');
    if (dot == std::string_view::npos || dot + 1 >= domain.size()) return {};
    std::string tld(domain.substr(dot + 1));
    for (char& c : tld)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    return tld;
}

core::Status Append(store::Connection& c, std::optional<std::int64_t> incident, std::optional<std::int64_t> report,
                    std::string_view at, std::string_view actor, std::string_view event, std::string_view detail) {
    return c.Exec("INSERT INTO incident_history (incident_id, report_id, at, actor, event, detail) VALUES (?, ?, ?, ?, ?, ?)",
                  {incident ? Value(*incident) : Value(), report ? Value(*report) : Value(), std::string(at),
                   std::string(actor), std::string(event), std::string(detail)});
}

nlohmann::json SuggestionsJson(const std::vector<Suggestion>& suggestions) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& s : suggestions) {
        nlohmann::json reasons = nlohmann::json::array();
        for (const auto& r : s.reasons) reasons.push_back({{"code", r.code}, {"evidence", r.evidence}});
        out.push_back({{"category", Name(s.category())}, {"subcategory", Name(s.subcategory)}, {"score", s.score},
                       {"reasons", reasons}});
    }
    return out;
}

}  // namespace

std::string_view Name(Channel c) { return kChannels.Of(c); }
core::Result<Channel> ParseChannel(std::string_view s, std::string_view field) { return kChannels.Parse(s, field); }
std::string_view Name(Purpose p) { return kPurposes.Of(p); }
core::Result<Purpose> ParsePurpose(std::string_view s, std::string_view field) { return kPurposes.Parse(s, field); }
std::string_view Name(IncidentState s) { return kStates.Of(s); }
core::Result<IncidentState> ParseIncidentState(std::string_view s, std::string_view field) {
    return kStates.Parse(s, field);
}

IncidentService::IncidentService(store::Database& db, const core::Clock& clock, IncidentConfig config)
    : db_(db), clock_(clock), config_(std::move(config)) {}

core::Result<std::string> IncidentService::NextIdentifier(store::Connection& c, std::string_view table,
                                                          std::string_view column, std::string_view prefix,
                                                          char separator, int digits) {
    const std::string year = Stamp(clock_.Now()).substr(0, 4);
    const std::string stem = std::string(prefix) + separator + year + "-";
    KZ_ASSIGN(auto count, c.QueryInt("SELECT COUNT(*) FROM " + std::string(table) + " WHERE " + std::string(column) +
                                             " LIKE ?",
                                         {stem + "%"}));
    std::string number = std::to_string(count + 1);
    if (static_cast<int>(number.size()) < digits) number.insert(0, static_cast<std::size_t>(digits) - number.size(), '0');
    return stem + number;
}

core::Result<ReportReceipt> IncidentService::Receive(const NewReport& report, std::string_view actor) {
    if (report.subject.size() > 1000) return core::InvalidArgument("at most 1000 characters", "subject");
    if (report.body.empty() && report.attachment_texts.empty())
        return core::InvalidArgument("a report needs a body or an attachment", "body");
    if (report.reporter_email.size() > 320) return core::InvalidArgument("at most 320 characters", "reporter_email");

    ExtractOptions options;
    options.default_utc_offset_minutes = report.utc_offset_minutes;
    const std::string now = Stamp(clock_.Now());
    options.default_year = std::stoi(now.substr(0, 4));
    Extractor extractor(options);
    extractor.Add(report.subject);
    extractor.Add(report.body);
    std::string all_text = report.body;
    for (const auto& text : report.attachment_texts) {
        extractor.Add(text);
        all_text += "\n" + text;
    }
    ReportReceipt receipt;
    receipt.indicators = extractor.Finish();
    receipt.suggestions = SuggestCategory(ReportText{report.subject, all_text}, receipt.indicators);

    auto result = db_.InTransaction<ReportId>([&](store::Connection& c) -> core::Result<ReportId> {
        KZ_ASSIGN(auto ticket, NextIdentifier(c, "incident_reports", "ticket", config_.ticket_prefix, '#', 6));
        receipt.ticket = ticket;
        KZ_TRY(c.Exec("INSERT INTO incident_reports (ticket, received_at, channel, purpose, state, reporter_name,"
                      " reporter_email, reporter_org, reporter_tld, subject, body, suggested, suggestion_json)"
                      " VALUES (?, ?, ?, ?, 'incoming', ?, ?, ?, ?, ?, ?, ?, ?)",
                      {ticket, now, std::string(Name(report.channel)), std::string(Name(report.purpose)),
                       report.reporter_name, report.reporter_email, report.reporter_org, TldOf(report.reporter_email),
                       report.subject, report.body, std::string(Name(receipt.suggestions.front().subcategory)),
                       SuggestionsJson(receipt.suggestions).dump()}));
        const std::int64_t id = c.LastInsertId();
        for (const auto& i : receipt.indicators.indicators) {
            if (i.kind == IndicatorKind::kTimestamp) continue;  // kept as the addresses' first/last seen
            KZ_TRY(c.Exec("INSERT INTO incident_indicators (report_id, kind, protocol, value, count, scope, defanged,"
                          " first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                          {id, std::string(Name(i.kind)), i.protocol, i.value, static_cast<std::int64_t>(i.count),
                           std::string(Name(i.scope)), std::int64_t{i.defanged ? 1 : 0},
                           i.first_seen ? Value(Stamp(*i.first_seen)) : Value(),
                           i.last_seen ? Value(Stamp(*i.last_seen)) : Value()}));
        }
        KZ_TRY(Append(c, std::nullopt, id, now, actor, "report.received", std::string(Name(report.channel))));
        return ReportId(id);
    });
    if (!result.ok()) return result.error();
    receipt.id = *result;
    return receipt;
}

core::Result<IncidentId> IncidentService::FileAsIncident(ReportId report, Subcategory confirmed,
                                                         std::optional<IncidentId> into, std::string_view actor) {
    return db_.InTransaction<IncidentId>([&](store::Connection& c) -> core::Result<IncidentId> {
        KZ_ASSIGN(auto row, c.QueryOne("SELECT state, subject FROM incident_reports WHERE id = ?", {report.value()}));
        if (!row) return core::NotFound("no such report");
        if (row->Text(0) != "incoming") return core::FailedPrecondition("the report has already been filed");
        const std::string now = Stamp(clock_.Now());
        std::int64_t incident_id = 0;
        if (into) {
            KZ_ASSIGN(auto target, c.QueryOne("SELECT state FROM incidents WHERE id = ?", {into->value()}));
            if (!target) return core::NotFound("no such incident");
            if (target->Text(0) == "resolved" || target->Text(0) == "rejected")
                return core::FailedPrecondition("the incident is closed");
            incident_id = into->value();
            KZ_TRY(Append(c, incident_id, report.value(), now, actor, "report.merged", ""));
        } else {
            KZ_ASSIGN(auto identifier, NextIdentifier(c, "incidents", "identifier", config_.incident_prefix, '-', 4));
            const Category category = CategoryOf(confirmed);
            const auto hours_it = config_.response_hours.find(category);
            const int hours = hours_it != config_.response_hours.end() ? hours_it->second : config_.default_response_hours;
            const std::string due = Stamp(clock_.Now() + std::chrono::hours(hours));
            KZ_TRY(c.Exec("INSERT INTO incidents (identifier, title, category, subcategory, rsit, state, created_at,"
                          " first_response_due) VALUES (?, ?, ?, ?, ?, 'open', ?, ?)",
                          {identifier, row->Text(1), std::string(Name(category)), std::string(Name(confirmed)),
                           std::string(RsitOf(confirmed)), now, due}));
            incident_id = c.LastInsertId();
            KZ_TRY(Append(c, incident_id, report.value(), now, actor, "incident.opened", std::string(Name(confirmed))));
        }
        KZ_TRY(c.Exec("UPDATE incident_reports SET state = 'incident', incident_id = ? WHERE id = ?",
                      {incident_id, report.value()}));
        return IncidentId(incident_id);
    });
}

core::Status IncidentService::FileAsCorrespondence(ReportId report, std::string_view actor) {
    return db_.InTransaction([&](store::Connection& c) -> core::Status {
        KZ_ASSIGN(auto row, c.QueryOne("SELECT state FROM incident_reports WHERE id = ?", {report.value()}));
        if (!row) return core::NotFound("no such report");
        if (row->Text(0) != "incoming") return core::FailedPrecondition("the report has already been filed");
        KZ_TRY(c.Exec("UPDATE incident_reports SET state = 'correspondence' WHERE id = ?", {report.value()}));
        return Append(c, std::nullopt, report.value(), Stamp(clock_.Now()), actor, "report.correspondence", "");
    });
}

core::Status IncidentService::Reject(std::span<const ReportId> reports, std::string_view reason, std::string_view actor) {
    if (reports.empty()) return core::InvalidArgument("no reports selected", "reports");
    return db_.InTransaction([&](store::Connection& c) -> core::Status {
        const std::string now = Stamp(clock_.Now());
        for (ReportId id : reports) {
            KZ_ASSIGN(auto row, c.QueryOne("SELECT state FROM incident_reports WHERE id = ?", {id.value()}));
            if (!row) return core::NotFound("no such report");
            if (row->Text(0) != "incoming") return core::FailedPrecondition("a selected report has already been filed");
            KZ_TRY(c.Exec("UPDATE incident_reports SET state = 'rejected' WHERE id = ?", {id.value()}));
            KZ_TRY(Append(c, std::nullopt, id.value(), now, actor, "report.rejected", reason));
        }
        return core::Status();
    });
}

core::Status IncidentService::SetState(IncidentId incident, IncidentState state, std::string_view resolution,
                                       std::string_view actor) {
    const bool closing = state == IncidentState::kResolved || state == IncidentState::kRejected;
    if (closing && resolution.empty()) return core::InvalidArgument("say how the incident ended", "resolution");
    return db_.InTransaction([&](store::Connection& c) -> core::Status {
        KZ_ASSIGN(auto row, c.QueryOne("SELECT state FROM incidents WHERE id = ?", {incident.value()}));
        if (!row) return core::NotFound("no such incident");
        const std::string now = Stamp(clock_.Now());
        KZ_TRY(c.Exec("UPDATE incidents SET state = ?, closed_at = ?, resolution = ? WHERE id = ?",
                      {std::string(Name(state)), closing ? Value(now) : Value(), std::string(resolution),
                       incident.value()}));
        return Append(c, incident.value(), std::nullopt, now, actor, "incident.state",
                      row->Text(0) + ">" + std::string(Name(state)));
    });
}

core::Status IncidentService::RecordFirstResponse(IncidentId incident, std::string_view actor) {
    return db_.InTransaction([&](store::Connection& c) -> core::Status {
        const std::string now = Stamp(clock_.Now());
        KZ_TRY(c.Exec("UPDATE incidents SET first_response_at = ? WHERE id = ? AND first_response_at IS NULL",
                      {now, incident.value()}));
        if (c.ChangedRows() == 0) return core::Status();
        return Append(c, incident.value(), std::nullopt, now, actor, "incident.first_response", "");
    });
}

core::Result<QuarterStats> IncidentService::Stats(int year, int quarter) {
    if (quarter < 1 || quarter > 4) return core::InvalidArgument("quarter must be 1-4", "quarter");
    if (year < 1970 || year > 9999) return core::InvalidArgument("year out of range", "quarter");
    using namespace std::chrono;
    const auto offset = minutes(config_.quarter_utc_offset_minutes);
    const auto start_day = sys_days(std::chrono::year{year} / month{static_cast<unsigned>((quarter - 1) * 3 + 1)} / 1);
    const auto end_day = quarter == 4 ? sys_days(std::chrono::year{year + 1} / January / 1)
                                      : sys_days(std::chrono::year{year} / month{static_cast<unsigned>(quarter * 3 + 1)} / 1);
    const std::string from = Stamp(time_point_cast<microseconds>(start_day - offset));
    const std::string to = Stamp(time_point_cast<microseconds>(end_day - offset));

    QuarterStats out;
    out.year = year;
    out.quarter = quarter;
    for (Category c : AllCategories()) out.by_category[std::string(Name(c))] = 0;
    KZ_ASSIGN(auto lease, db_.Acquire());
    store::Connection& c = *lease;
    KZ_ASSIGN(out.reports,
                  c.QueryInt("SELECT COUNT(*) FROM incident_reports WHERE received_at >= ? AND received_at < ?", {from, to}));
    KZ_ASSIGN(auto categories,
                  c.Query("SELECT i.category, COUNT(*) FROM incident_reports r JOIN incidents i ON i.id = r.incident_id"
                          " WHERE r.received_at >= ? AND r.received_at < ? GROUP BY i.category",
                          {from, to}));
    for (const auto& row : categories) out.by_category[row.Text(0)] = row.Int(1);
    KZ_ASSIGN(out.incident_addresses,
                  c.QueryInt("SELECT COUNT(DISTINCT x.value) FROM incident_indicators x"
                             " JOIN incident_reports r ON r.id = x.report_id"
                             " WHERE r.state = 'incident' AND r.received_at >= ? AND r.received_at < ?"
                             " AND x.kind IN ('ipv4','ipv6') AND x.scope = 'public'",
                             {from, to}));
    KZ_ASSIGN(auto tlds, c.Query("SELECT reporter_tld, COUNT(*) FROM incident_reports WHERE received_at >= ? AND"
                                     " received_at < ? AND reporter_tld <> '' GROUP BY reporter_tld",
                                     {from, to}));
    for (const auto& row : tlds) out.reporter_tlds[row.Text(0)] = row.Int(1);
    KZ_ASSIGN(auto ports,
                  c.Query("SELECT x.value, COUNT(DISTINCT r.id) FROM incident_indicators x"
                          " JOIN incident_reports r ON r.id = x.report_id JOIN incidents i ON i.id = r.incident_id"
                          " WHERE i.category = 'scan' AND x.kind = 'port' AND r.received_at >= ? AND r.received_at < ?"
                          " GROUP BY x.value",
                          {from, to}));
    for (const auto& row : ports) out.scan_ports[row.Text(0)] = row.Int(1);
    KZ_ASSIGN(out.notifications,
                  c.QueryInt("SELECT COUNT(*) FROM incident_notifications WHERE state = 'sent' AND sent_at >= ? AND"
                             " sent_at < ?",
                             {from, to}));
    KZ_ASSIGN(auto takedowns, c.Query("SELECT requested_at, down_at FROM incident_takedowns WHERE down_at >= ? AND"
                                          " down_at < ?",
                                          {from, to}));
    std::vector<double> hours;
    for (const auto& row : takedowns) {
        auto requested = core::ParseRfc3339(row.Text(0));
        auto down = core::ParseRfc3339(row.Text(1));
        if (requested && down && *down >= *requested)
            hours.push_back(duration<double, std::ratio<3600>>(*down - *requested).count());
    }
    if (!hours.empty()) {
        std::sort(hours.begin(), hours.end());
        const std::size_t mid = hours.size() / 2;
        out.median_takedown_hours = hours.size() % 2 ? hours[mid] : (hours[mid - 1] + hours[mid]) / 2;
    }
    return out;
}

}  // namespace kizuna::incident
