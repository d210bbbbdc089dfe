//! Files the user names: read as outside input.

use relm_domain::{DomainError, ProblemCode};

use crate::error::{ApiError, Result};

/// The file the input `field` names (shown as `shown`) cannot be used: `reason` for the app's
/// wording (`unreadable`, `not_regular`, `too_large`...; see [`ProblemCode::BadFile`]),
/// `message` in English.
pub(crate) fn bad_file(field: &str, shown: &str, reason: &str, message: String) -> DomainError {
    DomainError::problem(field, ProblemCode::BadFile, message)
        .with("value", shown)
        .with("reason", reason)
}

/// A path a person typed in the app must be a full one. The app has no working directory a
/// person can see (started from a desktop, it runs in `/` or their home), so a relative path
/// would be read from there; the command line reads one from the shell's, as people expect.
/// A git remote's URL (`git+https://…`) is no path and passes.
pub fn typed_in_app(field: &str, path: &std::path::Path) -> Result<()> {
    let shown = path.display().to_string();
    if path.is_absolute() || relm_sync::git::git_url(&shown).is_some() {
        return Ok(());
    }
    Err(bad_file(
        field,
        &shown,
        "not_absolute",
        format!("give the full path of {shown}, or choose it"),
    )
    .into())
}

/// `shown` could not be read: the system's error `e`, as the problem of `field`.
pub(crate) fn unreadable(field: &str, shown: &str, e: &std::io::Error) -> DomainError {
    bad_file(
        field,
        shown,
        "unreadable",
        format!("cannot read {shown}: {e}"),
    )
    .with("detail", e)
}

/// The bytes of a file the user named: a regular file (not a FIFO, a device or a folder) of at
/// most `max` bytes, read no further than that even if it grows meanwhile. `advice` ends the
/// message for a file too large (`"; split it"`).
pub fn read_user_file(path: &std::path::Path, max: u64, advice: &str) -> Result<Vec<u8>> {
    use std::io::Read;
    let shown = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| unreadable("file", &shown, &e))?;
    if !meta.is_file() {
        return Err(bad_file(
            "file",
            &shown,
            "not_regular",
            format!("{shown} is not a regular file (a folder, a FIFO or a device?)"),
        )
        .into());
    }
    let too_big = || -> ApiError {
        let mib = max / 1024 / 1024;
        bad_file(
            "file",
            &shown,
            "too_large",
            format!("{shown} is larger than {mib} MiB{advice}"),
        )
        .with("max", mib)
        .into()
    };
    if meta.len() > max {
        return Err(too_big());
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(max + 1).read_to_end(&mut bytes))
        .map_err(|e| unreadable("file", &shown, &e))?;
    if bytes.len() as u64 > max {
        return Err(too_big());
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::typed_in_app;
    use std::path::Path;

    #[test]
    fn a_path_typed_in_the_app_is_a_full_one() {
        for typed in [
            "agenda.ics",
            "./agenda.ics",
            "~/agenda.ics",
            "shared/relm",
            "",
        ] {
            let e = typed_in_app("file", Path::new(typed)).expect_err(typed);
            let p = &e.problems[0];
            assert_eq!(
                (p.field.as_str(), p.code),
                ("file", relm_domain::ProblemCode::BadFile)
            );
            assert_eq!(p.params["reason"], "not_absolute", "{typed}");
            assert_eq!(p.params["value"], typed);
        }
        let full = std::env::temp_dir().join("agenda.ics");
        typed_in_app("file", &full).expect("a full path");
        typed_in_app(
            "folder",
            Path::new("git+https://git.example.com/ops/relm.git"),
        )
        .expect("a git remote's URL");
    }
}
