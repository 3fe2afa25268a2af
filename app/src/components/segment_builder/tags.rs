//! The tags condition: any/all/none of a set of tags, shown as removable chips, with the tags
//! already in use suggested while typing.

use leptos::prelude::*;
use model::contacts::{SegmentFilter, TagMode, normalize_tag};

use super::{BuilderContext, INPUT};

/// Tag mode (any/all/none) and the tags as removable chips, with the existing tags suggested.
pub fn tags_editor(leaf: RwSignal<SegmentFilter>, ctx: BuilderContext, id: u64) -> AnyView {
    let draft = RwSignal::new(String::new());
    let datalist = format!("segment-tags-{id}");
    let mode0 = leaf.with_untracked(|f| match f {
        SegmentFilter::Tags { mode, .. } => *mode,
        _ => TagMode::Any,
    });
    let add = move || {
        let typed: Vec<String> = draft.get_untracked().split(',').filter_map(normalize_tag).collect();
        if !typed.is_empty() {
            leaf.update(|f| {
                if let SegmentFilter::Tags { tags, .. } = f {
                    for t in typed {
                        if !tags.contains(&t) {
                            tags.push(t);
                        }
                    }
                }
            });
        }
        draft.set(String::new());
    };
    let set_mode = move |ev: leptos::ev::Event| {
        let chosen = match event_target_value(&ev).as_str() {
            "all" => TagMode::All,
            "none" => TagMode::None,
            _ => TagMode::Any,
        };
        leaf.update(|f| {
            if let SegmentFilter::Tags { mode, .. } = f {
                *mode = chosen;
            }
        });
    };
    let chips = move || {
        let tags = leaf.with(|f| match f {
            SegmentFilter::Tags { tags, .. } => tags.clone(),
            _ => Vec::new(),
        });
        tags.into_iter()
            .map(|t| {
                let label = format!("Remove tag {t}");
                let gone = t.clone();
                view! {
                    <span class="tag-chip inline-flex items-center gap-1 rounded-full bg-indigo-50 py-0.5 pl-2.5 pr-1 text-xs font-medium text-indigo-700 dark:bg-indigo-500/10 dark:text-indigo-300">
                        {t}
                        <button type="button" aria-label=label class="rounded-full px-1 hover:bg-indigo-100 dark:hover:bg-indigo-500/20"
                            on:click=move |_| leaf.update(|f| {
                                if let SegmentFilter::Tags { tags, .. } = f {
                                    tags.retain(|x| *x != gone);
                                }
                            })>"×"</button>
                    </span>
                }
            })
            .collect_view()
    };
    let modes = [
        ("any", "has any of", TagMode::Any),
        ("all", "has all of", TagMode::All),
        ("none", "has none of", TagMode::None),
    ];
    view! {
        <select class=INPUT data-testid="condition-tag-mode" aria-label="How the tags must match" on:change=set_mode>
            {modes.into_iter().map(|(v, l, m)| {
                let selected = m == mode0;
                view! { <option value=v selected=selected>{l}</option> }
            }).collect_view()}
        </select>
        <span class="flex flex-wrap items-center gap-1">{chips}</span>
        <input type="text" class=INPUT list=datalist.clone() data-testid="condition-tag-input" placeholder="Add a tag…"
            aria-label="Add a tag" bind:value=draft
            on:keydown=move |ev| {
                if ev.key() == "Enter" {
                    ev.prevent_default();
                    add();
                }
            }
            on:change=move |_| add() />
        <datalist id=datalist>
            {move || ctx.tags.get().into_iter().map(|t| view! { <option value=t></option> }).collect_view()}
        </datalist>
    }
    .into_any()
}
