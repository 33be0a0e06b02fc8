//! # promosim
//!
//! Agent-based Monte Carlo forecasts of social-commerce campaigns: populations of buyers,
//! chat-group members and bloggers respond to campaign mechanisms, and thousands of
//! independent trials give the distribution of conversion, repurchase, cost per acquisition,
//! revenue, ROI, lifetime value and each mechanism's KPIs.
//!
//! The modules follow the model:
//! - [`scenario`]: scenario files (TOML), overrides, validation;
//! - [`population`]: agents as struct-of-arrays (buyers in mixing pools, bloggers);
//! - [`behaviour`]: the one behaviour model every mechanism feeds (Bass organic demand,
//!   the purchase decision, social proof, intent, BG/NBD repurchase);
//! - [`mechanisms`]: campaign mechanisms (the blogger review program, …);
//! - [`engine`]: the trial day loop and the parallel runner;
//! - [`thinning`]: walks that visit only the agents whose event may happen;
//! - [`results`]: per-trial results, metric summaries and candidates' results (below
//!   [`compare`] and [`output`]);
//! - [`compare`]: candidate campaigns compared trial by trial (paired differences,
//!   probability of beating, ranking by an objective under constraints);
//! - [`calibration`]: the field's figures as facts, and the search that calibrates defaults;
//! - [`fit`]: BG/NBD, Pareto/NBD and Gamma-Gamma fitted to an order log, with holdout
//!   forecasts and synthetic logs;
//! - [`output`]: CSV/JSON files, plots, the HTML report and the terminal tables;
//! - [`lineup`]: the candidates a run or comparison puts on one market (shared trials
//!   and seed, one horizon and currency, names, reproduce command);
//! - [`baseline`]: recorded forecasts for CI, checked exactly or statistically;
//! - [`limits`]: the caps on every size, count and thread setting, with their reasons;
//! - [`sweep`]: sweeps over parameters, response curves and global sensitivity (Sobol
//!   indices, Morris effects), every point on the same trials;
//! - [`work`]: the work folder: finished trials spilled in chunks, the manifest, resume;
//! - [`cli`]: the command line.
//!
//! ```no_run
//! use promosim::{engine, scenario};
//! let s = scenario::load_file("scenarios/quickstart.toml".as_ref(), &[]).unwrap();
//! let plan = engine::Plan::new(&s).unwrap();
//! let opts = engine::RunOptions {
//!     trials: 100,
//!     seed: s.seed,
//!     threads: None,
//!     arms: engine::Arms::default(),
//! };
//! let results = engine::run(&plan, opts, &|| {}).unwrap();
//! println!("{} trials", results.len());
//! ```
#![warn(missing_docs)]

pub mod baseline;
pub mod behaviour;
pub mod calibration;
pub mod cli;
pub mod compare;
pub mod dist;
pub mod engine;
pub mod fit;
pub mod kpi;
pub mod limits;
pub mod lineup;
pub mod mechanisms;
pub mod output;
pub mod population;
pub mod results;
pub mod rng;
pub mod scenario;
pub mod settings;
pub mod shapley;
pub mod shard;
pub mod sweep;
pub mod thinning;
pub mod work;
pub mod world;
