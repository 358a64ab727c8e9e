// The case page. Every decision is vuln::CaseService's and vuln::ScheduleService's (which actions a
// caller may take is checked there again when the form is posted); this file chooses what to show and
// puts it in words: stored codes through CodeLabel, instants in the center's zone with the zone named.
#include "web/internal/case_page.hpp"

#include <cstdio>
#include <vector>

#include "vuln/schedule.hpp"
#include "web/internal/case_words.hpp"
#include "web/internal/labels.hpp"

namespace kizuna::web::detail {
namespace {

View Flag(bool b) { return b ? View::type::bool_true : View::type::bool_false; }

std::string Replace(std::string text, std::string_view token, std::string_view value) {
    if (auto at = text.find(token); at != std::string::npos) text.replace(at, token.size(), value);
    return text;
}

std::string Local(SiteServices& s, const std::string& rfc3339) {
    auto t = core::ParseRfc3339(rfc3339);
    return t ? s.zone.FormatMinutes(*t) : rfc3339;
}

std::string JoinLines(const std::vector<std::string>& lines) {
    std::string out;
    for (const auto& l : lines) out += (out.empty() ? "" : "\n") + l;
    return out;
}

// The inputs of each form, whose typed values come back after a failure.
struct FormFields {
    std::string_view form;
    std::vector<std::string_view> fields;
};
const std::vector<FormFields>& Forms() {
    static const std::vector<FormFields> forms = {
        {"verify", {"result", "note"}},
        {"close", {"reason"}},
        {"reject", {"reason"}},
        {"owner", {"owner"}},
        {"add_vendor", {"vendor"}},
        {"status", {"status", "public_text", "urls", "affected_products", "plan", "schedule"}},
        {"suggest_vendor", {"vendor_name", "note"}},
        {"schedule", {"publish_date", "publish_time", "reason"}},
        {"change_date", {"publish_date", "publish_time", "reason"}},
        {"leak", {"reason"}},
        {"early_request", {"what", "reason"}},
        {"message", {"body"}},
        {"related_name", {"name", "person", "email", "phone"}},
    };
    return forms;
}

// The field of a form an error is shown beside (the service names "publish_at"; the page has a date and
// a time input for it).
std::string BesideField(std::string_view form, const std::string& field) {
    if (field == "publish_at") return "publish_date";
    if (field == "thread" || field == "action") return "";
    if (field == "public_text" || field == "urls" || field == "affected_products" || field == "plan" ||
        field == "schedule" || field == "status")
        return form == "status" ? field : "";
    for (const auto& f : Forms())
        if (f.form == form)
            for (std::string_view name : f.fields)
                if (name == field) return field;
    return "";
}

}  // namespace

std::string CaseFormOf(std::string_view action) {
    if (action == "propose" || action == "decide") return "schedule";
    if (action == "details" || action == "details_direct" || action == "summary") return "vendor_row";
    if (action == "grant_change" || action == "refuse_change") return "change_decision";
    if (action == "early_approve") return "early_refuse";
    return std::string(action);
}

http::Response RenderCasePage(http::Request& req, SiteServices& s, vuln::CaseId id, const CaseFormFailure* failed,
                              int status) {
    RequestContext& ctx = Context(req);
    const vuln::Caller caller = CallerFor(req, s);
    auto c = s.cases.Get(id, caller);
    if (!c.ok()) {
        if (c.error().code() == core::ErrorCode::kNotFound) return ErrorPage(req, s, 404);
        s.log.Error("case page failed", {{"error", c.error().ToString()}, {"path", req.path}});
        return ErrorPage(req, s, 500);
    }
    const Lang lang = ctx.lang;
    const std::string case_id = std::to_string(id.value());
    const std::string csrf = ctx.session ? ctx.session->csrf_token : "";
    const bool staff = caller.staff();
    View view;
    view.set("id", case_id);
    view.set("case_id", case_id);
    view.set("csrf", csrf);
    view.set("zone", s.zone.name());
    view.set("identifier", c->identifier);
    view.set("title", c->title);
    view.set("summary", c->summary);
    view.set("state", CodeLabel(lang, "case_state", vuln::Name(c->state)));
    view.set("state_code", std::string(vuln::Name(c->state)));
    view.set("verification", CodeLabel(lang, "verification", vuln::Name(c->verification)));
    view.set("verification_code", std::string(vuln::Name(c->verification)));
    view.set("source", CodeLabel(lang, "source", vuln::Name(c->source)));
    view.set("created", Local(s, c->created_at));
    // kainjow treats "" as true in sections: set optional values only when present.
    if (!c->receipt_id.empty()) view.set("receipt_id", c->receipt_id);

    // Feedback: ?done=<action> after a redirect (a code from the form's fixed list, never text).
    if (auto done = req.Query("done")) {
        const std::string key = "case_done_" + *done;
        view.set("done_text", done->find_first_not_of("abcdefghijklmnopqrstuvwxyz_") == std::string::npos &&
                                      Translate(lang, key) != key
                                  ? Translate(lang, key)
                                  : Translate(lang, "done"));
    }
    // A failed form: its error beside the field (and a short note at the top), what was typed kept.
    if (failed) {
        view.set("error", Translate(lang, "case_form_failed"));
        const std::string beside = BesideField(failed->form, failed->field);
        view.set("e_" + failed->form + (beside.empty() ? "" : "_" + beside), failed->message);
        for (const auto& f : Forms())
            if (f.form == failed->form)
                for (std::string_view name : f.fields)
                    view.set("v_" + failed->form + "_" + std::string(name), req.Form(name).value_or(""));
    } else if (auto code = req.Query("error")) {
        // Links from older pages and other screens: a message code from a fixed list.
        for (std::string_view known : {"invalid", "precondition", "denied", "exists", "throttled", "failed"})
            if (*code == known) view.set("error", Translate(lang, "banner_" + *code));
    }
    auto value_of = [&](const std::string& form, const std::string& field, const std::string& fallback) {
        if (failed && failed->form == form) return req.Form(field).value_or("");
        return fallback;
    };

    // --- Report ---------------------------------------------------------------------------------------
    view.set("has_details", Flag(c->details.has_value()));
    view.set("details", c->details.value_or(""));
    View terms{View::type::list};
    for (const auto& t : c->terms) {
        View tv;
        tv.set("kind", Translate(lang, "case_term_" + t.kind));
        tv.set("value", t.value);
        if (!t.version.empty()) tv.set("version", t.version);
        terms.push_back(tv);
    }
    view.set("terms", terms);
    view.set("has_terms", Flag(!c->terms.empty()));
    View atts{View::type::list};
    for (const auto& a : c->attachments) {
        View av;
        av.set("id", std::to_string(a.id));
        av.set("name", a.name);
        av.set("kind", CodeLabel(lang, "attachment_kind", vuln::Name(a.kind)));
        av.set("size", std::to_string(a.size));
        av.set("sha256", a.sha256.substr(0, 16));
        atts.push_back(av);
    }
    view.set("attachments", atts);
    view.set("has_attachments", Flag(!c->attachments.empty()));
    view.set("staff", Flag(staff));
    if (staff) {
        // The reporter's name and address are for staff only (vendors never see who reported).
        view.set("reporter_name", c->reporter_name.empty() ? Translate(lang, "case_reporter_unnamed") : c->reporter_name);
        if (!c->reporter_email.empty()) view.set("reporter_email", c->reporter_email);
        view.set("owner_name", c->owner_name.empty() ? Translate(lang, "case_owner_none") : c->owner_name);
        if (!c->closed_reason.empty()) view.set("closed_reason", c->closed_reason);
        const bool open = c->state != vuln::CaseState::kClosed;
        const bool before_coordination =
            c->state == vuln::CaseState::kReceived || c->state == vuln::CaseState::kVerified;
        view.set("can_verify", Flag(c->state == vuln::CaseState::kReceived || c->state == vuln::CaseState::kRejected));
        view.set("can_reject", Flag(before_coordination));
        view.set("can_close", Flag(open));
        view.set("can_add_vendor", Flag(open && c->state != vuln::CaseState::kRejected));
        View results{View::type::list};
        for (auto r : {vuln::Verification::kReproduced, vuln::Verification::kNotReproduced,
                       vuln::Verification::kFalseReport}) {
            View o;
            o.set("value", std::string(vuln::Name(r)));
            o.set("label", CodeLabel(lang, "verification", vuln::Name(r)));
            o.set("selected", Flag(value_of("verify", "result", "") == vuln::Name(r)));
            results.push_back(o);
        }
        view.set("verify_results", results);
        view.set("v_verify_note", value_of("verify", "note", ""));
        view.set("v_close_reason", value_of("close", "reason", ""));
        view.set("v_reject_reason", value_of("reject", "reason", ""));
        View owners{View::type::list};
        if (auto list = s.cases.OwnerCandidates(id, caller); list.ok()) {
            const std::string chosen = value_of("owner", "owner", c->owner ? std::to_string(c->owner->value()) : "");
            for (const auto& o : *list) {
                View ov;
                ov.set("value", std::to_string(o.id.value()));
                ov.set("label", o.display_name);
                ov.set("selected", Flag(chosen == std::to_string(o.id.value())));
                owners.push_back(ov);
            }
        }
        view.set("owners", owners);

        // --- Vendors ----------------------------------------------------------------------------------
        const bool verified = c->verification == vuln::Verification::kReproduced;
        View vendors{View::type::list};
        for (const auto& v : c->vendors) {
            const bool registered = v.registration == vuln::RegistrationState::kRegistered;
            const std::string vid = std::to_string(v.vendor.value());
            View row;
            row.set("vendor_id", vid);
            row.set("name", v.name);
            if (!v.suggested_by.empty()) row.set("suggested_by", v.suggested_by);
            row.set("registration", CodeLabel(lang, "registration_kind", vuln::Name(v.kind)) + " / " +
                                        CodeLabel(lang, "registration_state", vuln::Name(v.registration)));
            row.set("level", CodeLabel(lang, "level", vuln::Name(v.level)));
            row.set("level_code", std::string(vuln::Name(v.level)));
            row.set("answer", CodeLabel(lang, "answer", vuln::Name(v.answer)));
            row.set("status_label", CodeLabel(lang, "vendor_status", vuln::Name(v.status)));
            if (!v.status_text.empty()) row.set("status_text", v.status_text);
            row.set("can_summary", Flag(verified && registered && v.level == vuln::Level::kNone));
            row.set("can_disclose", Flag(verified && registered && v.level == vuln::Level::kSummary &&
                                         v.answer == vuln::Answer::kRequestDetails));
            row.set("can_direct", Flag(verified && registered && v.level == vuln::Level::kNone));
            row.set("needs_registration", Flag(!registered));
            View channels{View::type::list};
            for (auto ch : {vuln::Channel::kEmail, vuln::Channel::kPostal, vuln::Channel::kPhone, vuln::Channel::kFax,
                            vuln::Channel::kWebForm}) {
                View o;
                o.set("value", std::string(vuln::Name(ch)));
                o.set("label", CodeLabel(lang, "channel", vuln::Name(ch)));
                channels.push_back(o);
            }
            row.set("channels", channels);
            if (failed && failed->row == vid && (failed->form == "request_registration" || failed->form == "vendor_row")) {
                row.set("row_error", failed->message);
                row.set("address", req.Form("address").value_or(""));
            }
            vendors.push_back(row);
        }
        view.set("vendors", vendors);
        View addable{View::type::list};
        if (auto list = s.cases.AddableVendors(id, caller); list.ok()) {
            const std::string chosen = value_of("add_vendor", "vendor", "");
            for (const auto& v : *list) {
                View o;
                o.set("value", std::to_string(v.id.value()));
                o.set("label", v.name + (v.name_en.empty() || v.name_en == v.name ? "" : " (" + v.name_en + ")") +
                                   " — " + CodeLabel(lang, "registration_state", vuln::Name(v.state)));
                o.set("selected", Flag(chosen == std::to_string(v.id.value())));
                addable.push_back(o);
            }
        }
        view.set("addable_vendors", addable);
        view.set("has_addable", Flag(!addable.is_empty_list()));
        View suggestions{View::type::list};
        if (auto list = s.cases.SuggestVendors(id, caller); list.ok()) {
            for (const auto& sv : *list) {
                View row;
                row.set("vendor_id", std::to_string(sv.candidate.vendor_id));
                row.set("name", sv.name);
                char score[32];
                std::snprintf(score, sizeof score, "%.1f", sv.candidate.score);
                row.set("score", score);
                std::string reasons;
                for (const auto& why : sv.candidate.reasons) {
                    std::string reason = Translate(lang, why.kind == vuln::MatchKind::kKeyword     ? "case_match_keyword"
                                                         : why.kind == vuln::MatchKind::kComponent ? "case_match_component"
                                                                                                   : "case_match_product");
                    reason = Replace(reason, "{term}", why.term);
                    reason = Replace(reason, "{product}", why.product);
                    if (!why.version.empty()) reason += " " + why.version;
                    if (why.version_matched) reason += " (" + Translate(lang, "case_match_version") + ")";
                    reasons += (reasons.empty() ? "" : "; ") + reason;
                }
                row.set("reasons", reasons);
                row.set("registration", CodeLabel(lang, "registration_state", vuln::Name(sv.registration)));
                row.set("in_case", Flag(sv.already_in_case));
                suggestions.push_back(row);
            }
        }
        view.set("suggestions", suggestions);
        view.set("has_suggestions", Flag(!suggestions.is_empty_list()));

        // --- Timeline ---------------------------------------------------------------------------------
        View timeline{View::type::list};
        if (auto events = s.cases.Timeline(id, caller); events.ok()) {
            for (const auto& e : *events) {
                View row;
                row.set("at", Local(s, e.at));
                const TimelineWords words = TimelineSentence(lang, s.zone, e);
                row.set("sentence", words.sentence);
                if (!words.detail.empty()) row.set("detail", words.detail);
                timeline.push_back(row);
            }
        }
        view.set("timeline", timeline);
    }

    // --- Schedule: staff and the vendors taking part (the date is confidential, V10) ------------------
    if (auto sv = s.schedule.View(id, caller); sv.ok()) {
        View sched;
        sched.set("default_target", Local(s, sv->default_target));
        if (!sv->proposed_at.empty()) sched.set("proposed_at", Local(s, sv->proposed_at));
        if (!sv->proposal_reason.empty()) sched.set("proposal_reason", sv->proposal_reason);
        if (!sv->publish_at.empty()) sched.set("publish_at", Local(s, sv->publish_at));
        if (!sv->publish_reason.empty()) sched.set("publish_reason", sv->publish_reason);
        if (!sv->published_at.empty()) sched.set("published_at", Local(s, sv->published_at));
        sched.set("leak_risk", CodeLabel(lang, "case_leak_risk", sv->leak_risk));
        if (!sv->current_date.empty()) sched.set("current_date", Local(s, sv->current_date));
        // Which date counts: an open proposal is what vendors answer now; the decided instant is the one
        // the release is scheduled for.
        if (!sv->published) {
            const char* which = !sv->proposed_at.empty() && !sv->publish_at.empty() ? "case_date_counts_both"
                                : !sv->proposed_at.empty()                          ? "case_date_counts_proposed"
                                : !sv->publish_at.empty()                           ? "case_date_counts_decided"
                                                                                    : "case_date_counts_none";
            sched.set("which_counts", Translate(lang, which));
        }
        // The date inputs: the decided instant, else the 45-day default at the business hour, in the zone.
        const auto started = core::ParseRfc3339(sv->handling_started_at);
        std::optional<core::WallTime> prefill;
        if (!sv->publish_at.empty()) prefill = core::ParseRfc3339(sv->publish_at);
        else if (started) prefill = vuln::DefaultPublicationInstant(*started, s.zone, s.config.vuln.publication_hour);
        const bool can_schedule = staff && started && !sv->published && c->state != vuln::CaseState::kClosed &&
                                  c->state != vuln::CaseState::kRejected;
        sched.set("can_schedule", Flag(can_schedule));
        sched.set("v_schedule_publish_date", value_of("schedule", "publish_date", prefill ? s.zone.LocalDate(*prefill) : ""));
        sched.set("v_schedule_publish_time", value_of("schedule", "publish_time", prefill ? s.zone.LocalTime(*prefill) : ""));
        sched.set("v_schedule_reason", value_of("schedule", "reason", ""));
        const auto current = core::ParseRfc3339(sv->current_date);
        sched.set("v_change_date_publish_date", value_of("change_date", "publish_date", current ? s.zone.LocalDate(*current) : ""));
        sched.set("v_change_date_publish_time", value_of("change_date", "publish_time", current ? s.zone.LocalTime(*current) : ""));
        sched.set("v_change_date_reason", value_of("change_date", "reason", ""));
        sched.set("min_date", s.zone.LocalDate(s.clock.Now()));
        View requests{View::type::list};
        bool own_open_request = false;
        for (const auto& r : sv->change_requests) {
            View rv;
            rv.set("id", std::to_string(r.id));
            rv.set("vendor", r.vendor_name);
            rv.set("publish_at", Local(s, r.requested_at));
            rv.set("reason", r.reason);
            rv.set("state", CodeLabel(lang, "case_change_request", r.state));
            rv.set("open", Flag(r.state == "open"));
            own_open_request = own_open_request || r.state == "open";
            requests.push_back(rv);
        }
        sched.set("requests", requests);
        sched.set("has_requests", Flag(!requests.is_empty_list()));
        if (staff) {
            // Who has and has not agreed to the current date (a new date needs everyone's answer again).
            View answers{View::type::list};
            std::string accepted, asked;
            for (const auto& vd : sv->vendors) {
                if (vd.level == vuln::Level::kNone) continue;
                View av;
                av.set("name", vd.name);
                av.set("agreed", Flag(vd.agreed_current));
                av.set("answer", Translate(lang, vd.agreed_current                                ? "date_agreed"
                                                 : vd.answer == vuln::DateAnswer::kChangeRequested ? "date_change_asked"
                                                 : vd.unreachable                                  ? "date_unreachable"
                                                                                                   : "date_no_answer"));
                if (vd.agreed_current) accepted += (accepted.empty() ? "" : ", ") + vd.name;
                if (vd.answer == vuln::DateAnswer::kChangeRequested) asked += (asked.empty() ? "" : ", ") + vd.name;
                answers.push_back(av);
            }
            sched.set("answers", answers);
            sched.set("has_answers", Flag(!answers.is_empty_list()));
            sched.set("accepted_by", accepted.empty() ? Translate(lang, "case_nobody") : accepted);
            sched.set("asked_by", asked.empty() ? Translate(lang, "case_nobody") : asked);
            sched.set("unreachable_rule", Replace(Translate(lang, "unreachable_rule"), "{{zone}}", s.schedule.zone().name()));
            View unreachable{View::type::list};
            if (auto list = s.schedule.UnreachableCandidates(id, caller); list.ok()) {
                for (const auto& u : *list) {
                    View uv;
                    uv.set("vendor_id", std::to_string(u.vendor.value()));
                    uv.set("name", u.name);
                    uv.set("first_attempt", Local(s, u.first_attempt));
                    uv.set("attempts", std::to_string(u.attempts));
                    uv.set("candidate_from", Local(s, u.candidate_from));
                    unreachable.push_back(uv);
                }
                sched.set("has_unreachable", Flag(!list->empty()));
            }
            sched.set("unreachable", unreachable);
            sched.set("v_leak_reason", value_of("leak", "reason", ""));
        }
        const bool agreed = !sv->vendors.empty() && sv->vendors.front().agreed_current;
        sched.set("vendor_dates", Flag(!staff && !sv->current_date.empty() && !sv->published));
        sched.set("can_accept", Flag(!staff && !agreed));
        sched.set("you_agreed", Flag(!staff && agreed));
        sched.set("own_open_request", Flag(!staff && own_open_request));
        view.set("sched", sched);
    }

    if (staff) {
        View early{View::type::list};
        if (auto list = s.early_notices.List(id, caller); list.ok()) {
            for (const auto& n : *list) {
                View nv;
                nv.set("id", std::to_string(n.id.value()));
                std::string sectors;
                for (auto sec : n.sectors) sectors += (sectors.empty() ? "" : ", ") + CodeLabel(lang, "sector", vuln::Name(sec));
                nv.set("sectors", sectors);
                nv.set("what", CodeLabel(lang, "notice_content", vuln::Name(n.content)));
                nv.set("reason", n.reason);
                nv.set("state", CodeLabel(lang, "notice_state", vuln::Name(n.state)));
                nv.set("requested_by", n.requested_by);
                nv.set("decided_by", n.decided_by);
                nv.set("pending", Flag(n.state == vuln::NoticeState::kPending));
                if (failed && failed->form == "early_refuse" && failed->row == std::to_string(n.id.value())) {
                    nv.set("row_error", failed->message);
                    nv.set("typed_reason", req.Form("reason").value_or(""));
                }
                early.push_back(nv);
            }
        }
        view.set("early", early);
        View sectors{View::type::list};
        for (auto sec : vuln::AllSectors()) {
            View o;
            o.set("value", std::string(vuln::Name(sec)));
            o.set("label", CodeLabel(lang, "sector", vuln::Name(sec)));
            sectors.push_back(o);
        }
        view.set("sectors", sectors);
        view.set("v_early_request_reason", value_of("early_request", "reason", ""));
    }

    // Related organisations: staff see all, a vendor those it named (and may name more).
    if (auto related = s.secondary.List(id, caller); related.ok()) {
        View list{View::type::list};
        for (const auto& r : *related) {
            View rv;
            rv.set("id", std::to_string(r.id.value()));
            rv.set("name", r.contact.name);
            rv.set("person", r.contact.person);
            rv.set("email", r.contact.email);
            rv.set("vendor", r.vendor_name);
            rv.set("state", CodeLabel(lang, "case_related_state", vuln::Name(r.state)));
            rv.set("key", r.key_fingerprint.empty() ? Translate(lang, "related_key_none")
                                                    : r.key_fingerprint + " (" + r.key_info + ")");
            rv.set("can_approve", Flag(staff && r.state == vuln::RelatedState::kClaimed));
            if (failed && failed->form == "related_key" && failed->row == std::to_string(r.id.value())) {
                rv.set("row_error", failed->message);
                rv.set("typed_key", req.Form("key").value_or(""));
            }
            list.push_back(rv);
        }
        view.set("related", list);
        view.set("has_related", Flag(!related->empty()));
    }
    view.set("can_name_related", Flag(!staff && c->caller_level != vuln::Level::kNone && caller.vendor));
    for (std::string_view f : {"name", "person", "email", "phone"})
        view.set("v_related_name_" + std::string(f), value_of("related_name", std::string(f), ""));
    if (staff) {
        if (auto intl = s.international.View(id, caller); intl.ok() && !intl->coordinators.empty()) {
            View list{View::type::list};
            for (const auto& co : intl->coordinators) {
                View cv;
                cv.set("id", std::to_string(co.id.value()));
                cv.set("contact", co.contact_email);
                cv.set("has_contact", Flag(!co.contact_email.empty()));
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
                if (failed && failed->form == "coordinator_key" && failed->row == std::to_string(co.id.value())) {
                    cv.set("row_error", failed->message);
                    cv.set("typed_key", req.Form("key").value_or(""));
                }
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

    // --- Messages: staff pick a thread (?thread=), a vendor has its own, a reporter the reporter thread.
    std::string thread;
    if (staff) {
        thread = failed && failed->form == "message" ? req.Form("thread").value_or("reporter")
                                                     : req.Query("thread").value_or("reporter");
        View threads{View::type::list};
        View rt;
        rt.set("value", "reporter");
        rt.set("label", Translate(lang, "thread_reporter"));
        rt.set("current", Flag(thread == "reporter"));
        threads.push_back(rt);
        for (const auto& v : c->vendors) {
            View tv;
            tv.set("value", "vendor:" + std::to_string(v.vendor.value()));
            tv.set("label", v.name);
            tv.set("current", Flag(thread == "vendor:" + std::to_string(v.vendor.value())));
            threads.push_back(tv);
        }
        view.set("threads", threads);
    } else if (c->caller_level != vuln::Level::kNone && caller.vendor) {
        thread = "vendor:" + std::to_string(caller.vendor->value());
        View vendor;
        vendor.set("level", CodeLabel(lang, "level", vuln::Name(c->caller_level)));
        const vuln::CaseVendor* mine = c->vendors.empty() ? nullptr : &c->vendors.front();
        const bool summary_only = c->caller_level == vuln::Level::kSummary;
        vendor.set("can_answer", Flag(summary_only && mine && mine->answer == vuln::Answer::kNone));
        if (mine && mine->answer != vuln::Answer::kNone)
            vendor.set("my_answer", CodeLabel(lang, "answer", vuln::Name(mine->answer)));
        vendor.set("can_report", Flag(c->caller_level == vuln::Level::kDetail));
        const vuln::VendorStatus current = mine ? mine->status : vuln::VendorStatus::kUnknown;
        vendor.set("my_status", CodeLabel(lang, "vendor_status", vuln::Name(current)));
        // The form starts from what is on file (issue 13: it used to start empty and erase the comment);
        // the shown values travel along so that only the fields the vendor touched change.
        const std::string shown_text = mine ? mine->status_text : "";
        const std::string shown_urls = mine ? JoinLines(mine->status_urls) : "";
        const std::string shown_products = mine ? mine->affected_products : "";
        const std::string shown_plan = mine ? mine->plan : "";
        const std::string shown_schedule = mine ? mine->schedule : "";
        const std::string chosen = value_of("status", "status", std::string(vuln::Name(current)));
        View statuses{View::type::list};
        for (auto st : {vuln::VendorStatus::kAffected, vuln::VendorStatus::kAffectedInvestigating,
                        vuln::VendorStatus::kNotAffected, vuln::VendorStatus::kNotAffectedInvestigating}) {
            View o;
            o.set("value", std::string(vuln::Name(st)));
            o.set("label", CodeLabel(lang, "vendor_status", vuln::Name(st)));
            o.set("selected", Flag(chosen == vuln::Name(st)));
            statuses.push_back(o);
        }
        vendor.set("statuses", statuses);
        vendor.set("shown_status", std::string(vuln::Name(current)));
        vendor.set("shown_public_text", shown_text);
        vendor.set("shown_urls", shown_urls);
        vendor.set("shown_affected_products", shown_products);
        vendor.set("shown_plan", shown_plan);
        vendor.set("shown_schedule", shown_schedule);
        vendor.set("v_status_public_text", value_of("status", "public_text", shown_text));
        vendor.set("v_status_urls", value_of("status", "urls", shown_urls));
        vendor.set("v_status_affected_products", value_of("status", "affected_products", shown_products));
        vendor.set("v_status_plan", value_of("status", "plan", shown_plan));
        vendor.set("v_status_schedule", value_of("status", "schedule", shown_schedule));
        vendor.set("v_suggest_vendor_vendor_name", value_of("suggest_vendor", "vendor_name", ""));
        vendor.set("v_suggest_vendor_note", value_of("suggest_vendor", "note", ""));
        view.set("vendor", vendor);
    } else if (c->caller_is_reporter) {
        thread = "reporter";
    }
    if (!thread.empty()) {
        View messages{View::type::list};
        if (auto list = s.cases.Messages(id, thread, caller); list.ok()) {
            for (const auto& m : *list) {
                View row;
                row.set("author", ActorWords(lang, m.author, m.author_display));
                auto role = auth::ParseRole(m.author_role);
                row.set("author_role", role.ok() ? RoleLabel(lang, *role) : Translate(lang, "case_actor_system"));
                row.set("at", Local(s, m.at));
                row.set("body", m.body);
                messages.push_back(row);
            }
        }
        view.set("messages", messages);
        view.set("thread", thread);
        view.set("v_message_body", value_of("message", "body", ""));
        // Attachments of inbound mail in this thread (staff: of every mail linked to the case), each a
        // download through /mail/attachments/{id} (audited, decided there again).
        if (staff || thread.starts_with("vendor:")) {
            View files{View::type::list};
            if (auto list = s.mail_inbound.CaseAttachments(id.value(), staff ? std::string() : thread); list.ok()) {
                for (const auto& f : *list) {
                    View row;
                    row.set("id", std::to_string(f.id));
                    row.set("name", f.filename.empty() ? Translate(lang, "mail_unnamed") : f.filename);
                    row.set("size", std::to_string(f.size));
                    row.set("signed", Flag(f.covered));
                    files.push_back(row);
                }
                view.set("has_mail_files", Flag(!list->empty()));
            }
            view.set("mail_files", files);
        }
    }
    http::Response page = RenderPage(req, s, "case", "case_title", std::move(view), status);
    page.SetHeader("Cache-Control", "no-store");  // embargoed content never stays in a cache
    return page;
}

}  // namespace kizuna::web::detail
