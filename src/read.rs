//! Reading input files with a size cap: the one way alertlint reads a file a
//! user names (rule files, the configuration, the Alertmanager configuration,
//! saved scrapes, the baseline).
//!
//! Only regular files are read. A device such as `/dev/zero` never ends and a
//! FIFO may never be written to, so both are refused up front with a message
//! naming the file instead of filling memory or hanging; standard input is
//! read through `-` where a command accepts it. A regular file is read up to
//! its cap plus one byte, so a larger file is refused without being read
//! whole.

use std::fmt;
use std::io::{self, Read};
use std::path::Path;

/// Largest rule file checked (the YAML loader's own limit).
pub const MAX_RULE_FILE_BYTES: usize = crate::yaml::DEFAULT_MAX_BYTES;
/// Largest `.alertlint.yaml`: a configuration is a few kilobytes.
pub const MAX_CONFIG_BYTES: usize = 16 << 20;
/// Largest Alertmanager configuration (or Kubernetes Secret holding one).
pub const MAX_ALERTMANAGER_BYTES: usize = 64 << 20;
/// Largest saved scrape (`--metrics`, `prometheus.metrics`).
pub const MAX_METRICS_BYTES: usize = 64 << 20;
/// Largest baseline file.
pub const MAX_BASELINE_BYTES: usize = 64 << 20;

/// Why a file could not be read.
#[derive(Debug)]
pub enum ReadError {
    Io(io::Error),
    /// Not a regular file: what it is instead.
    NotAFile(&'static str),
    /// Larger than the cap (in bytes).
    TooLarge(usize),
    /// Not UTF-8 text; the offset of the first invalid byte.
    NotUtf8 {
        offset: usize,
        utf16: bool,
    },
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Io(e) => write!(f, "{e}"),
            ReadError::NotAFile(kind) => write!(f, "not a regular file ({kind})"),
            ReadError::TooLarge(limit) => write!(f, "file is larger than the limit of {limit} bytes"),
            ReadError::NotUtf8 { utf16: true, .. } => write!(f, "file is UTF-16 text; save it as UTF-8"),
            ReadError::NotUtf8 { offset, .. } => write!(f, "file is not valid UTF-8 (invalid byte at offset {offset})"),
        }
    }
}

impl std::error::Error for ReadError {}

impl From<io::Error> for ReadError {
    fn from(e: io::Error) -> ReadError {
        ReadError::Io(e)
    }
}

/// What a file that is not read is, for messages; `None` for a regular
/// file, and for `/dev/null`, which reads as empty (`check /dev/null`).
fn kind_of(metadata: &std::fs::Metadata) -> Option<&'static str> {
    let file_type = metadata.file_type();
    if file_type.is_file() || is_dev_null(metadata) {
        return None;
    }
    if file_type.is_dir() {
        return Some("a directory");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return Some("a FIFO");
        }
        if file_type.is_char_device() {
            return Some("a character device");
        }
        if file_type.is_block_device() {
            return Some("a block device");
        }
        if file_type.is_socket() {
            return Some("a socket");
        }
    }
    Some("not a file")
}

#[cfg(target_os = "linux")]
fn is_dev_null(metadata: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::{FileTypeExt, MetadataExt};
    // Character device 1:3 on Linux.
    metadata.file_type().is_char_device() && metadata.rdev() == 0x103
}

#[cfg(not(target_os = "linux"))]
fn is_dev_null(_: &std::fs::Metadata) -> bool {
    false
}

/// Reads the regular file at `path`, at most `limit` bytes.
pub fn read_bytes(path: &Path, limit: usize) -> Result<Vec<u8>, ReadError> {
    // Checked before opening: opening a FIFO blocks until a writer comes.
    if let Some(kind) = kind_of(&std::fs::metadata(path)?) {
        return Err(ReadError::NotAFile(kind));
    }
    let file = std::fs::File::open(path)?;
    // Checked again on the open file, which may have been replaced meanwhile.
    let metadata = file.metadata()?;
    if let Some(kind) = kind_of(&metadata) {
        return Err(ReadError::NotAFile(kind));
    }
    let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    // Sized up front as `fs::read` does; the length is only a hint (it may change).
    let hint = metadata.len().min(cap);
    let mut bytes = Vec::with_capacity(usize::try_from(hint).unwrap_or(0));
    file.take(cap).read_to_end(&mut bytes)?;
    if bytes.len() > limit {
        return Err(ReadError::TooLarge(limit));
    }
    Ok(bytes)
}

/// Reads the regular file at `path` as UTF-8 text, at most `limit` bytes.
pub fn read_text(path: &Path, limit: usize) -> Result<String, ReadError> {
    let bytes = read_bytes(path, limit)?;
    let utf16 = bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]);
    String::from_utf8(bytes).map_err(|e| ReadError::NotUtf8 { offset: e.utf8_error().valid_up_to(), utf16 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_size_and_refuses_devices() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("a");
        std::fs::write(&path, "hello").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(read_bytes(&path, 5).ok().as_deref(), Some(&b"hello"[..]));
        assert!(matches!(read_bytes(&path, 4), Err(ReadError::TooLarge(4))));
        assert!(matches!(read_bytes(dir.path(), 4), Err(ReadError::NotAFile("a directory"))));
        #[cfg(unix)]
        assert!(matches!(read_bytes(Path::new("/dev/zero"), 4), Err(ReadError::NotAFile("a character device"))));
        #[cfg(target_os = "linux")]
        assert_eq!(read_bytes(Path::new("/dev/null"), 4).ok(), Some(Vec::new()));
        std::fs::write(&path, [0xFF, 0xFE, b'a', 0]).unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(read_text(&path, 10), Err(ReadError::NotUtf8 { utf16: true, .. })));
    }
}
