//! Red packets dropped into every chat group (docs/field-figures.md §2.4).
//!
//! ## Model of one drop in one group, at minute `m` of a scheduled day
//! 1. **Who is there.** Each member still in the group (see `World::members_in`) is online
//!    with the activity profile's probability (members are visited by a
//!    [`crate::thinning::Coins`] walk against the profile's bound) and, if
//!    online, notices the drop with probability `notice_base + (1 − notice_base)·e`
//!    (`e` = engagement).
//! 2. **The race.** A noticing member needs `Exp(claim_seconds_mean / (f + e))` seconds
//!    to claim ([`super::group_chat::claim_seconds`], `f` =
//!    `behaviour.group_life.claim_speed_floor`, default 0.2); the fastest `packets`
//!    claimers within `claim_window_seconds` win. With `scale_with_online`, the total is
//!    `min(max_total, total_per_online · online)`.
//!    Unclaimed packets are refunded; `rp_claim_seconds` is the time the last packet went
//!    (empty when packets were left over).
//! 3. **Amounts.** Equal split, or a "lucky" split where each packet draws uniformly up to
//!    twice the remaining mean (the last takes the rest), at least one cent each. A fixed
//!    total must give every packet a cent (validation); a scaled total too small for that
//!    (few members online) is split equally. Every claimed packet is a cost.
//! 4. **After the claim.** A claimer gains engagement `claim_engagement` and intent
//!    `claim_intent`. With a *task link*, a claimer opens the link and comments "done" with
//!    probability `task_completion` (a product-page exposure, base `channels.link`, plus
//!    `task_engagement`); stage-2 packets go to the first completers. With a plain
//!    *announcement*, each member who noticed the drop opens the link with probability
//!    `announcement_click`. With nothing following (no task, no follow-up), each claimer
//!    leaves the group with probability `claim_and_leave` ("claim and leave").
//! 5. **Follow-up push** `delay_minutes` after the drop to the first `first_k` claimers.
//!    A claimer still looks at the chat with probability `exp(−t / attention_minutes)`,
//!    `t` minutes after claiming; otherwise sees the push like anyone online
//!    (online × notice). Clicking and buying follow [`super::group_chat::Push`]; a
//!    claimer who already bought may place an extra order.
//!    The attention peak is what makes a push inside the window out-click an ordinary one.
//!
//! 6. **Exclusive packets.** With `target`, only members of the named segments
//!    (`population.groups.segments`) take part: the others are skipped before the online
//!    coin, so they neither race, claim, click the announcement nor get the follow-up.
//!    Platforms offer such packets to named members of a group; a fixed total then goes
//!    to fewer, chosen claimers.
//!
//! ## KPIs
//! `rp_drops` (drop events over all groups), `rp_packets_claimed`, `rp_claim_share`
//! (packets claimed in the drops / members online at the drops: the share of the online
//! audience a drop pays; packets offered are nearly always all claimed, so claimed / offered would be
//! a constant), `rp_claim_seconds` (mean time to empty a drop, over drops that
//! emptied), `rp_link_clicks`, `rp_task_completions`, `rp_followup_sent`,
//! `rp_followup_ctr`, `rp_broadcast_ctr` (the usual CTR: the same coupon broadcast to every member
//! still in the group at that minute, in expectation), `rp_followup_redemptions`, `rp_orders` (orders from links and
//! pushes, first and extra), `rp_interactions_per_member_week` (claims, comments and clicks per member per
//! week: the group interaction index), `rp_members_left` and `rp_members_silent` (share of
//! group members, end of horizon), `rp_cost` (packets).

mod config;
pub use config::*;

use super::group_chat::{Push, PushOutcome, claim_seconds, each_scheduled_group};
use super::{Better, Kpi, Mechanism, Metric, Need, Needs, Record, Run, Unit, per};
use crate::behaviour::Exposure;
use crate::population::SegmentSet;
use crate::rng::SimRng;
use crate::settings::{Base, Channels};
use crate::world::World;
use rand::RngExt;
use std::sync::Arc;

impl Mechanism for Plan {
    type Config = RedPackets;
    type Trial = Trial;
    const KEY: &'static str = "red_packets";
    const LABEL: &'static str = "red packets in chat groups";
    const STREAM: u64 = 1;

    fn plan(base: &Base<'_>, c: &RedPackets) -> Result<Self, String> {
        let RedPackets {
            enabled: _,
            schedule: _,
            total: _,
            packets: _,
            split: _,
            scale_with_online: _,
            total_per_online: _,
            max_total: _,
            claim_window_seconds: _,
            claim_seconds_mean: _,
            link: _,
            task_completion: _,
            announcement_click: _,
            stage2: _,
            followup: _,
            claim_engagement: _,
            task_engagement: _,
            claim_intent: _,
            claim_and_leave: _,
            target,
        } = c;
        Ok(Plan {
            config: c.clone(),
            target: SegmentSet::of(base, target.as_ref())?,
            nothing_follows: c.link != DropLink::Task && c.followup.is_none(),
            channels: base.behaviour.channels.clone(),
        })
    }

    const NEEDS: Needs = Needs::of(&[Need::GroupLife]);

    fn on_day(run: &mut Run<Self>, world: &mut World) {
        each_scheduled_group(run, world, |p| &p.config.schedule, Run::drop_in_group);
    }
}

impl Run<Plan> {
    fn drop_in_group(&mut self, world: &mut World, g: usize) {
        let plan = Arc::clone(&self.plan);
        let p = &plan.config;
        let minute = p.schedule.time.minute();
        let pool = world.pop.pools[g];
        self.trial.racers.clear();
        let mut online = 0u32;
        let mut walk = world.coins(pool.start, pool.len, world.online_bound(minute));
        while let Some((i, u)) = walk.next(&mut self.rng) {
            if world.has_left(i)
                || u >= world.online_probability(i, minute)
                || plan.target.is_some_and(|t| !world.pop.in_segments(i, t))
            {
                continue;
            }
            online += 1;
            if self.rng.random::<f64>() < world.notice_probability(i) {
                let delay = claim_seconds(world, i, p.claim_seconds_mean, &mut self.rng);
                self.trial.racers.push((delay, i));
            }
        }
        self.trial.drops += 1;
        let total = if p.scale_with_online {
            (p.total_per_online * online as f64).min(p.max_total)
        } else {
            p.total
        };
        let n = p.packets as usize;
        self.trial.online += online as u64;
        self.trial
            .racers
            .sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let window = p.claim_window_seconds;
        let claimers = self
            .trial
            .racers
            .iter()
            .take(n)
            .take_while(|r| r.0 <= window)
            .count();
        if claimers == n && n > 0 {
            self.trial.emptied += 1;
            self.trial.empty_seconds += self.trial.racers[n - 1].0;
        }
        self.trial.claimed += claimers as u64;
        self.trial.drop_claims += claimers as u64;
        let amounts = split_amounts(p.split, total, n, claimers, &mut self.rng);
        self.trial.cost += amounts;
        world.book_cost(amounts);

        let (link, nothing_follows) = (p.link, plan.nothing_follows);
        let (claim_engagement, claim_intent, task_engagement) =
            (p.claim_engagement, p.claim_intent, p.task_engagement);
        let (task_completion, announcement_click, claim_and_leave) =
            (p.task_completion, p.announcement_click, p.claim_and_leave);
        self.trial.completers.clear();
        for k in 0..claimers {
            let (delay, i) = self.trial.racers[k];
            self.trial.interactions += 1;
            world.add_engagement(i, claim_engagement, minute);
            world.add_intent(i, claim_intent);
            if link == DropLink::Task && self.rng.random::<f64>() < task_completion {
                self.trial.completions += 1;
                self.trial.clicks += 1;
                self.trial.interactions += 1;
                world.add_engagement(i, task_engagement, minute + 1);
                self.trial.completers.push((delay, i));
                self.link_offer(world, i, minute + 1);
            }
            if nothing_follows && self.rng.random::<f64>() < claim_and_leave {
                world.leave_group(i);
            }
        }
        if link == DropLink::Announcement {
            for k in 0..self.trial.racers.len() {
                let i = self.trial.racers[k].1;
                if !world.has_left(i) && self.rng.random::<f64>() < announcement_click {
                    self.trial.clicks += 1;
                    self.trial.interactions += 1;
                    self.link_offer(world, i, minute + 1);
                }
            }
        }
        if let Some(st) = &p.stage2 {
            self.stage2(world, st, minute + 1);
        }
        if let Some(f) = &p.followup {
            self.followup(world, f, minute, claimers, g);
        }
    }

    fn stage2(&mut self, world: &mut World, st: &Stage2, minute: u32) {
        let t = &mut self.trial;
        let n = (st.packets as usize).min(t.completers.len());
        if n == 0 {
            return;
        }
        t.claimed += n as u64;
        let amount = st.total * n as f64 / st.packets as f64;
        t.cost += amount;
        world.book_cost(amount);
        let p = &self.plan.config;
        for &(_, i) in &t.completers[..n] {
            t.interactions += 1;
            world.add_engagement(i, p.claim_engagement, minute);
            world.add_intent(i, p.claim_intent);
        }
    }

    fn followup(
        &mut self,
        world: &mut World,
        f: &FollowUp,
        minute: u32,
        claimers: usize,
        g: usize,
    ) {
        let at = (minute + f.delay_minutes).min(1439);
        let k = (f.first_k as usize).min(claimers);
        // Buyers among the claimers are offered an extra order: the follow-up keeps them
        // buying as it wins new buyers.
        let push = Push {
            buyers: true,
            ..Push::new(&self.plan.channels, f.coupon, f.valid_minutes as f64)
        }
        .prepare(world);
        // The usual CTR this follow-up is judged by: the same coupon broadcast to the group.
        let (sum, n) = push.broadcast_reference(world, g, at);
        let t = &mut self.trial;
        t.broadcast_ctr_sum += sum;
        t.broadcast_n += n;
        for &(delay, i) in &t.racers[..k] {
            if world.has_left(i) {
                continue;
            }
            t.followup_sent += 1;
            let since = f.delay_minutes as f64 - delay / 60.0;
            let looking = world.behaviour().attention_after(since);
            let ordinary = world.online_probability(i, at) * world.notice_probability(i);
            let sees = looking + (1.0 - looking) * ordinary;
            match push.deliver(world, i, at, sees, &mut self.rng) {
                PushOutcome::Ignored => continue,
                PushOutcome::Clicked => {}
                PushOutcome::Bought | PushOutcome::BoughtAgain => {
                    t.redemptions += 1;
                    t.orders += 1;
                }
            }
            t.followup_clicks += 1;
            t.interactions += 1;
            world.add_engagement(i, self.plan.config.task_engagement, at);
        }
    }

    fn link_offer(&mut self, world: &mut World, i: u32, minute: u32) {
        let e = Exposure {
            base: self.plan.channels.link,
            attention: 1.0,
            strength: 0.0,
            incentive: 0.0,
        };
        if world.offer(i, minute.min(1439), &e, &mut self.rng) {
            self.trial.orders += 1;
        }
    }
}

/// The plan: the validated settings, read as they are, whether anything follows a claim,
/// and the channel bases.
#[derive(Debug, Clone)]
pub struct Plan {
    config: RedPackets,
    /// Exclusive packets: the segments whose members may claim (`None`: everyone).
    target: Option<SegmentSet>,
    /// No task and no follow-up: claimers may claim and leave.
    nothing_follows: bool,
    channels: Channels,
}

/// What a trial records.
#[derive(Debug, Clone, Default)]
pub struct Trial {
    drops: u32,
    /// Members online at the drops, summed over drops.
    online: u64,
    /// Packets claimed in the drops themselves (second-stage packets not counted).
    drop_claims: u64,
    claimed: u64,
    emptied: u32,
    empty_seconds: f64,
    clicks: u64,
    completions: u64,
    followup_sent: u64,
    followup_clicks: u64,
    broadcast_ctr_sum: f64,
    broadcast_n: u64,
    redemptions: u64,
    orders: u64,
    interactions: u64,
    cost: f64,
    /// (claim delay seconds, member) of members who noticed the current drop.
    racers: Vec<(f64, u32)>,
    completers: Vec<(f64, u32)>,
}

impl Record for Trial {
    const METRICS: &'static [Metric<Self>] = &[
        (Kpi::count("rp_drops"), |t, _| t.drops as f64),
        (Kpi::count("rp_packets_claimed"), |t, _| t.claimed as f64),
        (Kpi::share("rp_claim_share"), |t, _| {
            per(t.drop_claims, t.online)
        }),
        (
            Kpi::new("rp_claim_seconds", Unit::Seconds, Better::Neither),
            |t, _| per(t.empty_seconds, t.emptied),
        ),
        (Kpi::gain("rp_link_clicks"), |t, _| t.clicks as f64),
        (Kpi::gain("rp_task_completions"), |t, _| {
            t.completions as f64
        }),
        (Kpi::count("rp_followup_sent"), |t, _| {
            t.followup_sent as f64
        }),
        (Kpi::share("rp_followup_ctr"), |t, _| {
            per(t.followup_clicks, t.followup_sent)
        }),
        (
            Kpi::share("rp_broadcast_ctr").better(Better::Neither),
            |t, _| per(t.broadcast_ctr_sum, t.broadcast_n),
        ),
        (Kpi::gain("rp_followup_redemptions"), |t, _| {
            t.redemptions as f64
        }),
        (Kpi::gain("rp_orders"), |t, _| t.orders as f64),
        (
            Kpi::new(
                "rp_interactions_per_member_week",
                Unit::Ratio,
                Better::Higher,
            ),
            |t, world| {
                let members = world.pop.group_members() as f64;
                let weeks = world.horizon as f64 / 7.0;
                per(t.interactions, members * weeks)
            },
        ),
        (
            Kpi::share("rp_members_left").better(Better::Lower),
            |_, world| per(world.group_attrition().0, world.pop.group_members()),
        ),
        (
            Kpi::share("rp_members_silent").better(Better::Lower),
            |_, world| per(world.group_attrition().1, world.pop.group_members()),
        ),
        (Kpi::cost_item("rp_cost"), |t, _| t.cost),
    ];
}

/// The smallest packet: one cent of the scenario's currency.
const CENT: f64 = 0.01;

/// Total amount paid out for `claimed` of `n` packets splitting `total`.
///
/// The lucky split draws packet `k` (of `left` still in the drop) uniformly up to twice the
/// remaining mean, kept between the floor and what leaves the floor for every later packet;
/// the last packet takes the rest, so the `n` packets always add up to `total`. The floor
/// is one cent, or `total / n` when the total cannot give every packet a cent (a scaled
/// total with few members online): such a drop is split equally. Amounts are not rounded
/// to cents. Rounding of the running remainder can leave the upper bound a hair below the
/// floor; the bound is then the floor, so any positive total splits without failing.
fn split_amounts(split: Split, total: f64, n: usize, claimed: usize, rng: &mut SimRng) -> f64 {
    if claimed == 0 || n == 0 {
        return 0.0;
    }
    match split {
        Split::Equal => total * claimed as f64 / n as f64,
        Split::Lucky => {
            let floor = CENT.min(total / n as f64);
            let mut remaining = total;
            let mut paid = 0.0;
            for k in 0..claimed {
                let left = n - k;
                let amount = if left == 1 {
                    remaining.max(0.0)
                } else {
                    let max = (2.0 * remaining / left as f64).max(floor);
                    let upper = (remaining - floor * (left - 1) as f64).max(floor);
                    (rng.random::<f64>() * max).clamp(floor, upper)
                };
                remaining -= amount;
                paid += amount;
            }
            paid
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::stream_rng;

    #[test]
    fn lucky_split_pays_the_total_when_all_claimed() {
        let mut rng = stream_rng(1, 2);
        for _ in 0..100 {
            let paid = split_amounts(Split::Lucky, 30.0, 15, 15, &mut rng);
            assert!((paid - 30.0).abs() < 1e-9, "{paid}");
            assert!(split_amounts(Split::Lucky, 30.0, 15, 7, &mut rng) < 30.0);
        }
        assert_eq!(split_amounts(Split::Equal, 30.0, 15, 5, &mut rng), 10.0);
    }

    #[test]
    fn lucky_split_of_small_totals_pays_the_total_without_failing() {
        let mut rng = stream_rng(7, 2);
        // Totals at and just above 15 cents, totals rounding makes awkward, and totals
        // below a cent a packet (a scaled drop with few members online).
        for total in [0.15, 0.16, 0.25, 0.3, 0.5, 0.07, 1e-9, 0.149_999_999] {
            for n in [1usize, 2, 3, 7, 15, 30] {
                for _ in 0..200 {
                    let paid = split_amounts(Split::Lucky, total, n, n, &mut rng);
                    assert!(
                        (paid - total).abs() <= 1e-12 * total.max(1.0),
                        "total {total}, {n} packets: paid {paid}"
                    );
                    let some = split_amounts(Split::Lucky, total, n, n / 2, &mut rng);
                    assert!((0.0..=total + 1e-12).contains(&some), "{some} of {total}");
                }
            }
        }
    }

    #[test]
    fn lucky_split_gives_every_packet_the_floor() {
        // With 15 packets, 0.15 leaves exactly one cent each: the split is equal.
        let mut rng = stream_rng(3, 2);
        for _ in 0..100 {
            for k in 1..=15 {
                let paid = split_amounts(Split::Lucky, 0.15, 15, k, &mut rng);
                assert!((paid - 0.01 * k as f64).abs() < 1e-12, "{k}: {paid}");
            }
        }
    }
}
