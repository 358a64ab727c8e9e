// JSON API for the vendor registry: /api/v1/vendors/... Staff manage vendors; a vendor's own accounts
// may read their record. Decided by auth::Authorize (ResourceKind::kVendorRecord).
#include <nlohmann/json.hpp>

#include "web/internal/handlers.hpp"

namespace kizuna::web::detail {
namespace {

using nlohmann::json;

core::Result<vuln::VendorId> VendorIdParam(http::Request& req) {
    const std::string text(req.Param("vendor"));
    char* end = nullptr;
    const long long v = std::strtoll(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || v <= 0) return core::NotFound("no such vendor");
    return vuln::VendorId(v);
}

// Allowed → nullopt; otherwise the denial. `own` when the caller acts for this vendor.
std::optional<http::Response> Gate(http::Request& req, SiteServices& s, auth::Action action,
                                   std::optional<vuln::VendorId> vendor) {
    auth::Resource resource{auth::ResourceKind::kVendorRecord};
    if (vendor) {
        const vuln::Caller caller = CallerFor(req, s);
        resource.own = caller.vendor && *caller.vendor == *vendor;
    }
    if (auto denied = Check(req, action, resource, true)) return denied;
    if (action != auth::Action::kView && !CsrfValid(req))
        return http::ErrorResponse(403, "permission_denied", "missing or wrong CSRF token", "X-CSRF-Token");
    return std::nullopt;
}

json VendorJson(const vuln::Vendor& v) {
    json contacts = json::array();
    for (const auto& c : v.contacts)
        contacts.push_back({{"id", c.id},
                            {"name", c.name},
                            {"email", c.email},
                            {"phone", c.phone},
                            {"primary", c.primary},
                            {"lang", vuln::Name(c.lang)}});
    json keys = json::array();
    for (const auto& k : v.keys)
        keys.push_back({{"fingerprint", k.fingerprint}, {"user_ids", k.user_ids}, {"expires_at", k.expires_at},
                        {"can_encrypt", k.can_encrypt}, {"imported_at", k.imported_at}});
    json products = json::array();
    for (const auto& p : v.products) {
        json comps = json::array();
        for (const auto& c : p.components) comps.push_back({{"name", c.name}, {"version", c.version}, {"purl", c.purl}});
        products.push_back({{"id", p.id}, {"name", p.name}, {"components", comps}});
    }
    return {{"id", v.id.value()},
            {"name", v.name},
            {"name_en", v.name_en},
            {"registration_kind", vuln::Name(v.kind)},
            {"registration_state", vuln::Name(v.state)},
            {"terms_version", v.terms_version},
            {"terms_agreed_at", v.terms_agreed_at},
            {"website", v.website},
            {"created_at", v.created_at},
            {"registered_at", v.registered_at},
            {"accept_unsigned_mail", v.accept_unsigned_mail},
            {"contacts", contacts},
            {"keys", keys},
            {"keywords", v.keywords},
            {"products", products}};
}

template <typename Fn>
http::Response WithBody(http::Request& req, SiteServices& s, Fn&& fn) {
    auto body = http::ParseJsonBody(req);
    if (!body.ok()) return ApiError(body.error(), req, s);
    return fn(http::JsonObjectReader(*body), *body);
}

http::Response Ok(const core::Status& st, http::Request& req, SiteServices& s) {
    if (!st.ok()) return ApiError(st.error(), req, s);
    return http::Response::Json(200, json{{"ok", true}});
}

}  // namespace

void AddVendorApi(http::Router& router, SiteServices& s) {
    router.Add("GET", "/api/v1/vendors", [&s](http::Request& req) {
        if (auto denied = Gate(req, s, auth::Action::kView, std::nullopt)) return *denied;
        auto list = s.vendors.List();
        if (!list.ok()) return ApiError(list.error(), req, s);
        json out = json::array();
        for (const auto& v : *list)
            out.push_back({{"id", v.id.value()}, {"name", v.name}, {"name_en", v.name_en},
                           {"registration_kind", vuln::Name(v.kind)}, {"registration_state", vuln::Name(v.state)},
                           {"registered_at", v.registered_at}});
        return http::Response::Json(200, json{{"vendors", out}});
    });

    router.Add("GET", "/api/v1/vendors/stats/registered", [&s](http::Request& req) {
        if (auto denied = Gate(req, s, auth::Action::kView, std::nullopt)) return *denied;
        auto points = s.vendors.CountOverTime();
        if (!points.ok()) return ApiError(points.error(), req, s);
        json out = json::array();
        for (const auto& p : *points) out.push_back({{"month", p.month}, {"registered", p.registered}});
        return http::Response::Json(200, json{{"registered_vendors", out}});
    });

    router.Add("POST", "/api/v1/vendors", [&s](http::Request& req) {
        if (auto denied = Gate(req, s, auth::Action::kCreate, std::nullopt)) return *denied;
        return WithBody(req, s, [&](http::JsonObjectReader r, const json&) {
            auto parsed = [&]() -> core::Result<vuln::NewVendor> {
                KZ_TRY(r.RejectUnknown({"name", "name_en", "registration_kind", "website", "postal_address"}));
                vuln::NewVendor v;
                KZ_ASSIGN(v.name, r.RequireString("name", 1, 200));
                KZ_ASSIGN(auto en, r.OptionalString("name_en", 0, 200));
                v.name_en = en.value_or("");
                KZ_ASSIGN(auto kind, r.OptionalString("registration_kind", 1, 20));
                if (kind) {
                    KZ_ASSIGN(v.kind, vuln::ParseRegistrationKind(*kind));
                }
                KZ_ASSIGN(auto web, r.OptionalString("website", 0, 500));
                v.website = web.value_or("");
                KZ_ASSIGN(auto postal, r.OptionalString("postal_address", 0, 500));
                v.postal_address = postal.value_or("");
                return v;
            }();
            if (!parsed.ok()) return ApiError(parsed.error(), req, s);
            auto id = s.vendors.Create(*parsed, Context(req).principal->name);
            if (!id.ok()) return ApiError(id.error(), req, s);
            return http::Response::Json(201, json{{"id", id->value()}});
        });
    });

    router.Add("GET", "/api/v1/vendors/{vendor}", [&s](http::Request& req) {
        auto id = VendorIdParam(req);
        if (!id.ok()) return ApiError(id.error(), req, s);
        if (auto denied = Gate(req, s, auth::Action::kView, *id)) return *denied;
        auto v = s.vendors.Get(*id);
        if (!v.ok()) return ApiError(v.error(), req, s);
        return http::Response::Json(200, VendorJson(*v));
    });

    router.Add("POST", "/api/v1/vendors/{vendor}/registration", [&s](http::Request& req) {
        auto id = VendorIdParam(req);
        if (!id.ok()) return ApiError(id.error(), req, s);
        if (auto denied = Gate(req, s, auth::Action::kUpdate, *id)) return *denied;
        return WithBody(req, s, [&](http::JsonObjectReader r, const json&) {
            auto state = r.RequireString("state", 1, 40);
            if (!state.ok()) return ApiError(state.error(), req, s);
            auto to = vuln::ParseRegistrationState(*state);
            if (!to.ok()) return ApiError(to.error(), req, s);
            auto note = r.OptionalString("note", 0, 2000);
            if (!note.ok()) return ApiError(note.error(), req, s);
            return Ok(s.vendors.Advance(*id, *to, Context(req).principal->name, note->value_or("")), req, s);
        });
    });

    router.Add("POST", "/api/v1/vendors/{vendor}/terms", [&s](http::Request& req) {
        auto id = VendorIdParam(req);
        if (!id.ok()) return ApiError(id.error(), req, s);
        if (auto denied = Gate(req, s, auth::Action::kUpdate, *id)) return *denied;
        return WithBody(req, s, [&](http::JsonObjectReader r, const json&) {
            auto version = r.RequireString("version", 1, 40);
            if (!version.ok()) return ApiError(version.error(), req, s);
            return Ok(s.vendors.AgreeToTerms(*id, *version, Context(req).principal->name), req, s);
        });
    });

    router.Add("POST", "/api/v1/vendors/{vendor}/contacts", [&s](http::Request& req) {
        auto id = VendorIdParam(req);
        if (!id.ok()) return ApiError(id.error(), req, s);
        if (auto denied = Gate(req, s, auth::Action::kUpdate, *id)) return *denied;
        return WithBody(req, s, [&](http::JsonObjectReader r, const json&) {
            auto parsed = [&]() -> core::Result<vuln::Contact> {
                KZ_TRY(r.RejectUnknown({"name", "email", "phone", "primary", "lang"}));
                vuln::Contact c;
                KZ_ASSIGN(c.name, r.RequireString("name", 1, 200));
                KZ_ASSIGN(auto email, r.OptionalString("email", 0, 254));
                c.email = email.value_or("");
                KZ_ASSIGN(auto phone, r.OptionalString("phone", 0, 50));
                c.phone = phone.value_or("");
                KZ_ASSIGN(c.primary, r.OptionalBool("primary", false));
                KZ_ASSIGN(auto lang, r.OptionalString("lang", 0, 10));
                if (lang) {
                    KZ_ASSIGN(c.lang, vuln::ParseMailLang(*lang));
                }
                return c;
            }();
            if (!parsed.ok()) return ApiError(parsed.error(), req, s);
            auto contact = s.vendors.AddContact(*id, *parsed, Context(req).principal->name);
            if (!contact.ok()) return ApiError(contact.error(), req, s);
            return http::Response::Json(201, json{{"id", *contact}});
        });
    });

    // Issue 13: the language of one contact's mail ({"lang": "ja"|"en"}).
    router.Add("PATCH", "/api/v1/vendors/{vendor}/contacts/{contact}", [&s](http::Request& req) {
        auto id = VendorIdParam(req);
        if (!id.ok()) return ApiError(id.error(), req, s);
        if (auto denied = Gate(req, s, auth::Action::kUpdate, *id)) return *denied;
        const std::int64_t contact = std::atoll(std::string(req.Param("contact")).c_str());
        return WithBody(req, s, [&](http::JsonObjectReader r, const json&) {
            auto lang = [&]() -> core::Result<vuln::MailLang> {
                KZ_TRY(r.RejectUnknown({"lang"}));
                KZ_ASSIGN(std::string text, r.RequireString("lang", 1, 10));
                return vuln::ParseMailLang(text);
            }();
            if (!lang.ok()) return ApiError(lang.error(), req, s);
            return Ok(s.vendors.SetContactLanguage(*id, contact, *lang, Context(req).principal->name), req, s);
        });
    });

    router.Add("POST", "/api/v1/vendors/{vendor}/keys", [&s](http::Request& req) {
        auto id = VendorIdParam(req);
        if (!id.ok()) return ApiError(id.error(), req, s);
        if (auto denied = Gate(req, s, auth::Action::kUpdate, *id)) return *denied;
        return WithBody(req, s, [&](http::JsonObjectReader r, const json&) {
            auto armored = r.RequireString("key", 1, 1024 * 1024);
            if (!armored.ok()) return ApiError(armored.error(), req, s);
            auto key = s.vendors.ImportKey(*id, *armored, Context(req).principal->name);
            if (!key.ok()) return ApiError(key.error(), req, s);
            return http::Response::Json(201, json{{"fingerprint", key->fingerprint}, {"user_ids", key->user_ids},
                                                  {"expires_at", key->expires_at}, {"can_encrypt", key->can_encrypt}});
        });
    });

    router.Add("POST", "/api/v1/vendors/{vendor}/products", [&s](http::Request& req) {
        auto id = VendorIdParam(req);
        if (!id.ok()) return ApiError(id.error(), req, s);
        if (auto denied = Gate(req, s, auth::Action::kUpdate, *id)) return *denied;
        return WithBody(req, s, [&](http::JsonObjectReader r, const json& body) {
            if (auto st = r.RejectUnknown({"name", "components", "sbom"}); !st.ok()) return ApiError(st.error(), req, s);
            auto name = r.OptionalString("name", 1, 200);
            if (!name.ok()) return ApiError(name.error(), req, s);
            const std::string actor = Context(req).principal->name;
            if (r.Has("sbom")) {
                // The SBOM (CycloneDX or SPDX JSON) as an object or as a string holding the document.
                const json& sbom = body.at("sbom");
                const std::string text = sbom.is_string() ? sbom.get<std::string>() : sbom.dump();
                auto product = s.vendors.ImportSbom(*id, name->value_or(""), text, actor);
                if (!product.ok()) return ApiError(product.error(), req, s);
                return http::Response::Json(201, json{{"id", *product}});
            }
            if (!*name) return http::ErrorResponse(400, "invalid_argument", "must be given", "name");
            std::vector<vuln::Component> comps;
            if (r.Has("components")) {
                const json& list = body.at("components");
                if (!list.is_array() || list.size() > 10000)
                    return http::ErrorResponse(400, "invalid_argument", "must be an array of {name, version, purl}",
                                               "components");
                for (std::size_t i = 0; i < list.size(); ++i) {
                    const std::string field = "components[" + std::to_string(i) + "]";
                    if (!list[i].is_object()) return http::ErrorResponse(400, "invalid_argument", "must be an object", field);
                    http::JsonObjectReader cr(list[i], field);
                    auto cn = cr.RequireString("name", 1, 200);
                    auto cv = cr.OptionalString("version", 0, 100);
                    auto cp = cr.OptionalString("purl", 0, 500);
                    if (!cn.ok()) return ApiError(cn.error(), req, s);
                    if (!cv.ok()) return ApiError(cv.error(), req, s);
                    if (!cp.ok()) return ApiError(cp.error(), req, s);
                    comps.push_back({*cn, cv->value_or(""), cp->value_or("")});
                }
            }
            auto product = s.vendors.AddProduct(*id, **name, comps, actor);
            if (!product.ok()) return ApiError(product.error(), req, s);
            return http::Response::Json(201, json{{"id", *product}});
        });
    });

    router.Add("PUT", "/api/v1/vendors/{vendor}/keywords", [&s](http::Request& req) {
        auto id = VendorIdParam(req);
        if (!id.ok()) return ApiError(id.error(), req, s);
        if (auto denied = Gate(req, s, auth::Action::kUpdate, *id)) return *denied;
        return WithBody(req, s, [&](http::JsonObjectReader r, const json&) {
            auto keywords = r.StringArray("keywords", true, 500, 1, 100);
            if (!keywords.ok()) return ApiError(keywords.error(), req, s);
            return Ok(s.vendors.SetKeywords(*id, *keywords, Context(req).principal->name), req, s);
        });
    });

    // V17: what happens to mail claiming this vendor that its key did not sign (staff only).
    router.Add("PUT", "/api/v1/vendors/{vendor}/mail-policy", [&s](http::Request& req) {
        auto id = VendorIdParam(req);
        if (!id.ok()) return ApiError(id.error(), req, s);
        if (auto denied = Gate(req, s, auth::Action::kUpdate, *id)) return *denied;
        return WithBody(req, s, [&](http::JsonObjectReader r, const json& body) {
            if (auto unknown = r.RejectUnknown({"accept_unsigned_mail"}); !unknown.ok())
                return ApiError(unknown.error(), req, s);
            if (!body.contains("accept_unsigned_mail") || !body["accept_unsigned_mail"].is_boolean())
                return ApiError(core::InvalidArgument("must be true or false", "accept_unsigned_mail"), req, s);
            return Ok(s.vendors.SetAcceptUnsignedMail(*id, body["accept_unsigned_mail"].get<bool>(),
                                                      Context(req).principal->name),
                      req, s);
        });
    });

    router.Add("POST", "/api/v1/vendors/{vendor}/members", [&s](http::Request& req) {
        auto id = VendorIdParam(req);
        if (!id.ok()) return ApiError(id.error(), req, s);
        if (auto denied = Gate(req, s, auth::Action::kUpdate, *id)) return *denied;
        return WithBody(req, s, [&](http::JsonObjectReader r, const json&) {
            auto user = r.RequireString("user", 1, 64);
            if (!user.ok()) return ApiError(user.error(), req, s);
            auto found = s.users.FindByName(*user);
            if (!found.ok()) return ApiError(found.error(), req, s);
            if (!*found) return http::ErrorResponse(400, "invalid_argument", "no such user", "user");
            return Ok(s.vendors.AddMember(*id, (*found)->id, Context(req).principal->name), req, s);
        });
    });
}

}  // namespace kizuna::web::detail
