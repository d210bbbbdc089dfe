//! Every sentence a verdict says, in English and French.
//!
//! Rules return [`Msg`] values (what to say, with its data), and the verdict is worded once, in
//! the language asked for: English for `relm check` and CI logs, the UI's language in the app.
//! Each variant is worded in both languages in one `match`, so a sentence cannot miss a
//! translation. Text from outside (Rego messages, notes, names) passes through as [`Msg::Raw`].

use chrono::{DateTime, Datelike, Utc};
use chrono_tz::Tz;

use crate::verdict::Action;

/// How a verdict is worded: its language, and the zone its times are shown in. Without a zone
/// (the CLI, CI logs, JSON), times are RFC 3339 UTC and durations whole hours, as machines and
/// logs read them; with one (the app), times are dates a person reads, in that zone and naming
/// it, and long durations are days.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Style {
    pub lang: Lang,
    pub zone: Option<Tz>,
}

impl From<Lang> for Style {
    fn from(lang: Lang) -> Style {
        Style { lang, zone: None }
    }
}

/// A name quoted for a reader: “name” in English, «\u{a0}name\u{a0}» in French.
fn q(lang: Lang, name: &str) -> String {
    match lang {
        Lang::En => format!("“{name}”"),
        Lang::Fr => format!("«\u{a0}{name}\u{a0}»"),
    }
}

impl Style {
    /// An instant given as RFC 3339 (as rules hold them), worded for the reader.
    pub fn time(&self, rfc3339: &str) -> String {
        let (Some(zone), Ok(at)) = (self.zone, DateTime::parse_from_rfc3339(rfc3339)) else {
            return rfc3339.to_string();
        };
        self.instant(at.with_timezone(&Utc), zone)
    }

    fn instant(&self, at: DateTime<Utc>, zone: Tz) -> String {
        const EN: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        const FR: [&str; 12] = [
            "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.",
            "nov.", "déc.",
        ];
        let local = at.with_timezone(&zone);
        let month = local.month0() as usize;
        let clock = local.format("%H:%M %Z");
        match self.lang {
            Lang::En => format!("{} {} {}, {clock}", local.day(), EN[month], local.year()),
            Lang::Fr => format!("{} {} {} à {clock}", local.day(), FR[month], local.year()),
        }
    }

    /// A span of two RFC 3339 instants.
    pub fn span(&self, from: &str, to: &str) -> String {
        if from.is_empty() && to.is_empty() {
            return String::new();
        }
        format!("{} → {}", self.time(from), self.time(to))
    }

    /// A duration in whole hours: hours below two days, else days, for a person.
    pub fn hours(&self, hours: i64) -> String {
        if self.zone.is_none() {
            return format!("{hours} h");
        }
        if hours.abs() < 48 {
            return format!("{hours}\u{a0}h");
        }
        let days = hours / 24;
        match self.lang {
            Lang::En => format!("{days} days"),
            Lang::Fr => format!("{days}\u{a0}jours"),
        }
    }
}

/// The language a verdict is worded in.

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Lang {
    #[default]
    En,
    Fr,
}

impl Lang {
    /// `fr` (or `fr-FR`…) is French; anything else English.
    pub fn from_tag(tag: &str) -> Lang {
        if tag.to_ascii_lowercase().starts_with("fr") {
            Lang::Fr
        } else {
            Lang::En
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    /// Text from outside: a Rego message, a note, a name.
    Raw(String),

    // Approvals and escalations.
    Rejected {
        name: String,
        env: String,
        comment: String,
    },
    QuorumMet {
        have: u32,
        count: u32,
        names: String,
    },
    QuorumShort {
        have: u32,
        count: u32,
        roles: String,
        names: String,
    },
    RemedyRejection,
    RemedyApprove {
        more: u32,
        roles: String,
        id: String,
        env: String,
        authorize: bool,
    },

    // A decision, judged.
    Stale,
    OwnerSelf,
    ChangeAuthor {
        change: String,
    },
    Expired {
        at: String,
    },
    NotMember,
    RoleMissing {
        roles: String,
    },
    SamePerson,
    Counts,
    CountsUntil {
        until: String,
    },
    Blocks,
    Decision {
        approve: bool,
        name: String,
        at: String,
        reason: Box<Msg>,
    },

    // Notice.
    NoticeNoWindow,
    NotSubmitted,
    NoticeOk {
        hours: i64,
        min: u32,
    },
    NoticeShort {
        hours: i64,
        min: u32,
    },
    NoticeEmergency,
    RemedyPlanWindow {
        hours: u32,
    },
    RemedySubmit {
        id: String,
    },
    RemedyMoveWindow {
        earliest: String,
    },
    Submitted {
        at: String,
    },
    PlannedStart {
        at: String,
    },
    Status {
        status: String,
    },

    // Evidence.
    EvidenceOne {
        item: String,
    },
    EvidenceAll {
        n: usize,
    },
    EvidenceMissing {
        items: String,
    },
    RemedyEvidence {
        id: String,
    },

    // Rollback.
    NoRollbackPlan,
    RollbackWritten,
    RollbackRehearsed,
    /// The latest rehearsal of the plan failed.
    RehearsalFailed,
    RehearsalNeeded {
        risk: String,
    },
    RemedyWritePlan {
        id: String,
    },
    RemedyRehearse {
        id: String,
    },
    RollbackPlan {
        text: String,
    },
    Rehearsed {
        at: String,
        by: String,
        note: String,
    },

    // Promotion.
    NotInOrder {
        env: String,
    },
    FirstEnvironment {
        env: String,
    },
    Promoted {
        env: String,
    },
    PromotedOther {
        env: String,
    },
    NotPromoted {
        env: String,
    },
    RemedyRedeploy {
        env: String,
    },
    RemedyDeployFirst {
        env: String,
        id: String,
    },
    Deployment {
        succeeded: bool,
        env: String,
        at: String,
    },

    // Emergency.
    NotEmergency,
    EmergencyUndeclared,
    EmergencyConfirmed {
        approver: String,
    },
    EmergencyPending {
        approver: String,
        deadline: String,
    },
    EmergencyOverdue {
        approver: String,
        deadline: String,
    },
    RemedyDeclare {
        id: String,
    },
    RemedyPostHoc {
        approver: String,
        id: String,
        env: String,
    },
    Declared {
        at: String,
        by: String,
        reason: String,
    },
    Incident {
        id: String,
    },

    // When a rule applies.
    OnlyEnvironments {
        list: String,
    },
    OnlyTiers {
        list: String,
    },
    OnlyChangeTypes {
        list: String,
    },
    FromRisk {
        min: String,
        risk: String,
    },

    // Calendar.
    NoFreeze,
    InHardFreeze {
        name: String,
        /// The occurrence, RFC 3339 start and end (empty when unknown).
        when: (String, String),
    },
    CrossesFreeze {
        name: String,
        at: String,
    },
    InSoftFreeze {
        name: String,
        /// The occurrence, RFC 3339 start and end (empty when unknown).
        when: (String, String),
    },
    SoftFreezeJustified {
        name: String,
        justification: String,
        approvers: String,
    },
    RemedyHardFreeze,
    RemedySoftFreeze {
        id: String,
        entry: String,
        env: String,
    },
    RemedyExtraApproval {
        id: String,
        env: String,
    },
    NoWindows {
        service: String,
        env: String,
    },
    InsideWindow {
        name: String,
    },
    OutsideWindows {
        env: String,
    },
    RemedyIntoWindow,
    /// The calendar could not be expanded over the release's window.
    CalendarUnreadable {
        error: String,
    },
    RemedyRemoveEntry {
        id: String,
    },
    Justified {
        by: String,
        at: String,
        text: String,
    },

    // The engine's own lines.
    NoPolicy,
    RemedyApplyPolicy,
    UnknownEnvironment {
        env: String,
    },
    RemedyKnownEnvironment,
    NotTargeted {
        env: String,
    },
    RemedyTarget {
        env: String,
    },
    Targets {
        list: String,
    },
    EmergencyPath {
        rule: String,
    },

    // Rego.
    RegoNoFindings,
    RegoFailed {
        error: String,
    },
    RemedyFixRego,
    RemedySeeRule,

    // Risk: the level and what decided it, lowerings, the `risk` rule kind.
    RiskLevelIs {
        level: String,
        /// `questionnaire` or `signals`.
        method: String,
        score: u32,
        factors: Vec<FactorWords>,
    },
    RiskLowered {
        level: String,
        from: String,
        name: String,
        reason: String,
    },
    RiskLoweringLapsed {
        level: String,
        from: String,
        now: String,
        name: String,
    },
    /// Several findings of one rule, said together.
    All(Vec<Msg>),
    LinkedRisksBlock {
        n: usize,
        min: u8,
        list: String,
    },
    NoLinkedRisks {
        min: u8,
    },
    RemedyLinkedRisks {
        id: String,
    },

    // What the release contains (SBOMs).
    SbomNoComponents,
    SbomMissing {
        count: u32,
        list: String,
    },
    SbomDenied {
        count: u32,
        list: String,
    },
    SbomDowngrade {
        count: u32,
        list: String,
    },
    SbomClear {
        components: u32,
        packages: u32,
    },
    RemedyComponents {
        id: String,
    },
    RemedyAttachSbom {
        id: String,
        component: String,
    },
    RemedyDenied {
        id: String,
    },
    RemedyDowngradeNote {
        id: String,
    },

    // Reviews.
    ReviewsInTime {
        service: String,
    },
    ReviewsOverdue {
        count: u32,
        list: String,
    },
    ActionsOverdue {
        count: u32,
        list: String,
    },
    RemedyReview {
        id: String,
    },
    RemedyActions {
        id: String,
    },
    OtherTeam {
        name: String,
        team: String,
    },
    OtherTeamMissing {
        team: String,
    },
    RemedyOtherTeam {
        id: String,
        env: String,
        team: String,
    },
}

/// A factor of a risk assessment, with what wording it needs in either language.
#[derive(Debug, Clone, PartialEq)]
pub struct FactorWords {
    pub name: String,
    pub points: u32,
    pub params: std::collections::BTreeMap<String, String>,
    /// For questionnaire factors: the question and the answer, in English and French.
    pub question: Option<[String; 2]>,
    pub answer: Option<[String; 2]>,
}

impl FactorWords {
    fn render(&self, lang: Lang) -> String {
        let fr = lang == Lang::Fr;
        let i = usize::from(fr);
        let n = || self.params.get("count").cloned().unwrap_or_default();
        let plural_fr = || {
            if n().parse::<u32>().unwrap_or(0) > 1 {
                "s"
            } else {
                ""
            }
        };
        let what = if let (Some(qu), Some(a)) = (&self.question, &self.answer) {
            format!("{} → {}", qu[i], a[i])
        } else {
            match (self.name.as_str(), fr) {
                ("emergency_change", false) => "emergency change".into(),
                ("emergency_change", true) => "changement d’urgence".into(),
                ("normal_change", false) => "normal change".into(),
                ("normal_change", true) => "changement normal".into(),
                ("production", false) => "targets production".into(),
                ("production", true) => "vise la production".into(),
                ("many_components", false) => format!("{} components", n()),
                ("many_components", true) => format!("{} composants", n()),
                ("many_changes", false) => format!("{} changes", n()),
                ("many_changes", true) => format!("{} changements", n()),
                ("recent_failures", false) => format!("{} failed deployments in 90 days", n()),
                ("recent_failures", true) => format!(
                    "{} déploiement{p} en échec en 90\u{a0}jours",
                    n(),
                    p = plural_fr()
                ),
                ("freeze_soon_after", _) => {
                    let name = self.params.get("freeze").cloned().unwrap_or_default();
                    if fr {
                        format!("gel {} juste après", q(lang, &name))
                    } else {
                        format!("freeze {} right after", q(lang, &name))
                    }
                }
                ("off_hours", false) => "outside business hours".into(),
                ("off_hours", true) => "hors des heures ouvrées".into(),
                ("rollback_not_rehearsed", false) => "rollback never rehearsed".into(),
                ("rollback_not_rehearsed", true) => "retour arrière jamais répété".into(),
                ("linked_high_risks", false) => format!("{} open high risks linked", n()),
                ("linked_high_risks", true) => format!(
                    "{} risque{p} élevé{p} ouvert{p} lié{p}",
                    n(),
                    p = plural_fr()
                ),
                (other, _) => other.to_string(),
            }
        };
        format!("{what} +{}", self.points)
    }
}

impl Msg {
    /// What the app offers for a remedy: the same fix as an action in its own words (the CLI
    /// shows the remedy's command instead). `None` for a message that is not a remedy, or a
    /// remedy with no action of its own (a Rego rule's text).
    pub fn action(&self) -> Option<Action> {
        use Msg::*;
        let edit = |field: &str| Action::Edit {
            field: field.to_string(),
        };
        Some(match self {
            RemedyApprove { env, .. }
            | RemedyPostHoc { env, .. }
            | RemedyExtraApproval { env, .. } => Action::Approve {
                environment: env.clone(),
            },
            RemedyRejection => edit(""),
            RemedySubmit { .. } => Action::Submit,
            RemedyPlanWindow { .. } | RemedyHardFreeze | RemedyIntoWindow => {
                Action::PlanWindow { earliest: None }
            }
            RemedyMoveWindow { earliest } => Action::PlanWindow {
                earliest: Some(earliest.clone()),
            },
            RemedyEvidence { .. } => edit("evidence"),
            RemedyWritePlan { .. } => edit("rollback_plan"),
            RemedyKnownEnvironment | RemedyTarget { .. } => edit("environments"),
            RemedyRehearse { .. } => Action::Rehearse,
            RemedyRedeploy { env } | RemedyDeployFirst { env, .. } => Action::Deploy {
                environment: env.clone(),
            },
            RemedyDeclare { .. } => Action::DeclareEmergency,
            RemedySoftFreeze { entry, env, .. } => Action::JustifyFreeze {
                entry: entry.clone(),
                environment: env.clone(),
            },
            RemedyRemoveEntry { id } => Action::Calendar { entry: id.clone() },
            RemedyApplyPolicy | RemedyFixRego | RemedySeeRule => Action::Policy,
            RemedyOtherTeam { env, .. } => Action::Approve {
                environment: env.clone(),
            },
            RemedyLinkedRisks { id } => Action::Risk { risk: id.clone() },
            RemedyReview { id } => Action::Review {
                release: id.clone(),
            },
            RemedyActions { .. } => Action::Actions,
            _ => return None,
        })
    }
}

/// Risk levels, roles, tiers and change types named in French; other words unchanged. `text`
/// may be a list (`approver or admin`, `production, staging`).
fn words(lang: Lang, text: &str) -> String {
    if lang == Lang::En {
        return text.to_string();
    }
    fn fr(w: &str) -> &str {
        match w {
            "low" => "faible",
            "medium" => "moyen",
            "high" => "élevé",
            "critical" => "critique",
            "approver" => "approbateur",
            "release-manager" => "responsable des mises en production",
            "admin" => "administrateur",
            "auditor" => "auditeur",
            "development" => "développement",
            "test" => "test",
            "staging" => "préproduction",
            "production" => "production",
            "standard" => "standard",
            "normal" => "normal",
            "emergency" => "d’urgence",
            "or" => "ou",
            other => other,
        }
    }
    text.split(' ')
        .map(|w| match w.strip_suffix(',') {
            Some(bare) => format!("{},", fr(bare)),
            None => fr(w).to_string(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn plural(n: u32) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// French plural mark: 0 and 1 take the singular.
fn pluriel(n: u32) -> &'static str {
    if n <= 1 { "" } else { "s" }
}

impl Msg {
    pub fn raw(s: impl Into<String>) -> Msg {
        Msg::Raw(s.into())
    }

    /// The sentence in `lang`.
    pub fn render(&self, style: impl Into<Style>) -> String {
        use Msg::*;
        let style: Style = style.into();
        let lang = style.lang;
        let fr = lang == Lang::Fr;
        let pick = |en: String, fr_text: String| if fr { fr_text } else { en };
        match self {
            Raw(s) => s.clone(),
            Rejected { name, env, comment } => {
                let c = if comment.is_empty() {
                    String::new()
                } else {
                    format!(": \"{comment}\"")
                };
                pick(
                    format!("{name} rejected this release for {env}{c}"),
                    format!("{name} a refusé cette mise en production pour {env}{c}"),
                )
            }
            QuorumMet { have, count, names } => pick(
                format!("{have} counting, {count} required: {names}"),
                format!(
                    "{have} comptée{}, {count} requise{}\u{a0}: {names}",
                    pluriel(*have),
                    pluriel(*count)
                ),
            ),
            QuorumShort {
                have,
                count,
                roles,
                names,
            } => {
                let who = if names.is_empty() {
                    String::new()
                } else {
                    format!(" ({names})")
                };
                pick(
                    format!(
                        "{have} of {count} required approval{} from {roles}{who}",
                        plural(*count)
                    ),
                    format!(
                        "{have} approbation{} sur {count} requise{} du rôle {}{who}",
                        pluriel(*have),
                        pluriel(*count),
                        words(lang, roles)
                    ),
                )
            }
            RemedyRejection => pick(
                "address the rejection; a change to the release makes it stale, or the approver can approve".into(),
                "traitez le refus\u{a0}: une modification de la mise en production le rend périmé, ou l’approbateur peut approuver".into(),
            ),
            RemedyApprove {
                more,
                roles,
                id,
                env,
                authorize,
            } => pick(
                format!(
                    "{more} more {roles} to {}: `relm approve {id} --env {env}`; not the owner or a change author",
                    if *authorize { "authorize" } else { "approve" }
                ),
                format!(
                    "encore {more} {} doit {}\u{a0}: `relm approve {id} --env {env}`\u{202f}; ni le responsable ni un auteur des changements",
                    words(lang, roles),
                    if *authorize { "autoriser" } else { "approuver" }
                ),
            ),
            Stale => pick(
                "stale: the release changed after this decision".into(),
                "périmée\u{a0}: la mise en production a changé après cette décision".into(),
            ),
            OwnerSelf => pick(
                "the release's owner may not approve their own release".into(),
                "le responsable de la mise en production ne peut pas l’approuver".into(),
            ),
            ChangeAuthor { change } => pick(
                format!("author of change {change} may not approve the release"),
                format!("l’auteur du changement {change} ne peut pas approuver la mise en production"),
            ),
            Expired { at } => {
                let at = style.time(at);
                pick(format!("expired at {at}"), format!("expirée le {at}"))
            }
            NotMember => pick("no longer a member".into(), "n’est plus membre".into()),
            RoleMissing { roles } => pick(
                format!("does not hold the {roles} role now"),
                format!("n’a pas le rôle {} actuellement", words(lang, roles)),
            ),
            SamePerson => pick(
                "the same person already counted with another key".into(),
                "la même personne est déjà comptée avec une autre clé".into(),
            ),
            Counts => pick("counts".into(), "comptée".into()),
            CountsUntil { until } => {
                let until = style.time(until);
                pick(
                format!("counts; fresh until {until}"),
                format!("comptée\u{202f}; valable jusqu’au {until}"),
            )
            }
            Blocks => pick(
                "blocks until the release changes or they approve".into(),
                "bloque jusqu’à une modification de la mise en production ou une approbation".into(),
            ),
            Decision {
                approve,
                name,
                at,
                reason,
            } => {
                let at = style.time(at);
                pick(
                    format!(
                        "{} by {name} {at}: {}",
                        if *approve { "approve" } else { "reject" },
                        reason.render(style)
                    ),
                    format!(
                        "{} par {name} le {at}\u{a0}: {}",
                        if *approve { "approbation" } else { "refus" },
                        reason.render(style)
                    ),
                )
            }
            NoticeNoWindow => pick(
                "no planned window, so the notice period cannot be checked".into(),
                "aucune fenêtre prévue\u{a0}: le délai de prévenance ne peut pas être vérifié".into(),
            ),
            NotSubmitted => pick(
                "the release has not been submitted (moved to planned) yet".into(),
                "la mise en production n’a pas encore été soumise (passée à planifiée)".into(),
            ),
            NoticeOk { hours, min } => {
                let (hours, min) = (style.hours(*hours), style.hours(i64::from(*min)));
                pick(
                format!("{hours} of notice (at least {min})"),
                format!("{hours} de prévenance (au moins {min})"),
            )
            }
            NoticeShort { hours, min } => {
                let (hours, min) = (style.hours(*hours), style.hours(i64::from(*min)));
                pick(
                format!("planned {hours} after submission; at least {min} are required"),
                format!("prévue {hours} après la soumission\u{202f}; au moins {min} sont requises"),
            )
            }
            NoticeEmergency => pick(
                "an emergency change has no notice period".into(),
                "un changement d’urgence n’a pas de délai de prévenance".into(),
            ),
            RemedyPlanWindow { hours } => {
                let hours = style.hours(i64::from(*hours));
                pick(
                    format!("plan a window at least {hours} after submission"),
                    format!("prévoyez une fenêtre au moins {hours} après la soumission"),
                )
            }
            RemedySubmit { id } => pick(
                format!("move it to planned: `relm release status {id} planned`"),
                format!("passez-la à planifiée\u{a0}: `relm release status {id} planned`"),
            ),
            RemedyMoveWindow { earliest } => {
                let earliest = style.time(earliest);
                pick(
                format!("move the window to {earliest} or later, or use the emergency path"),
                format!("déplacez la fenêtre au {earliest} ou après, ou passez par la procédure d’urgence"),
            )
            }
            Submitted { at } => {
                let at = style.time(at);
                pick(format!("submitted {at}"), format!("soumise le {at}"))
            }
            PlannedStart { at } => {
                let at = style.time(at);
                pick(format!("planned start {at}"), format!("début prévu le {at}"))
            }
            Status { status } => pick(format!("status {status}"), format!("statut {status}")),
            EvidenceOne { item } => pick(format!("{item} recorded"), format!("{item} enregistré")),
            EvidenceAll { n } => pick(
                format!("all {n} items recorded"),
                format!("les {n} éléments sont enregistrés"),
            ),
            EvidenceMissing { items } => pick(format!("missing: {items}"), format!("manquant\u{a0}: {items}")),
            RemedyEvidence { id } => pick(
                format!("record each item as a link or a file digest: `relm release update {id} --evidence \"NAME|LINK\"` (repeat for each; the list is replaced)"),
                format!("enregistrez chaque élément (lien ou empreinte de fichier)\u{a0}: `relm release update {id} --evidence \"NOM|LIEN\"` (répétez pour chacun\u{202f}; la liste est remplacée)"),
            ),
            NoRollbackPlan => pick("no rollback plan".into(), "aucun plan de retour arrière".into()),
            RollbackWritten => pick("rollback plan written".into(), "plan de retour arrière rédigé".into()),
            RollbackRehearsed => pick(
                "rollback plan written and rehearsed".into(),
                "plan de retour arrière rédigé et répété".into(),
            ),
            RehearsalFailed => pick(
                "the latest rehearsal of the rollback plan failed".into(),
                "la dernière répétition du plan de retour arrière a échoué".into(),
            ),
            RehearsalNeeded { risk } => pick(
                format!("{risk} risk needs a recorded rollback rehearsal"),
                format!(
                    "un risque {} exige une répétition enregistrée du retour arrière",
                    words(lang, risk)
                ),
            ),
            RemedyWritePlan { id } => pick(
                format!("write one: `relm rollback plan {id} --previous-version V --steps TEXT`"),
                format!("rédigez-en un\u{a0}: `relm rollback plan {id} --previous-version V --steps TEXTE`"),
            ),
            RemedyRehearse { id } => pick(
                format!("rehearse it, then `relm rollback rehearse {id} --env ENV --result passed`"),
                format!("répétez-le, puis `relm rollback rehearse {id} --env ENV --result passed`"),
            ),
            RollbackPlan { text } => pick(
                format!("rollback plan: {text}"),
                format!("plan de retour arrière\u{a0}: {text}"),
            ),
            Rehearsed { at, by, note } => {
                let at = style.time(at);
                pick(
                format!("rehearsed {at} by {by}: {note}"),
                format!("répété le {at} par {by}\u{a0}: {note}"),
            )
            }
            NotInOrder { env } => pick(
                format!("{env} is not in the promotion order"),
                format!("{env} ne fait pas partie de l’ordre de promotion"),
            ),
            FirstEnvironment { env } => pick(
                format!("{env} is the first environment"),
                format!("{env} est le premier environnement"),
            ),
            Promoted { env } => pick(
                format!("deployed successfully to {env} first"),
                format!("déployée avec succès en {env} d’abord"),
            ),
            PromotedOther { env } => pick(
                format!("what was deployed to {env} is not the release as it is now (it changed since)"),
                format!("ce qui a été déployé en {env} n’est pas la mise en production actuelle (elle a changé depuis)"),
            ),
            NotPromoted { env } => pick(
                format!("not yet deployed successfully to {env}"),
                format!("pas encore déployée avec succès en {env}"),
            ),
            RemedyRedeploy { env } => pick(
                format!("deploy this version to {env} again and record it"),
                format!("redéployez cette version en {env} et enregistrez-le"),
            ),
            RemedyDeployFirst { env, id } => pick(
                format!("deploy to {env} first, then `relm release deployed {id} --env {env}`"),
                format!("déployez d’abord en {env}, puis `relm release deployed {id} --env {env}`"),
            ),
            Deployment { succeeded, env, at } => {
                let at = style.time(at);
                pick(
                format!("{} to {env} {at}", if *succeeded { "succeeded" } else { "failed" }),
                format!("{} en {env} le {at}", if *succeeded { "réussi" } else { "échoué" }),
            )
            }
            NotEmergency => pick(
                "not an emergency change".into(),
                "pas un changement d’urgence".into(),
            ),
            EmergencyUndeclared => pick(
                "an emergency change needs a declared reason, incident and approver".into(),
                "un changement d’urgence exige une raison, un incident et un approbateur déclarés".into(),
            ),
            EmergencyConfirmed { approver } => pick(
                format!("break-glass confirmed by {approver}; a review is required"),
                format!("procédure d’urgence confirmée par {approver}\u{202f}; une revue est obligatoire"),
            ),
            EmergencyPending { approver, deadline } => {
                let deadline = style.time(deadline);
                pick(
                format!("break-glass: {approver} must approve by {deadline} (post-hoc); a review is required"),
                format!("procédure d’urgence\u{a0}: {approver} doit approuver avant le {deadline} (a posteriori)\u{202f}; une revue est obligatoire"),
            )
            }
            EmergencyOverdue { approver, deadline } => {
                let deadline = style.time(deadline);
                pick(
                format!("the post-hoc approval by {approver} was due by {deadline} and is missing"),
                format!("l’approbation a posteriori de {approver} était due avant le {deadline} et manque"),
            )
            }
            RemedyDeclare { id } => pick(
                format!("`relm release emergency {id} --reason TEXT --incident REF --approver KEY`"),
                format!("`relm release emergency {id} --reason TEXTE --incident RÉF --approver CLÉ`"),
            ),
            RemedyPostHoc { approver, id, env } => {
                format!("{approver}: `relm approve {id} --env {env}`")
            }
            Declared { at, by, reason } => {
                let at = style.time(at);
                pick(
                format!("declared {at} by {by}: {reason}"),
                format!("déclarée le {at} par {by}\u{a0}: {reason}"),
            )
            }
            Incident { id } => pick(format!("incident {id}"), format!("incident {id}")),
            OnlyEnvironments { list } => pick(
                format!("applies to {list} only"),
                format!("s’applique à {list} seulement"),
            ),
            OnlyTiers { list } => pick(
                format!("applies to {list} environments only"),
                format!("s’applique aux environnements {} seulement", words(lang, list)),
            ),
            OnlyChangeTypes { list } => pick(
                format!("applies to {list} changes only"),
                format!("s’applique aux changements {} seulement", words(lang, list)),
            ),
            FromRisk { min, risk } => pick(
                format!("applies from {min} risk; this release is {risk}"),
                format!(
                    "s’applique à partir du risque {}\u{202f}; le risque de cette mise en production est {}",
                    words(lang, min),
                    words(lang, risk)
                ),
            ),
            NoFreeze => pick(
                "no freeze covers the planned window".into(),
                "aucun gel ne couvre la fenêtre prévue".into(),
            ),
            InHardFreeze { name, when } => {
                let when = style.span(&when.0, &when.1);
                pick(
                format!("inside the hard freeze {} ({when})", q(Lang::En, name)),
                format!("dans le gel strict {} ({when})", q(Lang::Fr, name)),
            )
            }
            CrossesFreeze { name, at } => {
                let at = style.time(at);
                pick(
                format!("runs into the freeze {} starting {at}", q(Lang::En, name)),
                format!("déborde sur le gel {} qui commence le {at}", q(Lang::Fr, name)),
            )
            }
            InSoftFreeze { name, when } => {
                let when = style.span(&when.0, &when.1);
                pick(
                format!("inside the soft freeze {} ({when}): a written justification and an extra approval are needed", q(Lang::En, name)),
                format!("dans le gel souple {} ({when})\u{a0}: une justification écrite et une approbation supplémentaire sont nécessaires", q(Lang::Fr, name)),
            )
            }
            SoftFreezeJustified {
                name,
                justification,
                approvers,
            } => pick(
                format!("inside the soft freeze {}, justified (“{justification}”) and approved beyond the usual count by {approvers}", q(Lang::En, name)),
                format!("dans le gel souple {}, justifiée («\u{a0}{justification}\u{a0}») et approuvée au-delà du nombre habituel par {approvers}", q(Lang::Fr, name)),
            ),
            CalendarUnreadable { error } => pick(
                format!("the calendar cannot be read over the planned window, so no freeze can be ruled out: {error}"),
                format!("le calendrier ne peut pas être lu sur la fenêtre prévue, donc aucun gel ne peut être écarté\u{a0}: {error}"),
            ),
            RemedyRemoveEntry { id } => pick(
                format!("remove the entry with `relm calendar remove {id}` and add it again; the other entries still count"),
                format!("supprimez l’entrée avec `relm calendar remove {id}` puis ajoutez-la à nouveau\u{202f}; les autres entrées comptent toujours"),
            ),
            RemedyHardFreeze => pick(
                "move the window out of the freeze".into(),
                "déplacez la fenêtre hors du gel".into(),
            ),
            RemedySoftFreeze { id, entry, env } => pick(
                format!("move the window, or justify it: `relm release justify {id} --entry {entry} --reason TEXT`, and get an extra approval for {env}"),
                format!("déplacez la fenêtre, ou justifiez-la\u{a0}: `relm release justify {id} --entry {entry} --reason TEXTE`, et obtenez une approbation supplémentaire pour {env}"),
            ),
            RemedyExtraApproval { id, env } => pick(
                format!("one more approver: `relm approve {id} --env {env}`"),
                format!("un approbateur de plus\u{a0}: `relm approve {id} --env {env}`"),
            ),
            NoWindows { service, env } => pick(
                format!("no maintenance windows for {service} in {env}"),
                format!("aucune fenêtre de maintenance pour {service} en {env}"),
            ),
            InsideWindow { name } => pick(
                format!("inside the maintenance window {}", q(Lang::En, name)),
                format!("dans la fenêtre de maintenance {}", q(Lang::Fr, name)),
            ),
            OutsideWindows { env } => pick(
                format!("{env} has maintenance windows, and the planned window lies in none of them"),
                format!("{env} a des fenêtres de maintenance, et la fenêtre prévue n’est dans aucune"),
            ),
            RemedyIntoWindow => pick(
                "move the release into a maintenance window (`relm calendar list`)".into(),
                "placez la mise en production dans une fenêtre de maintenance (`relm calendar list`)".into(),
            ),
            Justified { by, at, text } => {
                let at = style.time(at);
                pick(
                format!("justified by {by} {at}: {text}"),
                format!("justifiée par {by} le {at}\u{a0}: {text}"),
            )
            }
            NoPolicy => pick(
                "no policy has been applied to this workspace; the built-in default was used".into(),
                "aucune politique n’a été appliquée à cet espace\u{a0}: la politique par défaut intégrée a été utilisée".into(),
            ),
            RemedyApplyPolicy => pick(
                "apply one: `relm policy apply FILE` (see docs/policy.md)".into(),
                "appliquez-en une\u{a0}: `relm policy apply FICHIER` (voir docs/policy.md)".into(),
            ),
            UnknownEnvironment { env } => pick(
                format!("{} is not an environment of the policy, so no rule could be checked", q(Lang::En, env)),
                format!("{} n’est pas un environnement de la politique\u{a0}: aucune règle n’a pu être vérifiée", q(Lang::Fr, env)),
            ),
            RemedyKnownEnvironment => pick(
                "use an environment listed in the policy, or add it there".into(),
                "utilisez un environnement de la politique, ou ajoutez-le".into(),
            ),
            NotTargeted { env } => pick(
                format!("the release does not target {env}"),
                format!("la mise en production ne vise pas {env}"),
            ),
            RemedyTarget { env } => pick(
                format!("add {env} to the release's environments"),
                format!("ajoutez {env} aux environnements de la mise en production"),
            ),
            Targets { list } => pick(format!("targets {list}"), format!("vise {list}")),
            EmergencyPath { rule } => pick(
                format!("emergency release: the break-glass path (rule {}) applies instead", q(Lang::En, rule)),
                format!("mise en production d’urgence\u{a0}: la procédure d’urgence (règle {}) s’applique à la place", q(Lang::Fr, rule)),
            ),
            RegoNoFindings => pick("no findings".into(), "aucune constatation".into()),
            RegoFailed { error } => pick(
                format!("the Rego rule could not be evaluated: {error}"),
                format!("la règle Rego n’a pas pu être évaluée\u{a0}: {error}"),
            ),
            RemedyFixRego => pick(
                "fix the rule in the policy and apply it again".into(),
                "corrigez la règle dans la politique et appliquez-la de nouveau".into(),
            ),
            RemedySeeRule => pick(
                "see the rule's description in the policy".into(),
                "voir la description de la règle dans la politique".into(),
            ),
            RiskLevelIs {
                level,
                method,
                score,
                factors,
            } => {
                let list = factors
                    .iter()
                    .map(|f| f.render(lang))
                    .collect::<Vec<_>>()
                    .join(", ");
                let q_method = method == "questionnaire";
                if factors.is_empty() {
                    pick(
                        format!("{level} risk: no factor adds points"),
                        format!(
                            "risque {}\u{a0}: aucun facteur n’ajoute de points",
                            words(lang, level)
                        ),
                    )
                } else {
                    pick(
                        format!(
                            "{level} risk: {} score {score} ({list})",
                            if q_method { "questionnaire" } else { "signals" }
                        ),
                        format!(
                            "risque {}\u{a0}: score {} {score} ({list})",
                            words(lang, level),
                            if q_method {
                                "du questionnaire"
                            } else {
                                "des signaux"
                            }
                        ),
                    )
                }
            }
            RiskLowered {
                level,
                from,
                name,
                reason,
            } => pick(
                format!("risk level lowered from {from} to {level} by {name}: {}", q(lang, reason)),
                format!(
                    "niveau de risque abaissé de {} à {} par {name}\u{a0}: {}",
                    words(lang, from),
                    words(lang, level),
                    q(lang, reason)
                ),
            ),
            RiskLoweringLapsed {
                level,
                from,
                now,
                name,
            } => pick(
                format!(
                    "{name}'s lowering to {level} (from {from}) no longer applies: the level is now {now}"
                ),
                format!(
                    "l’abaissement à {} (depuis {}) par {name} ne s’applique plus\u{a0}: le niveau est maintenant {}",
                    words(lang, level),
                    words(lang, from),
                    words(lang, now)
                ),
            ),
            All(parts) => parts
                .iter()
                .map(|m| m.render(style))
                .collect::<Vec<_>>()
                .join(if fr { "\u{202f}; " } else { "; " }),
            LinkedRisksBlock { n, min, list } => pick(
                format!(
                    "{n} open, unaccepted risk{} scored {min} or more linked to the release or its service: {list}",
                    plural(*n as u32)
                ),
                format!(
                    "{n} risque{p} ouvert{p} et non accepté{p} de score {min} ou plus lié{p} à la mise en production ou à son service\u{a0}: {list}",
                    p = pluriel(*n as u32)
                ),
            ),
            NoLinkedRisks { min } => pick(
                format!("no open, unaccepted risk scored {min} or more is linked"),
                format!("aucun risque ouvert et non accepté de score {min} ou plus n’y est lié"),
            ),
            SbomNoComponents => pick(
                "the release lists no components, so nothing says what it contains".into(),
                "la mise en production ne liste aucun composant\u{a0}: rien ne dit ce qu’elle contient".into(),
            ),
            SbomMissing { count, list } => pick(
                format!("no SBOM for {count} component{}: {list}", plural(*count)),
                format!("pas de SBOM pour {count} composant{}\u{a0}: {list}", pluriel(*count)),
            ),
            SbomDenied { count, list } => pick(
                format!(
                    "{count} package{} under a licence the policy denies: {list}",
                    plural(*count)
                ),
                format!(
                    "{count} paquet{} sous une licence que la politique refuse\u{a0}: {list}",
                    pluriel(*count)
                ),
            ),
            SbomDowngrade { count, list } => pick(
                format!(
                    "{count} package{} downgraded without a note: {list}",
                    plural(*count)
                ),
                format!(
                    "{count} paquet{} revenu{} à une version antérieure sans explication\u{a0}: {list}",
                    pluriel(*count),
                    pluriel(*count)
                ),
            ),
            SbomClear {
                components,
                packages,
            } => pick(
                format!(
                    "{components} SBOM{}, {packages} package{}: no denied licence, no unexplained downgrade",
                    plural(*components),
                    plural(*packages)
                ),
                format!(
                    "{components} SBOM, {packages} paquet{}\u{a0}: aucune licence refusée, aucun retour de version inexpliqué",
                    pluriel(*packages)
                ),
            ),
            RemedyComponents { id } => pick(
                format!("list the release's components: `relm release update {id} --component 'NAME|VERSION'`"),
                format!("listez les composants de la mise en production\u{a0}: `relm release update {id} --component 'NOM|VERSION'`"),
            ),
            RemedyAttachSbom { id, component } => pick(
                format!("attach its SBOM: `relm sbom attach {id} --component {component} FILE`"),
                format!("joignez sa SBOM\u{a0}: `relm sbom attach {id} --component {component} FICHIER`"),
            ),
            RemedyDenied { id } => pick(
                format!("replace those packages, or change the policy's deny list; see `relm sbom show {id}`"),
                format!("remplacez ces paquets, ou changez la liste de licences refusées de la politique\u{202f}; voir `relm sbom show {id}`"),
            ),
            RemedyDowngradeNote { id } => pick(
                format!("say why in the release's description or one of its changes, naming the package: `relm release update {id} --description …`"),
                format!("expliquez pourquoi dans la description de la mise en production ou l’un de ses changements, en nommant le paquet\u{a0}: `relm release update {id} --description …`"),
            ),
            ReviewsInTime { service } => pick(
                format!("{service}'s earlier releases are reviewed and followed up in time"),
                format!("les mises en production précédentes de {service} sont revues et suivies à temps"),
            ),
            ReviewsOverdue { count, list } => pick(
                if *count == 1 {
                    format!("a mandatory review is overdue: {list}")
                } else {
                    format!("{count} mandatory reviews are overdue: {list}")
                },
                if *count == 1 {
                    format!("une revue obligatoire est en retard\u{a0}: {list}")
                } else {
                    format!("{count} revues obligatoires sont en retard\u{a0}: {list}")
                },
            ),
            ActionsOverdue { count, list } => pick(
                if *count == 1 {
                    format!("a review action is overdue: {list}")
                } else {
                    format!("{count} review actions are overdue: {list}")
                },
                if *count == 1 {
                    format!("une action de revue est en retard\u{a0}: {list}")
                } else {
                    format!("{count} actions de revue sont en retard\u{a0}: {list}")
                },
            ),
            RemedyReview { id } => pick(
                format!("review it and sign it off: `relm review show {id}`, then `relm review sign {id}`"),
                format!("faites la revue et signez-la\u{a0}: `relm review show {id}`, puis `relm review sign {id}`"),
            ),
            RemedyActions { id } => pick(
                format!("do it or say it is done: `relm action done {id}`"),
                format!("faites-la ou indiquez qu’elle est faite\u{a0}: `relm action done {id}`"),
            ),
            RemedyLinkedRisks { id } => pick(
                format!("mitigate, accept or close them: `relm risk show {id}`"),
                format!("réduisez-les, acceptez-les ou clôturez-les\u{a0}: `relm risk show {id}`"),
            ),
            OtherTeam { name, team } => pick(
                format!("{name} approved from another team ({team})"),
                format!("{name} a approuvé depuis une autre équipe ({team})"),
            ),
            OtherTeamMissing { team } => {
                if team.is_empty() {
                    pick(
                        "no counted approval comes from another team than the owner's (the owner is in no team)".into(),
                        "aucune approbation retenue ne vient d’une autre équipe que celle du responsable (il n’est dans aucune équipe)".into(),
                    )
                } else {
                    pick(
                        format!("no counted approval comes from another team than the owner's ({team})"),
                        format!("aucune approbation retenue ne vient d’une autre équipe que celle du responsable ({team})"),
                    )
                }
            }
            RemedyOtherTeam { id, env, team } => {
                if team.is_empty() {
                    pick(
                        format!("put the owner in a team (`relm member team`), then ask an approver from another team: `relm approve {id} --env {env}`"),
                        format!("placez le responsable dans une équipe (`relm member team`), puis demandez à un approbateur d’une autre équipe\u{a0}: `relm approve {id} --env {env}`"),
                    )
                } else {
                    pick(
                        format!("an approver outside {team} to approve: `relm approve {id} --env {env}`"),
                        format!("un approbateur hors de l’équipe {team} doit approuver\u{a0}: `relm approve {id} --env {env}`"),
                    )
                }
            }
        }
    }
}
