use crate::dist::Support;
use crate::settings::Schedule;
use crate::settings::{Base, Check, Checker};
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

/// Stage 2 of a staged drop: larger packets only for members who completed the task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Stage2 {
    /// Total amount of stage 2 (default 25).
    pub total: f64,
    /// Packets of stage 2 (default 10).
    pub packets: u32,
}

impl Default for Stage2 {
    fn default() -> Self {
        Stage2 {
            total: 25.0,
            packets: 10,
        }
    }
}

/// A follow-up push to claimers inside their attention window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct FollowUp {
    /// Minutes after the drop (default 2).
    pub delay_minutes: u32,
    /// Coupon value off the price (default 10).
    pub coupon: f64,
    /// Only the first K claimers receive it (default 30).
    pub first_k: u32,
    /// Minutes the coupon stays valid (default 60).
    pub valid_minutes: u32,
}

impl Default for FollowUp {
    fn default() -> Self {
        FollowUp {
            delay_minutes: 2,
            coupon: 10.0,
            first_k: 30,
            valid_minutes: 60,
        }
    }
}

/// Red packets dropped into every chat group (docs/field-figures.md §2.4).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct RedPackets {
    /// Switch off without deleting (default true).
    pub enabled: bool,
    /// When drops happen (default 20:30 on Tuesdays and Fridays).
    pub schedule: Schedule,
    /// Total amount per drop and group (default 30).
    pub total: f64,
    /// Packets per drop and group (default 15).
    pub packets: u32,
    /// Split rule (default equal).
    pub split: Split,
    /// Scale the total with members online: `total_per_online × online`, capped at
    /// `max_total` (default false).
    pub scale_with_online: bool,
    /// Amount per online member when scaling (default 0.2: 150 online → 30).
    pub total_per_online: f64,
    /// Cap of a scaled total (default 50).
    pub max_total: f64,
    /// Seconds after which unclaimed packets are refunded (default 60).
    pub claim_window_seconds: f64,
    /// Time scale of the claim race, seconds (default 5): a member of engagement `e` needs
    /// `Exp(claim_seconds_mean / (behaviour.group_life.claim_speed_floor + e))` seconds.
    pub claim_seconds_mean: f64,
    /// Link posted with the drop (default none).
    pub link: DropLink,
    /// Probability that a claimer completes a task link (default 0.6).
    pub task_completion: f64,
    /// Probability that a member who sees a plain announcement opens it (default 0.0238,
    /// calibrated).
    pub announcement_click: f64,
    /// Staged drop: larger packets for task completers (absent: no stage 2).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage2: Option<Stage2>,
    /// Follow-up push inside the attention window (absent: nothing follows).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub followup: Option<FollowUp>,
    /// Engagement gained by claiming (default 0.1625, calibrated).
    pub claim_engagement: f64,
    /// Engagement gained by completing a task or opening a push (default 0.15).
    pub task_engagement: f64,
    /// Intent (log-odds) left by a claim (default 0.3).
    pub claim_intent: f64,
    /// Probability that a claimer leaves the group when nothing follows the drop (default 0.005,
    /// calibrated: see docs/calibration.md).
    pub claim_and_leave: f64,
}

impl Default for RedPackets {
    fn default() -> Self {
        RedPackets {
            enabled: true,
            schedule: Schedule::default(),
            total: 30.0,
            packets: 15,
            split: Split::Equal,
            scale_with_online: false,
            total_per_online: 0.2,
            max_total: 50.0,
            claim_window_seconds: 60.0,
            claim_seconds_mean: 5.0,
            link: DropLink::None,
            task_completion: 0.6,
            announcement_click: 0.0238,
            stage2: None,
            followup: None,
            claim_engagement: 0.1625,
            task_engagement: 0.15,
            claim_intent: 0.3,
            claim_and_leave: 0.005,
        }
    }
}

impl Check for RedPackets {
    fn check(&self, base: &Base<'_>, c: &mut Checker) {
        let RedPackets {
            enabled: _,
            schedule,
            total,
            packets,
            split: _,
            scale_with_online: _,
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
        } = self;
        c.needs_groups(base);
        c.check("schedule", schedule, base);
        c.positive("total", *total);
        if *packets == 0 {
            c.push("packets", "0 is out of range: allowed at least 1 packet");
        } else if *total / (*packets as f64) < 0.01 {
            c.push(
            "packets",
            format!(
                "{} packets cannot split a total of {}: every packet needs at least 0.01; allowed at most {} packets",
                *packets,
                *total,
                (*total / 0.01).floor()
            ),
        );
        }
        if let Ok(d) = base.population.groups.size.build(Support::Positive) {
            let mean = d.mean();
            if (*packets as f64) > mean {
                c.push(
                "packets",
                format!(
                    "{} packets per drop but groups have {mean:.0} members on average: they can never all be claimed; allowed at most the group size",
                    *packets
                ),
            );
            }
        }
        c.positive("total_per_online", *total_per_online);
        c.positive("max_total", *max_total);
        c.positive("claim_window_seconds", *claim_window_seconds);
        c.positive("claim_seconds_mean", *claim_seconds_mean);
        c.prob("task_completion", *task_completion);
        c.prob("announcement_click", *announcement_click);
        c.range("claim_engagement", *claim_engagement, -1.0, 1.0);
        c.range("task_engagement", *task_engagement, -1.0, 1.0);
        c.range("claim_intent", *claim_intent, -20.0, 20.0);
        c.prob("claim_and_leave", *claim_and_leave);
        if let Some(st) = stage2 {
            if *link != DropLink::Task {
                c.push(
                    "stage2",
                    "stage 2 rewards task completers: it needs link = \"task\"",
                );
            }
            c.check("stage2", st, base);
        }
        if let Some(f) = followup {
            c.check("followup", f, base);
        }
    }
}

impl Check for Stage2 {
    fn check(&self, _: &Base<'_>, c: &mut Checker) {
        let Stage2 { total, packets } = self;
        c.positive("total", *total);
        if *packets == 0 || total / (*packets.max(&1) as f64) < 0.01 {
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

impl Check for FollowUp {
    fn check(&self, base: &Base<'_>, c: &mut Checker) {
        let FollowUp {
            delay_minutes,
            coupon,
            first_k,
            valid_minutes,
        } = self;
        c.non_negative("coupon", *coupon);
        if *coupon >= base.product.price {
            c.push(
                "coupon",
                format!(
                    "coupon {coupon} is not below the price {}: allowed 0 to less than the price",
                    base.product.price
                ),
            );
        }
        if *first_k == 0 {
            c.push("first_k", "0: allowed at least 1 recipient");
        }
        if *valid_minutes == 0 {
            c.push("valid_minutes", "0: allowed at least 1 minute");
        }
        if *delay_minutes >= 24 * 60 {
            c.push(
                "delay_minutes",
                format!("{delay_minutes}: allowed 0 to 1439 minutes"),
            );
        }
    }
}
