//! Who belongs to the workspace and with which roles, as of some point in the ledger.
//!
//! The same state machine runs when a member acts (to refuse what they may not do) and when the
//! ledger is replayed by `audit verify` or a rebuild (to decide whether each event was allowed
//! when it was made).

use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

use crate::keys::{KeyId, PublicKey};
use crate::ledger::Violation;
use crate::payload::{EventBody, MemberInfo};
use crate::role::{Role, roles_allowed_to_emit};
use crate::{DomainError, ReasonCode};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Member {
    pub key_id: KeyId,
    pub key: PublicKey,
    pub name: String,
    pub email: String,
    pub roles: BTreeSet<Role>,
    /// The member's team (empty: none).
    pub team: String,
    pub active: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Members {
    members: BTreeMap<KeyId, Member>,
}

impl Members {
    pub fn get(&self, id: &KeyId) -> Option<&Member> {
        self.members.get(id)
    }

    /// Put back a member loaded from the store's projection.
    pub fn restore(&mut self, member: Member) {
        self.members.insert(member.key_id.clone(), member);
    }

    pub fn all(&self) -> impl Iterator<Item = &Member> {
        self.members.values()
    }

    fn active(&self, id: &KeyId) -> Option<&Member> {
        self.members.get(id).filter(|m| m.active)
    }

    fn admins(&self) -> usize {
        self.members
            .values()
            .filter(|m| m.active && m.roles.contains(&Role::Admin))
            .count()
    }

    /// Whether `author` may emit `body` now. The message says who lacks what.
    pub fn authorize(&self, author: &KeyId, body: &EventBody) -> Result<(), DomainError> {
        let Some(allowed) = roles_allowed_to_emit(body) else {
            return Err(DomainError::unauthorized(
                ReasonCode::WorkspaceOnce,
                "a workspace can only be created once",
            ));
        };
        let member = self.active(author).ok_or_else(|| match self.members.get(author) {
            Some(m) => DomainError::unauthorized(
                ReasonCode::MemberRemoved,
                format!(
                    "{} ({}) was removed from the workspace and can no longer make changes",
                    m.name, author
                ),
            )
            .with("name", &m.name),
            None => DomainError::unauthorized(
                ReasonCode::NotAMember,
                format!(
                    "key {} is not a member of this workspace (yet): an admin must add it with `relm member add --key ...` and sync, then run `relm sync` here",
                    author.fingerprint()
                ),
            )
            .with("key", author.fingerprint()),
        })?;
        if allowed.iter().any(|r| member.roles.contains(r)) {
            return Ok(());
        }
        let need: Vec<_> = allowed.iter().map(|r| r.as_str()).collect();
        let have: Vec<_> = member.roles.iter().map(|r| r.as_str()).collect();
        Err(DomainError::unauthorized(
            ReasonCode::RoleRequired,
            format!(
                "{} needs the {} role to record `{}`; they have: {}",
                member.name,
                need.join(" or "),
                body.kind(),
                have.join(", ")
            ),
        )
        .with("name", &member.name)
        .with("need", need.join(","))
        .with("kind", body.kind())
        .with("have", have.join(",")))
    }

    /// The governance decision for an event at its point in the ledger: the author held a role
    /// allowed to emit it, and a membership change keeps the workspace sound.
    pub fn admit(&self, author: &KeyId, body: &EventBody) -> Result<(), Violation> {
        if matches!(body, EventBody::WorkspaceCreated { .. }) {
            return Ok(());
        }
        self.authorize(author, body)
            .map_err(|e| Violation::new("not_allowed", e.to_string()))?;
        self.check_change(body)
            .map_err(|e| Violation::new("invalid_change", e.to_string()))
    }

    /// Whether a membership change keeps the workspace sound (no duplicate members, at least one
    /// admin, no role-less members).
    pub fn check_change(&self, body: &EventBody) -> Result<(), DomainError> {
        match body {
            EventBody::MemberAdded { member, roles } => {
                let id = member.key.key_id();
                if self.active(&id).is_some() {
                    return Err(DomainError::conflict(
                        ReasonCode::AlreadyMember,
                        format!("key {} is already a member", id.fingerprint()),
                    )
                    .with("key", id.fingerprint()));
                }
                check_info(member)?;
                check_roles(roles)
            }
            EventBody::MemberRolesSet { key_id, roles } => {
                let m = self.require(key_id)?;
                check_roles(roles)?;
                if m.roles.contains(&Role::Admin)
                    && !roles.contains(&Role::Admin)
                    && self.admins() == 1
                {
                    return Err(last_admin());
                }
                Ok(())
            }
            EventBody::MemberRemoved { key_id } => {
                let m = self.require(key_id)?;
                if m.roles.contains(&Role::Admin) && self.admins() == 1 {
                    return Err(last_admin());
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    fn require(&self, id: &KeyId) -> Result<&Member, DomainError> {
        self.active(id).ok_or_else(|| {
            DomainError::invalid(
                "member",
                format!("no active member has key id {id}; see `relm member list`"),
            )
        })
    }

    pub fn apply(&mut self, body: &EventBody) {
        match body {
            EventBody::WorkspaceCreated { founder, .. } => self.insert(founder, Role::ALL.into()),
            EventBody::MemberAdded { member, roles } => {
                self.insert(member, roles.iter().copied().collect())
            }
            EventBody::MemberRolesSet { key_id, roles } => {
                if let Some(m) = self.members.get_mut(key_id) {
                    m.roles = roles.iter().copied().collect();
                }
            }
            EventBody::MemberRemoved { key_id } => {
                if let Some(m) = self.members.get_mut(key_id) {
                    m.active = false;
                }
            }
            EventBody::MemberTeamSet { key_id, team } => {
                if let Some(m) = self.members.get_mut(key_id) {
                    m.team = team.clone();
                }
            }
            _ => {}
        }
    }

    fn insert(&mut self, info: &MemberInfo, roles: BTreeSet<Role>) {
        let key_id = info.key.key_id();
        // Added again: the team stays.
        let team = self
            .members
            .get(&key_id)
            .map(|m| m.team.clone())
            .unwrap_or_default();
        self.members.insert(
            key_id.clone(),
            Member {
                key_id,
                key: info.key,
                name: info.name.clone(),
                email: info.email.clone(),
                roles,
                team,
                active: true,
            },
        );
    }
}

pub fn check_info(info: &MemberInfo) -> Result<(), DomainError> {
    check_person(&info.name, &info.email)
}

/// A person's name and e-mail, wherever they come from (a form, a join request the newcomer
/// signed, an event): a name, one line each, at most `MAX_SHORT` characters, no control
/// character or direction override, and an e-mail that looks like one when given.
pub fn check_person(name: &str, email: &str) -> Result<(), DomainError> {
    use crate::limits::MAX_SHORT;
    use crate::text::{Lines, Shown, check_text};
    let mut p = crate::Problems::default();
    if name.trim().is_empty() {
        p.add(DomainError::problem(
            "name",
            crate::ProblemCode::Required,
            "a member needs a name",
        ));
    }
    p.check(check_text("name", name, Lines::One, MAX_SHORT));
    if p.check(check_text("email", email, Lines::One, MAX_SHORT))
        .is_none()
    {
        return p.done();
    }
    let email = email.trim();
    // The e-mail is optional (an admin may add a member by key alone), but if given it must
    // look like one.
    let ok = email.is_empty()
        || email
            .split_once('@')
            .is_some_and(|(u, d)| !u.is_empty() && d.contains('.'));
    if !ok {
        p.add(
            DomainError::problem(
                "email",
                crate::ProblemCode::BadEmail,
                format!("`{}` is not an e-mail address", Shown(email)),
            )
            .with("value", crate::text::truncated(email, 80)),
        );
    }
    p.done()
}

/// A person joining or founding a workspace: [`check_person`], and an e-mail is required.
pub fn check_newcomer(name: &str, email: &str) -> Result<(), DomainError> {
    let mut p = crate::Problems::default();
    p.check(check_person(name, email));
    if email.trim().is_empty() {
        p.add(DomainError::problem(
            "email",
            crate::ProblemCode::Required,
            "give your e-mail address (--email)",
        ));
    }
    p.done()
}

fn check_roles(roles: &[Role]) -> Result<(), DomainError> {
    if roles.is_empty() {
        return Err(DomainError::problem(
            "roles",
            crate::ProblemCode::Required,
            "give at least one role (to take every role away, remove the member)",
        ));
    }
    Ok(())
}

fn last_admin() -> DomainError {
    DomainError::conflict(
        ReasonCode::LastAdmin,
        "this is the workspace's last admin; make another member admin first",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::ReleaseId;
    use crate::release::ReleaseStatus;
    use ed25519_dalek::SigningKey;

    fn info(seed: u8) -> MemberInfo {
        MemberInfo {
            key: PublicKey(SigningKey::from_bytes(&[seed; 32]).verifying_key()),
            name: format!("m{seed}"),
            email: String::new(),
        }
    }

    fn cancel() -> EventBody {
        EventBody::ReleaseStatusChanged {
            release_id: ReleaseId("r".into()),
            from: ReleaseStatus::Draft,
            to: ReleaseStatus::Cancelled,
            note: None,
            blocked: vec![],
        }
    }

    #[track_caller]
    fn step(m: &mut Members, author: &MemberInfo, body: EventBody, expected: Result<(), &str>) {
        let got = m.admit(&author.key.key_id(), &body);
        assert_eq!(got.clone().map_err(|v| v.code), expected, "{got:?}");
        if got.is_ok() {
            m.apply(&body);
        }
    }

    #[test]
    fn membership_and_roles_are_judged_at_each_point_of_the_ledger() {
        let (founder, bob) = (info(1), info(2));
        let mut m = Members::default();
        let genesis = EventBody::WorkspaceCreated {
            name: "w".into(),
            founder: founder.clone(),
        };
        step(&mut m, &founder, genesis, Ok(()));
        step(&mut m, &bob, cancel(), Err("not_allowed"));
        let add = EventBody::MemberAdded {
            member: bob.clone(),
            roles: vec![Role::Auditor],
        };
        step(&mut m, &founder, add.clone(), Ok(()));
        step(&mut m, &founder, add, Err("invalid_change"));
        step(&mut m, &bob, cancel(), Err("not_allowed"));
        let promote = EventBody::MemberRolesSet {
            key_id: bob.key.key_id(),
            roles: vec![Role::ReleaseManager],
        };
        step(&mut m, &founder, promote, Ok(()));
        step(&mut m, &bob, cancel(), Ok(()));
        let remove = EventBody::MemberRemoved {
            key_id: bob.key.key_id(),
        };
        step(&mut m, &founder, remove, Ok(()));
        step(&mut m, &bob, cancel(), Err("not_allowed"));
        let last_admin = EventBody::MemberRemoved {
            key_id: founder.key.key_id(),
        };
        step(&mut m, &founder, last_admin, Err("invalid_change"));
    }
}
