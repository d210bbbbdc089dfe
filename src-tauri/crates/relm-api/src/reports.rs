//! Reports built from the ledger: the release dossier (docs/reports.md).
//!
//! The facts come from the same use-cases the CLI and the app show; the report engine
//! (`relm-report`) lays them out. Every time is shown in the report's zone with its
//! abbreviation, and the zone is named on the cover.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use relm_domain::keys::KeyId;
use relm_domain::payload::EventBody;
use relm_domain::{Reason, ReasonCode};
use relm_report::{Block, Column, Document, Lang as ReportLang, Section, Table};
use relm_store::evidence;

use crate::error::{ApiError, ErrorCode, Result};
use crate::gates::CheckRequest;
use crate::session::Relm;

/// How a report is made: its language, the zone its times are shown in, and when it is made
/// (from `SOURCE_DATE_EPOCH` when set, for reproducible files; else the clock).
#[derive(Debug, Clone)]
pub struct ReportOptions {
    pub lang: ReportLang,
    /// An IANA zone; the release window's zone, else UTC, when absent.
    pub zone: Option<String>,
    pub at: DateTime<Utc>,
}

/// The time a report is made: `SOURCE_DATE_EPOCH` (Unix seconds) when it is set, else `now`.
pub fn report_time(now: DateTime<Utc>) -> Result<DateTime<Utc>> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) if !v.trim().is_empty() => v
            .trim()
            .parse::<i64>()
            .ok()
            .and_then(|s| DateTime::from_timestamp(s, 0))
            .ok_or_else(|| {
                ApiError::validation(format!(
                    "SOURCE_DATE_EPOCH is `{v}`, not a number of seconds since 1970; set it to one (e.g. `git log -1 --format=%ct`) or unset it"
                ))
            }),
        _ => Ok(now),
    }
}

/// A release's dossier, with the evidence it rests on.
#[derive(Debug)]
pub struct Dossier {
    pub document: Document,
    /// The releases it covers.
    pub releases: Vec<String>,
    /// The ledger events the dossier's facts rest on (their causal closure), as the pack's
    /// `events.ndjson`; the document's digest is this file's.
    pub events_file: Vec<u8>,
    pub events: usize,
}

pub(crate) struct Words {
    pub(crate) lang: ReportLang,
    pub(crate) tz: Tz,
}

impl Words {
    pub(crate) fn t(&self, en: &str, fr: &str) -> String {
        match self.lang {
            ReportLang::En => en.to_string(),
            ReportLang::Fr => fr.to_string(),
        }
    }

    /// An RFC 3339 time in the report's zone, with the zone's abbreviation.
    pub(crate) fn when(&self, s: &str) -> String {
        match DateTime::parse_from_rfc3339(s) {
            Ok(t) => t
                .with_timezone(&self.tz)
                .format("%Y-%m-%d %H:%M %Z")
                .to_string(),
            Err(_) => s.to_string(),
        }
    }

    pub(crate) fn yes_no(&self, b: bool) -> String {
        if b {
            self.t("yes", "oui")
        } else {
            self.t("no", "non")
        }
    }

    pub(crate) fn none(&self) -> String {
        "—".into()
    }

    /// A built-in rule by its label ("Préavis"), another by its id (the same names as the app).
    pub(crate) fn rule(&self, id: &str) -> String {
        let (en, fr) = match id {
            "approvals" => ("Approvals", "Approbations"),
            "escalation" => ("Escalation", "Escalade"),
            "notice" => ("Notice", "Préavis"),
            "evidence" => ("Evidence", "Preuves"),
            "rollback" => ("Rollback", "Retour arrière"),
            "promotion" => ("Promotion", "Promotion"),
            "emergency" => ("Emergency", "Urgence"),
            "freeze" => ("Freeze", "Gel"),
            "window" => ("Window", "Fenêtre"),
            "policy" => ("Policy", "Politique"),
            "risk" => ("Risk", "Risque"),
            "risk-level" => ("Risk level", "Niveau de risque"),
            "risk-rehearsal" => ("Rehearsal (high risk)", "Répétition (risque élevé)"),
            "risk-critical" => ("Critical risk", "Risque critique"),
            "risk-register" => ("Risk register", "Registre des risques"),
            "review" => ("Review", "Revue"),
            other => return other.to_string(),
        };
        self.t(en, fr)
    }

    /// What an event of `kind` records, as a reader says it.
    pub(crate) fn event(&self, kind: &str) -> String {
        let (en, fr) = match kind {
            "workspace.created" => ("workspace created", "espace de travail créé"),
            "member.added" => ("member added", "membre ajouté"),
            "member.roles_set" => ("roles changed", "rôles modifiés"),
            "member.removed" => ("member removed", "membre retiré"),
            "member.team_set" => ("team changed", "équipe modifiée"),
            "release.created" => ("release created", "mise en production créée"),
            "release.updated" => ("release edited", "mise en production modifiée"),
            "release.status_changed" => ("status changed", "statut modifié"),
            "policy.applied" => ("policy applied", "politique appliquée"),
            "approval.recorded" => ("decision recorded", "décision enregistrée"),
            "deployment.recorded" => ("deployment recorded", "déploiement enregistré"),
            "rollback.rehearsed" => ("rollback rehearsed", "retour arrière répété"),
            "rollback.planned" => ("rollback planned", "retour arrière planifié"),
            "rollback.recorded" => ("rollback recorded", "retour arrière enregistré"),
            "emergency.declared" => ("emergency declared", "urgence déclarée"),
            "freeze.justified" => ("soft freeze justified", "gel souple justifié"),
            "risk.answered" => ("risk question answered", "question de risque répondue"),
            "release.risk_lowered" => ("risk level lowered", "niveau de risque abaissé"),
            "review.updated" => ("review written", "revue rédigée"),
            "review.signed" => ("review signed off", "revue validée"),
            "action.added" => ("action added", "action ajoutée"),
            "action.done" => ("action done", "action faite"),
            "report.exported" => ("report exported", "rapport exporté"),
            "deployments.imported" => ("deployments imported", "déploiements importés"),
            "sbom.attached" => ("SBOM attached", "nomenclature logicielle (SBOM) jointe"),
            "platform.written" => (
                "decision delivered to the platform",
                "décision transmise à la plateforme",
            ),
            other => return other.to_string(),
        };
        self.t(en, fr)
    }

    /// A share as a percentage with one decimal (`12.5%`, `12,5 %`), a dash for none.
    pub(crate) fn percent(&self, share: Option<f64>) -> String {
        share.map_or_else(
            || self.none(),
            |v| {
                let s = format!("{:.1}", 100.0 * v);
                match self.lang {
                    ReportLang::En => format!("{s}%"),
                    ReportLang::Fr => format!("{}\u{a0}%", s.replace('.', ",")),
                }
            },
        )
    }

    /// Hours with one decimal (`3.5 h`, `3,5 h`), a dash for none.
    pub(crate) fn hours(&self, hours: Option<f64>) -> String {
        hours.map_or_else(
            || self.none(),
            |v| {
                let s = format!("{v:.1}");
                match self.lang {
                    ReportLang::En => format!("{s}\u{a0}h"),
                    ReportLang::Fr => format!("{}\u{a0}h", s.replace('.', ",")),
                }
            },
        )
    }

    /// `s` between the language's quotation marks.
    pub(crate) fn quote(&self, s: &str) -> String {
        match self.lang {
            ReportLang::En => format!("“{s}”"),
            ReportLang::Fr => format!("«\u{a0}{s}\u{a0}»"),
        }
    }

    /// `a: b`, with the space French puts before the colon.
    pub(crate) fn colon(&self, a: &str, b: &str) -> String {
        match self.lang {
            ReportLang::En => format!("{a}: {b}"),
            ReportLang::Fr => format!("{a}\u{a0}: {b}"),
        }
    }

    /// A wire word (a status, a level, an outcome…) as a reader says it.
    pub(crate) fn word(&self, wire: &str) -> String {
        if self.lang == ReportLang::En {
            return wire.replace('_', " ");
        }
        match wire {
            "draft" => "brouillon",
            "planned" => "planifiée",
            "approved" => "approuvée",
            "deploying" => "en déploiement",
            "deployed" => "déployée",
            "reviewed" => "revue",
            "cancelled" => "annulée",
            "rolled_back" => "retour arrière",
            "failed" => "en échec",
            "standard" => "standard",
            "normal" => "normal",
            "emergency" => "urgence",
            "low" => "faible",
            "medium" => "moyen",
            "high" => "élevé",
            "critical" => "critique",
            "pass" => "conforme",
            "fail" => "non conforme",
            "warn" => "avertissement",
            "not_applicable" => "sans objet",
            "succeeded" => "réussi",
            "succeeded_with_issues" => "réussi avec incidents",
            "partial" => "partiel",
            "no_plan" => "aucun plan",
            "rehearsal_failed" => "répétition échouée",
            "rehearsed" => "répété",
            "missing" => "absente",
            "signed" => "validée",
            "open" => "ouvert",
            "accepted" => "accepté",
            "closed" => "clos",
            "mitigating" => "en traitement",
            "approve" => "approuve",
            "reject" => "refuse",
            "passed" => "réussie",
            "allowed" => "autorisée",
            "allowed_with_warnings" => "autorisée avec avertissements",
            "blocked" => "bloquée",
            "deviation" => "écart",
            "security" => "sécurité",
            "technical" => "technique",
            "compliance" => "conformité",
            "business" => "métier",
            "operational" => "opérationnel",
            "schedule" => "calendrier",
            "admin" => "administrateur",
            "release_manager" => "responsable de mise en production",
            "approver" => "approbateur",
            "auditor" => "auditeur",
            other => return other.replace('_', " "),
        }
        .to_string()
    }
}

/// What a report's evidence is drawn from.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Rests {
    Release,
    Period,
}

/// The verification appendix: where the facts come from, the evidence and its digest.
pub(crate) fn verification(
    w: &Words,
    rests: Rests,
    events: usize,
    digest: &str,
    workspace: &str,
) -> Section {
    let (what_en, what_fr, of_en, of_fr) = match rests {
        Rests::Release => (
            "dossier",
            "ce dossier",
            "the release",
            "la mise en production",
        ),
        Rests::Period => (
            "report",
            "ce rapport",
            "the period's releases",
            "les mises en production de la période",
        ),
    };
    Section::new(
        w.t("Verification", "Vérification"),
        vec![
            Block::paragraph(w.t(
                &format!("Every fact in this {what_en} comes from signed events of the workspace's ledger. The events it rests on — those about {of_en}, every earlier event of their authors, and everything those authors had seen when they signed, including the membership and policy events that gave each signer their role — form the evidence below; its digest is printed at the foot of every page."),
                &format!("Chaque fait de {what_fr} provient d’événements signés du registre de l’espace de travail. Les événements sur lesquels il repose — ceux concernant {of_fr}, tous les événements antérieurs de leurs auteurs, et tout ce que ces auteurs avaient vu en signant, y compris les événements d’adhésion et de politique qui ont donné son rôle à chaque signataire — forment les preuves ci-dessous ; leur empreinte figure au pied de chaque page."),
            )),
            Block::key_values([
                (w.t("Events", "Événements"), events.to_string()),
                (w.t("Evidence digest", "Empreinte des preuves"), digest.to_string()),
                (w.t("Workspace", "Espace de travail"), workspace.to_string()),
            ]),
        ],
    )
}

/// Who made a report, where, when and from what.
pub(crate) struct Made<'a> {
    pub workspace: String,
    pub by: String,
    pub at: &'a str,
    pub zone: &'a str,
    pub events: usize,
    pub digest: &'a str,
}

/// The last lines of a report's cover: workspace, author, time, zone, the policy (`label`,
/// version) and the evidence.
pub(crate) fn cover_lines(
    w: &Words,
    made: &Made<'_>,
    (label, version): (String, u32),
) -> Vec<(String, String)> {
    vec![
        (
            w.t("Workspace", "Espace de travail"),
            made.workspace.clone(),
        ),
        (w.t("Generated by", "Produit par"), made.by.clone()),
        (w.t("Generated", "Produit le"), w.when(made.at)),
        (
            w.t("Times shown in", "Heures exprimées en"),
            made.zone.to_string(),
        ),
        (label, version.to_string()),
        (
            w.t("Evidence", "Preuves"),
            format!(
                "{} {} — {}",
                made.events,
                w.t("ledger events", "événements du registre"),
                made.digest
            ),
        ),
    ]
}

pub(crate) fn table(columns: Vec<Column>, rows: Vec<Vec<String>>) -> Block {
    Block::Table(Table { columns, rows })
}

impl Relm {
    /// The dossier of `release`.
    pub fn release_dossier(&self, release: &str, opts: &ReportOptions) -> Result<Dossier> {
        let id = self.resolve_release(release)?;
        let row = self.release(&id)?;
        let zone = opts
            .zone
            .clone()
            .or_else(|| row.fields.window.as_ref().map(|w| w.tz.clone()))
            .unwrap_or_else(|| "UTC".into());
        let tz = relm_domain::window::parse_zone(&zone)?;
        let w = Words {
            lang: opts.lang,
            tz,
        };
        let conn = self.store.conn();
        let people = relm_store::projection::governance::people(conn)?;
        let name = |k: &str| {
            people
                .get(&KeyId(k.to_string()))
                .map(|p| p.name.clone())
                .unwrap_or_else(|| k.to_string())
        };
        let roles = |k: &str| {
            people
                .get(&KeyId(k.to_string()))
                .map(|p| {
                    p.roles
                        .iter()
                        .map(|r| w.word(r.as_str()))
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default()
        };
        let (workspace_id, workspace_name) = self.workspace()?;
        let me = self.identity()?.member;
        let f = &row.fields;
        let closure = evidence::closure_of_entity(conn, &id, Some(me.key_id.as_str()))?;
        let (events_file, events) = evidence::events_file(conn, &closure)?;
        let digest = evidence::digest(&events_file);
        let policy_lang = match opts.lang {
            ReportLang::En => relm_policy::Lang::En,
            ReportLang::Fr => relm_policy::Lang::Fr,
        };
        let at = relm_domain::window::fmt_utc(opts.at);
        // Judged to the millisecond: an approval signed in the same second, before the report,
        // counts.
        let exact = opts.at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        // Each environment judged when the release was first deployed there (what allowed it
        // out), else now.
        let deployments = self.deployments(&crate::deployments::DeploymentQuery {
            release: Some(id.clone()),
            ..Default::default()
        })?;
        let judged_at = |env: &str| {
            deployments
                .iter()
                .filter(|d| d.record.environment == env)
                .map(|d| d.record.started_at.clone())
                .min()
        };
        let judge = |env: &String, when: String| {
            self.check(&CheckRequest {
                release: Some(id.clone()),
                environment: env.clone(),
                at: Some(when),
                lang: policy_lang,
                zone: Some(zone.clone()),
                ..CheckRequest::default()
            })
        };
        let verdicts = f
            .environments
            .iter()
            .map(|env| judge(env, judged_at(env).unwrap_or_else(|| exact.clone())))
            .collect::<Result<Vec<_>>>()?;
        // The approvals as they stand now (latest per person), with whether each still matches
        // the release.
        let current = f
            .environments
            .iter()
            .map(|env| judge(env, exact.clone()))
            .collect::<Result<Vec<_>>>()?;
        let policy_version = verdicts.first().map(|v| v.policy_version).unwrap_or(0);
        let window = f.window.as_ref().map_or_else(
            || w.t("not planned", "non planifiée"),
            |win| {
                format!(
                    "{} → {}",
                    w.when(&relm_domain::window::fmt_utc(win.start)),
                    w.when(&relm_domain::window::fmt_utc(win.end))
                )
            },
        );
        let mut sections = Vec::new();

        // Cover.
        sections.push(Section::new(
            format!("{} {} — {}", f.service, f.version, f.title),
            vec![Block::key_values(
                [
                    (w.t("Release", "Mise en production"), id.clone()),
                    (w.t("Service", "Service"), f.service.clone()),
                    (w.t("Version", "Version"), f.version.clone()),
                    (w.t("Status", "Statut"), w.word(row.status.as_str())),
                    (
                        w.t("Change type", "Type de changement"),
                        w.word(f.change_type.as_str()),
                    ),
                    (w.t("Owner", "Responsable"), name(&f.owner.0)),
                    (
                        w.t("Environments", "Environnements"),
                        f.environments.join(", "),
                    ),
                    (w.t("Planned window", "Fenêtre prévue"), window.clone()),
                ]
                .into_iter()
                .chain(cover_lines(
                    &w,
                    &Made {
                        workspace: format!("{workspace_name} ({})", workspace_id.0),
                        by: format!("{} ({})", me.name, me.fingerprint),
                        at: &at,
                        zone: &zone,
                        events,
                        digest: &digest,
                    },
                    (
                        w.t("Policy version", "Version de la politique"),
                        policy_version,
                    ),
                )),
            )],
        ));

        // Summary.
        let mut summary = Vec::new();
        if !f.description.trim().is_empty() {
            summary.push(Block::paragraph(f.description.clone()));
        }
        summary.push(table(
            vec![
                Column::new(w.t("Environment", "Environnement"), 1.0),
                Column::new(w.t("Verdict", "Verdict"), 1.2),
                Column::new(w.t("Approvals counted", "Approbations retenues"), 1.0).right(),
                Column::new(w.t("Risk", "Risque"), 0.8),
            ],
            verdicts
                .iter()
                .map(|v| {
                    vec![
                        v.environment.clone(),
                        outcome_words(&w, v.outcome),
                        v.approvals.iter().filter(|a| a.counts).count().to_string(),
                        w.word(v.risk.level.level.as_str()),
                    ]
                })
                .collect(),
        ));
        sections.push(Section::new(w.t("Summary", "Synthèse"), summary));

        // Components and changes.
        let mut parts = Vec::new();
        if f.components.is_empty() && f.changes.is_empty() && f.evidence.is_empty() {
            parts.push(Block::note(w.t(
                "No components, changes or evidence were recorded for this release.",
                "Aucun composant, changement ni preuve n’a été enregistré pour cette mise en production.",
            )));
        }
        if !f.components.is_empty() {
            parts.push(Block::heading(w.t("Components", "Composants")));
            parts.push(table(
                vec![
                    Column::new(w.t("Name", "Nom"), 1.2),
                    Column::new("Version", 0.8),
                    Column::new(w.t("Digest", "Empreinte"), 2.4),
                ],
                f.components
                    .iter()
                    .map(|c| {
                        vec![
                            c.name.clone(),
                            c.version.clone(),
                            c.digest.clone().unwrap_or_else(|| w.none()),
                        ]
                    })
                    .collect(),
            ));
        }
        if !f.changes.is_empty() {
            parts.push(Block::heading(w.t("Changes", "Changements")));
            parts.push(table(
                vec![
                    Column::new("Id", 0.8),
                    Column::new(w.t("Title", "Titre"), 2.2),
                    Column::new(w.t("Author", "Auteur"), 1.0),
                ],
                f.changes
                    .iter()
                    .map(|c| {
                        vec![
                            c.id.clone(),
                            c.title.clone(),
                            c.author.clone().unwrap_or_else(|| w.none()),
                        ]
                    })
                    .collect(),
            ));
        }
        if !f.evidence.is_empty() {
            parts.push(Block::heading(w.t("Evidence", "Preuves")));
            parts.push(table(
                vec![
                    Column::new(w.t("Name", "Nom"), 1.0),
                    Column::new(w.t("Link or digest", "Lien ou empreinte"), 3.0),
                ],
                f.evidence
                    .iter()
                    .map(|e| {
                        vec![
                            e.name.clone(),
                            e.link
                                .clone()
                                .or_else(|| e.digest.clone())
                                .unwrap_or_else(|| w.none()),
                        ]
                    })
                    .collect(),
            ));
        }
        sections.push(Section::new(
            w.t("Components and changes", "Composants et changements"),
            parts,
        ));

        // Risk.
        let risk = self.release_risk(&id)?;
        let mut blocks = Vec::new();
        if let Some(v) = verdicts.first() {
            blocks.push(Block::key_values([
                (w.t("Level", "Niveau"), w.word(v.risk.level.level.as_str())),
                (w.t("Score", "Score"), v.risk.score.to_string()),
            ]));
            blocks.push(Block::paragraph(v.risk.decided_by.clone()));
        }
        if risk.assessment.factors.is_empty() {
            blocks.push(Block::note(w.t(
                "No risk factor added points.",
                "Aucun facteur de risque n’a ajouté de points.",
            )));
        } else {
            blocks.push(table(
                vec![
                    Column::new(w.t("Factor", "Facteur"), 2.0),
                    Column::new("Points", 0.5).right(),
                    Column::new(w.t("Method", "Méthode"), 1.2),
                ],
                risk.assessment
                    .factors
                    .iter()
                    .map(|x| {
                        vec![
                            x.name.replace('_', " "),
                            x.points.to_string(),
                            format!("{:?}", x.source).to_lowercase(),
                        ]
                    })
                    .collect(),
            ));
        }
        blocks.push(Block::heading(w.t("Linked risks", "Risques liés")));
        if risk.linked.is_empty() {
            blocks.push(Block::note(w.t(
                "No open risk of the register is linked to this release or its service.",
                "Aucun risque ouvert du registre n’est lié à cette mise en production ou à son service.",
            )));
        } else {
            blocks.push(table(
                vec![
                    Column::new(w.t("Risk", "Risque"), 2.0),
                    Column::new(
                        w.t(
                            "Heat map (likelihood × impact)",
                            "Carte (probabilité × impact)",
                        ),
                        1.4,
                    ),
                    Column::new(w.t("Score", "Score"), 0.5).right(),
                    Column::new(w.t("Status", "Statut"), 0.8),
                ],
                risk.linked
                    .iter()
                    .map(|r| {
                        vec![
                            format!("{} — {}", r.id, r.fields.title),
                            format!("{} × {}", r.fields.likelihood, r.fields.impact),
                            r.score.to_string(),
                            w.word(r.status.as_str()),
                        ]
                    })
                    .collect(),
            ));
        }
        sections.push(Section::new(
            w.t("Risk assessment", "Évaluation des risques"),
            blocks,
        ));

        // Gates.
        let mut blocks = vec![Block::note(format!(
            "{} {policy_version}. {}",
            w.t("Policy version", "Version de la politique"),
            w.t(
                "Each environment is judged when the release was first deployed there, else when this dossier was made; rules that do not apply to it are counted, not listed.",
                "Chaque environnement est jugé au premier déploiement de la mise en production dans cet environnement, sinon à la date de ce dossier ; les règles sans objet sont comptées, pas détaillées.",
            )
        ))];
        for v in &verdicts {
            blocks.push(Block::heading(format!(
                "{} — {} ({})",
                v.environment,
                outcome_words(&w, v.outcome),
                w.when(&v.at)
            )));
            let applicable: Vec<&relm_policy::Line> = v
                .rules
                .iter()
                .filter(|l| l.status != relm_policy::LineStatus::NotApplicable)
                .collect();
            let skipped = v.rules.len() - applicable.len();
            if !applicable.is_empty() {
                blocks.push(table(
                    vec![
                        Column::new(w.t("Rule", "Règle"), 1.0),
                        Column::new(w.t("Result", "Résultat"), 0.7),
                        Column::new(w.t("Reason", "Motif"), 3.1),
                    ],
                    applicable
                        .iter()
                        .map(|l| vec![w.rule(&l.rule), w.word(l.status.as_str()), l.reason.clone()])
                        .collect(),
                ));
            }
            if skipped > 0 {
                blocks.push(Block::note(match (w.lang, skipped) {
                    (ReportLang::En, 1) => "1 rule does not apply to this environment.".to_string(),
                    (ReportLang::En, n) => format!("{n} rules do not apply to this environment."),
                    (ReportLang::Fr, 1) => {
                        "1\u{a0}règle sans objet pour cet environnement.".to_string()
                    }
                    (ReportLang::Fr, n) => {
                        format!("{n}\u{a0}règles sans objet pour cet environnement.")
                    }
                }));
            }
        }
        sections.push(Section::new(
            w.t("Gate verdicts", "Verdicts des contrôles"),
            blocks,
        ));

        // Approvals.
        let approvals: Vec<Vec<String>> = current
            .iter()
            .flat_map(|v| v.approvals.iter().chain(v.authorizations.iter()))
            .map(|a| {
                let fingerprint = self
                    .member(&a.by)
                    .map(|m| m.fingerprint)
                    .unwrap_or_else(|_| a.by.clone());
                vec![
                    a.name.clone(),
                    roles(&a.by),
                    format!("{} ({})", w.word(&a.decision), a.environment),
                    w.when(&a.at),
                    if a.comment.is_empty() {
                        w.none()
                    } else {
                        a.comment.clone()
                    },
                    fingerprint,
                    w.yes_no(a.fresh),
                    a.reason.clone(),
                ]
            })
            .collect();
        sections.push(Section::new(
            w.t("Approvals", "Approbations"),
            if approvals.is_empty() {
                vec![Block::note(w.t(
                    "Nobody has approved or rejected this release yet.",
                    "Personne n’a encore approuvé ni refusé cette mise en production.",
                ))]
            } else {
                vec![table(
                    vec![
                        Column::new(w.t("Approver", "Approbateur"), 1.0),
                        Column::new(w.t("Role", "Rôle"), 1.05),
                        Column::new(w.t("Decision", "Décision"), 0.9),
                        Column::new(w.t("When", "Quand"), 1.0),
                        Column::new(w.t("Comment", "Commentaire"), 1.2),
                        Column::new(w.t("Key", "Clé"), 1.05),
                        Column::new(w.t("Current", "À jour"), 0.7),
                        Column::new(w.t("Counted", "Retenue"), 1.2),
                    ],
                    approvals,
                )]
            },
        ));

        // Calendar context, from the review's timeline (drafted once, with the review).
        let review = self.review(&id)?;
        let timeline = &review.timeline;
        let mut context = vec![Block::key_values([(
            w.t("Planned window", "Fenêtre prévue"),
            window,
        )])];
        let lines: Vec<Vec<String>> = timeline
            .iter()
            .filter_map(|e| {
                let p = |k: &str| e.params.get(k).cloned().unwrap_or_default();
                let what = match e.kind.as_str() {
                    "freeze" => {
                        let hard = p("hard") == "true";
                        format!(
                            "{} {} {} {}",
                            if hard {
                                w.t("Hard freeze", "Gel strict")
                            } else {
                                w.t("Soft freeze", "Gel souple")
                            },
                            w.quote(&p("name")),
                            w.t("until", "jusqu’au"),
                            w.when(&p("end"))
                        )
                    }
                    "override" => w.colon(
                        &w.t("Override", "Dérogation"),
                        &format!(
                            "{} → {} ({}) — {}",
                            w.word(&p("from")),
                            w.word(&p("to")),
                            p("by"),
                            p("note")
                        ),
                    ),
                    "justification" => format!(
                        "{} ({}) — {}",
                        w.t("Soft freeze justified", "Gel souple justifié"),
                        p("by"),
                        p("justification")
                    ),
                    "break_glass" => format!(
                        "{} {} ({}) — {}",
                        w.t("Emergency declared", "Urgence déclarée"),
                        p("incident"),
                        p("by"),
                        p("reason")
                    ),
                    _ => return None,
                };
                Some(vec![w.when(&e.at), what])
            })
            .collect();
        if lines.is_empty() {
            context.push(Block::note(w.t(
                "No freeze around the window, no override, justification or emergency.",
                "Aucun gel autour de la fenêtre, aucune dérogation, justification ni urgence.",
            )));
        } else {
            context.push(table(
                vec![
                    Column::new(w.t("When", "Quand"), 1.0),
                    Column::new(w.t("What", "Quoi"), 3.4),
                ],
                lines,
            ));
        }
        sections.push(Section::new(
            w.t("Calendar context", "Contexte du calendrier"),
            context,
        ));

        // Deployments.
        sections.push(Section::new(
            w.t("Deployments and deviations", "Déploiements et écarts"),
            if deployments.is_empty() {
                vec![Block::note(w.t(
                    "No deployment has been recorded yet.",
                    "Aucun déploiement n’a encore été enregistré.",
                ))]
            } else {
                vec![table(
                    vec![
                        Column::new(w.t("Environment", "Environnement"), 1.05),
                        Column::new(w.t("Outcome", "Résultat"), 0.8),
                        Column::new(w.t("Start", "Début"), 1.0),
                        Column::new(w.t("End", "Fin"), 1.0),
                        Column::new(w.t("By, tool", "Par, outil"), 1.0),
                        Column::new(w.t("Deviations", "Écarts"), 2.0),
                    ],
                    deployments
                        .iter()
                        .rev()
                        .map(|d| {
                            vec![
                                d.record.environment.clone(),
                                if d.record.recorded_outcome == d.record.outcome {
                                    w.word(d.record.outcome.as_str())
                                } else {
                                    format!(
                                        "{} → {}",
                                        w.word(d.record.recorded_outcome.as_str()),
                                        w.word(d.record.outcome.as_str())
                                    )
                                },
                                w.when(&d.record.started_at),
                                w.when(&d.record.ended_at),
                                if d.record.tool.is_empty() {
                                    d.recorded_by_name.clone()
                                } else {
                                    format!("{}, {}", d.recorded_by_name, d.record.tool)
                                },
                                if d.deviation_reasons.is_empty() {
                                    w.none()
                                } else {
                                    d.record
                                        .deviations
                                        .iter()
                                        .map(|x| deviation_words(&w, x))
                                        .collect::<Vec<_>>()
                                        .join("; ")
                                },
                            ]
                        })
                        .collect(),
                )]
            },
        ));

        // Rollback.
        let rb = self.rollback(&id)?;
        let mut blocks = vec![Block::key_values([(
            w.t("Readiness", "Préparation"),
            match rb.readiness {
                relm_policy::facts::Readiness::NoPlan => w.t("no plan", "aucun plan"),
                relm_policy::facts::Readiness::Planned => {
                    w.t("planned, not rehearsed", "plan rédigé, non répété")
                }
                relm_policy::facts::Readiness::RehearsalFailed => w.t(
                    "the last rehearsal failed",
                    "la dernière répétition a échoué",
                ),
                relm_policy::facts::Readiness::Rehearsed => w.t("rehearsed", "répété"),
            },
        )])];
        match &rb.plan {
            Some(p) => blocks.push(Block::key_values([
                (
                    w.t("Previous good version", "Dernière version saine"),
                    p.plan.previous_version.clone(),
                ),
                (w.t("Steps", "Étapes"), p.plan.steps.clone()),
                (
                    w.t("Data changes reversible", "Données réversibles"),
                    w.yes_no(p.plan.reversible),
                ),
                (
                    w.t("Forward fix", "Correctif en avant"),
                    if p.plan.forward_fix.is_empty() {
                        w.none()
                    } else {
                        p.plan.forward_fix.clone()
                    },
                ),
                (
                    w.t("Written", "Rédigé"),
                    format!("{} ({})", w.when(&p.at), name(&p.by)),
                ),
            ])),
            None if !rb.plan_text.trim().is_empty() => {
                blocks.push(Block::paragraph(rb.plan_text.clone()))
            }
            None => blocks.push(Block::note(w.t(
                "No rollback plan has been written.",
                "Aucun plan de retour arrière n’a été rédigé.",
            ))),
        }
        if rb.rehearsals.is_empty() {
            blocks.push(Block::note(w.t(
                "The rollback has not been rehearsed.",
                "Le retour arrière n’a pas été répété.",
            )));
        } else {
            blocks.push(table(
                vec![
                    Column::new(w.t("Rehearsed", "Répété le"), 1.0),
                    Column::new(w.t("Environment", "Environnement"), 1.05),
                    Column::new(w.t("Result", "Résultat"), 0.6),
                    Column::new(w.t("Evidence", "Preuve"), 2.2),
                ],
                rb.rehearsals
                    .iter()
                    .map(|r| {
                        vec![
                            w.when(&r.at),
                            r.environment.clone().unwrap_or_else(|| w.none()),
                            w.word(r.result.as_str()),
                            r.link
                                .clone()
                                .or_else(|| r.evidence_digest.clone())
                                .unwrap_or_else(|| w.none()),
                        ]
                    })
                    .collect(),
            ));
        }
        if !rb.rollbacks.is_empty() {
            blocks.push(Block::heading(
                w.t("Rollbacks", "Retours arrière effectués"),
            ));
            blocks.push(table(
                vec![
                    Column::new(w.t("When", "Quand"), 1.0),
                    Column::new(w.t("Environment", "Environnement"), 1.05),
                    Column::new(w.t("To version", "Vers la version"), 0.8),
                    Column::new(w.t("Reason", "Motif"), 1.6),
                    Column::new(w.t("Plan followed", "Plan suivi"), 0.8),
                ],
                rb.rollbacks
                    .iter()
                    .map(|r| {
                        vec![
                            w.when(&r.at),
                            r.environment.clone(),
                            r.to_version.clone(),
                            r.reason.clone(),
                            w.yes_no(r.plan_event.is_some()),
                        ]
                    })
                    .collect(),
            ));
        }
        sections.push(Section::new(
            w.t("Rollback readiness", "Retour arrière"),
            blocks,
        ));

        // Review.
        let mut blocks = Vec::new();
        if review.digest.is_none() {
            blocks.push(Block::note(if review.required {
                w.t(
                    "The post-release review is mandatory and has not been written yet.",
                    "La revue post-déploiement est obligatoire et n’a pas encore été rédigée.",
                )
            } else {
                w.t(
                    "No post-release review was required or written.",
                    "Aucune revue post-déploiement n’était requise ni rédigée.",
                )
            }));
        } else {
            blocks.push(Block::key_values([
                (
                    w.t("Status", "Statut"),
                    w.word(&format!("{:?}", review.status).to_lowercase()),
                ),
                (
                    w.t("Outcome", "Bilan"),
                    review
                        .content
                        .outcome
                        .map(|o| w.word(o.as_str()))
                        .unwrap_or_else(|| w.none()),
                ),
                (
                    w.t("What went well", "Ce qui a bien marché"),
                    review.content.went_well.clone(),
                ),
                (
                    w.t("What went badly", "Ce qui a mal marché"),
                    review.content.went_badly.clone(),
                ),
                (
                    w.t("Signed off by", "Validée par"),
                    if review.signatures.is_empty() {
                        w.none()
                    } else {
                        review
                            .signatures
                            .iter()
                            .map(|s| format!("{} ({})", s.name, w.when(&s.at)))
                            .collect::<Vec<_>>()
                            .join(", ")
                    },
                ),
            ]));
        }
        if !review.actions.is_empty() {
            blocks.push(Block::heading(w.t("Actions", "Actions")));
            blocks.push(table(
                vec![
                    Column::new(w.t("Action", "Action"), 2.2),
                    Column::new(w.t("Owner", "Responsable"), 1.0),
                    Column::new(w.t("Due", "Échéance"), 0.8),
                    Column::new(w.t("Done", "Faite"), 1.0),
                ],
                review
                    .actions
                    .iter()
                    .map(|a| {
                        vec![
                            a.action.title.clone(),
                            a.owner_name.clone(),
                            a.action.due.clone(),
                            a.action
                                .done_at
                                .as_deref()
                                .map(|d| w.when(d))
                                .unwrap_or_else(|| w.none()),
                        ]
                    })
                    .collect(),
            ));
        }
        sections.push(Section::new(
            w.t("Post-release review", "Revue post-déploiement"),
            blocks,
        ));

        // Audit trail.
        let log = relm_store::events::log(conn, Some(&id), 100_000)?;
        sections.push(Section {
            new_page: true,
            ..Section::new(
                w.t("Audit trail", "Journal d’audit"),
                vec![table(
                    vec![
                        Column::new(w.t("When", "Quand"), 1.0),
                        Column::new(w.t("Who", "Qui"), 0.9),
                        Column::new(w.t("Event", "Événement"), 1.1),
                        // Wide enough for an event id on one line.
                        Column::new("Id", 2.0),
                    ],
                    log.iter()
                        .rev()
                        .map(|e| {
                            vec![
                                w.when(&e.at),
                                e.author_name.clone().unwrap_or_else(|| e.author.clone()),
                                w.event(&e.kind),
                                e.id.clone(),
                            ]
                        })
                        .collect(),
                )],
            )
        });

        sections.push(verification(
            &w,
            Rests::Release,
            events,
            &digest,
            &workspace_id.0,
        ));

        let document = Document {
            title: format!(
                "{} — {} {}",
                w.t("Release dossier", "Dossier de mise en production"),
                f.service,
                f.version
            ),
            subject: format!("{} {} ({})", f.service, f.version, id),
            author: me.name.clone(),
            lang: opts.lang,
            digest,
            created: opts.at.timestamp(),
            sections,
        };
        Ok(Dossier {
            document,
            releases: vec![id],
            events_file,
            events,
        })
    }
}

pub(crate) fn deviation_words(w: &Words, d: &relm_policy::deviation::Deviation) -> String {
    use relm_policy::deviation::Deviation;
    match d {
        Deviation::OutsideWindow {
            window: Some((a, b)),
        } => format!(
            "{} ({} → {})",
            w.t("outside the planned window", "hors de la fenêtre prévue"),
            w.when(a),
            w.when(b)
        ),
        Deviation::OutsideWindow { window: None } => {
            w.t("no window was planned", "aucune fenêtre n’était prévue")
        }
        Deviation::NotAllowed { rules } => w.colon(
            &w.t(
                "the verdict at its start did not allow it (failing rules)",
                "le verdict à son début ne l’autorisait pas (règles en échec)",
            ),
            &rules
                .iter()
                .map(|r| w.rule(r))
                .collect::<Vec<_>>()
                .join(", "),
        ),
        Deviation::InFreeze { name, hard, .. } => format!(
            "{} {}",
            if *hard {
                w.t("inside the hard freeze", "pendant le gel strict")
            } else {
                w.t(
                    "inside the soft freeze, unjustified",
                    "pendant le gel souple, sans justification",
                )
            },
            w.quote(name)
        ),
        Deviation::SkippedEnvironment { skipped } => format!(
            "{} {skipped}",
            w.t("skipped the environment", "a sauté l’environnement")
        ),
    }
}

pub(crate) fn outcome_words(w: &Words, o: relm_policy::Outcome) -> String {
    match o {
        relm_policy::Outcome::Allowed => w.t("allowed", "autorisée"),
        relm_policy::Outcome::AllowedWithWarnings => {
            w.t("allowed with warnings", "autorisée avec avertissements")
        }
        relm_policy::Outcome::Blocked => w.t("blocked", "bloquée"),
    }
}

/// A report written to a file.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Written {
    pub path: String,
    pub pages: u32,
    pub bytes: u64,
    /// The evidence digest printed on every page.
    pub digest: String,
    /// Ledger events the report rests on.
    pub events: u32,
}

/// `document` laid out on `paper` and written as PDF: the bytes and the number of pages.
pub(crate) fn pdf(document: &Document, paper: relm_report::Paper) -> Result<(Vec<u8>, u32)> {
    let layout =
        relm_report::paginate(document, paper).map_err(|e| ApiError::validation(e.to_string()))?;
    let bytes =
        relm_report::render(document, &layout).map_err(|e| ApiError::validation(e.to_string()))?;
    Ok((bytes, layout.pages.len() as u32))
}

/// `bytes` to `path` whole or not at all: a temporary file beside it, then a rename.
pub fn write_whole(path: &std::path::Path, bytes: &[u8]) -> Result<()> {
    let fail = |e: std::io::Error| cannot_write(path, &e);
    let name = path
        .file_name()
        .ok_or_else(|| fail(std::io::Error::other("not a file name")))?;
    let tmp = path.with_file_name(format!(
        ".{}.{}.part",
        name.to_string_lossy(),
        std::process::id()
    ));
    // The temporary file is made anew, never opened through what is there: in a shared
    // folder, a link planted under its name would otherwise send the bytes elsewhere.
    let _ = std::fs::remove_file(&tmp);
    {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
            .map_err(fail)?;
        f.write_all(bytes)
            .and_then(|()| f.sync_all())
            .map_err(|e| {
                let _ = std::fs::remove_file(&tmp);
                fail(e)
            })?;
    }
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        fail(e)
    })
}

/// `path` could not be written: why, with what to do when the system's error says it (a
/// folder that is read-only for this user, a full drive).
pub fn cannot_write(path: &std::path::Path, e: &std::io::Error) -> ApiError {
    let reason = Reason::new(
        ReasonCode::CannotWrite,
        format!(
            "cannot write {}: {e}; choose a folder you can write to",
            path.display()
        ),
    )
    .with("path", path.display())
    .with_io_error(e);
    ApiError::refused(ErrorCode::Validation, reason)
}

impl Relm {
    /// The time a report made now carries: `SOURCE_DATE_EPOCH` when set, else the clock.
    pub fn report_time(&self) -> Result<DateTime<Utc>> {
        report_time(self.clock.now())
    }

    /// Write the dossier of `release` as a PDF on `paper` to `out`, and record the export.
    pub fn write_release_report(
        &mut self,
        release: &str,
        out: &std::path::Path,
        paper: relm_report::Paper,
        opts: &ReportOptions,
    ) -> Result<Written> {
        let dossier = self.release_dossier(release, opts)?;
        let id = dossier.releases.concat();
        self.write_report("release-report", &id, dossier, out, paper)
    }

    /// Lay `report` out on `paper`, write it to `out` whole, and record the export (`what`
    /// of `subject`) in the ledger.
    fn write_report(
        &mut self,
        what: &str,
        subject: &str,
        report: Dossier,
        out: &std::path::Path,
        paper: relm_report::Paper,
    ) -> Result<Written> {
        let (bytes, pages) = pdf(&report.document, paper)?;
        write_whole(out, &bytes)?;
        self.emit(|_| {
            Ok(vec![EventBody::ReportExported {
                what: what.into(),
                subject: subject.into(),
                digest: evidence::digest(&bytes),
                evidence: report.document.digest.clone(),
                events: report.events as u32,
            }])
        })?;
        Ok(Written {
            path: out.display().to_string(),
            pages,
            bytes: bytes.len() as u64,
            digest: report.document.digest,
            events: report.events as u32,
        })
    }
}

impl Relm {
    /// Write the compliance report of the period `from`–`to` as a PDF to `out`, and record
    /// the export.
    pub fn write_period_report(
        &mut self,
        (from, to): (&str, &str),
        environment: Option<&str>,
        out: &std::path::Path,
        paper: relm_report::Paper,
        opts: &ReportOptions,
    ) -> Result<Written> {
        let environment = environment.map(str::trim).filter(|e| !e.is_empty());
        let report = self.period_report(from, to, environment, opts)?;
        let subject = crate::report_period::period_subject(from, to, environment);
        self.write_report("period-report", &subject, report, out, paper)
    }

    /// [`Relm::write_period_report`] from a form's text; times in `zone` (UTC when absent).
    pub fn report_period_file(
        &mut self,
        (from, to): (&str, &str),
        environment: Option<&str>,
        out: &std::path::Path,
        (paper, lang, zone): (&str, &str, Option<&str>),
    ) -> Result<Written> {
        let (paper, opts) = self.report_form(paper, lang, zone)?;
        self.write_period_report((from, to), environment, out, paper, &opts)
    }

    /// [`Relm::write_release_report`] from a form's text: `paper` `a4` or `letter`, `lang` `en`
    /// or `fr`, times in `zone` (the window's zone when absent), made now.
    pub fn report_release_file(
        &mut self,
        release: &str,
        out: &std::path::Path,
        paper: &str,
        lang: &str,
        zone: Option<&str>,
    ) -> Result<Written> {
        let (paper, opts) = self.report_form(paper, lang, zone)?;
        self.write_release_report(release, out, paper, &opts)
    }

    /// A report form's paper, language and zone read, the report made now.
    pub(crate) fn report_form(
        &self,
        paper: &str,
        lang: &str,
        zone: Option<&str>,
    ) -> Result<(relm_report::Paper, ReportOptions)> {
        let paper = relm_report::Paper::parse(paper).ok_or_else(|| {
            ApiError::invalid(
                "paper",
                format!("paper `{paper}` is not a4 or letter; choose one of them"),
            )
        })?;
        let lang = match lang.trim() {
            "en" => ReportLang::En,
            "fr" => ReportLang::Fr,
            other => {
                return Err(ApiError::invalid(
                    "lang",
                    format!("language `{other}` is not en or fr; choose one of them"),
                ));
            }
        };
        let opts = ReportOptions {
            lang,
            zone: zone
                .map(str::trim)
                .filter(|z| !z.is_empty())
                .map(String::from),
            at: self.report_time()?,
        };
        Ok((paper, opts))
    }
}
