//! The API's clients and their bearer tokens: a TOML file of `[[clients]]` with a `name` and the
//! hex SHA-256 of the client's token, read and checked at start-up. Only the hash is kept, so the
//! file is no secret; a presented token is hashed and compared in constant time with every
//! client's hash (no early exit), so timing tells nothing about which client nearly matched.

use sha2::{Digest, Sha256};
use std::path::Path;
use subtle::ConstantTimeEq;

/// A client that may call the API; the name is recorded with each document it submits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Client {
    pub name: String,
    token_sha256: [u8; 32],
}

/// Every client of the clients file.
#[derive(Clone, Debug)]
pub struct Clients(Vec<Client>);

/// A clients file that cannot be used; the API does not start.
#[derive(Debug, thiserror::Error)]
pub enum ClientsError {
    #[error("cannot read the API clients file {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("the API clients file {path} is not valid TOML of [[clients]] with name and token_sha256: {message}")]
    Parse { path: String, message: String },
    #[error("the API clients file {path}: client #{index} {message}")]
    Invalid { path: String, index: usize, message: String },
    #[error("the API clients file {path} lists no client: add a [[clients]] entry with name and token_sha256")]
    Empty { path: String },
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    clients: Vec<Entry>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    name: String,
    token_sha256: String,
}

impl Clients {
    /// Reads and checks the clients file.
    pub fn load(path: &Path) -> Result<Clients, ClientsError> {
        let shown = path.display().to_string();
        let text =
            std::fs::read_to_string(path).map_err(|source| ClientsError::Read { path: shown.clone(), source })?;
        Self::parse(&text, &shown)
    }

    /// Parses and checks a clients file's text; `path` names it in errors. A parser's message may
    /// quote the file, which holds only names and hashes: no personal data, no secret.
    pub fn parse(text: &str, path: &str) -> Result<Clients, ClientsError> {
        let file: File =
            toml::from_str(text).map_err(|e| ClientsError::Parse { path: path.into(), message: e.message().into() })?;
        let mut out: Vec<Client> = Vec::new();
        for (i, e) in file.clients.into_iter().enumerate() {
            let invalid =
                |message: &str| ClientsError::Invalid { path: path.into(), index: i + 1, message: message.into() };
            let name_ok = !e.name.is_empty()
                && e.name.len() <= 64
                && e.name.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
            if !name_ok {
                return Err(invalid("has a name that is not 1 to 64 letters, digits, '-', '_' or '.'"));
            }
            let mut hash = [0u8; 32];
            if e.token_sha256.len() != 64
                || hex::decode_to_slice(e.token_sha256.to_ascii_lowercase(), &mut hash).is_err()
            {
                return Err(invalid(
                    "has a token_sha256 that is not 64 hex digits (the SHA-256 of the token, e.g. `printf %s TOKEN | sha256sum`)",
                ));
            }
            if out.iter().any(|c| c.name == e.name) {
                return Err(invalid("repeats the name of an earlier client"));
            }
            if out.iter().any(|c| c.token_sha256 == hash) {
                return Err(invalid("has the same token as an earlier client: give each client its own"));
            }
            out.push(Client { name: e.name, token_sha256: hash });
        }
        if out.is_empty() {
            return Err(ClientsError::Empty { path: path.into() });
        }
        Ok(Clients(out))
    }

    /// The client whose token this is, if any.
    pub fn authenticate(&self, token: &str) -> Option<&Client> {
        let presented: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        let mut found = None;
        // Every hash is compared, whatever matched before.
        for c in &self.0 {
            if bool::from(c.token_sha256.ct_eq(&presented)) {
                found = Some(c);
            }
        }
        found
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hash(token: &str) -> String {
        hex::encode(Sha256::digest(token.as_bytes()))
    }

    #[test]
    fn tokens_find_their_client() {
        let text = format!(
            "[[clients]]\nname = \"caf\"\ntoken_sha256 = \"{}\"\n[[clients]]\nname = \"msa\"\ntoken_sha256 = \"{}\"\n",
            hash("t-caf"),
            hash("t-msa").to_uppercase()
        );
        let clients = Clients::parse(&text, "clients.toml").unwrap();
        assert_eq!(clients.len(), 2);
        assert_eq!(clients.authenticate("t-caf").unwrap().name, "caf");
        assert_eq!(clients.authenticate("t-msa").unwrap().name, "msa");
        assert!(clients.authenticate("t-cafe").is_none());
        assert!(clients.authenticate("").is_none());
        assert!(clients.authenticate(&hash("t-caf")).is_none(), "the hash is not the token");
    }

    #[test]
    fn bad_files_are_refused_with_the_reason() {
        let one = |name: &str, h: &str| format!("[[clients]]\nname = \"{name}\"\ntoken_sha256 = \"{h}\"\n");
        let err = |t: &str| Clients::parse(t, "c.toml").unwrap_err().to_string();
        assert!(err("").contains("no client"));
        assert!(err(&one("caf", "abc")).contains("64 hex digits"));
        assert!(err(&one("caf", &"z".repeat(64))).contains("64 hex digits"));
        assert!(err(&one("c a f", &hash("x"))).contains("name"));
        assert!(err(&(one("caf", &hash("x")) + &one("caf", &hash("y")))).contains("repeats the name"));
        assert!(err(&(one("caf", &hash("x")) + &one("msa", &hash("x")))).contains("same token"));
        assert!(err("[[clients]]\nname = \"caf\"\ntoken = \"plain\"\n").contains("not valid TOML"));
    }
}
