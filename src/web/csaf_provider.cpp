// The CSAF 2.0 provider (CSAF 2.0 section 7, role csaf_provider): provider-metadata.json under
// /.well-known/csaf/, the TLP:WHITE distribution directory /.well-known/csaf/white/ with one document per
// published advisory at <year of first publication>/<file name per section 5.1>, its .sha256, index.txt and
// changes.csv. All anonymous; everything is rendered from AdvisoryService::PublishedDocuments() /
// Document(anonymous), so an embargoed advisory is absent (404, not in index or changes) until the release
// transaction commits, and present from that instant on.
//
// One document per advisory, in English (docs/formats/csaf.md explains why): CSAF identifies a document by
// its tracking id, and two language versions with one id would collide in the distribution directory.
//
// Documents are rendered once and kept while the advisory's PublicStamp (revision, publication, case events)
// is unchanged. A cached document is served without asking again for kRevalidateAfter after its stamp was
// last confirmed: an update (V15) shows within that second, while a release is never delayed (a document not
// yet cached is looked up at once) and nothing can become hidden again (publication is final).
#include <sodium.h>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>

#include "formats/csaf.hpp"
#include "web/internal/handlers.hpp"

namespace kizuna::web::detail {
namespace {

std::string Sha256Hex(std::string_view data) {
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(data.data()), data.size());
    char hex[crypto_hash_sha256_BYTES * 2 + 1];
    sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
    return hex;
}

constexpr std::chrono::milliseconds kRevalidateAfter{1000};

struct RenderedDocument {
    std::string advisory_id;
    std::string stamp;   // AdvisoryService::PublicStamp when rendered
    std::string origin;  // the links inside depend on it
    std::string json;
    std::string sha256;  // "<hex>  <file name>\n" (sha256sum format)
    // When the stamp was last confirmed (steady clock, microseconds); shared by the readers of the entry.
    mutable std::atomic<std::int64_t> confirmed_us{0};
};

std::int64_t SteadyMicros(const core::Clock& clock) {
    return std::chrono::duration_cast<std::chrono::microseconds>(clock.Steady().time_since_epoch()).count();
}

// Distribution path ("2026/jvnvu_12345678.json") -> the rendered document. Thread-safe.
class CsafDocumentCache {
  public:
    static constexpr std::size_t kMaxEntries = 5000;

    std::shared_ptr<const RenderedDocument> Find(const std::string& path) {
        std::lock_guard lock(mu_);
        if (auto it = docs_.find(path); it != docs_.end()) return it->second;
        return nullptr;
    }
    void Put(const std::string& path, std::shared_ptr<const RenderedDocument> doc) {
        std::lock_guard lock(mu_);
        if (docs_.size() >= kMaxEntries) docs_.clear();
        docs_[path] = std::move(doc);
    }
    void Erase(const std::string& path) {
        std::lock_guard lock(mu_);
        docs_.erase(path);
    }

  private:
    std::mutex mu_;
    std::map<std::string, std::shared_ptr<const RenderedDocument>> docs_;
};

http::Response Typed(std::string body, std::string_view content_type) {
    http::Response r = http::Response::Text(200, std::move(body));
    r.SetHeader("Content-Type", content_type);
    return r;
}

http::Response Missing(http::Request& req, SiteServices& s) { return ErrorPage(req, s, 404); }

http::Response Failed(http::Request& req, SiteServices& s, const core::Error& e) {
    s.log.Error("csaf provider failed", {{"error", e.ToString()}, {"path", req.path}});
    return ErrorPage(req, s, 500);
}

formats::CsafPublisher CsafPublisherFor(SiteServices& s, const std::string& origin) {
    formats::CsafPublisher publisher;
    publisher.name = s.config.publication.publisher_name;
    publisher.namespace_url = origin;
    publisher.contact_details = s.config.publication.contact;
    publisher.advisory_url_prefix = origin + "/advisories/";
    return publisher;
}

// Renders the document of one published advisory; nullopt when it is not (or no longer) public.
using DocumentPtr = std::shared_ptr<const RenderedDocument>;

core::Result<DocumentPtr> Render(SiteServices& s, const std::string& origin, const std::string& advisory_id) {
    // The stamp first: if the advisory changes in between, the next request sees a newer stamp and renders
    // again, never the other way round.
    auto stamp = s.advisories.PublicStamp(advisory_id);
    if (!stamp.ok()) {
        if (stamp.error().code() == core::ErrorCode::kNotFound) return DocumentPtr();
        return stamp.error();
    }
    auto doc = s.advisories.Document(vuln::Caller{}, advisory_id);
    if (!doc.ok()) {
        if (doc.error().code() == core::ErrorCode::kNotFound) return DocumentPtr();
        return doc.error();
    }
    if (!doc->published) return DocumentPtr();
    KZ_ASSIGN(std::string json, formats::RenderCsaf(*doc, CsafPublisherFor(s, origin), formats::CsafLanguage::kEn));
    auto out = std::make_shared<RenderedDocument>();
    out->advisory_id = doc->id;
    out->stamp = *stamp;
    out->origin = origin;
    out->sha256 = Sha256Hex(json) + "  " + formats::CsafFileName(doc->id) + "\n";
    out->json = std::move(json);
    out->confirmed_us = SteadyMicros(s.clock);
    return DocumentPtr(std::move(out));
}

}  // namespace

std::string PublicOriginFor(http::Request& req, SiteServices& s) {
    std::string origin = s.config.server.public_url;
    if (origin.empty()) {
        // No configured URL (development): the Host the client used, if it looks like one.
        std::string_view host = req.Header("Host");
        const bool plausible = !host.empty() && host.size() <= 255 &&
                               host.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                      "0123456789.-:[]") == std::string_view::npos;
        const std::string scheme = s.config.server.tls_cert.empty() ? "http" : "https";
        origin = scheme + "://" + (plausible ? std::string(host) : s.config.server.listen);
    }
    while (!origin.empty() && origin.back() == '/') origin.pop_back();
    return origin;
}

void AddCsafProviderRoutes(http::Router& router, SiteServices& s) {
    // One cache per Site (it lives as long as the route that holds it): two Sites in one process never
    // answer from each other's documents.
    auto documents = std::make_shared<CsafDocumentCache>();
    router.Add("GET", "/.well-known/csaf/provider-metadata.json", [&s](http::Request& req) {
        auto docs = s.advisories.PublishedDocuments();
        if (!docs.ok()) return Failed(req, s, docs.error());
        core::WallTime last_updated = s.clock.Now();
        if (!docs->empty()) {
            last_updated = docs->front().last_updated;
            for (const formats::AdvisoryDoc& doc : *docs) last_updated = std::max(last_updated, doc.last_updated);
        }
        const std::string origin = PublicOriginFor(req, s);
        return Typed(formats::RenderProviderMetadata(CsafPublisherFor(s, origin), origin, last_updated),
                     "application/json");
    });

    router.Add("GET", "/.well-known/csaf/white/index.txt", [&s](http::Request& req) {
        auto docs = s.advisories.PublishedDocuments();
        if (!docs.ok()) return Failed(req, s, docs.error());
        return Typed(formats::RenderCsafIndex(*docs), "text/plain; charset=utf-8");
    });

    router.Add("GET", "/.well-known/csaf/white/changes.csv", [&s](http::Request& req) {
        auto docs = s.advisories.PublishedDocuments();
        if (!docs.ok()) return Failed(req, s, docs.error());
        return Typed(formats::RenderCsafChanges(*docs), "text/csv; charset=utf-8");
    });

    router.Add("GET", "/.well-known/csaf/white/{year}/{file}", [&s, documents](http::Request& req) {
        std::string file(req.Param("file"));
        const bool want_hash = file.ends_with(".json.sha256");
        if (want_hash) file.resize(file.size() - std::string_view(".sha256").size());
        if (!file.ends_with(".json")) return Missing(req, s);
        const std::string path = std::string(req.Param("year")) + "/" + file;
        const std::string origin = PublicOriginFor(req, s);

        auto serve = [&](const RenderedDocument& doc) {
            return want_hash ? Typed(doc.sha256, "text/plain; charset=utf-8") : Typed(doc.json, "application/json");
        };
        DocumentPtr hit = documents->Find(path);
        if (hit && hit->origin == origin) {
            const std::int64_t now_us = SteadyMicros(s.clock);
            if (now_us - hit->confirmed_us.load(std::memory_order_relaxed) < kRevalidateAfter.count() * 1000) {
                return serve(*hit);
            }
            auto stamp = s.advisories.PublicStamp(hit->advisory_id);
            if (stamp.ok() && *stamp == hit->stamp) {
                hit->confirmed_us.store(now_us, std::memory_order_relaxed);
                return serve(*hit);
            }
        }
        // Unknown path or stale entry: find the advisory the path names among the published ones.
        std::string advisory_id = hit ? hit->advisory_id : "";
        if (!hit) {
            auto docs = s.advisories.PublishedDocuments();
            if (!docs.ok()) return Failed(req, s, docs.error());
            for (const formats::AdvisoryDoc& doc : *docs) {
                if (formats::CsafDistributionPath(doc) == path) advisory_id = doc.id;
            }
            if (advisory_id.empty()) return Missing(req, s);
        }
        auto rendered = Render(s, origin, advisory_id);
        if (!rendered.ok()) return Failed(req, s, rendered.error());
        if (!*rendered) {
            documents->Erase(path);
            return Missing(req, s);
        }
        documents->Put(path, *rendered);
        return serve(**rendered);
    });
}

}  // namespace kizuna::web::detail
