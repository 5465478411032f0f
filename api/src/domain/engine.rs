//! The requirement engine: a policy held against a portfolio-like profile. Pure and
//! fast; hours are exact quarters, work months count overlapping jobs once, RSC must fit
//! one window, and an entry counts once towards each figure it belongs to.
use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{
    credentials::{AgeBand, CompetencyDomain, DegreeLevel, ReferenceKind, TrainingTag, WorkKind},
    hours::Hours,
    policy::{EducationPath, RenewalRule, Requirements, WorkRule},
};

/// What a person can show: the input of every evaluation.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[schema(as = EvaluationProfile)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    #[serde(default)]
    pub education: Vec<Education>,
    #[serde(default)]
    pub work: Vec<WorkEntry>,
    #[serde(default)]
    pub trainings: Vec<Training>,
    #[serde(default)]
    pub rsc: Vec<RscEntry>,
    #[serde(default)]
    pub references: Vec<Reference>,
    #[serde(default)]
    pub code_of_ethics_signed: bool,
    #[serde(default)]
    pub membership_active: bool,
    #[serde(default)]
    pub exam_passed: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[schema(as = EvaluationEducation)]
#[serde(deny_unknown_fields)]
pub struct Education {
    pub level: DegreeLevel,
    #[serde(default)]
    pub field: Option<String>,
    /// When the degree was completed; needed for post-degree work.
    #[serde(default)]
    pub completed_on: Option<NaiveDate>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[schema(as = EvaluationWorkEntry)]
#[serde(deny_unknown_fields)]
pub struct WorkEntry {
    pub kind: WorkKind,
    #[serde(default)]
    pub ages_served: Vec<AgeBand>,
    pub paid: bool,
    #[serde(default)]
    pub families_served: Option<u32>,
    pub start_date: NaiveDate,
    /// Absent: ongoing.
    #[serde(default)]
    pub end_date: Option<NaiveDate>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[schema(as = EvaluationTraining)]
#[serde(deny_unknown_fields)]
pub struct Training {
    pub date: NaiveDate,
    pub hours: Hours,
    #[serde(default)]
    pub tags: Vec<TrainingTag>,
    #[serde(default)]
    pub age_focus: Option<AgeBand>,
    #[serde(default)]
    pub competency_domains: Vec<CompetencyDomain>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[schema(as = EvaluationRscEntry)]
#[serde(deny_unknown_fields)]
pub struct RscEntry {
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub hours: Hours,
    #[serde(default)]
    pub provider_endorsed: bool,
    /// About the RSC the applicant provides to others.
    #[serde(default)]
    pub about_own_provision: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[schema(as = EvaluationReference)]
#[serde(deny_unknown_fields)]
pub struct Reference {
    pub kind: ReferenceKind,
    /// Only submitted ratings count.
    pub submitted: bool,
    /// Domains the rating gives evidence for.
    #[serde(default)]
    pub competency_domains: Vec<CompetencyDomain>,
}

impl Profile {
    /// Problems with the profile itself (dates out of order, absurd figures), by path.
    pub fn problems(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (i, w) in self.work.iter().enumerate() {
            if w.end_date.is_some_and(|e| e < w.start_date) {
                out.push((format!("work[{i}].end_date"), "is before start_date".into()));
            }
            if w.families_served.is_some_and(|f| f > 100_000) {
                out.push((format!("work[{i}].families_served"), "must be at most 100000".into()));
            }
        }
        for (i, r) in self.rsc.iter().enumerate() {
            if r.end_date < r.start_date {
                out.push((format!("rsc[{i}].end_date"), "is before start_date".into()));
            }
        }
        let limit = 2000;
        for (name, n) in [
            ("education", self.education.len()),
            ("work", self.work.len()),
            ("trainings", self.trainings.len()),
            ("rsc", self.rsc.len()),
            ("references", self.references.len()),
        ] {
            if n > limit {
                out.push((name.to_string(), format!("at most {limit} entries")));
            }
        }
        out
    }
}

/// The unit a requirement counts in. New values may be added later.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Hours,
    Months,
    Families,
    References,
    Check,
}

/// One requirement's outcome, with figures and words a front end can show.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct RequirementResult {
    /// Stable identifier, e.g. `training.hours`, `rsc.hours`, `work.also_meets:IMHS`.
    pub key: String,
    pub label: String,
    pub met: bool,
    pub have: f64,
    pub need: f64,
    pub unit: Unit,
    /// e.g. `18 of 30 hours`.
    pub figures: String,
    /// What is missing, in words; absent when met.
    pub missing: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct Evaluation {
    /// Every requirement met.
    pub met: bool,
    /// Every requirement met but the exam (what submission needs).
    pub met_except_exam: bool,
    pub requirements: Vec<RequirementResult>,
}

fn result(
    key: impl Into<String>,
    label: &str,
    have: f64,
    need: f64,
    unit: Unit,
    figures: String,
    missing: Option<String>,
) -> RequirementResult {
    RequirementResult {
        key: key.into(),
        label: label.into(),
        met: missing.is_none(),
        have,
        need,
        unit,
        figures,
        missing,
    }
}

/// `1 more hour`, `0.25 more hours`.
fn more(h: Hours) -> String {
    if h == Hours::whole(1) { "1 more hour".into() } else { format!("{h} more hours") }
}

fn check(key: &str, label: &str, ok: bool, missing: &str) -> RequirementResult {
    result(
        key,
        label,
        if ok { 1.0 } else { 0.0 },
        1.0,
        Unit::Check,
        if ok { "done".into() } else { "not yet".into() },
        (!ok).then(|| missing.to_string()),
    )
}

/// Days in `months` of work, as counted here: 365 days a year.
fn days_for(months: u32) -> i64 {
    (months as i64 * 365 + 11) / 12
}

fn months_in(days: i64) -> i64 {
    days * 12 / 365
}

/// Days covered by the union of the intervals (inclusive), so overlapping jobs count once.
fn union_days(mut intervals: Vec<(NaiveDate, NaiveDate)>) -> i64 {
    intervals.sort();
    let mut total = 0;
    let mut current: Option<(NaiveDate, NaiveDate)> = None;
    for (s, e) in intervals {
        current = match current {
            Some((cs, ce)) if s <= ce.succ_opt().unwrap_or(ce) => Some((cs, ce.max(e))),
            Some((cs, ce)) => {
                total += (ce - cs).num_days() + 1;
                Some((s, e))
            }
            None => Some((s, e)),
        };
    }
    if let Some((cs, ce)) = current {
        total += (ce - cs).num_days() + 1;
    }
    total
}

struct WorkFilter<'a> {
    kinds: &'a [WorkKind],
    paid_only: bool,
    ages: Option<AgeBand>,
    after: Option<NaiveDate>,
}

/// Qualifying work: (days, families served).
fn qualifying_work(p: &Profile, f: &WorkFilter, as_of: NaiveDate) -> (i64, u64) {
    let mut intervals = Vec::new();
    let mut families = 0u64;
    for w in &p.work {
        let kind_ok = f.kinds.is_empty() || f.kinds.contains(&w.kind);
        let paid_ok = !f.paid_only || w.paid;
        let ages_ok = f.ages.is_none_or(|a| w.ages_served.iter().any(|s| s.covers(a)));
        if !(kind_ok && paid_ok && ages_ok) {
            continue;
        }
        let end = w.end_date.unwrap_or(as_of).min(as_of);
        let start = match f.after {
            Some(after) => w.start_date.max(after.succ_opt().unwrap_or(after)),
            None => w.start_date,
        };
        if start <= end {
            intervals.push((start, end));
            families += w.families_served.unwrap_or(0) as u64;
        }
    }
    (union_days(intervals), families)
}

fn kinds_phrase(kinds: &[WorkKind], paid_only: bool) -> String {
    let what = if kinds.is_empty() {
        "work".to_string()
    } else {
        kinds.iter().map(|k| k.label()).collect::<Vec<_>>().join(" or ")
    };
    if paid_only { format!("paid {what}") } else { what }
}

/// The earliest completion date of a degree of at least `level`: `None` without such a
/// degree, `Some(None)` when the degree has no date.
fn degree_date(p: &Profile, level: DegreeLevel) -> Option<Option<NaiveDate>> {
    let dates: Vec<Option<NaiveDate>> =
        p.education.iter().filter(|e| e.level >= level).map(|e| e.completed_on).collect();
    if dates.is_empty() {
        return None;
    }
    Some(dates.into_iter().flatten().min())
}

fn evaluate_work(key: &str, rule: &WorkRule, p: &Profile, as_of: NaiveDate, out: &mut Vec<RequirementResult>) {
    // Without the degree, or without its completion date, no post-degree work can count.
    let after = rule.after_degree.map(|level| degree_date(p, level).flatten().unwrap_or(NaiveDate::MAX));
    let filter = WorkFilter { kinds: &rule.kinds, paid_only: rule.paid_only, ages: rule.ages_served, after };
    let (days, families) = qualifying_work(p, &filter, as_of);
    let need = days_for(rule.months);
    let have_months = months_in(days);
    let mut what = kinds_phrase(&rule.kinds, rule.paid_only);
    if let Some(a) = rule.ages_served {
        what = format!("{what} with {}", a.label());
    }
    if let Some(level) = rule.after_degree {
        what = format!("{what} after completing {}", level.label());
    }
    let missing = (days < need).then(|| {
        let short = (rule.months as i64 - have_months).max(1);
        format!("{short} more month{} of {what}", if short == 1 { "" } else { "s" })
    });
    out.push(result(
        key,
        "Work experience",
        have_months as f64,
        rule.months as f64,
        Unit::Months,
        format!("{have_months} of {} months", rule.months),
        missing,
    ));
    if let Some(min) = rule.min_families_served {
        let missing = (families < min as u64).then(|| {
            format!(
                "{} more famil{} served",
                min as u64 - families,
                if min as u64 - families == 1 { "y" } else { "ies" }
            )
        });
        out.push(result(
            format!("{key}.families"),
            "Families served",
            families as f64,
            min as f64,
            Unit::Families,
            format!("{families} of {min} families"),
            missing,
        ));
    }
}

/// Evaluates `req` against `p` on `as_of` (the affiliate's today). `work_of` resolves
/// another category's work rule for "also meets the work requirement of".
pub fn evaluate(
    req: &Requirements,
    p: &Profile,
    as_of: NaiveDate,
    work_of: &dyn Fn(&str) -> Option<WorkRule>,
) -> Evaluation {
    let mut out: Vec<RequirementResult> = Vec::new();

    if let Some(e) = &req.education {
        let mut met = false;
        let mut alternatives = Vec::new();
        for path in &e.any_of {
            match path {
                EducationPath::Degree { min_level } => {
                    met |= *min_level == DegreeLevel::None || p.education.iter().any(|d| d.level >= *min_level);
                    alternatives.push(format!("{} or higher", min_level.label()));
                }
                EducationPath::Experience { months, kinds, paid_only, ages_served } => {
                    let f = WorkFilter { kinds, paid_only: *paid_only, ages: *ages_served, after: None };
                    let (days, _) = qualifying_work(p, &f, as_of);
                    met |= days >= days_for(*months);
                    let ages = ages_served.map(|a| format!(" with {}", a.label())).unwrap_or_default();
                    alternatives.push(format!("{months} months of {}{ages}", kinds_phrase(kinds, *paid_only)));
                }
            }
        }
        let missing = (!met).then(|| format!("Needs {}", alternatives.join(", or ")));
        out.push(result(
            "education",
            "Education",
            if met { 1.0 } else { 0.0 },
            1.0,
            Unit::Check,
            if met { "met".into() } else { "not met".into() },
            missing,
        ));
    }

    if let Some(w) = &req.work {
        evaluate_work("work", w, p, as_of, &mut out);
        if let Some(other) = &w.also_meets_work_of {
            match work_of(other) {
                Some(rule) => {
                    let mut extra = Vec::new();
                    evaluate_work(&format!("work.also_meets:{other}"), &rule, p, as_of, &mut extra);
                    for mut r in extra {
                        r.label = format!("Also the {other} work requirement");
                        out.push(r);
                    }
                }
                None => out.push(check(
                    &format!("work.also_meets:{other}"),
                    "Other category's work",
                    false,
                    &format!("The {other} work requirement cannot be checked: no policy for {other}"),
                )),
            }
        }
    }

    let submitted: Vec<&Reference> = p.references.iter().filter(|r| r.submitted).collect();
    let n = submitted.len() as u32;
    let need = req.references.count;
    let missing =
        (n < need).then(|| format!("{} more reference rating{}", need - n, if need - n == 1 { "" } else { "s" }));
    out.push(result(
        "references",
        "References",
        n as f64,
        need as f64,
        Unit::References,
        format!("{n} of {need} references"),
        missing,
    ));
    for kind in &req.references.must_include {
        let ok = submitted.iter().any(|r| r.kind == *kind);
        let name = serde_json::to_value(kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
            .replace('_', " ");
        out.push(check(&format!("references.{name}"), "Reference kind", ok, &format!("A reference from a {name}")));
    }

    let counted: Vec<&Training> = match &req.training {
        Some(t) => p
            .trainings
            .iter()
            .filter(|tr| t.age_focus.is_none_or(|a| tr.age_focus.is_some_and(|f| f.covers(a))))
            .collect(),
        None => p.trainings.iter().collect(),
    };
    if let Some(t) = &req.training {
        let total: Hours = counted.iter().map(|tr| tr.hours).sum();
        let focus = t.age_focus.map(|a| format!(" focused on {}", a.label())).unwrap_or_default();
        let missing = (total < t.hours)
            .then(|| format!("{} of specialized training{focus}", more(t.hours.saturating_sub(total))));
        out.push(result(
            "training.hours",
            "Specialized training",
            total.as_f64(),
            t.hours.as_f64(),
            Unit::Hours,
            format!("{total} of {} hours", t.hours),
            missing,
        ));
        for m in &t.sub_minimums {
            let have: Hours = counted.iter().filter(|tr| tr.tags.contains(&m.tag)).map(|tr| tr.hours).sum();
            let tag = serde_json::to_value(m.tag).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
            let missing = (have < m.hours)
                .then(|| format!("{} of training about {}", more(m.hours.saturating_sub(have)), m.tag.label()));
            out.push(result(
                format!("training.{tag}"),
                &format!("Training about {}", m.tag.label()),
                have.as_f64(),
                m.hours.as_f64(),
                Unit::Hours,
                format!("{have} of {} hours", m.hours),
                missing,
            ));
        }
    }

    if let Some(r) = &req.rsc {
        let entries: Vec<&RscEntry> = p
            .rsc
            .iter()
            .filter(|e| !r.provider_must_be_endorsed || e.provider_endorsed)
            .filter(|e| e.end_date >= e.start_date)
            .collect();
        let sub_need = r.about_own_provision_hours.unwrap_or_default();
        let (total, sub) = best_window(&entries, r.window_months, r.hours, sub_need);
        let endorsed = if r.provider_must_be_endorsed { " (only RSC from endorsed providers counts)" } else { "" };
        let missing = (total < r.hours).then(|| {
            format!(
                "{} of reflective supervision/consultation within one {}-month period{endorsed}",
                more(r.hours.saturating_sub(total)),
                r.window_months
            )
        });
        out.push(result(
            "rsc.hours",
            "Reflective supervision/consultation received",
            total.as_f64(),
            r.hours.as_f64(),
            Unit::Hours,
            format!("RSC: {total} of {} hours within {} months", r.hours, r.window_months),
            missing,
        ));
        if let Some(need) = r.about_own_provision_hours {
            let missing = (sub < need).then(|| {
                format!(
                    "{} of RSC about the RSC you provide to others, in the same period",
                    more(need.saturating_sub(sub))
                )
            });
            out.push(result(
                "rsc.about_own_provision",
                "RSC about the RSC you provide",
                sub.as_f64(),
                need.as_f64(),
                Unit::Hours,
                format!("{sub} of {need} hours"),
                missing,
            ));
        }
    }

    for domain in &req.competency_domains {
        let ok = counted.iter().any(|t| t.competency_domains.contains(domain))
            || submitted.iter().any(|r| r.competency_domains.contains(domain));
        let key = serde_json::to_value(domain).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
        out.push(check(
            &format!("competency.{key}"),
            domain.label(),
            ok,
            &format!("Evidence for the {} competencies (a training or reference ratings)", domain.label()),
        ));
    }
    if req.membership_required {
        out.push(check("membership", "Membership", p.membership_active, "An active membership of the affiliate"));
    }
    if req.code_of_ethics_required {
        out.push(check(
            "code_of_ethics",
            "Code of Ethics",
            p.code_of_ethics_signed,
            "Sign the Code of Ethics and Endorsement Agreement",
        ));
    }
    if req.exam_required {
        out.push(check("exam", "Exam", p.exam_passed, "Pass the Endorsement exam"));
    }
    let met = out.iter().all(|r| r.met);
    let met_except_exam = out.iter().all(|r| r.met || r.key == "exam");
    Evaluation { met, met_except_exam, requirements: out }
}

/// The RSC hours (and hours about one's own provision) of the best period of `months`:
/// the first period meeting both minimums, else the one with the most hours. Each entry
/// must lie wholly inside the period.
fn best_window(entries: &[&RscEntry], months: u32, need: Hours, sub_need: Hours) -> (Hours, Hours) {
    let mut best = (Hours::default(), Hours::default());
    for start in entries.iter().map(|e| e.start_date) {
        let Some(end) = start.checked_add_months(Months::new(months)) else { continue };
        let inside = entries.iter().filter(|e| e.start_date >= start && e.end_date < end);
        let (total, sub) = inside.fold((Hours::default(), Hours::default()), |(t, s), e| {
            (t + e.hours, if e.about_own_provision { s + e.hours } else { s })
        });
        if total >= need && sub >= sub_need {
            return (total, sub);
        }
        if total > best.0 || (total == best.0 && sub > best.1) {
            best = (total, sub);
        }
    }
    best
}

/// The year's renewal requirements for one category.
pub struct RenewalInput<'a> {
    pub trainings: &'a [Training],
    pub rsc: &'a [RscEntry],
    pub provides_rsc: bool,
    pub years_endorsed: u32,
    pub membership_active: bool,
    pub code_of_ethics_signed: bool,
}

pub fn evaluate_renewal(rule: &RenewalRule, input: &RenewalInput) -> Evaluation {
    let mut out = Vec::new();
    let total: Hours = input.trainings.iter().map(|t| t.hours).sum();
    let need = rule.annual_training_hours;
    out.push(result(
        "renewal.training_hours",
        "Training this year",
        total.as_f64(),
        need.as_f64(),
        Unit::Hours,
        format!("{total} of {need} hours"),
        (total < need)
            .then(|| format!("{} of relationship-based training this year", more(need.saturating_sub(total)))),
    ));
    let dei: Hours = input.trainings.iter().filter(|t| t.tags.contains(&TrainingTag::Dei)).map(|t| t.hours).sum();
    out.push(result(
        "renewal.dei",
        "Training about diversity, equity and inclusion",
        dei.as_f64(),
        rule.dei_hours.as_f64(),
        Unit::Hours,
        format!("{dei} of {} hours", rule.dei_hours),
        (dei < rule.dei_hours).then(|| {
            format!("{} of training about diversity, equity and inclusion", more(rule.dei_hours.saturating_sub(dei)))
        }),
    ));
    if input.provides_rsc {
        let need = rule.rsc_provision_hours_if_provider;
        let have: Hours =
            input.trainings.iter().filter(|t| t.tags.contains(&TrainingTag::RscProvision)).map(|t| t.hours).sum();
        out.push(result(
            "renewal.rsc_provision",
            "Training about providing RSC",
            have.as_f64(),
            need.as_f64(),
            Unit::Hours,
            format!("{have} of {need} hours"),
            (have < need).then(|| format!("{} of training about providing RSC", more(need.saturating_sub(have)))),
        ));
    }
    if let Some(mut need) = rule.rsc_hours {
        if let Some(r) = &rule.reduced_rsc
            && input.years_endorsed >= r.after_years
        {
            need = r.hours;
        }
        let have: Hours = input.rsc.iter().map(|e| e.hours).sum();
        out.push(result(
            "renewal.rsc_hours",
            "RSC received this year",
            have.as_f64(),
            need.as_f64(),
            Unit::Hours,
            format!("RSC: {have} of {need} hours"),
            (have < need).then(|| {
                format!("{} of reflective supervision/consultation this year", more(need.saturating_sub(have)))
            }),
        ));
    }
    out.push(check("membership", "Membership", input.membership_active, "An active membership of the affiliate"));
    out.push(check(
        "code_of_ethics",
        "Code of Ethics",
        input.code_of_ethics_signed,
        "Re-sign the Code of Ethics and Endorsement Agreement",
    ));
    let met = out.iter().all(|r| r.met);
    Evaluation { met, met_except_exam: met, requirements: out }
}

/// A lapsed endorsement's reinstatement: updated membership, work since the lapse, new
/// reference ratings, and the Code of Ethics signed again.
pub fn evaluate_reinstatement(p: &Profile, lapsed_after: NaiveDate, references: u32, as_of: NaiveDate) -> Evaluation {
    let mut out = Vec::new();
    let since = p.work.iter().any(|w| w.start_date <= as_of && w.end_date.is_none_or(|e| e > lapsed_after));
    out.push(check(
        "reinstatement.experience",
        "Experience since the lapse",
        since,
        &format!("Work with infants, young children and families since {lapsed_after}"),
    ));
    let n = p.references.iter().filter(|r| r.submitted).count() as u32;
    let missing = (n < references)
        .then(|| format!("{} more new reference rating{}", references - n, if references - n == 1 { "" } else { "s" }));
    out.push(result(
        "references",
        "New references",
        n as f64,
        references as f64,
        Unit::References,
        format!("{n} of {references} references"),
        missing,
    ));
    out.push(check("membership", "Membership", p.membership_active, "An active membership of the affiliate"));
    out.push(check(
        "code_of_ethics",
        "Code of Ethics",
        p.code_of_ethics_signed,
        "Sign the Code of Ethics and Endorsement Agreement",
    ));
    let met = out.iter().all(|r| r.met);
    Evaluation { met, met_except_exam: met, requirements: out }
}
