// Cases from intake to vendor answers (V2-V7, V12, V13, V17): the report, its verification, the vendors
// in the case with what each has been told, summary notices and answers, detail disclosure, registration
// requests and contact attempts, attachments, status reports, countermeasures, message threads and the
// durable mail queue.
//
// Every method takes the Caller and asks auth::Authorize with the caller's participation: a vendor sees
// only cases it takes part in, and technical detail only at the detail level; a reporter sees only its own
// reports; anything a caller may not know exists answers NotFound.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "auth/audit.hpp"
#include "auth/roles.hpp"
#include "core/clock.hpp"
#include "core/time_zone.hpp"
#include "store/store.hpp"
#include "vuln/mail_templates.hpp"
#include "vuln/matcher.hpp"
#include "vuln/types.hpp"
#include "vuln/vendors.hpp"

namespace kizuna::vuln {

namespace detail {
struct CaseAccess;
}

// Who is asking: the authenticated principal (null for the anonymous report form) and, for vendor
// accounts, the vendor they act for.
struct Caller {
    const auth::Principal* principal = nullptr;
    std::optional<VendorId> vendor;
    bool staff() const;
    std::string name() const;  // for the audit log: user name or "anonymous"
};

struct CaseComponent {
    std::string name;
    std::string version;  // affected version or range ("< 3.0.8"), may be empty
};

struct NewCase {
    std::string title;
    std::string summary;   // what may go into a summary notice: no technical detail
    std::string details;   // technical detail, PoC description
    Source source = Source::kFinder;
    std::string reporter_name;
    std::string reporter_email;
    MailLang reporter_lang = MailLang::kJa;  // the language of mail to the reporter (issue 13)
    std::vector<std::string> keywords;
    std::vector<CaseComponent> components;
    std::vector<std::string> products;
};

struct Receipt {
    CaseId id;
    std::string identifier;
    std::string receipt_id;
};

struct CaseVendor {
    VendorId vendor;
    std::string name;
    RegistrationKind kind;
    RegistrationState registration;
    Level level;
    Answer answer;
    VendorStatus status;
    std::string status_text;
    std::vector<std::string> status_urls;
    std::string status_at;
    std::string summary_sent_at;
    std::string details_sent_at;
    std::string suggested_by;  // vendor name that pointed at this one
    bool can_encrypt;          // an encryption-capable key is on file
    // From the vendor's latest status report (empty before one): what its status form starts from.
    std::string affected_products = {};
    std::string plan = {};
    std::string schedule = {};
};

struct AttachmentInfo {
    std::int64_t id;
    std::string name;
    AttachmentKind kind;
    std::string media_type;
    std::int64_t size;
    std::string sha256;
};

struct CaseTermView {
    std::string kind;
    std::string value;
    std::string version;
};

struct CaseView {
    CaseId id;
    std::string identifier;
    std::string receipt_id;      // staff and the reporter only
    std::string title;
    std::string summary;
    std::optional<std::string> details;  // only when the caller may see technical detail
    Source source;
    CaseState state;
    Verification verification;
    std::string verification_note;
    std::string created_at;
    std::string reporter_name;   // staff only
    std::string reporter_email;  // staff only
    std::optional<auth::UserId> owner;  // staff only: the coordinator in charge
    std::string owner_name;             // staff only: the owner's display name
    std::string closed_reason;          // staff only: why it was closed or rejected
    std::vector<CaseTermView> terms;
    std::vector<CaseVendor> vendors;  // staff: all; a vendor: its own row only
    std::vector<AttachmentInfo> attachments;  // only with detail access
    Level caller_level = Level::kNone;
    bool caller_is_reporter = false;
};

struct CaseListItem {
    CaseId id;
    std::string identifier;
    std::string title;
    Source source;
    CaseState state;
    Verification verification;
    std::string created_at;
    int vendor_count = 0;
    Level caller_level = Level::kNone;
    VendorStatus caller_status = VendorStatus::kUnknown;
};

struct CaseFilter {
    std::optional<CaseState> state;
    std::optional<Source> source;
    std::string text;  // in identifier or title
};

struct SuggestedVendor {
    Candidate candidate;
    std::string name;
    RegistrationKind kind;
    RegistrationState registration;
    bool already_in_case;
};

struct StatusReport {
    VendorStatus status = VendorStatus::kUnknown;
    std::string public_text;              // free text for publication
    std::vector<std::string> urls;        // the vendor's announcement pages
    std::string affected_products;
    std::string plan;                     // workaround / fix plan
    std::string schedule;
};

// A status form resubmitted by a vendor changes only the fields the vendor touched: each field of
// `submitted` that still equals what the form showed (`shown`) keeps the value of `current` — the status
// as stored now, which someone else may have changed since the form was shown. (Issue 13: a vendor that
// resubmitted only its URL erased its published comment.)
StatusReport MergeStatusReport(const StatusReport& current, const StatusReport& shown, const StatusReport& submitted);

struct Countermeasure {
    std::string product;
    std::string workaround;
    std::string fix;
    std::string fixed_version;
};

struct CountermeasureRecord {
    std::string vendor;
    Countermeasure measure;
    std::string at;
};

struct Message {
    std::int64_t id;
    std::string thread;
    std::string author;
    std::string author_role;
    std::string body;
    std::string at;
    std::string author_display = {};  // the author's display name ('' for system or unknown authors)
};

struct TimelineEvent {
    std::string at;
    std::string actor;
    std::string kind;
    std::string text;
    std::string actor_display = {};  // the actor's display name ('' for "system" and unknown actors)
    std::string vendor = {};         // name of the vendor the event is about ('' for none)
};

// A coordinator (or admin) who may own a case.
struct OwnerCandidate {
    auth::UserId id;
    std::string name;
    std::string display_name;
};

struct Attachment {
    AttachmentInfo info;
    std::string content;
};

struct QueuedMail {
    std::int64_t id;
    std::string to;
    std::string subject;
    std::string body;
    std::string encrypt_to;
    std::string state;
};

// The report form's throttle: at most `max_reports` reports from one client address within `window`
// (vuln.report_max_per_window, vuln.report_window_minutes). Staff are not throttled.
struct ReportThrottle {
    int max_reports = 10;
    std::chrono::minutes window{60};
};

// Notices with preview (issue 13): what a summary or detail notice to one vendor will say, per language of
// its contacts, and to whom it goes; and what was sent.
enum class NoticeKind { kSummary, kDetail };
std::string_view Name(NoticeKind kind);

struct NoticeRecipient {
    std::string address;
    MailLang lang = MailLang::kJa;
    bool encrypted = false;  // an encryption-capable key of the vendor is on file
};

struct NoticeDraft {
    MailLang lang = MailLang::kJa;
    MailText text;
    std::vector<NoticeRecipient> recipients;
};

struct NoticePreview {
    VendorId vendor;
    std::string vendor_name;
    NoticeKind kind = NoticeKind::kSummary;
    bool obvious_vendor = false;
    std::vector<NoticeDraft> drafts;  // one per language among the vendor's e-mail contacts, primary's first
};

struct SentNotice {
    std::int64_t mail_id = 0;
    std::string address;
    MailLang lang = MailLang::kJa;
    bool encrypted = false;
    std::string subject;
};

// What a case link may show without reading the case: its identifier (the caller may know the case).
struct CaseReference {
    CaseId id;
    std::string identifier;
    bool published = false;
};

class CaseService {
  public:
    // `zone`: the center's time zone (web.time_zone), for the unreachable rule's calendar months; UTC when
    // not given.
    CaseService(store::Database& db, const core::Clock& clock, const auth::AuditLog& audit, VendorRegistry& vendors,
                std::string identifier_scheme, ReportThrottle throttle = {},
                std::optional<core::TimeZone> zone = std::nullopt);

    // Intake (V2): from the public form (anonymous caller), the API or a coordinator. The reporter of an
    // authenticated submission can follow it; an anonymous one keeps the receipt id. With `remote_ip`, a
    // non-staff submission counts against the address's ReportThrottle, checked and counted in the same
    // transaction as the insert (ResourceExhausted when the window is full).
    core::Result<Receipt> Submit(const NewCase& report, const Caller& caller, std::string_view remote_ip = {});
    // The verification step before any vendor is contacted.
    core::Status Verify(CaseId id, Verification result, std::string_view note, const Caller& caller);

    core::Result<std::vector<CaseListItem>> List(const Caller& caller, const CaseFilter& filter = {});
    core::Result<CaseView> Get(CaseId id, const Caller& caller);
    // Unauthenticated for an anonymous caller before anything is looked up (no oracle for identifiers or
    // receipt ids); NotFound for a case the caller may not know.
    core::Result<CaseId> FindByIdentifier(std::string_view identifier, const Caller& caller);
    // The identifier of a case the caller may know, without reading its detail (so nothing is audited):
    // for links on other pages. NotFound / Unauthenticated like Get.
    core::Result<CaseReference> Reference(CaseId id, const Caller& caller);

    // V3: ranked candidates with the reasons each was suggested.
    core::Result<std::vector<SuggestedVendor>> SuggestVendors(CaseId id, const Caller& caller);
    // Every vendor in the registry not yet in the case, by name (staff; NotFound otherwise): a coordinator may
    // add any vendor, not only a suggested one.
    core::Result<std::vector<Vendor>> AddableVendors(CaseId id, const Caller& caller);

    // Closing (any state but closed) and rejecting (a report not yet coordinated: received or verified) need
    // a reason, kept with the case, in the timeline and in the audit log. Staff only (NotFound otherwise).
    core::Status Close(CaseId id, std::string_view reason, const Caller& caller);
    core::Status Reject(CaseId id, std::string_view reason, const Caller& caller);
    // The coordinator in charge: an enabled coordinator or admin, or nobody (nullopt). Staff only.
    core::Status AssignOwner(CaseId id, std::optional<auth::UserId> owner, const Caller& caller);
    core::Result<std::vector<OwnerCandidate>> OwnerCandidates(CaseId id, const Caller& caller);
    core::Status AddVendor(CaseId id, VendorId vendor, const Caller& caller,
                           std::optional<VendorId> suggested_by = std::nullopt);

    // V4: summary notice (no technical detail) and the vendor's answer.
    core::Status SendSummary(CaseId id, VendorId vendor, const Caller& caller);
    core::Status AnswerSummary(CaseId id, Answer answer, const Caller& caller);
    // V6: details only to a vendor that requested them, or directly when the coordinator judges the
    // vendor obvious (`obvious_vendor`, the summary step skipped).
    core::Status DiscloseDetails(CaseId id, VendorId vendor, bool obvious_vendor, const Caller& caller);

    // Issue 13: the notice exactly as SendNotice would queue it, after the same checks (nothing changes).
    core::Result<NoticePreview> PreviewNotice(CaseId id, VendorId vendor, NoticeKind kind, bool obvious_vendor,
                                              const Caller& caller);
    // Sends the summary (kind kSummary; `obvious_vendor` ignored) or the details, one mail per e-mail contact
    // in the contact's language. `edited` replaces the template's text for a language for this sending only
    // (subject: one line of 1-500 characters, body 1-50000; InvalidArgument field "subject_<lang>" /
    // "body_<lang>"). Returns what went to whom.
    core::Result<std::vector<SentNotice>> SendNotice(CaseId id, VendorId vendor, NoticeKind kind, bool obvious_vendor,
                                                     const std::map<MailLang, MailText>& edited, const Caller& caller);

    // V5: unregistered vendors are asked to register (individual registration) before any disclosure;
    // every contact attempt is logged; public forums and open mailing lists are refused.
    core::Status RequestRegistration(CaseId id, VendorId vendor, Channel channel, std::string_view address,
                                     const Caller& caller);
    core::Status LogContactAttempt(CaseId id, VendorId vendor, Channel channel, std::string_view address,
                                   std::string_view note, const Caller& caller);

    core::Result<std::int64_t> AddAttachment(CaseId id, std::string_view name, AttachmentKind kind,
                                             std::string_view media_type, std::string content, const Caller& caller);
    // Audited as "case.download".
    core::Result<Attachment> DownloadAttachment(CaseId id, std::int64_t attachment, const Caller& caller);

    // V7, V13: a vendor that received details reports its status (a coordinator may record it for them).
    core::Status ReportStatus(CaseId id, const StatusReport& report, const Caller& caller,
                              std::optional<VendorId> on_behalf_of = std::nullopt);
    // V12: countermeasures per product.
    core::Status AddCountermeasure(CaseId id, const Countermeasure& measure, const Caller& caller,
                                   std::optional<VendorId> on_behalf_of = std::nullopt);
    core::Result<std::vector<CountermeasureRecord>> Countermeasures(CaseId id, const Caller& caller);
    // V7: a vendor names another vendor likely affected; the coordinator decides whether to add it.
    core::Status SuggestVendor(CaseId id, std::string_view vendor_name, std::string_view note, const Caller& caller);

    // V17: threads "vendor:<id>" (coordinator ↔ that vendor) and "reporter" (coordinator ↔ reporter).
    // Vendors reach other vendors only through the coordinator. A coordinator's message to a vendor is
    // also queued for e-mail to the vendor's registered contact.
    core::Result<std::int64_t> PostMessage(CaseId id, std::string_view thread, std::string_view body,
                                           const Caller& caller);
    core::Result<std::vector<Message>> Messages(CaseId id, std::string_view thread, const Caller& caller);
    core::Result<std::vector<TimelineEvent>> Timeline(CaseId id, const Caller& caller);
    core::Result<std::vector<QueuedMail>> MailQueue(CaseId id, const Caller& caller);

    // Counts for the dashboard: cases by state.
    core::Result<std::vector<std::pair<std::string, std::int64_t>>> CountByState();

  private:
    core::Result<detail::CaseAccess> Check(store::Connection& c, CaseId id, const Caller& caller, bool need_detail);
    core::Status Event(store::Connection& c, CaseId id, const Caller& caller, std::string_view kind,
                       std::string_view text, std::optional<VendorId> vendor = std::nullopt);
    core::Status Audit(store::Connection& c, const Caller& caller, std::string_view action, CaseId id,
                       std::string detail);
    struct NoticeFacts;
    core::Result<NoticeFacts> CheckNotice(store::Connection& c, CaseId id, VendorId vendor, NoticeKind kind,
                                          bool obvious_vendor, const Caller& caller);
    core::Result<std::string> NewIdentifier(store::Connection& c);
    core::Status CheckIndividualRule(store::Connection& c, CaseId id, VendorId vendor);

    store::Database& db_;
    const core::Clock& clock_;
    const auth::AuditLog& audit_;
    VendorRegistry& vendors_;
    std::string identifier_scheme_;
    ReportThrottle throttle_;
    core::TimeZone zone_;
};

}  // namespace kizuna::vuln
