//! A category's requirements as data: what an affiliate's policy version says a person
//! must show to be endorsed, and to renew. Validated before it is published.
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{
    credentials::{AgeBand, CompetencyDomain, DegreeLevel, ReferenceKind, TrainingTag, WorkKind},
    hours::Hours,
};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Requirements {
    /// Met by any one of the paths; absent: no education requirement.
    #[serde(default)]
    pub education: Option<EducationRule>,
    #[serde(default)]
    pub work: Option<WorkRule>,
    pub references: ReferenceRule,
    #[serde(default)]
    pub training: Option<TrainingRule>,
    /// Reflective supervision/consultation received.
    #[serde(default)]
    pub rsc: Option<RscRule>,
    pub exam_required: bool,
    /// Exam settings where an exam is required; defaults apply when absent.
    #[serde(default)]
    pub exam: Option<super::endorsement::ExamRule>,
    pub membership_required: bool,
    pub code_of_ethics_required: bool,
    /// Domains that need evidence (a training tagged with the domain, or reference ratings).
    #[serde(default)]
    pub competency_domains: Vec<CompetencyDomain>,
    pub renewal: RenewalRule,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EducationRule {
    pub any_of: Vec<EducationPath>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum EducationPath {
    /// A degree of at least this level.
    Degree { min_level: DegreeLevel },
    /// Experience instead of a degree.
    Experience {
        months: u32,
        /// Any of these kinds; empty: any kind.
        #[serde(default)]
        kinds: Vec<WorkKind>,
        #[serde(default)]
        paid_only: bool,
        #[serde(default)]
        ages_served: Option<AgeBand>,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkRule {
    /// Months of qualifying work (overlapping jobs count once).
    pub months: u32,
    /// Any of these kinds; empty: any kind.
    #[serde(default)]
    pub kinds: Vec<WorkKind>,
    /// Only paid work counts (otherwise volunteer work counts too).
    #[serde(default)]
    pub paid_only: bool,
    #[serde(default)]
    pub ages_served: Option<AgeBand>,
    /// Families served in the qualifying work, at least.
    #[serde(default)]
    pub min_families_served: Option<u32>,
    /// Only work after completing a degree of this level counts (e.g. post-master's).
    #[serde(default)]
    pub after_degree: Option<DegreeLevel>,
    /// The work requirement of that category (of the same policy version set) must be met too.
    #[serde(default)]
    pub also_meets_work_of: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReferenceRule {
    pub count: u32,
    /// Kinds of rater that must be among them.
    #[serde(default)]
    pub must_include: Vec<ReferenceKind>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TrainingRule {
    pub hours: Hours,
    /// Only trainings focused on these ages count.
    #[serde(default)]
    pub age_focus: Option<AgeBand>,
    /// Hours of the total that must carry a tag (an entry counts once towards each).
    #[serde(default)]
    pub sub_minimums: Vec<TagMinimum>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TagMinimum {
    pub tag: TrainingTag,
    pub hours: Hours,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RscRule {
    pub hours: Hours,
    /// All the hours must fall within one period of this many months.
    #[schema(minimum = 1, maximum = 120)]
    pub window_months: u32,
    /// Only RSC from an endorsed provider counts.
    #[serde(default)]
    pub provider_must_be_endorsed: bool,
    /// Of the hours, at least this many about the RSC the applicant provides to others.
    #[serde(default)]
    pub about_own_provision_hours: Option<Hours>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RenewalRule {
    /// Relationship-based training in the renewal year.
    pub annual_training_hours: Hours,
    pub dei_hours: Hours,
    /// For endorsees who provide RSC: hours about providing it.
    pub rsc_provision_hours_if_provider: Hours,
    /// RSC received in the year, for categories that need it.
    #[serde(default)]
    pub rsc_hours: Option<Hours>,
    /// Fewer RSC hours after some years endorsed (IMHM-C: 10 h after 3 years).
    #[serde(default)]
    pub reduced_rsc: Option<ReducedRsc>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReducedRsc {
    #[schema(minimum = 1, maximum = 50)]
    pub after_years: u32,
    pub hours: Hours,
}

/// A problem in a policy: where (a JSON path under `requirements`) and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyProblem {
    pub path: String,
    pub message: String,
}

impl Requirements {
    /// Checks the rules hold together. `category` is the policy's own category and
    /// `known` every category of the catalog.
    pub fn validate(&self, category: &str, known: &[String]) -> Vec<PolicyProblem> {
        let mut out = Vec::new();
        let mut problem =
            |path: &str, message: String| out.push(PolicyProblem { path: format!("requirements.{path}"), message });
        if let Some(e) = &self.education {
            if e.any_of.is_empty() {
                problem("education.any_of", "needs at least one path (or leave education out)".into());
            }
            for (i, p) in e.any_of.iter().enumerate() {
                if let EducationPath::Experience { months, .. } = p
                    && !(1..=600).contains(months)
                {
                    problem(&format!("education.any_of[{i}].months"), "must be between 1 and 600".into());
                }
            }
        }
        if let Some(w) = &self.work {
            if !(1..=600).contains(&w.months) {
                problem("work.months", "must be between 1 and 600".into());
            }
            if w.min_families_served.is_some_and(|f| f > 10_000) {
                problem("work.min_families_served", "must be at most 10000".into());
            }
            if let Some(other) = &w.also_meets_work_of {
                if other == category {
                    problem("work.also_meets_work_of", "cannot name the category itself".into());
                } else if !known.iter().any(|k| k == other) {
                    problem("work.also_meets_work_of", format!("`{other}` is not a category"));
                }
            }
        }
        if self.references.count > 10 {
            problem("references.count", "must be at most 10".into());
        }
        if self.references.must_include.len() as u32 > self.references.count {
            problem("references.must_include", "names more kinds than references required".into());
        }
        if let Some(t) = &self.training {
            if t.hours.quarters() == 0 {
                problem("training.hours", "must be more than zero (or leave training out)".into());
            }
            for (i, m) in t.sub_minimums.iter().enumerate() {
                if m.hours > t.hours {
                    problem(
                        &format!("training.sub_minimums[{i}].hours"),
                        format!("{} hours exceeds the {} hours total", m.hours, t.hours),
                    );
                }
                if t.sub_minimums[..i].iter().any(|o| o.tag == m.tag) {
                    problem(&format!("training.sub_minimums[{i}].tag"), "appears twice".into());
                }
            }
        }
        if let Some(r) = &self.rsc {
            if r.hours.quarters() == 0 {
                problem("rsc.hours", "must be more than zero (or leave rsc out)".into());
            }
            if !(1..=120).contains(&r.window_months) {
                problem("rsc.window_months", "must be between 1 and 120".into());
            }
            if r.about_own_provision_hours.is_some_and(|h| h > r.hours) {
                problem("rsc.about_own_provision_hours", "exceeds the RSC hours".into());
            }
        }
        if let Some(e) = &self.exam {
            if !(1..=100).contains(&e.part1_pass_percent) {
                problem("exam.part1_pass_percent", "must be between 1 and 100".into());
            }
            if !(1..=60).contains(&e.approval_valid_months) {
                problem("exam.approval_valid_months", "must be between 1 and 60".into());
            }
            if !(0..=730).contains(&e.retake_wait_days) {
                problem("exam.retake_wait_days", "must be between 0 and 730".into());
            }
        }
        let n = &self.renewal;
        if n.dei_hours > n.annual_training_hours {
            problem("renewal.dei_hours", "exceeds the annual training hours".into());
        }
        if n.rsc_provision_hours_if_provider > n.annual_training_hours {
            problem("renewal.rsc_provision_hours_if_provider", "exceeds the annual training hours".into());
        }
        if let Some(r) = &n.reduced_rsc {
            match n.rsc_hours {
                None => problem("renewal.reduced_rsc", "needs rsc_hours to reduce".into()),
                Some(h) if r.hours > h => problem("renewal.reduced_rsc.hours", "exceeds rsc_hours".into()),
                _ => {}
            }
            if r.after_years == 0 || r.after_years > 50 {
                problem("renewal.reduced_rsc.after_years", "must be between 1 and 50".into());
            }
        }
        out
    }
}
