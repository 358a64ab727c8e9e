// The vendor registry in the browser (issue 13): /vendors (list and search), /vendors/new (register a
// vendor), /vendors/{vendor} (its record) with forms for contact points, OpenPGP keys, products with their
// components, SBOM import (CycloneDX/SPDX JSON), technology keywords, the registration workflow and the
// registration terms, and portal accounts. The same services and access policy as the JSON API
// (api_vendors.cpp): staff manage every vendor; a vendor's own accounts may read their record.
// A failed form is shown again with what was typed and the error beside it, in the viewer's language.
#include <map>
#include <sstream>

#include "web/internal/handlers.hpp"
#include "web/internal/labels.hpp"

namespace kizuna::web::detail {
namespace {

using auth::Action;

View Bool(bool b) { return b ? View::type::bool_true : View::type::bool_false; }

std::optional<vuln::VendorId> VendorParam(http::Request& req) {
    const std::string text(req.Param("vendor"));
    if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string::npos)
        return std::nullopt;
    const long long v = std::stoll(text);
    if (v <= 0) return std::nullopt;
    return vuln::VendorId(v);
}

// nullopt when allowed; otherwise the page's answer (login redirect, 404 for records the caller may not know).
std::optional<http::Response> Gate(http::Request& req, SiteServices& s, Action action,
                                   std::optional<vuln::VendorId> vendor) {
    auth::Resource resource{auth::ResourceKind::kVendorRecord};
    if (vendor) {
        const vuln::Caller caller = CallerFor(req, s);
        resource.own = caller.vendor && *caller.vendor == *vendor;
    }
    if (auto denied = Check(req, action, resource, false)) return denied;
    if (action != Action::kView && !CsrfValid(req)) return ErrorPage(req, s, 403);
    return std::nullopt;
}

// What a failed form shows: which form, the message key, and the values typed.
struct FormState {
    std::string form;
    std::string error;
    std::map<std::string, std::string> values;
    std::string Value(const std::string& key) const {
        auto it = values.find(key);
        return it == values.end() ? "" : it->second;
    }
};

// The message key for a domain error on one of the forms: by code and field, never the English text.
std::string ErrorKey(std::string_view form, const core::Error& e) {
    const std::string field(e.field());
    const std::string message(e.message());
    if (e.code() == core::ErrorCode::kFailedPrecondition) {
        if (message.find("terms") != std::string::npos) return "admin_error_need_terms";
        if (message.find("contact") != std::string::npos) return "admin_error_need_contact";
        return "admin_error_transition";
    }
    if (e.code() == core::ErrorCode::kAlreadyExists) {
        if (form == "key") return "admin_error_key_exists";
        if (form == "member") return "admin_error_member_exists";
        return "admin_error_product_exists";
    }
    if (form == "key") return "admin_error_key_invalid";
    if (form == "sbom" && field != "product") return "admin_error_sbom";
    if (form == "member") return "admin_error_member";
    if (field == "email") return "admin_error_contact_email";
    if (field == "name" || field == "name_en" || field == "product") return "admin_error_name_length";
    if (field == "keywords") return "admin_error_keywords";
    if (field == "terms_version") return "admin_error_terms_version";
    return "admin_error_invalid";
}

std::string GroupedFingerprint(const std::string& fpr) {
    std::string out;
    for (std::size_t i = 0; i < fpr.size(); ++i) {
        if (i > 0 && i % 4 == 0) out += ' ';
        out += fpr[i];
    }
    return out;
}

std::string Local(SiteServices& s, const std::string& rfc3339) {
    auto t = core::ParseRfc3339(rfc3339);
    return t ? s.zone.FormatMinutes(*t) : rfc3339;
}

std::vector<std::string> SplitList(const std::string& text) {
    std::vector<std::string> out;
    std::string item;
    for (char c : text + "\n") {
        if (c == ',' || c == '\n' || c == '\r' || c == '\t') {
            const auto b = item.find_first_not_of(' ');
            const auto e = item.find_last_not_of(' ');
            if (b != std::string::npos) out.push_back(item.substr(b, e - b + 1));
            item.clear();
        } else {
            item += c;
        }
    }
    return out;
}

// "name version pkg:purl" per line; the purl and the version are optional.
std::vector<vuln::Component> ParseComponents(const std::string& text) {
    std::vector<vuln::Component> out;
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
        std::istringstream words(line);
        std::string word;
        vuln::Component c;
        while (words >> word) {
            if (word.starts_with("pkg:")) c.purl = word;
            else if (c.name.empty()) c.name = word;
            else if (c.version.empty()) c.version = word;
        }
        if (!c.name.empty()) out.push_back(std::move(c));
    }
    return out;
}

http::Response VendorError(http::Request& req, SiteServices& s, const core::Error& e) {
    if (e.code() == core::ErrorCode::kNotFound) return ErrorPage(req, s, 404);
    s.log.Error("vendor page failed", {{"error", e.ToString()}, {"path", req.path}});
    return ErrorPage(req, s, 500);
}

http::Response VendorPage(http::Request& req, SiteServices& s, vuln::VendorId id, const FormState& state, int status) {
    RequestContext& ctx = Context(req);
    const Lang lang = ctx.lang;
    auto v = s.vendors.Get(id);
    if (!v.ok()) return VendorError(req, s, v.error());
    const bool staff = ctx.principal && (ctx.principal->role == auth::Role::kAdmin ||
                                         ctx.principal->role == auth::Role::kCoordinator);
    View view;
    view.set("id", std::to_string(id.value()));
    view.set("name", v->name);
    view.set("name_en", v->name_en);
    view.set("kind_label", CodeLabel(lang, "registration_kind", vuln::Name(v->kind)));
    view.set("state_label", CodeLabel(lang, "registration_state", vuln::Name(v->state)));
    view.set("state_code", std::string(vuln::Name(v->state)));
    view.set("website", v->website);
    view.set("postal_address", v->postal_address);
    view.set("created", Local(s, v->created_at));
    view.set("registered", v->registered_at.empty() ? Translate(lang, "admin_not_yet") : Local(s, v->registered_at));
    view.set("terms_version", v->terms_version.empty() ? Translate(lang, "admin_not_yet") : v->terms_version);
    view.set("terms_agreed", v->terms_agreed_at.empty() ? "" : Local(s, v->terms_agreed_at));
    view.set("current_terms", s.config.vuln.terms_version);
    view.set("terms_current", Bool(v->terms_version == s.config.vuln.terms_version));
    view.set("mail_policy", Translate(lang, v->accept_unsigned_mail ? "mail_policy_hold" : "mail_policy_quarantine"));
    view.set("zone", s.zone.name());
    view.set("staff", Bool(staff));
    view.set("csrf", ctx.session ? ctx.session->csrf_token : "");
    View contacts{View::type::list};
    for (const auto& c : v->contacts) {
        View row;
        row.set("name", c.name);
        row.set("email", c.email);
        row.set("phone", c.phone);
        row.set("primary", Bool(c.primary));
        contacts.push_back(row);
    }
    view.set("contacts", contacts);
    View keys{View::type::list};
    for (const auto& k : v->keys) {
        View row;
        row.set("fingerprint", GroupedFingerprint(k.fingerprint));
        row.set("fingerprint_raw", k.fingerprint);
        row.set("user_ids", k.user_ids);
        row.set("expires", k.expires_at.empty() ? Translate(lang, "admin_key_never") : Local(s, k.expires_at));
        row.set("can_encrypt", Translate(lang, k.can_encrypt ? "admin_yes" : "admin_no"));
        row.set("imported", Local(s, k.imported_at));
        keys.push_back(row);
    }
    view.set("keys", keys);
    View products{View::type::list};
    for (const auto& p : v->products) {
        View row;
        row.set("name", p.name);
        View comps{View::type::list};
        for (const auto& c : p.components) {
            View cv;
            cv.set("name", c.name);
            cv.set("version", c.version);
            cv.set("purl", c.purl);
            comps.push_back(cv);
        }
        row.set("components", comps);
        row.set("component_count", std::to_string(p.components.size()));
        products.push_back(row);
    }
    view.set("products", products);
    View keywords{View::type::list};
    std::string keyword_text;
    for (const auto& k : v->keywords) {
        View kw;
        kw.set("keyword", k);
        keywords.push_back(kw);
        keyword_text += (keyword_text.empty() ? "" : ", ") + k;
    }
    view.set("keywords", keywords);
    View next{View::type::list};
    for (auto st : vuln::NextRegistrationStates(v->kind, v->state)) {
        View o;
        o.set("value", std::string(vuln::Name(st)));
        o.set("label", CodeLabel(lang, "registration_state", vuln::Name(st)));
        next.push_back(o);
    }
    view.set("next_states", next);
    view.set("has_next", Bool(!vuln::NextRegistrationStates(v->kind, v->state).empty()));
    // Each form: its typed values (after a failure) and its error, beside it.
    // Every field of every form is set (empty by default): a missing one would be looked up in the
    // enclosing context (mustache), and the contact form would show the vendor's own name.
    static const std::map<std::string, std::vector<std::string>> kFields = {
        {"contact", {"name", "email", "phone"}}, {"key", {"key"}},           {"product", {"name", "components"}},
        {"sbom", {"name", "sbom"}},              {"keywords", {"keywords"}}, {"registration", {"note"}},
        {"terms", {"version"}},                  {"member", {"user"}}};
    for (const auto& [form, fields] : kFields) {
        View f;
        for (const auto& field : fields) f.set(field, "");
        f.set("error", View::type::bool_false);
        if (state.form == form) {
            for (const auto& [k, value] : state.values) f.set(k, value);
            if (!state.error.empty()) f.set("error", Translate(lang, state.error));
        } else if (form == "keywords") {
            f.set("keywords", keyword_text);
        } else if (form == "terms") {
            f.set("version", s.config.vuln.terms_version);
        }
        view.set("f_" + form, f);
    }
    const std::string done = req.Query("done").value_or("");
    for (const char* code : {"created", "contact", "key", "product", "sbom", "keywords", "registration", "terms", "member"})
        if (done == code) view.set("notice", Translate(lang, std::string("admin_vendor_done_") + code));
    http::Response r = RenderPage(req, s, "vendor", "admin_vendor_title", std::move(view), status);
    r.SetHeader("Cache-Control", "no-store");
    return r;
}

http::Response NewVendorPage(http::Request& req, SiteServices& s, const FormState& state, int status) {
    const Lang lang = Context(req).lang;
    View view;
    view.set("csrf", Context(req).session ? Context(req).session->csrf_token : "");
    for (const char* k : {"name", "name_en", "website", "postal_address"}) view.set(k, state.Value(k));
    if (!state.error.empty()) view.set("error", Translate(lang, state.error));
    View kinds{View::type::list};
    const std::string chosen = state.Value("registration_kind").empty() ? "general" : state.Value("registration_kind");
    for (const char* k : {"general", "individual", "unregistered"}) {
        View o;
        o.set("value", k);
        o.set("label", CodeLabel(lang, "registration_kind", k));
        o.set("selected", Bool(chosen == k));
        kinds.push_back(o);
    }
    view.set("kinds", kinds);
    return RenderPage(req, s, "vendor_new", "admin_vendor_new_title", std::move(view), status);
}

// The shape of every form post on a vendor's page: gate, run the change, redirect with a message code —
// or show the page again with the typed values and the error beside the form.
template <typename Fn>
http::Response VendorForm(http::Request& req, SiteServices& s, const char* form, std::initializer_list<const char*> keep,
                          Fn&& change) {
    auto id = VendorParam(req);
    if (!id) return ErrorPage(req, s, 404);
    if (auto denied = Gate(req, s, Action::kUpdate, *id)) return *denied;
    core::Status st = change(*id, Context(req).principal->name);
    if (st.ok()) return http::Response::Redirect("/vendors/" + std::to_string(id->value()) + "?done=" + form);
    if (st.error().code() == core::ErrorCode::kNotFound && std::string_view(form) != "member")
        return ErrorPage(req, s, 404);
    if (st.error().code() == core::ErrorCode::kInternal || st.error().code() == core::ErrorCode::kUnavailable)
        return VendorError(req, s, st.error());
    FormState state;
    state.form = form;
    state.error = ErrorKey(form, st.error());
    for (const char* k : keep) state.values[k] = req.Form(k).value_or("");
    return VendorPage(req, s, *id, state, 400);
}

}  // namespace

void AddVendorPages(http::Router& router, SiteServices& s) {
    router.Add("GET", "/vendors", [&s](http::Request& req) {
        if (auto denied = Gate(req, s, Action::kView, std::nullopt)) return *denied;
        const Lang lang = Context(req).lang;
        auto list = s.vendors.List();
        if (!list.ok()) return VendorError(req, s, list.error());
        const std::string q = req.Query("q").value_or("").substr(0, 200);
        const std::string state = req.Query("state").value_or("");
        auto lower = [](std::string t) {
            for (char& c : t) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
            return t;
        };
        const std::string needle = lower(q);
        View rows{View::type::list};
        for (const auto& v : *list) {
            if (!state.empty() && vuln::Name(v.state) != state) continue;
            if (!needle.empty() && lower(v.name).find(needle) == std::string::npos &&
                lower(v.name_en).find(needle) == std::string::npos)
                continue;
            View row;
            row.set("id", std::to_string(v.id.value()));
            row.set("name", v.name);
            row.set("name_en", v.name_en);
            row.set("kind_label", CodeLabel(lang, "registration_kind", vuln::Name(v.kind)));
            row.set("state_label", CodeLabel(lang, "registration_state", vuln::Name(v.state)));
            row.set("registered", v.registered_at.empty() ? "" : Local(s, v.registered_at));
            rows.push_back(row);
        }
        View states{View::type::list};
        for (const char* code : {"unregistered", "applied", "documents_received", "meeting", "registration_requested",
                                 "registered", "refused"}) {
            View o;
            o.set("value", code);
            o.set("label", CodeLabel(lang, "registration_state", code));
            o.set("selected", Bool(state == code));
            states.push_back(o);
        }
        View view;
        view.set("vendors", rows);
        view.set("states", states);
        view.set("q", q);
        view.set("zone", s.zone.name());
        return RenderPage(req, s, "vendors", "admin_vendors_title", std::move(view));
    });

    router.Add("GET", "/vendors/new", [&s](http::Request& req) {
        if (auto denied = Check(req, Action::kCreate, {auth::ResourceKind::kVendorRecord}, false)) return *denied;
        return NewVendorPage(req, s, {}, 200);
    });

    router.Add("POST", "/vendors", [&s](http::Request& req) {
        if (auto denied = Gate(req, s, Action::kCreate, std::nullopt)) return *denied;
        FormState state;
        for (const char* k : {"name", "name_en", "registration_kind", "website", "postal_address"})
            state.values[k] = req.Form(k).value_or("");
        vuln::NewVendor v;
        v.name = state.Value("name");
        v.name_en = state.Value("name_en");
        v.website = state.Value("website");
        v.postal_address = state.Value("postal_address");
        auto kind = vuln::ParseRegistrationKind(state.Value("registration_kind"));
        if (!kind.ok()) {
            state.error = "admin_error_invalid";
            return NewVendorPage(req, s, state, 400);
        }
        v.kind = *kind;
        if (v.website.size() > 500 || v.postal_address.size() > 500) {
            state.error = "admin_error_invalid";
            return NewVendorPage(req, s, state, 400);
        }
        auto id = s.vendors.Create(v, Context(req).principal->name);
        if (!id.ok()) {
            if (id.error().code() != core::ErrorCode::kInvalidArgument &&
                id.error().code() != core::ErrorCode::kAlreadyExists)
                return VendorError(req, s, id.error());
            state.error = id.error().code() == core::ErrorCode::kAlreadyExists ? "admin_error_vendor_exists"
                                                                               : ErrorKey("vendor", id.error());
            return NewVendorPage(req, s, state, 400);
        }
        return http::Response::Redirect("/vendors/" + std::to_string(id->value()) + "?done=created");
    });

    router.Add("GET", "/vendors/{vendor}", [&s](http::Request& req) {
        auto id = VendorParam(req);
        if (!id) return ErrorPage(req, s, 404);
        if (auto denied = Gate(req, s, Action::kView, *id)) return *denied;
        return VendorPage(req, s, *id, {}, 200);
    });

    router.Add("POST", "/vendors/{vendor}/contacts", [&s](http::Request& req) {
        return VendorForm(req, s, "contact", {"name", "email", "phone"}, [&](vuln::VendorId id, const std::string& actor) {
            vuln::Contact c;
            c.name = req.Form("name").value_or("");
            c.email = req.Form("email").value_or("");
            c.phone = req.Form("phone").value_or("");
            c.primary = req.Form("primary").value_or("") == "1";
            if (c.phone.size() > 50) return core::Status(core::InvalidArgument("must be at most 50 characters", "phone"));
            auto r = s.vendors.AddContact(id, c, actor);
            return r.ok() ? core::Ok() : core::Status(r.error());
        });
    });

    router.Add("POST", "/vendors/{vendor}/keys", [&s](http::Request& req) {
        return VendorForm(req, s, "key", {"key"}, [&](vuln::VendorId id, const std::string& actor) {
            auto r = s.vendors.ImportKey(id, req.Form("key").value_or(""), actor);
            return r.ok() ? core::Ok() : core::Status(r.error());
        });
    });

    router.Add("POST", "/vendors/{vendor}/products", [&s](http::Request& req) {
        return VendorForm(req, s, "product", {"name", "components"}, [&](vuln::VendorId id, const std::string& actor) {
            auto r = s.vendors.AddProduct(id, req.Form("name").value_or(""),
                                          ParseComponents(req.Form("components").value_or("")), actor);
            return r.ok() ? core::Ok() : core::Status(r.error());
        });
    });

    router.Add("POST", "/vendors/{vendor}/sbom", [&s](http::Request& req) {
        return VendorForm(req, s, "sbom", {"name", "sbom"}, [&](vuln::VendorId id, const std::string& actor) {
            auto r = s.vendors.ImportSbom(id, req.Form("name").value_or(""), req.Form("sbom").value_or(""), actor);
            return r.ok() ? core::Ok() : core::Status(r.error());
        });
    });

    router.Add("POST", "/vendors/{vendor}/keywords", [&s](http::Request& req) {
        return VendorForm(req, s, "keywords", {"keywords"}, [&](vuln::VendorId id, const std::string& actor) {
            return s.vendors.SetKeywords(id, SplitList(req.Form("keywords").value_or("")), actor);
        });
    });

    router.Add("POST", "/vendors/{vendor}/registration", [&s](http::Request& req) {
        return VendorForm(req, s, "registration", {"note"}, [&](vuln::VendorId id, const std::string& actor) {
            auto to = vuln::ParseRegistrationState(req.Form("state").value_or(""));
            if (!to.ok()) return core::Status(to.error());
            const std::string note = req.Form("note").value_or("");
            if (note.size() > 2000) return core::Status(core::InvalidArgument("at most 2000 characters", "note"));
            return s.vendors.Advance(id, *to, actor, note);
        });
    });

    router.Add("POST", "/vendors/{vendor}/terms", [&s](http::Request& req) {
        return VendorForm(req, s, "terms", {"version"}, [&](vuln::VendorId id, const std::string& actor) {
            return s.vendors.AgreeToTerms(id, req.Form("version").value_or(""), actor);
        });
    });

    router.Add("POST", "/vendors/{vendor}/members", [&s](http::Request& req) {
        return VendorForm(req, s, "member", {"user"}, [&](vuln::VendorId id, const std::string& actor) {
            auto found = s.users.FindByName(req.Form("user").value_or(""));
            if (!found.ok()) return core::Status(found.error());
            if (!*found) return core::Status(core::InvalidArgument("no such user", "user"));
            return s.vendors.AddMember(id, (*found)->id, actor);
        });
    });
}

}  // namespace kizuna::web::detail
