//! The lock kubectl takes on a kubeconfig file, taken the same way so that kaas and kubectl
//! (and every client-go program) never write the file at once.
//!
//! client-go's `clientcmd` (`tools/clientcmd/loader.go`) locks a file by creating
//! `<file>.lock` exclusively and unlocks it by removing it:
//!
//! ```go
//! f, err := os.OpenFile(lockName(filename), os.O_CREATE|os.O_EXCL, 0)
//! ...
//! func unlockFile(filename string) error { return os.Remove(lockName(filename)) }
//! func lockName(filename string) string { return filename + ".lock" }
//! ```
//!
//! `ModifyConfig` locks the paths as given (it does not follow symbolic links), sorted, and
//! fails at once when a lock exists (`open …/config.lock: file exists`). kaas takes the same
//! locks, but waits a little for a lock to go before failing with
//! [`Error::KubeconfigLocked`].

use std::fs::{self, OpenOptions};
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::paths_on_disk::{check_folder_writable, folder_of, io_error};
use crate::error::{Error, Result};

/// The longest pause between two tries for a lock.
const MAX_PAUSE: Duration = Duration::from_millis(50);

/// A held lock: `<file>.lock`, removed when dropped.
#[derive(Debug)]
pub(super) struct Lock {
    path: PathBuf,
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
    }
}

/// The lock file of `file`: `<file>.lock`, as client-go names it.
pub(super) fn lock_path(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_os_string();
    name.push(".lock");
    PathBuf::from(name)
}

/// Takes the locks of `files` in sorted order (as client-go does, so that two programs never
/// wait for each other's), creating their folders. Waits up to `timeout` for each that
/// another program holds; releases those taken when one cannot be.
pub(super) fn lock_all(files: &[&Path], timeout: Duration) -> Result<Vec<Lock>> {
    let mut files = files.to_vec();
    files.sort();
    files.dedup();
    let deadline = Instant::now() + timeout;
    let mut held = Vec::with_capacity(files.len());
    for file in files {
        held.push(lock(file, deadline)?);
    }
    Ok(held)
}

/// Creates `<file>.lock` exclusively, trying again until `deadline` while it exists.
fn lock(file: &Path, deadline: Instant) -> Result<Lock> {
    let path = lock_path(file);
    let folder = folder_of(&path);
    fs::create_dir_all(folder).map_err(|e| io_error("create the folder", folder, e))?;
    check_folder_writable(folder, file)?;
    let started = Instant::now();
    let mut pause = Duration::from_millis(1);
    loop {
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        match options.open(&path) {
            Ok(_) => return Ok(Lock { path }),
            Err(e) if e.kind() == ErrorKind::AlreadyExists => {
                let now = Instant::now();
                if now >= deadline {
                    return Err(Error::KubeconfigLocked {
                        lock: path,
                        waited: started.elapsed(),
                    });
                }
                std::thread::sleep(pause.min(deadline - now));
                pause = (pause * 2).min(MAX_PAUSE);
            }
            Err(e) => return Err(io_error("create the lock", &path, e)),
        }
    }
}
