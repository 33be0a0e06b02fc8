//! Limits on every size, count and thread setting, in one place, each with its reason.
//!
//! A value above a limit is refused before anything runs, with the key or option and the
//! allowed range named, so a typo (an extra zero, a wrong unit) fails fast instead of
//! aborting on an allocation, running for hours or writing a meaningless forecast. The
//! limits are generous: every shipped scenario is far inside them.
//!
//! | limit | value | applies to |
//! |---|---|---|
//! | [`MAX_TRIALS`] | 10,000,000 | `trials`, `--trials` of every command, a baseline's `trials` |
//! | [`MAX_THREADS`] | 1,024 | `--threads` |
//! | [`MAX_AGENTS`] | 50,000,000 | `population.buyers` plus the expected group members |
//! | [`MAX_GROUPS`] | 1,000,000 | `population.groups.count` |
//! | [`MAX_GROUP_SIZE`] | 500 | `population.groups.size` (members of one chat group) |
//! | [`MAX_BLOGGERS`] | 1,000,000 | `population.bloggers.count` |
//! | [`MAX_HORIZON_DAYS`] | 3,650 | `horizon_days` |
//! | [`MAX_MONEY`] | 10¹² | every amount of money (prices, costs, coupons, budgets, fees) |
//! | [`MAX_SCENARIO_BYTES`] | 4 MiB | scenario and baseline settings files |
//! | [`MAX_BASELINE_BYTES`] | 16 MiB | baseline files |
//! | [`MAX_CALIBRATION_ROUNDS`] | 30 | `calibrate --rounds` |
//!
//! Input files must also be regular files: a FIFO, a device (`/dev/zero`) or a folder is
//! refused before it is opened ([`read_input`]), so reading can neither block nor grow
//! without end.

use std::io::Read;
use std::path::Path;

/// Most trials of one run (per candidate).
///
/// Every finished trial is held in memory until the outputs are written: about 1 KB per
/// trial for a small scenario (measured: 100,000 trials of `bass.toml` over 30 days peak
/// at 91 MB), more with a longer horizon and more mechanisms' KPIs. Ten million trials is
/// beyond any forecast's need (the intervals of 10,000 trials are already narrow) and, at
/// a few kilobytes each, still fits a workstation; a mistyped count far above it (`1e9`
/// would need 128 GB for the result slots alone) is refused instead of aborting.
pub const MAX_TRIALS: u32 = 10_000_000;

/// Most worker threads. Results never depend on the thread count; more threads than
/// cores only adds threads. 1,024 is above the core count of any machine promosim runs
/// on and starts in milliseconds, while a million threads takes minutes to start.
pub const MAX_THREADS: usize = 1024;

/// Most simulated buyers in one trial (buyers outside groups plus expected members): each
/// costs a few dozen bytes of state per worker thread.
pub const MAX_AGENTS: u64 = 50_000_000;

/// Most chat groups (each is a mixing pool with its own schedule of events).
pub const MAX_GROUPS: u32 = 1_000_000;

/// Most members of one chat group.
///
/// WeChat caps a group at 500 members, and the group-chat model (every member sees the
/// chat's messages, proofs and drops) is calibrated on groups of 200–500. Above that its
/// dynamics leave the range they describe: with the order proofs of
/// `proofs_designed.toml`, one group of 500 converts 33% in 90 days, one of 1,000 already
/// 99.6% and one of 3,000 all of its members, and the run time grows steeply with the
/// group (three trials: 0.05 s at 1,000 members, 1.7 s at 3,000, 13 s at 5,000, over a
/// minute at 14,000). A size distribution whose mean or
/// largest value exceeds the cap is refused; draws of an unbounded distribution (normal,
/// lognormal, gamma, Pareto) are capped at it.
pub const MAX_GROUP_SIZE: u32 = 500;

/// Most bloggers in the pool: the pool is drawn in every trial (followers, engagement,
/// relevance), so its size is memory and time per trial (measured: a million bloggers in
/// `influencers.toml` take 0.4 s and 90 MB per trial on one thread; a billion would take
/// gigabytes); a category's bloggers who could answer an application or take a paid post
/// number in the thousands.
pub const MAX_BLOGGERS: u32 = 1_000_000;

/// Most simulated days: ten years.
pub const MAX_HORIZON_DAYS: u32 = 3650;

/// Largest amount of money a setting may hold, in the scenario's currency.
///
/// A trillion leaves room for currencies with small units (a campaign budget in VND or
/// IDR), while revenue, costs and margins summed over every agent, order and day stay
/// finite: with a price of 10¹² and 50 million buyers ordering daily for ten years, revenue
/// is about 2·10²³, far from the largest finite number; a price of 10³⁰⁸ would make it
/// infinite.
pub const MAX_MONEY: f64 = 1e12;

/// Largest scenario or settings file read: the shipped scenarios are a few kilobytes.
pub const MAX_SCENARIO_BYTES: u64 = 4 * 1024 * 1024;

/// Largest baseline file read: the shipped baselines are under 50 KB (about 16 KB per
/// candidate).
pub const MAX_BASELINE_BYTES: u64 = 16 * 1024 * 1024;

/// Most rounds of the calibration search: the step halves each round, so after 30 rounds
/// it is a billionth of the first.
pub const MAX_CALIBRATION_ROUNDS: u32 = 30;

/// Reads a text input file of at most `max_bytes`.
///
/// The file must be a regular file (symbolic links are followed): a folder, a FIFO or a
/// device is refused before it is opened, so reading never blocks or grows without end. A
/// file larger than `max_bytes` is refused before it is read. The error says what was
/// found and what is allowed; the caller names the file.
pub fn read_input(path: &Path, max_bytes: u64) -> Result<String, std::io::Error> {
    use std::io::{Error, ErrorKind};
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        let what = if meta.is_dir() {
            "a folder"
        } else {
            "not a regular file (a FIFO, socket or device)"
        };
        return Err(Error::new(
            ErrorKind::InvalidInput,
            format!("{what}: allowed a regular file"),
        ));
    }
    let too_big = |len: u64| {
        Error::new(
            ErrorKind::InvalidInput,
            format!(
                "{len} bytes: allowed at most {max_bytes} bytes ({} MiB)",
                max_bytes / (1024 * 1024)
            ),
        )
    };
    if meta.len() > max_bytes {
        return Err(too_big(meta.len()));
    }
    // The file may grow between the check and the read: read one byte more than allowed
    // at most, and refuse it if that byte came.
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(max_bytes + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max_bytes {
        return Err(too_big(bytes.len() as u64));
    }
    String::from_utf8(bytes).map_err(|e| {
        Error::new(
            ErrorKind::InvalidData,
            format!(
                "not UTF-8 text (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_input_refuses_folders_devices_and_large_files() {
        let dir = tempfile::tempdir().unwrap();
        let e = read_input(dir.path(), 10).unwrap_err().to_string();
        assert!(e.contains("a folder"), "{e}");
        let big = dir.path().join("big.toml");
        std::fs::write(&big, "x".repeat(11)).unwrap();
        let e = read_input(&big, 10).unwrap_err().to_string();
        assert!(e.contains("11 bytes: allowed at most 10 bytes"), "{e}");
        assert_eq!(read_input(&big, 11).unwrap().len(), 11);
        #[cfg(unix)]
        {
            let e = read_input(Path::new("/dev/zero"), 10)
                .unwrap_err()
                .to_string();
            assert!(e.contains("not a regular file"), "{e}");
        }
    }
}
