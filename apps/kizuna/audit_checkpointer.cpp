#include "audit_checkpointer.hpp"

#include "auth/audit_files.hpp"
#include "mail/queue.hpp"

namespace kizuna::app {

void AuditCheckpointer::WriteOnce() {
    auto cp = center_.audit->WriteCheckpoint(*center_.db);
    if (!cp.ok()) {
        center_.log->Error("audit checkpoint failed", {{"error", cp.error().ToString()}});
        return;
    }
    if (!*cp) return;
    center_.log->Info("audit checkpoint", {{"entries", (*cp)->entries}, {"last_seq", (*cp)->last_seq}});
    const std::string& to = center_.config.auth.audit_checkpoint_mail;
    if (to.empty()) return;
    mail::QueuedMail message;
    message.to = to;
    message.subject = "Kizuna audit checkpoint: " + std::to_string((*cp)->entries) + " entries";
    message.body = "An audit checkpoint of " + center_.CenterKeyUserId() +
                   ". Keep this mail: `kizuna audit verify` compares the log with the checkpoint file, and this\n"
                   "line is a copy of it (the same line is in " + auth::AuditCheckpointPath(center_.data_dir) +
                   ").\n\n" + auth::detail::CheckpointLineBody(**cp) + " " + (*cp)->mac + "\n";
    auto queued = center_.db->InTransaction<std::int64_t>(
        [&](store::Connection& c) { return mail::EnqueueMail(c, message, core::RealClock().Now()); });
    if (!queued.ok()) center_.log->Error("audit checkpoint mail not queued", {{"error", queued.error().ToString()}});
}

void AuditCheckpointer::Start() {
    const auto interval = std::chrono::minutes(center_.config.auth.audit_checkpoint_minutes);
    // The first checkpoint is written on the thread: Start() must not delay serve's readiness.
    thread_ = std::thread([this, interval] {
        WriteOnce();
        std::unique_lock lock(mu_);
        while (!stop_) {
            if (cv_.wait_for(lock, interval, [this] { return stop_; })) break;
            lock.unlock();
            WriteOnce();
            lock.lock();
        }
    });
}

void AuditCheckpointer::Stop() {
    {
        std::lock_guard lock(mu_);
        if (stop_) return;
        stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) {
        thread_.join();
        WriteOnce();
    }
}

}  // namespace kizuna::app
