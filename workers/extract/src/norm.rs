//! Parsers and normalisers for values as FORMAT.md writes them (dates, periods, amounts, names...).

use once_cell::sync::Lazy;
use regex::Regex;
use tamis_shared::taxonomy::fold;

static AMOUNT: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"(-?\d{1,3}(?:[ \u{a0}\u{202f}.']\d{3})+|-?\d+)(?:\s?[,.]\s?(\d{2}))?(?:\d)?\s*(€|EUR|euros?)?")
        .unwrap()
});
static DMY: Lazy<Regex> =
    Lazy::new(|| Regex::new(r"\b(\d{1,2})(?:\s?[/.\-]\s?| )(\d{1,2})(?:\s?[/.\-]\s?| )(\d{4})\b").unwrap());
static YMD: Lazy<Regex> = Lazy::new(|| Regex::new(r"\b(\d{4})-(\d{2})-(\d{2})\b").unwrap());
static DMY_WORDS: Lazy<Regex> = Lazy::new(|| Regex::new(r"\b(\d{1,2})(?:er)?\s+([a-z]+)\s+(\d{4})\b").unwrap());
static MY_WORDS: Lazy<Regex> = Lazy::new(|| Regex::new(r"\b([a-z]+)\s+(\d{4})\b").unwrap());
static MY: Lazy<Regex> = Lazy::new(|| Regex::new(r"\b(\d{1,2})\s?[/.\-]\s?(\d{4})\b").unwrap());

/// French month names (folded) and common abbreviations.
pub fn month(name: &str) -> Option<u32> {
    Some(match name {
        "janvier" | "janv" | "jan" => 1,
        "fevrier" | "fevr" | "fev" => 2,
        "mars" | "mar" => 3,
        "avril" | "avr" => 4,
        "mai" => 5,
        "juin" => 6,
        "juillet" | "juil" => 7,
        "aout" => 8,
        "septembre" | "sept" | "sep" => 9,
        "octobre" | "oct" => 10,
        "novembre" | "nov" => 11,
        "decembre" | "dec" => 12,
        _ => return None,
    })
}

/// Whether the day exists.
pub fn date_exists(y: i32, m: u32, d: u32) -> bool {
    let Ok(mo) = time::Month::try_from(m as u8) else { return false };
    (1800..=2200).contains(&y) && time::Date::from_calendar_date(y, mo, d as u8).is_ok()
}

/// The first date in the text, ISO, with its byte offset in the folded text (offsets are only used
/// for ordering).
pub fn dates(text: &str) -> Vec<(usize, String)> {
    let mut out = vec![];
    for c in DMY.captures_iter(text) {
        let (d, m, y) = (c[1].parse().unwrap_or(0), c[2].parse().unwrap_or(0), c[3].parse().unwrap_or(0));
        if date_exists(y, m, d) {
            out.push((c.get(0).map_or(0, |x| x.start()), format!("{y:04}-{m:02}-{d:02}")));
        }
    }
    for c in YMD.captures_iter(text) {
        let (y, m, d) = (c[1].parse().unwrap_or(0), c[2].parse().unwrap_or(0), c[3].parse().unwrap_or(0));
        if date_exists(y, m, d) {
            out.push((c.get(0).map_or(0, |x| x.start()), format!("{y:04}-{m:02}-{d:02}")));
        }
    }
    let f = fold(text);
    for c in DMY_WORDS.captures_iter(&f) {
        let Some(m) = month(&c[2]) else { continue };
        let (d, y) = (c[1].parse().unwrap_or(0), c[3].parse().unwrap_or(0));
        if date_exists(y, m, d) {
            // Offsets of the folded text roughly follow the original.
            out.push((c.get(0).map_or(0, |x| x.start()), format!("{y:04}-{m:02}-{d:02}")));
        }
    }
    out.sort();
    out
}

/// The first date in the text.
pub fn date(text: &str) -> Option<String> {
    dates(text).into_iter().next().map(|x| x.1)
}

/// A month: from a date range, `mars 2025`, or `03/2025`.
pub fn period(text: &str) -> Option<String> {
    if let Some(d) = date(text) {
        return Some(d[..7].to_string());
    }
    let f = fold(text);
    for c in MY_WORDS.captures_iter(&f) {
        if let (Some(m), Ok(y)) = (month(&c[1]), c[2].parse::<i32>()) {
            if (1900..2200).contains(&y) {
                return Some(format!("{y:04}-{m:02}"));
            }
        }
    }
    for c in MY.captures_iter(text) {
        let (m, y): (u32, i32) = (c[1].parse().unwrap_or(0), c[2].parse().unwrap_or(0));
        if (1..=12).contains(&m) && (1900..2200).contains(&y) {
            return Some(format!("{y:04}-{m:02}"));
        }
    }
    None
}

/// All amounts in the text, normalised `1234.56`, with whether they carried cents or a currency.
pub fn amounts(text: &str) -> Vec<(String, bool)> {
    let mut out = vec![];
    for c in AMOUNT.captures_iter(text) {
        let m = c.get(0).map_or("", |x| x.as_str());
        // Dates and identifiers are not amounts.
        let start = c.get(0).map_or(0, |x| x.start());
        let end = c.get(0).map_or(0, |x| x.end());
        let before = text[..start].chars().last();
        let after = text[end..].chars().next();
        if matches!(before, Some('/') | Some('.')) || matches!(after, Some('/') | Some('%')) {
            continue;
        }
        let int: String = c[1].chars().filter(|ch| ch.is_ascii_digit() || *ch == '-').collect();
        let cents = c.get(2).map(|x| x.as_str());
        let strong = cents.is_some() || c.get(3).is_some();
        if int.trim_start_matches('-').len() > 9 {
            continue;
        }
        let Ok(v) = int.parse::<i64>() else { continue };
        let _ = m;
        out.push((format!("{}.{}", v, cents.unwrap_or("00")), strong));
    }
    out
}

/// The first amount, preferring one written with cents or a currency.
pub fn amount(text: &str) -> Option<String> {
    let all = amounts(text);
    // A bare four-digit figure from 1900 to 2100, with neither cents nor a currency, is a year
    // ("charges du mois de novembre 2024"), not a sum.
    let year = |a: &(String, bool)| {
        !a.1 && a.0.strip_suffix(".00").and_then(|y| y.parse::<u32>().ok()).is_some_and(|y| (1900..=2100).contains(&y))
    };
    all.iter().find(|a| a.1).or(all.iter().find(|a| !year(a))).map(|a| a.0.clone())
}

/// Shortest decimal form: `2,50` → `2.5`, `1,00` → `1`.
pub fn decimal(text: &str) -> Option<String> {
    static D: Lazy<Regex> = Lazy::new(|| Regex::new(r"\b(\d{1,2})(?:[.,](\d{1,2}))?\b").unwrap());
    let c = D.captures(text)?;
    let int: u32 = c[1].parse().ok()?;
    let frac = c.get(2).map(|x| x.as_str().trim_end_matches('0')).unwrap_or("");
    Some(if frac.is_empty() { int.to_string() } else { format!("{int}.{frac}") })
}

/// Civility titles: the person's own, never a profession's (a doctor or a notary signs for
/// someone else).
pub(crate) const CIVILITY: [&str; 8] = ["m", "mme", "mlle", "mr", "mrs", "madame", "monsieur", "mademoiselle"];

/// Legal forms that end a company name: their presence says the words are a company's name.
pub(crate) const LEGAL_FORMS: [&str; 11] =
    ["sa", "sas", "sarl", "eurl", "sasu", "sci", "snc", "scop", "selarl", "gie", "scp"];

/// Words that open the names of banks, schools and other bodies ("Banque …", "Lycée …"): with a
/// second word after them, the words are a body's name, not a label or a sentence.
pub(crate) const ORGANISATION_WORDS: [&str; 16] = [
    "banque",
    "caisse",
    "credit",
    "lycee",
    "college",
    "ecole",
    "universite",
    "institut",
    "groupe",
    "societe",
    "mutuelle",
    "association",
    "clinique",
    "centre",
    "regie",
    "compagnie",
];

/// Titles that FORMAT.md drops from names besides the civility titles: professions' and plurals.
const OTHER_TITLES: [&str; 6] = ["dr", "docteur", "me", "m et mme", "mmes", "mm"];

/// Whether a folded word is a title FORMAT.md drops from names.
fn is_title(f: &str) -> bool {
    CIVILITY.contains(&f) || OTHER_TITLES.contains(&f)
}

/// A person's name as printed, without title, stopping at the first token that is not a name word.
pub fn person(text: &str) -> Option<String> {
    let mut out: Vec<String> = vec![];
    for (i, raw) in text.split_whitespace().enumerate() {
        let t = raw.trim_matches(|c: char| c == ',' || c == ':' || c == ';' || c == '|' || c == '(' || c == ')');
        if t.is_empty() {
            if out.is_empty() {
                continue;
            }
            break;
        }
        let f = fold(t);
        if out.is_empty() && (is_title(&f) || t == "M." || t == "Mme.") {
            continue;
        }
        // Merged columns put a block heading right after the name.
        if STOP_WORDS.contains(&f.as_str()) {
            break;
        }
        let _ = i;
        let namey = t.chars().all(|c| c.is_alphabetic() || c == '-' || c == '\'' || c == '’' || c == '.')
            && t.chars().next().is_some_and(|c| c.is_uppercase());
        if !namey {
            break;
        }
        out.push(t.trim_end_matches('.').to_string());
    }
    if out.is_empty() {
        None
    } else {
        Some(out.join(" "))
    }
}

/// Words that head columns or blocks and are never part of a person's name.
pub const STOP_WORDS: [&str; 16] = [
    "domiciliation",
    "agence",
    "banque",
    "adresse",
    "declarant",
    "titulaire",
    "client",
    "contrat",
    "reference",
    "numero",
    "date",
    "montant",
    "tel",
    "iban",
    "nom",
    "prenoms",
];

/// Trimmed, single-spaced.
pub fn tidy(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    // A table's or a band's border read as a word (`|`, `¦`, `•`) at either end is no part of
    // the value ("| Ambulances Grenier SAS").
    let mark = |w: &&str| w.chars().all(|c| matches!(c, '|' | '¦' | '•' | '·' | '[' | ']' | '_'));
    let start = words.iter().position(|w| !mark(w)).unwrap_or(words.len());
    let end = words.iter().rposition(|w| !mark(w)).map_or(start, |e| e + 1);
    words[start..end.max(start)].join(" ")
}

/// Nationality adjective or code to ISO alpha-3.
pub fn nationality(text: &str) -> Option<String> {
    let f = fold(text);
    let first = f.split(' ').next().unwrap_or("");
    let code = match first {
        "francaise" | "francais" | "fra" | "france" => "FRA",
        "marocaine" | "marocain" | "mar" => "MAR",
        "algerienne" | "algerien" | "dza" => "DZA",
        "tunisienne" | "tunisien" | "tun" => "TUN",
        "senegalaise" | "senegalais" | "sen" => "SEN",
        "malienne" | "malien" | "mli" => "MLI",
        "ivoirienne" | "ivoirien" | "civ" => "CIV",
        "portugaise" | "portugais" | "prt" => "PRT",
        "espagnole" | "espagnol" | "esp" => "ESP",
        "italienne" | "italien" | "ita" => "ITA",
        "allemande" | "allemand" | "deu" => "DEU",
        "belge" | "bel" => "BEL",
        "turque" | "turc" | "tur" => "TUR",
        "roumaine" | "roumain" | "rou" => "ROU",
        "chinoise" | "chinois" | "chn" => "CHN",
        "britannique" | "gbr" => "GBR",
        "camerounaise" | "camerounais" | "cmr" => "CMR",
        "congolaise" | "congolais" | "cod" | "cog" => {
            if first == "cog" {
                "COG"
            } else {
                "COD"
            }
        }
        "haitienne" | "haitien" | "hti" => "HTI",
        "comorienne" | "comorien" | "com" => "COM",
        "polonaise" | "polonais" | "pol" => "POL",
        "vietnamienne" | "vietnamien" | "vnm" => "VNM",
        "ukrainienne" | "ukrainien" | "ukr" => "UKR",
        "russe" | "rus" => "RUS",
        "bresilienne" | "bresilien" | "bra" => "BRA",
        "guineenne" | "guineen" | "gin" => "GIN",
        "americaine" | "americain" | "usa" => "USA",
        "suisse" | "che" => "CHE",
        "indienne" | "indien" | "ind" => "IND",
        "syrienne" | "syrien" | "syr" => "SYR",
        "afghane" | "afghan" | "afg" => "AFG",
        _ => return None,
    };
    Some(code.to_string())
}

/// Contract wording to its code.
pub fn contract_type(text: &str) -> Option<String> {
    let f = fold(text);
    let c = if f.contains("duree indeterminee") || f.split(' ').any(|t| t == "cdi") {
        "CDI"
    } else if f.contains("duree determinee") || f.split(' ').any(|t| t == "cdd") {
        "CDD"
    } else if f.contains("apprentissage") || f.contains("apprenti") {
        "APPRENTISSAGE"
    } else if f.contains("interim") || f.contains("travail temporaire") || f.contains("mission") {
        "INTERIM"
    } else {
        return None;
    };
    Some(c.to_string())
}

/// `M`/`F` from a printed sex.
pub fn sex(text: &str) -> Option<String> {
    let f = fold(text);
    let t = f.split(' ').next().unwrap_or("");
    match t {
        "f" | "feminin" | "femme" => Some("F".into()),
        "m" | "masculin" | "homme" => Some("M".into()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn examples_of_format_md() {
        assert_eq!(date("15 mars 2025").as_deref(), Some("2025-03-15"));
        assert_eq!(date("depuis le 1er décembre 2017 en").as_deref(), Some("2017-12-01"));
        assert_eq!(period("Période du 01/03/2025 au 31/03/2025").as_deref(), Some("2025-03"));
        assert_eq!(period("mai 2025").as_deref(), Some("2025-05"));
        assert_eq!(amount("1 234,56 €").as_deref(), Some("1234.56"));
        assert_eq!(amount("32 457 €").as_deref(), Some("32457.00"));
        assert_eq!(decimal("2,50").as_deref(), Some("2.5"));
        assert_eq!(decimal("1,00").as_deref(), Some("1"));
        assert_eq!(person("Mme Laurence WEBER").as_deref(), Some("Laurence WEBER"));
        assert_eq!(nationality("Française").as_deref(), Some("FRA"));
        assert_eq!(contract_type("contrat à durée indéterminée").as_deref(), Some("CDI"));
        assert!(date("31/02/2025").is_none());
    }

    proptest! {
        #[test]
        fn amounts_normalise_idempotently(int in 0u32..1_000_000, cents in 0u32..100) {
            let s = format!("{},{:02}", int, cents);
            let a = amount(&s).unwrap();
            prop_assert_eq!(amount(&a).unwrap(), a.clone());
            prop_assert_eq!(a, format!("{}.{:02}", int, cents));
        }

        #[test]
        fn dates_normalise_idempotently(y in 1900i32..2100, m in 1u32..13, d in 1u32..29) {
            let iso = date(&format!("{:02}/{:02}/{}", d, m, y)).unwrap();
            prop_assert_eq!(date(&iso).unwrap(), iso.clone());
        }

        #[test]
        fn decimals_are_shortest_and_idempotent(i in 0u32..20, f in 0u32..100) {
            let d = decimal(&format!("{},{:02}", i, f)).unwrap();
            prop_assert_eq!(decimal(&d).unwrap(), d.clone());
            prop_assert!(!d.ends_with('0') || !d.contains('.'));
        }
    }
}
