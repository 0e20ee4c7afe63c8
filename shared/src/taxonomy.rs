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

    /// Reads a taxonomy file (to override the default).
    pub fn from_path(p: &Path) -> Result<Taxonomy, TaxonomyError> {
        Taxonomy::from_toml_str(&std::fs::read_to_string(p)?)
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
