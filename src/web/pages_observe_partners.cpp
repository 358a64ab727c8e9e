// /observe/partners (MISSION O5): the coordinators' table of partner CSIRTs that receive the daily IODEF by
// encrypted mail — add (name, address, countries, OpenPGP key), replace a key, remove. Coordinators only:
// everyone else (anonymous, vendors, reporters, sensors) gets 404, as if the page did not exist
// (auth::ResourceKind::kObservePartner). Forms carry the session's CSRF token; every change is audited by
// observe::PartnerRegistry with the coordinator's name and address.
#include <charconv>

#include "observe/export/export.hpp"
#include "web/internal/form_errors.hpp"
#include "web/internal/handlers.hpp"

namespace kizuna::web::detail {
namespace {

using auth::ResourceKind;

std::string CountriesText(const observe::Partner& p) {
    std::string out;
    for (const auto& cc : p.countries) out += (out.empty() ? "" : ", ") + std::string(cc.data(), 2);
    return out;
}

// `errors`: those of the add form beside its fields; those of a partner's own forms (key, remove) on top.
http::Response PartnersPage(http::Request& req, SiteServices& s, int status, const FormErrors& errors,
                            const observe::PartnerInput& input) {
    auto partners = s.observe_partners->List();
    if (!partners.ok()) {
        s.log.Error("listing partners failed", {{"error", partners.error().ToString()}});
        return ErrorPage(req, s, 500);
    }
    const std::string csrf = Context(req).session ? Context(req).session->csrf_token : std::string();
    View rows{View::type::list};
    for (const auto& p : *partners) {
        View row;
        row.set("id", std::to_string(p.id));
        row.set("name", p.name);
        row.set("email", p.email);
        row.set("countries", CountriesText(p));
        if (!p.fingerprint.empty()) row.set("fingerprint", p.fingerprint);
        row.set("key_info", p.key_info);
        row.set("updated", p.updated_by + " " + p.updated_at);
        row.set("csrf", csrf);
        rows.push_back(row);
    }
    View view;
    view.set("partners", rows);
    if (partners->empty()) view.set("none", View::type::bool_true);
    view.set("csrf", csrf);
    view.set("name", input.name);
    view.set("email", input.email);
    view.set("country_text", input.countries);
    view.set("key", input.key);  // a public key: kept like the rest of what was typed
    view.set("errors", errors.ToView());
    if (!errors.Banner().empty()) view.set("error", errors.Banner());
    return RenderPage(req, s, "observe_partners", "observe_partners_title", std::move(view), status);
}

std::optional<std::int64_t> IdParam(http::Request& req) {
    const std::string_view text = req.Param("id");
    std::int64_t id = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (ec != std::errc() || end != text.data() + text.size() || id <= 0) return std::nullopt;
    return id;
}

// Shared by the POST handlers: who may, CSRF, and the answer for a failed change.
std::optional<http::Response> Gate(http::Request& req, SiteServices& s, auth::Action action) {
    if (auto denied = Check(req, action, {ResourceKind::kObservePartner}, false)) return *denied;
    if (!s.observe_partners) return ErrorPage(req, s, 404);
    if (!CsrfValid(req)) return ErrorPage(req, s, 403);
    return std::nullopt;
}

http::Response AfterChange(http::Request& req, SiteServices& s, const core::Status& st,
                           const observe::PartnerInput& input) {
    if (st.ok()) return http::Response::Redirect("/observe/partners");
    switch (st.error().code()) {
        case core::ErrorCode::kInvalidArgument:
        case core::ErrorCode::kAlreadyExists:
        {
            FormErrors errors(Context(req).lang);
            if (req.path == "/observe/partners") errors.Add(st.error());  // the add form: beside the field
            else errors.AddText("", ErrorWithField(Context(req).lang, st.error()));
            return PartnersPage(req, s, 400, errors, input);
        }
        case core::ErrorCode::kNotFound: return ErrorPage(req, s, 404);
        default:
            s.log.Error("partner change failed", {{"error", st.error().ToString()}});
            return ErrorPage(req, s, 500);
    }
}

}  // namespace

void AddObservePartnerPages(http::Router& router, SiteServices& s) {
    router.Add("GET", "/observe/partners", [&s](http::Request& req) {
        if (auto denied = Check(req, auth::Action::kView, {ResourceKind::kObservePartner}, false)) return *denied;
        if (!s.observe_partners) return ErrorPage(req, s, 404);
        return PartnersPage(req, s, 200, FormErrors(Context(req).lang), {});
    });
    router.Add("POST", "/observe/partners", [&s](http::Request& req) {
        if (auto stop = Gate(req, s, auth::Action::kCreate)) return *stop;
        observe::PartnerInput input{req.Form("name").value_or(""), req.Form("email").value_or(""),
                                    req.Form("countries").value_or(""), req.Form("key").value_or("")};
        auto added = s.observe_partners->Add(input, Context(req).principal->name, req.remote_ip);
        return AfterChange(req, s, added.ok() ? core::Ok() : core::Status(added.error()), input);
    });
    router.Add("POST", "/observe/partners/{id}/key", [&s](http::Request& req) {
        if (auto stop = Gate(req, s, auth::Action::kUpdate)) return *stop;
        auto id = IdParam(req);
        if (!id) return ErrorPage(req, s, 404);
        return AfterChange(req, s,
                           s.observe_partners->SetKey(*id, req.Form("key").value_or(""), Context(req).principal->name,
                                                      req.remote_ip),
                           {});
    });
    router.Add("POST", "/observe/partners/{id}/remove", [&s](http::Request& req) {
        if (auto stop = Gate(req, s, auth::Action::kDelete)) return *stop;
        auto id = IdParam(req);
        if (!id) return ErrorPage(req, s, 404);
        return AfterChange(req, s, s.observe_partners->Remove(*id, Context(req).principal->name, req.remote_ip), {});
    });
}

}  // namespace kizuna::web::detail
