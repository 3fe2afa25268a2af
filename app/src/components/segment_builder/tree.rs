//! The filter being edited, as a tree of signals: each group and condition owns its own
//! signals, so typing in one condition re-renders only that condition (and keeps the focus),
//! while the whole [`SegmentFilter`] is derived from the tree on each change.

use leptos::prelude::*;
use model::contacts::SegmentFilter;

/// Hands out keys for the rows of the builder (`<For>` needs one per node).
#[derive(Clone, Copy)]
pub struct IdSource(StoredValue<u64>);

impl Default for IdSource {
    fn default() -> Self {
        Self::new()
    }
}

impl IdSource {
    /// Keys start at 1.
    pub fn new() -> Self {
        Self(StoredValue::new(0))
    }

    /// The next unused key.
    pub fn fresh(&self) -> u64 {
        let id = self.0.get_value() + 1;
        self.0.set_value(id);
        id
    }
}

/// One node of the edited filter.
#[derive(Clone, Copy)]
pub struct EditNode {
    /// Key of the row.
    pub id: u64,
    /// Wrapped in NOT.
    pub negated: RwSignal<bool>,
    pub body: EditBody,
}

/// A group of nodes or a single condition.
#[derive(Clone, Copy)]
pub enum EditBody {
    /// `any`: OR (at least one child matches) instead of AND.
    Group { any: RwSignal<bool>, children: RwSignal<Vec<EditNode>> },
    /// A leaf condition (never a group or a NOT).
    Condition(RwSignal<SegmentFilter>),
}

impl EditNode {
    /// A new group (AND unless `any`) holding `children`.
    pub fn group(any: bool, children: Vec<EditNode>, ids: IdSource) -> Self {
        Self {
            id: ids.fresh(),
            negated: RwSignal::new(false),
            body: EditBody::Group { any: RwSignal::new(any), children: RwSignal::new(children) },
        }
    }

    /// A new leaf condition.
    pub fn condition(leaf: SegmentFilter, ids: IdSource) -> Self {
        Self { id: ids.fresh(), negated: RwSignal::new(false), body: EditBody::Condition(RwSignal::new(leaf)) }
    }

    /// The editable tree of `filter`. `NOT NOT x` becomes a negated group holding `NOT x`,
    /// which means the same and can be edited.
    pub fn from_filter(filter: &SegmentFilter, ids: IdSource) -> Self {
        let (negated, inner) = match filter {
            SegmentFilter::Not(inner) => (true, inner.as_ref()),
            other => (false, other),
        };
        let node = match inner {
            SegmentFilter::And(children) => Self::group(false, Self::all(children, ids), ids),
            SegmentFilter::Or(children) => Self::group(true, Self::all(children, ids), ids),
            SegmentFilter::Not(_) => Self::group(false, vec![Self::from_filter(inner, ids)], ids),
            leaf => Self::condition(leaf.clone(), ids),
        };
        node.negated.set(negated);
        node
    }

    fn all(children: &[SegmentFilter], ids: IdSource) -> Vec<EditNode> {
        children.iter().map(|c| Self::from_filter(c, ids)).collect()
    }

    /// The root of the builder: always an AND/OR group, never negated (a filter that is not
    /// a group is wrapped in an AND).
    pub fn root(filter: &SegmentFilter, ids: IdSource) -> Self {
        match filter {
            SegmentFilter::And(_) | SegmentFilter::Or(_) => Self::from_filter(filter, ids),
            other => Self::group(false, vec![Self::from_filter(other, ids)], ids),
        }
    }

    /// Makes this root show `filter` instead (a filter set from outside the builder).
    pub fn replace_root(&self, filter: &SegmentFilter, ids: IdSource) {
        let fresh = Self::root(filter, ids);
        if let (EditBody::Group { any, children }, EditBody::Group { any: new_any, children: new_children }) =
            (self.body, fresh.body)
        {
            any.set(new_any.get_untracked());
            children.set(new_children.get_untracked());
        }
    }

    /// The filter this node stands for (tracked: a memo over the root follows every edit).
    pub fn to_filter(self) -> SegmentFilter {
        let inner = match self.body {
            EditBody::Group { any, children } => {
                let kids: Vec<SegmentFilter> = children.get().into_iter().map(EditNode::to_filter).collect();
                if any.get() { SegmentFilter::Or(kids) } else { SegmentFilter::And(kids) }
            }
            EditBody::Condition(leaf) => leaf.get(),
        };
        if self.negated.get() { SegmentFilter::Not(Box::new(inner)) } else { inner }
    }
}

#[cfg(test)]
mod tests {
    use model::contacts::{ListStatus, TagMode};

    use super::*;

    fn round_trip(filter: &SegmentFilter) -> SegmentFilter {
        let owner = Owner::new();
        owner.with(|| EditNode::root(filter, IdSource::new()).to_filter())
    }

    #[test]
    fn a_nested_filter_comes_back_unchanged() {
        let f = SegmentFilter::And(vec![
            SegmentFilter::OnList { list_id: 3, status: Some(ListStatus::Subscribed) },
            SegmentFilter::Not(Box::new(SegmentFilter::Or(vec![
                SegmentFilter::Tags { mode: TagMode::Any, tags: vec!["vip".into()] },
                SegmentFilter::HardBounced,
            ]))),
        ]);
        assert_eq!(round_trip(&f), f);
    }

    #[test]
    fn a_bare_condition_is_wrapped_and_double_negation_kept_in_meaning() {
        assert_eq!(round_trip(&SegmentFilter::NeverClicked), SegmentFilter::And(vec![SegmentFilter::NeverClicked]));
        let double = SegmentFilter::Or(vec![SegmentFilter::Not(Box::new(SegmentFilter::Not(Box::new(
            SegmentFilter::HardBounced,
        ))))]);
        let expected =
            SegmentFilter::Or(vec![SegmentFilter::Not(Box::new(SegmentFilter::And(vec![SegmentFilter::Not(
                Box::new(SegmentFilter::HardBounced),
            )])))]);
        assert_eq!(round_trip(&double), expected);
    }
}
