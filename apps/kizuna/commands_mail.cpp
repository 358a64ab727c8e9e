// `kizuna mail ...`: the center's key, importing mailboxes, reprocessing quarantined mail, one outbox pass.
#include <cstdio>

#include "commands.hpp"

namespace kizuna::app {

int RunMailInitKey(const GlobalOptions& global) {
    int code = kExitOk;
    auto center = OpenCenter(global, &code);
    if (!center) return code;
    const bool existed = center->keyring->Fingerprint().ok();
    auto fpr = center->keyring->EnsureKey(center->CenterKeyUserId());
    if (!fpr.ok()) {
        PrintError(fpr.error().ToString());
        return kExitFailure;
    }
    std::printf("%s center key %s (%s) in %s\n", existed ? "existing" : "created", fpr->c_str(),
                center->CenterKeyUserId().c_str(), center->GnupgHome().c_str());
    return kExitOk;
}

int RunMailPublicKey(const GlobalOptions& global) {
    int code = kExitOk;
    auto center = OpenCenter(global, &code);
    if (!center) return code;
    auto fpr = center->keyring->Fingerprint();
    if (!fpr.ok()) {
        PrintError(fpr.error().ToString());
        return kExitFailure;
    }
    auto armored = center->keyring->ExportPublicKey(*fpr);
    if (!armored.ok()) {
        PrintError(armored.error().ToString());
        return kExitFailure;
    }
    std::fwrite(armored->data(), 1, armored->size(), stdout);
    return kExitOk;
}

int RunMailImport(const GlobalOptions& global, const std::string& path) {
    int code = kExitOk;
    auto center = OpenCenter(global, &code);
    if (!center) return code;
    auto report = mail::ImportPath(*center->mail_inbound, path);
    if (!report.ok()) {
        PrintError(report.error().ToString());
        return report.error().code() == core::ErrorCode::kInvalidArgument ? kExitUsage : kExitFailure;
    }
    std::printf("imported %d messages: %d routed, %d quarantined, %d duplicates\n", report->messages, report->routed,
                report->quarantined, report->duplicates);
    return kExitOk;
}

int RunMailReprocess(const GlobalOptions& global, std::int64_t id) {
    int code = kExitOk;
    auto center = OpenCenter(global, &code);
    if (!center) return code;
    auto result = center->mail_inbound->Reprocess(id);
    if (!result.ok()) {
        PrintError(result.error().ToString());
        return kExitFailure;
    }
    if (result->state == "quarantined") {
        std::printf("message %lld stays in quarantine: %s\n", static_cast<long long>(id), result->reason.c_str());
        return kExitFailure;
    }
    if (result->case_id)
        std::printf("message %lld routed to case %lld thread %s\n", static_cast<long long>(id),
                    static_cast<long long>(*result->case_id), result->thread.c_str());
    else
        std::printf("message %lld became incoming report %lld\n", static_cast<long long>(id),
                    static_cast<long long>(result->report_id.value_or(0)));
    return kExitOk;
}

int RunMailSendOnce(const GlobalOptions& global) {
    int code = kExitOk;
    auto center = OpenCenter(global, &code);
    if (!center) return code;
    if (auto key = center->keyring->EnsureKey(center->CenterKeyUserId()); !key.ok()) {
        PrintError(key.error().ToString());
        return kExitFailure;
    }
    center->mail_outbound->RecoverInFlight();
    auto report = center->mail_outbound->SendDue();
    if (!report.ok()) {
        PrintError(report.error().ToString());
        return report.error().code() == core::ErrorCode::kFailedPrecondition ? kExitUsage : kExitFailure;
    }
    std::printf("sent %d, waiting for a usable key %d, to retry %d, failed %d\n", report->sent, report->waiting,
                report->retrying, report->failed);
    return kExitOk;
}

}  // namespace kizuna::app
