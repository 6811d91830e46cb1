//! Facts about the files and folders a kubeconfig is written to, and the error that says
//! which one failed and why, shared by the file editor and the lock.

use std::fs;
use std::io::ErrorKind;
use std::path::Path;

use crate::error::{Error, Result};

/// The folder of `path` (`.` for a bare file name).
pub(super) fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

/// Refuses a folder its owner may not write: kaas would create the lock and the temporary
/// file there. Root could, as kubectl running as root does; a read-only folder says not to.
pub(super) fn check_folder_writable(folder: &Path, file: &Path) -> Result<()> {
    let metadata = fs::metadata(folder).map_err(|e| io_error("read the folder", folder, e))?;
    match read_only(&metadata, true) {
        Some(why) => Err(Error::KubeconfigFile {
            action: format!("save {} in its folder", file.display()),
            path: folder.into(),
            reason: format!("permission denied (the folder is read-only, {why})"),
            source: None,
        }),
        None => Ok(()),
    }
}

/// Why a file or folder counts as read-only (its owner may not write it), or `None`. kaas
/// reads the permission bits itself rather than waiting for the system to refuse: it
/// replaces the file by renaming a new one over it, which the file's own bits do not stop,
/// and root passes every check (kubectl's `os.WriteFile` as root replaces a 0400 file).
pub(super) fn read_only(metadata: &fs::Metadata, folder: bool) -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let _ = folder;
        let mode = metadata.permissions().mode() & 0o7777;
        (mode & 0o200 == 0).then(|| format!("mode {mode:04o}"))
    }
    #[cfg(not(unix))]
    {
        // Windows ignores a folder's read-only attribute.
        (!folder && metadata.permissions().readonly()).then(|| "read-only attribute".to_string())
    }
}

/// The typed error of a failed file operation: "permission denied" said plainly, with the
/// path at fault.
pub(super) fn io_error(action: &str, path: &Path, error: std::io::Error) -> Error {
    let reason = match error.kind() {
        ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => error.to_string(),
    };
    Error::KubeconfigFile {
        action: action.into(),
        path: path.into(),
        reason,
        source: Some(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A permission error reads the same on every system ("permission denied"), for the
    /// command's exit code and for a user reading it; other errors keep the system's words.
    #[cfg(unix)]
    #[test]
    fn a_permission_error_says_permission_denied() {
        let path = Path::new("/etc/kubeconfig");
        // As the system reports it: "Permission denied (os error 13)".
        let denied = io_error(
            "read",
            path,
            std::io::Error::from_raw_os_error(libc::EACCES),
        );
        let other = io_error("read", path, std::io::Error::other("disk on fire"));
        match (denied, other) {
            (
                Error::KubeconfigFile { reason: denied, .. },
                Error::KubeconfigFile { reason: other, .. },
            ) => assert_eq!(
                (denied.as_str(), other.as_str()),
                ("permission denied", "disk on fire")
            ),
            unexpected => panic!("{unexpected:?}"),
        }
    }
}
