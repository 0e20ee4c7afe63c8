//! The trust list (which certificates may sign 2D-Docs) and ECDSA verification of a parsed 2D-Doc.

use crate::parse::TwoDDoc;
use der::{Decode, DecodePem, Encode};
use ecdsa::signature::hazmat::PrehashVerifier;
use ecdsa::signature::Verifier;
use serde::Deserialize;
use sha2::{Digest, Sha256, Sha384, Sha512};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use thiserror::Error;
use time::{Date, OffsetDateTime};
use x509_cert::spki::ObjectIdentifier;
use x509_cert::Certificate;

/// The environment variable naming the trust-list JSON file.
pub const TRUST_LIST_ENV: &str = "TAMIS_2DDOC_TRUST_LIST";

const P256_OID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const P384_OID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
const P521_OID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.35");
const ECDSA_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
const ECDSA_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.3");
const ECDSA_SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.4");

/// Why a trust list could not be loaded.
#[derive(Debug, Error)]
pub enum TrustError {
    #[error("cannot read {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("trust list is not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("unsupported trust list format {0:?}")]
    Format(String),
    #[error("certificate {file} is not a valid PEM/DER X.509 certificate: {reason}")]
    Certificate { file: String, reason: String },
    #[error("certificate {file} does not match the sha256 the trust list gives")]
    Digest { file: String },
    #[error("certificate {file} uses an unsupported key (only EC P-256/384/521)")]
    UnsupportedKey { file: String },
}

/// What verifying a 2D-Doc concluded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Signed by a trusted certificate valid at the signature date; the content is genuine.
    Verified,
    /// The certificate is trusted but the signature does not match the content.
    SignatureInvalid,
    /// No trusted certificate for the header's (CA id, certificate id).
    UnknownCertificate,
    /// The certificate was not valid at the header's signature date (or the date is absent).
    CertificateNotValidAtDate,
    /// No trust list is configured, so nothing can be verified.
    NoTrustList,
}

/// An EC public key on one of the curves 2D-Doc uses.
#[derive(Clone)]
enum PublicKey {
    P256(p256::ecdsa::VerifyingKey),
    P384(p384::ecdsa::VerifyingKey),
    P521(p521::ecdsa::VerifyingKey),
}

// Manual: p521's key type has no Debug, and the curve is all a log needs.
impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            PublicKey::P256(_) => "P-256",
            PublicKey::P384(_) => "P-384",
            PublicKey::P521(_) => "P-521",
        })
    }
}

impl PublicKey {
    fn from_certificate(cert: &Certificate, file: &str) -> Result<Self, TrustError> {
        let spki = &cert.tbs_certificate.subject_public_key_info;
        let curve = spki.algorithm.parameters.as_ref().and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
        let bytes = spki.subject_public_key.raw_bytes();
        let bad = || TrustError::UnsupportedKey { file: file.to_string() };
        Ok(match curve {
            Some(P256_OID) => PublicKey::P256(p256::ecdsa::VerifyingKey::from_sec1_bytes(bytes).map_err(|_| bad())?),
            Some(P384_OID) => PublicKey::P384(p384::ecdsa::VerifyingKey::from_sec1_bytes(bytes).map_err(|_| bad())?),
            Some(P521_OID) => PublicKey::P521(p521::ecdsa::VerifyingKey::from_sec1_bytes(bytes).map_err(|_| bad())?),
            _ => return Err(bad()),
        })
    }

    /// 2D-Doc signature: raw r||s, hash implied by the curve (SHA-256/384/512).
    fn verify_raw(&self, msg: &[u8], sig: &[u8]) -> bool {
        match self {
            PublicKey::P256(k) => p256::ecdsa::Signature::from_slice(sig).is_ok_and(|s| k.verify(msg, &s).is_ok()),
            PublicKey::P384(k) => p384::ecdsa::Signature::from_slice(sig).is_ok_and(|s| k.verify(msg, &s).is_ok()),
            PublicKey::P521(k) => p521::ecdsa::Signature::from_slice(sig).is_ok_and(|s| k.verify(msg, &s).is_ok()),
        }
    }

    /// X.509 signature: DER-encoded, hash named by the certificate's algorithm.
    fn verify_der_prehash(&self, digest: &[u8], sig: &[u8]) -> bool {
        match self {
            PublicKey::P256(k) => {
                p256::ecdsa::Signature::from_der(sig).is_ok_and(|s| k.verify_prehash(digest, &s).is_ok())
            }
            PublicKey::P384(k) => {
                p384::ecdsa::Signature::from_der(sig).is_ok_and(|s| k.verify_prehash(digest, &s).is_ok())
            }
            PublicKey::P521(k) => {
                p521::ecdsa::Signature::from_der(sig).is_ok_and(|s| k.verify_prehash(digest, &s).is_ok())
            }
        }
    }
}

/// A signer certificate accepted into the trust list.
#[derive(Clone, Debug)]
struct Trusted {
    key: PublicKey,
    not_before: Date,
    not_after: Date,
}

/// The certificates allowed to sign 2D-Docs, keyed by (CA id, certificate id).
#[derive(Clone, Debug, Default)]
pub struct TrustList {
    certs: HashMap<(String, String), Trusted>,
    /// Entries refused at load (not issued by their CA, bad key...), kept for the operator.
    rejected: Vec<String>,
}

#[derive(Deserialize)]
struct FileList {
    format: String,
    #[serde(default)]
    authorities: Vec<FileAuthority>,
    #[serde(default)]
    certificates: Vec<FileCert>,
}

#[derive(Deserialize)]
struct FileAuthority {
    ca_id: String,
    certificate: String,
}

#[derive(Deserialize)]
struct FileCert {
    ca_id: String,
    cert_id: String,
    certificate: String,
    #[serde(default)]
    sha256: Option<String>,
}

fn load_cert(dir: &Path, file: &str, sha256: Option<&str>) -> Result<Certificate, TrustError> {
    let path = dir.join(file);
    let bytes = std::fs::read(&path).map_err(|source| TrustError::Io { path: path.clone(), source })?;
    let bad = |e: der::Error| TrustError::Certificate { file: file.to_string(), reason: e.to_string() };
    let cert = if bytes.starts_with(b"-----") {
        Certificate::from_pem(&bytes).map_err(bad)?
    } else {
        Certificate::from_der(&bytes).map_err(bad)?
    };
    if let Some(want) = sha256 {
        let der = cert.to_der().map_err(bad)?;
        let got: String = Sha256::digest(&der).iter().map(|b| format!("{b:02x}")).collect();
        if !got.eq_ignore_ascii_case(want.trim()) {
            return Err(TrustError::Digest { file: file.to_string() });
        }
    }
    Ok(cert)
}

fn date_of(t: &x509_cert::time::Time) -> Option<Date> {
    let secs = i64::try_from(t.to_unix_duration().as_secs()).ok()?;
    OffsetDateTime::from_unix_timestamp(secs).ok().map(|d| d.date())
}

/// The common name (CN) in a distinguished name, if any.
fn common_name(name: &x509_cert::name::Name) -> Option<String> {
    let cn = ObjectIdentifier::new_unwrap("2.5.4.3");
    name.0.iter().flat_map(|rdn| rdn.0.iter()).find(|atv| atv.oid == cn).and_then(|atv| {
        atv.value
            .decode_as::<der::asn1::Utf8StringRef<'_>>()
            .map(|s| s.as_str().to_string())
            .or_else(|_| atv.value.decode_as::<der::asn1::PrintableStringRef<'_>>().map(|s| s.as_str().to_string()))
            .ok()
    })
}

/// Checks that `cert` was issued and signed by `ca`.
fn issued_by(cert: &Certificate, ca: &Certificate, ca_key: &PublicKey) -> bool {
    if cert.tbs_certificate.issuer != ca.tbs_certificate.subject {
        return false;
    }
    let Ok(tbs) = cert.tbs_certificate.to_der() else { return false };
    let digest: Vec<u8> = match cert.signature_algorithm.oid {
        ECDSA_SHA256 => Sha256::digest(&tbs).to_vec(),
        ECDSA_SHA384 => Sha384::digest(&tbs).to_vec(),
        ECDSA_SHA512 => Sha512::digest(&tbs).to_vec(),
        _ => return false,
    };
    ca_key.verify_der_prehash(&digest, cert.signature.raw_bytes())
}

impl TrustList {
    /// Loads the list named by `TAMIS_2DDOC_TRUST_LIST`; None when unset or unreadable (logged).
    pub fn from_env() -> Option<TrustList> {
        match Self::try_from_env() {
            Ok(list) => list,
            Err(e) => {
                tracing::error!(error = %e, "2D-Doc trust list not loaded: signatures will not be verified");
                None
            }
        }
    }

    /// Like `from_env`, but reports a load failure instead of logging it (for start-up checks).
    pub fn try_from_env() -> Result<Option<TrustList>, TrustError> {
        match std::env::var_os(TRUST_LIST_ENV) {
            Some(p) if !p.is_empty() => Self::from_path(Path::new(&p)).map(Some),
            _ => Ok(None),
        }
    }

    /// Loads a trust list JSON file (format `tamis-2ddoc-trust-list/1`); certificate paths are relative to it.
    pub fn from_path(path: &Path) -> Result<TrustList, TrustError> {
        let text =
            std::fs::read_to_string(path).map_err(|source| TrustError::Io { path: path.to_path_buf(), source })?;
        let list: FileList = serde_json::from_str(&text)?;
        if list.format != "tamis-2ddoc-trust-list/1" {
            return Err(TrustError::Format(list.format));
        }
        let dir = path.parent().unwrap_or(Path::new("."));
        let mut cas = HashMap::new();
        for a in &list.authorities {
            let cert = load_cert(dir, &a.certificate, None)?;
            let key = PublicKey::from_certificate(&cert, &a.certificate)?;
            cas.insert(a.ca_id.clone(), (cert, key));
        }
        let mut out = TrustList::default();
        for c in &list.certificates {
            let cert = load_cert(dir, &c.certificate, c.sha256.as_deref())?;
            let label = format!("{}/{}", c.ca_id, c.cert_id);
            // A signer certificate counts only if its own CA (by ca_id) signed it and its names
            // agree with the key it is filed under: a misfiled or foreign certificate must not verify.
            let Some((ca, ca_key)) = cas.get(&c.ca_id) else {
                out.rejected.push(format!("{label}: no authority {} in the list", c.ca_id));
                continue;
            };
            if !issued_by(&cert, ca, ca_key) {
                out.rejected.push(format!("{label}: not issued by its authority"));
                continue;
            }
            if common_name(&cert.tbs_certificate.subject).is_some_and(|cn| cn != c.cert_id) {
                out.rejected.push(format!("{label}: subject CN differs from the certificate id"));
                continue;
            }
            let key = match PublicKey::from_certificate(&cert, &c.certificate) {
                Ok(k) => k,
                Err(e) => {
                    out.rejected.push(format!("{label}: {e}"));
                    continue;
                }
            };
            let v = &cert.tbs_certificate.validity;
            let (Some(not_before), Some(not_after)) = (date_of(&v.not_before), date_of(&v.not_after)) else {
                out.rejected.push(format!("{label}: unreadable validity"));
                continue;
            };
            out.certs.insert((c.ca_id.clone(), c.cert_id.clone()), Trusted { key, not_before, not_after });
        }
        for r in &out.rejected {
            tracing::warn!(entry = %r, "2D-Doc trust list entry refused");
        }
        Ok(out)
    }

    /// How many signer certificates are trusted.
    pub fn len(&self) -> usize {
        self.certs.len()
    }

    /// True when no signer certificate is trusted.
    pub fn is_empty(&self) -> bool {
        self.certs.is_empty()
    }

    /// Entries refused at load, with the reason (no personal data: ids and reasons only).
    pub fn rejected(&self) -> &[String] {
        &self.rejected
    }

    /// Verifies a parsed 2D-Doc against this list.
    pub fn verify(&self, doc: &TwoDDoc) -> Outcome {
        let key = (doc.header.ca_id.clone(), doc.header.cert_id.clone());
        let Some(t) = self.certs.get(&key) else { return Outcome::UnknownCertificate };
        match doc.header.signature_date {
            Some(d) if d >= t.not_before && d <= t.not_after => {}
            _ => return Outcome::CertificateNotValidAtDate,
        }
        if t.key.verify_raw(&doc.signed_bytes, &doc.signature) {
            Outcome::Verified
        } else {
            Outcome::SignatureInvalid
        }
    }
}

/// Verifies against an optional list: no list means `NoTrustList`.
pub fn verify(doc: &TwoDDoc, trust: Option<&TrustList>) -> Outcome {
    trust.map_or(Outcome::NoTrustList, |t| t.verify(doc))
}
