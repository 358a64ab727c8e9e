#include "mail/internal/gpgme.hpp"

namespace kizuna::mail::detail {

core::Status EnsureGpgmeInitialized() {
    // gpgme_check_version must run once before any other GPGME call and before threads use GPGME; a
    // function-local static gives exactly that (C++11 guarantees thread-safe one-time initialisation).
    static const core::Status status = []() -> core::Status {
        if (gpgme_check_version(GPGME_VERSION) == nullptr) {
            return core::Internal(std::string("GPGME ") + gpgme_check_version(nullptr) + " is older than " +
                                  GPGME_VERSION + ", which Kizuna was built against");
        }
        if (gpgme_error_t err = gpgme_engine_check_version(GPGME_PROTOCOL_OpenPGP); err != 0) {
            return FromGpgme(err, "OpenPGP engine (gpg) unavailable");
        }
        return core::Ok();
    }();
    return status;
}

core::Error FromGpgme(gpgme_error_t err, std::string_view context) {
    std::string message(context);
    message += ": ";
    message += gpgme_strsource(err);
    message += ": ";
    message += gpgme_strerror(err);
    if (gpgme_err_code(err) == GPG_ERR_ENOMEM) return core::ResourceExhausted(std::move(message));
    return core::Internal(std::move(message));
}

core::Result<Context> NewOpenPgpContext(const std::string& home_dir) {
    gpgme_ctx_t raw = nullptr;
    if (gpgme_error_t err = gpgme_new(&raw); err != 0) return FromGpgme(err, "create GPGME context");
    Context ctx(raw);
    if (gpgme_error_t err = gpgme_set_protocol(ctx.get(), GPGME_PROTOCOL_OpenPGP); err != 0) {
        return FromGpgme(err, "select OpenPGP protocol");
    }
    // file_name nullptr keeps the default gpg binary; only the home directory changes.
    if (gpgme_error_t err = gpgme_ctx_set_engine_info(ctx.get(), GPGME_PROTOCOL_OpenPGP, nullptr, home_dir.c_str());
        err != 0) {
        return FromGpgme(err, "set GnuPG home directory");
    }
    gpgme_set_offline(ctx.get(), 1);  // never reach out to key servers or WKD while listing
    return ctx;
}

core::Result<Data> DataOverMemory(std::string_view bytes) {
    gpgme_data_t raw = nullptr;
    // copy = 0: GPGME reads straight from `bytes`.
    if (gpgme_error_t err = gpgme_data_new_from_mem(&raw, bytes.data(), bytes.size(), 0); err != 0) {
        return FromGpgme(err, "wrap key data");
    }
    return Data(raw);
}

}  // namespace kizuna::mail::detail
