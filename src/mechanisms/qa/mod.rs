//! Q&A in the chat groups (docs/field-figures.md §2.5): ad-hoc answers as the baseline, or dedicated
//! Q&A sessions.
//!
//! ## Ordinary times (both modes)
//! Each day every member still in the group asks with probability `ordinary_question_rate`
//! (a binomial count per group, askers drawn at random). The seller answers after
//! `Exp(adhoc_response_minutes)`; the asker waits `Exp(adhoc_patience_minutes)`. The answer
//! resolves the question only if it comes in time, so the resolution rate is
//! `patience / (patience + response)` in expectation. Nothing in the model fixes it directly.
//!
//! ## A dedicated session (mode = "dedicated"), at `schedule.time` for `session_minutes`
//! 1. **Pre-collection** (optional): each member submitted a question the day before with
//!    probability `precollect.rate`, earning a coupon; these questions are answered first.
//! 2. **Warm-up** (optional): a red packet 5 minutes before; the fastest online, noticing
//!    members claim `warmup_packets` (the claim race of
//!    [`super::group_chat::claim_seconds`]) and gain engagement `warmup_engagement`
//!    (default 0.05) and intent `warmup_intent` (default 0.3).
//! 3. **Who is there**: members online at mid-session (the activity profile puts 60–70% of
//!    members online at 20:00–21:30). Agents `c = ceil(online / members_per_agent)`.
//! 4. **Questions**: each online member asks once with probability
//!    `1 − exp(−session_question_rate · minutes / 60)`, at a uniform time in the session.
//! 5. **Queue**: first come, first served over `c` agents, with service times of
//!    `Exp(answer_minutes)`, i.e. M/M/c with abandonment. A live asker gives up if no answer
//!    starts within `Exp(session_patience_minutes)`. Nothing is answered after the session
//!    ends. A live asker answered within `satisfied_within_minutes` is satisfied; a
//!    pre-collected one when answered in the session.
//! 6. **Lurkers**: online members who notice the session and did not ask see the answers
//!    and receive the core-phase coupon push and the closing discount push (see
//!    [`super::group_chat::Push`]).
//!
//! ## What an answer does
//! A resolved question raises the asker's engagement by `answer_engagement` (default 0.1)
//! and its satisfaction to `answer_satisfaction` (default 0.8), which feeds a buyer's
//! repurchase. A question about usage, price or quality (share `purchase_questions`) is
//! also a purchase opportunity: base `channels.answer`. A "solution + case + discount"
//! answer adds a buyer's case (social proof of strength `case_strength`) and
//! `answer_discount` as incentive, plus any pre-collection coupon. An ad-hoc purchase
//! answer on which the asker does not order leaves intent `adhoc_answer_intent` (default
//! 0.3). An unresolved question adds intent `unresolved_intent` (default −0.5) and
//! engagement `unresolved_engagement` (default −0.1): unanswered members drift away.
//!
//! ## Costs and KPIs
//! Costs: agent hours (session plus 15 minutes of preparation) at `wage_per_hour`, the
//! staff minutes of every ad-hoc answer (`adhoc_answer_minutes` each, at the same wage),
//! warm-up packets, and coupons redeemed. KPIs: `qa_sessions` (over all groups),
//! `qa_online_per_session`, `qa_online_share` (online / members still in the group), `qa_questions_per_session`, `qa_response_minutes`,
//! `qa_resolution`, `qa_satisfaction`, `qa_precollected_same_day`, `qa_adhoc_questions`,
//! `qa_adhoc_response_minutes`, `qa_adhoc_resolution`, `qa_session_orders`,
//! `qa_answer_conversion` (orders per resolved purchase question), `qa_orders`, `qa_coupons_redeemed` (orders that used a coupon or answer discount),
//! `qa_members_left`, `qa_cost`.

mod config;
pub use config::*;

use super::group_chat::{Push, PushOutcome, claim_seconds};
use super::{Better, Kpi, Mechanism, Metric, Need, Needs, Record, Run, Unit, per};
use crate::behaviour::Exposure;
use crate::settings::{Base, Channels};
use crate::world::World;
use rand::RngExt;
use rand_distr::{Binomial, Distribution, Exp1};
use std::sync::Arc;

impl Mechanism for Plan {
    type Config = Qa;
    type Trial = Trial;
    const KEY: &'static str = "qa";
    const LABEL: &'static str = "Q&A in chat groups";
    const STREAM: u64 = 2;

    fn plan(base: &Base<'_>, c: &Qa) -> Result<Self, String> {
        let Qa {
            enabled: _,
            mode: _,
            schedule: _,
            session_minutes: _,
            members_per_agent: _,
            answer_minutes: _,
            session_question_rate: _,
            session_patience_minutes: _,
            satisfied_within_minutes: _,
            ordinary_question_rate: _,
            adhoc_response_minutes: _,
            adhoc_from: _,
            adhoc_until: _,
            adhoc_patience_minutes: _,
            adhoc_answer_minutes: _,
            purchase_questions: _,
            answer_style: _,
            answer_discount: _,
            case_strength: _,
            answer_engagement: _,
            answer_satisfaction: _,
            adhoc_answer_intent: _,
            unresolved_intent: _,
            unresolved_engagement: _,
            precollect: _,
            warmup_total: _,
            warmup_packets: _,
            warmup_engagement: _,
            warmup_intent: _,
            core_coupon: _,
            core_coupon_minutes: _,
            closing_discount: _,
            wage_per_hour: _,
        } = c;
        let minutes = c.session_minutes as f64;
        Ok(Plan {
            config: c.clone(),
            ask: 1.0 - (-c.session_question_rate * minutes / 60.0).exp(),
            channels: base.behaviour.channels.clone(),
        })
    }

    const NEEDS: Needs = Needs::of(&[Need::GroupLife]);

    fn on_day(run: &mut Run<Self>, world: &mut World) {
        let c = &run.plan.config;
        let dedicated =
            c.mode == QaMode::Dedicated && c.schedule.happens(world.day, world.weekday());
        for g in world.pop.group_pools() {
            run.ordinary_questions(world, g);
            if dedicated {
                run.session(world, g);
            }
        }
    }
}

impl Run<Plan> {
    #[inline]
    fn ordinary_questions(&mut self, world: &mut World, g: usize) {
        let p = &self.plan.config;
        let pool = world.pop.pools[g];
        let (rate, resp_mean, pat_mean) = (
            p.ordinary_question_rate,
            p.adhoc_response_minutes,
            p.adhoc_patience_minutes,
        );
        let n = Binomial::new(pool.len as u64, rate)
            .map(|b| b.sample(&mut self.rng))
            .unwrap_or(0);
        let per_answer = p.adhoc_answer_minutes / 60.0 * p.wage_per_hour;
        let (from, until) = (p.adhoc_from.minute(), p.adhoc_until.minute());
        for _ in 0..n {
            let i = pool.start + self.rng.random_range(0..pool.len);
            if world.has_left(i) {
                continue;
            }
            self.trial.adhoc_questions += 1;
            self.trial.cost += per_answer;
            world.book_cost(per_answer);
            let e1: f64 = Exp1.sample(&mut self.rng);
            let e2: f64 = Exp1.sample(&mut self.rng);
            let (response, patience) = (e1 * resp_mean, e2 * pat_mean);
            self.trial.adhoc_response_sum += response;
            let minute = from + self.rng.random_range(0..until - from);
            let at = (minute as f64 + response).min(1439.0) as u32;
            if response <= patience {
                self.trial.adhoc_resolved += 1;
                self.resolved(world, i, at, 0.0, false);
            } else {
                let gave_up = (minute as f64 + patience).min(1439.0) as u32;
                self.unresolved(world, i, gave_up);
            }
        }
    }

    // Inlined into the day, with `ordinary_questions` and `resolved`: out of line, the Q&A
    // scenarios run about 4% more instructions.
    #[inline]
    fn session(&mut self, world: &mut World, g: usize) {
        let plan = Arc::clone(&self.plan);
        let p = &plan.config;
        let pool = world.pop.pools[g];
        let start = p.schedule.time.minute();
        let len = p.session_minutes as f64;
        let mid = start + p.session_minutes / 2;
        self.trial.sessions += 1;
        self.trial.questions.clear();
        self.trial.online.clear();
        self.trial.racers.clear();

        // Who is there; pre-collected questions; warm-up racers.
        // Members are visited by thinning walks (only those who may submit, or be online).
        let precollect = &p.precollect;
        self.trial.present_sum += world.members_in(g) as u64;
        if let Some(pc) = precollect {
            let mut walk = world.coins(pool.start, pool.len, pc.rate);
            while let Some((i, u)) = walk.next(&mut self.rng) {
                if !world.has_left(i) && u < pc.rate {
                    self.trial.questions.push(Question {
                        arrival: 0.0,
                        patience: f64::INFINITY,
                        member: i,
                        precollected: true,
                    });
                }
            }
        }
        let mut walk = world.coins(pool.start, pool.len, world.online_bound(mid));
        while let Some((i, u)) = walk.next(&mut self.rng) {
            if world.has_left(i) {
                continue;
            }
            if u < world.online_probability(i, mid) {
                self.trial.online.push(i);
                if p.warmup_total > 0.0 && self.rng.random::<f64>() < world.notice_probability(i) {
                    // Only the order of the race matters: time scale 1.
                    let delay = claim_seconds(world, i, 1.0, &mut self.rng);
                    self.trial.racers.push((delay, i));
                }
            }
        }
        self.trial.online_sum += self.trial.online.len() as u64;
        self.trial.precollected += self.trial.questions.len() as u64;
        if p.warmup_total > 0.0 {
            self.trial
                .racers
                .sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            let n = (p.warmup_packets as usize).min(self.trial.racers.len());
            let paid = p.warmup_total * n as f64 / p.warmup_packets as f64;
            self.trial.cost += paid;
            world.book_cost(paid);
            for k in 0..n {
                let i = self.trial.racers[k].1;
                world.add_engagement(i, p.warmup_engagement, start);
                world.add_intent(i, p.warmup_intent);
            }
        }

        // Live questions.
        let p_ask = plan.ask;
        let mut askers = world.coins(0, self.trial.online.len() as u32, p_ask);
        while let Some((k, u)) = askers.next(&mut self.rng) {
            let i = self.trial.online[k as usize];
            if u < p_ask {
                let e: f64 = Exp1.sample(&mut self.rng);
                self.trial.questions.push(Question {
                    arrival: self.rng.random::<f64>() * len,
                    patience: e * p.session_patience_minutes,
                    member: i,
                    precollected: false,
                });
            }
        }
        self.trial.questions.sort_by(|a, b| {
            a.arrival
                .total_cmp(&b.arrival)
                .then(a.member.cmp(&b.member))
        });
        self.trial.session_questions += self.trial.questions.len() as u64;

        // Agents: M/M/c, first come first served, with abandonment.
        let agents =
            ((self.trial.online.len() as f64 / p.members_per_agent).ceil() as usize).max(1);
        let staff = agents as f64 * (len + 15.0) / 60.0 * p.wage_per_hour;
        self.trial.cost += staff;
        world.book_cost(staff);
        self.trial.agents_free.clear();
        self.trial.agents_free.resize(agents, 0.0);
        let coupon_for_asking = precollect.as_ref().map(|c| c.coupon).unwrap_or(0.0);
        let orders_before = self.trial.orders;
        for q in 0..self.trial.questions.len() {
            let question = self.trial.questions[q];
            let (slot, free) = self
                .trial
                .agents_free
                .iter()
                .copied()
                .enumerate()
                .min_by(|a, b| a.1.total_cmp(&b.1))
                .unwrap_or((0, 0.0));
            let begin = free.max(question.arrival);
            if begin - question.arrival > question.patience || begin >= len {
                let gave_up = start as f64 + (question.arrival + question.patience).min(len);
                self.unresolved(world, question.member, (gave_up as u32).min(1439));
                continue;
            }
            let e: f64 = Exp1.sample(&mut self.rng);
            let done = begin + e * p.answer_minutes;
            self.trial.agents_free[slot] = done;
            let response = done - question.arrival;
            self.trial.session_resolved += 1;
            self.trial.session_response_sum += response;
            // A pre-collected asker expects the answer in the session; a live one, fast.
            if question.precollected || response <= p.satisfied_within_minutes {
                self.trial.satisfied += 1;
            }
            if question.precollected {
                self.trial.precollected_resolved += 1;
            }
            let at = start + done.min(len) as u32;
            let coupon = if question.precollected {
                coupon_for_asking
            } else {
                0.0
            };
            self.resolved(world, question.member, at, coupon, true);
        }

        // Lurkers: the core-phase coupon and the closing discount.
        let pushes = [
            (p.core_coupon, p.core_coupon_minutes, mid),
            (
                p.closing_discount,
                24.0 * 60.0 - (start as f64 + len),
                start + p.session_minutes.saturating_sub(5),
            ),
        ];
        for (coupon, valid, at) in pushes {
            if coupon <= 0.0 {
                continue;
            }
            let push = Push::new(&plan.channels, coupon, valid.max(1.0)).prepare(world);
            let mut seen = world.coins(0, self.trial.online.len() as u32, world.notice_bound(g));
            while let Some((k, u)) = seen.next(&mut self.rng) {
                let i = self.trial.online[k as usize];
                if world.is_buyer(i) || world.has_left(i) || u >= world.notice_probability(i) {
                    continue;
                }
                if push.deliver(world, i, at, 1.0, &mut self.rng) == PushOutcome::Bought {
                    self.trial.orders += 1;
                    self.trial.coupons_redeemed += 1;
                }
            }
        }
        self.trial.session_orders += self.trial.orders - orders_before;
    }

    /// A resolved question of member `i`, answered at `minute`.
    #[inline]
    fn resolved(&mut self, world: &mut World, i: u32, minute: u32, coupon: f64, in_session: bool) {
        let p = &self.plan.config;
        world.add_engagement(i, p.answer_engagement, minute);
        world.raise_satisfaction(i, p.answer_satisfaction, minute);
        if self.rng.random::<f64>() >= p.purchase_questions || world.is_buyer(i) {
            return;
        }
        self.trial.purchase_answers += 1;
        let (strength, discount) = match p.answer_style {
            AnswerStyle::Plain => (0.0, 0.0),
            AnswerStyle::SolutionCaseDiscount => (p.case_strength, p.answer_discount),
        };
        let e = Exposure {
            base: self.plan.channels.answer,
            attention: 1.0,
            strength,
            incentive: discount + coupon,
        };
        if world.offer(i, minute, &e, &mut self.rng) {
            self.trial.answer_orders += 1;
            self.trial.orders += 1;
            if e.incentive > 0.0 {
                self.trial.coupons_redeemed += 1;
            }
        } else if !in_session {
            world.add_intent(i, p.adhoc_answer_intent);
        }
    }

    /// A question of member `i` left without an answer, given up at `minute`.
    fn unresolved(&mut self, world: &mut World, i: u32, minute: u32) {
        let p = &self.plan.config;
        world.add_intent(i, p.unresolved_intent);
        world.add_engagement(i, p.unresolved_engagement, minute);
    }
}

/// The plan: the validated settings, read as they are, the chance to ask in a session, and
/// the channel bases.
#[derive(Debug, Clone)]
pub struct Plan {
    config: Qa,
    /// An online member asks in a session with `1 − exp(−session_question_rate · minutes /
    /// 60)`.
    ask: f64,
    channels: Channels,
}

/// What a trial records.
#[derive(Debug, Clone, Default)]
pub struct Trial {
    sessions: u32,
    online_sum: u64,
    present_sum: u64,
    session_questions: u64,
    session_resolved: u64,
    session_response_sum: f64,
    satisfied: u64,
    precollected: u64,
    precollected_resolved: u64,
    adhoc_questions: u64,
    adhoc_resolved: u64,
    adhoc_response_sum: f64,
    session_orders: u64,
    purchase_answers: u64,
    answer_orders: u64,
    orders: u64,
    coupons_redeemed: u64,
    cost: f64,
    /// The current session's questions, members online, warm-up racers and agents.
    questions: Vec<Question>,
    online: Vec<u32>,
    racers: Vec<(f64, u32)>,
    agents_free: Vec<f64>,
}

impl Record for Trial {
    const METRICS: &'static [Metric<Self>] = &[
        (Kpi::count("qa_sessions"), |t, _| t.sessions as f64),
        (Kpi::count("qa_online_per_session"), |t, _| {
            per(t.online_sum, t.sessions)
        }),
        (Kpi::share("qa_online_share"), |t, _| {
            per(t.online_sum, t.present_sum)
        }),
        (Kpi::count("qa_questions_per_session"), |t, _| {
            per(t.session_questions, t.sessions)
        }),
        (
            Kpi::new("qa_response_minutes", Unit::Minutes, Better::Lower),
            |t, _| per(t.session_response_sum, t.session_resolved),
        ),
        (Kpi::share("qa_resolution"), |t, _| {
            per(t.session_resolved, t.session_questions)
        }),
        (Kpi::share("qa_satisfaction"), |t, _| {
            per(t.satisfied, t.session_questions)
        }),
        (Kpi::share("qa_precollected_same_day"), |t, _| {
            per(t.precollected_resolved, t.precollected)
        }),
        (Kpi::count("qa_adhoc_questions"), |t, _| {
            t.adhoc_questions as f64
        }),
        (
            Kpi::new("qa_adhoc_response_minutes", Unit::Minutes, Better::Lower),
            |t, _| per(t.adhoc_response_sum, t.adhoc_questions),
        ),
        (Kpi::share("qa_adhoc_resolution"), |t, _| {
            per(t.adhoc_resolved, t.adhoc_questions)
        }),
        (Kpi::gain("qa_session_orders"), |t, _| {
            t.session_orders as f64
        }),
        (Kpi::share("qa_answer_conversion"), |t, _| {
            per(t.answer_orders, t.purchase_answers)
        }),
        (Kpi::gain("qa_orders"), |t, _| t.orders as f64),
        (Kpi::count("qa_coupons_redeemed"), |t, _| {
            t.coupons_redeemed as f64
        }),
        (
            Kpi::share("qa_members_left").better(Better::Lower),
            |_, world| per(world.group_attrition().0, world.pop.group_members()),
        ),
        (Kpi::cost_item("qa_cost"), |t, _| t.cost),
    ];
}

#[derive(Debug, Clone, Copy)]
struct Question {
    arrival: f64,
    patience: f64,
    member: u32,
    precollected: bool,
}
