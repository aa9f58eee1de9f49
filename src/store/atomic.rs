//! Crash-safe file writes and folders with fixed modes, whatever the umask.
//!
//! A write goes to a temporary file in the destination folder (named `.<name>.<random>.tmp`, so
//! readers that list the folder skip it), is fsynced, renamed over the destination and the
//! folder is fsynced: after a crash the destination holds the old bytes or the new ones, never
//! a mix. Modes are set with `fchmod`/`chmod`, which the umask does not touch.

use std::fs::{self, DirBuilder, File, Permissions};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result, StoreError};

/// The mode of every folder broker creates.
pub const DIR_MODE: u32 = 0o700;
/// The mode of every file broker creates, unless the user asked for another (sinks).
pub const FILE_MODE: u32 = 0o600;

/// Create `dir` and its missing parents with mode 0700, whatever the umask.
///
/// Folders that already exist are left as they are: they may be the user's (`~/.config`), and
/// tightening them behind the user's back would be a surprise.
pub fn create_dir(dir: &Path) -> Result<()> {
    // Walk up to the first folder that exists, then create downwards, so that every folder we
    // create (and only those) gets its mode fixed.
    let mut missing: Vec<PathBuf> = Vec::new();
    let mut cur = Some(dir);
    while let Some(p) = cur {
        if p.as_os_str().is_empty() {
            break;
        }
        match fs::metadata(p) {
            Ok(meta) if meta.is_dir() => break,
            Ok(_) => {
                return Err(StoreError::FolderInTheWay {
                    path: p.display().to_string(),
                }
                .into());
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => missing.push(p.to_path_buf()),
            Err(e) => return Err(Error::io(crate::error::IoOp::Inspect, p, e)),
        }
        cur = p.parent();
    }
    for p in missing.iter().rev() {
        match DirBuilder::new().mode(DIR_MODE).create(p) {
            Ok(()) => {
                // The umask may have removed bits from the mode asked for above.
                fs::set_permissions(p, Permissions::from_mode(DIR_MODE))
                    .map_err(|e| Error::io(crate::error::IoOp::SetMode, p, e))?;
            }
            // Another broker process created it between our look and our create: fine.
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && p.is_dir() => {}
            Err(e) => return Err(Error::io(crate::error::IoOp::CreateFolder, p, e)),
        }
    }
    Ok(())
}

/// Atomic write: temp file in the same folder, mode set with `fchmod`, write, fsync, rename over
/// `path`, fsync the folder. A crash leaves the old file or the new one. The folder must exist.
pub fn write(path: &Path, bytes: &[u8], mode: u32) -> Result<()> {
    write_impl(path, bytes, mode, false)
}

/// Like [`write`], but never replaces an existing file: if `path` exists, the error has kind
/// `Usage` (exit 2) and the file is untouched. For files that must never be overwritten, like
/// an identity; the check and the rename are one step (`link`/`renameat2`), so it holds against
/// a concurrent writer too.
pub fn write_new(path: &Path, bytes: &[u8], mode: u32) -> Result<()> {
    write_impl(path, bytes, mode, true)
}

/// True for the names of the temporary files [`write`] leaves behind after a crash; readers
/// that list a folder skip them.
pub fn is_temp_name(name: &str) -> bool {
    name.starts_with('.') && name.ends_with(".tmp")
}

/// How many random characters a temporary file's name carries; fixed, so that
/// [`remove_leftovers`] can tell the temporary files of `a.age` from those of `a.age.age`.
const RANDOM_LEN: usize = 6;

/// True when `name` is a temporary file of [`write`] for the file named `target`.
fn is_temp_of(name: &str, target: &str) -> bool {
    name.strip_prefix('.')
        .and_then(|n| n.strip_prefix(target))
        .and_then(|n| n.strip_prefix('.'))
        .and_then(|n| n.strip_suffix(".tmp"))
        .is_some_and(|r| r.len() == RANDOM_LEN && r.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// Removes the temporary files that writes of `path` left behind when their process died
/// between creating and renaming them (`kill -9`, power loss); returns how many.
///
/// Only for a caller that serialises every writer of `path` (the profile lock does for state
/// files): a temporary file of a live writer would otherwise be pulled from under it. Best
/// effort: a file that cannot be removed is left, as it was before. Run before a write, it
/// also gives back the space a dead writer held, which matters on a nearly full disk.
pub fn remove_leftovers(path: &Path) -> usize {
    remove_leftovers_older_than(path, std::time::Duration::ZERO)
}

/// [`remove_leftovers`], only of the temporary files not changed for `age`: for a file whose
/// writers are not all serialised, a write still under way is never that old (the config:
/// see `config::edit`).
pub fn remove_leftovers_older_than(path: &Path, age: std::time::Duration) -> usize {
    let Some(target) = path.file_name().and_then(|n| n.to_str()) else {
        return 0;
    };
    let Ok(entries) = fs::read_dir(parent_of(path)) else {
        return 0;
    };
    let old_enough = |e: &fs::DirEntry| {
        age.is_zero()
            || e.metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|t| t.elapsed().is_ok_and(|d| d >= age))
    };
    entries
        .filter_map(|e| e.ok())
        .filter(|e| {
            e.file_name()
                .to_str()
                .is_some_and(|n| is_temp_of(n, target))
        })
        .filter(old_enough)
        .filter(|e| fs::remove_file(e.path()).is_ok())
        .count()
}

fn write_impl(path: &Path, bytes: &[u8], mode: u32, no_clobber: bool) -> Result<()> {
    let file_name = path.file_name().ok_or_else(|| StoreError::NotAFilePath {
        path: path.display().to_string(),
    })?;
    let dir = parent_of(path);
    let prefix = format!(".{}.", file_name.to_string_lossy());
    let mut tmp = tempfile::Builder::new()
        .prefix(&prefix)
        .suffix(".tmp")
        .rand_bytes(RANDOM_LEN)
        .tempfile_in(dir)
        .map_err(|e| Error::io(crate::error::IoOp::CreateTempIn, dir, e))?;
    // fchmod is not subject to the umask, unlike the mode given at open.
    tmp.as_file()
        .set_permissions(Permissions::from_mode(mode))
        .map_err(|e| Error::io(crate::error::IoOp::SetMode, tmp.path(), e))?;
    tmp.as_file_mut()
        .write_all(bytes)
        .map_err(|e| Error::io(crate::error::IoOp::Write, tmp.path(), e))?;
    // The data must be on disk before the rename makes it visible, or a crash could leave a
    // renamed but empty file.
    tmp.as_file()
        .sync_all()
        .map_err(|e| Error::io(crate::error::IoOp::Sync, tmp.path(), e))?;
    crate::failpoint::hit("atomic.before-rename");
    if no_clobber {
        tmp.persist_noclobber(path).map_err(|e| {
            if e.error.kind() == io::ErrorKind::AlreadyExists {
                StoreError::AlreadyExists {
                    path: path.display().to_string(),
                }
                .into()
            } else {
                Error::io(crate::error::IoOp::Write, path, e.error)
            }
        })?;
    } else {
        // On failure the temporary file is removed when the error (which owns it) drops.
        tmp.persist(path)
            .map_err(|e| Error::io(crate::error::IoOp::Write, path, e.error))?;
    }
    crate::failpoint::hit("atomic.after-rename");
    sync_dir(dir)
}

/// Fsync a folder, so a rename or a new entry in it survives a crash.
pub fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| Error::io(crate::error::IoOp::SyncFolder, dir, e))
}

/// The folder holding `path`; `.` for a bare file name.
fn parent_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::MetadataExt;

    fn mode(p: &Path) -> u32 {
        fs::metadata(p).unwrap().mode() & 0o777
    }

    #[test]
    fn write_replaces_the_file_and_sets_the_mode() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("state.age");
        write(&p, b"one", 0o600).unwrap();
        write(&p, b"two", 0o640).unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"two");
        assert_eq!(mode(&p), 0o640);
        // No temporary file is left behind after a successful write.
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("state.age")]);
    }

    #[test]
    fn write_new_refuses_to_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("identity.txt");
        write_new(&p, b"first", 0o600).unwrap();
        let err = write_new(&p, b"second", 0o600).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert_eq!(fs::read(&p).unwrap(), b"first");
    }

    #[test]
    fn write_into_a_missing_folder_fails_cleanly() {
        let dir = tempfile::tempdir().unwrap();
        let err = write(&dir.path().join("no/such/file"), b"x", 0o600).unwrap_err();
        assert!(
            err.message().contains("temporary file"),
            "{}",
            err.message()
        );
    }

    #[test]
    fn create_dir_makes_every_missing_level_0700() {
        let dir = tempfile::tempdir().unwrap();
        let deep = dir.path().join("a/b/c");
        create_dir(&deep).unwrap();
        for p in [dir.path().join("a"), dir.path().join("a/b"), deep.clone()] {
            assert_eq!(mode(&p), 0o700, "{}", p.display());
        }
        // Idempotent.
        create_dir(&deep).unwrap();
    }

    #[test]
    fn create_dir_leaves_existing_folders_alone() {
        let dir = tempfile::tempdir().unwrap();
        fs::set_permissions(dir.path(), Permissions::from_mode(0o755)).unwrap();
        create_dir(&dir.path().join("x")).unwrap();
        assert_eq!(mode(dir.path()), 0o755);
    }

    #[test]
    fn create_dir_reports_a_file_in_the_way() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("f"), b"").unwrap();
        assert!(create_dir(&dir.path().join("f/sub")).is_err());
    }

    #[test]
    fn leftovers_of_one_file_are_removed_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.age");
        write(&p, b"state", 0o600).unwrap();
        let keep = [
            "a.age",
            ".a.age.age.Xy12Z9.tmp", // a temporary file of `a.age.age`
            ".b.age.Xy12Z9.tmp",
            ".a.age.toolong7.tmp",
            ".a.age.x-y_z1.tmp",
            "a.age.Xy12Z9.tmp",
        ];
        for name in &keep[1..] {
            fs::write(dir.path().join(name), b"x").unwrap();
        }
        for name in [".a.age.Xy12Z9.tmp", ".a.age.000000.tmp"] {
            fs::write(dir.path().join(name), b"torn").unwrap();
        }
        assert_eq!(remove_leftovers(&p), 2);
        let mut left: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        let mut want: Vec<String> = keep.iter().map(|s| s.to_string()).collect();
        want.sort();
        assert_eq!(left, want);
        assert_eq!(remove_leftovers(&dir.path().join("none/a.age")), 0);
    }

    #[test]
    fn the_names_write_makes_are_the_names_remove_leftovers_knows() {
        let dir = tempfile::tempdir().unwrap();
        let tmp = tempfile::Builder::new()
            .prefix(".a.age.")
            .suffix(".tmp")
            .rand_bytes(RANDOM_LEN)
            .tempfile_in(dir.path())
            .unwrap();
        let name = tmp.path().file_name().unwrap().to_str().unwrap().to_owned();
        assert!(is_temp_of(&name, "a.age"), "{name}");
        assert!(is_temp_name(&name));
    }

    #[test]
    fn temp_names_are_recognised() {
        assert!(is_temp_name(".work.age.AbC123.tmp"));
        assert!(!is_temp_name("work.age"));
        assert!(!is_temp_name("work.tmp"));
    }
}
