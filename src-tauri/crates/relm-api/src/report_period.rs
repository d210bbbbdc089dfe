//! The period compliance report (docs/reports.md): every release of a period with its verdict
//! when it was deployed, the compliance rate, the exceptions, the risks, the reviews, the
//! delivery metrics with charts, and which evidence supports which control of ISO/IEC 27001,
//! SOC 2 and ITIL 4.

use std::collections::{BTreeMap, BTreeSet};

use relm_domain::keys::KeyId;
use relm_policy::{LineStatus, Outcome};
use relm_report::{Block, Chart, ChartKind, Column, Document, Section, Series};
use relm_store::evidence;

use crate::deployments::DeploymentQuery;
use crate::error::{ApiError, Result};
use crate::reports::{Dossier, ReportOptions, Words, deviation_words, table};
use crate::reviews::ReviewQuery;
use crate::session::Relm;

/// One release deployed to one environment in the period, judged when it first went there.
struct Judged {
    release: String,
    label: String,
    change_type: String,
    risk: String,
    environment: String,
    started: String,
    outcome: String,
    verdict: Option<relm_policy::Verdict>,
    deviations: Vec<String>,
}

impl Judged {
    fn compliant(&self) -> bool {
        self.deviations.is_empty()
            && self
                .verdict
                .as_ref()
                .is_some_and(|v| v.outcome != Outcome::Blocked)
    }
}

/// The subject of a period report, as the manifest and the export's event name it.
pub fn period_subject(from: &str, to: &str, environment: Option<&str>) -> String {
    match environment {
        Some(e) => format!("{}..{} env={e}", from.trim(), to.trim()),
        None => format!("{}..{}", from.trim(), to.trim()),
    }
}

impl Relm {
    /// The compliance report of the period `from`–`to` (dates or RFC 3339 times), of one
    /// environment or of every one.
    pub fn period_report(
        &self,
        from: &str,
        to: &str,
        environment: Option<&str>,
        opts: &ReportOptions,
    ) -> Result<Dossier> {
        let environment = environment.map(str::trim).filter(|e| !e.is_empty());
        let (start, end) = crate::deployments::period_bounds(Some(from), Some(to))?;
        let (Some(start), Some(end)) = (start, end) else {
            return Err(ApiError::validation("give the period: --from D --to D"));
        };
        if end <= start {
            return Err(ApiError::invalid(
                "to",
                format!(
                    "the period ends ({to}) before it starts ({from}); give an end after the start"
                ),
            ));
        }
        let zone = opts.zone.clone().unwrap_or_else(|| "UTC".into());
        let tz = relm_domain::window::parse_zone(&zone)?;
        let w = Words {
            lang: opts.lang,
            tz,
        };
        let policy_lang = match opts.lang {
            relm_report::Lang::En => relm_policy::Lang::En,
            relm_report::Lang::Fr => relm_policy::Lang::Fr,
        };
        let conn = self.store.conn();
        let people = relm_store::projection::governance::people(conn)?;
        let name = |k: &str| {
            people
                .get(&KeyId(k.to_string()))
                .map(|p| p.name.clone())
                .unwrap_or_else(|| k.to_string())
        };
        let (workspace_id, workspace_name) = self.workspace()?;
        let me = self.identity()?.member;

        // The deployments of the period; each (release, environment) judged at its first.
        let deployments = self.deployments(&DeploymentQuery {
            environment: environment.map(String::from),
            from: Some(from.to_string()),
            to: Some(to.to_string()),
            ..Default::default()
        })?;
        let mut firsts: BTreeMap<(String, String), Vec<&crate::deployments::DeploymentView>> =
            BTreeMap::new();
        for d in &deployments {
            firsts
                .entry((d.record.release_id.clone(), d.record.environment.clone()))
                .or_default()
                .push(d);
        }
        let deployed: BTreeSet<String> = firsts.keys().map(|(r, _)| r.clone()).collect();
        // Releases planned in the period (their window starts in it), deployed or not.
        let planned: Vec<String> = conn
            .prepare_cached(
                "SELECT id FROM releases WHERE window_start >= ?1 AND window_start < ?2 ORDER BY id",
            )
            .and_then(|mut s| {
                s.query_map([start.timestamp(), end.timestamp()], |r| r.get(0))?
                    .collect()
            })
            .map_err(relm_store::StoreError::from)?;
        let mut rows = BTreeMap::new();
        for id in planned.iter().chain(&deployed) {
            if rows.contains_key(id) {
                continue;
            }
            if let Some(r) = relm_store::projection::releases::get(conn, id)? {
                // With an environment, a planned release counts when it goes there.
                let goes = environment.is_none_or(|e| r.fields.environments.iter().any(|x| x == e));
                if goes || deployed.contains(id) {
                    rows.insert(id.clone(), r);
                }
            }
        }
        let release_ids: BTreeSet<String> = rows.keys().cloned().collect();

        let (policy, policy_version) = crate::gates::in_force(conn)?;
        let style = crate::gates::style(policy_lang, Some(&zone))?;
        let mut shared = relm_store::projection::governance::shared(conn, opts.at, &policy)?;
        shared.expecting(conn, firsts.len())?;
        let mut judged = Vec::new();
        for ((release, env), ds) in &firsts {
            let Some(row) = rows.get(release) else {
                continue;
            };
            let first = ds
                .iter()
                .min_by(|a, b| a.record.started_at.cmp(&b.record.started_at))
                .map(|d| d.record.started_at.clone())
                .unwrap_or_default();
            let verdict = chrono::DateTime::parse_from_rfc3339(&first)
                .ok()
                .map(|t| t.with_timezone(&chrono::Utc))
                .and_then(|t| {
                    self.verdict_under(
                        (&policy, policy_version),
                        &mut shared,
                        (release, env),
                        t,
                        &style,
                    )
                    .ok()
                });
            let last = ds
                .iter()
                .max_by(|a, b| a.record.started_at.cmp(&b.record.started_at));
            judged.push(Judged {
                release: release.clone(),
                label: format!("{} {}", row.fields.service, row.fields.version),
                change_type: row.fields.change_type.as_str().to_string(),
                risk: row.fields.risk.as_str().to_string(),
                environment: env.clone(),
                started: first,
                outcome: last
                    .map(|d| w.word(d.record.outcome.as_str()))
                    .unwrap_or_default(),
                verdict,
                deviations: ds
                    .iter()
                    .flat_map(|d| d.record.deviations.iter().map(|x| deviation_words(&w, x)))
                    .collect(),
            });
        }
        judged.sort_by(|a, b| (&a.started, &a.release).cmp(&(&b.started, &b.release)));
        let compliant = judged.iter().filter(|j| j.compliant()).count();
        let rate = w.percent((!judged.is_empty()).then(|| compliant as f64 / judged.len() as f64));

        // Exceptions.
        let mut exceptions: Vec<Vec<String>> = Vec::new();
        for j in &judged {
            if j.change_type == "emergency" {
                exceptions.push(vec![
                    w.t("Emergency change", "Changement d’urgence"),
                    j.label.clone(),
                    j.environment.clone(),
                    w.when(&j.started),
                    w.t(
                        "went out on the emergency path",
                        "passé par la voie d’urgence",
                    ),
                ]);
            }
            if let Some(v) = &j.verdict {
                for line in &v.rules {
                    if line.rule == "approvals" && line.status == LineStatus::Fail {
                        exceptions.push(vec![
                            w.t(
                                "Approvals missing or stale",
                                "Approbations manquantes ou périmées",
                            ),
                            j.label.clone(),
                            j.environment.clone(),
                            w.when(&j.started),
                            line.reason.clone(),
                        ]);
                    }
                }
                let owner = rows
                    .get(&j.release)
                    .map(|r| r.fields.owner.0.clone())
                    .unwrap_or_default();
                for a in &v.approvals {
                    if !a.counts && a.by == owner {
                        exceptions.push(vec![
                            w.t("Self-approval refused", "Auto-approbation refusée"),
                            j.label.clone(),
                            j.environment.clone(),
                            w.when(&a.at),
                            format!("{} — {}", a.name, a.reason),
                        ]);
                    }
                }
            }
            for d in &j.deviations {
                exceptions.push(vec![
                    w.t("Deviation", "Écart"),
                    j.label.clone(),
                    j.environment.clone(),
                    w.when(&j.started),
                    d.clone(),
                ]);
            }
        }
        let (start_s, end_s) = (
            relm_domain::window::fmt_utc(start),
            relm_domain::window::fmt_utc(end),
        );
        for id in &release_ids {
            for change in relm_store::projection::releases::status_history(conn, id)? {
                if change.blocked.is_empty() || change.at < start_s || change.at >= end_s {
                    continue;
                }
                let label = rows
                    .get(id)
                    .map(|r| format!("{} {}", r.fields.service, r.fields.version))
                    .unwrap_or_default();
                exceptions.push(vec![
                    w.t("Override (break-glass)", "Passage en force"),
                    label,
                    change
                        .blocked
                        .iter()
                        .map(|b| b.environment.clone())
                        .collect::<Vec<_>>()
                        .join(", "),
                    w.when(&change.at),
                    format!(
                        "{} → {} — {}: {}",
                        w.word(change.from.as_deref().unwrap_or("")),
                        w.word(&change.to),
                        name(&change.by),
                        change.note.unwrap_or_default()
                    ),
                ]);
            }
        }
        exceptions.sort_by(|a, b| (&a[3], &a[1]).cmp(&(&b[3], &b[1])));

        // Risks linked to the period's releases or their services, not closed.
        let services: BTreeSet<String> = rows.values().map(|r| r.fields.service.clone()).collect();
        let mut risk_rows: BTreeMap<String, Vec<String>> = BTreeMap::new();
        {
            let mut links = conn
                .prepare_cached(
                    "SELECT r.id, r.title, r.category, r.status, r.likelihood, r.impact, r.score,
                            r.residual_score, r.accepted_until
                     FROM risk_links l JOIN risks r ON r.id = l.risk_id
                     WHERE l.kind = ?1 AND l.target = ?2 AND r.status != 'closed'",
                )
                .map_err(relm_store::StoreError::from)?;
            let targets = release_ids
                .iter()
                .map(|r| ("release", r.clone()))
                .chain(services.iter().map(|s| ("service", s.clone())));
            for (kind, target) in targets {
                let found = links
                    .query_map([kind, target.as_str()], |r| {
                        Ok((
                            r.get::<_, String>(0)?,
                            vec![
                                r.get::<_, String>(1)?,
                                r.get::<_, String>(2)?,
                                r.get::<_, String>(3)?,
                                format!(
                                    "{} ({}×{})",
                                    r.get::<_, i64>(6)?,
                                    r.get::<_, i64>(4)?,
                                    r.get::<_, i64>(5)?
                                ),
                                r.get::<_, i64>(7)?.to_string(),
                                r.get::<_, Option<String>>(8)?.unwrap_or_default(),
                            ],
                        ))
                    })
                    .map_err(relm_store::StoreError::from)?;
                for f in found {
                    let (id, row) = f.map_err(relm_store::StoreError::from)?;
                    risk_rows.entry(id).or_insert(row);
                }
            }
        }
        let accepted = risk_rows.values().filter(|r| r[2] == "accepted").count();
        let risk_rows: Vec<Vec<String>> = risk_rows
            .into_values()
            .map(|mut r| {
                r[1] = w.word(&r[1]);
                r[2] = w.word(&r[2]);
                if !r[5].is_empty() {
                    r[5] = w.when(&r[5]);
                }
                r
            })
            .collect();

        // Reviews required of the period's releases.
        let reviews: Vec<_> = self
            .reviews(&ReviewQuery::default())?
            .into_iter()
            .filter(|r| r.required && release_ids.contains(&r.release_id))
            .collect();
        let due = reviews.iter().filter(|r| r.signed_at.is_none()).count();
        let overdue = reviews.iter().filter(|r| r.overdue).count();

        let metrics = self.metrics(from, to, None, environment)?;
        let evidence_closure = evidence::closure_of_entities(
            conn,
            &release_ids.iter().cloned().collect::<Vec<_>>(),
            Some(me.key_id.as_str()),
        )?;
        let (events_file, events) = evidence::events_file(conn, &evidence_closure)?;
        let digest = evidence::digest(&events_file);
        let at = relm_domain::window::fmt_utc(opts.at);
        // As given: days are whole UTC days, times are shown in the report's zone.
        let bound = |given: &str| {
            let given = given.trim();
            if chrono::NaiveDate::parse_from_str(given, "%Y-%m-%d").is_ok() {
                given.to_string()
            } else {
                w.when(given)
            }
        };
        let period_words = format!("{} → {}", bound(from), bound(to));
        let env_words = environment.map_or_else(
            || w.t("every environment", "tous les environnements"),
            String::from,
        );

        let mut sections = Vec::new();
        sections.push(Section::new(
            w.t("Compliance report", "Rapport de conformité"),
            vec![Block::key_values(
                [
                    (
                        w.t("Period", "Période"),
                        format!(
                            "{period_words} ({})",
                            w.t(
                                "days from 00:00 UTC, both included",
                                "jours à partir de 00:00 UTC, bornes incluses"
                            )
                        ),
                    ),
                    (w.t("Environment", "Environnement"), env_words.clone()),
                ]
                .into_iter()
                .chain(crate::reports::cover_lines(
                    &w,
                    &crate::reports::Made {
                        workspace: format!("{workspace_name} ({})", workspace_id.0),
                        by: format!("{} ({})", me.name, me.fingerprint),
                        at: &at,
                        zone: &zone,
                        events,
                        digest: &digest,
                    },
                    (
                        w.t(
                            "Policy version in force",
                            "Version de la politique en vigueur",
                        ),
                        policy_version,
                    ),
                )),
            )],
        ));

        sections.push(Section::new(
            w.t("Summary", "Synthèse"),
            vec![
                Block::key_values([
                    (w.t("Releases in the period", "Mises en production de la période"), release_ids.len().to_string()),
                    (
                        w.t("Deployed (release × environment)", "Déployées (mise en production × environnement)"),
                        judged.len().to_string(),
                    ),
                    (
                        w.t("Compliant deployments", "Déploiements conformes"),
                        format!("{compliant} / {}", judged.len()),
                    ),
                    (w.t("Compliance rate", "Taux de conformité"), rate.clone()),
                    (w.t("Exceptions", "Exceptions"), exceptions.len().to_string()),
                    (
                        w.t("Open risks (accepted)", "Risques ouverts (acceptés)"),
                        format!("{} ({accepted})", risk_rows.len()),
                    ),
                    (
                        w.t("Reviews due (overdue)", "Revues dues (en retard)"),
                        format!("{due} ({overdue})"),
                    ),
                ]),
                Block::note(w.t(
                    "A deployment is compliant when the policy allowed the release to that environment when it first went there, and nothing departed from the plan (window, freeze, verdict, order of environments).",
                    "Un déploiement est conforme lorsque la politique autorisait la mise en production dans cet environnement au moment où elle y est arrivée, et que rien ne s’est écarté du plan (fenêtre, gel, verdict, ordre des environnements).",
                )),
            ],
        ));

        // Releases.
        let mut release_table: Vec<Vec<String>> = judged
            .iter()
            .map(|j| {
                vec![
                    j.label.clone(),
                    w.word(&j.change_type),
                    w.word(&j.risk),
                    j.environment.clone(),
                    w.when(&j.started),
                    j.outcome.clone(),
                    j.verdict.as_ref().map_or_else(
                        || w.t("not judged", "non jugée"),
                        |v| w.word(v.outcome.as_str()),
                    ),
                    if j.compliant() {
                        w.t("yes", "oui")
                    } else {
                        w.t("no", "non")
                    },
                ]
            })
            .collect();
        let deployed: BTreeSet<&String> = judged.iter().map(|j| &j.release).collect();
        for (id, r) in &rows {
            if !deployed.contains(id) {
                release_table.push(vec![
                    format!("{} {}", r.fields.service, r.fields.version),
                    w.word(r.fields.change_type.as_str()),
                    w.word(r.fields.risk.as_str()),
                    r.fields.environments.join(", "),
                    w.t("not deployed", "non déployée"),
                    w.word(r.status.as_str()),
                    w.none(),
                    w.none(),
                ]);
            }
        }
        sections.push(Section::new(
            w.t("Releases", "Mises en production"),
            vec![if release_table.is_empty() {
                Block::paragraph(w.t(
                    "No release was planned or deployed in this period.",
                    "Aucune mise en production n’a été planifiée ni déployée sur cette période.",
                ))
            } else {
                table(
                    vec![
                        Column::new(w.t("Release", "Mise en production"), 2.1),
                        Column::new(w.t("Type", "Type"), 1.0),
                        Column::new(w.t("Risk", "Risque"), 0.9),
                        Column::new(w.t("Env.", "Env."), 1.0),
                        Column::new(w.t("Deployed", "Déployée le"), 1.9),
                        Column::new(w.t("Outcome", "Résultat"), 1.3),
                        Column::new(w.t("Verdict then", "Verdict alors"), 1.5),
                        Column::new(w.t("Compliant", "Conforme"), 1.2),
                    ],
                    release_table,
                )
            }],
        ));

        sections.push(Section::new(
            w.t("Exceptions", "Exceptions"),
            vec![if exceptions.is_empty() {
                Block::paragraph(w.t(
                    "No exception in this period: no emergency, override, missing or stale approval, refused self-approval or deviation.",
                    "Aucune exception sur cette période : ni urgence, ni passage en force, ni approbation manquante ou périmée, ni auto-approbation refusée, ni écart.",
                ))
            } else {
                table(
                    vec![
                        Column::new(w.t("Exception", "Exception"), 1.8),
                        Column::new(w.t("Release", "Mise en production"), 1.8),
                        Column::new(w.t("Env.", "Env."), 0.9),
                        Column::new(w.t("When", "Quand"), 1.8),
                        Column::new(w.t("Detail", "Détail"), 3.5),
                    ],
                    exceptions.clone(),
                )
            }],
        ));

        sections.push(Section::new(
            w.t("Risks", "Risques"),
            vec![if risk_rows.is_empty() {
                Block::paragraph(w.t(
                    "No open or accepted risk of the register is linked to these releases or their services.",
                    "Aucun risque ouvert ou accepté du registre n’est lié à ces versions ni à leurs services.",
                ))
            } else {
                table(
                    vec![
                        Column::new(w.t("Risk", "Risque"), 3.0),
                        Column::new(w.t("Category", "Catégorie"), 1.2),
                        Column::new(w.t("Status", "Statut"), 1.1),
                        Column::new(w.t("Score (L×I)", "Score (P×I)"), 1.1).right(),
                        Column::new(w.t("Residual", "Résiduel"), 0.9).right(),
                        Column::new(w.t("Accepted until", "Accepté jusqu’au"), 1.8),
                    ],
                    risk_rows.clone(),
                )
            }],
        ));

        sections.push(Section::new(
            w.t("Reviews", "Revues"),
            vec![if reviews.is_empty() {
                Block::paragraph(w.t(
                    "No release of this period required a post-release review.",
                    "Aucune mise en production de cette période n’exigeait de revue post-déploiement.",
                ))
            } else {
                table(
                    vec![
                        Column::new(w.t("Release", "Mise en production"), 2.0),
                        Column::new(w.t("Why required", "Motif"), 2.2),
                        Column::new(w.t("Due", "Échéance"), 1.2),
                        Column::new(w.t("Signed off", "Validée le"), 1.8),
                        Column::new(w.t("Open actions", "Actions ouvertes"), 1.0).right(),
                    ],
                    reviews
                        .iter()
                        .map(|r| {
                            vec![
                                format!("{} {}", r.service, r.version),
                                r.reasons
                                    .iter()
                                    .map(|x| w.word(x))
                                    .collect::<Vec<_>>()
                                    .join(", "),
                                match (&r.due, r.overdue) {
                                    (Some(d), true) => {
                                        format!("{d} ({})", w.t("overdue", "en retard"))
                                    }
                                    (Some(d), false) => d.clone(),
                                    (None, _) => w.none(),
                                },
                                r.signed_at
                                    .as_deref()
                                    .map_or_else(|| w.none(), |s| w.when(s)),
                                r.open_actions.to_string(),
                            ]
                        })
                        .collect(),
                )
            }],
        ));

        // Metrics, with charts.
        let mut metric_blocks = vec![Block::key_values([
            (
                w.t("Environments measured", "Environnements mesurés"),
                metrics.environments.join(", "),
            ),
            (
                w.t("Deployments", "Déploiements"),
                metrics.deployments.to_string(),
            ),
            (
                w.t("Per week", "Par semaine"),
                format!("{:.1}", metrics.deployment_frequency_per_week),
            ),
            (
                w.t("Change failure rate", "Taux d’échec des changements"),
                w.percent(metrics.change_failure_rate),
            ),
            (
                w.t(
                    "Lead time (median)",
                    "Délai de mise en production (médiane)",
                ),
                w.hours(metrics.lead_time_hours_median),
            ),
            (
                w.t(
                    "Time to restore (median)",
                    "Délai de rétablissement (médiane)",
                ),
                w.hours(metrics.time_to_restore_hours_median),
            ),
            (
                w.t(
                    "Approval lead time (median)",
                    "Délai d’approbation (médiane)",
                ),
                w.hours(metrics.approval_lead_time_hours_median),
            ),
            (
                w.t("Deployments with a deviation", "Déploiements avec écart"),
                w.percent(metrics.deviation_share),
            ),
            (
                w.t("Freeze overrides", "Passages en force d’un gel"),
                metrics.freeze_overrides.to_string(),
            ),
            (
                w.t("Emergency share", "Part des urgences"),
                w.percent(metrics.emergency_ratio),
            ),
            (
                w.t("Reviews completed", "Revues terminées"),
                w.percent(metrics.review_completion_rate),
            ),
            (
                w.t("Overdue actions", "Actions en retard"),
                metrics.overdue_actions.to_string(),
            ),
        ])];
        if !metrics.weeks.is_empty() {
            let labels: Vec<String> = metrics.weeks.iter().map(|p| p.start.clone()).collect();
            metric_blocks.push(Block::Chart(Chart {
                title: w.t("Deployments per week", "Déploiements par semaine"),
                kind: ChartKind::Bars,
                labels: labels.clone(),
                series: vec![
                    Series {
                        name: w.t("succeeded", "réussis"),
                        values: metrics
                            .weeks
                            .iter()
                            .map(|p| Some(f64::from(p.succeeded)))
                            .collect(),
                    },
                    Series {
                        name: w.t("failed or rolled back", "en échec ou annulés"),
                        values: metrics
                            .weeks
                            .iter()
                            .map(|p| Some(f64::from(p.failed)))
                            .collect(),
                    },
                ],
            }));
            metric_blocks.push(Block::Chart(Chart {
                title: w.t(
                    "Lead time per week (median, hours)",
                    "Délai par semaine (médiane, heures)",
                ),
                kind: ChartKind::Lines,
                labels,
                series: vec![Series {
                    name: w.t("lead time", "délai"),
                    values: metrics
                        .weeks
                        .iter()
                        .map(|p| p.lead_time_hours_median)
                        .collect(),
                }],
            }));
        }
        sections.push(Section::new(
            w.t(
                "Delivery and governance metrics",
                "Indicateurs de livraison et de gouvernance",
            ),
            metric_blocks,
        ));

        // Control mapping.
        let n = |k: usize| k.to_string();
        let overrides = exceptions
            .iter()
            .filter(|e| e[0] == w.t("Override (break-glass)", "Passage en force"))
            .count();
        let controls = vec![
            vec![
                "ISO/IEC 27001:2022 A.8.32".to_string(),
                w.t("Changes to information processing facilities and systems are subject to change management procedures.", "Les changements des moyens de traitement de l’information et des systèmes sont soumis à des procédures de gestion des changements."),
                w.t("Releases (verdict when deployed), Exceptions, Reviews; the evidence pack's approvals and deployments tables", "Mises en production (verdict au déploiement), Exceptions, Revues ; tableaux des approbations et des déploiements du paquet de preuves"),
                format!("{} {compliant}/{} ; {} {}", w.t("compliant", "conformes"), judged.len(), n(exceptions.len()), w.t("exceptions", "exceptions")),
            ],
            vec![
                "SOC 2 CC8.1".to_string(),
                w.t("Changes are authorized, designed, developed, configured, documented, tested, approved and implemented.", "Les changements sont autorisés, conçus, développés, configurés, documentés, testés, approuvés et mis en œuvre."),
                w.t("Releases (approvals counted by the policy, verdict before deployment), Exceptions (overrides with reasons), Risks, the signed events of the evidence", "Mises en production (approbations retenues par la politique, verdict avant déploiement), Exceptions (passages en force motivés), Risques, événements signés des preuves"),
                format!("{} {events} ; {} {overrides}", w.t("signed events", "événements signés"), w.t("overrides", "passages en force")),
            ],
            vec![
                w.t("ITIL 4 — Change enablement", "ITIL 4 — Habilitation des changements"),
                w.t("Changes are assessed for risk, authorized by the right change authority and scheduled.", "Les changements sont évalués selon leur risque, autorisés par la bonne autorité et planifiés."),
                w.t("Releases (type, risk), Exceptions (emergencies, missing approvals), Risks", "Mises en production (type, risque), Exceptions (urgences, approbations manquantes), Risques"),
                format!("{} {}", w.percent(metrics.emergency_ratio), w.t("emergencies", "d’urgences")),
            ],
            vec![
                w.t("ITIL 4 — Release management", "ITIL 4 — Gestion des mises en production"),
                w.t("Releases are planned, made available in windows, and reviewed after deployment.", "Les mises en production sont planifiées, livrées dans des fenêtres et revues après déploiement."),
                w.t("Releases (window, deployments), Exceptions (deviations), Reviews, Metrics", "Mises en production (fenêtre, déploiements), Exceptions (écarts), Revues, Indicateurs"),
                format!("{} {due} ; {} {overdue}", w.t("reviews due", "revues dues"), w.t("overdue", "en retard")),
            ],
        ];
        sections.push(Section::new(
            w.t("Control mapping", "Correspondance des contrôles"),
            vec![
                Block::paragraph(w.t(
                    "Which evidence in this report supports which control. The sections named are this report's; the tables are the evidence pack's.",
                    "Les preuves de ce rapport qui étayent chaque contrôle. Les sections citées sont celles de ce rapport ; les tableaux, ceux du paquet de preuves.",
                )),
                table(
                    vec![
                        Column::new(w.t("Control", "Contrôle"), 1.6),
                        Column::new(w.t("What it asks", "Exigence"), 2.8),
                        Column::new(w.t("Evidence in this report", "Preuves dans ce rapport"), 2.8),
                        Column::new(w.t("Figures", "Chiffres"), 1.6),
                    ],
                    controls,
                ),
            ],
        ));

        sections.push(crate::reports::verification(
            &w,
            crate::reports::Rests::Period,
            events,
            &digest,
            &workspace_id.0,
        ));

        let document = Document {
            title: format!(
                "{} — {}",
                w.t("Compliance report", "Rapport de conformité"),
                period_words
            ),
            subject: format!("{} ({env_words})", period_subject(from, to, environment)),
            author: me.name.clone(),
            lang: opts.lang,
            digest,
            created: opts.at.timestamp(),
            sections,
        };
        Ok(Dossier {
            document,
            releases: release_ids.into_iter().collect(),
            events_file,
            events,
        })
    }
}
