//! Adding, listing, re-roling and removing members (admin only, enforced by the ledger rules).

use relm_domain::keys::{KeyId, PublicKey};
use relm_domain::membership::Member;
use relm_domain::payload::{EventBody, MemberInfo};
use relm_domain::role::Role;
use relm_store::projection;
use serde::Serialize;

use crate::error::{ApiError, Result};
use crate::session::Relm;
use relm_domain::ReasonCode;

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MemberView {
    pub key_id: String,
    pub fingerprint: String,
    pub public_key: String,
    pub name: String,
    pub email: String,
    pub roles: Vec<String>,
    /// The member's team (empty: none).
    pub team: String,
    pub active: bool,
}

impl From<Member> for MemberView {
    fn from(m: Member) -> Self {
        MemberView {
            fingerprint: m.key_id.fingerprint(),
            key_id: m.key_id.0,
            public_key: m.key.to_string(),
            name: m.name,
            email: m.email,
            roles: m.roles.iter().map(|r| r.as_str().to_string()).collect(),
            team: m.team,
            active: m.active,
        }
    }
}

impl Relm {
    pub fn members(&self) -> Result<Vec<MemberView>> {
        Ok(projection::members::list(self.store.conn())?
            .into_iter()
            .map(MemberView::from)
            .collect())
    }

    /// Add a member by public key. Name and e-mail default to what the newcomer gave in their
    /// join request, else to the key's fingerprint.
    pub fn add_member(
        &mut self,
        key: &str,
        name: Option<&str>,
        email: Option<&str>,
        roles: &[Role],
    ) -> Result<MemberView> {
        let key = PublicKey::parse(key)?;
        let id = key.key_id();
        let requested = self.requested_info(&id)?;
        let name = name.or(requested.as_ref().map(|r| r.0.as_str()));
        let email = email.or(requested.as_ref().map(|r| r.1.as_str()));
        let info = MemberInfo {
            key,
            name: name
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map_or_else(|| format!("member {}", id.fingerprint()), String::from),
            email: email.unwrap_or_default().trim().to_string(),
        };
        if !info.email.is_empty() {
            relm_domain::membership::check_info(&info)?;
        }
        self.emit(|_| {
            Ok(vec![EventBody::MemberAdded {
                member: info,
                roles: roles.to_vec(),
            }])
        })?;
        self.member(&id.0)
    }

    pub fn set_member_roles(&mut self, who: &str, roles: &[Role]) -> Result<MemberView> {
        let id = self.resolve_member(who)?;
        self.emit(|_| {
            Ok(vec![EventBody::MemberRolesSet {
                key_id: id.clone(),
                roles: roles.to_vec(),
            }])
        })?;
        self.member(&id.0)
    }

    /// Put a member in a team (an empty name takes them out of any). Teams are names an admin
    /// chooses; a policy may ask for an approver from another team than the release owner's.
    pub fn set_member_team(&mut self, who: &str, team: &str) -> Result<MemberView> {
        let id = self.resolve_member(who)?;
        let team = team.trim().to_string();
        relm_domain::text::check_text(
            "team",
            &team,
            relm_domain::text::Lines::One,
            relm_domain::limits::MAX_SHORT,
        )?;
        self.emit(|_| {
            Ok(vec![EventBody::MemberTeamSet {
                key_id: id.clone(),
                team,
            }])
        })?;
        self.member(&id.0)
    }

    pub fn remove_member(&mut self, who: &str) -> Result<MemberView> {
        let id = self.resolve_member(who)?;
        self.emit(|_| Ok(vec![EventBody::MemberRemoved { key_id: id.clone() }]))?;
        self.member(&id.0)
    }

    /// The way out of a fork (or a lost or stolen key): the member goes on with `new_key`, with
    /// the same name, e-mail and roles; the old key is removed. Two signed admin events, in one
    /// transaction: the addition first, so a workspace never lacks its admin.
    pub fn rotate_member(&mut self, who: &str, new_key: &str) -> Result<MemberView> {
        let old = self.resolve_member(who)?;
        let current = self.member(&old.0)?;
        let key = PublicKey::parse(new_key)?;
        if key.key_id() == old {
            return Err(relm_domain::DomainError::problem(
                "key",
                relm_domain::ProblemCode::Unchanged,
                "that is the member's current key; give the new one (from `relm identity show` on their new data dir)",
            )
            .into());
        }
        let info = MemberInfo {
            key,
            name: current.name.clone(),
            email: current.email.clone(),
        };
        let roles = current
            .roles
            .iter()
            .map(|r| r.parse::<Role>())
            .collect::<std::result::Result<Vec<Role>, _>>()?;
        let new_id = key.key_id();
        self.emit(|_| {
            let mut events = vec![EventBody::MemberAdded {
                member: info,
                roles,
            }];
            if !current.team.is_empty() {
                events.push(EventBody::MemberTeamSet {
                    key_id: new_id.clone(),
                    team: current.team.clone(),
                });
            }
            events.push(EventBody::MemberRemoved {
                key_id: old.clone(),
            });
            Ok(events)
        })?;
        self.member(&key.key_id().0)
    }

    pub(crate) fn member(&self, key_id: &str) -> Result<MemberView> {
        self.members()?
            .into_iter()
            .find(|m| m.key_id == key_id)
            .ok_or_else(|| {
                ApiError::missing(
                    ReasonCode::NoMember,
                    format!("no member with key id {key_id}"),
                )
                .with("who", key_id)
            })
    }

    /// Accept a key id, a fingerprint (with dashes), a unique prefix of either, a public key,
    /// or an active member's e-mail.
    pub(crate) fn resolve_member(&self, who: &str) -> Result<KeyId> {
        if let Ok(k) = PublicKey::parse(who) {
            return Ok(k.key_id());
        }
        if who.contains('@') {
            return self
                .members()?
                .into_iter()
                .find(|m| m.active && m.email.eq_ignore_ascii_case(who.trim()))
                .map(|m| KeyId(m.key_id))
                .ok_or_else(|| {
                    ApiError::missing(
                        ReasonCode::NoMember,
                        format!("no active member has the e-mail `{who}`; see `relm member list`"),
                    )
                    .with("who", who.trim())
                });
        }
        let needle = who.trim().replace('-', "").to_lowercase();
        let found: Vec<_> = self
            .members()?
            .into_iter()
            .filter(|m| m.active && !needle.is_empty() && m.key_id.starts_with(&needle))
            .collect();
        match found.as_slice() {
            [one] => Ok(KeyId(one.key_id.clone())),
            [] => Err(ApiError::missing(
                ReasonCode::NoMember,
                format!("no active member matches `{who}`; see `relm member list`"),
            )
            .with("who", who.trim())),
            _ => Err(ApiError::validation(format!(
                "`{who}` matches {} members; give more of the key id",
                found.len()
            ))),
        }
    }
}
