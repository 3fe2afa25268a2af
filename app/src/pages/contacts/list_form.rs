//! The list dialog: name, description, single or double opt-in, visibility.

use leptos::prelude::*;
use model::contacts::{ContactList, ListInput, OptIn, Visibility};

use super::controls::{HINT, LABEL};
use crate::api::ApiError;
use crate::components::field::{SubmitButton, TextField};
use crate::pages::mail::widgets::form_error;

/// What the list form holds.
#[derive(Clone, Copy)]
pub struct ListFormState {
    pub name: RwSignal<String>,
    pub description: RwSignal<String>,
    pub opt_in: RwSignal<OptIn>,
    pub visibility: RwSignal<Visibility>,
    /// `Some(id)` while editing.
    pub editing: RwSignal<Option<i64>>,
}

impl Default for ListFormState {
    fn default() -> Self {
        Self::new()
    }
}

impl ListFormState {
    /// A blank form: single opt-in, private.
    pub fn new() -> Self {
        Self {
            name: RwSignal::new(String::new()),
            description: RwSignal::new(String::new()),
            opt_in: RwSignal::new(OptIn::Single),
            visibility: RwSignal::new(Visibility::Private),
            editing: RwSignal::new(None),
        }
    }

    /// Empties the form for a new list.
    pub fn reset(&self) {
        self.name.set(String::new());
        self.description.set(String::new());
        self.opt_in.set(OptIn::Single);
        self.visibility.set(Visibility::Private);
        self.editing.set(None);
    }

    /// Fills the form from an existing list.
    pub fn load(&self, list: &ContactList) {
        self.name.set(list.name.clone());
        self.description.set(list.description.clone());
        self.opt_in.set(list.opt_in);
        self.visibility.set(list.visibility);
        self.editing.set(Some(list.id));
    }

    /// The input to send.
    pub fn input(&self) -> ListInput {
        ListInput {
            name: self.name.get_untracked().trim().to_owned(),
            description: self.description.get_untracked(),
            opt_in: self.opt_in.get_untracked(),
            visibility: self.visibility.get_untracked(),
        }
    }
}

/// The form.
#[component]
pub fn ListForm(
    state: ListFormState,
    #[prop(into)] error: Signal<Option<ApiError>>,
    #[prop(into)] pending: Signal<bool>,
    on_submit: Callback<()>,
) -> impl IntoView {
    let name_error = Signal::derive(move || error.get().and_then(|e| e.for_field("name")));
    let general = move || error.get().filter(|e| e.for_field("name").is_none()).map(|e| e.to_string());
    view! {
        <form id="list-form" class="space-y-4" on:submit=move |ev: leptos::ev::SubmitEvent| { ev.prevent_default(); on_submit.run(()); }>
            <TextField name="list_name" label="Name" value=state.name autocomplete="off" autofocus=true error=name_error
                hint="Subscribers see this name when the list is public." />
            <div class="space-y-1.5">
                <label for="list_description" class=LABEL>"Description (optional)"</label>
                <textarea id="list_description" name="list_description" data-testid="list-description" rows="2" bind:value=state.description
                    class="block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm dark:border-slate-700 dark:bg-slate-900"></textarea>
            </div>
            <fieldset class="space-y-2">
                <legend class=LABEL>"Opt-in"</legend>
                {choice("list_opt_in", "list-opt-in-single", "Single opt-in", "Subscribed as soon as they sign up.",
                    Signal::derive(move || state.opt_in.get() == OptIn::Single), Callback::new(move |_| state.opt_in.set(OptIn::Single)))}
                {choice("list_opt_in", "list-opt-in-double", "Double opt-in",
                    "Signups get an email with a confirmation link and stay unconfirmed (receiving nothing) until they click it. Proves consent and keeps mistyped and fake addresses out.",
                    Signal::derive(move || state.opt_in.get() == OptIn::Double), Callback::new(move |_| state.opt_in.set(OptIn::Double)))}
            </fieldset>
            <fieldset class="space-y-2">
                <legend class=LABEL>"Visibility"</legend>
                {choice("list_visibility", "list-visibility-public", "Public", "Offered on public signup forms and the subscription preferences page.",
                    Signal::derive(move || state.visibility.get() == Visibility::Public), Callback::new(move |_| state.visibility.set(Visibility::Public)))}
                {choice("list_visibility", "list-visibility-private", "Private", "Only you add people to it (by hand, import or API); subscribers do not see it.",
                    Signal::derive(move || state.visibility.get() == Visibility::Private), Callback::new(move |_| state.visibility.set(Visibility::Private)))}
            </fieldset>
            {move || form_error(general())}
            <SubmitButton label="Save list" pending_label="Saving…" pending=pending />
        </form>
    }
}

/// A radio button with a title and an explanation.
fn choice(
    name: &'static str,
    id: &'static str,
    title: &'static str,
    explanation: &'static str,
    checked: Signal<bool>,
    on_pick: Callback<()>,
) -> impl IntoView {
    view! {
        <label class="flex items-start gap-3 rounded-lg border border-slate-200 p-3 text-sm hover:bg-slate-50 dark:border-slate-700 dark:hover:bg-slate-800/50">
            <input type="radio" name=name id=id data-testid=id class="mt-0.5 h-4 w-4 border-slate-300 text-indigo-600 dark:border-slate-600"
                prop:checked=move || checked.get() on:change=move |_| on_pick.run(()) />
            <span>
                <span class="font-medium text-slate-800 dark:text-slate-100">{title}</span>
                <span class=format!("block {HINT}")>{explanation}</span>
            </span>
        </label>
    }
}
