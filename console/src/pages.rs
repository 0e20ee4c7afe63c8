//! The HTML pages (maud: escaped by construction). Every control has a label, the focus order
//! follows the reading order, and colours keep WCAG AA contrast (see assets/console.css).

use crate::auth::{Role, Session};
use crate::i18n::{display_value, Lang, Names};
use crate::queues::Lease;
use maud::{html, Markup, PreEscaped, DOCTYPE};
use serde_json::Value;
use tamis_shared::taxonomy::Taxonomy;
use tamis_shared::{DocumentType, Field};

/// Below this confidence a field is flagged for the reviewer's attention.
const FLAG_BELOW: f32 = 0.80;

fn layout(lang: Lang, title: &str, session: Option<&Session>, current: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(lang.tag()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " — Tamis" }
                link rel="stylesheet" href="/assets/console.css";
                script src="/assets/console.js" defer {}
            }
            body {
                a.skip href="#main" { (lang.t("skip")) }
                header.top {
                    a.brand href="/" { (lang.t("app")) }
                    @if let Some(s) = session {
                        nav aria-label=(lang.t("app")) {
                            ul {
                                li { a href="/dashboard" aria-current=[(current == "dashboard").then_some("page")] { (lang.t("dashboard")) } }
                                @if s.role >= Role::Reviewer {
                                    li { a href="/review" aria-current=[(current == "review").then_some("page")] { (lang.t("review")) } }
                                    li { a href="/search" aria-current=[(current == "search").then_some("page")] { (lang.t("search")) } }
                                }
                            }
                        }
                    }
                    div.who {
                        div.langs role="group" aria-label=(lang.t("language")) {
                            a href="?lang=fr" hreflang="fr" lang="fr" aria-current=[(lang == Lang::Fr).then_some("true")] { "FR" }
                            a href="?lang=en" hreflang="en" lang="en" aria-current=[(lang == Lang::En).then_some("true")] { "EN" }
                        }
                        @if let Some(s) = session {
                            span { (lang.t("signed_in_as")) " " strong { (s.user) } " (" (lang.t(match s.role { Role::Viewer => "role_viewer", Role::Reviewer => "role_reviewer", Role::Admin => "role_admin" })) ")" }
                            form method="post" action="/logout" {
                                input type="hidden" name="csrf" value=(s.csrf);
                                button.link type="submit" { (lang.t("logout")) }
                            }
                        }
                    }
                }
                main #main tabindex="-1" { (body) }
            }
        }
    }
}

/// A page with one sentence (forbidden, broker trouble).
pub fn message(lang: Lang, session: Option<&Session>, text: &str) -> Markup {
    layout(lang, lang.t("error"), session, "", html! { h1 { (lang.t("error")) } p.flash.error role="alert" { (text) } })
}

/// A moment for people: `15/06/2025 à 15:06 UTC` in French, `2025-06-15 15:06 UTC` in English.
fn moment(lang: Lang, t: time::OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    let (d, m, y, h, min) = (t.day(), t.month() as u8, t.year(), t.hour(), t.minute());
    match lang {
        Lang::Fr => format!("{d:02}/{m:02}/{y} à {h:02}:{min:02} UTC"),
        Lang::En => format!("{y}-{m:02}-{d:02} {h:02}:{min:02} UTC"),
    }
}

/// The search box (a document id), with what came of the last search.
pub fn search(lang: Lang, s: &Session, typed: &str, problem: Option<&str>) -> Markup {
    let body = html! {
        h1 { (lang.t("search")) }
        @if let Some(p) = problem { p.flash.error role="alert" { (p) } }
        form.panel.search method="get" action="/search" role="search" {
            div {
                label for="q" { (lang.t("search_label")) }
                input #q type="search" name="q" value=(typed) aria-describedby="q-hint" autocomplete="off" required autofocus;
                p.note #q-hint { (lang.t("search_hint")) }
            }
            button.primary type="submit" { (lang.t("search")) }
        }
    };
    layout(lang, lang.t("search"), Some(s), "search", body)
}

/// A document's history: each decision in order, who and when, and what changed.
pub fn history(lang: Lang, tax: &Taxonomy, s: &Session, h: &crate::history::History) -> Markup {
    let names = Names { taxonomy: tax, lang };
    let action = |a: &str| {
        lang.t(match a {
            "accept" => "action_accept",
            "correct" => "action_correct",
            "retype" => "action_retype",
            _ => "action_reject",
        })
    };
    let body = html! {
        h1 { (lang.t("history")) }
        dl.meta {
            dt { (lang.t("document")) } dd { code #history-document { (h.document_id) } }
            @if let Some(case) = h.entries.iter().find_map(|e| e.case_id.as_deref()) {
                dt { (lang.t("case")) } dd { (case) }
            }
        }
        @if h.unreadable > 0 { p.flash.error role="alert" { (h.unreadable) " " (lang.t("unreadable_records")) } }
        ol.history {
            @for (i, e) in h.entries.iter().enumerate() {
                @let ty = e.doc_type.as_ref().map(|t| t.as_str().to_string());
                li.panel.entry data-decision=(e.decision_id) {
                    h2 #{"entry-" (i)} { (action(e.action)) " — " (e.doc_type.as_ref().map(|t| names.doc_type(t.as_str())).unwrap_or_default()) }
                    p { (lang.t("decided_by")) " " strong.reviewer { (e.reviewer) } " " (lang.t("decided_at")) " " time datetime=(e.decided_at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()) { (moment(lang, e.decided_at)) } }
                    @if !e.review_reasons.is_empty() {
                        p { (lang.t("reasons")) (if lang == Lang::Fr { " : " } else { ": " })
                            @for (j, r) in e.review_reasons.iter().enumerate() {
                                @if j > 0 { " ; " }
                                @let (text, in_lang) = names.reason(ty.as_deref(), r, r);
                                span lang=[(in_lang != lang).then_some(in_lang.tag())] { (text) }
                            }
                        }
                    }
                    @if let Some(r) = &e.reject_reason { p { (lang.t("reject_reason")) (if lang == Lang::Fr { " : " } else { ": " }) (r) } }
                    @if e.changes.is_empty() && e.previous_type.is_none() {
                        p.note { (lang.t("no_changes")) }
                    } @else {
                        table.changes aria-labelledby={"entry-" (i)} {
                            caption { (lang.t("changes")) }
                            thead { tr { th scope="col" { (lang.t("field")) } th scope="col" { (lang.t("before")) } th scope="col" { (lang.t("after")) } } }
                            tbody {
                                @if let (Some(p), Some(t)) = (&e.previous_type, &e.doc_type) {
                                    tr { th scope="row" { (lang.t("type_change")) } td { (names.doc_type(p.as_str())) } td { (names.doc_type(t.as_str())) } }
                                }
                                @for c in &e.changes {
                                    @let kind = ty.as_deref().and_then(|t| tax.field(t, &c.field)).map(|f| f.kind).unwrap_or_default();
                                    tr data-field=(c.field) {
                                        th scope="row" { (names.field(ty.as_deref(), &c.field)) }
                                        td.before { (c.before.as_deref().map(|b| display_value(lang, kind, b)).unwrap_or_else(|| lang.t("not_found").to_string())) }
                                        td.after { (display_value(lang, kind, &c.after)) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        h2 #views-title { (lang.t("views")) }
        ul.views aria-labelledby="views-title" {
            @for v in &h.views {
                li { (v.user) " — " (moment(lang, v.at)) }
            }
        }
    };
    layout(lang, lang.t("history"), Some(s), "search", body)
}

/// The sign-in form.
pub fn login(lang: Lang, csrf: &str, failed: bool) -> Markup {
    let body = html! {
        div.login {
            h1 { (lang.t("login_title")) }
            @if failed { p.flash.error role="alert" { (lang.t("bad_login")) } }
            form.panel method="post" action="/login" {
                input type="hidden" name="csrf" value=(csrf);
                div { label for="username" { (lang.t("username")) } input #username type="text" name="username" autocomplete="username" required autofocus; }
                div { label for="password" { (lang.t("password")) } input #password type="password" name="password" autocomplete="current-password" required; }
                button.primary type="submit" { (lang.t("login")) }
            }
        }
    };
    layout(lang, lang.t("login"), None, "login", body)
}

fn pct(v: &Value) -> String {
    v.as_f64().map(|x| format!("{} %", (x * 100.0).round())).unwrap_or_else(|| "–".into())
}

fn num(v: &Value) -> String {
    v.as_u64().map(|n| n.to_string()).unwrap_or_else(|| "?".into())
}

/// The operators' dashboard (no personal data: counts only).
pub fn dashboard(lang: Lang, s: &Session, d: &Value) -> Markup {
    let t = &d["throughput"];
    let kind = |k: &str| match k {
        "stage" => lang.t("stage"),
        "review" => lang.t("review_queue"),
        "decisions" => lang.t("decisions"),
        _ => lang.t("parking"),
    };
    let body = html! {
        div #dashboard {
            h1 { (lang.t("dashboard")) }
            section.cards aria-label=(lang.t("dashboard")) {
                div.card { div.label { (lang.t("per_minute")) } div.value #m-per-minute { (num(&t["per_minute"])) } }
                div.card { div.label { (lang.t("share_auto")) } div.value #m-share { (pct(&t["share_automated"])) } }
                div.card { div.label { (lang.t("waiting_review")) } div.value #m-waiting { (num(&d["waiting_review"])) } }
                div.card { div.label { (lang.t("reviewed")) } div.value #m-reviewed { (num(&t["reviewed"])) } }
                div.card.warn { div.label { (lang.t("errors")) } div.value #m-errors { (num(&t["rejected"])) } }
                div.card.warn { div.label { (lang.t("parked")) } div.value #m-parked { (num(&d["parked"])) } }
            }
            p.note { (lang.t("per_minute")) ", " (lang.t("share_auto")) ", " (lang.t("errors")) ", " (lang.t("reviewed")) " : " (lang.t("since_start")) ". "
                (lang.t("updated")) " " span #m-updated aria-live="polite" { "—" } }
            h2 #queues-title { (lang.t("queues")) }
            table aria-labelledby="queues-title" {
                thead { tr {
                    th scope="col" { (lang.t("queue")) } th scope="col" { (lang.t("kind")) }
                    th scope="col" { (lang.t("depth")) } th scope="col" { (lang.t("oldest")) }
                } }
                tbody {
                    @for q in d["queues"].as_array().into_iter().flatten() {
                        @let depth = q["depth"].as_u64().unwrap_or(0);
                        @let name = q["name"].as_str().unwrap_or("");
                        tr.busy[depth > 0 && q["kind"] != "stage"] {
                            td { code { (name) } }
                            td { (kind(q["kind"].as_str().unwrap_or(""))) }
                            td.num data-queue=(name) { (num(&q["depth"])) }
                            td.num data-age=(name) { (q["oldest_text"].as_str().unwrap_or("")) }
                        }
                    }
                }
            }
            p.note { (lang.t("journal")) (if lang == Lang::Fr { " : " } else { ": " }) span #m-journal aria-live="polite" { (d["journal_text"].as_str().unwrap_or("")) } }
            p.note { (lang.t("oldest_note").replace("{retention}", &lang.retention(d["journal_max_age"].as_str().unwrap_or("")))) }
        }
    };
    layout(lang, lang.t("dashboard"), Some(s), "dashboard", body)
}

/// The review screen: the pages with the boxes, beside the fields and the decision controls.
pub fn review(lang: Lang, tax: &Taxonomy, s: &Session, lease: Option<&Lease>, flash: Option<(bool, String)>) -> Markup {
    let names = Names { taxonomy: tax, lang };
    let flash_html = html! {
        @if let Some((err, text)) = &flash {
            p.flash.error[*err] role=(if *err { "alert" } else { "status" }) { (text) }
        }
    };
    let Some(l) = lease else {
        let body = html! {
            h1 { (lang.t("review")) }
            (flash_html)
            div #empty-inbox .panel { p { (lang.t("nothing")) } p.note { (lang.t("nothing_hint")) } }
        };
        return layout(lang, lang.t("review"), Some(s), "review", body);
    };
    let item = &l.item;
    let primary = item.outcome.primary();
    let doc_type = primary.map(|d| d.document.doc_type.clone());
    let mut fields: Vec<(String, Option<&Field>)> =
        primary.map(|d| d.document.fields.iter().map(|(k, f)| (k.clone(), Some(f))).collect()).unwrap_or_default();
    // Fields a reason names but the machine did not find get an empty input to fill in.
    let named: Vec<String> =
        item.outcome.reasons.iter().filter_map(|r| r.code.split_once(':').map(|(_, f)| f.to_string())).collect();
    for n in &named {
        if n != "type" && !fields.iter().any(|(k, _)| k == n) {
            fields.push((n.clone(), None));
        }
    }
    let flagged = |name: &str, f: Option<&Field>| {
        named.iter().any(|n| n == name) || f.is_none_or(|f| f.confidence < FLAG_BELOW || f.valid == Some(false))
    };
    let pages: Vec<u32> =
        primary.map(|d| d.document.pages.clone()).filter(|p| !p.is_empty()).unwrap_or_else(|| vec![1]);
    let box_id = |name: &str| format!("box-{name}");
    let type_code = doc_type.as_ref().map(|t| t.as_str());
    let kind = |name: &str| type_code.and_then(|t| tax.field(t, name)).map(|f| f.kind).unwrap_or_default();
    let body = html! {
        h1 { (lang.t("review")) " — " (type_code.map(|t| names.doc_type(t)).unwrap_or_else(|| "?".into())) }
        (flash_html)
        div.two {
            section aria-label=(lang.t("document")) {
                @for n in &pages {
                    @let geo = item.pages.iter().find(|p| p.number == *n && p.width > 0 && p.height > 0);
                    figure.page {
                        div.page-wrap {
                            img src=(format!("/review/page/{}/{}.png", l.id, n)) alt=(lang.t("image_alt").replace("{n}", &n.to_string()));
                            @if let Some(g) = geo {
                                svg viewBox=(format!("0 0 {} {}", g.width, g.height)) preserveAspectRatio="none" aria-hidden="true" {
                                    // The boxes refer to the deskewed image: turned back about its centre.
                                    g transform=(format!("rotate({} {} {})", -g.skew, g.width as f32 / 2.0, g.height as f32 / 2.0)) {
                                    @for (name, f) in &fields {
                                        @if let Some(f) = f {
                                            @if let (Some(b), true) = (f.bbox, f.page.unwrap_or(1) == *n) {
                                                rect id=(box_id(name)) class=(if flagged(name, Some(f)) { "box flagged" } else { "box" })
                                                    x=(b.x) y=(b.y) width=(b.w) height=(b.h) {}
                                            }
                                        }
                                    }
                                    }
                                }
                            }
                        }
                        figcaption { (lang.t("page")) " " (n) " — " (item.file_name) }
                    }
                }
            }
            section aria-label=(lang.t("fields")) {
                div.panel {
                    dl.meta {
                        dt { (lang.t("file")) } dd { (item.file_name) }
                        dt { (lang.t("document")) } dd { code { (item.document_id) } }
                        @if let Some(c) = &item.case_id { dt { (lang.t("case")) } dd { code { (c) } } }
                        @if !item.case_persons.is_empty() {
                            dt { (lang.t("case_persons")) }
                            dd #case-persons { @for (i, p) in item.case_persons.iter().enumerate() { @if i > 0 { ", " } (p.as_str()) } }
                        }
                    }
                    h2 { (lang.t("reasons")) }
                    ul.reasons {
                        // A sentence left in English on the French page says so to screen readers
                        // (WCAG 3.1.2, language of parts).
                        @for r in &item.outcome.reasons {
                            @let (text, in_lang) = names.reason(type_code, &r.code, &r.message);
                            li { span lang=[(in_lang != lang).then(|| in_lang.tag())] { (text) } " " code { (r.code) } }
                        }
                    }
                }
                form #decision .panel method="post" action="/review/decide" {
                    input type="hidden" name="csrf" value=(s.csrf);
                    input type="hidden" name="lease" value=(l.id);
                    h2 { (lang.t("fields")) }
                    div.field {
                        label for="doc_type" { (lang.t("type")) }
                        select #doc_type name="doc_type" {
                            @for t in DocumentType::BUILT_IN.iter() {
                                option value=(t.as_str()) selected[doc_type.as_ref() == Some(t)] { (names.doc_type(t.as_str())) }
                            }
                        }
                    }
                    @for (name, f) in &fields {
                        @let id = format!("f-{name}");
                        @let hint = format!("h-{name}");
                        @let flag = flagged(name, *f);
                        div.field.flagged[flag] {
                            label for=(id) { (names.field(type_code, name)) }
                            input #(id) type="text" name=(format!("f.{name}")) value=(f.map(|f| display_value(lang, kind(name), &f.value)).unwrap_or_default())
                                data-box=(box_id(name)) aria-describedby=(hint) aria-invalid=[flag.then_some("true")] autocomplete="off" spellcheck="false";
                            span.hint #(hint) {
                                @match f {
                                    Some(f) => { (lang.t("confidence")) " " (lang.decimal(f.confidence, 2)) @if flag { " — " (lang.t("check")) } }
                                    None => { (lang.t("not_found")) " — " (lang.t("check")) }
                                }
                            }
                        }
                    }
                    div.actions {
                        button.primary type="submit" name="action" value="validate" { (lang.t("validate")) " " kbd { (if lang == Lang::Fr { "Entrée" } else { "Enter" }) } }
                    }
                }
                form.panel method="post" action="/review/decide" {
                    input type="hidden" name="csrf" value=(s.csrf);
                    input type="hidden" name="lease" value=(l.id);
                    input type="hidden" name="action" value="reject";
                    div.field {
                        label for="reject_reason" { (lang.t("reject_reason")) }
                        input #reject_reason type="text" name="reject_reason" required maxlength="500" autocomplete="off";
                    }
                    div.actions { button.danger type="submit" { (lang.t("reject")) } }
                }
                form.panel method="post" action="/review/decide" {
                    input type="hidden" name="csrf" value=(s.csrf);
                    input type="hidden" name="lease" value=(l.id);
                    button #release type="submit" name="action" value="release" { (lang.t("release")) }
                    p.note { strong { (lang.t("shortcuts")) " : " } (PreEscaped(lang.t("shortcuts_text").replace("Enter", "<kbd>Enter</kbd>").replace("Entrée", "<kbd>Entrée</kbd>"))) }
                }
            }
        }
    };
    layout(lang, lang.t("review"), Some(s), "review", body)
}
