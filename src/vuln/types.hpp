// The vocabulary of vulnerability coordination (seed 001): registration kinds and states, case sources,
// verification outcomes, disclosure levels, vendor answers and statuses, contact channels.
// Every enum has a stable lower_snake name used in the database, the API and the pages.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/ids.hpp"
#include "core/result.hpp"

namespace kizuna::vuln {

struct VendorTag;
struct CaseTag;
using VendorId = core::Id<VendorTag>;
using CaseId = core::Id<CaseTag>;

// 一般登録 (any information) / 個別登録 (own products only, never multi-vendor) / not registered yet.
enum class RegistrationKind { kGeneral, kIndividual, kUnregistered };
// General: applied → documents_received → meeting → registered. Individual: (unregistered →)
// registration_requested → registered, by e-mail. Either may end in refused.
enum class RegistrationState {
    kUnregistered,
    kApplied,
    kDocumentsReceived,
    kMeeting,
    kRegistrationRequested,
    kRegistered,
    kRefused,
};
enum class Source { kDomestic, kCertCc, kCpni, kFinder, kOther };
enum class CaseState { kReceived, kVerified, kRejected, kCoordinating, kClosed };
enum class Verification { kPending, kReproduced, kNotReproduced, kFalseReport };
// What a vendor has been told: nothing, the summary notice (no technical detail), or the details.
enum class Level { kNone, kSummary, kDetail };
enum class Answer { kNone, kRequestDetails, kNoProducts };
// 6-2: 該当製品あり / あり：調査中 / なし / なし：調査中; no report reads 不明 (unknown).
enum class VendorStatus { kUnknown, kAffected, kAffectedInvestigating, kNotAffected, kNotAffectedInvestigating };
// Confidential channels only. Public forums and open mailing lists are named so they can be refused.
enum class Channel { kEmail, kPostal, kPhone, kFax, kWebForm, kPublicForum, kOpenMailingList };
enum class AttachmentKind { kDetail, kPoc, kTool, kTestSuite };

std::string_view Name(RegistrationKind v);
std::string_view Name(RegistrationState v);
std::string_view Name(Source v);
std::string_view Name(CaseState v);
std::string_view Name(Verification v);
std::string_view Name(Level v);
std::string_view Name(Answer v);
std::string_view Name(VendorStatus v);
std::string_view Name(Channel v);
std::string_view Name(AttachmentKind v);

// Parsers name `field` in their errors and list the accepted values.
core::Result<RegistrationKind> ParseRegistrationKind(std::string_view s, std::string_view field = "registration_kind");
core::Result<RegistrationState> ParseRegistrationState(std::string_view s, std::string_view field = "state");
core::Result<Source> ParseSource(std::string_view s, std::string_view field = "source");
core::Result<CaseState> ParseCaseState(std::string_view s, std::string_view field = "state");
core::Result<Verification> ParseVerification(std::string_view s, std::string_view field = "verification");
core::Result<Level> ParseLevel(std::string_view s, std::string_view field = "level");
core::Result<Answer> ParseAnswer(std::string_view s, std::string_view field = "answer");
core::Result<VendorStatus> ParseVendorStatus(std::string_view s, std::string_view field = "status");
core::Result<Channel> ParseChannel(std::string_view s, std::string_view field = "channel");
core::Result<AttachmentKind> ParseAttachmentKind(std::string_view s, std::string_view field = "kind");

// Japanese labels as published (seed 001, 6-3), for pages and advisories.
std::string_view JapaneseLabel(VendorStatus v);

}  // namespace kizuna::vuln
