//! Thinning walks: visit only the agents of a contiguous id range whose event may happen.
//!
//! An event that happens to agent `i` independently with probability `p_i` is usually
//! simulated by one coin per agent. When every `p_i` is below a known bound `p_max`, the same
//! outcome is drawn by visiting only *candidates*: each position is a candidate
//! independently with probability `p_max`, found by geometric jumps
//! (`floor(E / −ln(1 − p_max))` positions skipped, `E ~ Exp(1)`: one draw per candidate,
//! not per agent), and a candidate's event happens with probability `p_i / p_max`. The
//! product is exactly `p_i` for every agent, so the distribution of who experiences the
//! event is the one of the per-agent coin flip (Lewis & Shedler's thinning, discrete form).
//!
//! Two walks hand each candidate the random number its coin is decided by, so the caller
//! accepts with one comparison and no further draw:
//! - [`Coins`]: a uniform `U < p_max` (exactly uniform on `[0, p_max)` given candidacy);
//!   the event happens when `U < p_i`.
//! - [`Looks`]: for events of the form `1 − exp(−x_i)` (a Poisson number of looks at rate
//!   `x_i`, at least one), an `E ~ Exp(1)` with `E < x_max` (exactly `Exp(1)` truncated to
//!   `[0, x_max)` given candidacy); the event happens when `E < x_i`, so no `exp` is
//!   computed per agent. `x_i − E` is the unused rate: by memorylessness, another look at
//!   the same rate is `E' < x_i − E` with a fresh `E'`.
//!
//! When the bound is large (above [`DENSE_ABOVE`]), a jump costs more than a coin and the
//! walks visit every position with an unconditional draw; outcomes keep the same
//! distribution.
//!
//! ## Lazy and eager walks
//! [`Walks::Lazy`] (the engine's default) visits only candidates; [`Walks::Eager`] visits
//! every position with its own draw, the per-agent coin flip the thinning replaces. Both
//! decide each agent's event with the same probability, so a whole simulation run either
//! way has the same outcome distribution (different draws, so different values);
//! `tests/engine_paths.rs` checks this on scenarios with every mechanism.
//!
//! ## Carried budgets
//! The engine's organic step walks the same segments every day, mostly without finding a
//! candidate. [`carried_walk`] spends one exponential budget `E` over a segment of `len`
//! positions at rate `c`: the candidate is `⌊E / c⌋` positions ahead, and a budget not spent
//! (`E >= len · c`) is left as `E − len · c`, which is again `Exp(1)` and independent of
//! everything drawn so far (memorylessness). It carries over to the next segment and to the
//! next day, whatever their rates, so a segment without a candidate costs a multiplication
//! and a comparison and no draw. Rates `c = −ln(1 − p)` come from [`JumpRates`], a memo of
//! the logarithm keyed by `p`; bounds rounded up by [`round_up_4_bits`] take few distinct
//! values, so the memo almost always hits. [`geometric_rate_within`] skips the logarithm
//! when a waiting time certainly falls past a horizon.

use crate::rng::SimRng;
use rand::RngExt;
use rand_distr::{Distribution, Exp1};

/// Bound above which a walk visits every position instead of jumping.
pub const DENSE_ABOVE: f64 = 0.25;

/// How the walks of a world visit their range: candidates only, or every position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Walks {
    /// Only the candidates of the bound (geometric jumps below [`DENSE_ABOVE`]).
    #[default]
    Lazy,
    /// Every position, each with its own draw: the per-agent coins.
    Eager,
}

/// Positions of `start..start + len`, each kept independently with probability `p`,
/// visited in increasing order by geometric jumps (every position when dense).
#[derive(Debug, Clone, Copy)]
struct Jumps {
    pos: u32,
    end: u32,
    /// `−ln(1 − p)`; infinite when every position is visited.
    c: f64,
}

impl Jumps {
    fn new(start: u32, len: u32, p: f64) -> Self {
        let end = start + len;
        if p.is_nan() || p <= 0.0 {
            return Jumps {
                pos: end,
                end,
                c: f64::INFINITY,
            };
        }
        Jumps {
            pos: start,
            end,
            c: if p >= 1.0 {
                f64::INFINITY
            } else {
                -(-p).ln_1p()
            },
        }
    }

    #[inline]
    fn next(&mut self, rng: &mut SimRng) -> Option<u32> {
        if self.pos >= self.end {
            return None;
        }
        if self.c == f64::INFINITY {
            let i = self.pos;
            self.pos += 1;
            return Some(i);
        }
        let e: f64 = Exp1.sample(rng);
        let skip = (e / self.c).floor();
        if skip >= (self.end - self.pos) as f64 {
            self.pos = self.end;
            return None;
        }
        let i = self.pos + skip as u32;
        self.pos = i + 1;
        Some(i)
    }
}

/// Agents of a range whose uniform falls below `p_max`, with that uniform.
///
/// ```
/// use promosim::thinning::Coins;
/// use promosim::rng::stream_rng;
/// let mut rng = stream_rng(1, 2);
/// let p = |i: u32| 0.001 * (i % 10) as f64; // every p_i <= 0.009
/// let mut walk = Coins::new(0, 100_000, 0.009);
/// let mut hits = 0;
/// while let Some((i, u)) = walk.next(&mut rng) {
///     if u < p(i) {
///         hits += 1;
///     }
/// }
/// assert!((350..550).contains(&hits)); // mean 450
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Coins {
    jumps: Jumps,
    /// The bound (1 when dense).
    p_max: f64,
}

impl Coins {
    /// A walk over `start..start + len` for events of probability at most `p_max`.
    pub fn new(start: u32, len: u32, p_max: f64) -> Self {
        let p_max = if p_max >= DENSE_ABOVE {
            1.0
        } else {
            p_max.max(0.0)
        };
        Coins {
            jumps: Jumps::new(start, len, p_max),
            p_max,
        }
    }

    /// A walk visiting as `walks` says: [`Coins::new`]'s when lazy, every position with an
    /// unconditional uniform (bound 1) when eager.
    pub fn with_walks(walks: Walks, start: u32, len: u32, p_max: f64) -> Self {
        match walks {
            Walks::Lazy => Self::new(start, len, p_max),
            Walks::Eager => Self::new(start, len, 1.0),
        }
    }

    /// [`Coins::jumping`] when lazy, every position with an unconditional uniform when
    /// eager.
    pub fn jumping_with(walks: Walks, start: u32, len: u32, p_max: f64) -> Self {
        match walks {
            Walks::Lazy => Self::jumping(start, len, p_max),
            Walks::Eager => Self::jumping(start, len, 1.0),
        }
    }

    /// A walk that jumps for any bound below 1 (never visits every position): for callers
    /// whose per-candidate work costs more than a jump.
    pub fn jumping(start: u32, len: u32, p_max: f64) -> Self {
        let p_max = p_max.clamp(0.0, 1.0);
        Coins {
            jumps: Jumps::new(start, len, p_max),
            p_max,
        }
    }

    /// The next candidate `i` and its uniform `U` (uniform on `[0, p_max)`); the event
    /// happens to `i` when `U < p_i`.
    #[inline]
    pub fn next(&mut self, rng: &mut SimRng) -> Option<(u32, f64)> {
        let i = self.jumps.next(rng)?;
        Some((i, rng.random::<f64>() * self.p_max))
    }

    /// The next candidate that `keep` accepts, with its uniform; candidates it rejects
    /// (agents whose event cannot happen, e.g. members who left) cost no uniform.
    #[inline]
    pub fn next_if(
        &mut self,
        rng: &mut SimRng,
        mut keep: impl FnMut(u32) -> bool,
    ) -> Option<(u32, f64)> {
        loop {
            let i = self.jumps.next(rng)?;
            if keep(i) {
                return Some((i, rng.random::<f64>() * self.p_max));
            }
        }
    }
}

/// Agents of a range whose `Exp(1)` falls below `x_max`, with that value: events of
/// probability `1 − exp(−x_i)`, `x_i <= x_max`, happen when `E < x_i`.
#[derive(Debug, Clone, Copy)]
pub struct Looks {
    jumps: Jumps,
    x_max: f64,
    /// `1 − exp(−x_max)` when jumping; 0 when dense (unconditional draws).
    p_max: f64,
}

impl Looks {
    /// A walk over `start..start + len` for events `1 − exp(−x_i)` with `x_i <= x_max`
    /// (`f64::INFINITY` allowed).
    pub fn new(start: u32, len: u32, x_max: f64) -> Self {
        let x_max = if x_max.is_nan() { 0.0 } else { x_max.max(0.0) };
        let p_max = -(-x_max).exp_m1();
        if p_max >= DENSE_ABOVE {
            Looks {
                jumps: Jumps::new(start, len, 1.0),
                x_max,
                p_max: 0.0,
            }
        } else {
            Looks {
                jumps: Jumps::new(start, len, p_max),
                x_max,
                p_max,
            }
        }
    }

    /// [`Looks::new`] when lazy; when eager, every position draws an unconditional `Exp(1)`
    /// and is reported when it falls below `x_max`.
    pub fn with_walks(walks: Walks, start: u32, len: u32, x_max: f64) -> Self {
        match walks {
            Walks::Lazy => Self::new(start, len, x_max),
            Walks::Eager => Looks {
                jumps: Jumps::new(start, len, 1.0),
                x_max: if x_max.is_nan() { 0.0 } else { x_max.max(0.0) },
                p_max: 0.0,
            },
        }
    }

    /// The next candidate `i` and its `E` (`Exp(1)` given `E < x_max`); the event happens
    /// to `i` when `E < x_i`.
    #[inline]
    pub fn next(&mut self, rng: &mut SimRng) -> Option<(u32, f64)> {
        loop {
            let i = self.jumps.next(rng)?;
            if self.p_max == 0.0 {
                let e: f64 = Exp1.sample(rng);
                if e < self.x_max {
                    return Some((i, e));
                }
            } else {
                // Inverse CDF of Exp(1) truncated to [0, x_max).
                let u: f64 = rng.random();
                return Some((i, -(-u * self.p_max).ln_1p()));
            }
        }
    }
}

/// A direct-mapped memo of `c(p) = −ln(1 − p)`, the rate of geometric jumps. Walks whose
/// bounds take the same values (pools of equal size and innovation rate: `p + q·k/len` for
/// buyer counts `k`) reuse each other's logarithms, within and across trials. A pure
/// function of `p`, so it never needs resetting.
#[derive(Debug, Clone)]
pub struct JumpRates {
    /// `(bits of p, c, 1 / c)`.
    slots: Vec<(u64, f64, f64)>,
}

impl Default for JumpRates {
    fn default() -> Self {
        // `p` bits of 0 mean 0.0: rate 0, and a jump of `e · ∞` never lands.
        JumpRates {
            slots: vec![(0, 0.0, f64::INFINITY); 1 << 10],
        }
    }
}

impl JumpRates {
    /// `(c, 1 / c)` with `c = −ln(1 − p)`: a jump `⌊E / c⌋` is computed as `⌊E · (1/c)⌋`,
    /// a multiplication per candidate instead of a division.
    #[inline]
    pub fn get(&mut self, p: f64) -> (f64, f64) {
        let bits = p.to_bits();
        let slot = (bits.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 54) as usize;
        let e = &mut self.slots[slot];
        if e.0 != bits {
            let c = -(-p).ln_1p();
            *e = (bits, c, 1.0 / c);
        }
        (e.1, e.2)
    }
}

/// The smallest float `>= p` with at most 4 significant mantissa bits (at most 6.25% above
/// `p`): thinning bounds rounded up take few distinct values, so [`JumpRates`] memoises
/// their logarithms.
#[inline]
pub fn round_up_4_bits(p: f64) -> f64 {
    const LOW: u64 = (1 << 48) - 1;
    let bits = p.to_bits();
    if bits & LOW == 0 {
        p
    } else {
        f64::from_bits((bits | LOW) + 1)
    }
}

/// `c = −ln(1 − p)`, the rate of a Geometric(`p`) waiting time `⌊e / c⌋` (`e ~ Exp(1)`),
/// or `None` when that wait is certainly `>= room`: `p <= c <= p / (1 − p)`, so a wait past
/// `room` even at the upper bound (with a margin far above rounding, so that `e / c >= room`
/// holds in floating point too) needs no logarithm.
#[inline]
pub fn geometric_rate_within(e: f64, p: f64, room: f64) -> Option<f64> {
    if e * (1.0 - p) >= room * p * (1.0 + 1e-9) {
        None
    } else {
        Some(-(-p).ln_1p())
    }
}

/// An exponential budget not drawn yet (see [`budget_or_draw`]).
pub const UNDRAWN: f64 = -1.0;

/// A carried budget, or a fresh `Exp(1)` draw when it is [`UNDRAWN`] (negative).
#[inline]
pub fn budget_or_draw(e: f64, rng: &mut SimRng) -> f64 {
    if e < 0.0 { Exp1.sample(rng) } else { e }
}

/// The next candidate of a walk over positions `*j..len`, each a candidate with
/// probability `1 − exp(−rate)` (`inv_rate = 1 / rate`), from the budget `*e`: the
/// candidate is `⌊e / rate⌋` positions ahead. Returns `None`, leaving the unspent budget
/// `e − (len − j) · rate`, when it falls past the end.
#[inline(always)]
fn next_jump(e: &mut f64, j: &mut usize, len: usize, rate: f64, inv_rate: f64) -> Option<usize> {
    // Against the integer `len − j`, `⌊x⌋ >= m ⟺ x >= m`, and the cast truncates (= floor,
    // as x >= 0). Segment sizes fit in u32: 32-bit conversions are single instructions.
    let left = (len - *j) as u32 as f64;
    let w = *e * inv_rate;
    if w >= left {
        *e = (*e - left * rate).max(0.0);
        return None;
    }
    let at = *j + w as u32 as usize;
    *j = at + 1;
    Some(at)
}

/// Walks positions `0..len`, each a candidate independently with probability
/// `1 − exp(−rate)` (`(rate, inv_rate)` from [`JumpRates::get`]), spending the carried
/// budget `*e` (see the module docs): calls `visit(position, rng)` for each candidate in
/// increasing order, then draws a fresh `Exp(1)` budget (after `visit`'s own draws). On
/// return `*e` holds the unspent budget, to carry to the next segment or day.
#[inline(always)]
pub fn carried_walk(
    e: &mut f64,
    len: usize,
    (rate, inv_rate): (f64, f64),
    rng: &mut SimRng,
    mut visit: impl FnMut(usize, &mut SimRng),
) {
    let mut j = 0usize;
    while let Some(at) = next_jump(e, &mut j, len, rate, inv_rate) {
        visit(at, rng);
        *e = Exp1.sample(rng);
    }
}

/// Grid of [`look_coin`]'s table: `1 − exp(−x)` at `x = k / LOOK_STEPS`.
const LOOK_STEPS: f64 = 64.0;
const LOOK_POINTS: usize = 64 * 16 + 1;

static LOOK_TABLE: std::sync::LazyLock<Box<[f64]>> = std::sync::LazyLock::new(|| {
    (0..LOOK_POINTS)
        .map(|k| -(-(k as f64 / LOOK_STEPS)).exp_m1())
        .collect()
});

/// Decides `u < 1 − exp(−x)` (at least one look of a Poisson number at rate `x >= 0`,
/// given a uniform `u`) without computing `exp` in almost every case: the function is
/// increasing, so its tabulated values at the grid points around `x` (step 1/64) bracket
/// it, and it is computed only when `u` falls between the two. A uniform costs about a
/// third of an `Exp(1)` draw, so this is the cheap way to decide a look per member. The
/// decision is the direct comparison's.
#[inline]
pub fn look_coin(u: f64, x: f64) -> bool {
    let t = x * LOOK_STEPS;
    if t >= 0.0 && t < (LOOK_POINTS - 1) as f64 {
        let k = t as usize;
        let table = &**LOOK_TABLE;
        let (below_lo, below_hi) = (u < table[k], u < table[k + 1]);
        // Branch only on the rare undecided case (`lo <= u < hi`); the outcome itself is a
        // value, so a random outcome costs no mispredicted branch.
        if below_lo == below_hi {
            return below_lo;
        }
    }
    u < -(-x).exp_m1()
}

/// Two independent coins of probabilities `p` and `q` from one uniform `u`: the first is
/// `u < p`; given it, `u` rescaled to its side of `p` is again uniform and independent of
/// it, and the second compares that rescaled value with `q` (written without division).
#[inline]
pub fn two_coins(u: f64, p: f64, q: f64) -> (bool, bool) {
    let first = u < p;
    let second = if first {
        u < q * p
    } else {
        u < p + q * (1.0 - p)
    };
    (first, second)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::stream_rng;

    /// Empirical event frequency of each of `k` agent classes (agent `i` has rate or
    /// probability `f(i % k)`) over `n` agents and `reps` walks.
    fn frequencies(
        n: u32,
        k: u32,
        reps: u32,
        mut walk: impl FnMut(&mut SimRng, &mut Vec<u64>),
    ) -> Vec<f64> {
        let mut rng = stream_rng(7, 9);
        let mut hits = vec![0u64; k as usize];
        for _ in 0..reps {
            walk(&mut rng, &mut hits);
        }
        let per_class = (n / k) as f64 * reps as f64;
        hits.iter().map(|&h| h as f64 / per_class).collect()
    }

    /// Each class's frequency lies within 4 standard errors of its probability.
    fn check(freq: &[f64], p: impl Fn(usize) -> f64, trials: f64) {
        for (c, &f) in freq.iter().enumerate() {
            let p = p(c);
            let se = (p * (1.0 - p) / trials).sqrt().max(1e-9);
            assert!((f - p).abs() < 4.0 * se, "class {c}: {f} vs {p} (se {se})");
        }
    }

    #[test]
    fn coins_give_each_agent_its_probability() {
        let bounds = [0.002, 0.05, 0.2, 0.6];
        for (walks, p_max) in [Walks::Lazy, Walks::Eager]
            .into_iter()
            .flat_map(|w| bounds.map(|b| (w, b)))
        {
            let p = |c: usize| p_max * c as f64 / 4.0;
            let (n, k, reps) = (20_000, 5, 200);
            let freq = frequencies(n, k, reps, |rng, hits| {
                let mut w = Coins::with_walks(walks, 100, n, p_max);
                let (mut last, mut visited) = (None, 0);
                while let Some((i, u)) = w.next(rng) {
                    assert!(last.is_none_or(|l| i > l) && (100..100 + n).contains(&i));
                    last = Some(i);
                    visited += 1;
                    if u < p(((i - 100) % k) as usize) {
                        hits[((i - 100) % k) as usize] += 1;
                    }
                }
                // Eager: every agent has its own coin.
                assert!(walks == Walks::Lazy || visited == n);
            });
            check(&freq, p, (n / k * reps) as f64);
        }
    }

    /// Above [`DENSE_ABOVE`] the lazy walks visit every position with the eager walks'
    /// draws: the same agents with the same numbers, bit for bit.
    #[test]
    fn lazy_walks_are_eager_above_the_dense_bound() {
        let (mut a, mut b) = (stream_rng(3, 4), stream_rng(3, 4));
        let mut lazy = Coins::with_walks(Walks::Lazy, 10, 5_000, DENSE_ABOVE);
        let mut eager = Coins::with_walks(Walks::Eager, 10, 5_000, DENSE_ABOVE);
        let visit = |w: &mut Coins, rng: &mut SimRng| w.next(rng).map(|(i, u)| (i, u.to_bits()));
        let mut n = 0;
        while let Some(x) = visit(&mut lazy, &mut a) {
            assert_eq!(Some(x), visit(&mut eager, &mut b));
            n += 1;
        }
        assert_eq!((n, visit(&mut eager, &mut b)), (5_000, None));
        // 1 − exp(−0.3) ≈ 0.26, above the dense bound.
        let x_max: f64 = 0.3;
        assert!(-(-x_max).exp_m1() >= DENSE_ABOVE);
        let mut lazy = Looks::with_walks(Walks::Lazy, 0, 5_000, x_max);
        let mut eager = Looks::with_walks(Walks::Eager, 0, 5_000, x_max);
        while let Some((i, e)) = lazy.next(&mut a) {
            assert_eq!(
                Some((i, e.to_bits())),
                eager.next(&mut b).map(|(j, f)| (j, f.to_bits()))
            );
        }
        assert_eq!(eager.next(&mut b), None);
    }

    #[test]
    fn looks_give_each_agent_one_minus_exp() {
        let bounds = [0.003, 0.1, 0.5, 3.0];
        for (walks, x_max) in [Walks::Lazy, Walks::Eager]
            .into_iter()
            .flat_map(|w| bounds.map(|b| (w, b)))
        {
            let x = |c: usize| x_max * c as f64 / 4.0;
            let p = |c: usize| 1.0 - (-x(c)).exp();
            let (n, k, reps) = (20_000, 5, 200);
            let mut rest = 0.0;
            let mut rest_n = 0u64;
            let freq = frequencies(n, k, reps, |rng, hits| {
                let mut w = Looks::with_walks(walks, 0, n, x_max);
                while let Some((i, e)) = w.next(rng) {
                    assert!(e < x_max);
                    let c = (i % k) as usize;
                    if e < x(c) {
                        hits[c] += 1;
                        if c == 4 {
                            rest += x(c) - e;
                            rest_n += 1;
                        }
                    }
                }
            });
            check(&freq, p, (n / k * reps) as f64);
            // Given the event, the unused rate x − E has the law of x − E | E < x:
            // mean x − (1 − (1 + x)e^{−x}) / (1 − e^{−x}).
            let xm = x(4);
            let mean_e = (1.0 - (1.0 + xm) * (-xm).exp()) / (1.0 - (-xm).exp());
            let got = rest / rest_n as f64;
            assert!(
                (got - (xm - mean_e)).abs() < 0.02 * xm,
                "x {xm}: {got} vs {}",
                xm - mean_e
            );
        }
    }

    #[test]
    fn look_coin_decides_like_the_direct_comparison() {
        let mut rng = stream_rng(5, 6);
        for _ in 0..200_000 {
            let x = rng.random::<f64>() * 20.0;
            let p = -(-x).exp_m1();
            let u: f64 = rng.random();
            assert_eq!(look_coin(u, x), u < p, "{u} {x}");
            let u = p * (1.0 + (rng.random::<f64>() - 0.5) * 1e-12);
            assert_eq!(look_coin(u, x), u < p, "{u} {x}");
        }
        assert!(!look_coin(0.0, 0.0) && !look_coin(0.5, f64::NAN));
        assert!(look_coin(0.999, f64::INFINITY));
    }

    #[test]
    fn two_coins_are_independent() {
        let mut rng = stream_rng(2, 3);
        let (n, p, q) = (400_000, 0.05, 0.3);
        let mut joint = [0u32; 4];
        for _ in 0..n {
            let (a, b) = two_coins(rng.random(), p, q);
            joint[a as usize * 2 + b as usize] += 1;
        }
        let expect = [(1.0 - p) * (1.0 - q), (1.0 - p) * q, p * (1.0 - q), p * q];
        for (k, &e) in expect.iter().enumerate() {
            let f = joint[k] as f64 / n as f64;
            let se = (e * (1.0 - e) / n as f64).sqrt();
            assert!((f - e).abs() < 4.0 * se, "cell {k}: {f} vs {e}");
        }
    }

    /// A carried walk's candidates are each position with probability `1 − exp(−rate)`,
    /// budgets carried across segments and walks included.
    #[test]
    fn carried_walks_give_each_position_its_probability() {
        let mut rng = stream_rng(4, 8);
        let mut rates = JumpRates::default();
        let (len, reps) = (1_000usize, 4_000u32);
        let ps = [0.001, 0.01, 0.2];
        let mut hits = [0u64; 3];
        let mut e = UNDRAWN;
        for _ in 0..reps {
            e = budget_or_draw(e, &mut rng);
            for (k, &p) in ps.iter().enumerate() {
                carried_walk(&mut e, len, rates.get(p), &mut rng, |_, _| hits[k] += 1);
            }
        }
        for (k, &p) in ps.iter().enumerate() {
            // `1 − exp(−c)` with `c = −ln(1 − p)` is `p`.
            let n = (len as u64 * reps as u64) as f64;
            let se = (p * (1.0 - p) / n).sqrt();
            let f = hits[k] as f64 / n;
            assert!((f - p).abs() < 4.0 * se, "p {p}: {f}");
        }
        assert_eq!(round_up_4_bits(0.5), 0.5);
        let r = round_up_4_bits(0.0123);
        assert!((0.0123..=0.0123 * 1.0625).contains(&r));
        assert_eq!(geometric_rate_within(1.0, 0.001, 10.0), None);
        assert!(
            geometric_rate_within(0.001, 0.5, 10.0).is_some_and(|c| (c - 2f64.ln()).abs() < 1e-15)
        );
    }

    #[test]
    fn empty_and_degenerate_walks() {
        let mut rng = stream_rng(1, 1);
        assert!(Coins::new(0, 100, 0.0).next(&mut rng).is_none());
        assert!(Looks::new(0, 100, 0.0).next(&mut rng).is_none());
        assert!(Coins::new(5, 0, 0.5).next(&mut rng).is_none());
        let mut all = Coins::new(0, 10, 1.0);
        let mut n = 0;
        while all.next(&mut rng).is_some() {
            n += 1;
        }
        assert_eq!(n, 10);
        let mut inf = Looks::new(0, 10, f64::INFINITY);
        let mut n = 0;
        while inf.next(&mut rng).is_some() {
            n += 1;
        }
        assert_eq!(n, 10);
    }
}
