// The reporter's side after the form and the vendors' draft review (see report_followup.hpp).
#include "vuln/report_followup.hpp"

#include <sodium.h>

#include <algorithm>

#include "core/ids.hpp"
#include "mail/openpgp.hpp"
#include "vuln/advisories.hpp"
#include "vuln/internal/case_access.hpp"

namespace kizuna::vuln {

namespace {

constexpr std::size_t kSecretBytes = 16;  // 128 bits
constexpr std::size_t kMaxFeedback = 5000;
constexpr std::string_view kNoSuchReport = "no report with this receipt id and secret";

std::string Sha256Hex(std::string_view data) {
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(data.data()), data.size());
    char hex[crypto_hash_sha256_BYTES * 2 + 1];
    sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
    return hex;
}

bool SameDigest(const std::string& a, const std::string& b) {
    return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool Blank(std::string_view s) { return s.find_first_not_of(" \t\r\n") == std::string_view::npos; }

std::string Trimmed(std::string_view s) {
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string_view::npos) return {};
    const auto e = s.find_last_not_of(" \t\r\n");
    return std::string(s.substr(b, e - b + 1));
}

struct Draft {
    int revision = 0;
    AdvisoryContent content;
};

core::Result<std::optional<Draft>> LoadDraft(store::Connection& c, CaseId id) {
    KZ_ASSIGN(auto row, c.QueryOne("SELECT revision, content FROM advisories WHERE case_id = ?", {id.value()}));
    if (!row) return std::optional<Draft>();
    KZ_ASSIGN(AdvisoryContent content, ParseAdvisoryContent(row->Text(1)));
    return std::optional<Draft>(Draft{static_cast<int>(row->Int(0)), std::move(content)});
}

}  // namespace

std::string_view Name(AckPreference p) { return p == AckPreference::kAnonymous ? "anonymous" : "name"; }

std::string_view Name(ReportStage stage) {
    switch (stage) {
        case ReportStage::kReceived: return "received";
        case ReportStage::kVerified: return "verified";
        case ReportStage::kRejected: return "rejected";
        case ReportStage::kCoordinating: return "coordinating";
        case ReportStage::kScheduled: return "scheduled";
        case ReportStage::kPublished: return "published";
        case ReportStage::kClosed: return "closed";
    }
    return "received";
}

std::string_view ReportFollowUpSchema() {
    return R"sql(
-- The report form's extras (issue 13). secret_sha256: SHA-256 (hex) of the 128-bit status secret shown once
-- on the receipt page; the secret itself is never stored.
CREATE TABLE report_followup (
    case_id                INTEGER PRIMARY KEY REFERENCES cases(id),
    secret_sha256          TEXT NOT NULL,
    ack_preference         TEXT NOT NULL CHECK (ack_preference IN ('name','anonymous')),
    ack_name               TEXT NOT NULL DEFAULT '',
    vendor_contacted       INTEGER NOT NULL DEFAULT 0,
    vendor_contacted_which TEXT NOT NULL DEFAULT '',
    reply_key_fingerprint  TEXT NOT NULL DEFAULT ''   -- key in mail_recipient_keys; '' = none
);
CREATE UNIQUE INDEX report_followup_by_secret ON report_followup(secret_sha256);
-- The reporter's comments on / approval of the acknowledgement text, per advisory revision.
CREATE TABLE report_ack_feedback (
    id        INTEGER PRIMARY KEY,
    case_id   INTEGER NOT NULL REFERENCES cases(id),
    revision  INTEGER NOT NULL,
    approved  INTEGER NOT NULL DEFAULT 0,
    body      TEXT NOT NULL,
    at        TEXT NOT NULL
);
CREATE INDEX report_ack_feedback_by_case ON report_ack_feedback(case_id);
-- A vendor's comments on the advisory draft of its case.
CREATE TABLE advisory_draft_comments (
    id        INTEGER PRIMARY KEY,
    case_id   INTEGER NOT NULL REFERENCES cases(id),
    vendor_id INTEGER NOT NULL REFERENCES vendors(id),
    revision  INTEGER NOT NULL,
    author    TEXT NOT NULL,
    body      TEXT NOT NULL,
    at        TEXT NOT NULL
);
CREATE INDEX advisory_draft_comments_by_case ON advisory_draft_comments(case_id, vendor_id);
CREATE INDEX advisory_draft_comments_by_vendor ON advisory_draft_comments(vendor_id);
)sql";
}

core::Result<FollowUpReceipt> ReportFollowUp::Submit(const NewCase& report, const ReportWishes& wishes,
                                                     const Caller& caller, std::string_view remote_ip) {
    if (wishes.ack_name.size() > 200) return core::InvalidArgument("must be at most 200 characters", "ack_name");
    if (wishes.vendor_contacted_which.size() > 500)
        return core::InvalidArgument("must be at most 500 characters", "vendor_contacted_which");
    if (wishes.vendor_contacted && Blank(wishes.vendor_contacted_which))
        return core::InvalidArgument("name the vendor you contacted", "vendor_contacted_which");
    if (wishes.attachments.size() > kMaxReportAttachments)
        return core::InvalidArgument("at most 5 files", "attachments");
    for (const auto& a : wishes.attachments) {
        if (a.name.empty() || a.name.size() > 200 || a.name.find_first_of("/\\") != std::string::npos)
            return core::InvalidArgument("file names of 1-200 characters without slashes", "attachments");
        if (a.content.empty()) return core::InvalidArgument("a file is empty", "attachments");
        if (a.content.size() > kMaxReportAttachmentBytes)
            return core::Error(core::ErrorCode::kTooLarge, "at most 5 MiB per file", "attachments");
    }
    std::optional<mail::PublicKeyInfo> key;
    if (!Blank(wishes.reply_key)) {
        auto info = mail::InspectPublicKey(wishes.reply_key, clock_.Now());
        if (!info.ok()) {
            if (info.error().code() == core::ErrorCode::kInvalidArgument)
                return core::InvalidArgument(info.error().message(), "reply_key");
            return info.error();
        }
        if (!info->can_encrypt)
            return core::InvalidArgument("the key cannot be used for encryption (revoked, expired or no encryption "
                                         "subkey)",
                                         "reply_key");
        key = std::move(*info);
    }
    unsigned char raw[kSecretBytes];
    core::RandomBytes(raw, sizeof raw);
    char hex[kSecretBytes * 2 + 1];
    sodium_bin2hex(hex, sizeof hex, raw, sizeof raw);
    const std::string secret = hex;
    sodium_memzero(raw, sizeof raw);
    const std::string digest = Sha256Hex(secret);
    const std::string now = core::FormatRfc3339(clock_.Now());

    auto also = [&](store::Connection& c, CaseId id) -> core::Status {
        std::string fingerprint;
        if (key) {
            fingerprint = key->fingerprint;
            // The outbox looks keys of non-vendor recipients up here (by fingerprint, then by address).
            KZ_TRY(c.Exec("INSERT INTO mail_recipient_keys(fingerprint, address, armored, owner, added_at)"
                          " VALUES (?, ?, ?, ?, ?) ON CONFLICT(fingerprint) DO UPDATE SET address = excluded.address,"
                          " armored = excluded.armored, owner = excluded.owner, added_at = excluded.added_at",
                          {fingerprint, report.reporter_email, wishes.reply_key,
                           "case_reporter:" + std::to_string(id.value()), now}));
        }
        KZ_TRY(c.Exec("INSERT INTO report_followup(case_id, secret_sha256, ack_preference, ack_name, vendor_contacted,"
                      " vendor_contacted_which, reply_key_fingerprint) VALUES (?, ?, ?, ?, ?, ?, ?)",
                      {id.value(), digest, std::string(Name(wishes.ack)), Trimmed(wishes.ack_name),
                       std::int64_t{wishes.vendor_contacted ? 1 : 0},
                       wishes.vendor_contacted ? Trimmed(wishes.vendor_contacted_which) : std::string(), fingerprint}));
        for (const auto& a : wishes.attachments) {
            KZ_TRY(c.Exec("INSERT INTO case_attachments(case_id, name, kind, media_type, content, sha256, created_at)"
                          " VALUES (?, ?, 'poc', ?, ?, ?, ?)",
                          {id.value(), a.name, a.media_type.empty() ? std::string("application/octet-stream") : a.media_type,
                           store::Blob{a.content}, Sha256Hex(a.content), now}));
            KZ_TRY(detail::AddCaseEvent(c, clock_, id, caller.name(), "attachment.added", a.name + " (poc)"));
        }
        return core::Ok();
    };
    // The case first (CaseService::Submit checks the report and the throttle and writes the case), then
    // everything checked above in one transaction. Only a database failure between the two leaves a case
    // without its wishes; the reporter then sees an error and the coordinator still has the report.
    KZ_ASSIGN(Receipt receipt, cases_.Submit(report, caller, remote_ip));
    KZ_TRY(db_.InTransaction([&](store::Connection& c) { return also(c, receipt.id); }));
    return FollowUpReceipt{std::move(receipt), secret};
}

core::Result<CaseId> ReportFollowUp::Authenticate(store::Connection& c, std::string_view receipt_id,
                                                  std::string_view secret, std::string_view remote_ip) {
    const std::string key = "status:ip:" + std::string(remote_ip);
    const std::int64_t now_us = core::ToUnixMicros(clock_.Now());
    const std::int64_t window_us = std::chrono::duration_cast<std::chrono::microseconds>(throttle_.window).count();
    KZ_ASSIGN(auto failures, c.QueryInt("SELECT count(*) FROM report_submissions WHERE key = ? AND at_us > ?",
                                        {key, now_us - window_us}));
    if (failures >= throttle_.max_reports)
        return core::ResourceExhausted("too many failed lookups from this address; please try again later");
    // The same work whether or not the receipt id exists: one row read, one hash, one comparison.
    KZ_ASSIGN(auto row, c.QueryOne("SELECT f.case_id, f.secret_sha256 FROM report_followup f JOIN cases c"
                                   " ON c.id = f.case_id WHERE c.receipt_id = ?",
                                   {std::string(receipt_id)}));
    const std::string stored = row ? row->Text(1) : std::string(64, '0');
    const bool match = SameDigest(Sha256Hex(secret), stored) && row && secret.size() == kSecretBytes * 2;
    if (match) return CaseId(row->Int(0));
    KZ_TRY(c.Exec("INSERT INTO report_submissions(key, at_us) VALUES (?, ?)", {key, now_us}));
    return core::NotFound(std::string(kNoSuchReport));
}

core::Result<ReportStatusView> ReportFollowUp::Load(store::Connection& c, CaseId id) {
    KZ_ASSIGN(auto row, c.QueryOne("SELECT c.identifier, c.receipt_id, c.title, c.state, c.published, c.publish_at,"
                                   " (SELECT count(*) FROM case_vendors v WHERE v.case_id = c.id AND v.level != 'none'),"
                                   " f.ack_preference, f.ack_name, c.reporter_name"
                                   " FROM cases c LEFT JOIN report_followup f ON f.case_id = c.id WHERE c.id = ?",
                                   {id.value()}));
    if (!row) return core::NotFound(std::string(kNoSuchReport));
    ReportStatusView v;
    v.id = id;
    v.identifier = row->Text(0);
    v.receipt_id = row->Text(1);
    v.title = row->Text(2);
    const CaseState state = ParseCaseState(row->Text(3)).value_or(CaseState::kReceived);
    const bool published = row->Int(4) != 0;
    if (!row->IsNull(5) && !row->Text(5).empty()) v.publish_at = core::ParseRfc3339(row->Text(5));
    v.vendors_notified = static_cast<int>(row->Int(6));
    switch (state) {
        case CaseState::kReceived: v.stage = ReportStage::kReceived; break;
        case CaseState::kVerified: v.stage = ReportStage::kVerified; break;
        case CaseState::kRejected: v.stage = ReportStage::kRejected; break;
        case CaseState::kCoordinating: v.stage = v.publish_at ? ReportStage::kScheduled : ReportStage::kCoordinating; break;
        case CaseState::kClosed: v.stage = ReportStage::kClosed; break;
    }
    if (published) v.stage = ReportStage::kPublished;
    v.ack = row->Text(7) == "anonymous" ? AckPreference::kAnonymous : AckPreference::kName;
    v.ack_name = row->Text(8).empty() ? row->Text(9) : row->Text(8);
    KZ_ASSIGN(auto draft, LoadDraft(c, id));
    if (draft) {
        v.has_draft = true;
        v.draft_revision = draft->revision;
        v.acknowledgements = draft->content.acknowledgements;
    }
    KZ_ASSIGN(auto rows, c.Query("SELECT revision, approved, body, at FROM report_ack_feedback WHERE case_id = ?"
                                 " ORDER BY id",
                                 {id.value()}));
    for (const auto& r : rows)
        v.feedback.push_back({static_cast<int>(r.Int(0)), r.Int(1) != 0, r.Text(2), r.Text(3)});
    return v;
}

core::Result<ReportStatusView> ReportFollowUp::Lookup(std::string_view receipt_id, std::string_view secret,
                                                      std::string_view remote_ip) {
    KZ_ASSIGN(auto lease, db_.Acquire());
    KZ_ASSIGN(CaseId id, Authenticate(*lease, receipt_id, secret, remote_ip));
    return Load(*lease, id);
}

core::Result<ReportStatusView> ReportFollowUp::ForReporter(CaseId id, const Caller& caller) {
    KZ_ASSIGN(auto lease, db_.Acquire());
    KZ_ASSIGN(detail::CaseAccess a, detail::CheckCaseAccess(*lease, id, caller, false));
    if (!a.reporter && !a.staff) return core::NotFound("no such case");
    return Load(*lease, id);
}

core::Status ReportFollowUp::StoreFeedback(store::Connection& c, CaseId id, std::string_view author,
                                           std::string_view body, bool approve) {
    const std::string text = Trimmed(body);
    if (!approve && text.empty()) return core::InvalidArgument("write a comment", "body");
    if (text.size() > kMaxFeedback) return core::InvalidArgument("must be at most 5000 characters", "body");
    KZ_ASSIGN(auto draft, LoadDraft(c, id));
    if (!draft) return core::FailedPrecondition("there is no acknowledgement text to review yet");
    const std::string now = core::FormatRfc3339(clock_.Now());
    KZ_TRY(c.Exec("INSERT INTO report_ack_feedback(case_id, revision, approved, body, at) VALUES (?, ?, ?, ?, ?)",
                  {id.value(), std::int64_t{draft->revision}, std::int64_t{approve ? 1 : 0}, text, now}));
    // The coordinator reads it where it reads the reporter: the case's reporter thread.
    const std::string message =
        std::string(approve ? "謝辞の文面を承認します / I approve the acknowledgement text"
                            : "謝辞の文面へのコメント / Comment on the acknowledgement text") +
        " (rev. " + std::to_string(draft->revision) + ")" + (text.empty() ? "" : "\n\n" + text);
    KZ_TRY(c.Exec("INSERT INTO messages(case_id, thread, author, author_role, body, at) VALUES (?, 'reporter', ?,"
                  " 'reporter', ?, ?)",
                  {id.value(), std::string(author), message, now}));
    KZ_TRY(detail::AddCaseEvent(c, clock_, id, author, "message.posted", "reporter"));
    auto seq = audit_.Append(c, {std::string(author), approve ? "report.ack_approve" : "report.ack_comment",
                                 "case:" + std::to_string(id.value()),
                                 "{\"revision\":" + std::to_string(draft->revision) + "}", ""});
    if (!seq.ok()) return seq.error();
    return core::Ok();
}

core::Status ReportFollowUp::AcknowledgementFeedback(std::string_view receipt_id, std::string_view secret,
                                                     std::string_view remote_ip, std::string_view body, bool approve) {
    KZ_ASSIGN(CaseId id, [&]() -> core::Result<CaseId> {
        KZ_ASSIGN(auto lease, db_.Acquire());
        return Authenticate(*lease, receipt_id, secret, remote_ip);
    }());
    return db_.InTransaction([&](store::Connection& c) { return StoreFeedback(c, id, "reporter", body, approve); });
}

core::Status ReportFollowUp::AcknowledgementFeedback(CaseId id, const Caller& caller, std::string_view body,
                                                     bool approve) {
    return db_.InTransaction([&](store::Connection& c) -> core::Status {
        KZ_ASSIGN(detail::CaseAccess a, detail::CheckCaseAccess(c, id, caller, false));
        if (!a.reporter) return core::NotFound("no such case");
        return StoreFeedback(c, id, caller.name(), body, approve);
    });
}

core::Result<VendorDraft> ReportFollowUp::DraftForVendor(CaseId id, const Caller& caller) {
    return db_.InTransaction<VendorDraft>([&](store::Connection& c) -> core::Result<VendorDraft> {
        KZ_ASSIGN(detail::CaseAccess a, detail::CheckCaseAccess(c, id, caller, true));
        // Only a vendor that received the details of this very case; everyone else as if no case existed.
        if (!a.vendor || a.level != Level::kDetail) return core::NotFound("no such case");
        KZ_ASSIGN(auto cs, c.QueryOne("SELECT identifier FROM cases WHERE id = ?", {id.value()}));
        VendorDraft out;
        out.id = id;
        out.identifier = cs->Text(0);
        KZ_ASSIGN(auto draft, LoadDraft(c, id));
        if (draft) {
            const AdvisoryContent& d = draft->content;
            out.has_draft = true;
            out.revision = draft->revision;
            out.title = d.title;
            out.overview = d.overview;
            out.affected_systems = d.affected_systems;
            out.details = d.details;
            out.impact = d.impact;
            out.solution = d.solution;
            out.acknowledgements = d.acknowledgements;
            out.cve_ids = d.cve_ids;
            for (const auto& p : d.products)
                if (p.vendor == *a.vendor) out.products.push_back(p.product);
            for (const auto& st : d.vendor_statements)
                if (st.vendor == *a.vendor) out.statement = st.text;
            // Embargoed detail read by a non-coordinator: audited (V10).
            auto seq = audit_.Append(c, {caller.name(), "advisory.draft_read", "case:" + std::to_string(id.value()),
                                         "{\"revision\":" + std::to_string(draft->revision) + "}", ""});
            if (!seq.ok()) return seq.error();
        }
        KZ_ASSIGN(auto rows, c.Query("SELECT id, revision, author, body, at FROM advisory_draft_comments"
                                     " WHERE case_id = ? AND vendor_id = ? ORDER BY id",
                                     {id.value(), a.vendor->value()}));
        for (const auto& r : rows)
            out.comments.push_back({r.Int(0), "", static_cast<int>(r.Int(1)), r.Text(2), r.Text(3), r.Text(4), false});
        return out;
    });
}

core::Result<std::int64_t> ReportFollowUp::CommentOnDraft(CaseId id, std::string_view body, const Caller& caller) {
    const std::string text = Trimmed(body);
    if (text.empty() || text.size() > kMaxFeedback) return core::InvalidArgument("must be 1-5000 characters", "body");
    return db_.InTransaction<std::int64_t>([&](store::Connection& c) -> core::Result<std::int64_t> {
        KZ_ASSIGN(detail::CaseAccess a, detail::CheckCaseAccess(c, id, caller, true));
        if (!a.vendor || a.level != Level::kDetail) return core::NotFound("no such case");
        KZ_ASSIGN(auto draft, LoadDraft(c, id));
        if (!draft) return core::FailedPrecondition("there is no advisory draft to comment on yet");
        const std::string now = core::FormatRfc3339(clock_.Now());
        KZ_TRY(c.Exec("INSERT INTO advisory_draft_comments(case_id, vendor_id, revision, author, body, at)"
                      " VALUES (?, ?, ?, ?, ?, ?)",
                      {id.value(), a.vendor->value(), std::int64_t{draft->revision}, caller.name(), text, now}));
        const std::int64_t comment = c.LastInsertId();
        const std::string thread = "vendor:" + std::to_string(a.vendor->value());
        KZ_TRY(c.Exec("INSERT INTO messages(case_id, thread, author, author_role, body, at) VALUES (?, ?, ?, 'vendor', ?, ?)",
                      {id.value(), thread, caller.name(),
                       "アドバイザリ草案へのコメント / Comment on the advisory draft (rev. " +
                           std::to_string(draft->revision) + ")\n\n" + text,
                       now}));
        KZ_TRY(detail::AddCaseEvent(c, clock_, id, caller.name(), "message.posted", thread, *a.vendor));
        auto seq = audit_.Append(c, {caller.name(), "advisory.draft_comment", "case:" + std::to_string(id.value()),
                                     "{\"revision\":" + std::to_string(draft->revision) + "}", ""});
        if (!seq.ok()) return seq.error();
        return comment;
    });
}

core::Result<ReviewSummary> ReportFollowUp::Review(CaseId id, const Caller& caller) {
    KZ_ASSIGN(auto lease, db_.Acquire());
    store::Connection& c = *lease;
    KZ_TRY(detail::RequireStaff(c, id, caller));
    ReviewSummary out;
    KZ_ASSIGN(auto w, c.QueryOne("SELECT ack_preference, ack_name, vendor_contacted, vendor_contacted_which,"
                                 " reply_key_fingerprint FROM report_followup WHERE case_id = ?",
                                 {id.value()}));
    if (w) {
        out.has_wishes = true;
        out.ack = w->Text(0) == "anonymous" ? AckPreference::kAnonymous : AckPreference::kName;
        out.ack_name = w->Text(1);
        out.vendor_contacted = w->Int(2) != 0;
        out.vendor_contacted_which = w->Text(3);
        out.reply_key_fingerprint = w->Text(4);
    }
    KZ_ASSIGN(auto rows, c.Query("SELECT d.id, v.name, d.revision, d.author, d.body, d.at FROM advisory_draft_comments d"
                                 " JOIN vendors v ON v.id = d.vendor_id WHERE d.case_id = ? ORDER BY d.id",
                                 {id.value()}));
    for (const auto& r : rows)
        out.vendor_comments.push_back(
            {r.Int(0), r.Text(1), static_cast<int>(r.Int(2)), r.Text(3), r.Text(4), r.Text(5), false});
    KZ_ASSIGN(auto fb, c.Query("SELECT id, revision, approved, body, at FROM report_ack_feedback WHERE case_id = ?"
                               " ORDER BY id",
                               {id.value()}));
    for (const auto& r : fb)
        out.reporter_feedback.push_back(
            {r.Int(0), "", static_cast<int>(r.Int(1)), "", r.Text(3), r.Text(4), r.Int(2) != 0});
    return out;
}

}  // namespace kizuna::vuln
