//! Property tests: invariants of every trial and summary on random valid scenarios.
//!
//! ## The generator
//! Case `i` draws from its own splitmix64 generator seeded by `(SEED, i)`, so every case
//! is reproducible alone. A case is a small market (up to 400 buyers outside groups, up
//! to three chat groups of up to 100 members, 7 to 60 days) with a product taken from a
//! shipped scenario, sometimes a shipped `[behaviour]`, and a random subset of the
//! mechanisms the shipped scenarios configure (each with one of their shipped
//! configurations, sometimes switched off with `enabled = false`). Then a few numeric
//! settings are scaled by a random factor from ½ to 2; a change that validation refuses
//! is undone, so every case is valid and its values are within the validated ranges.
//! A case that does not validate as generated (a schedule beyond a short horizon) gets
//! the longest horizon, then loses mechanisms until it validates.
//!
//! ## The invariants (exact; no tolerance is needed)
//! On every trial (`common::invariants`): costs and revenue finite and at least 0; first
//! buyers at most the population, repeat buyers at most the first buyers, orders at
//! least the first buyers, in both worlds; cumulative daily series that never fall and
//! end at the totals; attributed counts within the totals; every metric finite, or NaN
//! exactly where its rule says (a ratio with a zero denominator); every share in [0, 1].
//! On the campaign world's buyers: buyers counted by where they live, group members and
//! outsiders, at most the members and outsiders who exist, and together the first buyers;
//! buyers with two or more orders exactly the repeat buyers; outsiders reached by share
//! draws at most the outsiders. On every summary: `n` the defined values, and numbers
//! defined as `n` allows. When the campaign is the no-campaign world (no mechanism on),
//! every incremental count and amount is exactly 0.

mod common;

use common::invariants::{check_candidate, check_counts};
use promosim::engine::{Arms, Plan, Workspace, simulate_arms, simulate_trial};
use promosim::scenario::load_str;
use toml::{Table, Value};

/// The seed of the cases.
const SEED: u64 = 0x5eed_2024;
/// Cases run.
const CASES: u64 = 1_500;
/// Trials per case.
const TRIALS: u32 = 2;

/// A splitmix64 generator.
struct Rng(u64);

impl Rng {
    fn of(seed: u64, index: u64) -> Rng {
        let mut r = Rng(seed ^ 0x2545_f491_4f6c_dd1d);
        let a = r.next();
        Rng(a ^ index.wrapping_mul(0xd1b5_4a32_d192_ed03))
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
}

/// What cases are drawn from: the shipped scenarios' products, behaviours and mechanism
/// configurations.
struct Pools {
    products: Vec<Value>,
    behaviours: Vec<Value>,
    mechanisms: Vec<(String, Vec<Value>)>,
}

fn pools() -> Pools {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("scenarios")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    let mut p = Pools {
        products: Vec::new(),
        behaviours: Vec::new(),
        mechanisms: Vec::new(),
    };
    for f in files {
        let t: Table = std::fs::read_to_string(&f)
            .expect("scenario")
            .parse()
            .expect("TOML");
        p.products.extend(t.get("product").cloned());
        p.behaviours.extend(t.get("behaviour").cloned());
        if let Some(Value::Table(m)) = t.get("mechanisms") {
            for (k, v) in m {
                match p.mechanisms.iter_mut().find(|(key, _)| key == k) {
                    Some((_, vs)) => vs.push(v.clone()),
                    None => p.mechanisms.push((k.clone(), vec![v.clone()])),
                }
            }
        }
    }
    p
}

fn valid(t: &Table) -> bool {
    load_str(&toml::to_string(t).unwrap_or_default(), "case.toml", &[]).is_ok()
}

/// Every numeric leaf under `t`, as paths of keys.
fn numbers(t: &Table, at: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    for (k, v) in t {
        at.push(k.clone());
        match v {
            Value::Table(t) => numbers(t, at, out),
            Value::Integer(_) | Value::Float(_) => out.push(at.clone()),
            _ => {}
        }
        at.pop();
    }
}

fn leaf_mut<'a>(t: &'a mut Table, path: &[String]) -> Option<&'a mut Value> {
    let (first, rest) = path.split_first()?;
    let mut v = t.get_mut(first)?;
    for k in rest {
        v = v.as_table_mut()?.get_mut(k)?;
    }
    Some(v)
}

/// Case `i`: a valid scenario's TOML tree, or `None` when no valid one came out.
fn case(p: &Pools, i: u64) -> Option<Table> {
    let mut r = Rng::of(SEED, i);
    let mut t = Table::new();
    t.insert("name".into(), Value::String(format!("case{i}")));
    t.insert(
        "horizon_days".into(),
        Value::Integer(7 + r.below(54) as i64),
    );
    t.insert("trials".into(), Value::Integer(i64::from(TRIALS)));
    t.insert("seed".into(), Value::Integer(i as i64));
    let product = p.products[r.below(p.products.len() as u64) as usize].clone();
    t.insert("product".into(), product);
    let mut pop = Table::new();
    let groups = if r.chance(0.15) {
        0
    } else {
        1 + r.below(3) as i64
    };
    let buyers = if groups == 0 || r.chance(0.6) {
        1 + r.below(400) as i64
    } else {
        0
    };
    pop.insert("buyers".into(), Value::Integer(buyers));
    let mut g = Table::new();
    g.insert("count".into(), Value::Integer(groups));
    let min = 2 + r.below(60) as i64;
    let size: Table = [
        ("dist".to_string(), Value::String("uniform".into())),
        ("min".to_string(), Value::Integer(min)),
        ("max".to_string(), Value::Integer(min + r.below(50) as i64)),
    ]
    .into_iter()
    .collect();
    g.insert("size".into(), Value::Table(size));
    pop.insert("groups".into(), Value::Table(g));
    let mut bloggers = Table::new();
    bloggers.insert("count".into(), Value::Integer(20 + r.below(200) as i64));
    pop.insert("bloggers".into(), Value::Table(bloggers));
    t.insert("population".into(), Value::Table(pop));
    if r.chance(0.3) && !p.behaviours.is_empty() {
        let b = p.behaviours[r.below(p.behaviours.len() as u64) as usize].clone();
        t.insert("behaviour".into(), b);
    }
    let mut mechs = Table::new();
    if !r.chance(0.1) {
        for (k, configs) in &p.mechanisms {
            if r.chance(0.35) {
                let mut c = configs[r.below(configs.len() as u64) as usize].clone();
                if r.chance(0.1)
                    && let Value::Table(c) = &mut c
                {
                    c.insert("enabled".into(), Value::Boolean(false));
                }
                mechs.insert(k.clone(), c);
            }
        }
    }
    t.insert("mechanisms".into(), Value::Table(mechs));
    if !valid(&t) {
        t.insert("horizon_days".into(), Value::Integer(90));
    }
    // Drop the mechanisms validation names (one that needs groups in a market without
    // any, a schedule beyond the horizon), then any other until the case validates.
    while let Err(e) = load_str(&toml::to_string(&t).unwrap_or_default(), "case.toml", &[]) {
        let m = t.get_mut("mechanisms")?.as_table_mut()?;
        let named = e.problems.iter().find_map(|p| {
            let key = p.path.strip_prefix("mechanisms.")?.split('.').next()?;
            m.contains_key(key).then(|| key.to_string())
        });
        if std::env::var_os("PROPERTIES_DEBUG").is_some() {
            eprintln!("case {i}: {e}");
        }
        let k = named.or_else(|| m.keys().next().cloned())?;
        m.remove(&k);
    }
    // Scale a few numeric settings within what validation allows.
    let mut leaves = Vec::new();
    for key in ["product", "mechanisms", "behaviour"] {
        if let Some(Value::Table(sub)) = t.get(key) {
            numbers(sub, &mut vec![key.to_string()], &mut leaves);
        }
    }
    for _ in 0..r.below(7) {
        if leaves.is_empty() {
            break;
        }
        let path = leaves[r.below(leaves.len() as u64) as usize].clone();
        let factor = 2f64.powf(2.0 * r.unit() - 1.0);
        let Some(v) = leaf_mut(&mut t, &path) else {
            continue;
        };
        let old = v.clone();
        *v = match &old {
            Value::Integer(n) => Value::Integer((*n as f64 * factor).round() as i64),
            Value::Float(x) => Value::Float(x * factor),
            _ => continue,
        };
        if !valid(&t)
            && let Some(v) = leaf_mut(&mut t, &path)
        {
            *v = old;
        }
    }
    Some(t)
}

/// The campaign world's buyers counted by where they live (group members, outsiders) and
/// by orders, against the populations that exist and the trial's totals.
fn by_population(w: &promosim::engine::World, r: &promosim::results::TrialResult) -> Vec<String> {
    let mut out = Vec::new();
    let mut listed = w.buyers().to_vec();
    listed.sort_unstable();
    listed.dedup();
    if listed.len() != w.buyers().len() {
        out.push("a buyer listed twice".to_string());
    }
    let (mut in_groups, mut outside, mut repeat) = (0usize, 0usize, 0u32);
    for &b in w.buyers() {
        let pool = &w.pop.pools[w.pop.pool_of[b as usize] as usize];
        if pool.group {
            in_groups += 1;
        } else {
            outside += 1;
        }
        repeat += u32::from(w.orders_of(b) >= 2);
    }
    let (members, outsiders) = (w.pop.group_members(), w.pop.outsiders());
    if in_groups > members || outside > outsiders {
        out.push(format!(
            "buyers: {in_groups} of {members} members, {outside} of {outsiders} outsiders"
        ));
    }
    if (in_groups + outside) as u32 != r.campaign.first_buyers {
        out.push(format!(
            "{in_groups} + {outside} buyers, {} first buyers",
            r.campaign.first_buyers
        ));
    }
    if repeat != r.campaign.repeat_buyers {
        out.push(format!(
            "{repeat} buyers with 2+ orders, {} repeat buyers",
            r.campaign.repeat_buyers
        ));
    }
    out
}

/// The invariants of one case's trials and summaries (see the module docs).
fn check(plan: &Plan) -> Vec<String> {
    let mut out = Vec::new();
    let mut ws = Workspace::new(plan);
    let mut trials = Vec::new();
    for trial in 0..TRIALS {
        // The campaign world alone, to count its buyers by where they live.
        let r = simulate_trial(plan, plan.scenario.seed, trial, &mut ws);
        let w = &ws.world;
        let (members, outsiders) = (w.pop.group_members(), w.pop.outsiders());
        if members + outsiders != w.pop.len() || w.pop.len() as u32 != r.population {
            out.push(format!(
                "trial {trial}: {members} members + {outsiders} outsiders, population {} ({})",
                w.pop.len(),
                r.population
            ));
        }
        if w.buyers().len() as u32 == r.campaign.first_buyers {
            out.extend(
                by_population(w, &r)
                    .into_iter()
                    .map(|p| format!("trial {trial}: {p}")),
            );
        } else if !plan.mechanisms.is_empty() {
            // Without mechanisms the world takes its lean paths, which keep no list of
            // buyers: their counts are checked on the totals only.
            out.push(format!(
                "trial {trial}: {} buyers listed, {} first buyers",
                w.buyers().len(),
                r.campaign.first_buyers
            ));
        }
        let names = plan.kpi_names();
        if let Some(k) = names.iter().position(|n| n == "sd_outsiders_reached")
            && r.kpis[k] > outsiders as f64
        {
            out.push(format!(
                "trial {trial}: {} outsiders reached of {outsiders}",
                r.kpis[k]
            ));
        }
        // The trial with its no-campaign world, as runs make it.
        let t = simulate_arms(plan, Arms::default(), plan.scenario.seed, trial, &mut ws);
        if t.campaign != r.campaign || t.kpis.len() != r.kpis.len() {
            out.push(format!("trial {trial}: the campaign differs between runs"));
        }
        out.extend(check_counts(&t));
        trials.push(t);
    }
    let c = plan.candidate("case", trials);
    out.extend(check_candidate(&c));
    if plan.mechanisms.is_empty() {
        for m in [
            "inc_first_buyers",
            "inc_conversion",
            "inc_repeat_buyers",
            "inc_orders",
            "inc_revenue",
            "inc_gross_margin",
        ] {
            let col = c.column(m).unwrap_or_default();
            if col.iter().any(|v| *v != 0.0) {
                out.push(format!("no mechanism, but {m} = {col:?}"));
            }
        }
    }
    out
}

#[test]
fn invariants_hold_on_random_valid_scenarios() {
    let p = pools();
    let mut failures = Vec::new();
    let (mut run, mut without, mut mechanisms_seen) = (0, 0, std::collections::BTreeSet::new());
    for i in 0..CASES {
        let Some(t) = case(&p, i) else { continue };
        let text = toml::to_string(&t).expect("TOML");
        let s = load_str(&text, "case.toml", &[]).unwrap_or_else(|e| panic!("case {i}: {e}"));
        let plan = Plan::new(&s).unwrap_or_else(|e| panic!("case {i}: {e}"));
        run += 1;
        without += u32::from(plan.mechanisms.is_empty());
        mechanisms_seen.extend(plan.mechanisms.iter().map(|m| m.key()));
        let problems = check(&plan);
        if !problems.is_empty() {
            failures.push(format!(
                "case {i}: {}\n{text}",
                problems[..problems.len().min(6)].join("; ")
            ));
        }
        if failures.len() >= 5 {
            break;
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    eprintln!("{run} cases ({without} without mechanisms), mechanisms seen: {mechanisms_seen:?}");
    assert!(run >= CASES * 9 / 10, "only {run} valid cases of {CASES}");
    assert!(without >= 30, "only {without} cases without mechanisms");
    assert_eq!(
        mechanisms_seen.len(),
        p.mechanisms.len(),
        "{mechanisms_seen:?}"
    );
}
