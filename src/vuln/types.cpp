#include "vuln/types.hpp"

#include <array>
#include <utility>

namespace kizuna::vuln {
namespace {

template <typename E, std::size_t N>
using Table = std::array<std::pair<E, std::string_view>, N>;

constexpr Table<RegistrationKind, 3> kKinds{{{RegistrationKind::kGeneral, "general"},
                                             {RegistrationKind::kIndividual, "individual"},
                                             {RegistrationKind::kUnregistered, "unregistered"}}};
constexpr Table<RegistrationState, 7> kStates{{{RegistrationState::kUnregistered, "unregistered"},
                                               {RegistrationState::kApplied, "applied"},
                                               {RegistrationState::kDocumentsReceived, "documents_received"},
                                               {RegistrationState::kMeeting, "meeting"},
                                               {RegistrationState::kRegistrationRequested, "registration_requested"},
                                               {RegistrationState::kRegistered, "registered"},
                                               {RegistrationState::kRefused, "refused"}}};
constexpr Table<Source, 5> kSources{{{Source::kDomestic, "domestic"},
                                     {Source::kCertCc, "certcc"},
                                     {Source::kCpni, "cpni"},
                                     {Source::kFinder, "finder"},
                                     {Source::kOther, "other"}}};
constexpr Table<CaseState, 5> kCaseStates{{{CaseState::kReceived, "received"},
                                           {CaseState::kVerified, "verified"},
                                           {CaseState::kRejected, "rejected"},
                                           {CaseState::kCoordinating, "coordinating"},
                                           {CaseState::kClosed, "closed"}}};
constexpr Table<Verification, 4> kVerifications{{{Verification::kPending, "pending"},
                                                 {Verification::kReproduced, "reproduced"},
                                                 {Verification::kNotReproduced, "not_reproduced"},
                                                 {Verification::kFalseReport, "false_report"}}};
constexpr Table<Level, 3> kLevels{{{Level::kNone, "none"}, {Level::kSummary, "summary"}, {Level::kDetail, "detail"}}};
constexpr Table<Answer, 3> kAnswers{
    {{Answer::kNone, "none"}, {Answer::kRequestDetails, "request_details"}, {Answer::kNoProducts, "no_products"}}};
constexpr Table<VendorStatus, 5> kStatuses{{{VendorStatus::kUnknown, "unknown"},
                                            {VendorStatus::kAffected, "affected"},
                                            {VendorStatus::kAffectedInvestigating, "affected_investigating"},
                                            {VendorStatus::kNotAffected, "not_affected"},
                                            {VendorStatus::kNotAffectedInvestigating, "not_affected_investigating"}}};
constexpr Table<Channel, 7> kChannels{{{Channel::kEmail, "email"},
                                       {Channel::kPostal, "postal"},
                                       {Channel::kPhone, "phone"},
                                       {Channel::kFax, "fax"},
                                       {Channel::kWebForm, "web_form"},
                                       {Channel::kPublicForum, "public_forum"},
                                       {Channel::kOpenMailingList, "open_mailing_list"}}};
constexpr Table<AttachmentKind, 4> kAttachmentKinds{{{AttachmentKind::kDetail, "detail"},
                                                     {AttachmentKind::kPoc, "poc"},
                                                     {AttachmentKind::kTool, "tool"},
                                                     {AttachmentKind::kTestSuite, "test_suite"}}};

template <typename E, std::size_t N>
std::string_view Lookup(const Table<E, N>& table, E v) {
    for (const auto& [e, name] : table)
        if (e == v) return name;
    return "unknown";
}

template <typename E, std::size_t N>
core::Result<E> Parse(const Table<E, N>& table, std::string_view s, std::string_view field) {
    std::string accepted;
    for (const auto& [e, name] : table) {
        if (name == s) return e;
        if (!accepted.empty()) accepted += ", ";
        accepted += name;
    }
    return core::InvalidArgument("must be one of " + accepted, std::string(field));
}

}  // namespace

std::string_view Name(RegistrationKind v) { return Lookup(kKinds, v); }
std::string_view Name(RegistrationState v) { return Lookup(kStates, v); }
std::string_view Name(Source v) { return Lookup(kSources, v); }
std::string_view Name(CaseState v) { return Lookup(kCaseStates, v); }
std::string_view Name(Verification v) { return Lookup(kVerifications, v); }
std::string_view Name(Level v) { return Lookup(kLevels, v); }
std::string_view Name(Answer v) { return Lookup(kAnswers, v); }
std::string_view Name(VendorStatus v) { return Lookup(kStatuses, v); }
std::string_view Name(Channel v) { return Lookup(kChannels, v); }
std::string_view Name(AttachmentKind v) { return Lookup(kAttachmentKinds, v); }

core::Result<RegistrationKind> ParseRegistrationKind(std::string_view s, std::string_view f) { return Parse(kKinds, s, f); }
core::Result<RegistrationState> ParseRegistrationState(std::string_view s, std::string_view f) {
    return Parse(kStates, s, f);
}
core::Result<Source> ParseSource(std::string_view s, std::string_view f) { return Parse(kSources, s, f); }
core::Result<CaseState> ParseCaseState(std::string_view s, std::string_view f) { return Parse(kCaseStates, s, f); }
core::Result<Verification> ParseVerification(std::string_view s, std::string_view f) {
    return Parse(kVerifications, s, f);
}
core::Result<Level> ParseLevel(std::string_view s, std::string_view f) { return Parse(kLevels, s, f); }
core::Result<Answer> ParseAnswer(std::string_view s, std::string_view f) { return Parse(kAnswers, s, f); }
core::Result<VendorStatus> ParseVendorStatus(std::string_view s, std::string_view f) { return Parse(kStatuses, s, f); }
core::Result<Channel> ParseChannel(std::string_view s, std::string_view f) { return Parse(kChannels, s, f); }
core::Result<AttachmentKind> ParseAttachmentKind(std::string_view s, std::string_view f) {
    return Parse(kAttachmentKinds, s, f);
}

std::string_view JapaneseLabel(VendorStatus v) {
    switch (v) {
        case VendorStatus::kAffected: return "該当製品あり";
        case VendorStatus::kAffectedInvestigating: return "該当製品あり：調査中";
        case VendorStatus::kNotAffected: return "該当製品なし";
        case VendorStatus::kNotAffectedInvestigating: return "該当製品なし：調査中";
        case VendorStatus::kUnknown: return "不明";
    }
    return "不明";
}

}  // namespace kizuna::vuln
