//! Tables derived from the team (skills, presence), which is fixed
//! during an episode.

use std::sync::Arc;

use super::rates::Rates;
use super::team::Engineer;

/// Read at every decision, so kept where a batch reads one copy: the envs of
/// a batch share one `Arc` while their skills agree (the default: the team
/// is generated once), and an env whose skills differ (`resample_skills`,
/// `shuffle_slots`, `set_state`) gets its own.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct SkillTables {
    /// `top2[slot * types + kind]`: the slot's engineer is among the two
    /// most skilled for `kind`.
    pub top2: Vec<bool>,
    /// `skill_by_kind[kind * slots + slot]`: the skill matrix kind-major, so
    /// that a decision reads one contiguous row instead of one heap row per
    /// engineer.
    pub skill_by_kind: Vec<f64>,
    /// `eta_work[kind * slots + slot]`: the mean work of `kind` in minutes at
    /// the slot's speed (the observation's `eta` adds it to the queue).
    pub eta_work: Vec<f64>,
    /// The present slots, ascending: loops over the team skip absent slots
    /// without reading their records.
    pub present: Vec<u32>,
}

impl SkillTables {
    /// The skill of `slot` (of `slots`) for `kind`: what the engineer's own
    /// `skill` row holds, read here because this table is in cache.
    #[inline]
    pub fn skill(&self, slots: usize, slot: usize, kind: usize) -> f64 {
        self.skill_by_kind[kind * slots + slot]
    }

    /// Recomputes the tables from the engineers' skills, reusing the buffers.
    fn fill(&mut self, engineers: &[Engineer], rates: &Rates) {
        let k = rates.mean_work.len();
        self.top2.clear();
        for e in engineers {
            for (kind, &mine) in e.skill.iter().enumerate() {
                let better = engineers
                    .iter()
                    .filter(|o| o.present && o.skill[kind] > mine)
                    .count();
                self.top2.push(better < 2);
            }
        }
        self.skill_by_kind.clear();
        self.eta_work.clear();
        for kind in 0..k {
            for e in engineers {
                let skill = e.skill[kind];
                self.skill_by_kind.push(skill);
                self.eta_work.push(rates.mean_work[kind] / skill);
            }
        }
        self.present.clear();
        for (i, e) in engineers.iter().enumerate() {
            if e.present {
                self.present.push(i as u32);
            }
        }
    }
}

/// Brings `shared` in line with the engineers' skills: unchanged (still
/// shared) when they agree, else this env's own copy. `scratch` is a buffer
/// of the caller's, so that a reset does not allocate.
pub(crate) fn refresh(
    shared: &mut Arc<SkillTables>,
    scratch: &mut SkillTables,
    engineers: &[Engineer],
    rates: &Rates,
) {
    scratch.fill(engineers, rates);
    if **shared != *scratch {
        // Field by field: the derived `clone_from` would allocate anew.
        let own = Arc::make_mut(shared);
        own.top2.clone_from(&scratch.top2);
        own.skill_by_kind.clone_from(&scratch.skill_by_kind);
        own.eta_work.clone_from(&scratch.eta_work);
        own.present.clone_from(&scratch.present);
    }
}
