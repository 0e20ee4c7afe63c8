//! French and English: the language comes from the `lang` cookie (set by the switch in the
//! header), else from Accept-Language, else French.

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

/// A review reason's sentence in the page's language, and the language it is in. The route stage
/// writes its sentences in English; a French page gets the French sentence of the code (the field
/// named as in the form), or the English one, marked as such, for a code not known here.
pub fn reason_text<'a>(lang: Lang, code: &str, english: &'a str) -> (std::borrow::Cow<'a, str>, Lang) {
    use std::borrow::Cow;
    if lang == Lang::En {
        return (Cow::Borrowed(english), Lang::En);
    }
    let (head, arg) = code.split_once(':').map_or((code, None), |(h, a)| (h, Some(a)));
    let fr = match (head, arg) {
        ("low_confidence", Some("type")) => "Le type du document a été reconnu avec une confiance inférieure au seuil.".to_string(),
        ("low_confidence", Some(f)) => format!("Le champ {f} a été lu avec une confiance inférieure au seuil."),
        ("missing", Some(f)) => format!("Le champ {f} n'a pas été trouvé."),
        ("invalid", Some(f)) => format!("Le champ {f} ne passe pas son contrôle (clé, somme de contrôle ou date)."),
        ("mrz_mismatch", Some(f)) => format!("Le champ {f} diffère entre la bande MRZ et le texte imprimé."),
        ("twoddoc_mismatch", Some(f)) => format!("Le champ {f} imprimé diffère de celui du code 2D-Doc signé."),
        ("ambiguous", Some(f)) => format!("Plusieurs valeurs possibles ont été trouvées pour le champ {f}."),
        ("uncorroborated", Some(f)) => format!(
            "Rien d'indépendant de l'endroit où le champ {f} a été lu ne le confirme (ni clé de contrôle, ni calcul, ni seconde mention, ni code signé) ; vérifiez-le sur la pièce."
        ),
        ("inconsistent", Some(x)) => format!("Des valeurs lues ne concordent pas entre elles ({x})."),
        ("expired", None) => "La date d'expiration de la pièce est dépassée.".into(),
        ("twoddoc_invalid", None) => "La signature du code 2D-Doc n'est pas valide.".into(),
        ("twoddoc_untrusted", None) => "Le code 2D-Doc est signé par une autorité qui n'est pas reconnue de confiance.".into(),
        ("twoddoc_type_mismatch", None) => "Le code 2D-Doc annonce un autre type de document.".into(),
        ("type_other", None) => "Le document n'est d'aucun type connu ; une personne doit décider de ce qu'il est.".into(),
        (t, None) if t.starts_with("type_") => "La règle de routage envoie à une personne tout document de ce type.".into(),
        ("unclassified", None) => "Aucun type de document n'a pu être déterminé pour ce fichier.".into(),
        ("multiple_documents", None) => "Le fichier contient plusieurs documents ; vérifiez qu'il a été bien découpé.".into(),
        ("duplicate", None) => {
            "Le même fichier a déjà été déposé pour ce dossier ; vérifiez s'il s'agit d'un nouvel envoi.".into()
        }
        ("name_mismatch", None) => {
            "Le nom lu sur le document n'est celui d'aucune personne du dossier ; vérifiez que le document concerne bien ce dossier.".into()
        }
        _ => return (Cow::Borrowed(english), Lang::En),
    };
    (Cow::Owned(fr), Lang::Fr)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_read_in_french_on_a_french_page() {
        let (t, l) = reason_text(
            Lang::Fr,
            "name_mismatch",
            "The name read in employee_name is none of the persons of the case.",
        );
        assert_eq!(l, Lang::Fr);
        assert!(t.contains("aucune personne du dossier"), "{t}");
        let (t, _) =
            reason_text(Lang::Fr, "low_confidence:net_pay", "The field net_pay was read with confidence 0.62.");
        assert!(t.starts_with("Le champ net_pay"), "{t}");
        assert_eq!(
            reason_text(Lang::Fr, "something_new", "Something new.").1,
            Lang::En,
            "unknown codes stay in English"
        );
        assert_eq!(reason_text(Lang::En, "name_mismatch", "The name...").0, "The name...");
    }

    #[test]
    fn accept_language_picks_the_best_supported_tag() {
        assert_eq!(Lang::from_accept_language("de-DE, en;q=0.8, fr;q=0.9"), Some(Lang::Fr));
        assert_eq!(Lang::from_accept_language("en-GB,en;q=0.9"), Some(Lang::En));
        assert_eq!(Lang::from_accept_language("de"), None);
        assert_eq!(Lang::En.t("validate"), "Validate");
        assert_eq!(Lang::Fr.t("validate"), "Valider");
        assert_eq!(Lang::Fr.t("no such key"), "");
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
