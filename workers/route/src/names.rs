//! Whether the person a document names is one of the case's persons.
//!
//! Names reach Tamis written many ways: case and accents vary, hyphens and MRZ `<` stand for
//! spaces, apostrophes drop out (`D'ARTAGNAN`, `DARTAGNAN`), surname and given names swap places,
//! an ID card lists every given name where the case knows one, a married woman appears under her
//! birth or her married name (`Jeanne MARTIN épouse DUPONT`, `Jeanne DUPONT née MARTIN`), and a
//! joint account names two holders (`X OU Y`). Two names match when, after folding, every word of
//! the shorter one is a distinct word of the longer one (an initial standing for a word with that
//! first letter), with at least two words unless both are a single word, and at least one word in
//! full. A different surname or a given name the other does not have is a mismatch.

use tamis_shared::taxonomy::strip_accent;
use tamis_shared::PersonName;
use unicode_normalization::UnicodeNormalization;

/// One way of writing a person's name: folded words in printed order.
type Form = Vec<String>;

/// Words that introduce another surname of the same person (birth, married, usage name).
const MARKERS: [&str; 12] =
    ["epouse", "ep", "nee", "ne", "veuve", "vve", "divorcee", "div", "dite", "dit", "usage", "dusage"];
/// Courtesy titles, dropped at the start of a name.
const TITLES: [&str; 16] = [
    "m",
    "mr",
    "mme",
    "mmes",
    "mlle",
    "mlles",
    "madame",
    "monsieur",
    "mademoiselle",
    "messieurs",
    "mrs",
    "ms",
    "miss",
    "dr",
    "docteur",
    "maitre",
];
/// Words joining two persons (`M. OU MME`, `Jean ET Marie`).
const JOINS: [&str; 2] = ["et", "ou"];
/// Longest name compared word by word with initials (8! tries at worst); longer ones compare
/// word for word without initials.
const MAX_WORDS: usize = 8;

/// Whether the name printed on a document is one of `persons`: `None` when either side has no
/// word to compare (the check does not apply), else whether some person matches.
pub fn matches_any(printed: &str, persons: &[PersonName]) -> Option<bool> {
    let on_document = persons_in(printed);
    let known: Vec<Vec<Form>> = persons.iter().flat_map(|p| persons_in(p.as_str())).collect();
    if on_document.is_empty() || known.is_empty() {
        return None;
    }
    Some(on_document.iter().any(|d| known.iter().any(|k| person_matches(d, k))))
}

/// Whether two printed names can be the same person.
pub fn same_person(a: &str, b: &str) -> bool {
    let (a, b) = (persons_in(a), persons_in(b));
    a.iter().any(|x| b.iter().any(|y| person_matches(x, y)))
}

fn person_matches(a: &[Form], b: &[Form]) -> bool {
    a.iter().any(|f| b.iter().any(|g| forms_match(f, g)))
}

/// A word as printed: folded, and whether it was written in capitals (a surname, by French
/// convention, when the rest of the name is not).
struct Word {
    folded: String,
    capitals: bool,
}

fn fold_char(c: char, out: &mut String) {
    match c {
        'œ' | 'Œ' => out.push_str("oe"),
        'æ' | 'Æ' => out.push_str("ae"),
        'ß' => out.push_str("ss"),
        'ø' | 'Ø' => out.push('o'),
        'ł' | 'Ł' => out.push('l'),
        'đ' | 'Đ' => out.push('d'),
        'ı' => out.push('i'),
        _ => {
            // strip_accent knows the French letters; decomposition catches the rest (č, ń, ő...).
            let base = strip_accent(c);
            for d in base.nfd().filter(|d| !unicode_normalization::char::is_combining_mark(*d)) {
                out.extend(d.to_lowercase());
            }
        }
    }
}

fn words(s: &str) -> Vec<Word> {
    let mut out = Vec::new();
    let mut folded = String::new();
    let (mut letters, mut lower) = (0, false);
    let flush = |folded: &mut String, letters: &mut usize, lower: &mut bool, out: &mut Vec<Word>| {
        if !folded.is_empty() {
            out.push(Word { folded: std::mem::take(folded), capitals: *letters >= 2 && !*lower });
        }
        (*letters, *lower) = (0, false);
    };
    for c in s.chars() {
        if matches!(c, '\'' | '’' | 'ʼ' | '‘' | '`' | '´') {
            // `D'ARTAGNAN` is `DARTAGNAN` in an MRZ.
            continue;
        }
        if c.is_alphanumeric() {
            letters += 1;
            lower |= c.is_lowercase();
            fold_char(c, &mut folded);
        } else {
            flush(&mut folded, &mut letters, &mut lower, &mut out);
            if c == '&' {
                out.push(Word { folded: "et".into(), capitals: false });
            }
        }
    }
    flush(&mut folded, &mut letters, &mut lower, &mut out);
    out
}

/// The persons a printed name stands for, each with the forms its name may take.
fn persons_in(s: &str) -> Vec<Vec<Form>> {
    let all = words(s);
    all.split(|w| JOINS.contains(&w.folded.as_str())).map(forms).filter(|f| !f.is_empty()).collect()
}

/// The forms of one person's name: as printed, and for `A épouse B` also `A` and `A` with its
/// surname replaced by `B` (which word is the surname: the capitals, else any one).
fn forms(words: &[Word]) -> Vec<Form> {
    let mut ws: &[Word] = words;
    while ws.first().is_some_and(|w| TITLES.contains(&w.folded.as_str())) {
        ws = &ws[1..];
    }
    // Groups between markers; `nom d'usage` reads as one marker.
    let mut groups: Vec<Vec<&Word>> = vec![vec![]];
    for (i, w) in ws.iter().enumerate() {
        let next_is_usage = ws.get(i + 1).is_some_and(|n| matches!(n.folded.as_str(), "usage" | "dusage"));
        if MARKERS.contains(&w.folded.as_str()) || (w.folded == "nom" && next_is_usage) {
            if !groups.last().is_some_and(Vec::is_empty) {
                groups.push(vec![]);
            }
        } else {
            groups.last_mut().expect("never empty").push(w);
        }
    }
    groups.retain(|g| !g.is_empty());
    let text = |g: &[&Word]| g.iter().map(|w| w.folded.clone()).collect::<Form>();
    let mut out: Vec<Form> = Vec::new();
    let Some((first, others)) = groups.split_first() else { return out };
    out.push(groups.iter().flat_map(|g| text(g)).collect());
    if !others.is_empty() {
        out.push(text(first));
        let capitals: Vec<usize> = (0..first.len()).filter(|&i| first[i].capitals).collect();
        for alt in others {
            if first.len() == 1 {
                out.push(text(alt));
            } else if !capitals.is_empty() && capitals.len() < first.len() {
                // The surname is known (in capitals): the other surname replaces it.
                let mut f: Form =
                    (0..first.len()).filter(|i| !capitals.contains(i)).map(|i| first[i].folded.clone()).collect();
                f.extend(text(alt));
                out.push(f);
            } else {
                for i in 0..first.len() {
                    let mut f: Form = (0..first.len()).filter(|&j| j != i).map(|j| first[j].folded.clone()).collect();
                    f.extend(text(alt));
                    out.push(f);
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Joins neighbouring words of `a` whose concatenation is a word of `b` (`LE ROUX` / `LEROUX`).
fn merge_toward(a: &[String], b: &[String]) -> Form {
    let mut out = Vec::with_capacity(a.len());
    let mut i = 0;
    while i < a.len() {
        if i + 1 < a.len() && !b.contains(&a[i]) {
            let joined = format!("{}{}", a[i], a[i + 1]);
            if b.contains(&joined) {
                out.push(joined);
                i += 2;
                continue;
            }
        }
        out.push(a[i].clone());
        i += 1;
    }
    out
}

fn forms_match(f: &Form, g: &Form) -> bool {
    let (f, g) = (merge_toward(f, g), merge_toward(g, f));
    let (s, l) = if f.len() <= g.len() { (f, g) } else { (g, f) };
    if s.is_empty() || (s.len() < 2 && s.len() != l.len()) {
        return false;
    }
    if l.len() > MAX_WORDS {
        let mut rest = l.clone();
        return s.iter().all(|w| rest.iter().position(|x| x == w).map(|p| rest.swap_remove(p)).is_some());
    }
    cover(&s, &l, &mut vec![false; l.len()], false)
}

/// Whether each word of `s` can be given a distinct word of `l` it may stand for (itself, or a
/// word starting with it when it is an initial, or the other way round), with at least one word
/// matched in full (`exact` says whether one already was). Names are short (`MAX_WORDS`), so a
/// depth-first search stopping at the first success is cheap.
fn cover(s: &[String], l: &[String], used: &mut Vec<bool>, exact: bool) -> bool {
    let Some((w, rest)) = s.split_first() else { return exact };
    for (j, x) in l.iter().enumerate() {
        if used[j] {
            continue;
        }
        let same = w == x;
        let initial = (w.chars().count() == 1 && x.starts_with(w.as_str()))
            || (x.chars().count() == 1 && w.starts_with(x.as_str()));
        if !same && !initial {
            continue;
        }
        used[j] = true;
        let found = cover(rest, l, used, exact || same);
        used[j] = false;
        if found {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// True for a folded word that the comparison reads as structure, not as part of a name.
    fn is_reserved(word: &str) -> bool {
        MARKERS.contains(&word) || TITLES.contains(&word) || JOINS.contains(&word) || word == "nom"
    }

    fn case(names: &[&str]) -> Vec<PersonName> {
        names.iter().map(|n| PersonName::new(n).unwrap()).collect()
    }

    #[test]
    fn the_ways_one_name_is_written_match() {
        for (a, b) in [
            ("Laurence WEBER", "WEBER Laurence"),
            ("Mme Laurence WEBER", "laurence weber"),
            ("Timothée PASQUIER", "TIMOTHEE PASQUIER"),
            ("Maëlys-Gaëlle DURAND", "DURAND MAELYS GAELLE"),
            ("Claudine LE ROUX", "Claudine Suzanne Jeanne LE ROUX"),
            ("Claudine LEROUX", "Claudine Suzanne Jeanne LE ROUX"),
            ("Jean D'ARTAGNAN", "DARTAGNAN<<JEAN"),
            ("J. DUPONT", "Jean DUPONT"),
            ("Noémie CŒUR", "NOEMIE COEUR"),
            ("Dragan Kovačević", "KOVACEVIC DRAGAN"),
            ("Jeanne MARTIN épouse DUPONT", "Jeanne DUPONT"),
            ("Jeanne MARTIN épouse DUPONT", "Jeanne Marie DUPONT"),
            ("Jeanne MARTIN ép. DUPONT", "Jeanne Marie MARTIN"),
            ("Jeanne DUPONT née MARTIN", "MARTIN Jeanne"),
            ("Jeanne MARTIN", "DUPONT née MARTIN Jeanne Marie"),
            ("JEANNE MARTIN EPOUSE DUPONT", "Jeanne Dupont"),
            ("Paulette BOULAY", "ALEXANDRE PHILIPPE OU PAULETTE BOULAY"),
            ("Pierre GRONDIN", "M. ET MME PIERRE GRONDIN"),
        ] {
            assert!(same_person(a, b), "{a} / {b}");
            assert!(same_person(b, a), "{b} / {a}");
        }
    }

    #[test]
    fn other_people_do_not_match() {
        for (a, b) in [
            ("Jean DUPONT", "Marie DUPONT"),
            ("Jean DUPONT", "Jean DURAND"),
            ("Marie Jeanne DUPONT", "Marie Claire DUPONT"),
            ("Jean DUPONT", "DUPONT"),
            ("J. D.", "Jean DUPONT"),
            ("Jeanne MARTIN", "Jeanne DUPONT"),
            ("Paulette BOULAY", "ALEXANDRE PHILIPPE OU PAUL BOULAY"),
        ] {
            assert!(!same_person(a, b), "{a} / {b}");
            assert!(!same_person(b, a), "{b} / {a}");
        }
    }

    #[test]
    fn any_case_person_will_do_and_no_words_means_no_verdict() {
        let persons = case(&["Jeanne DUPONT", "Léo DUPONT"]);
        assert_eq!(matches_any("Léo Paul DUPONT", &persons), Some(true));
        assert_eq!(matches_any("Paul DUPONT", &persons), Some(false));
        assert_eq!(matches_any("  — ", &persons), None);
        assert_eq!(matches_any("Mme", &persons), None, "a title alone names nobody");
        assert_eq!(matches_any("Jeanne DUPONT", &[]), None);
    }

    #[test]
    fn long_names_compare_without_blowing_up() {
        let long = vec!["a"; 100].join(" ");
        assert!(same_person(&long, &long));
        assert!(!same_person(&long, "Jean DUPONT"));
        // The most tries the word-by-word search can need: initials everywhere, and no full word.
        let initials = ["J"; MAX_WORDS].join(" ");
        let words = ["Jean"; MAX_WORDS].join(" ");
        assert!(!same_person(&initials, &words));
    }

    /// A name word: letters (some accented), never a word the comparison reads as structure.
    fn word(letters: &'static str) -> impl Strategy<Value = String> {
        proptest::string::string_regex(letters).unwrap().prop_filter("not a reserved word", |w| {
            let f: String = words(w).into_iter().map(|w| w.folded).collect();
            !is_reserved(&f) && f.chars().count() >= 2
        })
    }

    fn accents_off(s: &str) -> String {
        let mut out = String::new();
        s.chars().for_each(|c| fold_char(c, &mut out));
        out
    }

    /// Writes a word another way: capitals, lower case, title case, accents dropped.
    fn restyle(w: &str, how: u8) -> String {
        let w = if how & 4 != 0 { accents_off(w) } else { w.to_string() };
        match how & 3 {
            0 => w.to_uppercase(),
            1 => w.to_lowercase(),
            2 => {
                let mut c = w.chars();
                c.next().map(|f| f.to_uppercase().chain(c.flat_map(char::to_lowercase)).collect()).unwrap_or_default()
            }
            _ => w,
        }
    }

    // Three alphabets that share no letter, even with accents folded: words drawn from different
    // ones never compare equal.
    const GIVEN: &str = "[a-hA-HéèàçÉ]{2,9}";
    const SURNAME: &str = "[i-qI-QîïôÎ]{2,9}";
    const OTHER: &str = "[r-zR-ZûùüÛ]{2,9}";

    proptest! {
        #[test]
        fn the_same_name_written_another_way_always_matches(
            given in proptest::collection::vec(word(GIVEN), 1..4),
            surname in proptest::collection::vec(word(SURNAME), 1..3),
            styles in proptest::collection::vec(0u8..8, 5),
            order in proptest::collection::vec(any::<u32>(), 5),
            hyphens in any::<bool>(),
            title in any::<bool>(),
        ) {
            let printed = format!("{} {}", given.join(" "), surname.join(" ").to_uppercase());
            let mut ws: Vec<(u32, String)> =
                given.iter().chain(surname.iter()).enumerate().map(|(i, w)| (order[i], restyle(w, styles[i]))).collect();
            ws.sort();
            let mut other = ws.into_iter().map(|(_, w)| w).collect::<Vec<_>>().join(if hyphens { "-" } else { " " });
            if title { other = format!("Mme {other}"); }
            prop_assert!(same_person(&printed, &other), "{} / {}", printed, other);
            prop_assert!(same_person(&other, &printed), "{} / {}", other, printed);
        }

        #[test]
        fn fewer_given_names_still_match(
            given in proptest::collection::vec(word(GIVEN), 2..5),
            surname in word(SURNAME),
            keep in proptest::collection::vec(any::<bool>(), 4),
        ) {
            let mut some: Vec<&str> = given.iter().zip(&keep).filter(|(_, k)| **k).map(|(g, _)| g.as_str()).collect();
            if some.is_empty() { some.push(&given[0]); }
            let full = format!("{} {}", given.join(" "), surname.to_uppercase());
            let short = format!("{} {}", some.join(" "), surname);
            prop_assert!(same_person(&full, &short), "{} / {}", full, short);
        }

        #[test]
        fn birth_and_married_names_match_either_form(
            given in word(GIVEN),
            birth in word(SURNAME),
            married in word(OTHER),
            extra in word(GIVEN),
        ) {
            let case_name = format!("{given} {} épouse {}", birth.to_uppercase(), married.to_uppercase());
            for printed in [
                format!("{given} {married}"),
                format!("{given} {birth}"),
                format!("{given} {extra} {}", married.to_uppercase()),
                format!("{} née {} {given}", married.to_uppercase(), birth.to_uppercase()),
            ] {
                prop_assert!(same_person(&case_name, &printed), "{} / {}", case_name, printed);
            }
        }

        #[test]
        fn another_surname_or_another_given_name_never_matches(
            given in proptest::collection::vec(word(GIVEN), 1..4),
            surname in proptest::collection::vec(word(SURNAME), 1..3),
            other in proptest::collection::vec(word(OTHER), 1..3),
        ) {
            let person = format!("{} {}", given.join(" "), surname.join(" "));
            let other_surname = format!("{} {}", given.join(" "), other.join(" "));
            let other_given = format!("{} {}", other.join(" "), surname.join(" "));
            prop_assert!(!same_person(&person, &other_surname), "{} / {}", person, other_surname);
            prop_assert!(!same_person(&person, &other_given), "{} / {}", person, other_given);
            prop_assert!(!same_person(&given.join(" "), &other.join(" ")));
        }

        #[test]
        fn matching_is_symmetric(a in "[A-Za-zéÉ' -]{0,30}", b in "[A-Za-zéÉ' -]{0,30}") {
            prop_assert_eq!(same_person(&a, &b), same_person(&b, &a));
        }
    }
}
