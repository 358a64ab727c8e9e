// The seam to GPGME: one-time initialisation, owners for GPGME handles, and the one translation of
// gpgme_error_t into core::Error. This header includes <gpgme.h>; include it only from .cpp files of mail/,
// never from a public header.
#pragma once

#include <gpgme.h>

#include <memory>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace kizuna::mail::detail {

// Calls gpgme_check_version (and so GPGME's global setup) exactly once, thread-safely, and checks that the
// OpenPGP engine (gpg) is usable. Every entry point calls it before creating a context. Returns internal
// when the library is too old or gpg is missing; the outcome is computed once and remembered.
core::Status EnsureGpgmeInitialized();

// "context: <gpgme source>: <description>" as internal, except out-of-memory (resource_exhausted). Callers
// that know an error stems from the caller's input translate it themselves (see openpgp.cpp).
core::Error FromGpgme(gpgme_error_t err, std::string_view context);

struct ContextDeleter {
    void operator()(gpgme_ctx_t ctx) const { gpgme_release(ctx); }
};
struct DataDeleter {
    void operator()(gpgme_data_t data) const { gpgme_data_release(data); }
};
struct KeyDeleter {
    void operator()(gpgme_key_t key) const { gpgme_key_unref(key); }
};
struct GpgmeFree {
    void operator()(void* memory) const { gpgme_free(memory); }
};

using Context = std::unique_ptr<gpgme_context, ContextDeleter>;
using Data = std::unique_ptr<gpgme_data, DataDeleter>;
using Key = std::unique_ptr<_gpgme_key, KeyDeleter>;
using GpgmeString = std::unique_ptr<char, GpgmeFree>;  // strings GPGME allocates (gpgme_pubkey_algo_string)

// A new OpenPGP context whose engine uses `home_dir` as GNUPGHOME. REQUIRES: EnsureGpgmeInitialized() ok.
core::Result<Context> NewOpenPgpContext(const std::string& home_dir);

// A read-only data object over `bytes`, which must outlive it (no copy is made).
core::Result<Data> DataOverMemory(std::string_view bytes);

}  // namespace kizuna::mail::detail
