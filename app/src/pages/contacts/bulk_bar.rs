//! The bar that appears while contacts are selected: tag, untag, add to a list, move between
//! lists, unsubscribe, delete — each applied to the selection in one request.

use leptos::prelude::*;
use model::contacts::{BulkAction, BulkOutcome, ListStatus, normalize_tag};

use super::controls::{INPUT, InlineSelect, list_name, status_options};
use super::selection::Picked;
use super::{contacts_phrase, thousands};
use crate::components::confirm::ConfirmDialog;
use crate::pages::mail::widgets::{PRIMARY, ROW_ACTION, ROW_DANGER, SECONDARY};

/// Which action's inputs are open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    AddTag,
    RemoveTag,
    AddToList,
    MoveToList,
    Unsubscribe,
}

impl Mode {
    const ALL: [(Mode, &'static str, &'static str); 5] = [
        (Mode::AddTag, "Add tag", "bulk-add-tag"),
        (Mode::RemoveTag, "Remove tag", "bulk-remove-tag"),
        (Mode::AddToList, "Add to list", "bulk-add-to-list"),
        (Mode::MoveToList, "Move to list", "bulk-move-to-list"),
        (Mode::Unsubscribe, "Unsubscribe", "bulk-unsubscribe"),
    ];
}

/// The inputs of the open action, as typed.
#[derive(Clone, Copy)]
struct Inputs {
    tag: RwSignal<String>,
    list: RwSignal<String>,
    status: RwSignal<String>,
    from: RwSignal<String>,
    to: RwSignal<String>,
}

impl Inputs {
    /// The action to send, or what is missing.
    fn action(&self, mode: Mode) -> Result<BulkAction, &'static str> {
        let id = |s: RwSignal<String>| s.get_untracked().parse::<i64>().ok();
        let tag = || normalize_tag(&self.tag.get_untracked()).ok_or("Type a tag (1 to 64 characters, no commas).");
        match mode {
            Mode::AddTag => tag().map(BulkAction::AddTag),
            Mode::RemoveTag => tag().map(BulkAction::RemoveTag),
            Mode::AddToList => {
                let list_id = id(self.list).ok_or("Choose a list.")?;
                let status = ListStatus::parse(&self.status.get_untracked()).unwrap_or(ListStatus::Subscribed);
                Ok(BulkAction::AddToList { list_id, status })
            }
            Mode::MoveToList => match (id(self.from), id(self.to)) {
                (Some(from), Some(to)) if from != to => Ok(BulkAction::MoveToList { from, to }),
                (Some(_), Some(_)) => Err("Choose two different lists."),
                _ => Err("Choose the list to move from and the list to move to."),
            },
            Mode::Unsubscribe => Ok(BulkAction::Unsubscribe(id(self.list))),
        }
    }
}

/// The bar; `on_apply` sends the action for the current selection.
#[component]
pub fn BulkBar(
    picked: RwSignal<Picked>,
    #[prop(into)] lists: Signal<Vec<(String, String)>>,
    #[prop(into)] known_tags: Signal<Vec<String>>,
    #[prop(into)] pending: Signal<bool>,
    on_apply: Callback<BulkAction>,
) -> impl IntoView {
    let mode = RwSignal::new(None::<Mode>);
    let inputs = Inputs {
        tag: RwSignal::new(String::new()),
        list: RwSignal::new(String::new()),
        status: RwSignal::new(ListStatus::Subscribed.as_str().to_owned()),
        from: RwSignal::new(String::new()),
        to: RwSignal::new(String::new()),
    };
    let problem = RwSignal::new(None::<&'static str>);
    let delete_open = RwSignal::new(false);
    let count = move || picked.with(Picked::count);
    let apply = move || {
        let Some(m) = mode.get_untracked() else { return };
        match inputs.action(m) {
            Ok(action) => {
                problem.set(None);
                on_apply.run(action);
            }
            Err(p) => problem.set(Some(p)),
        }
    };
    view! {
        <Show when=move || !picked.with(Picked::is_empty)>
            <div id="bulk-bar" data-testid="bulk-bar" class="space-y-3 rounded-xl border border-indigo-200 bg-white p-3 shadow-sm dark:border-indigo-500/30 dark:bg-slate-900">
                <div class="flex flex-wrap items-center gap-2">
                    <span class="mr-2 text-sm font-semibold text-slate-900 dark:text-white" data-testid="bulk-count">
                        {move || format!("{} selected", thousands(count()))}
                    </span>
                    {mode_buttons(mode, problem)}
                    <button type="button" id="bulk-delete" data-testid="bulk-delete" class=ROW_DANGER
                        on:click=move |_| delete_open.set(true)>"Delete"</button>
                    <button type="button" id="bulk-clear" data-testid="bulk-clear" class="ml-auto text-xs text-slate-500 hover:underline dark:text-slate-400"
                        on:click=move |_| { mode.set(None); picked.set(Picked::Nothing); }>"Clear selection"</button>
                </div>
                {move || mode.get().map(|m| view! {
                    <form class="flex flex-wrap items-center gap-2 border-t border-slate-100 pt-3 dark:border-slate-800" id="bulk-form"
                        on:submit=move |ev: leptos::ev::SubmitEvent| { ev.prevent_default(); apply(); }>
                        {mode_inputs(m, inputs, lists, known_tags)}
                        <button type="submit" id="bulk-apply" data-testid="bulk-apply" class=PRIMARY disabled=move || pending.get()>
                            {move || if pending.get() { "Applying…".to_owned() } else { format!("Apply to {}", contacts_phrase(count())) }}
                        </button>
                        <button type="button" class=SECONDARY on:click=move |_| mode.set(None)>"Cancel"</button>
                        {move || problem.get().map(|p| view! { <p class="w-full text-xs font-medium text-rose-600 dark:text-rose-400" role="alert">{p}</p> })}
                    </form>
                })}
            </div>
        </Show>
        <ConfirmDialog open=delete_open
            title=Signal::derive(move || format!("Delete {}?", contacts_phrase(count())))
            message=Signal::derive(move || format!(
                "This deletes {} with their list memberships and timelines. Suppressed addresses stay suppressed. This cannot be undone.",
                contacts_phrase(count())
            ))
            on_confirm=Callback::new(move |_| on_apply.run(BulkAction::Delete)) />
    }
}

/// The toast after a bulk action: "12 345 contacts tagged vip (3 unchanged)."
pub fn bulk_message(action: &BulkAction, outcome: BulkOutcome, lists: &[(String, String)]) -> String {
    let n = contacts_phrase(outcome.changed);
    let list = |id: i64| list_name(lists, id);
    let main = match action {
        BulkAction::AddTag(t) => format!("{n} tagged {t}"),
        BulkAction::RemoveTag(t) => format!("Tag {t} removed from {n}"),
        BulkAction::AddToList { list_id, .. } => format!("{n} added to {}", list(*list_id)),
        BulkAction::MoveToList { to, .. } => format!("{n} moved to {}", list(*to)),
        BulkAction::RemoveFromList(id) => format!("{n} removed from {}", list(*id)),
        BulkAction::Unsubscribe(Some(id)) => format!("{n} unsubscribed from {}", list(*id)),
        BulkAction::Unsubscribe(None) => format!("{n} unsubscribed from every list"),
        BulkAction::Delete => format!("{n} deleted"),
    };
    match outcome.matched - outcome.changed {
        unchanged if unchanged > 0 => format!("{main} ({} unchanged).", thousands(unchanged)),
        _ => format!("{main}."),
    }
}

/// One toggle button per action; a second click closes the action's inputs.
fn mode_buttons(mode: RwSignal<Option<Mode>>, problem: RwSignal<Option<&'static str>>) -> AnyView {
    Mode::ALL
        .into_iter()
        .map(|(m, label, testid)| {
            view! {
                <button type="button" id=testid data-testid=testid
                    class=move || if mode.get() == Some(m) { format!("{ROW_ACTION} bg-indigo-100 dark:bg-indigo-900") } else { ROW_ACTION.to_owned() }
                    on:click=move |_| {
                        problem.set(None);
                        mode.set(if mode.get_untracked() == Some(m) { None } else { Some(m) });
                    }>
                    {label}
                </button>
            }
        })
        .collect_view()
        .into_any()
}

/// The inputs one action needs.
fn mode_inputs(
    mode: Mode,
    inputs: Inputs,
    lists: Signal<Vec<(String, String)>>,
    known_tags: Signal<Vec<String>>,
) -> AnyView {
    match mode {
        Mode::AddTag | Mode::RemoveTag => view! {
            <label class="w-56">
                <span class="sr-only">"Tag"</span>
                <input type="text" id="bulk-tag" data-testid="bulk-tag" list="bulk-tag-options" autocomplete="off"
                    placeholder="Tag" class=INPUT bind:value=inputs.tag />
            </label>
            <datalist id="bulk-tag-options">
                {move || known_tags.get().into_iter().map(|t| view! { <option value=t></option> }).collect_view()}
            </datalist>
        }
        .into_any(),
        Mode::AddToList => view! {
            <InlineSelect id="bulk-list" label="List" value=inputs.list options=lists any_label="Choose a list…" />
            <InlineSelect id="bulk-status" label="Status" value=inputs.status options=Signal::derive(status_options) />
        }
        .into_any(),
        Mode::MoveToList => view! {
            <InlineSelect id="bulk-from" label="From list" value=inputs.from options=lists any_label="From list…" />
            <span class="text-sm text-slate-500" aria-hidden="true">"→"</span>
            <InlineSelect id="bulk-to" label="To list" value=inputs.to options=lists any_label="To list…" />
        }
        .into_any(),
        Mode::Unsubscribe => view! {
            <InlineSelect id="bulk-list" label="Unsubscribe from" value=inputs.list options=lists any_label="Every list" />
        }
        .into_any(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_become_the_action_or_say_what_is_missing() {
        // Signals need a reactive owner, as they have inside a mounted component.
        Owner::new().with(|| {
            let inputs = Inputs {
                tag: RwSignal::new(" vip ".into()),
                list: RwSignal::new(String::new()),
                status: RwSignal::new("unconfirmed".into()),
                from: RwSignal::new("1".into()),
                to: RwSignal::new("1".into()),
            };
            assert_eq!(inputs.action(Mode::AddTag), Ok(BulkAction::AddTag("vip".into())));
            assert_eq!(inputs.action(Mode::Unsubscribe), Ok(BulkAction::Unsubscribe(None)));
            assert_eq!(inputs.action(Mode::AddToList), Err("Choose a list."));
            assert_eq!(inputs.action(Mode::MoveToList), Err("Choose two different lists."));
            inputs.list.set("4".into());
            assert_eq!(
                inputs.action(Mode::AddToList),
                Ok(BulkAction::AddToList { list_id: 4, status: ListStatus::Unconfirmed })
            );
            assert_eq!(inputs.action(Mode::Unsubscribe), Ok(BulkAction::Unsubscribe(Some(4))));
        });
    }

    #[test]
    fn toasts_say_how_many_changed_and_where() {
        let all = BulkOutcome { matched: 12_345, changed: 12_345 };
        assert_eq!(bulk_message(&BulkAction::AddTag("vip".into()), all, &[]), "12\u{a0}345 contacts tagged vip.");
        let lists = [("2".to_owned(), "Newsletter".to_owned())];
        let some = BulkOutcome { matched: 10, changed: 7 };
        assert_eq!(
            bulk_message(&BulkAction::MoveToList { from: 1, to: 2 }, some, &lists),
            "7 contacts moved to Newsletter (3 unchanged)."
        );
        assert_eq!(
            bulk_message(&BulkAction::Delete, BulkOutcome { matched: 1, changed: 1 }, &[]),
            "1 contact deleted."
        );
    }
}
