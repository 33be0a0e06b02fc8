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
//! | [`MAX_SEGMENTS`] | 32 | `population.groups.segments` (declared member segments) |
//! | [`MAX_HORIZON_DAYS`] | 3,650 | `horizon_days` |
//! | [`MAX_MONEY`] | 10¹² | every amount of money (prices, costs, coupons, budgets, fees) |
//! | [`MIN_MONEY`] | 10⁻⁶ | every amount of money that is not 0 (the smallest allowed) |
//! | [`MAX_QUANTITY`] | 10¹² | every other positive or non-negative setting (minutes, rates, counts, weights) |
//! | [`MIN_QUANTITY`] | 10⁻⁹ | every setting that must be positive (the smallest allowed) |
//! | [`MAX_PURCHASE_RATE`] | 10 a day | BG/NBD mean purchase rate `r / alpha` |
//! | [`MAX_SCENARIO_BYTES`] | 4 MiB | scenario and baseline settings files |
//! | [`MAX_BASELINE_BYTES`] | 16 MiB | baseline files |
//! | [`MAX_CALIBRATION_ROUNDS`] | 30 | `calibrate --rounds` |
//! | [`MAX_LOG_BYTES`] | 2 GiB | the order log of `fit repurchase` |
//! | [`MAX_SIMULATED_CUSTOMERS`] | 10,000,000 | `fit simulate-log --customers` |
//!
//! Input files must also be regular files: a FIFO, a device (`/dev/zero`) or a folder is
//! refused before it is opened ([`read_input`]), so reading can neither block nor grow
//! without end.
//!
//! ## The estimate of a run
//! Within the limits a run can still ask for more than the machine has (50 million agents
//! on 1,024 threads). [`estimate`] gives a run's peak memory and time from its
//! [`Workload`] before anything is simulated; `run` and `compare` refuse a run whose memory
//! estimate exceeds the memory available (`MemAvailable` of `/proc/meminfo` on Linux),
//! naming the estimate and the keys to change, unless `--force` is given, and print the
//! time estimate when it is over a minute. The model is deliberately simple:
//!
//! ```text
//! memory = BASE + threads · agents · BYTES_PER_AGENT
//!          + chunk · (RECORD_BYTES + 8 · days + 8 · metrics [+ 144 · mechanisms])
//!          + 8 · trials · (candidates + COLUMN_COPIES)
//! time   = candidates · trials · worlds · agents · days / (rate · min(threads, cores))
//! ```
//!
//! The trials' terms follow the work folder's design (`crate::work`): memory holds one
//! chunk of full trial records at a time (`chunk` trials, see `crate::work::chunk_trials`:
//! at most 1,000; a record holds its two daily series, its metric values and, with
//! `--contributions`, three rows of six values per mechanism) and, per trial, only the
//! few columns of one value per trial (8 bytes) a reader holds at once: a histogram of a
//! metric holds one column per candidate, a summary or a paired comparison a few working
//! copies. Nothing else grows with the trials, so a long run's memory is flat: 100,000
//! trials of one candidate add about 3 MB to a run of 1,000.
//!
//! `worlds` is the worlds simulated per trial (1 for the campaign, +1 for the
//! no-campaign world, and with `--contributions` 2^m worlds for m ≤ 6 mechanisms or
//! 2 + 2·pairs·m sampled ones) and `rate` is [`RATE_LEAN`] without mechanisms,
//! [`RATE_MECHANISMS`] with any. The constants were measured on a 2-core Linux machine
//! shared with other work (one thread, peak RSS by `/usr/bin/time`): `bass.toml` with
//! 1,000,000 and 4,000,000 buyers (4 trials: 47.8 MB and 166 MB, 39 bytes per agent,
//! 220–227 M agent-days/s; 10,000 buyers: 850 M/s), and `full_campaign.toml` (2 trials
//! in 1.47 s: 39 M agent-days/s). Time is only an order of magnitude: it varies with
//! the scenario's dynamics and the machine's load.

use std::io::Read;
use std::path::Path;

/// Most trials of one run (per candidate).
///
/// Finished trials are spilled to disk (`crate::work`) and read back a column at a time;
/// memory holds a few columns of one `f64` per trial (8 bytes each, see [`estimate`]),
/// the work folder every trial's record. Ten million trials is beyond any forecast's need
/// (the intervals of 10,000 trials are already narrow) and still fits a workstation (a
/// few hundred MB of memory, gigabytes of work folder); a mistyped count far above it
/// (`1e9`) is refused instead of aborting.
pub const MAX_TRIALS: u32 = 10_000_000;

/// Most points of a sweep and rows of a sensitivity analysis. Each point is a candidate of
/// the work folder, saved (two synced writes) as it finishes and listed in its manifest,
/// and its plan is built before the first trial runs: 100,000 points is far beyond what a
/// response curve or the indices of a few dozen parameters need (a Saltelli sample of
/// 1,024 base points in 20 dimensions has 22,528 rows) and keeps the manifest to a few MB.
pub const MAX_POINTS: usize = 100_000;

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

/// Most member segments a scenario declares: each adds a column to every trial's results
/// and a member's segment is kept in a byte; a campaign's audience is cut into a handful of
/// segments, not hundreds.
pub const MAX_SEGMENTS: usize = 32;

/// Most characters of a segment's name (it becomes part of a column name).
pub const MAX_SEGMENT_NAME_CHARS: usize = 32;

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

/// Smallest amount of money other than 0 a setting may hold, in the scenario's currency.
///
/// A millionth of a currency unit is below the smallest unit of any currency (a dong or a
/// rupiah is worth about 4·10⁻⁵ US dollars), so no real price, cost or reward is refused.
/// Smaller amounts underflow: a unit cost of 5·10⁻³²⁴ (the smallest subnormal number)
/// makes a campaign cost so small that the return on it, margin over cost, is infinite.
pub const MIN_MONEY: f64 = 1e-6;

/// Largest value of a setting declared positive or non-negative that is not money
/// (minutes, hours, days, rates, counts, weights).
///
/// A trillion is beyond any meaningful duration in minutes (two million years), rate or
/// activity weight, and products and sums of such settings over agents and days stay
/// finite; a response time of 10³⁰⁸ minutes makes waiting costs and delays infinite.
pub const MAX_QUANTITY: f64 = 1e12;

/// Smallest value of a setting that must be positive (other than money).
///
/// A billionth is far below any meaningful minute, day or rate, and its reciprocal (10⁹)
/// stays a usable finite number; subnormal values such as 5·10⁻³²⁴ make reciprocals
/// infinite (a purchase rate `r / alpha` with `alpha = 5e-324` is infinite and the
/// simulation never ends).
pub const MIN_QUANTITY: f64 = 1e-9;

/// Largest mean BG/NBD purchase rate `r / alpha`, in orders a day.
///
/// BG/NBD describes customers who order now and then; ten orders a day on average per
/// customer is beyond any retail purchase cycle and keeps a trial's number of events
/// bounded (the daily model cannot exceed one a day).
pub const MAX_PURCHASE_RATE: f64 = 10.0;

/// Largest scenario or settings file read: the shipped scenarios are a few kilobytes.
pub const MAX_SCENARIO_BYTES: u64 = 4 * 1024 * 1024;

/// Largest baseline file read: the shipped baselines are under 50 KB (about 16 KB per
/// candidate).
pub const MAX_BASELINE_BYTES: u64 = 16 * 1024 * 1024;

/// Largest order log `fit repurchase` reads: 2 GiB of CSV is tens of millions of orders,
/// held in memory as a few words per order.
pub const MAX_LOG_BYTES: u64 = 2 * 1024 * 1024 * 1024;

/// Most customers `fit simulate-log` draws (each customer's orders are held in memory).
pub const MAX_SIMULATED_CUSTOMERS: u32 = 10_000_000;

/// Most rounds of the calibration search: the step halves each round, so after 30 rounds
/// it is a billionth of the first.
pub const MAX_CALIBRATION_ROUNDS: u32 = 30;

/// Memory of the process before any agent or trial: the binary, the plans, the thread
/// stacks (measured: about 8 MB).
pub const BASE_BYTES: f64 = 8.0 * 1024.0 * 1024.0;

/// Memory of one simulated agent in a worker's world (measured 39 bytes).
pub const BYTES_PER_AGENT: f64 = 40.0;

/// Memory of one trial's record in a chunk besides its values: its vectors and their
/// allocations.
pub const RECORD_BYTES: f64 = 256.0;

/// Columns of one value per trial held at once besides one per candidate: the working
/// copies of a summary (the column and its sorted defined values) or of a paired
/// comparison (two columns and their differences).
pub const COLUMN_COPIES: f64 = 3.0;

/// Agent-days simulated per second on one core without mechanisms (measured 220 M to
/// 850 M; the lower end, for large populations).
pub const RATE_LEAN: f64 = 200e6;

/// Agent-days simulated per second on one core with mechanisms (measured 39 M for every
/// mechanism at once).
pub const RATE_MECHANISMS: f64 = 30e6;

/// What a run asks of the machine: the input of [`estimate`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Workload {
    /// Simulated agents per world (buyers plus expected group members), the largest of
    /// the candidates'.
    pub agents: f64,
    /// Days simulated.
    pub days: u32,
    /// Mechanisms of the largest candidate.
    pub mechanisms: usize,
    /// Worlds simulated per trial (see the module documentation).
    pub worlds: f64,
    /// Trials per candidate.
    pub trials: u32,
    /// Candidates.
    pub candidates: usize,
    /// Metrics per trial (core, incremental and KPIs).
    pub metrics: usize,
    /// Whether each trial keeps its mechanisms' contributions.
    pub contributions: bool,
    /// Worker threads.
    pub threads: usize,
    /// Cores of the machine.
    pub cores: usize,
}

/// A run's estimated peak memory and time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Footprint {
    /// Peak memory, bytes.
    pub memory: f64,
    /// Wall time, seconds.
    pub seconds: f64,
}

/// The estimated peak memory and time of a run (see the module documentation).
pub fn estimate(w: &Workload) -> Footprint {
    let record = RECORD_BYTES
        + 8.0 * f64::from(w.days)
        + 8.0 * w.metrics as f64
        + if w.contributions {
            // Three rows of six values per mechanism.
            (3 * 6 * 8 * w.mechanisms) as f64
        } else {
            0.0
        };
    let chunk = f64::from(crate::work::chunk_trials(w.trials));
    let columns = 8.0 * f64::from(w.trials) * (w.candidates as f64 + COLUMN_COPIES);
    let trials = w.candidates as f64 * f64::from(w.trials);
    let memory =
        BASE_BYTES + w.threads as f64 * w.agents * BYTES_PER_AGENT + chunk * record + columns;
    let rate = if w.mechanisms == 0 {
        RATE_LEAN
    } else {
        RATE_MECHANISMS
    };
    let cores = w.threads.min(w.cores).max(1) as f64;
    let seconds = trials * w.worlds * w.agents * f64::from(w.days) / (rate * cores);
    Footprint { memory, seconds }
}

/// The memory available to a new process in bytes: `MemAvailable` of `/proc/meminfo`
/// (Linux); `None` where it cannot be read.
pub fn memory_available() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    parse_mem_available(&text)
}

/// `MemAvailable` of a `/proc/meminfo` text, in bytes.
fn parse_mem_available(text: &str) -> Option<f64> {
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024.0)
}

/// Bytes in words: `12.3 MB`, `4.5 GB` (decimal units).
pub fn bytes_text(b: f64) -> String {
    if b >= 1e9 {
        format!("{:.1} GB", b / 1e9)
    } else {
        format!("{:.0} MB", (b / 1e6).max(1.0))
    }
}

/// A duration in words: seconds, minutes, hours or days.
pub fn duration_text(s: f64) -> String {
    if s < 90.0 {
        format!("{s:.0} s")
    } else if s < 5400.0 {
        format!("{:.0} min", s / 60.0)
    } else if s < 172_800.0 {
        format!("{:.1} h", s / 3600.0)
    } else {
        format!("{:.0} days", s / 86_400.0)
    }
}

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

    fn bass(trials: u32, agents: f64, threads: usize) -> Workload {
        Workload {
            agents,
            days: 90,
            mechanisms: 0,
            worlds: 2.0,
            trials,
            candidates: 1,
            metrics: 21,
            contributions: false,
            threads,
            cores: 2,
        }
    }

    #[test]
    fn the_estimate_matches_its_measurements() {
        // bass.toml with 4,000,000 buyers, 4 trials, one thread: 166 MB, 12.7 s measured.
        let f = estimate(&bass(4, 4e6, 1));
        assert!((150e6..200e6).contains(&f.memory), "{f:?}");
        assert!((5.0..30.0).contains(&f.seconds), "{f:?}");
        // Memory grows with threads (one world each) and trials; time falls with cores
        // only up to the machine's.
        assert!(estimate(&bass(4, 4e6, 2)).memory > f.memory);
        assert!(estimate(&bass(4_000, 4e6, 1)).memory > f.memory);
        let two = estimate(&bass(4, 4e6, 2)).seconds;
        assert_eq!(estimate(&bass(4, 4e6, 64)).seconds, two);
        // 50 million agents on 1,024 threads: terabytes.
        assert!(estimate(&bass(1, 5e7, 1024)).memory > 1e12);
        let c = Workload {
            contributions: true,
            mechanisms: 3,
            worlds: 8.0,
            ..bass(1000, 1e4, 1)
        };
        assert!(estimate(&c).memory > estimate(&bass(1000, 1e4, 1)).memory);
        assert!(estimate(&c).seconds > 4.0 * estimate(&bass(1000, 1e4, 1)).seconds);
    }

    #[test]
    fn memory_stays_flat_as_trials_grow() {
        // quickstart.toml: about 20,000 agents, one candidate; measured peak RSS of
        // 1,000 and 100,000 trials within a few MB of each other.
        let small = estimate(&bass(1_000, 2e4, 2)).memory;
        let large = estimate(&bass(100_000, 2e4, 2)).memory;
        assert!(large > small);
        assert!(large - small < 5e6, "{small} {large}");
        // Beyond the largest chunk only the columns grow: 8 bytes per trial and column held.
        let per_trial = (estimate(&bass(200_000, 2e4, 2)).memory - large) / 100_000.0;
        assert!(
            (per_trial - 8.0 * (1.0 + COLUMN_COPIES)).abs() < 1e-6,
            "{per_trial}"
        );
        // Ten million trials of ten candidates fit a workstation.
        let most = Workload {
            candidates: 10,
            ..bass(MAX_TRIALS, 2e4, 2)
        };
        assert!(estimate(&most).memory < 2e9, "{:?}", estimate(&most));
    }

    #[test]
    fn mem_available_is_read_in_bytes() {
        let text = "MemTotal:       24683520 kB\nMemFree:  1 kB\nMemAvailable:   22266880 kB\n";
        assert_eq!(parse_mem_available(text), Some(22_266_880.0 * 1024.0));
        assert_eq!(parse_mem_available("MemTotal: 1 kB\n"), None);
        assert_eq!(bytes_text(166e6), "166 MB");
        assert_eq!(bytes_text(2.5e12), "2500.0 GB");
        assert_eq!(duration_text(12.0), "12 s");
        assert_eq!(duration_text(600.0), "10 min");
    }

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
