// serve's audit checkpoints: at start, every [auth] audit_checkpoint_minutes and at stop, the chain head
// is appended to <data_dir>/audit-checkpoints.log (auth/audit.hpp WriteCheckpoint) and, when
// [auth] audit_checkpoint_mail is set, mailed there through the outbound queue (signed and encrypted
// like all outbound mail), so a copy exists beyond the machine.
#pragma once

#include <condition_variable>
#include <mutex>
#include <thread>

#include "center.hpp"

namespace kizuna::app {

class AuditCheckpointer {
  public:
    explicit AuditCheckpointer(Center& center) : center_(center) {}
    ~AuditCheckpointer() { Stop(); }
    AuditCheckpointer(const AuditCheckpointer&) = delete;
    AuditCheckpointer& operator=(const AuditCheckpointer&) = delete;

    void Start();
    // Writes a last checkpoint and joins the thread. Idempotent.
    void Stop();
    // One checkpoint now (logged on failure).
    void WriteOnce();

  private:
    Center& center_;
    std::mutex mu_;
    std::condition_variable cv_;
    bool stop_ = false;
    std::thread thread_;
};

}  // namespace kizuna::app
