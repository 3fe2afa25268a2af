//! The contacts table's columns: tick box, address (to the contact's page), name, tags,
//! lists, suppression, dates.

use leptos::prelude::*;
use model::contacts::ContactRow;

use super::controls::{CHECKBOX, suppressed_pill, tag_chip};
use super::selection::Picked;
use super::thousands;
use crate::components::data_table::Column;
use crate::pages::deliverability::time;
use crate::pages::format;

/// Tags shown in a row before "+N".
const TAGS_SHOWN: usize = 3;

/// The columns, with the tick boxes bound to `picked`.
pub fn contact_columns(picked: RwSignal<Picked>) -> Vec<Column<ContactRow>> {
    vec![
        Column::new("select", "", move |c: &ContactRow| {
            let id = c.id;
            view! {
                <input type="checkbox" class=CHECKBOX data-testid="row-select" data-id=id.to_string()
                    aria-label=format!("Select {}", c.email)
                    disabled=move || picked.with(Picked::is_all)
                    prop:checked=move || picked.with(|p| p.contains(id))
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        picked.update(|p| p.set_rows(&[id], on));
                    } />
            }
            .into_any()
        }),
        Column::new("email", "Email", |c: &ContactRow| {
            view! {
                <a href=format!("/contacts/{}", c.id) data-testid="contact-link"
                    class="font-medium text-slate-900 hover:text-indigo-600 hover:underline dark:text-white dark:hover:text-indigo-300">
                    {c.email.clone()}
                </a>
            }
            .into_any()
        })
        .sortable(),
        Column::new("name", "Name", |c: &ContactRow| {
            view! { <span class="text-slate-600 dark:text-slate-300">{c.name.clone()}</span> }.into_any()
        })
        .sortable(),
        Column::new("tags", "Tags", |c: &ContactRow| {
            let more = c.tags.len().saturating_sub(TAGS_SHOWN);
            view! {
                <div class="flex min-w-48 max-w-xs flex-wrap gap-1">
                    {c.tags.iter().take(TAGS_SHOWN).cloned().map(tag_chip).collect_view()}
                    {(more > 0).then(|| view! {
                        <span class="text-xs text-slate-500 dark:text-slate-400" title=c.tags.join(", ")>{format!("+{more}")}</span>
                    })}
                </div>
            }
            .into_any()
        }),
        Column::new("lists", "Lists", |c: &ContactRow| thousands(c.subscribed_lists).into_any()).numeric(),
        Column::new("status", "Status", |c: &ContactRow| {
            if c.suppressed { suppressed_pill() } else { ().into_any() }
        }),
        Column::new("created_at", "Added (UTC)", |c: &ContactRow| format::timestamp(&c.created_at).into_any())
            .sortable(),
        Column::new("last_activity_at", "Last activity (UTC)", |c: &ContactRow| time(c.last_activity_at).into_any())
            .sortable(),
    ]
}
