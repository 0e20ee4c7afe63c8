//! Tells real French/English text from garbage (a broken font map, OCR of a page read sideways)
//! by the share of tokens that are common words.

use std::collections::HashSet;
use std::sync::OnceLock;

/// Frequent French and English words plus the vocabulary of social-security paperwork, accents
/// stripped. Short and closed-class words dominate any real text, so a few hundred suffice.
const WORDS: &str = "
a au aux avec ce ces cet cette dans de des du elle en est et il ils je la le les leur leurs lui
ma mais me mes mon ne nos notre nous on ou par pas pour qu que qui sa se ses son sont sur ta te
tes ton tu un une vos votre vous y ete etre avoir fait faire plus moins tout tous toute toutes
sans sous entre apres avant depuis jusqu chez si non oui ni car donc or aussi bien tres peu
the of and to in is it for on with as by at from this that be are was or an not your you we our
all any can will has have its per date total amount name address account number page payment
bank due period tax no
madame monsieur mme mlle m mr mrs nom prenom prenoms ne nee naissance adresse rue avenue boulevard
bd chemin allee place impasse route quai cours bat batiment etage appartement residence cedex
ville code postal france francaise francais republique date le du au fait signature cachet
bulletin paie salaire salarie salariale employeur emploi brut net payer imposable avant impot
revenu revenus cotisations cotisation securite sociale assurance maladie vieillesse chomage
retraite complementaire prevoyance csg crds heures heure mois annee taux base montant montants
total totaux periode conges paye payes absence prime primes indemnite indemnites frais transport
mutuelle siret urssaf ape naf convention collective qualification coefficient echelon
categorie cadre non emploi entree anciennete matricule net social versement virement
avis impot impots direction generale finances publiques declarant declarants numero fiscal
reference fiscale parts nombre situation famille foyer revenu imposition contribuable
releve identite bancaire rib iban bic banque domiciliation titulaire compte agence guichet cle
code etablissement swift
carte nationale passeport titre sejour permis nationalite sexe validite expire expiration
delivre delivree le par prefecture autorite taille lieu
quittance loyer loyers charges locataire bailleur proprietaire logement periode recu somme
provision provisions acompte mandataire gestion location meuble vide
facture electricite gaz energie consommation abonnement client contrat reference kwh compteur
point livraison echeance prelevement solde regler payer reste ttc ht tva montant offre
attestation certifie certifions certificat scolarite eleve ecole college lycee classe
inscrit inscrite annee scolaire academie etablissement directeur directrice
arret travail medecin patient assure debut fin jours prescription avis initial prolongation
cdi cdd duree indeterminee determinee contrat embauche poste fonctions depuis present
document documents piece pieces justificatif dossier service services centre caisse
allocations familiales caf cpam msa objet madame monsieur pour valoir ce que droit
janvier fevrier mars avril mai juin juillet aout septembre octobre novembre decembre
lundi mardi mercredi jeudi vendredi samedi dimanche
un deux trois quatre cinq six sept huit neuf dix euros euro eur
";

fn dictionary() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| WORDS.split_whitespace().collect())
}

/// Lower-cases and strips French accents, keeping letters only.
pub fn fold(token: &str) -> String {
    let mut out = String::with_capacity(token.len());
    for c in token.chars().flat_map(|c| c.to_lowercase()) {
        let c = match c {
            'à' | 'â' | 'ä' | 'á' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'î' | 'ï' | 'í' => 'i',
            'ô' | 'ö' | 'ó' => 'o',
            'ù' | 'û' | 'ü' | 'ú' => 'u',
            'ç' => 'c',
            'ÿ' => 'y',
            'œ' => {
                out.push('o');
                'e'
            }
            c => c,
        };
        if c.is_alphabetic() {
            out.push(c);
        }
    }
    out
}

/// How much a text looks like language.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LangStats {
    /// Tokens that are mostly letters (2+ letters).
    pub alpha_tokens: usize,
    /// Of those, how many are common words.
    pub dictionary_hits: usize,
}

impl LangStats {
    /// Share of alphabetic tokens that are common words (0 when there are none).
    pub fn ratio(&self) -> f32 {
        if self.alpha_tokens == 0 {
            0.0
        } else {
            self.dictionary_hits as f32 / self.alpha_tokens as f32
        }
    }
}

/// Counts alphabetic tokens and dictionary hits over whitespace-separated tokens.
pub fn stats<'a>(tokens: impl IntoIterator<Item = &'a str>) -> LangStats {
    let dict = dictionary();
    let mut s = LangStats::default();
    for raw in tokens {
        // Split on apostrophes and hyphens so "l'employeur" and "Saint-Denis" count as words.
        for part in raw.split(['\'', '’', '-', '/']) {
            let letters = part.chars().filter(|c| c.is_alphabetic()).count();
            let total = part.chars().filter(|c| c.is_alphanumeric()).count();
            if letters < 2 || letters * 10 < total * 8 {
                continue;
            }
            s.alpha_tokens += 1;
            if dict.contains(fold(part).as_str()) {
                s.dictionary_hits += 1;
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_text_scores_high_and_garbage_low() {
        let real = "BULLETIN DE PAIE Période du 01/03/2025 au 31/03/2025 Salaire de base Net à payer \
                    avant impôt sur le revenu Employeur : Leroux Transports SAS";
        let garbage = "TZQXLQRNW ZDXNKDJ YQXV EPVVWUNJ MW TQNW 05 wvmoam Fnul Qbbg 83 77999 Lmcao YNXWU \
                       Rnem JQF PXYYQF Tédhnem ea wa Twhmymog cm bwd vhdmymog Lwgdhuacm";
        let r = stats(real.split_whitespace());
        let g = stats(garbage.split_whitespace());
        assert!(r.ratio() > 0.5, "{r:?}");
        assert!(g.ratio() < 0.1, "{g:?}");
    }

    #[test]
    fn folds_accents() {
        assert_eq!(fold("Période"), "periode");
        assert_eq!(fold("l'Œuvre"), "loeuvre");
    }
}
