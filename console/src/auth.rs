//! Who may use the console: users from a file with argon2 password hashes (or a login vouched for
//! by a trusted reverse proxy), server-side sessions behind an opaque cookie, roles, and the CSRF
//! token every state-changing request must carry.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand_core::{OsRng, RngCore};
use serde::Deserialize;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use subtle::ConstantTimeEq;

/// What a user may do; each role includes the ones before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Sees the dashboard only (no personal data).
    Viewer,
    /// Also reviews documents (sees their content) and decides.
    Reviewer,
    /// Everything a reviewer does; reserved for operations to come.
    Admin,
}

impl Role {
    /// The role as written in the users file.
    pub fn as_str(&self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Reviewer => "reviewer",
            Role::Admin => "admin",
        }
    }
}

/// One configured user.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct User {
    pub name: String,
    pub role: Role,
    /// Argon2 PHC string; absent for users who only sign in through the trusted proxy.
    #[serde(default)]
    pub password_hash: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UsersFile {
    #[serde(default)]
    users: Vec<User>,
}

/// A users file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum UsersError {
    #[error("cannot read the console users file {path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("the console users file {path} is not valid: {message}")]
    Invalid { path: String, message: String },
}

/// The configured users, by name.
#[derive(Clone, Debug, Default)]
pub struct Users(HashMap<String, User>);

impl Users {
    /// Reads and checks a users file: unique names, parseable argon2 hashes.
    pub fn from_path(path: &Path) -> Result<Users, UsersError> {
        let p = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| UsersError::Io { path: p.clone(), source })?;
        Users::from_toml(&text).map_err(|message| UsersError::Invalid { path: p, message })
    }

    /// Parses the TOML text of a users file.
    pub fn from_toml(text: &str) -> Result<Users, String> {
        let f: UsersFile = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut map = HashMap::new();
        for u in f.users {
            if u.name.trim().is_empty() {
                return Err("a user has an empty name".into());
            }
            if let Some(h) = &u.password_hash {
                PasswordHash::new(h)
                    .map_err(|e| format!("user {}: password_hash is not an argon2 hash ({e})", u.name))?;
            }
            if map.insert(u.name.clone(), u.clone()).is_some() {
                return Err(format!("user {} appears twice", u.name));
            }
        }
        Ok(Users(map))
    }

    /// The user if the password matches its hash. Unknown users cost a hash too, so timing does
    /// not reveal which logins exist.
    pub fn verify(&self, name: &str, password: &str) -> Option<&User> {
        static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        let dummy = DUMMY.get_or_init(|| hash_password("not a password").unwrap_or_default());
        let user = self.0.get(name);
        let hash = user.and_then(|u| u.password_hash.as_deref()).unwrap_or(dummy);
        let ok = PasswordHash::new(hash)
            .map(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
            .unwrap_or(false);
        user.filter(|u| ok && u.password_hash.is_some())
    }

    /// A configured user by name (for identities from the trusted proxy).
    pub fn get(&self, name: &str) -> Option<&User> {
        self.0.get(name)
    }
}

/// The argon2id PHC string of a password, for the users file.
pub fn hash_password(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| e.to_string())
}

/// A random token (session id, CSRF token): 256 bits, hex.
pub fn token() -> String {
    let mut b = [0u8; 32];
    OsRng.fill_bytes(&mut b);
    hex::encode(b)
}

/// Compares secrets in constant time.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// A signed-in user's session.
#[derive(Clone, Debug)]
pub struct Session {
    pub user: String,
    pub role: Role,
    /// Must come back with every state-changing request (form field `csrf` or header `X-CSRF-Token`).
    pub csrf: String,
    last_seen: Instant,
}

/// Sessions kept in memory: a restart signs everyone out, which is acceptable for a back office
/// and keeps no credentials on disk.
pub struct Sessions {
    map: Mutex<HashMap<String, Session>>,
    ttl: Duration,
}

impl Sessions {
    /// Sessions expiring after `ttl` without activity.
    pub fn new(ttl: Duration) -> Sessions {
        Sessions { map: Mutex::new(HashMap::new()), ttl }
    }

    /// Opens a session; returns its id (the cookie's value).
    pub fn open(&self, user: &User) -> String {
        let id = token();
        let s = Session { user: user.name.clone(), role: user.role, csrf: token(), last_seen: Instant::now() };
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        map.retain(|_, s| s.last_seen.elapsed() < self.ttl);
        map.insert(id.clone(), s);
        id
    }

    /// The live session of a cookie value, refreshed.
    pub fn get(&self, id: &str) -> Option<Session> {
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        let s = map.get_mut(id)?;
        if s.last_seen.elapsed() >= self.ttl {
            map.remove(id);
            return None;
        }
        s.last_seen = Instant::now();
        Some(s.clone())
    }

    /// Ends a session.
    pub fn close(&self, id: &str) {
        self.map.lock().unwrap_or_else(|e| e.into_inner()).remove(id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_against_their_hash_only() {
        let h = hash_password("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$"));
        let users =
            Users::from_toml(&format!("[[users]]\nname = \"ana\"\nrole = \"reviewer\"\npassword_hash = \"{h}\"\n"))
                .unwrap();
        assert_eq!(users.verify("ana", "correct horse").map(|u| u.role), Some(Role::Reviewer));
        assert!(users.verify("ana", "wrong").is_none());
        assert!(users.verify("bob", "correct horse").is_none());
    }

    #[test]
    fn bad_users_files_are_refused() {
        assert!(Users::from_toml("[[users]]\nname = \"a\"\nrole = \"boss\"\n").is_err());
        assert!(Users::from_toml("[[users]]\nname = \"a\"\nrole = \"viewer\"\npassword_hash = \"plain\"\n").is_err());
        assert!(Users::from_toml(
            "[[users]]\nname = \"a\"\nrole = \"viewer\"\n[[users]]\nname = \"a\"\nrole = \"admin\"\n"
        )
        .is_err());
    }

    #[test]
    fn sessions_expire_and_close() {
        let u = User { name: "v".into(), role: Role::Viewer, password_hash: None };
        let s = Sessions::new(Duration::from_secs(60));
        let id = s.open(&u);
        assert_eq!(s.get(&id).unwrap().role, Role::Viewer);
        s.close(&id);
        assert!(s.get(&id).is_none());
        let s = Sessions::new(Duration::ZERO);
        let id = s.open(&u);
        assert!(s.get(&id).is_none(), "an expired session is gone");
        assert!(same_secret("abc", "abc") && !same_secret("abc", "abd") && !same_secret("abc", "ab"));
    }
}
