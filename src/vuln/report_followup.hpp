// What happens around a report after the form (issue 13): the reporter's wishes given with the report
// (acknowledgement, whether the vendor was contacted, an OpenPGP key for replies, attachments), the status
// lookup by receipt id and a secret shown once, the reporter's review of the acknowledgement text, and the
// vendors' review of the advisory draft of their own case.
//
// Secrets: the status secret is 128 random bits, shown once on the receipt page; only its SHA-256 is
// stored (a fast hash is enough for a uniformly random 128-bit value: there is nothing to guess from).
// A lookup with a wrong receipt id and one with a wrong secret fail the same way (NotFound, same message,
// same work), and every failed lookup counts against the client address like the report form itself.
//
// Draft review: there is no separate "share with vendors" step; a vendor that received the details of a
// case reads the advisory draft of that case as soon as one is saved — without the other vendors'
// statements or products — and comments on it. Anyone else (another case's vendor, a summary-level vendor,
// the public) gets NotFound, exactly like a case that does not exist.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "auth/audit.hpp"
#include "core/clock.hpp"
#include "formats/advisory_doc.hpp"
#include "store/store.hpp"
#include "vuln/cases.hpp"

namespace kizuna::vuln {

enum class AckPreference { kName, kAnonymous };
std::string_view Name(AckPreference p);

struct ReportAttachment {
    std::string name;
    std::string media_type;
    std::string content;
};

// Limits of the public form's attachments (each checked before anything is stored).
inline constexpr std::size_t kMaxReportAttachments = 5;
inline constexpr std::size_t kMaxReportAttachmentBytes = 5 * 1024 * 1024;

struct ReportWishes {
    AckPreference ack = AckPreference::kName;
    std::string ack_name;            // how to be credited ("" = the reporter name)
    bool vendor_contacted = false;
    std::string vendor_contacted_which;  // which vendor(s), when contacted
    std::string reply_key;           // ASCII-armored OpenPGP public key for replies; "" = none
    std::vector<ReportAttachment> attachments;
};

struct FollowUpReceipt {
    Receipt receipt;
    std::string secret;  // 32 hex digits; shown once, never stored
};

// The report's stage in words a reporter understands; the page maps each to a sentence.
enum class ReportStage { kReceived, kVerified, kRejected, kCoordinating, kScheduled, kPublished, kClosed };
std::string_view Name(ReportStage stage);

struct AckFeedback {
    int revision = 0;  // the advisory revision the reporter read
    bool approved = false;
    std::string body;
    std::string at;
};

struct ReportStatusView {
    CaseId id;
    std::string identifier;
    std::string receipt_id;
    std::string title;
    ReportStage stage = ReportStage::kReceived;
    int vendors_notified = 0;
    std::optional<core::WallTime> publish_at;  // once decided
    AckPreference ack = AckPreference::kName;
    std::string ack_name;
    bool has_draft = false;
    int draft_revision = 0;
    formats::Localized acknowledgements;  // the draft's acknowledgement text
    std::vector<AckFeedback> feedback;
};

struct DraftComment {
    std::int64_t id;
    std::string vendor;  // vendor name (the coordinator's view) — "" for the reporter
    int revision;
    std::string author;
    std::string body;
    std::string at;
    bool approved = false;  // reporter feedback: the acknowledgement text was approved
};

struct VendorDraft {
    CaseId id;
    std::string identifier;
    bool has_draft = false;
    int revision = 0;
    formats::Localized title, overview, affected_systems, details, impact, solution, acknowledgements;
    std::vector<std::string> cve_ids;
    std::vector<formats::AdvisoryProduct> products;  // the caller's own products only
    formats::Localized statement;                    // the caller's own statement
    std::vector<DraftComment> comments;              // the caller's own comments
};

// What the coordinator sees beside the editor: the reporter's wishes and all review comments.
struct ReviewSummary {
    bool has_wishes = false;
    AckPreference ack = AckPreference::kName;
    std::string ack_name;
    bool vendor_contacted = false;
    std::string vendor_contacted_which;
    std::string reply_key_fingerprint;
    std::vector<DraftComment> vendor_comments;
    std::vector<DraftComment> reporter_feedback;
};

class ReportFollowUp {
  public:
    ReportFollowUp(store::Database& db, const core::Clock& clock, const auth::AuditLog& audit, CaseService& cases,
                   ReportThrottle throttle = {})
        : db_(db), clock_(clock), audit_(audit), cases_(cases), throttle_(throttle) {}

    // The public form: checks the wishes (the key through GnuPG — field "reply_key"; attachments — field
    // "attachments"; "ack_name", "vendor_contacted_which"), then submits the case and stores everything
    // in the same transaction. The secret is returned once.
    core::Result<FollowUpReceipt> Submit(const NewCase& report, const ReportWishes& wishes, const Caller& caller,
                                         std::string_view remote_ip);

    // Anonymous status lookup. NotFound ("no report with this receipt id and secret") for a wrong id and a
    // wrong secret alike; ResourceExhausted when the address has failed too often within the window.
    core::Result<ReportStatusView> Lookup(std::string_view receipt_id, std::string_view secret,
                                          std::string_view remote_ip);
    // The same view for the reporter's own account (or staff); NotFound for anyone else.
    core::Result<ReportStatusView> ForReporter(CaseId id, const Caller& caller);

    // The reporter comments on or approves (approve = true) the acknowledgement text of the current draft.
    // The feedback also lands in the case's reporter thread for the coordinator.
    core::Status AcknowledgementFeedback(std::string_view receipt_id, std::string_view secret,
                                         std::string_view remote_ip, std::string_view body, bool approve);
    core::Status AcknowledgementFeedback(CaseId id, const Caller& caller, std::string_view body, bool approve);

    // A detail-level vendor of the case reads the draft and comments (also posted to its thread).
    core::Result<VendorDraft> DraftForVendor(CaseId id, const Caller& caller);
    core::Result<std::int64_t> CommentOnDraft(CaseId id, std::string_view body, const Caller& caller);

    // Staff only (others NotFound).
    core::Result<ReviewSummary> Review(CaseId id, const Caller& caller);

  private:
    core::Result<CaseId> Authenticate(store::Connection& c, std::string_view receipt_id, std::string_view secret,
                                      std::string_view remote_ip);
    core::Result<ReportStatusView> Load(store::Connection& c, CaseId id);
    core::Status StoreFeedback(store::Connection& c, CaseId id, std::string_view author, std::string_view body,
                               bool approve);

    store::Database& db_;
    const core::Clock& clock_;
    const auth::AuditLog& audit_;
    CaseService& cases_;
    ReportThrottle throttle_;
};

// Schema (migration 1210).
std::string_view ReportFollowUpSchema();

}  // namespace kizuna::vuln
