//! The output folder as a unit: a run's files appear together or not at all, and one run
//! at a time writes a folder.
//!
//! ## Design (Linux)
//! For an output folder `DIR/NAME`, a run uses three hidden siblings in `DIR`:
//! - `.NAME.promosim-lock`: a lock file holding the writer's process id, locked with an
//!   advisory lock (`flock`) for as long as the run lives. The kernel releases the lock when
//!   the process ends, however it ends, so a lock left by a killed run is never stale: the
//!   next run takes it over. A second run while the first holds it is refused, naming the
//!   folder and the holder's process id.
//! - `.NAME.promosim-staging`: every output file is written here first.
//! - `.NAME.promosim-work`: the finished trials and their manifest (see `crate::work`).
//!
//! When every file is in the staging folder, [`OutputUnit::commit`] swaps it with the
//! output folder in one step, `renameat2(RENAME_EXCHANGE)`, then removes the old folder
//! (now under the staging name). A reader of `DIR/NAME` sees the old complete result or the
//! new one, never a mix; files the new run does not write (a `report.html` of an earlier
//! run with `--report`) go with the old folder. Where the exchange is not supported (a
//! file system without it, a system other than Linux), the old folder is renamed away and
//! the new one renamed in: two steps, between which the folder is briefly absent but never
//! mixed.
//!
//! Because the whole folder is replaced, a folder holding files promosim does not write is
//! refused ([`check_replaceable`]): `--out` pointed at a folder of other work would
//! otherwise delete it.

use super::OutputError;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Why the output folder cannot be claimed.
#[derive(Debug, thiserror::Error)]
pub enum UnitError {
    /// A file or folder could not be read or written.
    #[error(transparent)]
    Io(#[from] OutputError),
    /// Another run holds the folder's lock.
    #[error(
        "{out} is being written by another promosim run ({holder}, lock {lock}): wait for it to finish or choose another --out"
    )]
    Busy {
        /// The output folder.
        out: PathBuf,
        /// Who holds the lock.
        holder: String,
        /// The lock file.
        lock: PathBuf,
    },
    /// The output folder holds files promosim does not write.
    #[error(
        "{out} holds files promosim does not write ({examples}): a run replaces its output folder as a whole, so give --out an empty folder, a new one or an earlier result folder"
    )]
    Foreign {
        /// The output folder.
        out: PathBuf,
        /// Some of the foreign names.
        examples: String,
    },
    /// The output location is not a folder that can be named.
    #[error("{0}: allowed a folder with a name (not the file system root)")]
    Unnamed(PathBuf),
}

/// Whether `name` is a file promosim writes into an output folder (or a temporary file an
/// atomic write of an earlier version left).
pub fn is_output_name(name: &str) -> bool {
    const FIXED: [&str; 24] = [
        "trials.csv",
        "summary.csv",
        "summary.json",
        "daily.csv",
        "contributions.csv",
        "report.html",
        "scenario.resolved.toml",
        "sweep.csv",
        "sweep_summary.csv",
        "response.csv",
        "design.csv",
        "sensitivity.csv",
        "morris.csv",
        "particles.csv",
        "generations.csv",
        "waves.csv",
        "posterior.csv",
        "correlation.csv",
        "predictive.csv",
        "optimum.csv",
        "targets.csv",
        "cost.csv",
        "posterior_pairs.png",
        "epsilon.png",
    ];
    FIXED.contains(&name)
        || name == "predictive.png"
        || (name.starts_with("calibrated_") && name.ends_with(".toml"))
        || super::fit::FILES.contains(&name)
        || (name.starts_with("scenario.") && name.ends_with(".resolved.toml"))
        || (name.starts_with("plot_") && (name.ends_with(".png") || name.ends_with(".svg")))
        || name == crate::shard::RECORD
        || name == "partial.txt"
        || crate::work::is_chunk_name(name)
        || name.starts_with(".tmp")
}

/// Checks that `out` may be replaced as a whole: absent, empty, or holding only files
/// promosim writes ([`is_output_name`]).
pub fn check_replaceable(out: &Path) -> Result<(), UnitError> {
    let entries = match std::fs::read_dir(out) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(source) => {
            return Err(OutputError::Io {
                path: out.to_path_buf(),
                source,
            }
            .into());
        }
    };
    let mut foreign: Vec<String> = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|source| OutputError::Io {
            path: out.to_path_buf(),
            source,
        })?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_file = entry.file_type().map(|t| t.is_file()).unwrap_or(false);
        if !(is_file && is_output_name(&name)) {
            foreign.push(name);
        }
    }
    if foreign.is_empty() {
        return Ok(());
    }
    foreign.sort();
    let more = foreign.len().saturating_sub(3);
    let mut examples = foreign.into_iter().take(3).collect::<Vec<_>>().join(", ");
    if more > 0 {
        examples.push_str(&format!(" and {more} more"));
    }
    Err(UnitError::Foreign {
        out: out.to_path_buf(),
        examples,
    })
}

/// The work folder of the output folder `out` (which must exist), found without claiming
/// `out`: where the shards of a calibration round leave their simulations while other
/// shards run beside them.
pub fn work_dir_of(out: &Path) -> Result<PathBuf, UnitError> {
    let out = out.canonicalize().map_err(|source| OutputError::Io {
        path: out.to_path_buf(),
        source,
    })?;
    let (Some(dir), Some(name)) = (out.parent(), out.file_name()) else {
        return Err(UnitError::Unnamed(out));
    };
    Ok(dir.join(format!(".{}.promosim-work", name.to_string_lossy())))
}

/// An output folder claimed by this process: its lock held, its staging folder empty.
#[derive(Debug)]
pub struct OutputUnit {
    out: PathBuf,
    staging: PathBuf,
    work: PathBuf,
    lock_path: PathBuf,
    /// Held for its lock: closing it releases the lock.
    _lock: File,
}

impl OutputUnit {
    /// Claims the output folder `out` (which must exist): takes its lock, checks it may be
    /// replaced ([`check_replaceable`]) and prepares an empty staging folder.
    pub fn claim(out: &Path) -> Result<Self, UnitError> {
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| OutputError::Io { path, source }
        };
        let out = out.canonicalize().map_err(io(out))?;
        let (Some(dir), Some(name)) = (out.parent(), out.file_name()) else {
            return Err(UnitError::Unnamed(out));
        };
        let name = name.to_string_lossy();
        let sibling = |what: &str| dir.join(format!(".{name}.promosim-{what}"));
        let lock_path = sibling("lock");
        let lock = take_lock(&out, &lock_path)?;
        let unit = OutputUnit {
            work: work_dir_of(&out)?,
            staging: sibling("staging"),
            out,
            lock_path,
            _lock: lock,
        };
        // From here on, dropping `unit` releases the lock and removes the staging folder.
        check_replaceable(&unit.out)?;
        if unit.staging.exists() {
            std::fs::remove_dir_all(&unit.staging).map_err(io(&unit.staging))?;
        }
        std::fs::create_dir(&unit.staging).map_err(io(&unit.staging))?;
        Ok(unit)
    }

    /// The folder the run writes its outputs into.
    pub fn staging(&self) -> &Path {
        &self.staging
    }

    /// The run's work folder (see `crate::work`).
    pub fn work_dir(&self) -> &Path {
        &self.work
    }

    /// The output folder.
    pub fn out(&self) -> &Path {
        &self.out
    }

    /// Puts the staging folder in place of the output folder (see the module
    /// documentation) and removes the old folder; the lock is released when the unit is
    /// dropped.
    pub fn commit(&self) -> Result<(), OutputError> {
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| OutputError::Io { path, source }
        };
        sync_dir(&self.staging).map_err(io(&self.staging))?;
        if self.out.exists() {
            if exchange(&self.staging, &self.out).is_err() {
                let mut old = self.staging.clone().into_os_string();
                old.push("-old");
                let old = PathBuf::from(old);
                if old.exists() {
                    std::fs::remove_dir_all(&old).map_err(io(&old))?;
                }
                std::fs::rename(&self.out, &old).map_err(io(&self.out))?;
                std::fs::rename(&self.staging, &self.out).map_err(io(&self.out))?;
                std::fs::rename(&old, &self.staging).map_err(io(&old))?;
            }
            std::fs::remove_dir_all(&self.staging).map_err(io(&self.staging))?;
        } else {
            std::fs::rename(&self.staging, &self.out).map_err(io(&self.out))?;
        }
        if let Some(dir) = self.out.parent() {
            sync_dir(dir).map_err(io(dir))?;
        }
        Ok(())
    }

    /// Leaves the output folder and the work folder as they are (an interrupted run):
    /// removes the staging folder and releases the lock, as dropping the unit does.
    pub fn abandon(self) {}
}

impl Drop for OutputUnit {
    /// Removes the staging folder (if still there) and releases the lock. The lock file is
    /// removed while still locked, so no other run can have locked this file: one that
    /// opened it meanwhile finds it unlinked after locking and opens it again.
    fn drop(&mut self) {
        if self.staging.exists() {
            let _ = std::fs::remove_dir_all(&self.staging);
        }
        let _ = std::fs::remove_file(&self.lock_path);
    }
}

/// Opens and locks `lock_path` for the output folder `out`, writing this process's id
/// into it.
fn take_lock(out: &Path, lock_path: &Path) -> Result<File, UnitError> {
    let io = |source| OutputError::Io {
        path: lock_path.to_path_buf(),
        source,
    };
    loop {
        let mut f = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(lock_path)
            .map_err(io)?;
        match f.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                let holder = std::fs::read_to_string(lock_path)
                    .ok()
                    .and_then(|s| s.trim().parse::<u32>().ok())
                    .map(|pid| format!("process {pid}"))
                    .unwrap_or_else(|| "a process starting up".into());
                return Err(UnitError::Busy {
                    out: out.to_path_buf(),
                    holder,
                    lock: lock_path.to_path_buf(),
                });
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(io(e).into()),
        }
        if !same_file(&f, lock_path) {
            // The holder removed the file between our open and our lock: try again.
            continue;
        }
        f.set_len(0).map_err(io)?;
        writeln!(f, "{}", std::process::id()).map_err(io)?;
        return Ok(f);
    }
}

/// Whether the open file `f` is still the file at `path`.
fn same_file(f: &File, path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (f.metadata(), std::fs::metadata(path)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (f, path);
        true
    }
}

/// Swaps the folders `a` and `b` atomically.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let c = |p: &Path| {
        CString::new(p.as_os_str().as_bytes())
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))
    };
    let (ca, cb) = (c(a)?, c(b)?);
    // SAFETY: both paths are NUL-terminated C strings that outlive the call.
    let r = unsafe {
        libc::syscall(
            libc::SYS_renameat2,
            libc::AT_FDCWD,
            ca.as_ptr(),
            libc::AT_FDCWD,
            cb.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// Swaps the folders `a` and `b` atomically: not available here.
#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> std::io::Result<()> {
    Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
}

/// Flushes a folder's entries to disk (a no-op where folders cannot be opened).
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_names_are_the_files_a_run_writes() {
        for n in [
            "trials.csv",
            "report.html",
            "scenario.a_b.resolved.toml",
            "plot_fan.svg",
            ".tmpAbC12",
        ] {
            assert!(is_output_name(n), "{n}");
        }
        for n in ["notes.txt", "plot_fan.pdf", "scenario.toml", "data"] {
            assert!(!is_output_name(n), "{n}");
        }
    }

    #[test]
    fn a_unit_replaces_the_whole_folder_and_refuses_a_second_claim() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("res");
        std::fs::create_dir(&out).unwrap();
        std::fs::write(out.join("report.html"), "old").unwrap();
        std::fs::write(out.join("trials.csv"), "old").unwrap();
        let unit = OutputUnit::claim(&out).unwrap();
        let e = OutputUnit::claim(&out).unwrap_err().to_string();
        assert!(
            e.contains("another promosim run") && e.contains("res"),
            "{e}"
        );
        assert!(
            e.contains(&format!("process {}", std::process::id())),
            "{e}"
        );
        std::fs::write(unit.staging().join("trials.csv"), "new").unwrap();
        unit.commit().unwrap();
        drop(unit);
        assert_eq!(
            std::fs::read_to_string(out.join("trials.csv")).unwrap(),
            "new"
        );
        assert!(!out.join("report.html").exists());
        let left: Vec<_> = std::fs::read_dir(root.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "only the output folder is left");
        // The lock is free again.
        OutputUnit::claim(&out).unwrap().abandon();
    }

    #[test]
    fn a_folder_of_other_files_is_refused() {
        let root = tempfile::tempdir().unwrap();
        std::fs::write(root.path().join("notes.txt"), "mine").unwrap();
        std::fs::create_dir(root.path().join("sub")).unwrap();
        let e = OutputUnit::claim(root.path()).unwrap_err().to_string();
        assert!(e.contains("notes.txt, sub"), "{e}");
        assert!(root.path().join("notes.txt").exists());
    }
}
