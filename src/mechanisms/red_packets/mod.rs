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
//!    twice the remaining mean (the last takes the rest). Every claimed packet is a cost.
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
//!    (online × notice). Clicking and buying follow [`super::group_chat::Push`].
//!    The attention peak is what makes a push inside the window out-click an ordinary one.
//!
//! ## KPIs
//! `rp_drops` (drop events over all groups), `rp_packets_claimed`, `rp_claim_share`
//! (claimed / offered), `rp_claim_seconds` (mean time to empty a drop, over drops that
//! emptied), `rp_link_clicks`, `rp_task_completions`, `rp_followup_sent`,
//! `rp_followup_ctr`, `rp_broadcast_ctr` (the usual CTR: the same coupon broadcast to every member
//! still in the group at that minute, in expectation), `rp_followup_redemptions`, `rp_orders` (first orders from links and
//! pushes), `rp_interactions_per_member_week` (claims, comments and clicks per member per
//! week: the group interaction index), `rp_members_left` and `rp_members_silent` (share of
//! group members, end of horizon), `rp_cost` (packets).

mod config;
pub use config::*;

use super::group_chat::{Push, PushOutcome, claim_seconds};
use super::{Better, Kpi, Mechanism, Needs, TrialState, Unit};
use crate::behaviour::Exposure;
use crate::results::ratio;
use crate::rng::{SimRng, mechanism_rng, stream_rng};
use crate::settings::{Base, Schedule};
use crate::thinning::Coins;
use crate::world::World;
use rand::RngExt;

/// The settings the model reads, fixed for the run; built by destructuring the whole
/// [`RedPackets`] table, so a setting the model does not read is a compile warning.
#[derive(Debug, Clone)]
pub struct Plan {
    schedule: Schedule,
    total: f64,
    packets: u32,
    split: Split,
    scale_with_online: bool,
    total_per_online: f64,
    max_total: f64,
    claim_window_seconds: f64,
    claim_seconds_mean: f64,
    link: DropLink,
    task_completion: f64,
    announcement_click: f64,
    stage2: Option<Stage2Plan>,
    followup: Option<FollowUpPlan>,
    claim_engagement: f64,
    task_engagement: f64,
    claim_intent: f64,
    claim_and_leave: f64,
    link_base: f64,
    push_base: f64,
}

/// Stage 2 of a staged drop ([`Stage2`]).
#[derive(Debug, Clone, Copy)]
struct Stage2Plan {
    total: f64,
    packets: u32,
}

/// The follow-up push ([`FollowUp`]).
#[derive(Debug, Clone, Copy)]
struct FollowUpPlan {
    delay_minutes: u32,
    coupon: f64,
    first_k: u32,
    valid_minutes: u32,
}

/// Counters of one trial; reset to zero at the start of each.
#[derive(Debug, Clone, Default)]
struct Tally {
    drops: u32,
    offered: u64,
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
}

/// Per-trial state.
#[derive(Debug, Clone)]
pub struct State {
    plan: Plan,
    rng: SimRng,
    /// (claim delay seconds, member) of members who noticed the current drop.
    racers: Vec<(f64, u32)>,
    completers: Vec<(f64, u32)>,
    /// Counters of the current trial.
    tally: Tally,
}

impl State {
    /// A fresh state.
    pub fn new(plan: &Plan) -> Self {
        State {
            plan: plan.clone(),
            rng: stream_rng(0, 0),
            racers: Vec::new(),
            completers: Vec::new(),
            tally: Tally::default(),
        }
    }

    fn drop_in_group(&mut self, world: &mut World, g: usize, minute: u32) {
        let p = &self.plan;
        let pool = world.pop.pools[g];
        self.racers.clear();
        let mut online = 0u32;
        let mut walk = Coins::new(pool.start, pool.len, world.online_bound(minute));
        while let Some((i, u)) = walk.next(&mut self.rng) {
            if world.has_left(i) || u >= world.online_probability(i, minute) {
                continue;
            }
            online += 1;
            if self.rng.random::<f64>() < world.notice_probability(i) {
                let delay = claim_seconds(world, i, p.claim_seconds_mean, &mut self.rng);
                self.racers.push((delay, i));
            }
        }
        self.tally.drops += 1;
        let total = if p.scale_with_online {
            (p.total_per_online * online as f64).min(p.max_total)
        } else {
            p.total
        };
        let n = p.packets as usize;
        self.tally.offered += n as u64;
        self.racers
            .sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let window = p.claim_window_seconds;
        let claimers = self
            .racers
            .iter()
            .take(n)
            .take_while(|r| r.0 <= window)
            .count();
        if claimers == n && n > 0 {
            self.tally.emptied += 1;
            self.tally.empty_seconds += self.racers[n - 1].0;
        }
        self.tally.claimed += claimers as u64;
        let amounts = split_amounts(p.split, total, n, claimers, &mut self.rng);
        self.tally.cost += amounts;
        world.book_cost(amounts);

        let link = p.link;
        let nothing_follows = link != DropLink::Task && p.followup.is_none();
        let (claim_engagement, claim_intent, task_engagement) =
            (p.claim_engagement, p.claim_intent, p.task_engagement);
        let (task_completion, announcement_click, claim_and_leave) =
            (p.task_completion, p.announcement_click, p.claim_and_leave);
        self.completers.clear();
        for k in 0..claimers {
            let (delay, i) = self.racers[k];
            self.tally.interactions += 1;
            world.add_engagement(i, claim_engagement);
            world.add_intent(i, claim_intent);
            if link == DropLink::Task && self.rng.random::<f64>() < task_completion {
                self.tally.completions += 1;
                self.tally.clicks += 1;
                self.tally.interactions += 1;
                world.add_engagement(i, task_engagement);
                self.completers.push((delay, i));
                self.link_offer(world, i, minute + 1);
            }
            if nothing_follows && self.rng.random::<f64>() < claim_and_leave {
                world.leave_group(i);
            }
        }
        if link == DropLink::Announcement {
            for k in 0..self.racers.len() {
                let i = self.racers[k].1;
                if !world.has_left(i) && self.rng.random::<f64>() < announcement_click {
                    self.tally.clicks += 1;
                    self.tally.interactions += 1;
                    self.link_offer(world, i, minute + 1);
                }
            }
        }
        if let Some(st) = self.plan.stage2 {
            self.stage2(world, st);
        }
        if let Some(f) = self.plan.followup {
            self.followup(world, f, minute, claimers, g);
        }
    }

    fn stage2(&mut self, world: &mut World, st: Stage2Plan) {
        let n = (st.packets as usize).min(self.completers.len());
        if n == 0 {
            return;
        }
        self.tally.claimed += n as u64;
        self.tally.offered += st.packets as u64;
        let amount = st.total * n as f64 / st.packets as f64;
        self.tally.cost += amount;
        world.book_cost(amount);
        for k in 0..n {
            let i = self.completers[k].1;
            self.tally.interactions += 1;
            world.add_engagement(i, self.plan.claim_engagement);
            world.add_intent(i, self.plan.claim_intent);
        }
    }

    fn followup(
        &mut self,
        world: &mut World,
        f: FollowUpPlan,
        minute: u32,
        claimers: usize,
        g: usize,
    ) {
        let at = (minute + f.delay_minutes).min(1439);
        let k = (f.first_k as usize).min(claimers);
        let push = Push {
            coupon: f.coupon,
            valid_minutes: f.valid_minutes as f64,
            push_base: self.plan.push_base,
            link_base: self.plan.link_base,
            strength: 0.0,
            buyers: false,
        };
        // The usual CTR this follow-up is judged by: the same coupon broadcast to the group.
        let (sum, n) = push.broadcast_reference(world, g, at);
        self.tally.broadcast_ctr_sum += sum;
        self.tally.broadcast_n += n;
        let push = push.prepare(world);
        for r in 0..k {
            let (delay, i) = self.racers[r];
            if world.has_left(i) {
                continue;
            }
            self.tally.followup_sent += 1;
            let since = f.delay_minutes as f64 - delay / 60.0;
            let looking = world.behaviour().attention_after(since);
            let ordinary = world.online_probability(i, at) * world.notice_probability(i);
            let sees = looking + (1.0 - looking) * ordinary;
            match push.deliver(world, i, at, sees, &mut self.rng) {
                PushOutcome::Ignored => continue,
                PushOutcome::Clicked => {}
                PushOutcome::Bought | PushOutcome::BoughtAgain => {
                    self.tally.redemptions += 1;
                    self.tally.orders += 1;
                }
            }
            self.tally.followup_clicks += 1;
            self.tally.interactions += 1;
            world.add_engagement(i, self.plan.task_engagement);
        }
    }

    fn link_offer(&mut self, world: &mut World, i: u32, minute: u32) {
        let e = Exposure {
            base: self.plan.link_base,
            attention: 1.0,
            strength: 0.0,
            incentive: 0.0,
        };
        if world.offer(i, minute.min(1439), &e, &mut self.rng) {
            self.tally.orders += 1;
        }
    }
}

/// Total amount paid out for `claimed` of `n` packets splitting `total`.
fn split_amounts(split: Split, total: f64, n: usize, claimed: usize, rng: &mut SimRng) -> f64 {
    if claimed == 0 || n == 0 {
        return 0.0;
    }
    match split {
        Split::Equal => total * claimed as f64 / n as f64,
        Split::Lucky => {
            // Sequential "double mean" draw, at least 0.01 each; the last packet takes the rest.
            let mut remaining = total;
            let mut paid = 0.0;
            for k in 0..claimed {
                let left = n - k;
                let amount = if left == 1 {
                    remaining
                } else {
                    let max = (2.0 * remaining / left as f64).max(0.01);
                    (rng.random::<f64>() * max).clamp(0.01, remaining - 0.01 * (left - 1) as f64)
                };
                remaining -= amount;
                paid += amount;
            }
            paid
        }
    }
}

impl Mechanism for Plan {
    type Config = RedPackets;
    type State = State;
    const KEY: &'static str = "red_packets";
    const LABEL: &'static str = "red packets in chat groups";
    const STREAM: u64 = 1;
    const KPIS: &'static [Kpi] = &[
        Kpi::count("rp_drops"),
        Kpi::count("rp_packets_claimed"),
        Kpi::share("rp_claim_share"),
        Kpi::new("rp_claim_seconds", Unit::Seconds, Better::Neither),
        Kpi::gain("rp_link_clicks"),
        Kpi::gain("rp_task_completions"),
        Kpi::count("rp_followup_sent"),
        Kpi::share("rp_followup_ctr"),
        Kpi::share("rp_broadcast_ctr").better(Better::Neither),
        Kpi::gain("rp_followup_redemptions"),
        Kpi::gain("rp_orders"),
        Kpi::new(
            "rp_interactions_per_member_week",
            Unit::Ratio,
            Better::Higher,
        ),
        Kpi::share("rp_members_left").better(Better::Lower),
        Kpi::share("rp_members_silent").better(Better::Lower),
        Kpi::cost_item("rp_cost"),
    ];
    const NEEDS: Needs = Needs {
        group_life: true,
        ..Needs::NOTHING
    };

    fn plan(base: &Base<'_>, c: &RedPackets) -> Result<Self, String> {
        let RedPackets {
            enabled: _,
            schedule,
            total,
            packets,
            split,
            scale_with_online,
            total_per_online,
            max_total,
            claim_window_seconds,
            claim_seconds_mean,
            link,
            task_completion,
            announcement_click,
            stage2,
            followup,
            claim_engagement,
            task_engagement,
            claim_intent,
            claim_and_leave,
        } = c;
        let stage2 = stage2
            .as_ref()
            .map(|&Stage2 { total, packets }| Stage2Plan { total, packets });
        let followup = followup.as_ref().map(
            |&FollowUp {
                 delay_minutes,
                 coupon,
                 first_k,
                 valid_minutes,
             }| FollowUpPlan {
                delay_minutes,
                coupon,
                first_k,
                valid_minutes,
            },
        );
        Ok(Plan {
            schedule: schedule.clone(),
            total: *total,
            packets: *packets,
            split: *split,
            scale_with_online: *scale_with_online,
            total_per_online: *total_per_online,
            max_total: *max_total,
            claim_window_seconds: *claim_window_seconds,
            claim_seconds_mean: *claim_seconds_mean,
            link: *link,
            task_completion: *task_completion,
            announcement_click: *announcement_click,
            stage2,
            followup,
            claim_engagement: *claim_engagement,
            task_engagement: *task_engagement,
            claim_intent: *claim_intent,
            claim_and_leave: *claim_and_leave,
            link_base: base.behaviour.channels.link,
            push_base: base.behaviour.channels.push,
        })
    }

    fn state(&self) -> State {
        State::new(self)
    }
}

impl TrialState for State {
    fn reset(&mut self, world: &World, stream: u64) {
        self.racers.clear();
        self.completers.clear();
        self.tally = Tally::default();
        self.rng = mechanism_rng(world.key, stream);
    }

    fn on_day(&mut self, world: &mut World) {
        let sch = &self.plan.schedule;
        if !sch.happens(world.day, world.weekday()) {
            return;
        }
        let minute = sch.time.minute();
        for g in 0..world.pop.pools.len() {
            if world.pop.pools[g].group {
                self.drop_in_group(world, g, minute);
            }
        }
    }

    fn kpis(&self, world: &World, out: &mut Vec<f64>) {
        let members = world.pop.group_members() as f64;
        let weeks = world.horizon as f64 / 7.0;
        let (left, silent) = world.group_attrition();
        out.extend_from_slice(&[
            self.tally.drops as f64,
            self.tally.claimed as f64,
            ratio(self.tally.claimed as f64, self.tally.offered as f64),
            ratio(self.tally.empty_seconds, self.tally.emptied as f64),
            self.tally.clicks as f64,
            self.tally.completions as f64,
            self.tally.followup_sent as f64,
            ratio(
                self.tally.followup_clicks as f64,
                self.tally.followup_sent as f64,
            ),
            ratio(self.tally.broadcast_ctr_sum, self.tally.broadcast_n as f64),
            self.tally.redemptions as f64,
            self.tally.orders as f64,
            ratio(self.tally.interactions as f64, members * weeks),
            ratio(left as f64, members),
            ratio(silent as f64, members),
            self.tally.cost,
        ]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
