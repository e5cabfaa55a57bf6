//! Accounts, sessions and one-time codes: the hub's own event stream (`hub`) and the
//! state folded from it. Administrators, secretaries and chairs have accounts with
//! passwords; delegates, guests and projectors join by invitation links whose one-time
//! code is exchanged for a revocable session.
//!
//! **Invariant:** no secret is stored or logged: only the SHA-256 of tokens and codes,
//! and argon2 hashes of passwords.

use std::collections::HashMap;
use std::sync::LazyLock;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use quorum_domain::{Actor, MeetingId, MemberId, Timestamp, Viewer};
use serde::{Deserialize, Serialize};

use crate::token::SecretDigest;

/// The stream that holds [`HubEvent`]s.
pub const HUB_STREAM: &str = "hub";

/// What a code or a session lets its holder be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Grant {
    /// An account (administrator, secretary, chair).
    Account {
        /// The account's login.
        login: String,
    },
    /// A participant, by invitation: themself in every meeting they take part in.
    Member {
        /// The member.
        member: MemberId,
    },
    /// The hall projector of one meeting.
    Projector {
        /// The meeting.
        meeting: MeetingId,
    },
}

/// A change to the hub's accounts and sessions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum HubEvent {
    /// An account was created.
    AccountCreated {
        /// Its login.
        login: String,
        /// The person's name.
        name: String,
        /// Whether it administers the hub.
        admin: bool,
        /// The member it acts as in meetings, if any.
        member: Option<MemberId>,
    },
    /// An account's password was set (argon2id, PHC string).
    PasswordSet {
        /// The account.
        login: String,
        /// The hash.
        hash: String,
    },
    /// A one-time code was issued (an invitation or sign-in link).
    CodeIssued {
        /// The code's digest.
        code: SecretDigest,
        /// What it grants.
        grant: Grant,
        /// Until when it may be used.
        expires_at: Timestamp,
    },
    /// A one-time code was used.
    CodeRedeemed {
        /// The code's digest.
        code: SecretDigest,
    },
    /// A session was opened.
    SessionOpened {
        /// The token's digest.
        session: SecretDigest,
        /// What it grants.
        grant: Grant,
        /// Until when it is valid.
        expires_at: Timestamp,
    },
    /// A session was revoked.
    SessionRevoked {
        /// The token's digest.
        session: SecretDigest,
    },
}

/// An account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// Its login.
    pub login: String,
    /// The person's name.
    pub name: String,
    /// Whether it administers the hub.
    pub admin: bool,
    /// The member it acts as.
    pub member: Option<MemberId>,
    /// The password hash, once set.
    pub password: Option<String>,
}

#[derive(Debug, Clone)]
struct Code {
    grant: Grant,
    expires_at: Timestamp,
    redeemed: bool,
}

#[derive(Debug, Clone)]
struct Session {
    grant: Grant,
    expires_at: Timestamp,
}

/// Who a valid session belongs to, resolved for the gateway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The session's digest (to revoke it, and to find its connections).
    pub session: SecretDigest,
    /// What the session grants.
    pub grant: Grant,
    /// A name to show.
    pub name: String,
    /// Whether the holder administers the hub.
    pub admin: bool,
    /// The member the holder acts as.
    pub member: Option<MemberId>,
    /// When the session ends.
    pub expires_at: Timestamp,
}

impl Principal {
    /// Who acts when this principal sends a command; `None` for a projector.
    pub fn actor(&self) -> Option<Actor> {
        match (&self.member, self.admin) {
            (Some(member), _) => Some(Actor::Member {
                member: member.clone(),
            }),
            (None, true) => Some(Actor::Admin),
            (None, false) => None,
        }
    }

    /// How this principal sees `meeting`; `None` if it may not look at it at all.
    pub fn viewer(&self, meeting: &MeetingId) -> Option<Viewer> {
        match &self.grant {
            Grant::Projector { meeting: own } => (own == meeting).then_some(Viewer::Projector),
            Grant::Member { member } => Some(Viewer::Member {
                member: member.clone(),
            }),
            Grant::Account { .. } => match (&self.member, self.admin) {
                (_, true) => Some(Viewer::Admin),
                (Some(member), false) => Some(Viewer::Member {
                    member: member.clone(),
                }),
                (None, false) => None,
            },
        }
    }

    /// Whether this principal may create meetings: any account (administrators,
    /// secretaries, chairs), never an invitee or a projector.
    pub fn may_create_meetings(&self) -> bool {
        matches!(self.grant, Grant::Account { .. })
    }
}

/// Why a code, token or password was refused. Deliberately coarse: the holder learns
/// only that it did not work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AccessError {
    /// Unknown, malformed, expired, used or revoked.
    #[error("invalid or expired credentials")]
    Invalid,
}

/// The accounts, codes and sessions, folded from the `hub` stream.
#[derive(Debug, Default)]
pub struct AccessState {
    seq: u64,
    accounts: HashMap<String, Account>,
    codes: HashMap<SecretDigest, Code>,
    sessions: HashMap<SecretDigest, Session>,
}

impl AccessState {
    /// The sequence number of the last event applied.
    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// Applies the event numbered `seq`.
    pub fn apply(&mut self, seq: u64, event: &HubEvent) {
        self.seq = seq;
        match event {
            HubEvent::AccountCreated {
                login,
                name,
                admin,
                member,
            } => {
                self.accounts.insert(
                    login.clone(),
                    Account {
                        login: login.clone(),
                        name: name.clone(),
                        admin: *admin,
                        member: member.clone(),
                        password: None,
                    },
                );
            }
            HubEvent::PasswordSet { login, hash } => {
                if let Some(account) = self.accounts.get_mut(login) {
                    account.password = Some(hash.clone());
                }
            }
            HubEvent::CodeIssued {
                code,
                grant,
                expires_at,
            } => {
                self.codes.insert(
                    code.clone(),
                    Code {
                        grant: grant.clone(),
                        expires_at: *expires_at,
                        redeemed: false,
                    },
                );
            }
            HubEvent::CodeRedeemed { code } => {
                if let Some(code) = self.codes.get_mut(code) {
                    code.redeemed = true;
                }
            }
            HubEvent::SessionOpened {
                session,
                grant,
                expires_at,
            } => {
                self.sessions.insert(
                    session.clone(),
                    Session {
                        grant: grant.clone(),
                        expires_at: *expires_at,
                    },
                );
            }
            HubEvent::SessionRevoked { session } => {
                self.sessions.remove(session);
            }
        }
    }

    /// An account by login.
    pub fn account(&self, login: &str) -> Option<&Account> {
        self.accounts.get(login)
    }

    /// Every account.
    pub fn accounts(&self) -> impl Iterator<Item = &Account> {
        self.accounts.values()
    }

    /// What an unused, unexpired code grants.
    pub fn code(&self, code: &SecretDigest, now: Timestamp) -> Result<&Grant, AccessError> {
        match self.codes.get(code) {
            Some(code) if !code.redeemed && code.expires_at > now => Ok(&code.grant),
            _ => Err(AccessError::Invalid),
        }
    }

    /// The principal of a valid session.
    pub fn session(
        &self,
        session: &SecretDigest,
        now: Timestamp,
    ) -> Result<Principal, AccessError> {
        let found = self.sessions.get(session).ok_or(AccessError::Invalid)?;
        if found.expires_at <= now {
            return Err(AccessError::Invalid);
        }
        let (name, admin, member) = match &found.grant {
            Grant::Account { login } => {
                let account = self.accounts.get(login).ok_or(AccessError::Invalid)?;
                (account.name.clone(), account.admin, account.member.clone())
            }
            Grant::Member { member } => (member.as_str().to_owned(), false, Some(member.clone())),
            Grant::Projector { meeting } => (format!("Máy chiếu {meeting}"), false, None),
        };
        Ok(Principal {
            session: session.clone(),
            grant: found.grant.clone(),
            name,
            admin,
            member,
            expires_at: found.expires_at,
        })
    }

    /// Checks a password against an account; the same error whatever is wrong.
    pub fn check_password(&self, login: &str, password: &str) -> Result<&Account, AccessError> {
        let account = self.accounts.get(login);
        let hash = account.and_then(|account| account.password.as_deref());
        if !verify_password(hash, password) {
            return Err(AccessError::Invalid);
        }
        account.ok_or(AccessError::Invalid)
    }
}

/// Hashes a password with argon2id and a random salt.
pub fn hash_password(password: &str) -> Result<String, argon2::password_hash::Error> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|_| argon2::password_hash::Error::Crypto)?;
    let salt = SaltString::encode_b64(&salt)?;
    Ok(Argon2::default()
        .hash_password(password.as_bytes(), &salt)?
        .to_string())
}

/// A hash verified when the account does not exist, so that a wrong login costs as
/// long as a wrong password.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_password("no such account").unwrap_or_default());

fn verify_password(hash: Option<&str>, password: &str) -> bool {
    let candidate = hash.unwrap_or(DUMMY_HASH.as_str());
    let Ok(parsed) = PasswordHash::new(candidate) else {
        return false;
    };
    let matches = Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok();
    matches && hash.is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::token::{Secret, SecretKind};

    #[test]
    fn a_code_works_once_and_not_after_it_expires() {
        let mut state = AccessState::default();
        let code = Secret::generate(SecretKind::Code).unwrap().digest();
        let grant = Grant::Member {
            member: MemberId::new("db-01").unwrap(),
        };
        state.apply(
            1,
            &HubEvent::CodeIssued {
                code: code.clone(),
                grant: grant.clone(),
                expires_at: Timestamp(1_000),
            },
        );
        assert_eq!(state.code(&code, Timestamp(999)), Ok(&grant));
        assert_eq!(
            state.code(&code, Timestamp(1_000)),
            Err(AccessError::Invalid)
        );
        state.apply(2, &HubEvent::CodeRedeemed { code: code.clone() });
        assert_eq!(state.code(&code, Timestamp(10)), Err(AccessError::Invalid));
    }

    #[test]
    fn a_revoked_session_is_refused() {
        let mut state = AccessState::default();
        let session = Secret::generate(SecretKind::Session).unwrap().digest();
        let grant = Grant::Projector {
            meeting: MeetingId::new("m1").unwrap(),
        };
        state.apply(
            1,
            &HubEvent::SessionOpened {
                session: session.clone(),
                grant,
                expires_at: Timestamp(1_000),
            },
        );
        let principal = state.session(&session, Timestamp(5)).unwrap();
        assert_eq!(principal.actor(), None);
        assert_eq!(
            principal.viewer(&MeetingId::new("m2").unwrap()),
            None,
            "a projector sees only its own meeting"
        );
        state.apply(
            2,
            &HubEvent::SessionRevoked {
                session: session.clone(),
            },
        );
        assert_eq!(
            state.session(&session, Timestamp(5)),
            Err(AccessError::Invalid)
        );
    }

    #[test]
    fn passwords_verify_and_unknown_logins_fail_alike() {
        let mut state = AccessState::default();
        state.apply(
            1,
            &HubEvent::AccountCreated {
                login: "thuky".into(),
                name: "Thư ký".into(),
                admin: false,
                member: None,
            },
        );
        let hash = hash_password("mật khẩu dài").unwrap();
        state.apply(
            2,
            &HubEvent::PasswordSet {
                login: "thuky".into(),
                hash,
            },
        );
        assert!(state.check_password("thuky", "mật khẩu dài").is_ok());
        assert_eq!(
            state.check_password("thuky", "sai").err(),
            Some(AccessError::Invalid)
        );
        assert_eq!(
            state.check_password("nobody", "x").err(),
            Some(AccessError::Invalid)
        );
    }
}
