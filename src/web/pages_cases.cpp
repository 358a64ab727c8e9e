// Pages of vulnerability coordination: the public report form with its receipt and the case page (the
// case list — coordinator console, vendor portal, a reporter's own reports — is in pages_queue.cpp),
// whose forms post to /cases/{id}/act. Every decision is vuln::CaseService's; this file renders.
#include <sstream>

#include "sched/sched.hpp"
#include "web/internal/handlers.hpp"

namespace kizuna::web::detail {
namespace {

std::vector<std::string> Lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
        if (!line.empty()) out.push_back(line);
    }
    return out;
}

std::vector<std::string> CommaList(const std::string& text) {
    std::vector<std::string> out;
    std::string item;
    std::istringstream in(text);
    while (std::getline(in, item, ',')) {
        const auto b = item.find_first_not_of(' ');
        const auto e = item.find_last_not_of(' ');
        if (b != std::string::npos) out.push_back(item.substr(b, e - b + 1));
    }
    return out;
}

std::string Replace(std::string text, std::string_view token, std::string_view value) {
    if (auto at = text.find(token); at != std::string::npos) text.replace(at, token.size(), value);
    return text;
}

std::string StatusLabel(Lang lang, vuln::VendorStatus st) {
    return Translate(lang, "status_" + std::string(vuln::Name(st)));
}

std::string Local(SiteServices& s, const std::string& rfc3339) {
    auto t = core::ParseRfc3339(rfc3339);
    return t ? s.zone.FormatMinutes(*t) : rfc3339;
}

View FormView(http::Request& req) {
    View v;
    for (const char* f : {"title", "summary", "details", "products", "components", "keywords", "reporter_name",
                          "reporter_email"})
        v.set(f, req.Form(f).value_or(""));
    return v;
}

http::Response ReportForm(http::Request& req, SiteServices& s, int status, const std::string& error) {
    RequestContext& ctx = Context(req);
    std::string csrf;
    if (ctx.session) {
        csrf = ctx.session->csrf_token;
    } else {
        csrf = req.Cookie(kLoginCsrfCookie).value_or("");
        if (csrf.size() != 64) csrf = core::RandomHex(32);
    }
    View view = req.method == "POST" ? FormView(req) : View{};
    view.set("csrf", csrf);
    view.set("logged_in", ctx.principal ? View::type::bool_true : View::type::bool_false);
    if (!error.empty()) view.set("error", error);
    http::Response r = RenderPage(req, s, "report", "report_title", std::move(view), status);
    if (!ctx.session) r.SetCookie(kLoginCsrfCookie, csrf, SessionCookieOptions(req));
    r.SetHeader("Cache-Control", "no-store");
    return r;
}


// Banners after a form on the case page: the query carries a message code and a field name, both from
// fixed lists, never text (a crafted link cannot put words on the page). Unknown codes show nothing.
constexpr std::string_view kBannerCodes[] = {"invalid", "precondition", "denied", "exists", "throttled", "failed"};
constexpr std::string_view kBannerFields[] = {"publish_at", "reason", "thread", "body", "channel", "address",
                                              "name", "person", "email", "phone", "key", "status", "answer",
                                              "vendor_name", "note", "sectors", "result", "verification"};

std::string_view BannerCode(core::ErrorCode code) {
    switch (code) {
        case core::ErrorCode::kInvalidArgument:
            return "invalid";
        case core::ErrorCode::kFailedPrecondition:
            return "precondition";
        case core::ErrorCode::kPermissionDenied:
            return "denied";
        case core::ErrorCode::kAlreadyExists:
            return "exists";
        case core::ErrorCode::kResourceExhausted:
            return "throttled";
        default:
            return "failed";
    }
}

template <std::size_t N>
bool Listed(const std::string_view (&list)[N], std::string_view value) {
    for (std::string_view item : list)
        if (item == value) return true;
    return false;
}

// The banner text for ?error=&field=, translated; "" when the code is not one of ours.
std::string BannerText(http::Request& req, Lang lang) {
    const std::string code = req.Query("error").value_or("");
    if (!Listed(kBannerCodes, code)) return "";
    std::string text = Translate(lang, "banner_" + code);
    const std::string field = req.Query("field").value_or("");
    if (Listed(kBannerFields, field)) text += " (" + Translate(lang, "banner_field_" + field) + ")";
    return text;
}

http::Response BackToCase(vuln::CaseId id, const core::Status& st, const std::string& thread = {}) {
    std::string location = "/cases/" + std::to_string(id.value());
    std::string query;
    // The thread was checked by the service when st is ok; otherwise it is only passed on when it is a
    // thread name at all (it goes into a URL).
    if (!thread.empty() && thread.find_first_not_of("abcdefghijklmnopqrstuvwxyz:0123456789") == std::string::npos)
        query += "thread=" + thread;
    if (st.ok()) {
        query += std::string(query.empty() ? "" : "&") + "done=1";
    } else {
        query += std::string(query.empty() ? "" : "&") + "error=" + std::string(BannerCode(st.error().code()));
        if (Listed(kBannerFields, st.error().field())) query += "&field=" + st.error().field();
    }
    return http::Response::Redirect(location + "?" + query);
}

http::Response CaseError(http::Request& req, SiteServices& s, const core::Error& e) {
    if (e.code() == core::ErrorCode::kUnauthenticated) return http::Response::Redirect("/login?next=" + req.path);
    if (e.code() == core::ErrorCode::kNotFound) return ErrorPage(req, s, 404);
    if (e.code() == core::ErrorCode::kPermissionDenied) return ErrorPage(req, s, 403);
    s.log.Error("case page failed", {{"error", e.ToString()}, {"path", req.path}});
    return ErrorPage(req, s, 500);
}

}  // namespace

void AddCasePages(http::Router& router, SiteServices& s) {
    router.Add("GET", "/report", [&s](http::Request& req) {
        if (auto denied = Check(req, auth::Action::kView, {auth::ResourceKind::kPublicPage}, false)) return *denied;
        return ReportForm(req, s, 200, "");
    });

    router.Add("POST", "/report", [&s](http::Request& req) {
        const Lang lang = Context(req).lang;
        if (!FormCsrfValid(req)) return ReportForm(req, s, 403, Translate(lang, "csrf_failed"));
        vuln::NewCase n;
        n.title = req.Form("title").value_or("");
        n.summary = req.Form("summary").value_or("");
        n.details = req.Form("details").value_or("");
        n.reporter_name = req.Form("reporter_name").value_or("");
        n.reporter_email = req.Form("reporter_email").value_or("");
        n.products = Lines(req.Form("products").value_or(""));
        n.keywords = CommaList(req.Form("keywords").value_or(""));
        for (const std::string& line : Lines(req.Form("components").value_or(""))) {
            const auto space = line.find(' ');
            n.components.push_back({line.substr(0, space), space == std::string::npos ? "" : line.substr(space + 1)});
        }
        n.source = vuln::Source::kFinder;
        auto receipt = s.cases.Submit(n, CallerFor(req, s), req.remote_ip);
        if (!receipt.ok()) {
            const core::Error& e = receipt.error();
            if (e.code() == core::ErrorCode::kResourceExhausted) {
                http::Response r = ReportForm(req, s, 429, Translate(lang, "report_throttled"));
                r.SetHeader("Retry-After", "600");
                return r;
            }
            return ReportForm(req, s, http::HttpStatusFor(e.code()),
                              (e.field().empty() ? "" : e.field() + ": ") + e.message());
        }
        View view;
        view.set("receipt_id", receipt->receipt_id);
        view.set("identifier", receipt->identifier);
        return RenderPage(req, s, "receipt", "receipt_title", std::move(view), 201);
    });

    router.Add("GET", "/cases/{id}", [&s](http::Request& req) {
        RequestContext& ctx = Context(req);
        if (!ctx.principal) return http::Response::Redirect("/login?next=" + req.path);
        auto id = CaseIdParam(req, s);
        if (!id.ok()) return CaseError(req, s, id.error());
        const vuln::Caller caller = CallerFor(req, s);
        auto c = s.cases.Get(*id, caller);
        if (!c.ok()) return CaseError(req, s, c.error());
        const Lang lang = ctx.lang;
        const std::string case_id = std::to_string(id->value());
        const std::string csrf = ctx.session ? ctx.session->csrf_token : "";
        View view;
        view.set("id", case_id);
        view.set("case_id", case_id);
        view.set("csrf", csrf);
        view.set("identifier", c->identifier);
        view.set("title", c->title);
        view.set("summary", c->summary);
        view.set("state", std::string(vuln::Name(c->state)));
        view.set("verification", std::string(vuln::Name(c->verification)));
        view.set("source", std::string(vuln::Name(c->source)));
        view.set("created", Local(s, c->created_at));
        // kainjow treats "" as true in sections: set optional values only when present.
        if (!c->receipt_id.empty()) view.set("receipt_id", c->receipt_id);
        if (req.Query("done")) view.set("done", View::type::bool_true);
        if (const std::string banner = BannerText(req, lang); !banner.empty()) view.set("error", banner);
        view.set("has_details", c->details ? View::type::bool_true : View::type::bool_false);
        view.set("details", c->details.value_or(""));
        View terms{View::type::list};
        for (const auto& t : c->terms) {
            View tv;
            tv.set("kind", t.kind);
            tv.set("value", t.value);
            if (!t.version.empty()) tv.set("version", t.version);
            terms.push_back(tv);
        }
        view.set("terms", terms);
        view.set("has_terms", c->terms.empty() ? View::type::bool_false : View::type::bool_true);
        View atts{View::type::list};
        for (const auto& a : c->attachments) {
            View av;
            av.set("id", std::to_string(a.id));
            av.set("name", a.name);
            av.set("kind", std::string(vuln::Name(a.kind)));
            av.set("size", std::to_string(a.size));
            av.set("sha256", a.sha256.substr(0, 16));
            atts.push_back(av);
        }
        view.set("attachments", atts);
        view.set("has_attachments", c->attachments.empty() ? View::type::bool_false : View::type::bool_true);

        const bool staff = caller.staff();
        view.set("staff", staff ? View::type::bool_true : View::type::bool_false);
        if (staff) {
            view.set("can_verify", c->state == vuln::CaseState::kReceived || c->state == vuln::CaseState::kRejected
                                       ? View::type::bool_true
                                       : View::type::bool_false);
            const bool verified = c->verification == vuln::Verification::kReproduced;
            View vendors{View::type::list};
            for (const auto& v : c->vendors) {
                const bool registered = v.registration == vuln::RegistrationState::kRegistered;
                View row;
                row.set("vendor_id", std::to_string(v.vendor.value()));
                row.set("name", v.name);
                if (!v.suggested_by.empty()) row.set("suggested_by", v.suggested_by);
                row.set("registration", std::string(vuln::Name(v.kind)) + " / " + std::string(vuln::Name(v.registration)));
                row.set("level", std::string(vuln::Name(v.level)));
                row.set("answer", std::string(vuln::Name(v.answer)));
                row.set("status_label", StatusLabel(lang, v.status));
                if (!v.status_text.empty()) row.set("status_text", v.status_text);
                auto flag = [](bool b) { return b ? View::type::bool_true : View::type::bool_false; };
                row.set("can_summary", flag(verified && registered && v.level == vuln::Level::kNone));
                row.set("can_disclose", flag(verified && registered && v.level == vuln::Level::kSummary &&
                                             v.answer == vuln::Answer::kRequestDetails));
                row.set("can_direct", flag(verified && registered && v.level == vuln::Level::kNone));
                row.set("needs_registration", flag(!registered));
                vendors.push_back(row);
            }
            view.set("vendors", vendors);
            View suggestions{View::type::list};
            if (auto list = s.cases.SuggestVendors(*id, caller); list.ok()) {
                for (const auto& sv : *list) {
                    View row;
                    row.set("vendor_id", std::to_string(sv.candidate.vendor_id));
                    row.set("name", sv.name);
                    char score[32];
                    std::snprintf(score, sizeof score, "%.1f", sv.candidate.score);
                    row.set("score", score);
                    std::string reasons;
                    for (const auto& why : sv.candidate.reasons) {
                        if (!reasons.empty()) reasons += ", ";
                        reasons += std::string(why.kind == vuln::MatchKind::kKeyword     ? "keyword "
                                               : why.kind == vuln::MatchKind::kComponent ? "component "
                                                                                         : "product ") +
                                   why.term + (why.product.empty() || why.kind == vuln::MatchKind::kProduct
                                                   ? ""
                                                   : " in " + why.product) +
                                   (why.version.empty() ? "" : " " + why.version) + (why.version_matched ? " ✓" : "");
                    }
                    row.set("reasons", reasons);
                    row.set("registration", std::string(vuln::Name(sv.registration)));
                    row.set("in_case", sv.already_in_case ? View::type::bool_true : View::type::bool_false);
                    suggestions.push_back(row);
                }
            }
            view.set("suggestions", suggestions);
            View timeline{View::type::list};
            if (auto events = s.cases.Timeline(*id, caller); events.ok()) {
                for (const auto& e : *events) {
                    View row;
                    row.set("at", Local(s, e.at));
                    row.set("actor", e.actor);
                    row.set("kind", e.kind);
                    row.set("text", e.text);
                    timeline.push_back(row);
                }
            }
            view.set("timeline", timeline);
        }

        // The publication schedule: staff and the vendors taking part (the date is confidential).
        if (auto sv = s.schedule.View(*id, caller); sv.ok()) {
            View sched;
            sched.set("default_target", Local(s, sv->default_target));
            if (!sv->proposed_at.empty()) sched.set("proposed_at", Local(s, sv->proposed_at));
            sched.set("proposal_reason", sv->proposal_reason);
            if (!sv->publish_at.empty()) sched.set("publish_at", Local(s, sv->publish_at));
            sched.set("publish_reason", sv->publish_reason);
            if (!sv->published_at.empty()) sched.set("published_at", Local(s, sv->published_at));
            sched.set("leak_risk", sv->leak_risk);
            sched.set("suggested_instant", sv->publish_at.empty() ? sv->default_target : sv->publish_at);
            View requests{View::type::list};
            for (const auto& r : sv->change_requests) {
                View rv;
                rv.set("id", std::to_string(r.id));
                rv.set("vendor", r.vendor_name);
                rv.set("publish_at", Local(s, r.requested_at));
                rv.set("reason", r.reason);
                rv.set("state", r.state);
                rv.set("open", r.state == "open" ? View::type::bool_true : View::type::bool_false);
                requests.push_back(rv);
            }
            sched.set("requests", requests);
            if (!sv->current_date.empty()) sched.set("current_date", Local(s, sv->current_date));
            if (staff) {
                // Who has and has not agreed to the current date (a new date needs everyone's answer again).
                View answers{View::type::list};
                for (const auto& vd : sv->vendors) {
                    if (vd.level == vuln::Level::kNone) continue;
                    View av;
                    av.set("name", vd.name);
                    av.set("agreed", vd.agreed_current ? View::type::bool_true : View::type::bool_false);
                    av.set("answer", Translate(lang, vd.agreed_current                                ? "date_agreed"
                                                     : vd.answer == vuln::DateAnswer::kChangeRequested ? "date_change_asked"
                                                     : vd.unreachable                                  ? "date_unreachable"
                                                                                                       : "date_no_answer"));
                    answers.push_back(av);
                }
                sched.set("answers", answers);
                sched.set("has_answers", answers.is_empty_list() ? View::type::bool_false : View::type::bool_true);
                sched.set("unreachable_rule",
                          Replace(Translate(lang, "unreachable_rule"), "{{zone}}", s.schedule.zone().name()));
                View unreachable{View::type::list};
                if (auto list = s.schedule.UnreachableCandidates(*id, caller); list.ok()) {
                    for (const auto& u : *list) {
                        View uv;
                        uv.set("vendor_id", std::to_string(u.vendor.value()));
                        uv.set("name", u.name);
                        uv.set("first_attempt", Local(s, u.first_attempt));
                        uv.set("attempts", std::to_string(u.attempts));
                        uv.set("candidate_from", Local(s, u.candidate_from));
                        unreachable.push_back(uv);
                    }
                    sched.set("has_unreachable", list->empty() ? View::type::bool_false : View::type::bool_true);
                }
                sched.set("unreachable", unreachable);
            }
            const bool agreed = !sv->vendors.empty() && sv->vendors.front().agreed_current;
            sched.set("vendor_dates", !staff && !sv->current_date.empty() && !sv->published ? View::type::bool_true
                                                                                            : View::type::bool_false);
            sched.set("can_accept", !staff && !agreed ? View::type::bool_true : View::type::bool_false);
            sched.set("you_agreed", !staff && agreed ? View::type::bool_true : View::type::bool_false);
            view.set("sched", sched);
        }

        if (staff) {
            View early{View::type::list};
            if (auto list = s.early_notices.List(*id, caller); list.ok()) {
                for (const auto& n : *list) {
                    View nv;
                    nv.set("id", std::to_string(n.id.value()));
                    std::string sectors;
                    for (auto sec : n.sectors) sectors += (sectors.empty() ? "" : ", ") + std::string(vuln::Name(sec));
                    nv.set("sectors", sectors);
                    nv.set("what", std::string(vuln::Name(n.content)));
                    nv.set("reason", n.reason);
                    nv.set("state", std::string(vuln::Name(n.state)));
                    nv.set("requested_by", n.requested_by);
                    nv.set("decided_by", n.decided_by);
                    nv.set("pending", n.state == vuln::NoticeState::kPending ? View::type::bool_true : View::type::bool_false);
                    early.push_back(nv);
                }
            }
            view.set("early", early);
            View sectors{View::type::list};
            for (auto sec : vuln::AllSectors()) sectors.push_back(View(std::string(vuln::Name(sec))));
            view.set("sectors", sectors);
        }

        // Related organisations: staff see all, a vendor those it named (and may name more).
        if (auto related = s.secondary.List(*id, caller); related.ok()) {
            View list{View::type::list};
            for (const auto& r : *related) {
                View rv;
                rv.set("id", std::to_string(r.id.value()));
                rv.set("name", r.contact.name);
                rv.set("person", r.contact.person);
                rv.set("email", r.contact.email);
                rv.set("vendor", r.vendor_name);
                rv.set("state", std::string(vuln::Name(r.state)));
                rv.set("key", r.key_fingerprint.empty() ? Translate(lang, "related_key_none")
                                                        : r.key_fingerprint + " (" + r.key_info + ")");
                rv.set("can_approve",
                       staff && r.state == vuln::RelatedState::kClaimed ? View::type::bool_true : View::type::bool_false);
                list.push_back(rv);
            }
            view.set("related", list);
            view.set("has_related", related->empty() ? View::type::bool_false : View::type::bool_true);
        }
        view.set("can_name_related", !staff && c->caller_level != vuln::Level::kNone && caller.vendor
                                         ? View::type::bool_true
                                         : View::type::bool_false);
        if (staff) {
            if (auto intl = s.international.View(*id, caller); intl.ok() && !intl->coordinators.empty()) {
                View list{View::type::list};
                for (const auto& co : intl->coordinators) {
                    View cv;
                    cv.set("id", std::to_string(co.id.value()));
                    cv.set("contact", co.contact_email);
                    cv.set("has_contact", co.contact_email.empty() ? View::type::bool_false : View::type::bool_true);
                    cv.set("key", co.key_fingerprint.empty() ? Translate(lang, "related_key_none")
                                                             : co.key_fingerprint + " (" + co.key_info + ")");
                    cv.set("name", co.name);
                    cv.set("country", co.country);
                    cv.set("case_reference", co.case_reference);
                    std::string vendors;
                    for (const auto& v : co.vendors) vendors += (vendors.empty() ? "" : ", ") + v;
                    cv.set("vendors", vendors);
                    cv.set("not_before", co.constraint.not_before.empty() ? "-" : Local(s, co.constraint.not_before));
                    cv.set("not_after", co.constraint.not_after.empty() ? "-" : Local(s, co.constraint.not_after));
                    cv.set("note", co.constraint.note);
                    list.push_back(cv);
                }
                view.set("coordinators", list);
                view.set("has_coordinators", View::type::bool_true);
                const auto& w = intl->window;
                view.set("window", (w.not_before.empty() ? "-" : Local(s, w.not_before)) + " – " +
                                       (w.not_after.empty() ? "-" : Local(s, w.not_after)));
                View conflicts{View::type::list};
                for (const auto& line : w.conflicts) conflicts.push_back(View(line));
                view.set("conflicts", conflicts);
            }
        }

        // The message thread: staff pick one (?thread=), a vendor has its own, a reporter the reporter thread.
        std::string thread;
        if (staff) {
            thread = req.Query("thread").value_or("reporter");
            View threads{View::type::list};
            View rt;
            rt.set("value", "reporter");
            rt.set("label", Translate(lang, "thread_reporter"));
            threads.push_back(rt);
            for (const auto& v : c->vendors) {
                View tv;
                tv.set("value", "vendor:" + std::to_string(v.vendor.value()));
                tv.set("label", v.name);
                threads.push_back(tv);
            }
            view.set("threads", threads);
        } else if (c->caller_level != vuln::Level::kNone && caller.vendor) {
            thread = "vendor:" + std::to_string(caller.vendor->value());
            View vendor;
            vendor.set("level", std::string(vuln::Name(c->caller_level)));
            const vuln::CaseVendor* mine = c->vendors.empty() ? nullptr : &c->vendors.front();
            const bool summary_only = c->caller_level == vuln::Level::kSummary;
            vendor.set("can_answer", summary_only && mine && mine->answer == vuln::Answer::kNone ? View::type::bool_true
                                                                                                  : View::type::bool_false);
            vendor.set("can_report", c->caller_level == vuln::Level::kDetail ? View::type::bool_true : View::type::bool_false);
            vendor.set("my_status", mine ? StatusLabel(lang, mine->status) : StatusLabel(lang, vuln::VendorStatus::kUnknown));
            View statuses{View::type::list};
            for (auto st : {vuln::VendorStatus::kAffected, vuln::VendorStatus::kAffectedInvestigating,
                            vuln::VendorStatus::kNotAffected, vuln::VendorStatus::kNotAffectedInvestigating}) {
                View o;
                o.set("value", std::string(vuln::Name(st)));
                o.set("label", StatusLabel(lang, st));
                statuses.push_back(o);
            }
            vendor.set("statuses", statuses);
            view.set("vendor", vendor);
        } else if (c->caller_is_reporter) {
            thread = "reporter";
        }
        if (!thread.empty()) {
            View messages{View::type::list};
            if (auto list = s.cases.Messages(*id, thread, caller); list.ok()) {
                for (const auto& m : *list) {
                    View row;
                    row.set("author", m.author);
                    row.set("author_role", m.author_role);
                    row.set("at", Local(s, m.at));
                    row.set("body", m.body);
                    messages.push_back(row);
                }
            }
            view.set("messages", messages);
            view.set("thread", thread);
            // Attachments of inbound mail in this thread (staff: of every mail linked to the case), each a
            // download through /mail/attachments/{id} (audited, decided there again).
            if (staff || thread.starts_with("vendor:")) {
                View files{View::type::list};
                if (auto list = s.mail_inbound.CaseAttachments(id->value(), staff ? std::string() : thread); list.ok()) {
                    for (const auto& f : *list) {
                        View row;
                        row.set("id", std::to_string(f.id));
                        row.set("name", f.filename.empty() ? Translate(lang, "mail_unnamed") : f.filename);
                        row.set("size", std::to_string(f.size));
                        row.set("signed", f.covered ? View::type::bool_true : View::type::bool_false);
                        files.push_back(row);
                    }
                    view.set("has_mail_files", list->empty() ? View::type::bool_false : View::type::bool_true);
                }
                view.set("mail_files", files);
            }
        }
        http::Response page = RenderPage(req, s, "case", "case_title", std::move(view));
        page.SetHeader("Cache-Control", "no-store");  // embargoed content never stays in a cache
        return page;
    });

    router.Add("POST", "/cases/{id}/act", [&s](http::Request& req) {
        RequestContext& ctx = Context(req);
        if (!ctx.principal) return http::Response::Redirect("/login");
        if (!CsrfValid(req)) return ErrorPage(req, s, 403);
        auto id = CaseIdParam(req, s);
        if (!id.ok()) return CaseError(req, s, id.error());
        const vuln::Caller caller = CallerFor(req, s);
        const std::string action = req.Form("action").value_or("");
        auto vendor = [&]() { return vuln::VendorId(std::atoll(req.Form("vendor").value_or("0").c_str())); };
        core::Status st;
        std::string thread;
        if (action == "verify") {
            auto result = vuln::ParseVerification(req.Form("result").value_or(""), "result");
            st = result.ok() ? s.cases.Verify(*id, *result, req.Form("note").value_or(""), caller) : core::Status(result.error());
        } else if (action == "add_vendor") {
            st = s.cases.AddVendor(*id, vendor(), caller);
        } else if (action == "summary") {
            st = s.cases.SendSummary(*id, vendor(), caller);
        } else if (action == "details" || action == "details_direct") {
            st = s.cases.DiscloseDetails(*id, vendor(), action == "details_direct", caller);
        } else if (action == "request_registration") {
            auto channel = vuln::ParseChannel(req.Form("channel").value_or(""));
            st = channel.ok() ? s.cases.RequestRegistration(*id, vendor(), *channel, req.Form("address").value_or(""), caller)
                              : core::Status(channel.error());
        } else if (action == "answer") {
            auto answer = vuln::ParseAnswer(req.Form("answer").value_or(""));
            st = answer.ok() ? s.cases.AnswerSummary(*id, *answer, caller) : core::Status(answer.error());
        } else if (action == "status") {
            auto status = vuln::ParseVendorStatus(req.Form("status").value_or(""));
            if (status.ok()) {
                vuln::StatusReport r{*status, req.Form("public_text").value_or(""), Lines(req.Form("urls").value_or("")),
                                     req.Form("affected_products").value_or(""), req.Form("plan").value_or(""),
                                     req.Form("schedule").value_or("")};
                st = s.cases.ReportStatus(*id, r, caller);
            } else {
                st = status.error();
            }
        } else if (action == "suggest_vendor") {
            st = s.cases.SuggestVendor(*id, req.Form("vendor_name").value_or(""), req.Form("note").value_or(""), caller);
        } else if (action == "propose" || action == "decide" || action == "change_date") {
            auto at = core::ParseRfc3339(req.Form("publish_at").value_or(""));
            const std::string reason = req.Form("reason").value_or("");
            if (!at) {
                st = core::InvalidArgument("must be an RFC 3339 date-time such as 2026-05-16T10:00:00+09:00", "publish_at");
            } else if (action == "propose") {
                st = s.schedule.Propose(*id, *at, reason, caller);
            } else if (action == "decide") {
                st = s.schedule.Decide(*id, *at, reason, caller);
            } else {
                auto request = s.schedule.RequestChange(*id, *at, reason, caller);
                if (!request.ok()) st = request.error();
            }
        } else if (action == "accept_date") {
            st = s.schedule.Accept(*id, caller);
        } else if (action == "grant_change" || action == "refuse_change") {
            st = s.schedule.DecideChange(*id, std::atoll(req.Form("request").value_or("0").c_str()),
                                         action == "grant_change", caller);
        } else if (action == "leak") {
            st = s.schedule.ReportLeak(*id, req.Form("reason").value_or(""), std::nullopt, caller);
        } else if (action == "unreachable") {
            st = s.schedule.DeclareUnreachable(*id, vendor(), caller);
        } else if (action == "early_request") {
            auto what = vuln::ParseNoticeContent(req.Form("what").value_or("information"));
            if (!what.ok()) {
                st = what.error();
            } else {
                auto notice = s.early_notices.Request(*id, req.FormAll("sector"), *what, req.Form("reason").value_or(""), caller);
                if (!notice.ok()) st = notice.error();
            }
        } else if (action == "early_approve" || action == "early_refuse") {
            const vuln::EarlyNoticeId notice(std::atoll(req.Form("notice").value_or("0").c_str()));
            bool belongs = false;
            if (auto list = s.early_notices.List(*id, caller); list.ok())
                for (const auto& n : *list) belongs = belongs || n.id == notice;
            if (!belongs) {
                st = core::NotFound("no such early notice");
            } else {
                st = action == "early_approve" ? s.early_notices.Approve(notice, caller)
                                               : s.early_notices.Refuse(notice, req.Form("reason").value_or(""), caller);
            }
        } else if (action == "related_name") {
            auto r = s.secondary.RegisterRelated(*id,
                                                 {req.Form("name").value_or(""), req.Form("person").value_or(""),
                                                  req.Form("email").value_or(""), req.Form("phone").value_or("")},
                                                 caller);
            if (!r.ok()) st = r.error();
        } else if (action == "related_approve") {
            auto r = s.secondary.Approve(*id, vuln::RelatedId(std::atoll(req.Form("related").value_or("0").c_str())), caller);
            if (!r.ok()) st = r.error();
        } else if (action == "related_key") {
            st = s.secondary.SetKey(*id, vuln::RelatedId(std::atoll(req.Form("related").value_or("0").c_str())),
                                    req.Form("key").value_or(""), caller);
        } else if (action == "coordinator_key") {
            st = s.international.SetKey(*id,
                                        vuln::CoordinatorId(std::atoll(req.Form("coordinator").value_or("0").c_str())),
                                        req.Form("key").value_or(""), caller);
        } else if (action == "message") {
            thread = req.Form("thread").value_or("");
            auto msg = s.cases.PostMessage(*id, thread, req.Form("body").value_or(""), caller);
            if (!msg.ok()) st = msg.error();
        } else {
            st = core::InvalidArgument("unknown action", "action");
        }
        if (!st.ok() && st.error().code() == core::ErrorCode::kNotFound) return ErrorPage(req, s, 404);
        if (st.ok()) s.scheduler.Wake();
        return BackToCase(*id, st, thread);
    });
}

}  // namespace kizuna::web::detail
