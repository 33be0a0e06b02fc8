use crate::dist::Support;
use crate::settings::{Schedule, Target, settings};
use serde::{Deserialize, Serialize};

/// How a drop's total is split into packets.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema, Default,
)]
#[serde(rename_all = "lowercase")]
pub enum Split {
    /// Every packet holds total / packets.
    #[default]
    Equal,
    /// "Lucky" split: each packet draws uniformly up to twice the remaining mean.
    Lucky,
}

/// What link goes with a drop.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema, Default,
)]
#[serde(rename_all = "lowercase")]
pub enum DropLink {
    /// No link: the drop alone ("nothing follows").
    #[default]
    None,
    /// A plain product-link announcement posted with the drop.
    Announcement,
    /// Task-linked: claimers are asked to open the link and comment "done".
    Task,
}

settings! {
    /// Stage 2 of a staged drop: larger packets only for members who completed the task.
    pub struct Stage2 {
        /// Total amount of stage 2 (default 25).
        total: f64 = 25.0 => positive_money,
        /// Packets of stage 2 (default 10).
        packets: u32 = 10 => custom,
    }
    check(self, _, c) {
        let (total, packets) = (self.total, self.packets);
        if packets == 0 || total / f64::from(packets.max(1)) < 0.01 {
            c.push(
                "packets",
                format!(
                    "{packets} packets cannot split {total}: allowed 1 to {} packets",
                    (total / 0.01).floor()
                ),
            );
        }
    }
}

settings! {
    /// A follow-up push to claimers inside their attention window.
    pub struct FollowUp {
        /// Minutes after the drop (default 2).
        delay_minutes: u32 = 2 => custom,
        /// Coupon value off the price (default 10).
        coupon: f64 = 10.0 => money,
        /// Only the first K claimers receive it (default 30).
        first_k: u32 = 30 => custom,
        /// Minutes the coupon stays valid (default 60).
        valid_minutes: u32 = 60 => custom,
    }
    check(self, base, c) {
        let price = base.product.price;
        if self.coupon >= price {
            c.push(
                "coupon",
                format!(
                    "coupon {} is not below the price {price}: allowed 0 to less than the price",
                    self.coupon
                ),
            );
        }
        if self.first_k == 0 {
            c.push("first_k", "0: allowed at least 1 recipient");
        }
        if self.valid_minutes == 0 {
            c.push("valid_minutes", "0: allowed at least 1 minute");
        }
        if self.delay_minutes >= 24 * 60 {
            c.push(
                "delay_minutes",
                format!("{}: allowed 0 to 1439 minutes", self.delay_minutes),
            );
        }
    }
}

settings! {
    /// Red packets dropped into every chat group (docs/field-figures.md §2.4).
    pub struct RedPackets {
        /// Switch off without deleting (default true).
        enabled: bool = true => any,
        /// When drops happen (default 20:30 on Tuesdays and Fridays).
        schedule: Schedule = Schedule::default() => nested,
        /// Total amount per drop and group (default 30).
        total: f64 = 30.0 => positive_money,
        /// Packets per drop and group (default 15).
        packets: u32 = 15 => custom,
        /// Split rule (default equal).
        split: Split = Split::Equal => any,
        /// Scale the total with members online: `total_per_online × online`, capped at
        /// `max_total` (default false).
        scale_with_online: bool = false => any,
        /// Amount per online member when scaling (default 0.2: 150 online → 30).
        total_per_online: f64 = 0.2 => positive_money,
        /// Cap of a scaled total (default 50).
        max_total: f64 = 50.0 => positive_money,
        /// Seconds after which unclaimed packets are refunded (default 60).
        claim_window_seconds: f64 = 60.0 => positive,
        /// Time scale of the claim race, seconds (default 5): a member of engagement `e` needs
        /// `Exp(claim_seconds_mean / (behaviour.group_life.claim_speed_floor + e))` seconds.
        claim_seconds_mean: f64 = 5.0 => positive,
        /// Link posted with the drop (default none).
        link: DropLink = DropLink::None => any,
        /// Probability that a claimer completes a task link (default 0.6).
        task_completion: f64 = 0.6 => prob,
        /// Probability that a member who sees a plain announcement opens it (default 0.0238,
        /// calibrated).
        announcement_click: f64 = 0.0238 => prob,
        /// Staged drop: larger packets for task completers (absent: no stage 2).
        #[serde(skip_serializing_if = "Option::is_none")]
        stage2: Option<Stage2> = None => nested,
        /// Follow-up push inside the attention window (absent: nothing follows).
        #[serde(skip_serializing_if = "Option::is_none")]
        followup: Option<FollowUp> = None => nested,
        /// Engagement gained by claiming (default 0.1625, calibrated).
        claim_engagement: f64 = 0.1625 => range(-1.0, 1.0),
        /// Engagement gained by completing a task or opening a push (default 0.15).
        task_engagement: f64 = 0.15 => range(-1.0, 1.0),
        /// Intent (log-odds) left by a claim (default 0.3).
        claim_intent: f64 = 0.3 => log_odds,
        /// Probability that a claimer leaves the group when nothing follows the drop (default 0.005,
        /// calibrated: see docs/calibration.md).
        claim_and_leave: f64 = 0.005 => prob,
        /// Exclusive packets: only members of these segments of `population.groups.segments`
        /// can claim (one name or a list; absent: every member). The others neither race
        /// nor click the drop's link.
        #[serde(skip_serializing_if = "Option::is_none")]
        target: Option<Target> = None => segments,
    }
    check(self, base, c) {
        c.needs_groups(base);
        let (total, packets) = (self.total, self.packets);
        if packets == 0 {
            c.push("packets", "0 is out of range: allowed at least 1 packet");
        } else if total / f64::from(packets) < 0.01 {
            c.push(
                "packets",
                format!(
                    "{packets} packets cannot split a total of {total}: every packet needs at least 0.01; allowed at most {} packets",
                    (total / 0.01).floor()
                ),
            );
        }
        if let Ok(d) = base.population.groups.size.build(Support::Positive) {
            let mean = d.mean();
            // Exclusive packets are raced for by the targeted members only (an unknown
            // segment is the target's own problem: no share to check against).
            let segments = &base.population.groups.segments;
            let share = self.target.as_ref().and_then(|t| {
                t.names().iter().try_fold(0.0, |sum, name| {
                    segments.iter().find(|s| s.name == *name).map(|s| sum + s.share)
                })
            });
            if let Some(share) = share
                && f64::from(packets) > mean * share
            {
                c.push(
                    "packets",
                    format!(
                        "{packets} packets per drop but groups have {:.0} members of the targeted segments on average: they can never all be claimed; allowed at most the targeted members of a group",
                        mean * share
                    ),
                );
            } else if share.is_none() && f64::from(packets) > mean {
                c.push(
                    "packets",
                    format!(
                        "{packets} packets per drop but groups have {mean:.0} members on average: they can never all be claimed; allowed at most the group size"
                    ),
                );
            }
        }
        if self.stage2.is_some() && self.link != DropLink::Task {
            c.push(
                "stage2",
                "stage 2 rewards task completers: it needs link = \"task\"",
            );
        }
    }
}
