//! `relm sbom`: what a release contains (software bills of materials).

use std::path::PathBuf;

use clap::Subcommand;
use relm_api::sbom::{SbomDiffView, Shipping};
use relm_api::{Options, Relm, Result};
use relm_domain::sbom::Package;
use relm_domain::text::Shown;

use crate::Outcome;

#[derive(Debug, Subcommand)]
pub enum SbomCmd {
    /// Attach an SBOM (CycloneDX 1.4-1.6 or SPDX 2.3, JSON; the format is detected) to one of
    /// the release's components: its digest on record, its packages as the component's
    /// contents. Exit 2 with the reason for anything else.
    Attach {
        release: String,
        /// The component it describes (one of the release's components).
        #[arg(long)]
        component: String,
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// The release's contents: each component's SBOM and packages.
    Show { release: String },
    /// What changed since the previous release of the service with an SBOM (or --against):
    /// packages added, removed, upgraded, downgraded, licences changed.
    Diff {
        release: String,
        #[arg(long, value_name = "RELEASE")]
        against: Option<String>,
    },
    /// The releases that ship a package (its name, without case), at a version when given.
    Where {
        package: String,
        #[arg(long, value_name = "V")]
        version: Option<String>,
    },
}

fn package_line(p: &Package) -> String {
    let mut line = format!(
        "{} {}",
        Shown(&p.name),
        Shown(p.version.as_deref().unwrap_or("?"))
    );
    if !p.licenses.is_empty() {
        line.push_str(&format!("  ({})", Shown(&p.licenses.join(" / "))));
    }
    line
}

pub fn sbom(opts: &Options, cmd: SbomCmd) -> Result<Outcome> {
    match cmd {
        SbomCmd::Attach {
            release,
            component,
            file,
        } => {
            let out = Relm::open(opts)?.attach_sbom_file(&release, &component, &file)?;
            let mut text = format!(
                "attached {} {} ({}{}) to `{}`: {} packages, {}\n",
                out.document.format,
                out.document.spec_version,
                Shown(out.document.tool.as_deref().unwrap_or("tool not named")),
                out.subject
                    .as_deref()
                    .map(|s| format!(", describing {}", Shown(s)))
                    .unwrap_or_default(),
                Shown(&out.component),
                out.packages,
                out.document.digest
            );
            for n in &out.notes {
                text.push_str(&format!("note: {}\n", Shown(n)));
            }
            Outcome::ok(out, text)
        }
        SbomCmd::Show { release } => {
            let out = Relm::open(opts)?.sbom_contents(&release)?;
            let mut text = format!("{} {}\n", Shown(&out.service), Shown(&out.version));
            if out.components.is_empty() {
                text.push_str("no SBOM attached yet (`relm sbom attach`)\n");
            }
            for c in &out.components {
                text.push_str(&format!(
                    "\n{}: {} {}, {} packages, {} ({} by {})\n",
                    Shown(&c.component),
                    c.document.format,
                    c.document.spec_version,
                    c.packages.len(),
                    c.document.digest,
                    c.attached_at,
                    Shown(&c.attached_by)
                ));
                for p in &c.packages {
                    text.push_str(&format!("  {}\n", package_line(p)));
                }
            }
            Outcome::ok(out, text)
        }
        SbomCmd::Diff { release, against } => {
            let out = Relm::open(opts)?.sbom_diff(&release, against.as_deref())?;
            let text = diff_text(&out);
            Outcome::ok(out, text)
        }
        SbomCmd::Where { package, version } => {
            let out = Relm::open(opts)?.sbom_where(&package, version.as_deref())?;
            let text = where_text(&package, &out);
            Outcome::ok(out, text)
        }
    }
}

fn diff_text(v: &SbomDiffView) -> String {
    let mut t = match &v.against {
        Some(a) => format!(
            "{} {} against {} {}\n",
            Shown(&v.release.service),
            Shown(&v.release.version),
            Shown(&a.service),
            Shown(&a.version)
        ),
        None => format!(
            "{} {}: no earlier release of the service has an SBOM; every package is new\n",
            Shown(&v.release.service),
            Shown(&v.release.version)
        ),
    };
    let d = &v.diff;
    for p in &d.added {
        t.push_str(&format!("+ {}\n", package_line(p)));
    }
    for p in &d.removed {
        t.push_str(&format!("- {}\n", package_line(p)));
    }
    for (sign, list) in [("↑", &d.upgraded), ("↓", &d.downgraded)] {
        for m in list {
            t.push_str(&format!(
                "{sign} {} {} → {}\n",
                Shown(&m.name),
                Shown(m.from.version.as_deref().unwrap_or("?")),
                Shown(m.to.version.as_deref().unwrap_or("?"))
            ));
        }
    }
    for l in &d.relicensed {
        t.push_str(&format!(
            "licence {} {}: {} → {}\n",
            Shown(&l.name),
            Shown(l.version.as_deref().unwrap_or("?")),
            Shown(&l.from.join(" / ")),
            Shown(&l.to.join(" / "))
        ));
    }
    t.push_str(&format!(
        "{} added, {} removed, {} upgraded, {} downgraded, {} licence changes, {} unchanged\n",
        d.added.len(),
        d.removed.len(),
        d.upgraded.len(),
        d.downgraded.len(),
        d.relicensed.len(),
        d.unchanged
    ));
    t
}

fn where_text(package: &str, list: &[Shipping]) -> String {
    if list.is_empty() {
        return format!("no release ships `{}`\n", Shown(package));
    }
    let mut t = String::new();
    for s in list {
        t.push_str(&format!(
            "{} {} ({})  {}  {}\n",
            Shown(&s.release.service),
            Shown(&s.release.version),
            s.release.status,
            Shown(&s.component),
            package_line(&s.package)
        ));
    }
    t
}
