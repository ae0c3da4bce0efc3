//! Reading the small files a run is given (the config file, a token file, a CA bundle) without
//! trusting their size: `/dev/zero` or a runaway file is refused after 1 MiB instead of eating
//! memory. Also the report files a run writes: replaced atomically, or appended to.

use std::io::{self, Read, Write};
use std::path::Path;

/// The most bytes read from a config, token or certificate file.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// The whole file, or an error once it holds more than [`MAX_FILE_BYTES`].
pub fn read_capped(path: &Path) -> io::Result<Vec<u8>> {
    let file = std::fs::File::open(path)?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "it is larger than 1 MiB, which no such file needs: refused",
        ));
    }
    Ok(bytes)
}

/// [`read_capped`] as UTF-8 text.
pub fn read_text(path: &Path) -> io::Result<String> {
    String::from_utf8(read_capped(path)?)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "it is not UTF-8 text"))
}

/// Replaces `path` with `bytes` atomically: a temporary file in the same directory, synced,
/// then renamed over it. A write that fails leaves the old content (and no temporary file).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    // A symbolic link is not replaced by a file (nor followed to a device): refused, left as is.
    let existing = std::fs::symlink_metadata(path).ok();
    if existing
        .as_ref()
        .is_some_and(|m| m.file_type().is_symlink())
    {
        return Err(io::Error::other("it is a symbolic link"));
    }
    let mut temp = tempfile::Builder::new()
        .prefix(".taskwatch-report-")
        .tempfile_in(&dir)?;
    // A report is read by others (a CI artifact uploader): an existing file keeps its mode, a
    // new one is 644 (the temporary file is made 600).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = existing
            .filter(|m| m.file_type().is_file())
            .map_or(0o644, |m| m.permissions().mode() & 0o7777);
        temp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(mode))?;
    }
    temp.write_all(bytes)?;
    temp.as_file().sync_all()?;
    temp.persist(path).map_err(|e| e.error)?;
    if let Ok(d) = std::fs::File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Appends `bytes` to `path` in one write (a file another program owns, such as GitHub's
/// step summary).
pub fn append(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)?;
    file.write_all(bytes)?;
    file.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn endless_files_are_refused() {
        let e = read_capped(Path::new("/dev/zero")).unwrap_err();
        assert!(e.to_string().contains("larger than 1 MiB"), "{e}");
    }

    #[test]
    fn small_files_are_read() {
        let path = std::env::temp_dir().join(format!("taskwatch-files-{}", std::process::id()));
        std::fs::write(&path, "x".repeat(MAX_FILE_BYTES as usize)).unwrap();
        assert_eq!(read_text(&path).unwrap().len(), MAX_FILE_BYTES as usize);
        std::fs::write(&path, "x".repeat(MAX_FILE_BYTES as usize + 1)).unwrap();
        assert!(read_text(&path).is_err());
        std::fs::write(&path, b"\xff").unwrap();
        assert!(read_text(&path).unwrap_err().to_string().contains("UTF-8"));
        std::fs::remove_file(path).unwrap();
    }
}
