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
            "oldest_note" => (
                "The age of the oldest review item is not shown: RabbitMQ does not tell it without taking the item.",
                "L'ancienneté du plus vieux document en attente n'est pas affichée : RabbitMQ ne la donne pas sans prendre le document.",
            ),
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
            _ => return "",
        };
        match self {
            Lang::En => en,
            Lang::Fr => fr,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_best_supported_tag() {
        assert_eq!(Lang::from_accept_language("de-DE, en;q=0.8, fr;q=0.9"), Some(Lang::Fr));
        assert_eq!(Lang::from_accept_language("en-GB,en;q=0.9"), Some(Lang::En));
        assert_eq!(Lang::from_accept_language("de"), None);
        assert_eq!(Lang::En.t("validate"), "Validate");
        assert_eq!(Lang::Fr.t("validate"), "Valider");
        assert_eq!(Lang::Fr.t("no such key"), "");
    }
}
