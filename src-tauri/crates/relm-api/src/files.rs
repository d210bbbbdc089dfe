//! Files the user names: read as outside input.

use crate::error::{ApiError, Result};

/// The bytes of a file the user named: a regular file (not a FIFO, a device or a folder) of at
/// most `max` bytes, read no further than that even if it grows meanwhile. `advice` ends the
/// message for a file too large (`"; split it"`).
pub fn read_user_file(path: &std::path::Path, max: u64, advice: &str) -> Result<Vec<u8>> {
    use std::io::Read;
    let shown = path.display();
    let meta = std::fs::metadata(path)
        .map_err(|e| ApiError::invalid("file", format!("cannot read {shown}: {e}")))?;
    if !meta.is_file() {
        return Err(ApiError::invalid(
            "file",
            format!("{shown} is not a regular file (a folder, a FIFO or a device?)"),
        ));
    }
    let too_big = || {
        ApiError::invalid(
            "file",
            format!("{shown} is larger than {} MiB{advice}", max / 1024 / 1024),
        )
    };
    if meta.len() > max {
        return Err(too_big());
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(max + 1).read_to_end(&mut bytes))
        .map_err(|e| ApiError::invalid("file", format!("cannot read {shown}: {e}")))?;
    if bytes.len() as u64 > max {
        return Err(too_big());
    }
    Ok(bytes)
}
