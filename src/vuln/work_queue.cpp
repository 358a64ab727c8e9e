#include "vuln/work_queue.hpp"

#include <algorithm>

namespace kizuna::vuln {
namespace {

constexpr int kMaxPerPage = 200;
constexpr std::size_t kExcerptBytes = 140;

// Roles whose messages are the center's own: a thread whose newest message has one of them waits on the
// other side, any other newest author (vendor, reporter, partner, mail) waits on the center.
constexpr const char* kCenterRoles = "('coordinator','admin','system')";

// Cuts at a UTF-8 character boundary.
std::string Excerpt(const std::string& text) {
    if (text.size() <= kExcerptBytes) return text;
    std::size_t end = kExcerptBytes;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
    return text.substr(0, end) + "…";
}

const char* kSelectCases =
    "SELECT c.id, c.identifier, c.title, c.source, c.state, c.verification, c.created_at, c.owner_user_id,"
    " coalesce(u.name, ''), coalesce(u.display_name, ''), coalesce(ev.last_at, c.created_at),"
    " (SELECT count(*) FROM case_vendors v WHERE v.case_id = c.id),"
    " (SELECT count(*) FROM messages m WHERE m.case_id = c.id AND m.author_role NOT IN ('coordinator','admin','system')"
    "   AND m.id = (SELECT max(m2.id) FROM messages m2 WHERE m2.case_id = c.id AND m2.thread = m.thread)),"
    " (SELECT count(*) FROM case_vendors r WHERE r.case_id = c.id AND r.answer = 'request_details'"
    "   AND r.details_sent_at = '') +"
    " (SELECT count(*) FROM date_change_requests d WHERE d.case_id = c.id AND d.state = 'open')"
    " FROM cases c LEFT JOIN users u ON u.id = c.owner_user_id"
    " LEFT JOIN (SELECT case_id, max(at) AS last_at FROM case_events GROUP BY case_id) ev ON ev.case_id = c.id"
    " WHERE ";

bool SortLess(const QueueCase& a, const QueueCase& b, CaseSort sort) {
    switch (sort) {
        case CaseSort::kId: return a.id.value() < b.id.value();
        case CaseSort::kState:
            if (a.state != b.state) return static_cast<int>(a.state) < static_cast<int>(b.state);
            return a.id.value() < b.id.value();
        case CaseSort::kUpdated:
            if (a.last_activity != b.last_activity) return a.last_activity < b.last_activity;
            return a.id.value() < b.id.value();
        case CaseSort::kDue:
            // Cases that are never due sort after every due one (ascending).
            if (a.due.has_value() != b.due.has_value()) return a.due.has_value();
            if (a.due && *a.due != *b.due) return *a.due < *b.due;
            return a.id.value() < b.id.value();
    }
    return false;
}

}  // namespace

std::optional<int> ResponseDaysFor(CaseState state, const ResponseDays& days) {
    switch (state) {
        case CaseState::kReceived: return days.received;
        case CaseState::kVerified: return days.verified;
        case CaseState::kCoordinating: return days.coordinating;
        case CaseState::kRejected:
        case CaseState::kClosed: return std::nullopt;
    }
    return std::nullopt;
}

std::optional<core::WallTime> DueAt(CaseState state, core::WallTime last_activity, const ResponseDays& days) {
    auto n = ResponseDaysFor(state, days);
    if (!n) return std::nullopt;
    return last_activity + std::chrono::days(*n);
}

bool IsOverdue(CaseState state, core::WallTime last_activity, const ResponseDays& days, core::WallTime now) {
    auto due = DueAt(state, last_activity, days);
    return due && now > *due;
}

std::optional<CaseSort> ParseCaseSort(std::string_view text) {
    if (text == "id") return CaseSort::kId;
    if (text == "state") return CaseSort::kState;
    if (text == "updated") return CaseSort::kUpdated;
    if (text == "due") return CaseSort::kDue;
    return std::nullopt;
}

std::string_view Name(CaseSort sort) {
    switch (sort) {
        case CaseSort::kId: return "id";
        case CaseSort::kState: return "state";
        case CaseSort::kUpdated: return "updated";
        case CaseSort::kDue: return "due";
    }
    return "id";
}

core::Result<std::vector<QueueCase>> CaseQueue::Load(store::Connection& c, const std::string& where,
                                                     const std::vector<store::Value>& params) {
    KZ_ASSIGN(auto rows, c.Query(std::string(kSelectCases) + where, params));
    const core::WallTime now = clock_.Now();
    std::vector<QueueCase> out;
    out.reserve(rows.size());
    for (const auto& r : rows) {
        QueueCase q;
        q.id = CaseId(r.Int(0));
        q.identifier = r.Text(1);
        q.title = r.Text(2);
        KZ_ASSIGN(q.source, ParseSource(r.Text(3)));
        KZ_ASSIGN(q.state, ParseCaseState(r.Text(4)));
        KZ_ASSIGN(q.verification, ParseVerification(r.Text(5)));
        q.created_at = r.Text(6);
        if (!r.IsNull(7)) q.owner = auth::UserId(r.Int(7));
        q.owner_name = r.Text(8);
        q.owner_display_name = r.Text(9).empty() ? q.owner_name : r.Text(9);
        auto last = core::ParseRfc3339(r.Text(10));
        if (!last) last = core::ParseRfc3339(q.created_at);
        q.last_activity = last.value_or(now);
        q.due = DueAt(q.state, q.last_activity, days_);
        q.overdue = IsOverdue(q.state, q.last_activity, days_, now);
        q.vendor_count = static_cast<int>(r.Int(11));
        q.unanswered_threads = static_cast<int>(r.Int(12));
        q.open_requests = static_cast<int>(r.Int(13));
        out.push_back(std::move(q));
    }
    return out;
}

core::Result<CasePage> CaseQueue::Search(const CaseQuery& query, const Caller& caller) {
    if (!caller.principal) return core::Unauthenticated("log in to see cases");
    if (!caller.staff()) return core::NotFound("the case queue is for coordinators");
    std::string where = "1";
    std::vector<store::Value> params;
    if (query.state) {
        where += " AND c.state = ?";
        params.push_back(std::string(Name(*query.state)));
    }
    if (query.source) {
        where += " AND c.source = ?";
        params.push_back(std::string(Name(*query.source)));
    }
    if (query.owner == "none") {
        where += " AND c.owner_user_id IS NULL";
    } else if (query.owner == "me") {
        where += " AND c.owner_user_id = ?";
        params.push_back(caller.principal->id.value());
    } else if (!query.owner.empty()) {
        where += " AND u.name = ?";
        params.push_back(query.owner);
    }
    if (query.vendor) {
        where += " AND EXISTS (SELECT 1 FROM case_vendors cv WHERE cv.case_id = c.id AND cv.vendor_id = ?)";
        params.push_back(query.vendor->value());
    }
    if (!query.text.empty()) {
        where += " AND (c.identifier LIKE ? OR c.title LIKE ?)";
        params.push_back("%" + query.text + "%");
        params.push_back("%" + query.text + "%");
    }
    KZ_ASSIGN(auto lease, db_.Acquire());
    KZ_ASSIGN(auto all, Load(*lease, where, params));
    const CaseSort sort = query.sort;
    const bool desc = query.descending;
    std::stable_sort(all.begin(), all.end(), [&](const QueueCase& a, const QueueCase& b) {
        return desc ? SortLess(b, a, sort) : SortLess(a, b, sort);
    });
    CasePage page;
    page.total = static_cast<int>(all.size());
    page.per_page = std::clamp(query.per_page, 1, kMaxPerPage);
    page.page = std::clamp(query.page, 1, page.pages());
    const auto first = static_cast<std::size_t>((page.page - 1) * page.per_page);
    for (std::size_t i = first; i < all.size() && i < first + static_cast<std::size_t>(page.per_page); ++i)
        page.items.push_back(std::move(all[i]));
    return page;
}

core::Result<WorkQueue> CaseQueue::For(const Caller& caller) {
    if (!caller.principal) return core::Unauthenticated("log in to see the work queue");
    if (!caller.staff()) return core::NotFound("the work queue is for coordinators");
    KZ_ASSIGN(auto lease, db_.Acquire());
    KZ_ASSIGN(auto open, Load(*lease, "c.state IN ('received','verified','coordinating')", {}));
    WorkQueue q;
    const auth::UserId me = caller.principal->id;
    for (const auto& c : open) {
        const bool mine = c.owner && *c.owner == me;
        if (mine) q.mine.push_back(c);
        if (!c.owner && c.state == CaseState::kReceived) q.unowned_new.push_back(c);
        if (mine && (c.unanswered_threads > 0 || c.open_requests > 0 || c.overdue)) q.waiting_on_me.push_back(c);
        if (c.overdue) q.overdue.push_back(c);
    }
    auto by_due = [](const QueueCase& a, const QueueCase& b) { return SortLess(a, b, CaseSort::kDue); };
    std::stable_sort(q.mine.begin(), q.mine.end(), by_due);
    std::stable_sort(q.waiting_on_me.begin(), q.waiting_on_me.end(), by_due);
    std::stable_sort(q.overdue.begin(), q.overdue.end(), by_due);
    std::stable_sort(q.unowned_new.begin(), q.unowned_new.end(),
                     [](const QueueCase& a, const QueueCase& b) { return a.id.value() < b.id.value(); });

    KZ_ASSIGN(auto rows,
              lease->Query(std::string("SELECT m.id, m.case_id, c.identifier, m.thread, m.author, m.author_role, m.at,"
                                       " m.body, coalesce(v.name, '') FROM messages m JOIN cases c ON c.id = m.case_id"
                                       " LEFT JOIN vendors v ON m.thread = 'vendor:' || v.id"
                                       " WHERE c.state IN ('received','verified','coordinating')"
                                       " AND m.author_role NOT IN ") +
                               kCenterRoles +
                               " AND m.id = (SELECT max(m2.id) FROM messages m2 WHERE m2.case_id = m.case_id"
                               " AND m2.thread = m.thread) ORDER BY m.id DESC LIMIT 50"));
    for (const auto& r : rows) {
        UnansweredMessage m;
        m.message_id = r.Int(0);
        m.case_id = CaseId(r.Int(1));
        m.identifier = r.Text(2);
        m.thread = r.Text(3);
        m.author = r.Text(4);
        m.author_role = r.Text(5);
        m.at = r.Text(6);
        m.excerpt = Excerpt(r.Text(7));
        m.vendor_name = r.Text(8);
        q.messages.push_back(std::move(m));
    }
    return q;
}

core::Status CaseQueue::AssignOwner(CaseId id, std::optional<std::string> owner_name, const Caller& caller) {
    if (!caller.principal) return core::Unauthenticated("log in to assign cases");
    if (!caller.staff()) return core::NotFound("no such case");
    return db_.InTransaction([&](store::Connection& c) -> core::Status {
        KZ_ASSIGN(auto exists, c.QueryInt("SELECT count(*) FROM cases WHERE id = ?", {id.value()}));
        if (exists == 0) return core::NotFound("no such case");
        store::Value owner = store::Null();
        if (owner_name) {
            KZ_ASSIGN(auto user, c.QueryOne("SELECT id, role, disabled FROM users WHERE name = ?", {*owner_name}));
            if (!user) return core::InvalidArgument("no such account", "owner");
            if (user->Int(2) != 0) return core::InvalidArgument("the account is disabled", "owner");
            if (user->Text(1) != "coordinator" && user->Text(1) != "admin")
                return core::InvalidArgument("only coordinators and admins own cases", "owner");
            owner = user->Int(0);
        }
        KZ_TRY(c.Exec("UPDATE cases SET owner_user_id = ? WHERE id = ?", {owner, id.value()}));
        auto seq = audit_.Append(c, {caller.name(), "case.assign", "case:" + std::to_string(id.value()),
                                     owner_name ? "owner " + *owner_name : std::string("no owner"), ""});
        if (!seq.ok()) return seq.error();
        return core::Ok();
    });
}

core::Result<std::vector<std::pair<std::string, std::string>>> CaseQueue::PossibleOwners(const Caller& caller) {
    if (!caller.principal) return core::Unauthenticated("log in");
    if (!caller.staff()) return core::NotFound("not found");
    KZ_ASSIGN(auto lease, db_.Acquire());
    KZ_ASSIGN(auto rows, lease->Query("SELECT name, display_name FROM users WHERE role IN ('coordinator','admin')"
                                      " AND disabled = 0 ORDER BY name"));
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& r : rows) out.emplace_back(r.Text(0), r.Text(1).empty() ? r.Text(0) : r.Text(1));
    return out;
}

}  // namespace kizuna::vuln
