//! The document taxonomy: types, the vocabulary that identifies them and the labels of their
//! fields. It lives in `config/taxonomy.toml` (embedded as the default) so that a back office can
//! add a type or a synonym without recompiling.

use serde::Deserialize;
use std::path::Path;

/// The default taxonomy, compiled in.
pub const DEFAULT_TOML: &str = include_str!("../../config/taxonomy.toml");

/// What a field's value looks like, which decides how it is parsed, normalised and checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    /// Free text, trimmed and single-spaced.
    #[default]
    Text,
    /// A person's name, title removed.
    Person,
    /// A company, bank or school name.
    Organisation,
    /// A postal address, lines joined with `, `.
    Address,
    /// An amount, `1234.56`.
    Amount,
    /// A date, ISO.
    Date,
    /// A month, `YYYY-MM`.
    Period,
    /// A year, as printed.
    Year,
    /// A school year `2025-2026`.
    SchoolYear,
    /// A decimal like household shares.
    Decimal,
    /// French social-security number.
    Nir,
    /// 14-digit SIRET.
    Siret,
    /// IBAN.
    Iban,
    /// BIC.
    Bic,
    /// 13-digit numéro fiscal.
    TaxNumber,
    /// 13-character avis reference.
    NoticeReference,
    /// An alphanumeric reference (customer number, document number).
    Reference,
    /// `F` / `M`.
    Sex,
    /// ISO alpha-3 from a nationality adjective.
    Nationality,
    /// CDI, CDD, APPRENTISSAGE, INTERIM.
    ContractType,
}

/// One field of a type and the labels that announce it.
#[derive(Clone, Debug, Deserialize)]
pub struct FieldDef {
    /// The field's name in predictions.
    pub name: String,
    /// Its name for people, in French (the review console's labels). Required.
    #[serde(default)]
    pub display_fr: String,
    /// Its name for people, in English. Required.
    #[serde(default)]
    pub display_en: String,
    /// How the value is parsed.
    #[serde(default)]
    pub kind: FieldKind,
    /// Label synonyms, matched accent- and case-insensitively.
    #[serde(default)]
    pub labels: Vec<String>,
    /// A label line containing one of these is not this field (e.g. "avant impôt" for net pay).
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Whether routing needs it to accept automatically.
    #[serde(default = "yes")]
    pub required: bool,
}

fn yes() -> bool {
    true
}

/// One document type.
#[derive(Clone, Debug, Deserialize)]
pub struct TypeDef {
    /// snake_case name.
    pub name: String,
    /// Its name for people, in French (the review console shows it). Required.
    #[serde(default)]
    pub display_fr: String,
    /// Its name for people, in English. Required.
    #[serde(default)]
    pub display_en: String,
    /// Titles: strong evidence (the heading of the document).
    #[serde(default)]
    pub titles: Vec<String>,
    /// Vocabulary: weaker evidence, each distinct hit counts once.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Words that argue against the type.
    #[serde(default)]
    pub negative: Vec<String>,
    /// Its fields.
    #[serde(default)]
    pub fields: Vec<FieldDef>,
}

/// The whole taxonomy.
#[derive(Clone, Debug, Deserialize)]
pub struct Taxonomy {
    /// The types, built-in and custom.
    #[serde(rename = "type", default)]
    pub types: Vec<TypeDef>,
}

/// Why a taxonomy file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum TaxonomyError {
    /// The file could not be read.
    #[error("cannot read taxonomy file: {0}")]
    Io(#[from] std::io::Error),
    /// The TOML is malformed or does not match the schema.
    #[error("invalid taxonomy: {0}")]
    Toml(#[from] toml::de::Error),
    /// A type name is unusable.
    #[error("invalid taxonomy: type name {0:?} is not snake_case")]
    Name(String),
    /// A type or field has no French or no English display name, so the console would show
    /// people its code name.
    #[error("invalid taxonomy: {what} has no {key}; give every type and field display_fr and display_en")]
    Display {
        /// `type payslip` or `field payslip.net_pay`.
        what: String,
        /// `display_fr` or `display_en`.
        key: &'static str,
    },
}

impl Taxonomy {
    /// Parses a taxonomy from TOML text.
    pub fn from_toml_str(s: &str) -> Result<Taxonomy, TaxonomyError> {
        let t: Taxonomy = toml::from_str(s)?;
        for ty in &t.types {
            if ty.name.parse::<crate::DocumentType>().is_err() {
                return Err(TaxonomyError::Name(ty.name.clone()));
            }
        }
        Ok(t)
    }

    /// Checks that every type and field has its French and English display names. Loading a
    /// file checks it (a process does not start with a type people would see by its code name);
    /// a fragment parsed with `from_toml_str` to extend another taxonomy in memory is not checked.
    pub fn check_display(&self) -> Result<(), TaxonomyError> {
        let missing = |fr: &str, en: &str| {
            [("display_fr", fr), ("display_en", en)].into_iter().find(|(_, v)| v.trim().is_empty()).map(|(k, _)| k)
        };
        for ty in &self.types {
            if let Some(key) = missing(&ty.display_fr, &ty.display_en) {
                return Err(TaxonomyError::Display { what: format!("type {}", ty.name), key });
            }
            for f in &ty.fields {
                if let Some(key) = missing(&f.display_fr, &f.display_en) {
                    return Err(TaxonomyError::Display { what: format!("field {}.{}", ty.name, f.name), key });
                }
            }
        }
        Ok(())
    }

    /// Reads a taxonomy file (to override the default), display names checked.
    pub fn from_path(p: &Path) -> Result<Taxonomy, TaxonomyError> {
        let t = Taxonomy::from_toml_str(&std::fs::read_to_string(p)?)?;
        t.check_display()?;
        Ok(t)
    }

    /// The compiled-in default.
    pub fn builtin() -> Taxonomy {
        // The embedded file is tested below, so this cannot fail at run time.
        Taxonomy::from_toml_str(DEFAULT_TOML).unwrap_or(Taxonomy { types: vec![] })
    }

    /// The default, extended by `TAMIS_TAXONOMY` when that variable names a file.
    pub fn from_env_or_builtin() -> Result<Taxonomy, TaxonomyError> {
        match std::env::var_os("TAMIS_TAXONOMY") {
            Some(p) => Taxonomy::from_path(Path::new(&p)),
            None => Ok(Taxonomy::builtin()),
        }
    }

    /// The definition of a type by name.
    pub fn get(&self, name: &str) -> Option<&TypeDef> {
        self.types.iter().find(|t| t.name == name)
    }

    /// The definition of field `field` of type `doc_type`.
    pub fn field(&self, doc_type: &str, field: &str) -> Option<&FieldDef> {
        self.get(doc_type).and_then(|t| t.fields.iter().find(|f| f.name == field))
    }
}

/// Folds text for matching: lower case, accents removed, anything but letters and digits turned
/// into single spaces.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = true;
    for c in s.chars() {
        let base = strip_accent(c);
        for l in base.to_lowercase() {
            if l.is_alphanumeric() {
                out.push(l);
                space = false;
            } else if !space {
                out.push(' ');
                space = true;
            }
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// The base letter of a Latin accented letter (French needs no more).
pub fn strip_accent(c: char) -> char {
    match c {
        'à' | 'â' | 'ä' | 'á' | 'ã' | 'å' => 'a',
        'À' | 'Â' | 'Ä' | 'Á' | 'Ã' | 'Å' => 'A',
        'ç' => 'c',
        'Ç' => 'C',
        'é' | 'è' | 'ê' | 'ë' => 'e',
        'É' | 'È' | 'Ê' | 'Ë' => 'E',
        'î' | 'ï' | 'í' | 'ì' => 'i',
        'Î' | 'Ï' | 'Í' | 'Ì' => 'I',
        'ô' | 'ö' | 'ó' | 'ò' | 'õ' => 'o',
        'Ô' | 'Ö' | 'Ó' | 'Ò' | 'Õ' => 'O',
        'ù' | 'û' | 'ü' | 'ú' => 'u',
        'Ù' | 'Û' | 'Ü' | 'Ú' => 'U',
        'ÿ' => 'y',
        'Ÿ' => 'Y',
        'ñ' => 'n',
        'Ñ' => 'N',
        'œ' => 'o',
        'Œ' => 'O',
        _ => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn builtin_parses_and_has_the_eleven_types() {
        let t = Taxonomy::from_toml_str(DEFAULT_TOML).unwrap();
        for name in [
            "payslip",
            "tax_notice",
            "bank_details",
            "id_card",
            "passport",
            "residence_permit",
            "rent_receipt",
            "energy_bill",
            "employer_certificate",
            "school_certificate",
            "sick_leave",
        ] {
            assert!(t.get(name).is_some(), "{name}");
        }
    }

    #[test]
    fn every_type_and_field_has_both_display_names_or_loading_fails() {
        let t = Taxonomy::from_toml_str(DEFAULT_TOML).unwrap();
        t.check_display().unwrap();
        for ty in &t.types {
            assert!(!ty.display_fr.is_empty() && !ty.display_en.is_empty(), "{}", ty.name);
            assert!(ty.fields.iter().all(|f| !f.display_fr.is_empty() && !f.display_en.is_empty()), "{}", ty.name);
        }
        assert_eq!(t.get("payslip").unwrap().display_fr, "Bulletin de paie");
        assert_eq!(t.field("payslip", "gross_pay").unwrap().display_fr, "Salaire brut");
        let no_en = "[[type]]\nname = \"payslip\"\ndisplay_fr = \"Bulletin de paie\"\n";
        let e = Taxonomy::from_toml_str(no_en).unwrap().check_display().unwrap_err().to_string();
        assert!(e.contains("type payslip has no display_en"), "{e}");
        let field_without = "[[type]]\nname = \"payslip\"\ndisplay_fr = \"B\"\ndisplay_en = \"P\"\n\
                             [[type.fields]]\nname = \"net_pay\"\ndisplay_en = \"Net pay\"\n";
        let e = Taxonomy::from_toml_str(field_without).unwrap().check_display().unwrap_err().to_string();
        assert!(e.contains("field payslip.net_pay has no display_fr"), "{e}");
    }

    #[test]
    fn fold_strips_accents_and_punctuation() {
        assert_eq!(fold("Net À PAYER :"), "net a payer");
        assert_eq!(fold("  N° d'immatriculation"), "n d immatriculation");
    }

    proptest! {
        #[test]
        fn fold_is_idempotent(s in "[a-zA-Z0-9 ,.:°'éèêàçôîÉÈÀÇ-]{0,40}") {
            let once = fold(&s);
            prop_assert_eq!(fold(&once), once);
        }
    }
}
