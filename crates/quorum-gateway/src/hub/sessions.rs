//! The hub's sign-in side: one-time codes, passwords and sessions, appended to the
//! `hub` stream and folded into the access state.

use quorum_domain::{MemberId, RejectionCode, Timestamp};
use quorum_store::{Append, StoreError};

use crate::access::{AccessError, AccessState, Grant, HUB_STREAM, HubEvent, Principal};
use crate::clock;
use crate::journal;
use crate::token::{Secret, SecretDigest, SecretKind};

use super::{Hub, HubError, OpenedSession};

impl Hub {
    /// The principal of a presented session token.
    pub fn authenticate(&self, token: &str) -> Result<Principal, AccessError> {
        let digest = SecretDigest::parse(SecretKind::Session, token).ok_or(AccessError::Invalid)?;
        let access = self.inner.access.read().map_err(|_| AccessError::Invalid)?;
        access.session(&digest, clock::now())
    }

    /// Exchanges a one-time code for a session.
    pub async fn redeem(&self, code: &str) -> Result<OpenedSession, HubError> {
        let digest = SecretDigest::parse(SecretKind::Code, code).ok_or(AccessError::Invalid)?;
        let token = secret(SecretKind::Session)?;
        let expires_at = self.session_expiry();
        self.update_hub(|access| {
            let grant = access.code(&digest, clock::now())?.clone();
            Ok(vec![
                HubEvent::CodeRedeemed {
                    code: digest.clone(),
                },
                HubEvent::SessionOpened {
                    session: token.digest(),
                    grant,
                    expires_at,
                },
            ])
        })
        .await?;
        let principal = self.access_read()?.session(&token.digest(), clock::now())?;
        Ok(OpenedSession { token, principal })
    }

    /// Signs in with a password.
    pub async fn login(&self, login: &str, password: &str) -> Result<OpenedSession, HubError> {
        let login = login.to_owned();
        let password = password.to_owned();
        let hub = self.clone();
        // argon2 takes tens of milliseconds of CPU: keep it off the async workers.
        let checked = tokio::task::spawn_blocking(move || {
            let access = hub.access_read()?;
            access
                .check_password(&login, &password)
                .map(|account| account.login.clone())
                .map_err(HubError::from)
        })
        .await
        .map_err(|_| HubError::Access(AccessError::Invalid))??;
        let token = secret(SecretKind::Session)?;
        let expires_at = self.session_expiry();
        self.update_hub(|_| {
            Ok(vec![HubEvent::SessionOpened {
                session: token.digest(),
                grant: Grant::Account {
                    login: checked.clone(),
                },
                expires_at,
            }])
        })
        .await?;
        let principal = self.access_read()?.session(&token.digest(), clock::now())?;
        Ok(OpenedSession { token, principal })
    }

    /// Revokes a session and closes its connections.
    pub async fn revoke(&self, session: &SecretDigest) -> Result<(), HubError> {
        self.update_hub(|_| {
            Ok(vec![HubEvent::SessionRevoked {
                session: session.clone(),
            }])
        })
        .await?;
        self.inner.directory.revoke(session);
        Ok(())
    }

    /// Issues a one-time code for `grant`, valid for the configured time.
    pub async fn issue_code(&self, grant: Grant) -> Result<(Secret, Timestamp), HubError> {
        let code = secret(SecretKind::Code)?;
        let hours = self.inner.config.sessions.invitation_hours;
        let expires_at = clock::now().after(quorum_domain::Millis::minutes(hours * 60));
        self.update_hub(|_| {
            Ok(vec![HubEvent::CodeIssued {
                code: code.digest(),
                grant: grant.clone(),
                expires_at,
            }])
        })
        .await?;
        Ok((code, expires_at))
    }

    /// Creates an account, with a password if one is given.
    pub async fn create_account(
        &self,
        login: &str,
        name: &str,
        admin: bool,
        member: Option<MemberId>,
        password: Option<&str>,
    ) -> Result<(), HubError> {
        if login.is_empty()
            || login.len() > 64
            || !login
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        {
            return Err(HubError::Invalid(
                "a login is 1 to 64 letters, digits, '.', '_' or '-'".into(),
            ));
        }
        let hash = match password {
            Some(password) if password.chars().count() < 10 => {
                return Err(HubError::Invalid(
                    "a password has at least 10 characters".into(),
                ));
            }
            Some(password) => Some(
                crate::access::hash_password(password)
                    .map_err(|error| HubError::Invalid(error.to_string()))?,
            ),
            None => None,
        };
        self.update_hub(|access| {
            if access.account(login).is_some() {
                return Err(HubError::Rejected(RejectionCode::Duplicate.into()));
            }
            let mut events = vec![HubEvent::AccountCreated {
                login: login.to_owned(),
                name: name.to_owned(),
                admin,
                member: member.clone(),
            }];
            if let Some(hash) = &hash {
                events.push(HubEvent::PasswordSet {
                    login: login.to_owned(),
                    hash: hash.clone(),
                });
            }
            Ok(events)
        })
        .await
    }

    /// Whether an account exists.
    pub fn account_exists(&self, login: &str) -> bool {
        self.access_read()
            .is_ok_and(|access| access.account(login).is_some())
    }

    /// On first start, creates the administrator account and returns a one-time
    /// sign-in code for it; `None` once an administrator exists.
    pub async fn first_start(&self) -> Result<Option<Secret>, HubError> {
        let has_admin = self.access_read()?.accounts().any(|account| account.admin);
        if has_admin {
            return Ok(None);
        }
        match self
            .create_account("admin", "Quản trị viên", true, None, None)
            .await
        {
            // Another node of the cluster made it first.
            Err(HubError::Rejected(rejection)) if rejection.code == RejectionCode::Duplicate => {
                return Ok(None);
            }
            other => other?,
        }
        let (code, _) = self
            .issue_code(Grant::Account {
                login: "admin".into(),
            })
            .await?;
        Ok(Some(code))
    }

    fn session_expiry(&self) -> Timestamp {
        let hours = self.inner.config.sessions.session_hours;
        clock::now().after(quorum_domain::Millis::minutes(hours * 60))
    }

    pub(super) fn access_read(
        &self,
    ) -> Result<std::sync::RwLockReadGuard<'_, AccessState>, HubError> {
        self.inner
            .access
            .read()
            .map_err(|_| HubError::Invalid("access state poisoned".into()))
    }

    /// Appends the hub events `decide` makes of the access state, and applies them.
    /// In a cluster another node may append first: then the state is read up to the
    /// log's head and `decide` runs again on it, so a code is never redeemed twice.
    async fn update_hub<F>(&self, mut decide: F) -> Result<(), HubError>
    where
        F: FnMut(&AccessState) -> Result<Vec<HubEvent>, HubError>,
    {
        let _writer = self.inner.access_writer.lock().await;
        let started = tokio::time::Instant::now();
        let mut losses = 0;
        let mut confirmed = false;
        loop {
            let (after, decided) = {
                let access = self.access_read()?;
                (access.seq(), decide(&access))
            };
            let events = match decided {
                Ok(events) => events,
                // A refusal is confirmed against the log first: in a cluster this node
                // may not have read yet what another appended (a code issued there).
                Err(_) if !confirmed => {
                    confirmed = true;
                    self.refresh_access().await?;
                    continue;
                }
                Err(error) => return Err(error),
            };
            match self.append_hub(after, &events).await {
                Err(HubError::Store(StoreError::Conflict { .. }))
                    if started.elapsed() < crate::cluster::RACE_BUDGET =>
                {
                    losses += 1;
                    tracing::debug!(
                        losses,
                        "another node appended to the hub stream first; deciding again"
                    );
                    crate::cluster::after_lost_race(losses).await;
                    self.refresh_access().await?;
                }
                Err(HubError::Store(error @ StoreError::Conflict { .. })) => {
                    tracing::warn!(%error, losses, "kept losing the race for the hub stream");
                    return Err(HubError::Store(error));
                }
                other => return other,
            }
        }
    }

    /// Appends hub events right after `after` and applies them; the caller holds
    /// `access_writer`.
    async fn append_hub(&self, after: u64, events: &[HubEvent]) -> Result<(), HubError> {
        let at = clock::now();
        let mut records = Vec::with_capacity(events.len());
        for (offset, event) in (1u64..).zip(events) {
            records.push(journal::encode_hub(after + offset, at, event)?);
        }
        self.inner
            .store
            .append(Append {
                stream: HUB_STREAM.to_owned(),
                after,
                records,
            })
            .await?;
        let head = {
            let mut access = self
                .inner
                .access
                .write()
                .map_err(|_| HubError::Invalid("access state poisoned".into()))?;
            for (offset, event) in (1u64..).zip(events) {
                access.apply(after + offset, event);
            }
            access.seq()
        };
        if let Some(cluster) = &self.inner.cluster {
            cluster.committed_elsewhere(HUB_STREAM, head);
        }
        Ok(())
    }
}

fn secret(kind: SecretKind) -> Result<Secret, HubError> {
    Secret::generate(kind).map_err(|error| HubError::Random(error.to_string()))
}
