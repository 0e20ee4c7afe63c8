//! French and English: the language comes from the `lang` cookie (set by the switch in the
//! header), else from Accept-Language, else French. Types, fields and reasons are named from
//! the taxonomy's display names and from reason codes, never from code names.

use std::borrow::Cow;
use tamis_shared::taxonomy::{FieldKind, Taxonomy};

/// A language the console speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    Fr,
    En,
}

impl Lang {
    /// The BCP 47 tag, for `<html lang>`.
    pub fn tag(&self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }

    /// Parses a tag (`fr`, `en-GB`...).
    pub fn parse(s: &str) -> Option<Lang> {
        let s = s.trim().to_ascii_lowercase();
        if s.starts_with("fr") {
            Some(Lang::Fr)
        } else if s.starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// The first supported language of an Accept-Language header, by quality.
    pub fn from_accept_language(h: &str) -> Option<Lang> {
        let mut tags: Vec<(f32, &str)> = h
            .split(',')
            .map(|part| {
                let mut it = part.split(';');
                let tag = it.next().unwrap_or("").trim();
                let q = it.find_map(|p| p.trim().strip_prefix("q=")).and_then(|q| q.parse().ok()).unwrap_or(1.0);
                (q, tag)
            })
            .collect();
        tags.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap_or(std::cmp::Ordering::Equal));
        tags.into_iter().find_map(|(_, t)| Lang::parse(t))
    }

    /// The text of `key` in this language (the key itself when missing, which tests catch).
    pub fn t(&self, key: &str) -> &'static str {
        let (en, fr) = match key {
            "app" => ("Tamis back office", "Tamis — back-office"),
            "skip" => ("Skip to content", "Aller au contenu"),
            "dashboard" => ("Dashboard", "Tableau de bord"),
            "review" => ("Review", "Vérification"),
            "logout" => ("Sign out", "Se déconnecter"),
            "login" => ("Sign in", "Se connecter"),
            "login_title" => ("Sign in to Tamis", "Connexion à Tamis"),
            "username" => ("Login", "Identifiant"),
            "password" => ("Password", "Mot de passe"),
            "bad_login" => ("Wrong login or password.", "Identifiant ou mot de passe incorrect."),
            "signed_in_as" => ("Signed in as", "Connecté en tant que"),
            "role_viewer" => ("viewer", "consultation"),
            "role_reviewer" => ("reviewer", "vérificateur"),
            "role_admin" => ("admin", "administrateur"),
            "language" => ("Language", "Langue"),
            "queues" => ("Queues", "Files d'attente"),
            "queue" => ("Queue", "File"),
            "kind" => ("Kind", "Nature"),
            "depth" => ("Waiting", "En attente"),
            "stage" => ("pipeline stage", "étape du traitement"),
            "review_queue" => ("review", "vérification"),
            "decisions" => ("decisions", "décisions"),
            "parking" => ("parked (needs an operator)", "écartés (à traiter par un opérateur)"),
            "per_minute" => ("Documents per minute", "Documents par minute"),
            "share_auto" => ("Share automated", "Part automatisée"),
            "errors" => ("Rejected (unusable)", "Rejetés (inexploitables)"),
            "parked" => ("Parked messages", "Messages écartés"),
            "reviewed" => ("Reviewed", "Vérifiés"),
            "waiting_review" => ("Waiting for review", "En attente de vérification"),
            "since_start" => ("since the console started", "depuis le démarrage de la console"),
            "updated" => ("Updated", "Mis à jour"),
            "oldest" => ("Oldest waiting for", "Plus ancien en attente depuis"),
            "oldest_note" => (
                "Oldest: how long the document that has waited longest in the queue has waited (an item a reviewer has open still waits). It comes from the journal of the documents' moves, which keeps {retention}. “unknown”: the queue holds documents the journal has no entry for (they entered before it existed or longer ago than it keeps), or the console is still reading it.",
                "Plus ancien : depuis combien de temps attend le document arrivé le premier dans la file (un document ouvert par un vérificateur attend toujours). L'information vient du journal des mouvements des documents, qui est conservé {retention}. « inconnue » : la file contient des documents dont le journal n'a pas trace (entrés avant sa création ou depuis plus longtemps qu'il ne conserve), ou la console est encore en train de le lire.",
            ),
            "journal" => ("Journal", "Journal"),
            "journal_live" => ("up to date", "à jour"),
            "journal_replaying" => ("being read, ages shortly", "en cours de lecture, anciennetés bientôt disponibles"),
            "journal_unavailable" => ("unreadable, ages unknown (broker trouble)", "illisible, anciennetés inconnues (incident sur RabbitMQ)"),
            "nothing" => ("No document is waiting for review.", "Aucun document n'attend de vérification."),
            "nothing_hint" => ("This page checks again every few seconds.", "Cette page vérifie à nouveau toutes les quelques secondes."),
            "document" => ("Document", "Document"),
            "page" => ("Page", "Page"),
            "file" => ("File", "Fichier"),
            "case" => ("Case", "Dossier"),
            "case_persons" => ("Persons of the case", "Personnes du dossier"),
            "type" => ("Document type", "Type de document"),
            "reasons" => ("Why a person must check it", "Pourquoi une personne doit vérifier"),
            "fields" => ("Extracted fields", "Champs extraits"),
            "confidence" => ("confidence", "confiance"),
            "check" => ("check this field", "à vérifier"),
            "not_found" => ("not found", "non trouvé"),
            "validate" => ("Validate", "Valider"),
            "reject" => ("Reject", "Rejeter"),
            "reject_reason" => ("Reason for rejecting", "Motif du rejet"),
            "release" => ("Put back", "Remettre dans la file"),
            "need_reason" => ("Give a reason to reject the document.", "Indiquez le motif du rejet."),
            "decided" => ("Decision recorded. Next document:", "Décision enregistrée. Document suivant :"),
            "shortcuts" => ("Keyboard", "Clavier"),
            "shortcuts_text" => (
                "Tab moves between fields; Enter validates (with your corrections); Alt+Shift+R goes to the reject reason; Alt+Shift+T to the type; Alt+Shift+B puts the document back.",
                "Tab passe d'un champ à l'autre ; Entrée valide (avec vos corrections) ; Alt+Maj+R va au motif de rejet ; Alt+Maj+T au type ; Alt+Maj+B remet le document dans la file.",
            ),
            "image_alt" => ("Page {n} of the document, with the fields' boxes outlined", "Page {n} du document, avec le cadre des champs"),
            "forbidden" => ("Your role does not allow this page.", "Votre rôle ne donne pas accès à cette page."),
            "search" => ("Search", "Rechercher"),
            "search_label" => ("Document id", "Identifiant du document"),
            "search_hint" => (
                "The document id, as in the events and the inbox (e.g. 0f8fad5b-d9cb-469f-a165-70867728950e).",
                "L'identifiant du document, tel qu'il figure dans les événements et la vérification (par ex. 0f8fad5b-d9cb-469f-a165-70867728950e).",
            ),
            "case_search_later" => (
                "Search by case id is not available yet: enter a document id.",
                "La recherche par numéro de dossier n'est pas encore disponible : saisissez un identifiant de document.",
            ),
            "no_history" => ("No decision is recorded for this document.", "Aucune décision n'est enregistrée pour ce document."),
            "history_unavailable" => (
                "The history cannot be read right now (storage unavailable). Try again shortly.",
                "L'historique est momentanément illisible (stockage indisponible). Réessayez dans un instant.",
            ),
            "history" => ("Document history", "Historique du document"),
            "decided_by" => ("Decided by", "Décidé par"),
            "decided_at" => ("on", "le"),
            "action_accept" => ("Accepted as read", "Accepté tel que lu"),
            "action_correct" => ("Corrected", "Corrigé"),
            "action_retype" => ("Type changed", "Type modifié"),
            "action_reject" => ("Rejected", "Rejeté"),
            "changes" => ("Changes", "Modifications"),
            "no_changes" => ("No field changed.", "Aucun champ modifié."),
            "field" => ("Field", "Champ"),
            "before" => ("Before", "Avant"),
            "after" => ("After", "Après"),
            "type_change" => ("Type", "Type"),
            "unreadable_records" => ("records could not be read (see the blob store).", "enregistrements illisibles (voir le stockage)."),
            "views" => ("Consulted by", "Consulté par"),
            "error" => ("Something went wrong", "Une erreur est survenue"),
            "throttled" => (
                "Too many failed sign-ins for this account or from this address. Try again in",
                "Trop d'échecs de connexion pour ce compte ou depuis cette adresse. Réessayez dans",
            ),
            "busy" => (
                "Too many sign-ins at once. Try again in a second.",
                "Trop de connexions simultanées. Réessayez dans une seconde.",
            ),
            _ => return "",
        };
        match self {
            Lang::En => en,
            Lang::Fr => fr,
        }
    }

    /// A number with `places` decimals, with a decimal comma in French (`0,83`).
    pub fn decimal(&self, x: f32, places: usize) -> String {
        let s = format!("{x:.places$}");
        if *self == Lang::Fr {
            s.replace('.', ",")
        } else {
            s
        }
    }

    /// A queue's oldest age for people: `—` when nothing waits, `unknown`, or a duration such as
    /// `42 s`, `12 min`, `3 h 05`, `2 d 4 h` (`2 j 4 h` in French).
    pub fn age(&self, age: crate::journal::Age) -> String {
        use crate::journal::Age;
        let ms = match age {
            Age::Empty => return "—".into(),
            Age::Unknown => return if *self == Lang::Fr { "inconnue".into() } else { "unknown".into() },
            Age::Known(ms) => ms,
        };
        let s = ms / 1000;
        let day = if *self == Lang::Fr { "j" } else { "d" };
        match s {
            0..=59 => format!("{s} s"),
            60..=3_599 => format!("{} min", s / 60),
            3_600..=86_399 => format!("{} h {:02}", s / 3_600, s % 3_600 / 60),
            _ => format!("{} {day} {} h", s / 86_400, s % 86_400 / 3_600),
        }
    }

    /// The journal's state for people.
    pub fn journal_state(&self, state: crate::journal::JournalState) -> &'static str {
        use crate::journal::JournalState;
        self.t(match state {
            JournalState::Live => "journal_live",
            JournalState::Replaying => "journal_replaying",
            JournalState::Unavailable => "journal_unavailable",
        })
    }

    /// A retention such as `7D` (`amqp.journal_max_age`) in words: `7 days`, `7 jours`.
    pub fn retention(&self, max_age: &str) -> String {
        let (n, unit) = max_age.split_at(max_age.len().saturating_sub(1));
        let plural = n != "1";
        let word = match (self, unit) {
            (Lang::En, "Y") => "year",
            (Lang::En, "M") => "month",
            (Lang::En, "D") => "day",
            (Lang::En, "h") => "hour",
            (Lang::En, "m") => "minute",
            (Lang::En, "s") => "second",
            (Lang::Fr, "Y") => "an",
            (Lang::Fr, "M") => return format!("{n} mois"),
            (Lang::Fr, "D") => "jour",
            (Lang::Fr, "h") => "heure",
            (Lang::Fr, "m") => "minute",
            (Lang::Fr, "s") => "seconde",
            _ => return max_age.to_string(),
        };
        format!("{n} {word}{}", if plural { "s" } else { "" })
    }
}

/// How the console names types and fields to people: the taxonomy's `display_fr` /
/// `display_en` (checked at start-up), so a page never shows `gross_pay` or `payslip`.
pub struct Names<'a> {
    pub taxonomy: &'a Taxonomy,
    pub lang: Lang,
}

impl Names<'_> {
    /// A document type's name (`Bulletin de paie`); `other`, which the taxonomy does not list,
    /// has its own; an unknown code stays as it is.
    pub fn doc_type(&self, t: &str) -> String {
        match (self.taxonomy.get(t), t, self.lang) {
            (Some(d), _, Lang::Fr) => d.display_fr.clone(),
            (Some(d), _, Lang::En) => d.display_en.clone(),
            (None, "other", Lang::Fr) => "Autre document".into(),
            (None, "other", Lang::En) => "Other document".into(),
            (None, t, _) => t.to_string(),
        }
    }

    /// A field's name (`Salaire brut`) in `doc_type`, else as any type names it, else its code.
    pub fn field(&self, doc_type: Option<&str>, f: &str) -> String {
        let def = doc_type
            .and_then(|t| self.taxonomy.field(t, f))
            .or_else(|| self.taxonomy.types.iter().find_map(|t| t.fields.iter().find(|x| x.name == f)));
        match (def, self.lang) {
            (Some(d), Lang::Fr) => d.display_fr.clone(),
            (Some(d), Lang::En) => d.display_en.clone(),
            (None, _) => f.to_string(),
        }
    }

    /// A review reason's sentence from its code, in this language, naming fields as the form
    /// does, with the language it is in: a code not known here keeps the route stage's English
    /// sentence (`english`), marked as English so screen readers switch voice (WCAG 3.1.2).
    pub fn reason<'m>(&self, doc_type: Option<&str>, code: &str, english: &'m str) -> (Cow<'m, str>, Lang) {
        match reason_sentence(self.lang, code, &|f| self.field(doc_type, f), &|t| self.doc_type(t)) {
            Some(s) => (Cow::Owned(s), self.lang),
            None => (Cow::Borrowed(english), Lang::En),
        }
    }
}

/// The sentence of a reason code, or None for a code this console does not know. Every code the
/// route stage can emit has one in both languages (see the test that enumerates them).
fn reason_sentence(
    lang: Lang,
    code: &str,
    field: &dyn Fn(&str) -> String,
    ty: &dyn Fn(&str) -> String,
) -> Option<String> {
    let fr = lang == Lang::Fr;
    let (head, arg) = code.split_once(':').map_or((code, None), |(h, a)| (h, Some(a)));
    let pick = |f: String, e: String| Some(if fr { f } else { e });
    // Field names are quoted as on the form: « Salaire brut » / “Gross pay”.
    let q = |a: &str| if fr { format!("« {} »", field(a)) } else { format!("“{}”", field(a)) };
    match (head, arg) {
        ("low_confidence", Some("type")) => pick(
            "Le type du document a été reconnu avec une confiance inférieure au seuil.".into(),
            "The document type was recognised with a confidence below the threshold.".into(),
        ),
        ("low_confidence", Some(f)) => pick(
            format!("Le champ {} a été lu avec une confiance inférieure au seuil.", q(f)),
            format!("The field {} was read with a confidence below the threshold.", q(f)),
        ),
        ("missing", Some(f)) => {
            pick(format!("Le champ {} n'a pas été trouvé.", q(f)), format!("The field {} was not found.", q(f)))
        }
        ("invalid", Some(f)) => pick(
            format!("Le champ {} ne passe pas son contrôle (clé, somme de contrôle ou date).", q(f)),
            format!("The field {} failed its check (key, checksum or date).", q(f)),
        ),
        ("mrz_mismatch", Some(f)) => pick(
            format!("Le champ {} diffère entre la bande MRZ et le texte imprimé.", q(f)),
            format!("The field {} differs between the MRZ and the printed text.", q(f)),
        ),
        ("twoddoc_mismatch", Some(f)) => pick(
            format!("Le champ {} imprimé diffère de celui du code 2D-Doc signé.", q(f)),
            format!("The printed field {} differs from the one in the signed 2D-Doc code.", q(f)),
        ),
        ("ambiguous", Some(f)) => pick(
            format!("Plusieurs valeurs possibles ont été trouvées pour le champ {}.", q(f)),
            format!("Several possible values were found for the field {}.", q(f)),
        ),
        ("uncorroborated", Some(f)) => pick(
            format!(
                "Rien d'indépendant de l'endroit où le champ {} a été lu ne le confirme (ni clé de contrôle, ni calcul, ni seconde mention, ni code signé) ; vérifiez-le sur la pièce.",
                q(f)
            ),
            format!(
                "Nothing independent of where the field {} was read confirms it (no check key, arithmetic, second mention or signed code); check it on the document.",
                q(f)
            ),
        ),
        ("inconsistent", Some("amounts")) => pick(
            "Les montants lus ne s'additionnent pas : leur somme ne donne pas le total.".into(),
            "The amounts read do not add up to the total.".into(),
        ),
        ("inconsistent", Some("pay")) => pick(
            format!("Le {} n'est pas supérieur au {}.", field("gross_pay").to_lowercase(), field("net_pay").to_lowercase()),
            format!("The {} is not above the {}.", field("gross_pay").to_lowercase(), field("net_pay").to_lowercase()),
        ),
        ("inconsistent", Some(f)) => pick(
            format!("Le champ {} ne concorde pas avec les autres valeurs lues.", q(f)),
            format!("The field {} does not agree with the other values read.", q(f)),
        ),
        ("expired", None) => pick(
            "La date d'expiration de la pièce est dépassée.".into(),
            "The document's expiry date has passed.".into(),
        ),
        ("twoddoc_invalid", None) => pick(
            "La signature du code 2D-Doc n'est pas valide.".into(),
            "The 2D-Doc code's signature is not valid.".into(),
        ),
        ("twoddoc_untrusted", None) => pick(
            "Le code 2D-Doc est signé par une autorité qui n'est pas reconnue de confiance.".into(),
            "The 2D-Doc code is signed by an authority that is not trusted.".into(),
        ),
        ("twoddoc_type_mismatch", None) => pick(
            "Le code 2D-Doc annonce un autre type de document.".into(),
            "The 2D-Doc code announces another document type.".into(),
        ),
        ("type_other", None) => pick(
            "Le document n'est d'aucun type connu ; une personne doit décider de ce qu'il est.".into(),
            "The document is not one of the known types; a person must decide what it is.".into(),
        ),
        (t, None) if t.starts_with("type_") => {
            let name = ty(&t["type_".len()..]);
            pick(
                format!("La règle de routage envoie à une personne tout document de type « {name} »."),
                format!("The routing policy sends every document of type “{name}” to a person."),
            )
        }
        ("unclassified", None) => pick(
            "Aucun type de document n'a pu être déterminé pour ce fichier.".into(),
            "No document type could be decided for this file.".into(),
        ),
        ("multiple_documents", None) => pick(
            "Le fichier contient plusieurs documents ; vérifiez qu'il a été bien découpé.".into(),
            "The file holds several documents; check that it was split right.".into(),
        ),
        ("duplicate", None) => pick(
            "Le même fichier a déjà été déposé pour ce dossier ; vérifiez s'il s'agit d'un nouvel envoi.".into(),
            "The same file was already submitted for this case; check whether it is a resubmission.".into(),
        ),
        ("name_mismatch", None) => pick(
            "Le nom lu sur le document n'est celui d'aucune personne du dossier ; vérifiez que le document concerne bien ce dossier.".into(),
            "The name read on the document is none of the persons of the case; check that the document is about someone in this case.".into(),
        ),
        // Why a file could not be read at all (error outcomes, tamis_shared::ErrorCode).
        ("empty", None) => pick("Le fichier est vide.".into(), "The file is empty.".into()),
        ("truncated", None) => {
            pick("Le fichier est tronqué (incomplet).".into(), "The file is truncated (incomplete).".into())
        }
        ("not_a_document", None) => pick(
            "Le fichier n'est ni un PDF ni une image.".into(),
            "The file is neither a PDF nor an image.".into(),
        ),
        ("unsupported_format", None) => {
            pick("Le format du fichier n'est pas pris en charge.".into(), "The file's format is not supported.".into())
        }
        ("encrypted", None) => pick(
            "Le fichier est chiffré ou protégé par un mot de passe.".into(),
            "The file is encrypted or password-protected.".into(),
        ),
        ("blank", None) => pick("Les pages sont blanches.".into(), "The pages are blank.".into()),
        ("too_large", None) => pick("Le fichier est trop volumineux.".into(), "The file is too large.".into()),
        ("too_small", None) => pick(
            "L'image est trop petite pour être lue.".into(),
            "The image is too small to be read.".into(),
        ),
        ("too_many_pages", None) => pick("Le fichier a trop de pages.".into(), "The file has too many pages.".into()),
        ("corrupt", None) => pick("Le fichier est endommagé.".into(), "The file is corrupt.".into()),
        ("timeout", None) => pick(
            "La lecture du fichier a pris trop de temps.".into(),
            "Reading the file took too long.".into(),
        ),
        ("internal_error", None) => pick(
            "Une erreur interne a interrompu le traitement ; l'exploitation peut le relancer.".into(),
            "An internal error stopped the processing; operations can replay it.".into(),
        ),
        _ => None,
    }
}

/// A field's value as the form shows it: in French, dates `JJ/MM/AAAA` and amounts
/// `1 234,56 €` (no-break spaces); otherwise, and for any value that is not in the canonical form
/// (`2025-03-31`, `1234.56`), the value as stored. [`canonical_value`] reads both back.
pub fn display_value(lang: Lang, kind: FieldKind, v: &str) -> String {
    if lang != Lang::Fr {
        return v.to_string();
    }
    match kind {
        FieldKind::Date => {
            iso_date(v).map(|(y, m, d)| format!("{d:02}/{m:02}/{y:04}")).unwrap_or_else(|| v.to_string())
        }
        FieldKind::Amount => french_amount(v).unwrap_or_else(|| v.to_string()),
        _ => v.to_string(),
    }
}

/// What a reviewer typed, in the stored form: `31/03/2025` -> `2025-03-31`, `1 234,56 €` ->
/// `1234.56` (the canonical forms pass unchanged); anything else as typed, trimmed, for the
/// route stage's checks to judge.
pub fn canonical_value(kind: FieldKind, typed: &str) -> String {
    let t = typed.trim();
    match kind {
        FieldKind::Date => french_date(t).unwrap_or_else(|| t.to_string()),
        FieldKind::Amount => {
            parse_amount(t).map(|(neg, cents)| amount_string(neg, cents)).unwrap_or_else(|| t.to_string())
        }
        _ => t.to_string(),
    }
}

/// Whether a typed value says the same as the stored one (so it is no correction).
pub fn same_value(kind: FieldKind, typed: &str, stored: &str) -> bool {
    let c = canonical_value(kind, typed);
    c == stored.trim()
        || (kind == FieldKind::Amount
            && matches!((parse_amount(&c), parse_amount(stored)), (Some(a), Some(b)) if a == b))
}

fn iso_date(v: &str) -> Option<(u32, u32, u32)> {
    let mut it = v.trim().split('-');
    let (y, m, d) = (it.next()?, it.next()?, it.next()?);
    if it.next().is_some() || y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let (y, m, d) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    ((1..=12).contains(&m) && (1..=31).contains(&d)).then_some((y, m, d))
}

fn french_date(v: &str) -> Option<String> {
    let parts: Vec<&str> = v.split(['/', '.']).collect();
    let [d, m, y] = parts.as_slice() else { return None };
    if y.len() != 4 || d.is_empty() || d.len() > 2 || m.is_empty() || m.len() > 2 {
        return None;
    }
    let (d, m, y): (u32, u32, u32) = (d.parse().ok()?, m.parse().ok()?, y.parse().ok()?);
    ((1..=12).contains(&m) && (1..=31).contains(&d)).then(|| format!("{y:04}-{m:02}-{d:02}"))
}

/// An amount as (negative, cents), from `1234.56`, `1 234,56 €`, `1.234,56`, `-12,5 EUR`.
fn parse_amount(v: &str) -> Option<(bool, u64)> {
    let mut s: String = v.chars().filter(|c| !c.is_whitespace() && *c != '\u{202F}' && *c != '€').collect();
    s = s.trim_end_matches("EUR").to_string();
    let neg = s.starts_with('-');
    let s = s.trim_start_matches(['-', '+']);
    // With a decimal comma, dots are thousands separators.
    let s = if s.contains(',') { s.replace('.', "").replace(',', ".") } else { s.to_string() };
    let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
    if int.is_empty()
        || !int.bytes().all(|b| b.is_ascii_digit())
        || frac.len() > 2
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let cents = int.parse::<u64>().ok()?.checked_mul(100)? + format!("{frac:0<2}").parse::<u64>().ok()?;
    Some((neg && cents > 0, cents))
}

fn amount_string(neg: bool, cents: u64) -> String {
    format!("{}{}.{:02}", if neg { "-" } else { "" }, cents / 100, cents % 100)
}

fn french_amount(v: &str) -> Option<String> {
    // Only the canonical form is reformatted: anything else is shown as it was read.
    if v.contains([',', ' ', '€']) {
        return None;
    }
    let (neg, cents) = parse_amount(v)?;
    let int = (cents / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push('\u{A0}');
        }
        grouped.push(c);
    }
    Some(format!("{}{grouped},{:02}\u{A0}€", if neg { "-" } else { "" }, cents % 100))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_read_in_the_readers_language_with_fields_named_for_people() {
        let tax = Taxonomy::builtin();
        let fr = Names { taxonomy: &tax, lang: Lang::Fr };
        let en = Names { taxonomy: &tax, lang: Lang::En };
        let (t, l) = fr.reason(Some("payslip"), "name_mismatch", "The name read in employee_name is none...");
        assert_eq!(l, Lang::Fr);
        assert!(t.contains("aucune personne du dossier"), "{t}");
        let (t, _) = fr.reason(Some("payslip"), "low_confidence:net_pay", "The field net_pay was read with 0.62.");
        assert_eq!(t, "Le champ « Net à payer » a été lu avec une confiance inférieure au seuil.");
        let (t, l) = en.reason(Some("payslip"), "low_confidence:net_pay", "The field net_pay was read with 0.62.");
        assert_eq!((t.as_ref(), l), ("The field “Net pay” was read with a confidence below the threshold.", Lang::En));
        let (t, _) = fr.reason(Some("payslip"), "type_payslip", "The policy...");
        assert!(t.contains("« Bulletin de paie »"), "{t}");
        assert_eq!(fr.reason(None, "something_new", "Something new.").1, Lang::En, "unknown codes stay in English");
        assert_eq!(fr.reason(None, "something_new", "Something new.").0, "Something new.");
        assert_eq!(fr.doc_type("payslip"), "Bulletin de paie");
        assert_eq!(en.doc_type("other"), "Other document");
        assert_eq!(fr.field(Some("payslip"), "nir"), "N° de sécurité sociale (NIR)");
        assert_eq!(fr.field(None, "gross_pay"), "Salaire brut", "a field a reason names outside its type");
    }

    /// Every code the route stage can emit (tamis_route::Router::decide and decide_with, the
    /// policy's blocking findings on every field, every failure code), in both languages.
    #[test]
    fn every_reason_code_the_router_can_emit_has_a_french_and_an_english_sentence() {
        use tamis_shared::ErrorCode;
        // An exhaustive match: a new failure code does not compile until it is listed here.
        fn failure_codes() -> Vec<&'static str> {
            let all = [
                ErrorCode::Empty,
                ErrorCode::Truncated,
                ErrorCode::NotADocument,
                ErrorCode::UnsupportedFormat,
                ErrorCode::Encrypted,
                ErrorCode::Blank,
                ErrorCode::TooLarge,
                ErrorCode::TooSmall,
                ErrorCode::TooManyPages,
                ErrorCode::Corrupt,
                ErrorCode::Timeout,
                ErrorCode::InternalError,
            ];
            for c in &all {
                match c {
                    ErrorCode::Empty
                    | ErrorCode::Truncated
                    | ErrorCode::NotADocument
                    | ErrorCode::UnsupportedFormat
                    | ErrorCode::Encrypted
                    | ErrorCode::Blank
                    | ErrorCode::TooLarge
                    | ErrorCode::TooSmall
                    | ErrorCode::TooManyPages
                    | ErrorCode::Corrupt
                    | ErrorCode::Timeout
                    | ErrorCode::InternalError => {}
                }
            }
            all.iter().map(|c| c.as_str()).collect()
        }
        let tax = Taxonomy::builtin();
        let policy = tamis_route::Policy::builtin();
        let fields: Vec<(&str, &str)> =
            tax.types.iter().flat_map(|t| t.fields.iter().map(move |f| (t.name.as_str(), f.name.as_str()))).collect();
        let mut codes: Vec<(Option<&str>, String)> =
            failure_codes().into_iter().map(|c| (None, c.to_string())).collect();
        for c in ["unclassified", "multiple_documents", "duplicate", "name_mismatch", "low_confidence:type"] {
            codes.push((None, c.to_string()));
        }
        for t in tax.types.iter().map(|t| t.name.as_str()).chain(["other"]) {
            codes.push((Some(t), format!("type_{t}")));
        }
        // The route stage's own field codes, then each blocking finding on every field (the
        // prefixes ending in `:` take a field; extract's `inconsistent:` also takes amounts/pay).
        let prefixes = ["missing:", "invalid:", "low_confidence:"].into_iter().map(String::from);
        for p in prefixes.chain(policy.default.blocking_findings.iter().cloned()) {
            if p.ends_with(':') {
                for (t, f) in &fields {
                    codes.push((Some(t), format!("{p}{f}")));
                }
            } else {
                codes.push((None, p));
            }
        }
        codes.push((Some("rent_receipt"), "inconsistent:amounts".into()));
        codes.push((Some("payslip"), "inconsistent:pay".into()));
        assert!(codes.len() > 100, "{}", codes.len());
        for lang in [Lang::Fr, Lang::En] {
            let names = Names { taxonomy: &tax, lang };
            for (t, code) in &codes {
                let (text, in_lang) = names.reason(*t, code, "\u{1}");
                assert_eq!(in_lang, lang, "no {lang:?} sentence for reason code {code}");
                assert!(!text.contains('\u{1}') && text.len() > 15, "{code}: {text}");
                if let Some((_, f)) =
                    code.split_once(':').filter(|(_, f)| *f != "type" && fields.iter().any(|x| x.1 == *f))
                {
                    assert!(!text.contains(&format!(" {f} ")), "{code}: the field is named by its code: {text}");
                    assert!(text.contains(&names.field(*t, f)), "{code}: {text}");
                }
            }
        }
    }

    #[test]
    fn dates_and_amounts_read_in_french_and_come_back_canonical() {
        use FieldKind::*;
        assert_eq!(display_value(Lang::Fr, Date, "2025-03-07"), "07/03/2025");
        assert_eq!(display_value(Lang::En, Date, "2025-03-07"), "2025-03-07");
        assert_eq!(display_value(Lang::Fr, Amount, "1234.56"), "1\u{A0}234,56\u{A0}€");
        assert_eq!(display_value(Lang::Fr, Amount, "1234567.5"), "1\u{A0}234\u{A0}567,50\u{A0}€");
        assert_eq!(display_value(Lang::Fr, Amount, "12"), "12,00\u{A0}€");
        assert_eq!(display_value(Lang::Fr, Amount, "-5.10"), "-5,10\u{A0}€");
        assert_eq!(display_value(Lang::Fr, Amount, "n/a"), "n/a", "anything else as read");
        assert_eq!(display_value(Lang::Fr, Text, "2025-03-07"), "2025-03-07");
        for (kind, stored) in [(Date, "2025-03-07"), (Amount, "1234.56"), (Amount, "-5.10"), (Amount, "0.00")] {
            let shown = display_value(Lang::Fr, kind, stored);
            assert_eq!(canonical_value(kind, &shown), stored, "{shown}");
            assert!(same_value(kind, &shown, stored), "{shown}");
        }
        assert_eq!(canonical_value(Date, " 7/3/2025 "), "2025-03-07");
        assert_eq!(canonical_value(Date, "31/13/2025"), "31/13/2025", "not a date: left for the checks");
        assert_eq!(canonical_value(Amount, "1 234,5 €"), "1234.50");
        assert_eq!(canonical_value(Amount, "1.234,56"), "1234.56");
        assert_eq!(canonical_value(Amount, "VALEUR CORRIGÉE 42"), "VALEUR CORRIGÉE 42");
        assert!(same_value(Amount, "1234,5", "1234.50"));
        assert!(!same_value(Amount, "1234,6", "1234.50"));
        assert!(!same_value(Date, "08/03/2025", "2025-03-07"));
    }

    #[test]
    fn accept_language_picks_the_best_supported_tag() {
        assert_eq!(Lang::from_accept_language("de-DE, en;q=0.8, fr;q=0.9"), Some(Lang::Fr));
        assert_eq!(Lang::from_accept_language("en-GB,en;q=0.9"), Some(Lang::En));
        assert_eq!(Lang::from_accept_language("de"), None);
        assert_eq!(Lang::En.t("validate"), "Validate");
        assert_eq!(Lang::Fr.t("validate"), "Valider");
        assert_eq!(Lang::Fr.t("no such key"), "");
        assert_eq!(Lang::Fr.decimal(0.834, 2), "0,83");
        assert_eq!(Lang::En.decimal(0.834, 2), "0.83");
        assert_eq!(Lang::Fr.t("role_reviewer"), "vérificateur");
    }

    #[test]
    fn ages_and_retention_read_in_both_languages() {
        use crate::journal::Age;
        assert_eq!(Lang::En.age(Age::Empty), "—");
        assert_eq!(Lang::En.age(Age::Unknown), "unknown");
        assert_eq!(Lang::Fr.age(Age::Unknown), "inconnue");
        assert_eq!(Lang::En.age(Age::Known(42_900)), "42 s");
        assert_eq!(Lang::En.age(Age::Known(12 * 60_000 + 59_000)), "12 min");
        assert_eq!(Lang::En.age(Age::Known((3 * 3600 + 5 * 60) * 1000)), "3 h 05");
        assert_eq!(Lang::Fr.age(Age::Known((2 * 86_400 + 4 * 3600 + 59) * 1000)), "2 j 4 h");
        assert_eq!(Lang::En.age(Age::Known((2 * 86_400 + 4 * 3600) * 1000)), "2 d 4 h");
        assert_eq!(Lang::En.retention("7D"), "7 days");
        assert_eq!(Lang::Fr.retention("7D"), "7 jours");
        assert_eq!(Lang::Fr.retention("1M"), "1 mois");
        assert_eq!(Lang::En.retention("1h"), "1 hour");
        for k in ["oldest", "oldest_note", "journal", "journal_live", "journal_replaying", "journal_unavailable"] {
            assert!(!Lang::En.t(k).is_empty() && !Lang::Fr.t(k).is_empty(), "{k}");
        }
    }
}
