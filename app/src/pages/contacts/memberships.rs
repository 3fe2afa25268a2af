//! The contact page's "Lists" card: the contact's status on each list with the consent
//! behind it, and adding it to another list.

use leptos::prelude::*;
use model::contacts::{ListStatus, Membership};

use super::controls::{HINT, InlineSelect, SELECT, status_options};
use crate::api::contacts::contacts::{RemoveMembership, SetMembership};
use crate::pages::deliverability::{CARD, time};
use crate::pages::mail::widgets::{PRIMARY, ROW_DANGER};

/// The card.
#[component]
pub fn MembershipsCard(
    contact_id: i64,
    memberships: Vec<Membership>,
    /// Every list as `(id, name)`.
    #[prop(into)]
    lists: Signal<Vec<(String, String)>>,
    set_status: ServerAction<SetMembership>,
    remove: ServerAction<RemoveMembership>,
) -> impl IntoView {
    let member_of: Vec<String> = memberships.iter().map(|m| m.list_id.to_string()).collect();
    let available =
        Signal::derive(move || lists.get().into_iter().filter(|(v, _)| !member_of.contains(v)).collect::<Vec<_>>());
    let new_list = RwSignal::new(String::new());
    let new_status = RwSignal::new(ListStatus::Subscribed.as_str().to_owned());
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (Ok(list_id), Some(status)) =
            (new_list.get_untracked().parse::<i64>(), ListStatus::parse(&new_status.get_untracked()))
        else {
            return;
        };
        set_status.dispatch(SetMembership { id: contact_id, list_id, status });
    };
    let rows = if memberships.is_empty() {
        view! { <p class=format!("empty-state mt-3 {HINT}")>"Not on any list yet."</p> }.into_any()
    } else {
        view! {
            <ul class="mt-3 divide-y divide-slate-100 dark:divide-slate-800" id="memberships">
                {memberships.into_iter().map(|m| membership_row(contact_id, m, set_status, remove)).collect_view()}
            </ul>
        }
        .into_any()
    };
    view! {
        <section id="lists-card" class=CARD>
            <h2 class="text-base font-semibold">"Lists"</h2>
            <p class=format!("mt-1 {HINT}")>"Only subscribed contacts receive a list's campaigns. Unconfirmed ones have not clicked the confirmation link of a double opt-in list yet."</p>
            {rows}
            <form id="add-membership" class="mt-4 flex flex-wrap items-center gap-2 border-t border-slate-100 pt-4 dark:border-slate-800" on:submit=add>
                <InlineSelect id="add-membership-list" label="List" value=new_list options=available any_label="Add to list…" />
                <InlineSelect id="add-membership-status" label="Status" value=new_status options=Signal::derive(status_options) />
                <button type="submit" id="add-membership-submit" data-testid="add-membership-submit" class=PRIMARY
                    disabled=move || new_list.get().is_empty() || set_status.pending().get()>"Add"</button>
            </form>
        </section>
    }
}

/// One list: name, status select, consent, remove.
fn membership_row(
    contact_id: i64,
    m: Membership,
    set_status: ServerAction<SetMembership>,
    remove: ServerAction<RemoveMembership>,
) -> impl IntoView {
    let list_id = m.list_id;
    let current = m.status.as_str();
    let consent = consent_line(&m);
    view! {
        <li class="flex flex-wrap items-start justify-between gap-3 py-3" data-list-id=list_id.to_string()>
            <div class="min-w-0">
                <a href=format!("/contacts?list={list_id}") class="font-medium text-slate-900 hover:underline dark:text-white">{m.list_name.clone()}</a>
                <p class="mt-0.5 text-xs text-slate-500 dark:text-slate-400">{consent}</p>
            </div>
            <div class="flex items-center gap-2">
                <label class="text-sm">
                    <span class="sr-only">{format!("Status on {}", m.list_name)}</span>
                    <select data-testid="membership-status" class=SELECT
                        on:change=move |ev| {
                            if let Some(status) = ListStatus::parse(&event_target_value(&ev)) {
                                set_status.dispatch(SetMembership { id: contact_id, list_id, status });
                            }
                        }>
                        {status_options().into_iter().map(|(v, l)| {
                            let selected = v == current;
                            view! { <option value=v selected=selected>{l}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <button type="button" class=ROW_DANGER data-testid="membership-remove"
                    on:click=move |_| { remove.dispatch(RemoveMembership { id: contact_id, list_id }); }>"Remove"</button>
            </div>
        </li>
    }
}

/// "Consent 2026-01-31 10:02 UTC from 203.0.113.9 · form: Newsletter".
fn consent_line(m: &Membership) -> String {
    let mut parts = Vec::new();
    if m.consent_at.is_some() {
        parts.push(format!("Consent {} UTC", time(m.consent_at)));
    }
    if let Some(ip) = m.consent_ip.as_deref().filter(|ip| !ip.is_empty()) {
        parts.push(format!("from {ip}"));
    }
    let mut line = parts.join(" ");
    if !m.consent_source.is_empty() {
        if !line.is_empty() {
            line.push_str(" · ");
        }
        line.push_str(&m.consent_source);
    }
    if line.is_empty() { format!("Changed {} UTC", time(Some(m.updated_at))) } else { line }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    #[test]
    fn consent_says_when_where_and_how() {
        let at = Utc.with_ymd_and_hms(2026, 1, 31, 10, 2, 0).single().expect("valid date");
        let mut m = Membership {
            list_id: 1,
            list_name: "News".into(),
            status: ListStatus::Subscribed,
            consent_at: Some(at),
            consent_ip: Some("203.0.113.9".into()),
            consent_source: "form: News".into(),
            updated_at: at,
        };
        assert_eq!(consent_line(&m), "Consent 2026-01-31 10:02 UTC from 203.0.113.9 · form: News");
        m.consent_at = None;
        m.consent_ip = None;
        m.consent_source = String::new();
        assert_eq!(consent_line(&m), "Changed 2026-01-31 10:02 UTC");
    }
}
