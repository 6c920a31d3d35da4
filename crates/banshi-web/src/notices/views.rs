//! A notice as its printed page shows it.

use crate::shared::texts::text;
use banshi_domain::{Assessment, CheckedMaterial, MaterialStatus};
use serde::Serialize;

#[derive(Serialize)]
pub struct NoticeSection<'a> {
    pub heading: &'a str,
    pub materials: Vec<&'a CheckedMaterial>,
}

/// A notice's materials in three sections: to supply before acceptance, tolerated, committable.
pub fn notice_sections(assessment: &Assessment) -> Vec<NoticeSection<'_>> {
    [
        (MaterialStatus::Missing, "notice_missing_heading"),
        (MaterialStatus::Tolerable, "notice_tolerable_heading"),
        (MaterialStatus::Committable, "notice_commitment_heading"),
    ]
    .into_iter()
    .map(|(status, heading)| NoticeSection {
        heading: text(heading),
        materials: assessment.materials.iter().filter(|m| m.status == status).collect(),
    })
    .filter(|section| !section.materials.is_empty())
    .collect()
}

