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
