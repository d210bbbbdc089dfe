//! Licence checks against a deny list, as SPDX licence expressions mean them: a package is
//! refused only when every way of taking it goes through a denied licence (`MIT OR
//! GPL-3.0-only` may be taken as MIT). An expression that does not parse is compared word for
//! word with the list.

/// A licence id without its `-only`, `-or-later` or `+`: a denied licence is denied in every
/// form (`GPL-3.0-only` in the list refuses `GPL-3.0-or-later` too).
fn base(id: &str) -> String {
    let id = id.trim().to_ascii_lowercase();
    ["-only", "-or-later", "+"]
        .iter()
        .find_map(|s| id.strip_suffix(s).map(str::to_string))
        .unwrap_or(id)
}

/// Why `expression` cannot be taken without a licence of `deny` (SPDX ids, compared without
/// case), or `None` when it can.
pub fn denied(expression: &str, deny: &[String]) -> Option<String> {
    // The entry of the list an id falls under, as the list writes it.
    let entry = |id: &str| deny.iter().find(|d| base(d) == base(id)).cloned();
    let is_denied = |id: &str| entry(id).is_some();
    match spdx::Expression::parse_mode(expression, spdx::ParseMode::LAX) {
        Ok(expr) => {
            let ok = expr.evaluate(|req| match &req.license {
                spdx::LicenseItem::Spdx { id, .. } => !is_denied(id.name),
                spdx::LicenseItem::Other { lic_ref, .. } => !is_denied(lic_ref),
            });
            (!ok).then(|| {
                let mut hit: Vec<String> = expr
                    .requirements()
                    .filter_map(|r| match &r.req.license {
                        spdx::LicenseItem::Spdx { id, .. } => entry(id.name),
                        spdx::LicenseItem::Other { lic_ref, .. } => entry(lic_ref),
                    })
                    .collect();
                hit.dedup();
                hit.join(", ")
            })
        }
        Err(_) => entry(expression),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_alternative_that_is_allowed_is_taken() {
        let deny = vec!["GPL-3.0-only".to_string(), "AGPL-3.0-or-later".to_string()];
        assert_eq!(denied("MIT", &deny), None);
        assert_eq!(denied("MIT OR GPL-3.0-only", &deny), None);
        assert_eq!(
            denied("MIT AND GPL-3.0-only", &deny).as_deref(),
            Some("GPL-3.0-only")
        );
        assert_eq!(
            denied("gpl-3.0-only", &deny).as_deref(),
            Some("GPL-3.0-only")
        );
        assert!(denied("GPL-3.0-or-later", &deny).is_some());
        assert!(denied("GPL-2.0-only", &deny).is_none());
        assert_eq!(
            denied("(Apache-2.0 AND AGPL-3.0-or-later)", &deny).as_deref(),
            Some("AGPL-3.0-or-later")
        );
        // Not an SPDX expression: compared as written.
        assert_eq!(denied("My Own Licence", &deny), None);
        assert_eq!(
            denied("Proprietary", &["proprietary".to_string()]).as_deref(),
            Some("proprietary")
        );
    }
}
