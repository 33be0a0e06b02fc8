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
//! Costs: agent hours (session plus 15 minutes of preparation) at `wage_per_hour`,
//! warm-up packets, and coupons redeemed. KPIs: `qa_sessions` (over all groups),
//! `qa_online_per_session`, `qa_online_share` (online / members still in the group), `qa_questions_per_session`, `qa_response_minutes`,
//! `qa_resolution`, `qa_satisfaction`, `qa_precollected_same_day`, `qa_adhoc_questions`,
//! `qa_adhoc_response_minutes`, `qa_adhoc_resolution`, `qa_session_orders`,
//! `qa_answer_conversion` (orders per resolved purchase question), `qa_orders`, `qa_coupons_redeemed` (orders that used a coupon or answer discount),
//! `qa_members_left`, `qa_cost`.

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
use rand_distr::{Binomial, Distribution, Exp1};

/// The settings the model reads, fixed for the run; built by destructuring the whole [`Qa`]
/// table, so a setting the model does not read is a compile warning.
#[derive(Debug, Clone)]
pub struct Plan {
    mode: QaMode,
    schedule: Schedule,
    session_minutes: u32,
    members_per_agent: f64,
    answer_minutes: f64,
    session_question_rate: f64,
    session_patience_minutes: f64,
    satisfied_within_minutes: f64,
    ordinary_question_rate: f64,
    adhoc_response_minutes: f64,
    adhoc_patience_minutes: f64,
    purchase_questions: f64,
    answer_style: AnswerStyle,
    answer_discount: f64,
    case_strength: f64,
    answer_engagement: f64,
    answer_satisfaction: f64,
    adhoc_answer_intent: f64,
    unresolved_intent: f64,
    unresolved_engagement: f64,
    precollect: Option<PreCollectionPlan>,
    warmup_total: f64,
    warmup_packets: u32,
    warmup_engagement: f64,
    warmup_intent: f64,
    core_coupon: f64,
    core_coupon_minutes: f64,
    closing_discount: f64,
    wage_per_hour: f64,
    answer_base: f64,
    push_base: f64,
    link_base: f64,
}

/// Pre-collection before a session ([`PreCollection`]).
#[derive(Debug, Clone, Copy)]
struct PreCollectionPlan {
    rate: f64,
    coupon: f64,
}

#[derive(Debug, Clone, Copy)]
struct Question {
    arrival: f64,
    patience: f64,
    member: u32,
    precollected: bool,
}

/// Counters of one trial; reset to zero at the start of each.
#[derive(Debug, Clone, Default)]
struct Tally {
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
}

/// Per-trial state.
#[derive(Debug, Clone)]
pub struct State {
    plan: std::sync::Arc<Plan>,
    rng: SimRng,
    questions: Vec<Question>,
    online: Vec<u32>,
    racers: Vec<(f64, u32)>,
    agents_free: Vec<f64>,
    /// Counters of the current trial.
    tally: Tally,
}

impl State {
    /// A fresh state.
    pub fn new(plan: &Plan) -> Self {
        State {
            plan: std::sync::Arc::new(plan.clone()),
            rng: stream_rng(0, 0),
            questions: Vec::new(),
            online: Vec::new(),
            racers: Vec::new(),
            agents_free: Vec::new(),
            tally: Tally::default(),
        }
    }

    fn ordinary_questions(&mut self, world: &mut World, g: usize) {
        let p = &self.plan;
        let pool = world.pop.pools[g];
        let (rate, resp_mean, pat_mean) = (
            p.ordinary_question_rate,
            p.adhoc_response_minutes,
            p.adhoc_patience_minutes,
        );
        let n = Binomial::new(pool.len as u64, rate)
            .map(|b| b.sample(&mut self.rng))
            .unwrap_or(0);
        for _ in 0..n {
            let i = pool.start + self.rng.random_range(0..pool.len);
            if world.has_left(i) {
                continue;
            }
            self.tally.adhoc_questions += 1;
            let e1: f64 = Exp1.sample(&mut self.rng);
            let e2: f64 = Exp1.sample(&mut self.rng);
            let (response, patience) = (e1 * resp_mean, e2 * pat_mean);
            self.tally.adhoc_response_sum += response;
            let minute = 9 * 60 + self.rng.random_range(0..14 * 60u32);
            let at = (minute as f64 + response).min(1439.0) as u32;
            if response <= patience {
                self.tally.adhoc_resolved += 1;
                self.resolved(world, i, at, 0.0, false);
            } else {
                self.unresolved(world, i);
            }
        }
    }

    fn session(&mut self, world: &mut World, g: usize) {
        let p = std::sync::Arc::clone(&self.plan);
        let pool = world.pop.pools[g];
        let start = p.schedule.time.minute();
        let len = p.session_minutes as f64;
        let mid = start + p.session_minutes / 2;
        self.tally.sessions += 1;
        self.questions.clear();
        self.online.clear();
        self.racers.clear();

        // Who is there; pre-collected questions; warm-up racers.
        // Members are visited by thinning walks (only those who may submit, or be online).
        let precollect = p.precollect;
        self.tally.present_sum += world.members_in(g) as u64;
        if let Some(pc) = &precollect {
            let mut walk = Coins::new(pool.start, pool.len, pc.rate);
            while let Some((i, u)) = walk.next(&mut self.rng) {
                if !world.has_left(i) && u < pc.rate {
                    self.questions.push(Question {
                        arrival: 0.0,
                        patience: f64::INFINITY,
                        member: i,
                        precollected: true,
                    });
                }
            }
        }
        let mut walk = Coins::new(pool.start, pool.len, world.online_bound(mid));
        while let Some((i, u)) = walk.next(&mut self.rng) {
            if world.has_left(i) {
                continue;
            }
            if u < world.online_probability(i, mid) {
                self.online.push(i);
                if p.warmup_total > 0.0 && self.rng.random::<f64>() < world.notice_probability(i) {
                    // Only the order of the race matters: time scale 1.
                    let delay = claim_seconds(world, i, 1.0, &mut self.rng);
                    self.racers.push((delay, i));
                }
            }
        }
        self.tally.online_sum += self.online.len() as u64;
        self.tally.precollected += self.questions.len() as u64;
        if p.warmup_total > 0.0 {
            self.racers
                .sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            let n = (p.warmup_packets as usize).min(self.racers.len());
            let paid = p.warmup_total * n as f64 / p.warmup_packets as f64;
            self.tally.cost += paid;
            world.book_cost(paid);
            for k in 0..n {
                let i = self.racers[k].1;
                world.add_engagement(i, p.warmup_engagement);
                world.add_intent(i, p.warmup_intent);
            }
        }

        // Live questions.
        let p_ask = 1.0 - (-p.session_question_rate * len / 60.0).exp();
        let mut askers = Coins::new(0, self.online.len() as u32, p_ask);
        while let Some((k, u)) = askers.next(&mut self.rng) {
            let i = self.online[k as usize];
            if u < p_ask {
                let e: f64 = Exp1.sample(&mut self.rng);
                self.questions.push(Question {
                    arrival: self.rng.random::<f64>() * len,
                    patience: e * p.session_patience_minutes,
                    member: i,
                    precollected: false,
                });
            }
        }
        self.questions.sort_by(|a, b| {
            a.arrival
                .total_cmp(&b.arrival)
                .then(a.member.cmp(&b.member))
        });
        self.tally.session_questions += self.questions.len() as u64;

        // Agents: M/M/c, first come first served, with abandonment.
        let agents = ((self.online.len() as f64 / p.members_per_agent).ceil() as usize).max(1);
        let staff = agents as f64 * (len + 15.0) / 60.0 * p.wage_per_hour;
        self.tally.cost += staff;
        world.book_cost(staff);
        self.agents_free.clear();
        self.agents_free.resize(agents, 0.0);
        let coupon_for_asking = precollect.as_ref().map(|c| c.coupon).unwrap_or(0.0);
        let orders_before = self.tally.orders;
        for q in 0..self.questions.len() {
            let question = self.questions[q];
            let (slot, free) = self
                .agents_free
                .iter()
                .copied()
                .enumerate()
                .min_by(|a, b| a.1.total_cmp(&b.1))
                .unwrap_or((0, 0.0));
            let begin = free.max(question.arrival);
            if begin - question.arrival > question.patience || begin >= len {
                self.unresolved(world, question.member);
                continue;
            }
            let e: f64 = Exp1.sample(&mut self.rng);
            let done = begin + e * p.answer_minutes;
            self.agents_free[slot] = done;
            let response = done - question.arrival;
            self.tally.session_resolved += 1;
            self.tally.session_response_sum += response;
            // A pre-collected asker expects the answer in the session; a live one, fast.
            if question.precollected || response <= p.satisfied_within_minutes {
                self.tally.satisfied += 1;
            }
            if question.precollected {
                self.tally.precollected_resolved += 1;
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
            let push = Push {
                coupon,
                valid_minutes: valid.max(1.0),
                push_base: self.plan.push_base,
                link_base: self.plan.link_base,
                strength: 0.0,
                buyers: false,
            }
            .prepare(world);
            let mut seen = Coins::new(0, self.online.len() as u32, world.notice_bound(g));
            while let Some((k, u)) = seen.next(&mut self.rng) {
                let i = self.online[k as usize];
                if world.is_buyer(i) || world.has_left(i) || u >= world.notice_probability(i) {
                    continue;
                }
                if push.deliver_seen(world, i, at, &mut self.rng) == PushOutcome::Bought {
                    self.tally.orders += 1;
                    self.tally.coupons_redeemed += 1;
                }
            }
        }
        self.tally.session_orders += self.tally.orders - orders_before;
    }

    /// A resolved question of member `i`, answered at `minute`.
    fn resolved(&mut self, world: &mut World, i: u32, minute: u32, coupon: f64, in_session: bool) {
        world.add_engagement(i, self.plan.answer_engagement);
        world.raise_satisfaction(i, self.plan.answer_satisfaction, minute);
        if self.rng.random::<f64>() >= self.plan.purchase_questions || world.is_buyer(i) {
            return;
        }
        self.tally.purchase_answers += 1;
        let (strength, discount) = match self.plan.answer_style {
            AnswerStyle::Plain => (0.0, 0.0),
            AnswerStyle::SolutionCaseDiscount => {
                (self.plan.case_strength, self.plan.answer_discount)
            }
        };
        let e = Exposure {
            base: self.plan.answer_base,
            attention: 1.0,
            strength,
            incentive: discount + coupon,
        };
        if world.offer(i, minute, &e, &mut self.rng) {
            self.tally.answer_orders += 1;
            self.tally.orders += 1;
            if e.incentive > 0.0 {
                self.tally.coupons_redeemed += 1;
            }
        } else if !in_session {
            world.add_intent(i, self.plan.adhoc_answer_intent);
        }
    }

    fn unresolved(&mut self, world: &mut World, i: u32) {
        world.add_intent(i, self.plan.unresolved_intent);
        world.add_engagement(i, self.plan.unresolved_engagement);
    }
}

impl Mechanism for Plan {
    type Config = Qa;
    type State = State;
    const KEY: &'static str = "qa";
    const LABEL: &'static str = "Q&A in chat groups";
    const STREAM: u64 = 2;
    const KPIS: &'static [Kpi] = &[
        Kpi::count("qa_sessions"),
        Kpi::count("qa_online_per_session"),
        Kpi::share("qa_online_share"),
        Kpi::count("qa_questions_per_session"),
        Kpi::new("qa_response_minutes", Unit::Minutes, Better::Lower),
        Kpi::share("qa_resolution"),
        Kpi::share("qa_satisfaction"),
        Kpi::share("qa_precollected_same_day"),
        Kpi::count("qa_adhoc_questions"),
        Kpi::new("qa_adhoc_response_minutes", Unit::Minutes, Better::Lower),
        Kpi::share("qa_adhoc_resolution"),
        Kpi::gain("qa_session_orders"),
        Kpi::share("qa_answer_conversion"),
        Kpi::gain("qa_orders"),
        Kpi::count("qa_coupons_redeemed"),
        Kpi::share("qa_members_left").better(Better::Lower),
        Kpi::cost_item("qa_cost"),
    ];
    const NEEDS: Needs = Needs {
        group_life: true,
        ..Needs::NOTHING
    };

    fn plan(base: &Base<'_>, c: &Qa) -> Result<Self, String> {
        let Qa {
            enabled: _,
            mode,
            schedule,
            session_minutes,
            members_per_agent,
            answer_minutes,
            session_question_rate,
            session_patience_minutes,
            satisfied_within_minutes,
            ordinary_question_rate,
            adhoc_response_minutes,
            adhoc_patience_minutes,
            purchase_questions,
            answer_style,
            answer_discount,
            case_strength,
            answer_engagement,
            answer_satisfaction,
            adhoc_answer_intent,
            unresolved_intent,
            unresolved_engagement,
            precollect,
            warmup_total,
            warmup_packets,
            warmup_engagement,
            warmup_intent,
            core_coupon,
            core_coupon_minutes,
            closing_discount,
            wage_per_hour,
        } = c;
        let precollect = precollect
            .as_ref()
            .map(|&PreCollection { rate, coupon }| PreCollectionPlan { rate, coupon });
        Ok(Plan {
            mode: *mode,
            schedule: schedule.clone(),
            session_minutes: *session_minutes,
            members_per_agent: *members_per_agent,
            answer_minutes: *answer_minutes,
            session_question_rate: *session_question_rate,
            session_patience_minutes: *session_patience_minutes,
            satisfied_within_minutes: *satisfied_within_minutes,
            ordinary_question_rate: *ordinary_question_rate,
            adhoc_response_minutes: *adhoc_response_minutes,
            adhoc_patience_minutes: *adhoc_patience_minutes,
            purchase_questions: *purchase_questions,
            answer_style: *answer_style,
            answer_discount: *answer_discount,
            case_strength: *case_strength,
            answer_engagement: *answer_engagement,
            answer_satisfaction: *answer_satisfaction,
            adhoc_answer_intent: *adhoc_answer_intent,
            unresolved_intent: *unresolved_intent,
            unresolved_engagement: *unresolved_engagement,
            precollect,
            warmup_total: *warmup_total,
            warmup_packets: *warmup_packets,
            warmup_engagement: *warmup_engagement,
            warmup_intent: *warmup_intent,
            core_coupon: *core_coupon,
            core_coupon_minutes: *core_coupon_minutes,
            closing_discount: *closing_discount,
            wage_per_hour: *wage_per_hour,
            answer_base: base.behaviour.channels.answer,
            push_base: base.behaviour.channels.push,
            link_base: base.behaviour.channels.link,
        })
    }

    fn state(&self) -> State {
        State::new(self)
    }
}

impl TrialState for State {
    fn reset(&mut self, world: &World, stream: u64) {
        self.questions.clear();
        self.online.clear();
        self.racers.clear();
        self.agents_free.clear();
        self.tally = Tally::default();
        self.rng = mechanism_rng(world.key, stream);
    }

    fn on_day(&mut self, world: &mut World) {
        let dedicated = self.plan.mode == QaMode::Dedicated
            && self.plan.schedule.happens(world.day, world.weekday());
        for g in 0..world.pop.pools.len() {
            if !world.pop.pools[g].group {
                continue;
            }
            self.ordinary_questions(world, g);
            if dedicated {
                self.session(world, g);
            }
        }
    }

    fn kpis(&self, world: &World, out: &mut Vec<f64>) {
        let sessions = self.tally.sessions as f64;
        let members = world.pop.group_members() as f64;
        let (left, _) = world.group_attrition();
        out.extend_from_slice(&[
            sessions,
            ratio(self.tally.online_sum as f64, sessions),
            ratio(self.tally.online_sum as f64, self.tally.present_sum as f64),
            ratio(self.tally.session_questions as f64, sessions),
            ratio(
                self.tally.session_response_sum,
                self.tally.session_resolved as f64,
            ),
            ratio(
                self.tally.session_resolved as f64,
                self.tally.session_questions as f64,
            ),
            ratio(
                self.tally.satisfied as f64,
                self.tally.session_questions as f64,
            ),
            ratio(
                self.tally.precollected_resolved as f64,
                self.tally.precollected as f64,
            ),
            self.tally.adhoc_questions as f64,
            ratio(
                self.tally.adhoc_response_sum,
                self.tally.adhoc_questions as f64,
            ),
            ratio(
                self.tally.adhoc_resolved as f64,
                self.tally.adhoc_questions as f64,
            ),
            self.tally.session_orders as f64,
            ratio(
                self.tally.answer_orders as f64,
                self.tally.purchase_answers as f64,
            ),
            self.tally.orders as f64,
            self.tally.coupons_redeemed as f64,
            ratio(left as f64, members),
            self.tally.cost,
        ]);
    }
}
